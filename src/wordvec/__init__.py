"""wordvec: learn word vectors from raw text and use them.

The public API, imported lazily so that ``import wordvec`` (and the CLI's
start-up) stays fast:

>>> from wordvec import Word2Vec, WordVectors, load_vectors  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from wordvec.errors import (
    ConfigError,
    CorpusError,
    FormatError,
    TrainingError,
    VocabError,
    WordvecError,
)

__version__ = "0.2.0"

_LAZY = {
    "Word2Vec": "wordvec.train.word2vec",
    "Word2VecConfig": "wordvec.train.word2vec",
    "Progress": "wordvec.train.word2vec",
    "EpochReport": "wordvec.train.word2vec",
    "StopTraining": "wordvec.train.word2vec",
    "WordVectors": "wordvec.vectors.keyed",
    "load_vectors": "wordvec.vectors.formats",
    "save_vectors": "wordvec.vectors.formats",
    "evaluate_analogies": "wordvec.vectors.evaluate",
    "evaluate_pairs": "wordvec.vectors.evaluate",
    "encode_corpus": "wordvec.text.encoded",
    "EncodedCorpus": "wordvec.text.encoded",
    "Vocab": "wordvec.text.vocab",
    "Tokenizer": "wordvec.text.corpus",
    "iter_sentences": "wordvec.text.corpus",
    "FastText": "wordvec.train.fasttext",
    "FastTextVectors": "wordvec.vectors.keyed",
    "Engine": "wordvec.train.engine",
    "ChunkPlan": "wordvec.train.engine",
    "Phrases": "wordvec.text.phrases",
    "FrozenPhrases": "wordvec.text.phrases",
    "learn_phrases": "wordvec.text.phrases",
    "ENGLISH_CONNECTOR_WORDS": "wordvec.text.phrases",
    "Checkpoint": "wordvec.train.checkpoint",
    "load_checkpoint": "wordvec.train.checkpoint",
    "PPMISVD": "wordvec.train.ppmi_svd",
    "CountVectors": "wordvec.train.ppmi_svd",
    "SVDConfig": "wordvec.train.ppmi_svd",
    "UnknownWordError": "wordvec.vectors.keyed",
    "load_state": "wordvec.native",
    "save_state": "wordvec.native",
    "format_results": "wordvec.vectors.evaluate",
    "SkipGramSoftmax": "wordvec.train.reference",
    "CBOWSoftmax": "wordvec.train.reference",
}

__all__ = [
    "ConfigError",
    "CorpusError",
    "FormatError",
    "TrainingError",
    "VocabError",
    "WordvecError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
