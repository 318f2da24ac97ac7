"""wordvec's native container: named NumPy arrays plus a JSON header in one zip file.

The layout (see :func:`save_state`) is an uncompressed zip archive holding
``wordvec.json`` and one standard ``.npy`` member per array, each array's data
64-byte aligned so it can be memory-mapped. Word vectors, training checkpoints
(:mod:`wordvec.train.checkpoint`) and co-occurrence counts
(:mod:`wordvec.train.cooccurrence`) are all stored this way; this module knows
nothing of what the arrays mean.

Reading is safe on untrusted files: members must be stored (a compressed
member is refused before it is inflated), every array must lie inside the file
and match its header, checksums are verified when the data is read, and
nothing is ever unpickled (object dtypes are refused before their data is
read). Words travel as one uint8 array of newline-separated UTF-8
(:func:`encode_words`, :func:`decode_words`, :func:`peek_words`).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from wordvec.errors import ConfigError, FormatError, missing_path_reason
from wordvec.outputs import atomic_write

logger = logging.getLogger("wordvec")

__all__ = [
    "COMPRESSED_SUFFIXES",
    "check_readable",
    "decode_words",
    "encode_words",
    "load_state",
    "peek_words",
    "save_state",
]

_HEADER_MEMBER = "wordvec.json"
_FORMAT_TAG = "wordvec"
_FORMAT_VERSION = 1
_ALIGN = 64  # array data inside native files starts on a 64-byte boundary
_PAD_EXTRA_ID = 0xD935  # zip "extra field" id used for alignment padding (as zipalign does)
_MAX_HEADER_BYTES = 256 * 1024 * 1024
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_SAFE_KINDS = set("biufcSU")  # numeric, bool and fixed-width string dtypes: no Python objects
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip timestamps: saving the same data gives the same bytes
_READ_CHUNK = 1 << 22
#: File-name suffixes that mean "compressed": native files never are (they are memory-mapped).
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")


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



def check_readable(path: Path) -> None:
    """FormatError when ``path`` is missing or a directory (said plainly)."""
    if not path.exists():
        reason = missing_path_reason(path)
        raise FormatError(f"{path}: no such file" if reason == "not found" else f"{path} {reason}")
    if path.is_dir():
        raise FormatError(f"{path} is a directory; give the path of a vector file")



# --------------------------------------------------------------------------- writing
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
    if path.suffix.lower() in COMPRESSED_SUFFIXES:
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


# --------------------------------------------------------------------------- reading
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


def _first_bytes_say(path: Path) -> str:
    """A short guess at what a file that is no zip archive is (``describe=`` default)."""
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError:
        return "an unreadable file"
    if not head:
        return "an empty file"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "a zip archive"
    for magic, name in ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz")):
        if head.startswith(magic):
            return f"a {name}-compressed file"
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        return "a Python pickle, which wordvec never loads because it can run code"
    line = head.split(b"\n", 1)[0]
    shown = line.decode("utf-8", "replace")[:60]
    if "\ufffd" not in shown and b"\x00" not in head:
        return f"a text file (first line: {shown!r})"
    return "binary data of another kind (not a zip archive)"


def load_state(
    path: str | Path, mmap: bool = False, describe: Callable[[Path], str] | None = None
) -> tuple[dict[str, np.ndarray], dict]:
    """Load ``(arrays, meta)`` saved by :func:`save_state`.

    ``describe(path)`` says what a file that is no zip archive looks like, for
    the error message (the vector formats pass their content sniffer; the
    default looks at the first bytes only).

    With ``mmap=True`` arrays are read-only memory maps (instant, even for
    huge files). Nothing is ever unpickled: an array of Python objects is
    refused with FormatError before any of its data is read. Members must be
    stored uncompressed, as wordvec writes them: a compressed member is
    refused before it is inflated, so no array takes more memory than the
    file's size.
    """
    path = Path(path)
    check_readable(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        what = (describe or _first_bytes_say)(path)
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




def peek_words(blob: np.ndarray, count: int, n_words: int, path: str | Path) -> list[str]:
    """The first ``n_words`` of ``count`` words stored by :func:`encode_words`, reading
    little of a (memory-mapped) ``blob``; FormatError unless it holds exactly ``count``.

    Decodes only the first words (growing a window until it holds them), then
    counts the newlines of the rest in slices: cheap for a list of any size.
    """
    blob = blob.reshape(-1)
    want = min(n_words, count)
    end = 0
    step = 4096
    cuts = np.empty(0, dtype=np.intp)
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
    stored = 0
    if count:
        stored = 1 + sum(int(np.count_nonzero(blob[i:i + _READ_CHUNK] == 10))
                         for i in range(0, blob.size, _READ_CHUNK))
    if stored != count:
        raise FormatError(f"{path}: the file stores {stored} words for {count} vectors")
    return head
