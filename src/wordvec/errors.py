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


def missing_path_reason(path: object) -> str:
    """Why ``path`` cannot be opened although it was named, in a few words.

    ``"not found"``, or for a symbolic link that leads nowhere, ``"is a symbolic
    link loop"`` or ``"is a broken symbolic link (to TARGET)"``: ``Path.exists()`` is
    False for all three, and "not found" would send the user looking in the
    wrong place.
    """
    import errno
    import os

    try:
        os.stat(path)  # type: ignore[arg-type]
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop"
        if os.path.islink(path):  # type: ignore[arg-type]
            return f"is a broken symbolic link (to {os.readlink(path)})"  # type: ignore[arg-type]
        return "not found"
    return "not found"
