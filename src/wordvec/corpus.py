"""Turning raw text into sentences of tokens, as a stream.

The tutorials tokenise a string with a regular expression and lower-case it.
This module does the same, but streams: it never holds a whole file (or a
whole line) in memory, so a one-line 100 MB text8 file or a 1 GB corpus is read
with flat memory.

Sources that :func:`iter_sentences` accepts:

* a path to a text file with one sentence per line (``.gz``, ``.bz2`` and
  ``.xz`` files are decompressed on the fly);
* a path to a folder: every regular, non-hidden file in it, sorted by name;
* a Python iterable of token lists (or of strings, which are tokenised).

Lines longer than ``max_sentence_length`` tokens (text8 holds the whole corpus
on one line) are cut into sentences of at most that many tokens.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import logging
import lzma
import os
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Union

from wordvec.errors import CorpusError, missing_path_reason

logger = logging.getLogger("wordvec")

#: Letters and digits of any script; an apostrophe is kept only *inside* a
#: word ("don't", "o'neill"), never at its edges ("'quoted'" -> "quoted").
DEFAULT_PATTERN = r"[^\W_]+(?:['\u2019][^\W_]+)*"

#: Longest sentence handed to training; longer lines are cut (word2vec C uses 1000,
#: gensim 10,000 tokens).
MAX_SENTENCE_LENGTH = 10_000

#: Bytes read from a file at a time.
CHUNK_BYTES = 1 << 20

Source = Union[str, os.PathLike, Iterable[Sequence[str]], Iterable[str]]  # noqa: UP007


class Tokenizer:
    """Split text into word tokens with a regular expression.

    Args:
        lowercase: lower-case the text first (the default, as in the tutorials).
        pattern: a regular expression that matches one token; the default keeps
            runs of Unicode letters and digits, with apostrophes inside words.

    Example:
        >>> Tokenizer()("The King's crown, 1066!")
        ['the', "king's", 'crown', '1066']
    """

    def __init__(self, lowercase: bool = True, pattern: str | None = None) -> None:
        self.lowercase = lowercase
        self.pattern = DEFAULT_PATTERN if pattern is None else pattern
        self._regex = re.compile(self.pattern)

    @property
    def is_default_pattern(self) -> bool:
        """True when the pattern is the built-in one (tokens never span whitespace)."""
        return self.pattern == DEFAULT_PATTERN

    def __call__(self, text: str) -> list[str]:
        """Return the tokens of ``text``."""
        if self.lowercase:
            text = text.lower()
        return self._regex.findall(text)

    def __repr__(self) -> str:
        return f"Tokenizer(lowercase={self.lowercase!r}, pattern={self.pattern!r})"


_default_tokenizer = Tokenizer()


def tokenize(text: str) -> list[str]:
    """Tokenise ``text`` with the default :class:`Tokenizer` (lower-cased)."""
    return _default_tokenizer(text)


# --- decoding with a count of invalid bytes -------------------------------------------

_invalid = threading.local()


def _count_and_replace(err: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: replace bad bytes with U+FFFD and count them."""
    n = err.end - err.start
    _invalid.count = getattr(_invalid, "count", 0) + n
    return "\ufffd", err.end


codecs.register_error("wordvec-count", _count_and_replace)


def invalid_bytes_seen() -> int:
    """Number of invalid UTF-8 bytes replaced so far by readers on this thread."""
    return getattr(_invalid, "count", 0)


def decode_counting(data: bytes) -> tuple[str, int]:
    """Decode UTF-8 with replacement; return the text and the number of invalid bytes."""
    before = invalid_bytes_seen()
    text = data.decode("utf-8", errors="wordvec-count")
    return text, invalid_bytes_seen() - before


# --- opening files --------------------------------------------------------------------


def open_binary(path: str | os.PathLike) -> BinaryIO:
    """Open a file for binary reading, decompressing ``.gz``, ``.bz2`` and ``.xz``."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix == ".gz":
            return gzip.open(p, "rb")  # type: ignore[return-value]
        if suffix == ".bz2":
            return bz2.open(p, "rb")  # type: ignore[return-value]
        if suffix in (".xz", ".lzma"):
            return lzma.open(p, "rb")  # type: ignore[return-value]
        return open(p, "rb")
    except FileNotFoundError:
        raise CorpusError(f"corpus file not found: {p}") from None
    except PermissionError:
        raise CorpusError(f"cannot read corpus file {p}: permission denied") from None
    except IsADirectoryError:
        raise CorpusError(f"expected a file but {p} is a folder") from None


def corpus_files(path: str | os.PathLike) -> list[Path]:
    """The files a corpus path stands for: the file itself, or a folder's files.

    Raises:
        CorpusError: if the path does not exist or a folder holds no readable file.
    """
    p = Path(path)
    if not p.exists():
        raise CorpusError(f"corpus path {missing_path_reason(p)}: {p}")
    if p.is_dir():
        files = sorted(
            f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
        )
        files = [f for f in files if os.access(f, os.R_OK)]
        if not files:
            raise CorpusError(
                f"corpus folder {p} holds no readable files; "
                "put one or more text files (one sentence per line) in it"
            )
        return files
    if not os.access(p, os.R_OK):
        raise CorpusError(f"cannot read corpus file {p}: permission denied")
    return [p]


def _looks_binary(head: bytes) -> bool:
    """Text files do not contain NUL bytes; most binary files do, early on."""
    return b"\x00" in head


def iter_byte_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield a file's (decompressed) bytes in chunks, refusing binary files.

    Raises:
        CorpusError: if the file cannot be read, is corrupt, or looks binary.
    """
    with open_binary(path) as fh:
        first = True
        while True:
            try:
                chunk = fh.read(chunk_bytes)
            except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
                raise CorpusError(f"cannot read {path}: {exc}") from None
            if not chunk:
                return
            if first:
                if _looks_binary(chunk[:8192]):
                    raise CorpusError(
                        f"{path} looks like a binary file (it contains NUL bytes), "
                        "not text; give a plain-text corpus, one sentence per line"
                    )
                first = False
            yield chunk


