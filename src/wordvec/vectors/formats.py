"""Reading and writing word vectors: word2vec C formats, GloVe text, and the native format.

Formats (names accepted by ``format=``):

``"word2vec-binary"`` (aliases ``bin``, ``binary``)
    The C tool's ``-binary 1`` output: a text header ``"<words> <dims>\\n"``,
    then per word its UTF-8 bytes, a space, ``dims`` little-endian float32
    and a newline (the C tool writes the newline; gensim omits it; both read
    either). Written like the C tool.
``"word2vec-text"`` (aliases ``text``, ``txt``, ``vec``)
    The same header, then one line per word: the word and its numbers,
    separated by single spaces. Numbers are written in the shortest form that
    reads back to the identical float32 (byte-identical to gensim's
    ``save_word2vec_format``), or with ``precision`` significant digits.
``"glove"``
    GloVe's text format: like word2vec text without the header line. Chosen
    only with ``format="glove"`` when saving (GloVe files end in ``.txt``,
    which means word2vec text here); recognised by content when loading.
``"native"`` (alias ``wv``)
    wordvec's own format, safe to open from an untrusted source and
    memory-mappable; see :func:`save_state` for the layout. Subword
    (fastText) vectors keep their n-gram matrix in it too.
``"fasttext"`` (alias ``fasttext-bin``)
    Facebook fastText's binary model (:mod:`wordvec.vectors.fasttext_format`):
    recognised by its magic number; loads as
    :class:`~wordvec.vectors.keyed.FastTextVectors` (vectors for unseen words).
    A subword model saved to ``.bin`` is written in it; plain vectors cannot be.

Saving picks the format from the extension: ``.bin`` word2vec binary,
``.txt``/``.vec`` word2vec text, anything else native (``.wv`` is the
suggested name). The text and binary formats may carry a further ``.gz``,
``.bz2`` or ``.xz`` suffix to be compressed. Loading does not trust the
extension: it looks at the first bytes (zip signature, the ``"N D"``
header, whether the first record is text or raw floats, compression magic).
``format=`` overrides both.

Every write to a file goes to a temporary file in the target's directory which
is flushed, fsynced and renamed over the target (:func:`atomic_write`): a crash
mid-save leaves the old file or none, never half a file. A symbolic link is
followed (its target is replaced, the link kept); character devices such as
``/dev/null``, FIFOs and ``/dev/stdout`` are written straight through; other
non-regular files are refused (see :mod:`wordvec.outputs`).

Broken input raises :class:`~wordvec.errors.FormatError` naming the file, and
the line or byte offset where it went wrong; a header that promises more data
than the file holds is refused before any memory is allocated.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import logging
import lzma
import os
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from wordvec.errors import ConfigError, FormatError, missing_path_reason
from wordvec.outputs import atomic_write
from wordvec.vectors.fasttext_format import (
    FT_LOSSES,
    FT_MODELS,
    FacebookModel,
    is_fasttext_bin,
    read_fasttext_bin,
    write_fasttext_bin,
)
from wordvec.vectors.keyed import FastTextVectors, WordVectors
from wordvec.vectors.subwords import compose, input_rows
from wordvec.wording import counted

logger = logging.getLogger("wordvec")

__all__ = [
    "FORMATS",
    "atomic_write",
    "decode_words",
    "detect_format",
    "encode_words",
    "format_for_path",
    "load_fasttext",
    "load_native",
    "load_state",
    "load_vectors",
    "nonfinite_rows",
    "read_glove",
    "read_word2vec",
    "save_native",
    "save_state",
    "save_vectors",
    "write_fasttext",
    "write_glove",
    "write_word2vec",
]

FORMATS = ("native", "word2vec-binary", "word2vec-text", "glove", "fasttext")
_ALIASES = {
    "native": "native",
    "wv": "native",
    "wordvec": "native",
    "word2vec-binary": "word2vec-binary",
    "bin": "word2vec-binary",
    "binary": "word2vec-binary",
    "word2vec-text": "word2vec-text",
    "text": "word2vec-text",
    "txt": "word2vec-text",
    "vec": "word2vec-text",
    "glove": "glove",
    "fasttext": "fasttext",
    "fasttext-bin": "fasttext",
}
_EXTENSIONS = {".bin": "word2vec-binary", ".txt": "word2vec-text", ".vec": "word2vec-text"}
_COMPRESSORS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz"}

_HEADER_MEMBER = "wordvec.json"
_FORMAT_TAG = "wordvec"
_FORMAT_VERSION = 1
_ALIGN = 64  # array data inside native files starts on a 64-byte boundary
_PAD_EXTRA_ID = 0xD935  # zip "extra field" id used for alignment padding (as zipalign does)
_MAX_HEADER_BYTES = 256 * 1024 * 1024
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_SAFE_KINDS = set("biufcSU")  # numeric, bool and fixed-width string dtypes: no Python objects
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip timestamps: saving the same data gives the same bytes
_TEXT_FLOAT_BYTES = frozenset(b"0123456789+-.eEnaifNAIF \t\r\n")
_MAX_WORD_BYTES = 1 << 20
_READ_CHUNK = 1 << 22


# --------------------------------------------------------------------------- atomic writes
@contextmanager
def _writer(path: Path) -> Iterator[IO[bytes]]:
    """Atomic binary writer (a stream for devices, FIFOs and stdout), compressing when
    the name ends in .gz, .bz2 or .xz."""
    comp = _COMPRESSORS.get(path.suffix.lower())
    with atomic_write(path, "wb") as raw:
        if comp is None:
            yield raw
            return
        if comp == "gzip":
            out: IO[bytes] = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
        elif comp == "bz2":
            out = bz2.BZ2File(raw, "wb")
        else:
            out = lzma.LZMAFile(raw, "wb")
        with out:
            yield out


# --------------------------------------------------------------------------- sniffing
def _magic_compression(head: bytes) -> str | None:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    return None


def _open_read(path: Path) -> tuple[IO[bytes], bool]:
    """Binary reader for ``path``, transparently decompressing; returns (file, compressed)."""
    _check_readable(path)
    raw = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 (returned to the caller)
    comp = _magic_compression(raw.read(6))
    raw.seek(0)
    if comp is None:
        return raw, False
    if comp == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb"), True
    if comp == "bz2":
        return bz2.BZ2File(raw, "rb"), True
    return lzma.LZMAFile(raw, "rb"), True


def _check_readable(path: Path) -> None:
    if not path.exists():
        reason = missing_path_reason(path)
        raise FormatError(f"{path}: no such file" if reason == "not found" else f"{path} {reason}")
    if path.is_dir():
        raise FormatError(f"{path} is a directory; give the path of a vector file")


_HEAD_BYTES = 65536


def _read_head(path: Path, size: int = _HEAD_BYTES) -> tuple[bytes, str | None]:
    """The first ``size`` decompressed bytes (one more when the file has them, so the
    caller can tell a complete file from a cut one) and the compression."""
    f, _ = _open_read(path)
    with f:
        try:
            head = f.read(size + 1)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise FormatError(f"{path}: cannot decompress: {exc}") from exc
    with open(path, "rb") as raw:
        comp = _magic_compression(raw.read(6))
    return head, comp


_INT_RE = re.compile(rb"[+-]?[0-9]+")


def _parse_w2v_header(line: bytes) -> tuple[int, int] | None:
    """The two numbers of a word2vec header line (possibly negative: the reader refuses
    those with a clear message); None when the line is no such header."""
    parts = line.split()
    if len(parts) != 2 or not all(_INT_RE.fullmatch(p) for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def _looks_like_glove(line: bytes) -> bool:
    parts = line.split()
    if len(parts) < 2:
        return False
    try:
        [float(p) for p in parts[1:]]
    except ValueError:
        return False
    return True


_SNIFF_RECORDS = 3  # records checked when sniffing text against binary


def _text_records_parse(body: bytes, count: int, dims: int, complete: bool) -> bool:
    """True when the first records of ``body`` are text lines 'word x1 .. x_dims'.

    ``complete``: ``body`` runs to the end of the file; otherwise its last line
    may be cut, and counts when what it holds so far parses (a word, then at
    most ``dims`` numbers, the last of which may be cut mid-number).
    """
    want = min(count, _SNIFF_RECORDS)
    lines = body.split(b"\n")
    checked = 0
    for i, line in enumerate(lines):
        if checked == want:
            break
        last = i == len(lines) - 1
        if last and not complete:
            parts = line.split()
            if len(parts) < 3 or len(parts) - 1 > dims:  # a word and a whole number at least
                break
            numbers = parts[1:-1]
        else:
            if last and not line.strip():
                break
            fields = line.rsplit(None, dims)
            if len(fields) != dims + 1 or not fields[0].strip():
                return False
            numbers = fields[1:]
        try:
            for x in numbers:
                float(x)
        except ValueError:
            return False
        checked += 1
    return checked > 0


def _one_dim_glove(body: bytes, count: int, dims: int) -> bool:
    """A whole file whose first line reads as a header 'N D' but is rather GloVe with
    one-number vectors and a numeric first word ('0 0', '3 1\\nb 2'): every line is
    'word number' and, read as word2vec, the header would not match the rows."""
    lines = [line for line in body.split(b"\n") if line.strip()]
    if count == len(lines) and dims >= 1 and (dims == 1 or not lines):
        return False  # consistent word2vec text
    for line in lines:
        parts = line.split()
        if len(parts) != 2:
            return False
        try:
            float(parts[1])
        except ValueError:
            return False
    return True


def _binary_records_fit(body: bytes, count: int, dims: int, complete: bool) -> str:
    """How the records of ``body`` fit the binary layout: a word (no newline inside), a
    space, 4 * ``dims`` bytes, an optional newline, and so on.

    ``"exact"``: ``body`` is the whole file and holds exactly ``count`` such
    records; ``"partial"``: the first records fit as far as the bytes go;
    ``"no"``: they do not.
    """
    pos = 0
    n = count if complete else min(count, _SNIFF_RECORDS)
    for _ in range(n):
        if body[pos : pos + 1] == b"\n":  # the newline the C tool writes after a vector
            pos += 1
        if pos >= len(body):
            return "partial"
        space = body.find(b" ", pos)
        if space < 0:  # cut inside a word
            return "partial" if b"\n" not in body[pos:] else "no"
        if space == pos or b"\n" in body[pos:space]:
            return "no"
        pos = space + 1 + 4 * dims
        if pos > len(body):
            return "partial"
    if complete and body[pos:] in (b"", b"\n"):
        return "exact"
    return "partial"


def _is_texty(data: bytes) -> bool:
    """UTF-8 text without control bytes (tabs, CR and LF allowed); a character cut at the
    end of ``data`` is allowed."""
    if any(b in data for b in _CONTROL_BYTES):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


_CONTROL_BYTES = [bytes([b]) for b in (*range(0, 9), 11, 12, *range(14, 32), 127)]


def _classify(head: bytes, complete: bool = False) -> tuple[str | None, str]:
    """(format or None, human description) from the first bytes of a (decompressed) file.

    ``complete``: ``head`` is the whole file. Text against binary word2vec:
    text when the first records parse as text lines of the right length (so
    integer or all-zero values are text); else binary when a whole (small)
    file is exactly the records its header promises in the binary layout, or
    when the first records fit that layout and the bytes are not plain text;
    else whichever the bytes look like, so that the reader reports the damage
    precisely.
    """
    if not head:
        return None, "an empty file"
    if is_fasttext_bin(head):
        return "fasttext", "a fastText binary model"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "native", "a zip archive (wordvec native format)"
    if head[:6] == b"\x93NUMPY":
        return None, "a bare NumPy .npy array (no words); vectors need their words too"
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return None, (
            "a Python pickle (for example gensim's KeyedVectors.save() or a Word2Vec model); "
            "wordvec never loads pickles because they can run code. In gensim, export it with "
            "kv.save_word2vec_format('vectors.bin', binary=True) and load that"
        )
    if head[:4] == b"\x89HDF":
        return None, "an HDF5 file"
    line, sep, body = head.partition(b"\n")
    header = _parse_w2v_header(line)
    if header is not None:
        text = ("word2vec-text", "word2vec text (header 'WORDS DIMENSIONS')")
        binary = ("word2vec-binary", "word2vec binary")
        count, dims = header
        if complete and _one_dim_glove(body, count, dims):
            return "glove", "GloVe text (words and numbers, no header line)"
        if count <= 0 or dims < 1 or not body.strip():
            return text  # nothing to tell them apart; the reader checks the header
        if _text_records_parse(body, count, dims, complete):
            return text
        fit = _binary_records_fit(body, count, dims, complete)
        if fit == "exact" or (fit == "partial" and not _is_texty(body[:4096])):
            return binary
        return text if _is_texty(body[:4096]) else binary
    if _looks_like_glove(line) and (sep or len(head) < 65536):
        return "glove", "GloVe text (words and numbers, no header line)"
    if b"\x00" in head[:1024]:
        return None, "binary data of an unknown kind"
    shown = line[:60].decode("utf-8", "replace")
    return None, f"text that is not word vectors (first line: {shown!r})"


def detect_format(path: str | Path) -> str:
    """The format of a vector file judged from its first bytes (see module doc).

    Raises FormatError saying what the file looks like when it is no vector file.
    """
    path = Path(path)
    head, comp = _read_head(path)
    fmt, what = _classify(head[:_HEAD_BYTES], complete=len(head) <= _HEAD_BYTES)
    if fmt is None:
        raise FormatError(f"{path} is not a word-vector file: it looks like {what}")
    if fmt in ("native", "fasttext") and comp is not None:
        raise FormatError(f"{path}: a compressed {fmt} file; decompress it first")
    return fmt


def _describe(path: Path) -> str:
    try:
        head, _ = _read_head(path)
    except (FormatError, OSError):
        return "an unreadable file"
    return _classify(head[:_HEAD_BYTES], complete=len(head) <= _HEAD_BYTES)[1]


def normalize_format(name: str) -> str:
    """Canonical format name for ``name`` or an alias; ConfigError for unknown names."""
    key = name.strip().lower()
    if key not in _ALIASES:
        raise ConfigError(
            f"unknown vector format {name!r}: choose one of {', '.join(FORMATS)} "
            "(aliases: bin, txt, vec, wv)"
        )
    return _ALIASES[key]


def format_for_path(path: str | Path) -> str:
    """Format implied by a file name when saving (compression suffixes are skipped)."""
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSORS:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _EXTENSIONS:
        return _EXTENSIONS[suffixes[-1]]
    return "native"


# --------------------------------------------------------------------------- words <-> arrays
def encode_words(words: Sequence[str]) -> np.ndarray:
    """Words as one uint8 array (UTF-8, newline-separated), for the native format."""
    blob = "\n".join(words).encode("utf-8")
    if len(words) and blob.count(b"\n") != len(words) - 1:
        bad = next(w for w in words if "\n" in w)
        raise FormatError(f"word {bad!r} contains a newline and cannot be stored")
    return np.frombuffer(blob, dtype=np.uint8)


def decode_words(blob: np.ndarray, count: int) -> list[str]:
    """Inverse of :func:`encode_words`; ``count`` is the expected number of words."""
    if count == 0:
        return []
    try:
        words = np.asarray(blob, dtype=np.uint8).tobytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise FormatError(f"the stored words are not valid UTF-8 ({exc})") from exc
    if len(words) != count:
        raise FormatError(f"the file stores {len(words)} words for {count} vectors")
    return words


# --------------------------------------------------------------------------- word2vec / GloVe
def _check_text_words(words: Sequence[str], fmt: str) -> None:
    for i, w in enumerate(words):
        if not w or any(ch.isspace() for ch in w):
            raise FormatError(
                f"word #{i} {w!r} is empty or contains whitespace, which the {fmt} format "
                "cannot represent; save in the native format instead"
            )


def _check_word_bytes(words: Sequence[str]) -> None:
    """Refuse to write a binary file whose words its reader would refuse (longer than
    _MAX_WORD_BYTES), before anything is written."""
    if max(map(len, words), default=0) * 4 <= _MAX_WORD_BYTES:  # fast: 4 bytes per char at most
        return
    for i, w in enumerate(words):
        size = len(w.encode("utf-8"))
        if size > _MAX_WORD_BYTES:
            raise FormatError(
                f"word #{i} ({w[:20]!r}...) is {size} bytes long; word2vec binary readers "
                f"(wordvec's included) accept words of at most {_MAX_WORD_BYTES} bytes. "
                "Save in the native or word2vec text format instead"
            )


class _Rows:
    """A float32 row store that grows by doubling when the final count is unknown."""

    def __init__(self, dims: int, capacity: int) -> None:
        self.data = np.empty((max(1, capacity), dims), dtype=np.float32)
        self.n = 0

    def grow(self) -> None:
        bigger = np.empty((2 * self.data.shape[0], self.data.shape[1]), dtype=np.float32)
        bigger[: self.n] = self.data[: self.n]
        self.data = bigger

    def next_row(self) -> np.ndarray:
        if self.n == self.data.shape[0]:
            self.grow()
        self.n += 1
        return self.data[self.n - 1]

    def result(self) -> np.ndarray:
        if self.n == self.data.shape[0]:
            return self.data
        return self.data[: self.n].copy()


def _word_error(raw: bytes, path: Path, where: str, encoding: str,
                exc: UnicodeDecodeError) -> FormatError:
    return FormatError(
        f"{path}: {where}: the word {raw[:40]!r} is not valid {encoding} ({exc.reason}); "
        "pass unicode_errors='replace' (or 'ignore') to load it anyway"
    )


def _drop_duplicates(
    words: list[str], vectors: np.ndarray, path: Path
) -> tuple[list[str], np.ndarray]:
    """Keep the first vector of a repeated word, as gensim does (checked once, at the end)."""
    if len(set(words)) == len(words):
        return words, vectors
    seen: set[str] = set()
    keep = []
    for i, w in enumerate(words):
        if w in seen:
            logger.warning("%s: duplicate word %r; keeping only its first vector", path, w)
        else:
            seen.add(w)
            keep.append(i)
    return [words[i] for i in keep], np.ascontiguousarray(vectors[keep])


def _read_header(f: IO[bytes], path: Path) -> tuple[int, int, int]:
    line = f.readline(4096)
    header = _parse_w2v_header(line)
    if header is None:
        shown = line[:60].decode("utf-8", "replace")
        raise FormatError(
            f"{path}: line 1 should be the word2vec header 'WORDS DIMENSIONS', "
            f"found {shown!r}; the file looks like {_describe(path)}"
        )
    count, dims = header
    if count < 0 or dims < 1:
        raise FormatError(
            f"{path}: bad header on line 1: {line.strip().decode('ascii', 'replace')!r} "
            f"says {count} words of {dims} dimensions; the word count must be 0 or more "
            "and the dimensions 1 or more"
        )
    return count, dims, len(line)


def _check_nothing_follows(rest: bytes, path: Path, count: int, binary: bool) -> None:
    """``rest``: the first bytes after the last record the header promised. Refuse data
    after a header claiming 0 words (the count is surely wrong), warn after other counts."""
    if binary and rest[:1] == b"\n":
        rest = rest[1:]  # the newline the C tool writes after the last vector
    if not rest.strip():
        return
    if count == 0:
        raise FormatError(
            f"{path}: the header says the file holds 0 words, but data follows it; "
            "fix the word count on line 1 (or remove the rows)"
        )
    logger.warning("%s: more data follows the %d words the header promises; it is ignored "
                   "(fix the word count on line 1 to read it)", path, count)


def _check_size(
    path: Path, compressed: bool, header_len: int, count: int, want: int, min_record: int
) -> None:
    """Refuse a header that promises more records than the file can physically hold."""
    if compressed:
        return
    available = path.stat().st_size - header_len
    need = want * min_record - 1
    if want and need > available:
        raise FormatError(
            f"{path}: the header promises {count} words, and reading {want} of them needs at "
            f"least {need} bytes, but only {available} bytes follow the header: the file is "
            "truncated or its header is wrong"
        )
    if count * min_record - 1 > available:
        logger.warning(
            "%s: the file is shorter than its header claims (%d words); reading the first %d",
            path, count, want,
        )


def read_word2vec(
    path: str | Path,
    binary: bool | None = None,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> WordVectors:
    """Read the word2vec C format (``binary=None``: decided from the content).

    ``limit`` reads only the first N words. Compressed files (.gz, .bz2, .xz)
    are read transparently. Repeated words keep their first vector.
    """
    path = Path(path)
    fmt = detect_format(path)
    if binary is None:
        if fmt not in ("word2vec-binary", "word2vec-text"):
            raise FormatError(f"{path} is not in word2vec format: it looks like {_describe(path)}")
        binary = fmt == "word2vec-binary"
    elif fmt in ("word2vec-binary", "word2vec-text") and binary != (fmt == "word2vec-binary"):
        # reading text as binary (or back) would not fail, it would return garbage
        asked = "word2vec-binary" if binary else "word2vec-text"
        raise FormatError(
            f"{path} was to be read as {asked}, but it is {fmt}; "
            f"load it with format={fmt!r} or without format="
        )
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, got {limit}")
    f, compressed = _open_read(path)
    try:
        with f:
            count, dims, header_len = _read_header(f, path)
            want = count if limit is None else min(count, limit)
            min_record = 4 * dims + 2 if binary else 2 * dims + 2
            _check_size(path, compressed, header_len, count, want, min_record)
            capacity = want if not compressed else min(want, 1 << 16)
            if binary:
                words, vecs, rest = _read_w2v_binary(f, path, want, dims, capacity, encoding,
                                                     unicode_errors, header_len)
            else:
                words, vecs = _read_w2v_text(f, path, want, dims, capacity, encoding,
                                             unicode_errors)
                rest = b""
            if want == count:
                _check_nothing_follows(rest[:4096] + f.read(max(0, 4096 - len(rest))), path,
                                       count, binary)
    except (EOFError, lzma.LZMAError, zlib.error, gzip.BadGzipFile) as exc:
        raise FormatError(f"{path}: the compressed data is damaged or cut short ({exc})") from exc
    logger.info("read %d x %d vectors from %s", len(words), dims, path)
    return WordVectors(words, vecs)


def _read_w2v_binary(
    f: IO[bytes], path: Path, want: int, dims: int, capacity: int,
    encoding: str, errors: str, header_len: int,
) -> tuple[list[str], np.ndarray]:
    # Hot loop: per word one find(), one decode and one byte-slice copy straight
    # into the output array (no per-row NumPy calls).
    record = 4 * dims
    rows = _Rows(dims, capacity)
    out = memoryview(rows.data).cast("B")
    words: list[str] = []
    buf = b""
    view = memoryview(buf)
    pos = 0
    consumed = header_len  # file offset of buf[0], for error messages
    eof = False
    done = 0
    while done < want:
        space = buf.find(b" ", pos, pos + _MAX_WORD_BYTES)
        if space < 0 or len(buf) - space - 1 < record:
            if space < 0 and len(buf) - pos >= _MAX_WORD_BYTES:
                raise FormatError(
                    f"{path}: no word separator within {_MAX_WORD_BYTES} bytes at byte "
                    f"{consumed + pos} (word {done + 1}): not a word2vec binary file, or corrupt"
                )
            if eof:
                raise FormatError(
                    f"{path}: truncated: the header promises {counted(want, 'word')} of "
                    f"{counted(dims, 'dimension')} "
                    f"but the file ends inside word {done + 1} (byte {consumed + len(buf)})"
                )
            more = f.read(max(_READ_CHUNK, 2 * (record + 64)))
            if not more:
                eof = True
            consumed += pos
            view.release()
            buf = buf[pos:] + more
            view = memoryview(buf)
            pos = 0
            continue
        raw = buf[pos:space]
        try:
            word = raw.decode(encoding, errors)
        except UnicodeDecodeError as exc:
            raise _word_error(raw, path, f"word {done + 1} (byte {consumed + pos})", encoding,
                              exc) from exc
        if word[:1] == "\n":  # the newline the C tool writes after each vector
            word = word.lstrip("\n")
        if done == rows.data.shape[0]:
            out.release()
            rows.n = done
            rows.grow()
            out = memoryview(rows.data).cast("B")
        start = space + 1
        out[done * record : (done + 1) * record] = view[start : start + record]
        words.append(word)
        pos = start + record
        done += 1
    out.release()
    view.release()
    rows.n = done
    vectors = rows.result()
    if sys.byteorder != "little":
        vectors.byteswap(inplace=True)
    return (*_drop_duplicates(words, vectors, path), buf[pos:])


def _parse_text_line(
    line: bytes, lineno: int, dims: int, path: Path, encoding: str, errors: str, glove: bool
) -> tuple[str, np.ndarray]:
    try:
        text = line.decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{path}: line {lineno}: not valid {encoding} ({exc.reason}); "
            "pass unicode_errors='replace' (or 'ignore') to load it anyway"
        ) from exc
    parts = text.rstrip().split(" ")
    if len(parts) != dims + 1:
        parts = text.split()
        extra = len(parts) - dims
        if glove and extra > 1 and not any(_is_float(p) for p in parts[1:extra]):
            # GloVe files hold a few words with spaces (". . ."): rejoin them
            parts = [" ".join(parts[:extra])] + parts[extra:]
    if len(parts) != dims + 1:
        raise FormatError(
            f"{path}: line {lineno}: expected a word and {counted(dims, 'number')}, "
            f"found {counted(len(parts), 'field')}"
        )
    try:
        vec = np.array(parts[1:], dtype=np.float32)
    except ValueError:
        bad = next(p for p in parts[1:] if not _is_float(p))
        raise FormatError(f"{path}: line {lineno}: {bad[:40]!r} is not a number") from None
    return parts[0], vec


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _read_w2v_text(
    f: IO[bytes], path: Path, want: int, dims: int, capacity: int, encoding: str, errors: str
) -> tuple[list[str], np.ndarray]:
    rows = _Rows(dims, capacity)
    words: list[str] = []
    for i in range(want):
        line = f.readline()
        lineno = i + 2
        if not line:
            raise FormatError(
                f"{path}: truncated: the header promises {want} words but the file ends "
                f"after {i} (line {lineno} is missing)"
            )
        word, vec = _parse_text_line(line, lineno, dims, path, encoding, errors, glove=False)
        rows.next_row()[:] = vec
        words.append(word)
    return _drop_duplicates(words, rows.result(), path)


def read_glove(
    path: str | Path,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> WordVectors:
    """Read GloVe's text format (no header; dimensions taken from the first line)."""
    path = Path(path)
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, got {limit}")
    fmt = detect_format(path)
    if fmt != "glove":
        raise FormatError(f"{path} is not GloVe text: it looks like {_describe(path)}")
    f, _ = _open_read(path)
    words: list[str] = []
    rows: _Rows | None = None
    dims = 0
    try:
        with f:
            for lineno, line in enumerate(f, start=1):
                if limit is not None and len(words) >= limit:
                    break
                if not line.strip():
                    continue
                if rows is None:
                    dims = len(line.split()) - 1
                    if dims < 1 or not _looks_like_glove(line):
                        raise FormatError(
                            f"{path}: line {lineno} is not 'word number number ...': "
                            f"the file looks like {_describe(path)}"
                        )
                    rows = _Rows(dims, 1 << 16)
                word, vec = _parse_text_line(line, lineno, dims, path, encoding, unicode_errors,
                                             glove=True)
                rows.next_row()[:] = vec
                words.append(word)
    except (EOFError, lzma.LZMAError, zlib.error, gzip.BadGzipFile) as exc:
        raise FormatError(f"{path}: the compressed data is damaged or cut short ({exc})") from exc
    if rows is None:
        raise FormatError(f"{path} holds no vectors")
    words, vectors = _drop_duplicates(words, rows.result(), path)
    logger.info("read %d x %d GloVe vectors from %s", len(words), dims, path)
    return WordVectors(words, vectors)


