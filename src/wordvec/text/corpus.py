"""Turning raw text into sentences of tokens, as a stream.

The tutorials tokenise a string with a regular expression and lower-case it.
This module does the same, but streams: it never holds a whole file (or a
whole line) in memory, so a one-line 100 MB text8 file or a 1 GB corpus is read
with flat memory.

Sources that :func:`iter_sentences` accepts:

* a path to a text file with one sentence per line (``.gz``, ``.bz2`` and
  ``.xz`` files are decompressed on the fly);
* a path to a folder: every file in it and in its subfolders, recursively,
  in sorted order (see :func:`corpus_files` for what is skipped);
* a Python iterable of token lists (or of strings, which are tokenised).

Lines longer than ``max_sentence_length`` tokens (text8 holds the whole corpus
on one line) are cut into sentences of at most that many tokens.

The default tokenizer (:class:`Tokenizer`): text is lower-cased, then
NFC-normalised; a word is a run of letters and digits of any script, each
letter or digit with the combining marks that follow it (Devanagari vowel
signs and viramas, Arabic vowel marks, Thai tone marks, the accents of
decomposed Latin), with apostrophes (``'`` or ``’``) allowed *inside* a word.
Words longer than :data:`MAX_TOKEN_LENGTH` characters are cut to that length,
and, to bound memory, a run of more than :data:`MAX_RUN_BYTES` bytes without
whitespace in a file keeps only its first :data:`MAX_RUN_BYTES` bytes.
Scripts written without spaces (Thai, Chinese, Japanese) come out as one
"word" per run of letters: give those a word segmenter as ``tokenizer=``.
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
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Union

from wordvec.errors import CorpusError, missing_path_reason

logger = logging.getLogger("wordvec")



def _combining_marks() -> str:
    """A regex character class of the combining marks (Unicode category M) of this Python.

    Built from :mod:`unicodedata` so it follows the running Python's Unicode
    version. Marks live below U+20000 and in U+E0000-U+E0FFF (variation selectors).
    """
    ranges: list[list[int]] = []
    for block in (range(0x0300, 0x20000), range(0xE0000, 0xE1000)):
        for cp in block:
            ch = chr(cp)
            if unicodedata.category(ch)[0] == "M" and not ch.isalnum():
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}"
                         for a, b in ranges) + "]"


# One letter-or-digit run: letters and digits ([^\W_] is str.isalnum), each followed by
# its combining marks. The look-ahead skips the (large) mark class when the next
# character is below U+0300, where no mark lives: ASCII text tokenises as fast as before.
_RUN = r"[^\W_]+(?:(?![\x00-\u02ff])" + _combining_marks() + r"+[^\W_]*)*"

#: Letters (with their combining marks) and digits of any script; an apostrophe
#: is kept only *inside* a word ("don't", "o'neill"), never at its edges
#: ("'quoted'" -> "quoted").
DEFAULT_PATTERN = f"{_RUN}(?:['\u2019]{_RUN})*"

#: Longest word, in characters (after NFC); longer ones are cut to this length.
#: The word2vec C tool cuts words at 100 bytes (MAX_STRING). Dictionary words
#: are far shorter (the longest common English words have under 30 letters);
#: longer runs are base64, hashes, repeated characters or unsegmented Thai and
#: Chinese text, which would only bloat the vocabulary (and, uncut, produced
#: word2vec binary files that readers refuse).
MAX_TOKEN_LENGTH = 100

#: Longest run of bytes without whitespace kept from a file; the rest of the run
#: is skipped (so memory stays flat on a 100 MB "word"). Both file readers (the
#: Python one and the compiled scanner) apply it to the same bytes.
MAX_RUN_BYTES = 1 << 20

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
            runs of Unicode letters and digits with their combining marks, with
            apostrophes inside words.
        normalize: NFC-normalise the text (after lower-casing), so that ``über``
            typed with a combining diaeresis is the same word as with ``ü``.
        max_token_length: cut longer tokens to this many characters (``None``:
            never cut). :attr:`tokens_cut` counts the tokens cut so far.

    Example:
        >>> Tokenizer()("The King's crown, 1066!")
        ['the', "king's", 'crown', '1066']
    """

    def __init__(self, lowercase: bool = True, pattern: str | None = None,
                 normalize: bool = True,
                 max_token_length: int | None = MAX_TOKEN_LENGTH) -> None:
        if max_token_length is not None and max_token_length < 1:
            raise ValueError(f"max_token_length must be >= 1 or None, got {max_token_length}")
        self.lowercase = lowercase
        self.pattern = DEFAULT_PATTERN if pattern is None else pattern
        self.normalize = normalize
        self.max_token_length = max_token_length
        self.tokens_cut = 0
        self._regex = re.compile(self.pattern)

    @property
    def is_default_pattern(self) -> bool:
        """True when the pattern is the built-in one (tokens never span whitespace)."""
        return self.pattern == DEFAULT_PATTERN

    @property
    def is_default(self) -> bool:
        """True when every option is the default one."""
        return (self.is_default_pattern and self.lowercase and self.normalize
                and self.max_token_length == MAX_TOKEN_LENGTH)

    def __call__(self, text: str) -> list[str]:
        """Return the tokens of ``text``."""
        if self.lowercase:
            text = text.lower()
        if self.normalize:
            text = unicodedata.normalize("NFC", text)  # returns text itself when already NFC
        tokens = self._regex.findall(text)
        cap = self.max_token_length
        if cap is not None and len(text) > cap and max(map(len, tokens), default=0) > cap:
            tokens = self._cut(tokens, cap)
        return tokens

    def _cut(self, tokens: list[str], cap: int) -> list[str]:
        out = []
        cut = 0
        for t in tokens:
            if len(t) > cap:
                cut += 1
                t = t[:cap]
                if self.is_default_pattern:
                    t = t.rstrip("'\u2019")  # a word never ends with an apostrophe
            out.append(t)
        self.tokens_cut += cut
        return out

    def __repr__(self) -> str:
        return (f"Tokenizer(lowercase={self.lowercase!r}, pattern={self.pattern!r}, "
                f"normalize={self.normalize!r}, max_token_length={self.max_token_length!r})")


