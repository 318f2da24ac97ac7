"""What a vector file is: format names, sniffing the content, compression.

The layer under the readers and writers (:mod:`wordvec.vectors.word2vec_format`,
:mod:`wordvec.native`) and the front door (:mod:`wordvec.vectors.formats`):

* format names, aliases and the extensions that choose a format when saving
  (:data:`FORMATS`, :func:`normalize_format`, :func:`format_for_path`);
* :func:`detect_format`: the format judged from the first (decompressed)
  bytes, never from the name, and :func:`describe_file`, what a file looks
  like in words, for error messages;
* compression: :func:`open_read` decompresses gzip, bz2 and xz by their magic
  bytes; :func:`open_write` writes atomically (see :mod:`wordvec.outputs`),
  compressing when the name ends in ``.gz``, ``.bz2`` or ``.xz``.

Nothing here knows :class:`~wordvec.vectors.keyed.WordVectors`.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from wordvec.errors import ConfigError, FormatError
from wordvec.native import check_readable
from wordvec.outputs import atomic_write
from wordvec.vectors.fasttext_format import is_fasttext_bin

__all__ = [
    "FORMATS",
    "describe_file",
    "detect_format",
    "format_for_path",
    "looks_like_glove",
    "normalize_format",
    "open_read",
    "open_write",
    "parse_w2v_header",
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


# --------------------------------------------------------------------------- compression
@contextmanager
def open_write(path: Path) -> Iterator[IO[bytes]]:
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


def _magic_compression(head: bytes) -> str | None:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    return None


def open_read(path: Path) -> tuple[IO[bytes], bool]:
    """Binary reader for ``path``, transparently decompressing; returns (file, compressed)."""
    check_readable(path)
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


_HEAD_BYTES = 65536


def _read_head(path: Path, size: int = _HEAD_BYTES) -> tuple[bytes, str | None]:
    """The first ``size`` decompressed bytes (one more when the file has them, so the
    caller can tell a complete file from a cut one) and the compression."""
    f, _ = open_read(path)
    with f:
        try:
            head = f.read(size + 1)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise FormatError(f"{path}: cannot decompress: {exc}") from exc
    with open(path, "rb") as raw:
        comp = _magic_compression(raw.read(6))
    return head, comp


_INT_RE = re.compile(rb"[+-]?[0-9]+")


def parse_w2v_header(line: bytes) -> tuple[int, int] | None:
    """The two numbers of a word2vec header line (possibly negative: the reader refuses
    those with a clear message); None when the line is no such header."""
    parts = line.split()
    if len(parts) != 2 or not all(_INT_RE.fullmatch(p) for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def looks_like_glove(line: bytes) -> bool:
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
    header = parse_w2v_header(line)
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
    if looks_like_glove(line) and (sep or len(head) < 65536):
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


def describe_file(path: Path) -> str:
    """What ``path`` looks like, in words (for error messages); never raises."""
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