def _format_rows(vecs: np.ndarray, precision: int | None) -> Iterator[str]:
    if precision is None:
        for row in vecs:
            yield " ".join(map(str, row))
    else:
        if precision < 1:
            raise ConfigError(f"precision must be >= 1 significant digit, got {precision}")
        fmt = " ".join([f"%.{int(precision)}g"] * vecs.shape[1])
        for row in vecs.tolist():
            yield fmt % tuple(row)


def _write_text(wv: WordVectors, path: Path, header: bool, precision: int | None) -> Path:
    with _writer(path) as f:
        if header:
            f.write(f"{len(wv)} {wv.vector_size}\n".encode())
        batch: list[str] = []
        for word, numbers in zip(wv.index_to_key, _format_rows(wv.vectors, precision),
                                 strict=True):
            batch.append(f"{word} {numbers}\n")
            if len(batch) >= 4096:
                f.write("".join(batch).encode("utf-8"))
                batch.clear()
        f.write("".join(batch).encode("utf-8"))
    return path


def write_word2vec(
    wv: WordVectors, path: str | Path, binary: bool = True, precision: int | None = None
) -> Path:
    """Write the word2vec C format, binary (as the C tool does) or text.

    Text numbers are exact (shortest round-trip form, as gensim writes them)
    unless ``precision`` asks for that many significant digits.
    """
    path = Path(path)
    fmt = "word2vec-binary" if binary else "word2vec-text"
    _check_text_words(wv.index_to_key, fmt)
    if binary:
        _check_word_bytes(wv.index_to_key)
    if not binary:
        return _write_text(wv, path, header=True, precision=precision)
    vecs = wv.vectors.astype("<f4", copy=False)
    with _writer(path) as f:
        f.write(f"{len(wv)} {wv.vector_size}\n".encode())
        batch: list[bytes] = []
        for i, word in enumerate(wv.index_to_key):
            batch.append(word.encode("utf-8") + b" " + vecs[i].tobytes() + b"\n")
            if len(batch) >= 4096:
                f.write(b"".join(batch))
                batch.clear()
        f.write(b"".join(batch))
    return path


