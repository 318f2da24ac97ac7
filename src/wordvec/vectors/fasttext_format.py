"""Facebook fastText's binary model file (``.bin``): read and write the whole model.

Layout (fastText 0.9, file version 12; all numbers little-endian, as written
on the machines fastText runs on):

* ``int32 magic = 793712314``, ``int32 version = 12``;
* the settings: ``int32 dim, ws, epoch, minCount, neg, wordNgrams, loss,
  model, bucket, minn, maxn, lrUpdateRate`` and ``float64 t`` (loss: 1 hs,
  2 ns, 3 softmax, 4 one-vs-all; model: 1 cbow, 2 skip-gram, 3 supervised);
* the dictionary: ``int32 size, nwords, nlabels``, ``int64 ntokens,
  pruneidx_size``, then per entry its UTF-8 bytes, a NUL byte, ``int64
  count``, ``int8 type`` (0 word, 1 label), then ``pruneidx_size`` pairs of
  int32;
* the input matrix: ``bool quantised``, ``int64 rows, cols``, float32 data --
  ``nwords`` word rows, then ``bucket`` n-gram rows;
* the output matrix, the same way.

This module only moves bytes to and from a :class:`FacebookModel`;
:mod:`wordvec.vectors.formats` turns it into
:class:`~wordvec.vectors.keyed.FastTextVectors`. Damaged or unsupported files
(truncated, another version, quantised ``.ftz``, supervised classifiers) raise
:class:`~wordvec.errors.FormatError` with one line saying which.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from wordvec.errors import FormatError

__all__ = ["FASTTEXT_MAGIC", "FASTTEXT_VERSION", "FT_LOSSES", "FT_MODELS", "FacebookModel",
           "is_fasttext_bin",
           "read_fasttext_bin", "write_fasttext_bin"]

FASTTEXT_MAGIC = 793712314
FASTTEXT_VERSION = 12
_MAGIC_BYTES = struct.pack("<i", FASTTEXT_MAGIC)
_ARGS = struct.Struct("<12id")
_ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model",
              "bucket", "minn", "maxn", "lr_update_rate", "t")
FT_LOSSES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
FT_MODELS = {1: "cbow", 2: "sg", 3: "supervised"}


@dataclass
class FacebookModel:
    """The contents of a fastText ``.bin``: settings, dictionary and both matrices."""

    args: dict[str, Any]
    words: list[str]
    counts: np.ndarray  # int64 per word
    input: np.ndarray  # float32 (nwords + bucket, dim)
    output: np.ndarray | None  # float32 (nwords, dim)
    ntokens: int = 0
    version: int = FASTTEXT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def nwords(self) -> int:
        return len(self.words)


def is_fasttext_bin(head: bytes) -> bool:
    """True when the bytes start with fastText's magic number."""
    return head[:4] == _MAGIC_BYTES


class _Reader:
    def __init__(self, f: IO[bytes], path: Path, size: int) -> None:
        self.f = f
        self.path = path
        self.size = size

    def need(self, n: int, what: str) -> bytes:
        data = self.f.read(n)
        if len(data) < n:
            raise FormatError(f"{self.path}: the fastText model is truncated (it ends inside "
                              f"{what}, at byte {self.f.tell()} of {self.size})")
        return data

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.need(struct.calcsize(fmt), what))


