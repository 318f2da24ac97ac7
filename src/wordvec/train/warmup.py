"""Compile the training kernels ahead of time (``wordvec warmup``).

Numba compiles one chunk kernel per vector size, number of noise words and mix
of objectives, and caches it on disk; the first run with a new shape otherwise
waits for it (about 5 s on the 2-core development machine). :func:`warm_up`
compiles the shapes a user is about to train with, several at once in
separate processes, plus the corpus reader's kernels, so that the runs that
follow start at once: after installing (the Makefile does it for the default
shapes), or before a sweep over vector sizes.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wordvec.errors import ConfigError
from wordvec.train import kernels
from wordvec.train.config import default_workers

__all__ = ["Shape", "WarmedShape", "shapes", "warm_up"]

logger = logging.getLogger("wordvec")


@dataclass(frozen=True)
class Shape:
    """One kernel: vector size, noise words (0: none) and hierarchical softmax or not."""

    vector_size: int
    negative: int
    hs: bool

    def __str__(self) -> str:
        loss = "+".join(n for n, on in (("ns", self.negative > 0), ("hs", self.hs)) if on)
        neg = f", {self.negative} noise words" if self.negative else ""
        return f"size {self.vector_size}{neg}, {loss}"


@dataclass(frozen=True)
class WarmedShape:
    """What :func:`warm_up` did for one shape."""

    shape: Shape
    compiled: bool  # False: it was in the disk cache already
    seconds: float


def shapes(sizes: Iterable[int], negatives: Iterable[int], losses: Iterable[str]) -> list[Shape]:
    """Every combination; ``losses`` holds ``"ns"`` and/or ``"hs"`` (as ``--loss``).

    ``negatives`` only matter with ``"ns"``; an ``"hs"`` kernel has no noise words.
    """
    out: list[Shape] = []
    sizes, negatives, losses = list(sizes), list(negatives), list(losses)
    for size in sizes:
        if size < 1:
            raise ConfigError(f"--size must be positive, got {size}")
    for neg in negatives:
        if neg < 1:
            raise ConfigError(f"--negative must be positive here, got {neg} (use --loss hs "
                              "for a kernel without noise words)")
    for loss in losses:
        if loss not in ("ns", "hs"):
            raise ConfigError(f"--loss must be ns or hs, got {loss!r}")
    for size in sizes:
        if "ns" in losses:
            out += [Shape(size, neg, False) for neg in negatives]
        if "hs" in losses:
            out.append(Shape(size, 0, True))
    return list(dict.fromkeys(out))


def warm_up(todo: Sequence[Shape], jobs: int | None = None,
            reader: bool = True) -> list[WarmedShape]:
    """Compile (or find in the disk cache) each shape's kernel, ``jobs`` processes at once.

    ``jobs`` defaults to the number of cores. With ``reader``, the corpus
    reader's kernels are compiled too (in this process, while the others run).
    Raises :class:`~wordvec.errors.ConfigError` when a compiling process fails.
    """
    results = {shape: WarmedShape(shape, False, 0.0) for shape in todo
               if kernels.kernel_ready(shape.vector_size, shape.negative,
                                       shape.negative > 0, shape.hs)}
    waiting = [shape for shape in todo if shape not in results]
    with ThreadPoolExecutor(max(1, jobs or default_workers())) as pool:
        # each thread waits for one compiling process; this one reads meanwhile
        futures = [pool.submit(_compile, shape) for shape in waiting]
        if reader:
            _warm_reader()
        for shape, future in zip(waiting, futures, strict=True):
            results[shape] = future.result()
    return [results[s] for s in todo]


def _compile(shape: Shape) -> WarmedShape:
    """Compile one shape's kernel in a new process and wait for it."""
    t0 = time.perf_counter()
    proc = kernels.start_compile_process(shape.vector_size, shape.negative,
                                         shape.negative > 0, shape.hs)
    _, err = proc.communicate()
    if proc.returncode:
        last = (err or b"").decode(errors="replace").strip().splitlines()[-1:]
        raise ConfigError(f"compiling the kernel ({shape}) failed: "
                          f"{last[0] if last else 'exit ' + str(proc.returncode)}")
    seconds = time.perf_counter() - t0
    logger.debug("compiled the training kernel (%s) in %.1f s", shape, seconds)
    return WarmedShape(shape, True, seconds)


def _warm_reader() -> None:
    """Read a tiny corpus: compiles (or loads) the scanner and encoder kernels."""
    from wordvec.text.encoded import encode_corpus

    t0 = time.perf_counter()
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))  # not "encoded 27 tokens..."
    try:
        with tempfile.TemporaryDirectory(prefix="wordvec-warmup-") as d:
            text = Path(d) / "warm.txt"
            text.write_text("the corpus reader compiles its kernels on this line\n" * 3)
            encode_corpus(text, min_count=1, workdir=Path(d) / "work")
    finally:
        logger.setLevel(level)
    logger.debug("corpus reader ready in %.1f s", time.perf_counter() - t0)