def write_glove(wv: WordVectors, path: str | Path, precision: int | None = None) -> Path:
    """Write GloVe's text format (word2vec text without the header line)."""
    path = Path(path)
    _check_text_words(wv.index_to_key, "GloVe")
    return _write_text(wv, path, header=False, precision=precision)


# --------------------------------------------------------------------------- native format
def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, np.ndarray) and obj.size <= 10000:
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot store {type(obj).__name__} in the JSON header")


def _npy_header(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    data = np.lib.format.header_data_from_array_1_0(arr)
    try:
        np.lib.format.write_array_header_1_0(buf, data)
    except ValueError:
        buf = io.BytesIO()
        np.lib.format.write_array_header_2_0(buf, data)
    return buf.getvalue()


def _write_member(zf: zipfile.ZipFile, raw: IO[bytes], name: str, payload: Sequence[Any]) -> None:
    """Store ``payload`` (bytes-like pieces) uncompressed, its data 64-byte aligned in the file."""
    size = sum(memoryview(p).nbytes for p in payload)
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = size
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
    start = raw.tell() + 30 + len(name.encode("utf-8")) + 4 + (20 if zip64 else 0)
    pad = (-start) % _ALIGN
    info.extra = struct.pack("<HH", _PAD_EXTRA_ID, pad) + b"\0" * pad
    with zf.open(info, "w", force_zip64=zip64) as out:
        for piece in payload:
            if memoryview(piece).nbytes:
                out.write(piece)


def save_state(
    path: str | Path,
    arrays: Mapping[str, np.ndarray],
    meta: Mapping[str, Any] | None = None,
    kind: str = "state",
) -> Path:
    """Save named arrays plus JSON metadata in the native format (atomically).

    Layout: an uncompressed zip archive (so ``np.load(path)`` and ``unzip``
    can read it too) holding

    * ``wordvec.json``: ``{"format": "wordvec", "version": 1, "kind": kind,
      "arrays": {name: {"dtype": "<f4", "shape": [..]}}, "meta": meta}``
    * ``<name>.npy`` for each array: a standard .npy file whose data starts
      on a 64-byte boundary of the archive, so it can be memory-mapped.

    Array names are letters, digits, ``_ . -``; dtypes must be numeric, bool
    or fixed-width strings (never Python objects); ``meta`` must be JSON
    (NumPy scalars are converted).
    """
    path = Path(path)
    if path.suffix.lower() in _COMPRESSORS:
        raise ConfigError(f"{path}: native files are not compressed (they are memory-mapped)")
    specs: dict[str, dict[str, Any]] = {}
    prepared: dict[str, np.ndarray] = {}
    for name, arr in arrays.items():
        if not _NAME_RE.match(name) or name == "wordvec":
            raise ConfigError(f"array name {name!r} is not allowed (letters, digits, _ . -)")
        a = np.asarray(arr)
        if not a.flags.c_contiguous:  # (np.ascontiguousarray would turn 0-d into 1-d)
            a = a.copy(order="C")
        if a.dtype.kind not in _SAFE_KINDS or a.dtype.hasobject:
            raise ConfigError(
                f"array {name!r} has dtype {a.dtype}, which cannot be stored safely; "
                "use numeric, bool or fixed-width string arrays"
            )
        prepared[name] = a
        specs[name] = {"dtype": a.dtype.str, "shape": list(a.shape)}
    header = {
        "format": _FORMAT_TAG,
        "version": _FORMAT_VERSION,
        "kind": kind,
        "arrays": specs,
        "meta": dict(meta or {}),
    }
    header_bytes = json.dumps(header, default=_json_default, ensure_ascii=False,
                              indent=1).encode("utf-8")
    with atomic_write(path, "wb") as raw:
        with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            _write_member(zf, raw, _HEADER_MEMBER, [header_bytes])
            for name, a in prepared.items():
                body = a.reshape(-1).view(np.uint8) if a.size else b""
                _write_member(zf, raw, f"{name}.npy", [_npy_header(a), body])
    logger.debug("saved %d arrays to %s", len(prepared), path)
    return path


def _read_npy_header(fp: IO[bytes], where: str) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    start = fp.tell()
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, OSError, SyntaxError) as exc:
        raise FormatError(f"{where}: not a valid .npy array ({exc})") from exc
    if dtype.hasobject or dtype.kind not in _SAFE_KINDS:
        raise FormatError(
            f"{where} holds Python objects (dtype {dtype}), which would have to be unpickled; "
            "wordvec never loads pickled data. Refusing to read it."
        )
    return shape, fortran, dtype, fp.tell() - start


