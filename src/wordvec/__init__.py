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

__version__ = "0.1.0"

_LAZY = {
    "Word2Vec": "wordvec.word2vec",
    "Word2VecConfig": "wordvec.word2vec",
    "Progress": "wordvec.word2vec",
    "EpochReport": "wordvec.word2vec",
    "StopTraining": "wordvec.word2vec",
    "WordVectors": "wordvec.vectors",
    "load_vectors": "wordvec.formats",
    "save_vectors": "wordvec.formats",
    "evaluate_analogies": "wordvec.evaluate",
    "evaluate_pairs": "wordvec.evaluate",
    "encode_corpus": "wordvec.encoded",
    "EncodedCorpus": "wordvec.encoded",
    "Vocab": "wordvec.vocab",
    "Tokenizer": "wordvec.corpus",
    "iter_sentences": "wordvec.corpus",
    "Checkpoint": "wordvec.checkpoint",
    "load_checkpoint": "wordvec.checkpoint",
    "PPMISVD": "wordvec.counting",
    "CountVectors": "wordvec.counting",
    "SVDConfig": "wordvec.counting",
    "UnknownWordError": "wordvec.vectors",
    "load_state": "wordvec.formats",
    "save_state": "wordvec.formats",
    "format_results": "wordvec.evaluate",
    "SkipGramSoftmax": "wordvec.reference",
    "CBOWSoftmax": "wordvec.reference",
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