# --- sentences ------------------------------------------------------------------------


def _cut(tokens: list[str], limit: int) -> Iterator[list[str]]:
    for start in range(0, len(tokens), limit):
        yield tokens[start : start + limit]


def iter_file_sentences(
    path: str | os.PathLike,
    tokenizer: Callable[[str], list[str]] | None = None,
    max_sentence_length: int = MAX_SENTENCE_LENGTH,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[list[str]]:
    """Stream the sentences of one file: one per line, long lines cut.

    The file is read in chunks of ``chunk_bytes``; a line longer than a chunk
    is tokenised piece by piece (cut at whitespace), so memory stays flat.
    Invalid UTF-8 is replaced and counted in a logged warning.
    """
    tok = tokenizer or _default_tokenizer
    decoder = codecs.getincrementaldecoder("utf-8")(errors="wordvec-count")
    invalid_before = invalid_bytes_seen()
    pending = ""  # text of the current line not yet tokenised
    sentence: list[str] = []

    def flush_tokens(text: str) -> Iterator[list[str]]:
        nonlocal sentence
        sentence.extend(tok(text))
        while len(sentence) >= max_sentence_length:
            yield sentence[:max_sentence_length]
            sentence = sentence[max_sentence_length:]

    for chunk in iter_byte_chunks(Path(path), chunk_bytes):
        text = pending + decoder.decode(chunk)
        lines = text.split("\n")
        pending = lines.pop()
        for line in lines:
            yield from flush_tokens(line)
            if sentence:
                yield sentence
            sentence = []
        if len(pending) > chunk_bytes:
            # A very long line: tokenise all but its last (possibly cut) word.
            cut = max(pending.rfind(" "), pending.rfind("\t"))
            if cut > 0:
                yield from flush_tokens(pending[:cut])
                pending = pending[cut:]
    pending += decoder.decode(b"", final=True)
    yield from flush_tokens(pending)
    if sentence:
        yield sentence
    bad = invalid_bytes_seen() - invalid_before
    if bad:
        logger.warning("%s: replaced %d invalid UTF-8 byte(s) with U+FFFD", path, bad)


def iter_sentences(
    source: Source,
    tokenizer: Callable[[str], list[str]] | None = None,
    max_sentence_length: int = MAX_SENTENCE_LENGTH,
) -> Iterator[list[str]]:
    """Stream sentences (lists of tokens) from a path or an iterable.

    Args:
        source: a file, a folder of files, or an iterable of token lists
            (strings in the iterable are tokenised).
        tokenizer: any callable ``str -> list[str]``; default :class:`Tokenizer`.
        max_sentence_length: longer sentences are cut into pieces this long.

    Example:
        >>> list(iter_sentences([["a", "b"], "The cat."]))
        [['a', 'b'], ['the', 'cat']]
    """
    if max_sentence_length < 1:
        raise ValueError("max_sentence_length must be positive")
    if isinstance(source, (str, os.PathLike)):
        for f in corpus_files(source):
            yield from iter_file_sentences(f, tokenizer, max_sentence_length)
        return
    if isinstance(source, (bytes, bytearray)):
        raise CorpusError("give a path, not bytes, or an iterable of token lists")
    tok = tokenizer or _default_tokenizer
    try:
        iterator = iter(source)
    except TypeError:
        raise CorpusError(
            f"cannot read a corpus from a {type(source).__name__}; give a path or "
            "an iterable of token lists"
        ) from None
    for item in iterator:
        tokens = tok(item) if isinstance(item, str) else list(item)
        if not tokens:
            continue
        if len(tokens) > max_sentence_length:
            yield from _cut(tokens, max_sentence_length)
        else:
            yield tokens


def is_path(source: object) -> bool:
    """True when ``source`` names a file or folder rather than an in-memory corpus."""
    return isinstance(source, (str, os.PathLike))