_ZIP_METHODS = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
                zipfile.ZIP_LZMA: "lzma"}


def _check_stored(path: Path, info: zipfile.ZipInfo) -> None:
    """Refuse a member that is not stored as is, before any of it is inflated.

    wordvec writes every member uncompressed (so arrays can be memory-mapped,
    and a file costs what it weighs): a compressed member can only come from
    another tool, and inflating it would let a few megabytes on disk claim
    gigabytes of memory.
    """
    if info.compress_type != zipfile.ZIP_STORED:
        method = _ZIP_METHODS.get(info.compress_type, f"method {info.compress_type}")
        raise FormatError(
            f"{path}: member {info.filename} is compressed ({method}); wordvec reads only "
            "uncompressed native files (re-store it with 'zip -0', or save it again with wordvec)"
        )
    if info.compress_size != info.file_size:
        raise FormatError(
            f"{path}: member {info.filename} is damaged (stored size {info.compress_size} "
            f"differs from its size {info.file_size})"
        )


def _read_member(
    raw: IO[bytes], path: Path, info: zipfile.ZipInfo, mmap: bool
) -> np.ndarray:
    where = f"{path}: {info.filename}"
    _check_stored(path, info)
    file_size = os.fstat(raw.fileno()).st_size
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise FormatError(f"{where}: damaged archive (bad local header)")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    data_start = info.header_offset + 30 + name_len + extra_len
    # the array's bytes lie inside the file: nothing larger than the file is allocated
    if data_start + info.compress_size > file_size:
        raise FormatError(f"{where}: truncated: the archive ends before this array does")
    raw.seek(data_start)
    shape, fortran, dtype, hlen = _read_npy_header(raw, where)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if hlen + nbytes != info.file_size:
        raise FormatError(f"{where}: array header does not match the stored size; corrupt")
    order = "F" if fortran else "C"
    if mmap and nbytes:
        return np.memmap(path, dtype=dtype, mode="r", offset=data_start + hlen, shape=shape,
                         order=order)
    arr = np.empty(shape, dtype=dtype, order=order)
    if nbytes:
        view = arr.reshape(-1, order="A").view(np.uint8)
        raw.seek(data_start)
        head = raw.read(hlen)
        got = raw.readinto(memoryview(view))
        if got != nbytes:
            raise FormatError(f"{where}: truncated ({got} of {nbytes} bytes)")
        crc = zlib.crc32(view, zlib.crc32(head))
        if crc != info.CRC:
            raise FormatError(f"{where}: checksum mismatch; the file is corrupt")
    return arr


