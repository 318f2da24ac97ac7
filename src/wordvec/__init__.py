"""wordvec: learn word vectors from raw text and use them."""

from wordvec.errors import (
    ConfigError,
    CorpusError,
    FormatError,
    TrainingError,
    VocabError,
    WordvecError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "CorpusError",
    "FormatError",
    "TrainingError",
    "VocabError",
    "WordvecError",
    "__version__",
]
