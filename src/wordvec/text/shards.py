"""A corpus cut into shards for several machines, and its vocabulary by map-reduce.

Used by the cluster driver (:mod:`wordvec.train.cluster`), but plain functions
that run anywhere:

* :func:`list_files` -- what a corpus given as files, folders, globs or fsspec
  URLs (``s3://...``, with fsspec installed) stands for, with sizes.
* :func:`plan_shards` -- the files' bytes, seen end to end, cut into ``n``
  contiguous shards of about equal size. A shard is a list of :class:`Piece`
  (a byte range of one file). Compressed files cannot be cut: each is one
  piece of the shard where it starts.
* :func:`cut_point` -- where a nominal byte offset really cuts: at the start
  of the next line; in a line longer than :data:`LINE_WINDOW` bytes (the
  one-line text8 form) after the next whitespace instead. Both neighbours of
  a cut compute it from the file alone, so no line or word is read twice or lost.
* :func:`scan_shard` -- a worker reads its pieces (compiled scan of
  :func:`wordvec.text.encoded.scan_text`) and counts their words.
* :func:`merge_counts` -- the reduce: counts added in shard order, which is
  corpus order, so the merged dict is in first-seen order of the whole corpus,
  and the vocabulary is bit-identical to :func:`wordvec.text.encoded.encode_corpus`
  on the same text. With ``max_vocab_size`` the C tool's rule prunes each
  shard's counts and the merged ones (drop words seen ``<= min_reduce`` times,
  then raise ``min_reduce``); like the C tool's own pruning it depends on the
  reading order, so the result then may differ from one machine's.

Sentences: a line is a sentence, cut every ``max_sentence_length`` words, as on
one machine. A shard that begins inside a huge line (text8) starts a new
sentence there, so such a corpus has at most one extra sentence boundary per
shard.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from wordvec.errors import ConfigError, CorpusError

logger = logging.getLogger("wordvec")

__all__ = ["LINE_WINDOW", "Piece", "cut_point", "list_files", "merge_counts", "plan_shards",
           "scan_shard"]

#: How far after a nominal cut to look for a newline before settling for a space.
LINE_WINDOW = 1 << 20
COMPRESSED = (".gz", ".bz2", ".xz", ".lzma")
_SPACES = b" \n\t\r\x0b\x0c"


def _is_url(name: str) -> bool:
    return "://" in name and not name.startswith("file://")


def _fsspec() -> Any:
    try:
        import fsspec
    except ImportError:  # pragma: no cover - depends on the installation
        raise ConfigError("URLs as corpus paths need fsspec: pip install fsspec (and the "
                          "extras of your storage, e.g. s3fs)") from None
    return fsspec


@dataclass(frozen=True)
class Piece:
    """Bytes ``[start, stop)`` (nominal, see :func:`cut_point`) of one file; ``whole``
    for a compressed file, read entirely."""

    path: str
    start: int
    stop: int
    size: int
    whole: bool = False


def list_files(sources: Sequence[str | os.PathLike]) -> list[tuple[str, int, bool]]:
    """``(path, size, splittable)`` for every file the sources stand for, in corpus order.

    A source is a file, a folder (read as :func:`wordvec.text.corpus.corpus_files`
    reads it), a glob (``data/*.txt``, sorted) or an fsspec URL (globs allowed).

    Raises:
        CorpusError: a path or glob that matches nothing, an unreadable file.
    """
    from wordvec.text.corpus import corpus_files

    out: list[tuple[str, int, bool]] = []
    for src in sources:
        name = str(src)
        if _is_url(name):
            fs, _, paths = _fsspec().get_fs_token_paths(name)
            if not paths:
                raise CorpusError(f"corpus URL matches no file: {name}")
            protocol = name.split("://", 1)[0]
            for p in sorted(paths):
                url = p if "://" in p else f"{protocol}://{p}"
                out.append((url, int(fs.size(p)), not url.lower().endswith(COMPRESSED)))
            continue
        name = name[len("file://"):] if name.startswith("file://") else name
        if any(ch in name for ch in "*?[") and not Path(name).exists():
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                raise CorpusError(f"corpus glob matches no file: {name}")
        else:
            matches = [name]
        for m in matches:
            for f in corpus_files(m):
                out.append((str(f.resolve()), f.stat().st_size,
                            f.suffix.lower() not in COMPRESSED))
    if not out:
        raise CorpusError("the corpus holds no files")
    return out


def plan_shards(files: Sequence[tuple[str, int, bool]], n: int) -> list[list[Piece]]:
    """Cut the files' bytes (end to end) into ``n`` contiguous shards of about equal size."""
    if n < 1:
        raise ConfigError(f"the number of shards must be at least 1, got {n}")
    total = sum(size for _, size, _ in files)
    bounds = [total * i // n for i in range(n + 1)]
    shards: list[list[Piece]] = [[] for _ in range(n)]
    pos = 0
    for path, size, splittable in files:
        if not splittable or size == 0:
            # the shard where the file starts reads all of it
            k = max(i for i in range(n) if bounds[i] <= pos) if pos < total else n - 1
            shards[k].append(Piece(path, 0, size, size, whole=True))
        else:
            for k in range(n):
                a, b = max(bounds[k], pos), min(bounds[k + 1], pos + size)
                if b > a:
                    shards[k].append(Piece(path, a - pos, b - pos, size))
        pos += size
    return shards


def _open_raw(path: str) -> BinaryIO:
    if _is_url(path):
        return _fsspec().open(path, "rb").open()
    try:
        return open(path, "rb")
    except OSError as exc:
        raise CorpusError(f"cannot read corpus file {path}: {exc.strerror or exc}") from None


def cut_point(fh: BinaryIO, pos: int, size: int) -> int:
    """The real cut for nominal offset ``pos``: the first line start at or after ``pos``;
    in a line longer than :data:`LINE_WINDOW`, the first word start instead."""
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    fh.seek(pos - 1)
    window = fh.read(LINE_WINDOW)
    nl = window.find(b"\n")
    if nl >= 0:
        return pos + nl
    for i, byte in enumerate(window):
        if byte in _SPACES:
            return pos + i
    return min(size, pos - 1 + len(window))  # a single huge token: cut it (very rare)


def _copy_range(path: str, start: int, stop: int, size: int, dest: Path) -> int:
    """Write the cut bytes of ``[start, stop)`` to ``dest``; return how many."""
    with _open_raw(path) as fh:
        a, b = cut_point(fh, start, size), cut_point(fh, stop, size)
        fh.seek(a)
        left = max(0, b - a)
        with open(dest, "wb") as out:
            while left:
                block = fh.read(min(left, 1 << 22))
                if not block:
                    raise CorpusError(f"cannot read corpus file {path}: it ended early "
                                      f"(at byte {b - left} of {b})")
                out.write(block)
                left -= len(block)
    return max(0, b - a)


def local_files(pieces: Iterable[Piece], workdir: Path) -> list[Path]:
    """Files holding the pieces' text: the file itself when a piece is a whole local file,
    else a copy of its cut byte range (or of a remote file) in ``workdir``."""
    paths: list[Path] = []
    for i, p in enumerate(pieces):
        if not _is_url(p.path) and (p.whole or (p.start == 0 and p.stop >= p.size)):
            paths.append(Path(p.path))
            continue
        dest = workdir / f"piece-{i:05d}{''.join(Path(p.path).suffixes[-1:]) if p.whole else ''}"
        if p.whole:
            with _open_raw(p.path) as fh, open(dest, "wb") as out:
                shutil.copyfileobj(fh, out, 1 << 22)
        else:
            _copy_range(p.path, p.start, p.stop, p.size, dest)
        paths.append(dest)
    return paths


def scan_shard(pieces: Sequence[Piece], workdir: str | os.PathLike | None = None,
               tokenizer: Any = None) -> Any:
    """Read a shard's pieces once and count its words; returns a
    :class:`~wordvec.text.encoded.ScannedText` (encode it later with the merged vocabulary).

    Raises:
        CorpusError: a piece cannot be read (missing, permission, corrupt, binary).
    """
    from wordvec.text.encoded import ScannedText, scan_text

    d = Path(tempfile.mkdtemp(prefix="wordvec-shard-", dir=workdir))
    try:
        files = local_files(pieces, d)
        scanned: ScannedText = scan_text(files, tokenizer=tokenizer, workdir=d / "scan")
        scanned.directory, scanned.owns = d, True  # removed with the encoded shard
        return scanned
    except BaseException:
        shutil.rmtree(d, ignore_errors=True)
        raise


def _prune(counts: dict[str, int], max_vocab_size: int | None, min_reduce: int) -> int:
    """The C tool's ReduceVocab, repeated while too many words are held; returns min_reduce."""
    while max_vocab_size is not None and len(counts) > max_vocab_size:
        for w in [w for w, c in counts.items() if c <= min_reduce]:
            del counts[w]
        min_reduce += 1
    return min_reduce


def merge_counts(parts: Iterable[dict[str, int]],
                 max_vocab_size: int | None = None) -> dict[str, int]:
    """Add word counts given in corpus order; the result is in whole-corpus first-seen order.

    With ``max_vocab_size`` each part is pruned first and the sum whenever it
    holds too many words, by the C tool's rule.
    """
    merged: dict[str, int] = {}
    min_reduce = 1
    get = merged.get
    for part in parts:
        if max_vocab_size is not None and len(part) > max_vocab_size:
            part = dict(part)
            _prune(part, max_vocab_size, 1)
        for w, c in part.items():
            merged[w] = get(w, 0) + c
        min_reduce = _prune(merged, max_vocab_size, min_reduce)
    return merged