def load_state(path: str | Path, mmap: bool = False) -> tuple[dict[str, np.ndarray], dict]:
    """Load ``(arrays, meta)`` saved by :func:`save_state`.

    With ``mmap=True`` arrays are read-only memory maps (instant, even for
    huge files). Nothing is ever unpickled: an array of Python objects is
    refused with FormatError before any of its data is read. Members must be
    stored uncompressed, as wordvec writes them: a compressed member is
    refused before it is inflated, so no array takes more memory than the
    file's size.
    """
    path = Path(path)
    _check_readable(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        what = _describe(path)
        if what.startswith("a zip archive"):
            raise FormatError(f"{path}: damaged or truncated archive ({exc})") from exc
        raise FormatError(f"{path} is not a wordvec native file: it looks like {what}") from exc
    with zf, open(path, "rb") as raw:
        try:
            hinfo = zf.getinfo(_HEADER_MEMBER)
        except KeyError:
            raise FormatError(
                f"{path} is a zip archive without {_HEADER_MEMBER}: not written by wordvec"
            ) from None
        _check_stored(path, hinfo)
        if hinfo.file_size > _MAX_HEADER_BYTES:
            raise FormatError(f"{path}: {_HEADER_MEMBER} is implausibly large")
        try:
            header = json.loads(zf.read(hinfo).decode("utf-8"))
        except (ValueError, zipfile.BadZipFile, zlib.error) as exc:
            raise FormatError(f"{path}: unreadable {_HEADER_MEMBER} ({exc})") from exc
        if not isinstance(header, dict) or header.get("format") != _FORMAT_TAG:
            raise FormatError(f"{path}: {_HEADER_MEMBER} does not describe a wordvec file")
        version = header.get("version")
        if not isinstance(version, int) or version > _FORMAT_VERSION:
            raise FormatError(
                f"{path} was written by a newer wordvec (format version {version}); "
                "upgrade wordvec to read it"
            )
        specs = header.get("arrays")
        if not isinstance(specs, dict):
            raise FormatError(f"{path}: {_HEADER_MEMBER} lists no arrays")
        arrays: dict[str, np.ndarray] = {}
        for name, spec in specs.items():
            try:
                info = zf.getinfo(f"{name}.npy")
            except KeyError:
                raise FormatError(f"{path}: array {name!r} is listed but missing") from None
            arr = _read_member(raw, path, info, mmap)
            if isinstance(spec, dict) and (
                list(arr.shape) != spec.get("shape") or arr.dtype.str != spec.get("dtype")
            ):
                raise FormatError(f"{path}: array {name!r} does not match its description")
            arrays[name] = arr
    meta = header.get("meta") or {}
    meta = dict(meta) if isinstance(meta, dict) else {}
    meta.setdefault("kind", header.get("kind"))
    return arrays, meta


def save_native(wv: WordVectors, path: str | Path, meta: Mapping[str, Any] | None = None) -> Path:
    """Save word vectors in the native format (arrays ``words``, ``vectors``, ``counts``).

    ``meta`` (JSON) is stored alongside, merged over ``wv.meta``.
    """
    arrays: dict[str, np.ndarray] = {
        "words": encode_words(wv.index_to_key),
        "vectors": wv.vectors,
    }
    if wv.counts is not None:
        arrays["counts"] = np.asarray(wv.counts, dtype=np.int64)
    info = {k: v for k, v in getattr(wv, "meta", {}).items() if k != "kind"}
    info.update(meta or {})
    if isinstance(wv, FastTextVectors):  # the n-gram matrix too, so unseen words work
        arrays["vectors_ngrams"] = wv.vectors_ngrams
        if wv.vectors_vocab is not None:
            arrays["vectors_vocab"] = wv.vectors_vocab
        if wv.model.get("output") is not None:
            arrays["output"] = wv.model["output"]
        info["subwords"] = {"min_n": wv.min_n, "max_n": wv.max_n,
                            **{k: v for k, v in wv.model.items() if k != "output"}}
    info.update({"vocab_size": len(wv), "vector_size": wv.vector_size})
    return save_state(path, arrays, info, kind="word-vectors")


def _vector_arrays(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]
                   ) -> tuple[np.ndarray, np.ndarray]:
    if "words" not in arrays or "vectors" not in arrays:
        raise FormatError(
            f"{path} is a wordvec file of kind {meta.get('kind')!r} without word vectors "
            f"(it holds {', '.join(sorted(arrays)) or 'no arrays'})"
        )
    vectors = arrays["vectors"]
    if vectors.ndim != 2:
        raise FormatError(f"{path}: 'vectors' has shape {vectors.shape}, expected 2-D")
    return arrays["words"], vectors


