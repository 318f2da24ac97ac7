"""The word2vec C formats (text and binary) and GloVe text, on plain parts.

Readers return ``(words, vectors)``: a list of str and a C-contiguous float32
matrix, repeated words keeping their first vector (as gensim does); writers
take the same parts. Neither knows :class:`~wordvec.vectors.keyed.WordVectors`
(:mod:`wordvec.vectors.formats` builds it). The formats:

word2vec binary
    The C tool's ``-binary 1`` output: a text header ``"<words> <dims>\\n"``,
    then per word its UTF-8 bytes, a space, ``dims`` little-endian float32
    and a newline (the C tool writes the newline; gensim omits it; both read
    either). Written like the C tool.
word2vec text
    The same header, then one line per word: the word and its numbers,
    separated by single spaces. Numbers are written in the shortest form that
    reads back to the identical float32 (byte-identical to gensim's
    ``save_word2vec_format``), or with ``precision`` significant digits.
GloVe
    Like word2vec text without the header line.

Compressed files (.gz, .bz2, .xz) are read and written transparently (see
:mod:`wordvec.vectors.files`). Broken input raises
:class:`~wordvec.errors.FormatError` naming the file and the line or byte
where it went wrong; a header that promises more data than the file holds is
refused before any memory is allocated.
"""

from __future__ import annotations

import gzip
import logging
import lzma
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from wordvec.errors import ConfigError, FormatError
from wordvec.vectors.files import (
    describe_file,
    detect_format,
    looks_like_glove,
    open_read,
    open_write,
    parse_w2v_header,
)
from wordvec.wording import counted

logger = logging.getLogger("wordvec")

__all__ = [
    "read_glove_parts",
    "read_word2vec_parts",
    "write_glove_parts",
    "write_word2vec_parts",
]

_MAX_WORD_BYTES = 1 << 20
_READ_CHUNK = 1 << 22


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
    header = parse_w2v_header(line)
    if header is None:
        shown = line[:60].decode("utf-8", "replace")
        raise FormatError(
            f"{path}: line 1 should be the word2vec header 'WORDS DIMENSIONS', "
            f"found {shown!r}; the file looks like {describe_file(path)}"
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


def read_word2vec_parts(
    path: str | Path,
    binary: bool | None = None,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> tuple[list[str], np.ndarray]:
    """Read the word2vec C format as ``(words, vectors)`` (``binary=None``: decided from
    the content).

    ``limit`` reads only the first N words. Compressed files (.gz, .bz2, .xz)
    are read transparently. Repeated words keep their first vector.
    """
    path = Path(path)
    fmt = detect_format(path)
    if binary is None:
        if fmt not in ("word2vec-binary", "word2vec-text"):
            raise FormatError(
                f"{path} is not in word2vec format: it looks like {describe_file(path)}"
            )
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
    f, compressed = open_read(path)
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
    return words, vecs


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


def read_glove_parts(
    path: str | Path,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> tuple[list[str], np.ndarray]:
    """Read GloVe's text format as ``(words, vectors)`` (no header; the dimensions are
    taken from the first line)."""
    path = Path(path)
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, got {limit}")
    fmt = detect_format(path)
    if fmt != "glove":
        raise FormatError(f"{path} is not GloVe text: it looks like {describe_file(path)}")
    f, _ = open_read(path)
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
                    if dims < 1 or not looks_like_glove(line):
                        raise FormatError(
                            f"{path}: line {lineno} is not 'word number number ...': "
                            f"the file looks like {describe_file(path)}"
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
    return words, vectors


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


def _write_text(words: Sequence[str], vectors: np.ndarray, path: Path, header: bool,
                precision: int | None) -> Path:
    with open_write(path) as f:
        if header:
            f.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        batch: list[str] = []
        for word, numbers in zip(words, _format_rows(vectors, precision),
                                 strict=True):
            batch.append(f"{word} {numbers}\n")
            if len(batch) >= 4096:
                f.write("".join(batch).encode("utf-8"))
                batch.clear()
        f.write("".join(batch).encode("utf-8"))
    return path


def write_word2vec_parts(
    words: Sequence[str], vectors: np.ndarray, path: str | Path, binary: bool = True,
    precision: int | None = None,
) -> Path:
    """Write the word2vec C format, binary (as the C tool does) or text.

    Text numbers are exact (shortest round-trip form, as gensim writes them)
    unless ``precision`` asks for that many significant digits.
    """
    path = Path(path)
    fmt = "word2vec-binary" if binary else "word2vec-text"
    _check_text_words(words, fmt)
    if binary:
        _check_word_bytes(words)
    if not binary:
        return _write_text(words, vectors, path, header=True, precision=precision)
    vecs = vectors.astype("<f4", copy=False)
    with open_write(path) as f:
        f.write(f"{len(words)} {vecs.shape[1]}\n".encode())
        batch: list[bytes] = []
        for i, word in enumerate(words):
            batch.append(word.encode("utf-8") + b" " + vecs[i].tobytes() + b"\n")
            if len(batch) >= 4096:
                f.write(b"".join(batch))
                batch.clear()
        f.write(b"".join(batch))
    return path


def write_glove_parts(
    words: Sequence[str], vectors: np.ndarray, path: str | Path, precision: int | None = None
) -> Path:
    """Write GloVe's text format (word2vec text without the header line)."""
    path = Path(path)
    _check_text_words(words, "GloVe")
    return _write_text(words, vectors, path, header=False, precision=precision)