_default_tokenizer = Tokenizer()


def tokens_cut(tokenizer: object) -> int:
    """How many tokens ``tokenizer`` (``None``: the default one) has cut so far; 0 for
    callables that are no :class:`Tokenizer`."""
    tok = _default_tokenizer if tokenizer is None else tokenizer
    return int(getattr(tok, "tokens_cut", 0)) if isinstance(tok, Tokenizer) else 0


def log_tokens_cut(tokenizer: object, n: int, where: object) -> None:
    """One log line for the ``n`` tokens ``tokenizer`` cut while reading ``where``."""
    if n:
        cap = getattr(tokenizer or _default_tokenizer, "max_token_length", MAX_TOKEN_LENGTH)
        logger.warning("%s: cut %d token(s) longer than %s characters to that length",
                       where, n, cap)


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

    A folder is read recursively, files and subfolders in sorted order (by
    name, with ``sorted``). Skipped, each with a log line naming it: hidden
    files and folders (name starting with ``.``; INFO), anything that is not a
    regular file (INFO), a folder reached twice through symbolic links (INFO),
    and files that cannot be read, cannot be decompressed or look binary
    (NUL bytes in their first 8 KiB; a WARNING each).

    Raises:
        CorpusError: if the path does not exist, a single file is unreadable or
            binary, or a folder holds no readable text file.
    """
    p = Path(path)
    if not p.exists():
        raise CorpusError(f"corpus path {missing_path_reason(p)}: {p}")
    if p.is_dir():
        files: list[Path] = []
        skipped = _walk(p, files, set())
        if not files:
            detail = f" ({skipped} file(s) skipped, see the log)" if skipped else ""
            raise CorpusError(
                f"corpus folder {p} holds no readable files{detail}; "
                "put one or more text files (one sentence per line) in it"
            )
        return files
    if not os.access(p, os.R_OK):
        raise CorpusError(f"cannot read corpus file {p}: permission denied")
    return [p]


def _walk(folder: Path, files: list[Path], seen: set[tuple[int, int]]) -> int:
    """Append ``folder``'s text files to ``files`` (recursively); return how many were skipped."""
    st = folder.stat()
    if (st.st_dev, st.st_ino) in seen:
        logger.info("skipping %s: a folder already read (symbolic link loop)", folder)
        return 0
    seen.add((st.st_dev, st.st_ino))
    skipped = 0
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        logger.warning("skipping folder %s: %s", folder, exc.strerror or exc)
        return 1
    for entry in entries:
        if entry.name.startswith("."):
            logger.info("skipping hidden %s", entry)
            skipped += 1
        elif entry.is_dir():
            skipped += _walk(entry, files, seen)
        elif not entry.is_file():
            logger.info("skipping %s: not a regular file", entry)
            skipped += 1
        else:
            why = _unreadable(entry)
            if why:
                logger.warning("skipping %s: %s", entry, why)
                skipped += 1
            else:
                files.append(entry)
    return skipped


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as text (None when it can): permission, damage, binary."""
    try:
        with open_binary(path) as fh:
            head = fh.read(8192)
    except CorpusError as exc:
        return str(exc)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        return f"cannot read it ({exc})"
    if _looks_binary(head):
        return "it looks like a binary file (it contains NUL bytes), not text"
    return None


def _looks_binary(head: bytes) -> bool:
    """Text files do not contain NUL bytes; most binary files do, early on."""
    return b"\x00" in head


_SPACE_BYTES = (b" ", b"\n", b"\t", b"\r", b"\x0b", b"\x0c")  # what the compiled scanner splits on
_LONG_RUN = re.compile(rb"[^ \n\t\r\x0b\x0c]{%d,}" % (MAX_RUN_BYTES + 1))


def _first_space(data: bytes) -> int:
    first = data.find(b" ")
    end = len(data) if first < 0 else first
    for b in _SPACE_BYTES[1:]:
        i = data.find(b, 0, end)
        if i >= 0:
            first = end = i
    return first


def _last_space(data: bytes) -> int:
    last = data.rfind(b" ")
    for b in _SPACE_BYTES[1:]:
        last = max(last, data.rfind(b, last + 1))
    return last


def _char_start(data: bytes, k: int) -> int:
    """``k`` moved back to the start of the UTF-8 character it falls in (at most 3 bytes)."""
    for _ in range(3):
        if 0 < k < len(data) and data[k] & 0xC0 == 0x80:
            k -= 1
    return k


class _RunCap:
    """Cut runs of more than MAX_RUN_BYTES bytes without whitespace from a byte stream.

    The bytes after the first MAX_RUN_BYTES of a run are dropped (the cut is
    moved back to a UTF-8 character boundary). Chunk boundaries do not matter.
    """

    def __init__(self, limit: int = MAX_RUN_BYTES) -> None:
        self.limit = limit
        self.run = 0  # length of the run the stream ends in (bytes seen, kept or not)
        self.cuts = 0

    def __call__(self, chunk: bytes) -> bytes:
        limit = self.limit
        first = _first_space(chunk)
        head_end = len(chunk) if first < 0 else first
        pieces = []
        if self.run + head_end > limit:  # the run in progress grows too long
            keep = max(0, limit - self.run)
            if self.run <= limit:
                self.cuts += 1
            pieces.append(chunk[:_char_start(chunk, keep)])
        else:
            pieces.append(chunk[:head_end])
        if first < 0:
            self.run += len(chunk)
            return pieces[0]
        body = chunk[first:]
        if len(body) > limit + 1:  # a whole run of more than `limit` bytes may sit inside
            def cut(m: re.Match) -> bytes:
                self.cuts += 1
                run = m.group()
                return run[:_char_start(run, limit)]

            tail = len(body) - 1 - _last_space(body)
            body = _LONG_RUN.sub(cut, body) if limit == MAX_RUN_BYTES else re.sub(
                rb"[^ \n\t\r\x0b\x0c]{%d,}" % (limit + 1), cut, body)
            self.run = tail
        else:
            self.run = len(body) - 1 - _last_space(body)
        pieces.append(body)
        return b"".join(pieces)


def iter_byte_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES, start: int = 0,
                     stop: int | None = None) -> Iterator[bytes]:
    """Yield a file's (decompressed) bytes in chunks, refusing binary files.

    Runs of more than :data:`MAX_RUN_BYTES` bytes without whitespace are cut
    to that length (a warning says how many). ``start``/``stop`` read only
    that byte range of an uncompressed file (cut it just after whitespace, so
    no run spans two ranges; the binary check is made by the range at 0).

    Raises:
        CorpusError: if the file cannot be read, is corrupt, or looks binary.
    """
    cap = _RunCap()
    with open_binary(path) as fh:
        first = start == 0
        left = -1 if stop is None else stop - start
        if start:
            fh.seek(start)
        while left != 0:
            try:
                chunk = fh.read(chunk_bytes if left < 0 else min(chunk_bytes, left))
                left = left - len(chunk) if left > 0 else left
            except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
                raise CorpusError(f"cannot read {path}: {exc}") from None
            if not chunk:
                break
            if first:
                if _looks_binary(chunk[:8192]):
                    raise CorpusError(
                        f"{path} looks like a binary file (it contains NUL bytes), "
                        "not text; give a plain-text corpus, one sentence per line"
                    )
                first = False
            chunk = cap(chunk)
            if chunk:
                yield chunk
    if cap.cuts:
        logger.warning("%s: %d run(s) of more than %d bytes without whitespace were cut to "
                       "their first %d bytes", path, cap.cuts, cap.limit, cap.limit)


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