def _vectors_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if k not in ("vocab_size", "vector_size", "kind")}


def describe_native(path: str | Path, n_words: int = 10
                    ) -> tuple[int, int, list[str], dict[str, Any]]:
    """``(words, dimensions, first n_words words, meta)`` of a native vector file.

    Reads the JSON header and the arrays' .npy headers, maps the arrays
    without reading them, and decodes only the first words (then counts the
    newlines of the mapped word list): cheap for a file of any size, which
    is what ``wordvec info`` shows. The layout gets :func:`load_native`'s
    checks; the vectors' checksum does not (their data is not read).
    ``meta`` is what :func:`load_native` puts in ``WordVectors.meta``.
    """
    path = Path(path)
    arrays, meta = load_state(path, mmap=True)
    blob, vectors = _vector_arrays(path, arrays, meta)
    count, dims = (int(n) for n in vectors.shape)
    blob = blob.reshape(-1)
    want = min(n_words, count)
    end = 0
    step = 4096
    while want:  # grow the window until it holds the first `want` words
        end = min(blob.size, max(step, end * 2))
        cuts = np.flatnonzero(blob[:end] == 10)
        if cuts.size >= want or end == blob.size:
            break
    stop = int(cuts[want - 1]) if want and cuts.size >= want else blob.size
    try:
        head = bytes(blob[:stop]).decode("utf-8").split("\n")[:want] if want else []
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}: the stored words are not valid UTF-8 ({exc})") from exc
    # one word per vector (load_native's check), counted in slices of the mapped bytes
    stored = 0
    if count:
        stored = 1 + sum(int(np.count_nonzero(blob[i:i + _READ_CHUNK] == 10))
                         for i in range(0, blob.size, _READ_CHUNK))
    if stored != count:
        raise FormatError(f"{path}: the file stores {stored} words for {count} vectors")
    counts = arrays.get("counts")
    if counts is not None and counts.shape != (count,):
        raise FormatError(f"{path}: 'counts' has shape {counts.shape}, expected ({count},)")
    return count, dims, head, _vectors_meta(meta)