def _read_words(r: _Reader, n: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``n`` dictionary entries: words, counts, entry types."""
    words: list[str] = []
    counts = np.empty(n, np.int64)
    types = np.empty(n, np.int8)
    buf = b""
    pos = 0
    f = r.f
    start = f.tell()
    consumed = 0
    for i in range(n):
        while True:
            end = buf.find(b"\x00", pos)
            if end >= 0 and len(buf) - end - 1 >= 9:
                break
            more = f.read(1 << 20)
            if not more:
                raise FormatError(f"{r.path}: the fastText model is truncated (it ends inside "
                                  f"the dictionary, at word {i + 1} of {n})")
            buf = buf[pos:] + more
            consumed += pos
            pos = 0
        raw = buf[pos:end]
        try:
            words.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            words.append(raw.decode("utf-8", "backslashreplace"))
        counts[i], types[i] = struct.unpack_from("<qb", buf, end + 1)
        pos = end + 10
    f.seek(start + consumed + pos)
    return words, counts, types


def _read_matrix(r: _Reader, what: str) -> np.ndarray:
    (quant,) = r.unpack("<?", what)
    if quant:
        raise FormatError(f"{r.path} is a quantised fastText model (.ftz); wordvec reads only "
                          "full-precision .bin models")
    rows, cols = r.unpack("<2q", what)
    if rows < 0 or cols < 0:
        raise FormatError(f"{r.path}: the {what} has an impossible shape ({rows}, {cols})")
    left = r.size - r.f.tell()
    if rows * cols * 4 > left:
        raise FormatError(f"{r.path}: the fastText model is truncated (the {what} needs "
                          f"{rows * cols * 4} bytes, {left} are left)")
    data = np.fromfile(r.f, dtype="<f4", count=rows * cols)
    return data.reshape(rows, cols).astype(np.float32, copy=False)


def read_fasttext_bin(path: str | Path) -> FacebookModel:
    """Read a fastText ``.bin`` model (unsupervised, version 11 or 12, not quantised)."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        r = _Reader(f, path, size)
        magic, version = r.unpack("<2i", "the header")
        if magic != FASTTEXT_MAGIC:
            raise FormatError(f"{path} is not a fastText model (no magic number {FASTTEXT_MAGIC})")
        if version not in (11, FASTTEXT_VERSION):
            raise FormatError(f"{path}: fastText file version {version} is not supported "
                              f"(wordvec reads versions 11 and {FASTTEXT_VERSION})")
        args = dict(zip(_ARG_NAMES, _ARGS.unpack(r.need(_ARGS.size, "the settings")),
                        strict=True))
        if args["model"] == 3:
            raise FormatError(f"{path} is a supervised fastText model (a text classifier), "
                              "not word vectors; wordvec loads unsupervised (cbow/skipgram) models")
        if args["model"] not in FT_MODELS or args["loss"] not in FT_LOSSES or args["dim"] < 1:
            raise FormatError(f"{path}: implausible fastText settings (model {args['model']}, "
                              f"loss {args['loss']}, dim {args['dim']})")
        n_entries, nwords, nlabels = r.unpack("<3i", "the dictionary")
        ntokens, prune = r.unpack("<2q", "the dictionary")
        if nlabels > 0:
            raise FormatError(f"{path} is a supervised fastText model ({nlabels} labels), "
                              "not word vectors")
        if n_entries < 0 or nwords != n_entries or n_entries > size:
            raise FormatError(f"{path}: implausible fastText dictionary ({n_entries} entries, "
                              f"{nwords} words)")
        words, counts, _types = _read_words(r, n_entries)
        if prune > 0:
            r.need(8 * prune, "the pruning index")
        matrix = _read_matrix(r, "input matrix")
        bucket = args["bucket"] if args["maxn"] > 0 else 0
        if matrix.shape != (nwords + bucket, args["dim"]):
            raise FormatError(f"{path}: the input matrix has shape {matrix.shape}, expected "
                              f"({nwords} words + {bucket} buckets, {args['dim']})")
        output = _read_matrix(r, "output matrix")
        rest = f.read(1)
        if rest:
            raise FormatError(f"{path}: unexpected bytes after the output matrix")
    return FacebookModel(args=args, words=words, counts=counts, input=matrix, output=output,
                         ntokens=int(ntokens), version=version)


def write_fasttext_bin(f: IO[bytes], m: FacebookModel) -> None:
    """Write ``m`` as fastText version 12 (what fastText 0.9 and gensim read)."""
    a = m.args
    f.write(struct.pack("<2i", FASTTEXT_MAGIC, FASTTEXT_VERSION))
    f.write(_ARGS.pack(*(a[k] for k in _ARG_NAMES[:-1]), float(a["t"])))
    n = len(m.words)
    f.write(struct.pack("<3i2q", n, n, 0, int(m.ntokens), -1))
    entry = struct.Struct("<qb")
    parts = []
    for w, c in zip(m.words, m.counts.tolist(), strict=True):
        raw = w.encode("utf-8")
        if b"\x00" in raw:
            raise FormatError(f"the word {w!r} holds a NUL byte, which fastText's format cannot "
                              "store")
        parts.append(raw + b"\x00" + entry.pack(int(c), 0))
    f.write(b"".join(parts))
    for mat in (m.input, m.output):
        mat = np.ascontiguousarray(mat, dtype="<f4")
        f.write(struct.pack("<?2q", False, mat.shape[0], mat.shape[1]))
        step = max(1, (16 << 20) // max(1, mat.shape[1] * 4))
        for s in range(0, mat.shape[0], step):
            f.write(mat[s:s + step].tobytes())
