"""Errors a user can cause and fix.

Every mistake in the input (a missing file, a bad parameter, a corrupt vector
file) raises a subclass of :class:`WordvecError` whose message says what was
wrong and what to do about it. The CLI prints that message without a traceback
and exits with a non-zero status. Bugs stay ordinary Python exceptions.
"""


class WordvecError(Exception):
    """Base class of every error caused by user input."""


class ConfigError(WordvecError, ValueError):
    """A hyperparameter is out of range or parameters contradict each other."""


class CorpusError(WordvecError):
    """The corpus cannot be read or holds no usable text."""


class VocabError(WordvecError):
    """The vocabulary is empty or too large for the requested model."""


class FormatError(WordvecError):
    """A vector or model file is malformed, truncated or of another format."""


class TrainingError(WordvecError):
    """Training failed in a way the user can fix (for example it diverged)."""