def load_native(path: str | Path, mmap: bool = False, limit: int | None = None) -> WordVectors:
    """Load word vectors from any native file holding ``words`` and ``vectors`` arrays.

    That includes training checkpoints saved by :func:`save_state` with those
    two arrays. ``mmap=True`` maps the vectors read-only instead of reading them.
    """
    path = Path(path)
    arrays, meta = load_state(path, mmap=mmap)
    blob, vectors = _vector_arrays(path, arrays, meta)
    words = decode_words(blob, vectors.shape[0])
    counts = arrays.get("counts")
    if counts is not None and counts.shape != (len(words),):
        raise FormatError(f"{path}: 'counts' has shape {counts.shape}, expected ({len(words)},)")
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
        counts = counts[:limit] if counts is not None else None
    if vectors.dtype != np.float32:
        vectors = vectors.astype(np.float32)
    try:
        if "vectors_ngrams" in arrays and isinstance(meta.get("subwords"), dict):
            sub = dict(meta["subwords"])
            if "output" in arrays:
                sub["output"] = np.asarray(arrays["output"], np.float32)
            vocab_rows = arrays.get("vectors_vocab")
            wv = FastTextVectors(
                words, vectors, counts, vectors_ngrams=arrays["vectors_ngrams"],
                min_n=int(sub.pop("min_n")), max_n=int(sub.pop("max_n")),
                vectors_vocab=None if vocab_rows is None or limit is not None else vocab_rows,
                model=sub)
        else:
            wv = WordVectors(words, vectors, counts)
    except (ValueError, KeyError, TypeError) as exc:
        raise FormatError(f"{path}: inconsistent contents ({exc})") from exc
    wv.meta = {k: v for k, v in _vectors_meta(meta).items() if k != "subwords"}
    return wv


# --------------------------------------------------------------------------- fastText .bin
_FT_LOSS = {"hs": 1, "ns": 2}
_FT_MODEL = {"cbow": 1, "sg": 2}


def load_fasttext(path: str | Path, limit: int | None = None) -> FastTextVectors:
    """Load a Facebook fastText ``.bin`` as :class:`FastTextVectors` (the whole model).

    Known words' vectors are the mean of their own row and their n-grams' rows,
    as fastText's ``get_word_vector`` and gensim's ``load_facebook_model`` give
    them; ``limit`` keeps the first N words (their n-grams all stay).
    """
    path = Path(path)
    m = read_fasttext_bin(path)
    a = m.args
    v = m.nwords
    minn, maxn = a["minn"], a["maxn"]
    bucket = a["bucket"] if maxn > 0 else 0
    indptr, rows = input_rows(m.words, minn, maxn, bucket)
    vectors = compose(m.input, indptr, rows)
    model = {"output": m.output, "loss": FT_LOSSES[a["loss"]],
             "model": FT_MODELS[a["model"]], "window": a["ws"], "epochs": a["epoch"],
             "min_count": a["min_count"], "negative": a["neg"], "sample": a["t"],
             "ntokens": m.ntokens}
    words, counts, vocab_rows = m.words, m.counts, m.input[:v]
    if limit is not None:
        words, counts, vectors, vocab_rows = words[:limit], counts[:limit], vectors[:limit], None
    try:
        wv = FastTextVectors(words, vectors, counts, vectors_ngrams=m.input[v:],
                             min_n=max(minn, 1), max_n=maxn, vectors_vocab=vocab_rows,
                             model=model)
    except (ValueError, KeyError) as exc:
        raise FormatError(f"{path}: inconsistent contents ({exc})") from exc
    wv.meta = {"method": "fasttext", "source_format": "fasttext", "min_n": minn, "max_n": maxn,
               "bucket": bucket}
    return wv


def write_fasttext(wv: WordVectors, path: str | Path) -> Path:
    """Write subword vectors as a Facebook fastText ``.bin`` (atomic).

    The file holds the settings, the dictionary and both matrices; without an
    output matrix (vectors that came without one) a zero matrix is written, so
    the file loads everywhere but training it further starts the output afresh.
    """
    path = Path(path)
    if not isinstance(wv, FastTextVectors) or wv.vectors_vocab is None:
        raise ConfigError(
            "the fastText .bin format holds a subword model (word rows and n-gram rows); "
            "these are plain word vectors: save them as word2vec-binary, word2vec-text or native")
    args = wv.model
    v, d = len(wv), wv.vector_size
    loss = args.get("loss", "ns")
    output = args.get("output")
    if output is None:
        output = np.zeros((v, d), np.float32)
    elif len(output) < v:  # hierarchical softmax keeps V - 1 inner nodes; fastText has V rows
        output = np.vstack([output, np.zeros((v - len(output), d), np.float32)])
    counts = wv.counts if wv.counts is not None else np.ones(v, np.int64)
    fb_args = {"dim": d, "ws": int(args.get("window", 5)), "epoch": int(args.get("epochs", 5)),
               "min_count": int(args.get("min_count", 1)), "neg": int(args.get("negative", 5)),
               "word_ngrams": 1, "loss": _FT_LOSS.get(loss, 2),
               "model": _FT_MODEL.get(args.get("model", "sg"), 2), "bucket": wv.bucket,
               "minn": wv.min_n, "maxn": wv.max_n, "lr_update_rate": 100,
               "t": float(args.get("sample", 1e-4))}
    matrix = np.concatenate([np.asarray(wv.vectors_vocab, np.float32), wv.vectors_ngrams])
    m = FacebookModel(args=fb_args, words=list(wv.index_to_key),
                      counts=np.asarray(counts, np.int64), input=matrix,
                      output=output, ntokens=int(args.get("ntokens", 0)))
    with atomic_write(path) as f:
        write_fasttext_bin(f, m)
    return path


# --------------------------------------------------------------------------- front door
def save_vectors(
    wv: WordVectors,
    path: str | Path,
    format: str | None = None,
    precision: int | None = None,
) -> Path:
    """Save ``wv`` to ``path``; the format comes from ``format=`` or the extension.

    ``.bin`` word2vec binary, ``.txt``/``.vec`` word2vec text (optionally
    followed by ``.gz``/``.bz2``/``.xz``), anything else native; GloVe only
    with ``format="glove"``. ``precision`` (significant digits) applies to
    text formats. The write is atomic.
    """
    path = Path(path)
    fmt = normalize_format(format) if format else format_for_path(path)
    if (not format and fmt == "word2vec-binary" and isinstance(wv, FastTextVectors)
            and wv.vectors_vocab is not None and not path.name.endswith(tuple(_COMPRESSORS))):
        fmt = "fasttext"  # a subword model's .bin is fastText's, so unseen words survive
    if fmt == "fasttext":
        return write_fasttext(wv, path)
    if fmt == "native":
        return save_native(wv, path)
    if fmt == "glove":
        return write_glove(wv, path, precision=precision)
    return write_word2vec(wv, path, binary=fmt == "word2vec-binary", precision=precision)


def nonfinite_rows(vectors: np.ndarray) -> tuple[int, int]:
    """(number of rows holding NaN or an infinity, index of the first such row or -1).

    One vectorised pass over blocks of rows (about 16 MiB each), so memory-mapped
    matrices are checked without being read into memory at once.
    """
    n = vectors.shape[0]
    step = max(1, (16 << 20) // max(1, vectors.itemsize * int(np.prod(vectors.shape[1:]))))
    bad = 0
    first = -1
    for start in range(0, n, step):
        block = np.asarray(vectors[start : start + step])
        # a float64 sum of float32 values cannot overflow: it is finite exactly when
        # every value of the row is
        ok = np.isfinite(block.sum(axis=1, dtype=np.float64))
        if not ok.all():
            rows = np.flatnonzero(~ok)
            if first < 0:
                first = start + int(rows[0])
            bad += len(rows)
    return bad, first


def _check_finite(wv: WordVectors, path: Path, allow: bool) -> None:
    bad, first = nonfinite_rows(wv.vectors)
    if not bad:
        return
    what = (f"{bad} of {len(wv)} vectors hold NaN or infinite values (the first: "
            f"word {wv.index_to_key[first]!r}, row {first + 1})")
    if not allow:
        raise FormatError(
            f"{path}: {what}; such vectors rank first or break every similarity. Load it "
            "anyway with allow_nonfinite=True (CLI: --allow-nonfinite)"
        )
    logger.warning("%s: %s; loaded anyway (allow_nonfinite)", path, what)


def load_vectors(
    path: str | Path,
    format: str | None = None,
    limit: int | None = None,
    mmap: bool = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
) -> WordVectors:
    """Load word vectors from any supported format (detected from content unless ``format=``).

    ``limit`` keeps the first N words (read no further for the text and
    binary formats). ``mmap=True`` memory-maps native files (ignored for the
    other formats, which must be parsed). A file with NaN or infinite values
    is refused (FormatError naming the first such word and row) unless
    ``allow_nonfinite=True``. Example::

        wv = load_vectors("GoogleNews-vectors-negative300.bin.gz", limit=200_000)
    """
    path = Path(path)
    wv = _load_any(path, format, limit, mmap, encoding, unicode_errors)
    _check_finite(wv, path, allow_nonfinite)
    return wv


def _load_any(path: Path, format: str | None, limit: int | None, mmap: bool, encoding: str,
              unicode_errors: str) -> WordVectors:
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, got {limit}")
    fmt = normalize_format(format) if format else detect_format(path)
    try:
        if fmt == "native":
            return load_native(path, mmap=mmap, limit=limit)
        if fmt == "fasttext":
            return load_fasttext(path, limit=limit)
        if fmt == "glove":
            return read_glove(path, limit=limit, encoding=encoding, unicode_errors=unicode_errors)
        return read_word2vec(path, binary=fmt == "word2vec-binary", limit=limit,
                             encoding=encoding, unicode_errors=unicode_errors)
    except FormatError as exc:
        if format is None:
            raise
        try:
            actual = detect_format(path)
        except FormatError:
            raise exc from None
        if actual != fmt:
            raise FormatError(
                f"{exc} (the file looks like {actual}: load it with format={actual!r} "
                "or without format=)"
            ) from exc
        raise
