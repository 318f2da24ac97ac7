"""Compiled inner loops of word2vec training (Numba).

Everything here takes plain NumPy arrays and scalars. The policy -- learning-rate
schedule, subsampling probabilities, the noise distribution (as an alias table),
the Huffman tree, random seeds, threading -- is decided in Python
(:mod:`wordvec.train.word2vec`) and passed in, so these functions only do arithmetic.

One routine, :func:`_block`, is the whole learning rule. It updates a small
block: ``nr`` input rows (skip-gram: context words of one window; CBOW: the one
averaged context vector) against ``mp`` output rows with 0/1 labels (negative
sampling: the centre word and ``negative`` noise words; hierarchical softmax:
the inner nodes on the centre word's Huffman path). Both objectives and both
architectures go through it, in the spirit of fastText's pluggable losses:

* ``batched=False`` is the word2vec C tool's per-pair update: every (context,
  centre) pair is its own 1 x (1 + negative) block with its own noise words.
* ``batched=True`` is the scheme of Ji et al. (2016), "Parallelizing Word2Vec in
  Shared and Distributed Memory": all context words of a window share one set
  of noise words, so the window becomes a single C x (1 + negative) block of
  small matrix products. Fewer random rows are fetched and they are reused
  while in cache. For CBOW both are the same (one block per window).

fastText's subword model goes through the same kernel: given a :class:`Subwords`
table, a word's input vector is the mean of its rows (its own row and its
character n-gram buckets) and its input gradient goes to each of them. Skip-gram
takes the centre word as the input and its context words as outputs (fastText's
direction), so a window costs one mean and one scatter instead of one per
context word: with fresh noise words per pair (fastText's update, its default)
the kernel moves the mean by each pair's gradient itself, as the rows would move
it; with shared noise words the window is one block. fastText's update keeps the
most used rows in a private copy per chunk (see :func:`_row_block`). Without the
table (``None``) Numba compiles the plain kernel with none of this code.

Why the code looks the way it does (each point was measured on the 2-core
development machine, skip-gram, size 100, negative 5, per thread, in CPU time):

* The vector size ``D`` and the number of noise words are compile-time
  constants: :func:`chunk_kernel` builds (and Numba caches on disk) one kernel
  per ``(vector_size, negative)``, so LLVM unrolls and vectorises the loops
  over dimensions.
* Numba cannot tell LLVM that two arrays do not overlap, so accumulators that
  live in memory are reloaded after every store. The small matrix products are
  therefore register-blocked micro-kernels (2 input rows x 3 output rows)
  whose partial sums are local scalars, which LLVM keeps in vector registers.
  With the shared noise words this is where most of the speed comes from
  (the per-pair update, same arithmetic per pair, runs 3x slower).
* The gradient/loss pass runs over the whole block at once, branch-free and
  in float32, with the sigmoid tables as compile-time constants: LLVM knows
  they cannot alias the scores it writes, so the loop vectorises (with
  gathers) -- about 15% of the total.
* The output rows of the next window (its centre word and noise words, drawn
  one window ahead) and the next context row are prefetched: about 30%.
* Fast-math is on, but without the "no NaN / no inf" assumptions, so a
  diverging run still produces a NaN loss that Python can detect.
* The sigmoid and log-sigmoid come from tables (as in the C tool), clamped
  at +-``MAX_EXP``; the loss adds the linear tail beyond the clamp so that it
  stays an honest negative log-likelihood.

Result: about 2.2M corpus words per second per thread for skip-gram with
shared noise words (0.75M with the per-pair update), about 4M for CBOW.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import njit

from wordvec.prefetch import prefetch2

__all__ = [
    "MAX_EXP",
    "TABLE_SIZE",
    "alias_sample",
    "HSTables",
    "NegTables",
    "Rate",
    "Rules",
    "Subwords",
    "chunk_kernel",
    "compile_in_background",
    "compile_now",
    "start_compile_process",
    "example_args",
    "kernel_ready",
    "sigmoid_tables",
    "uniform_stream",
]

#: Dot products beyond +-MAX_EXP saturate the sigmoid (the C tool's choice).
MAX_EXP = 6.0
#: Number of bins of the sigmoid / log-sigmoid tables over [-MAX_EXP, MAX_EXP).
TABLE_SIZE = 2048

logger = logging.getLogger("wordvec")

# Fast-math flags: reassociation and contraction let LLVM vectorise the dot
# products; "nnan"/"ninf" are deliberately left out so NaN can be detected.
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

_U12 = np.uint64(12)
_U25 = np.uint64(25)
_U27 = np.uint64(27)
_U32 = np.uint64(32)
_U40 = np.uint64(40)
_MASK24 = np.uint64(0xFFFFFF)
_MULT = np.uint64(0x2545F4914F6CDD1D)
_INV24 = np.float32(1.0 / (1 << 24))
_F0 = np.float32(0.0)
_F1 = np.float32(1.0)
_LO = np.float32(-MAX_EXP)
_HI = np.float32(MAX_EXP * (1.0 - 1e-6))  # keeps the table index below its size


def sigmoid_tables(size: int = TABLE_SIZE, max_exp: float = MAX_EXP) -> tuple:
    """``(sigmoid, log_sigmoid)`` as float32 tables at the bin centres of [-max_exp, max_exp)."""
    x = -max_exp + (np.arange(size, dtype=np.float64) + 0.5) * (2.0 * max_exp / size)
    sig = 1.0 / (1.0 + np.exp(-x))
    logsig = -np.log1p(np.exp(-x))
    return sig.astype(np.float32), logsig.astype(np.float32)


# Frozen into the compiled code as constants, so LLVM knows no store can change
# them and vectorises the table reads (gathers).
_SIG, _LOGSIG = sigmoid_tables()


# --------------------------------------------------------------------------- RNG


@njit(cache=True, nogil=True, inline="always")
def _next(state: np.uint64) -> np.uint64:
    """One step of xorshift64 (the state is never 0)."""
    state ^= state >> _U12
    state ^= state << _U25
    state ^= state >> _U27
    return state


@njit(cache=True, nogil=True)
def _seed_state(seed: np.uint64) -> np.uint64:
    """Turn any 64-bit seed into a good non-zero xorshift state (splitmix64 finaliser)."""
    z = seed + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    if z == np.uint64(0):
        z = np.uint64(1)
    return z


@njit(cache=True, nogil=True, inline="always")
def _uniform(state: np.uint64) -> float:
    """A float32 in [0, 1) from the top 24 bits of the scrambled state."""
    return np.float32((state * _MULT) >> _U40) * _INV24


@njit(cache=True, nogil=True, inline="always")
def _below(state: np.uint64, n: int) -> int:
    """An integer in [0, n) from the top 32 bits of the scrambled state (n < 2**32)."""
    return np.int64((((state * _MULT) >> _U32) * np.uint64(n)) >> _U32)


@njit(cache=True, nogil=True, inline="always")
def _draw(state: np.uint64, alias_p: np.ndarray, alias_i: np.ndarray) -> tuple:
    """Draw one noise word with the alias method; return ``(word, new_state)``."""
    state = _next(state)
    r = state * _MULT
    k = np.int64(((r >> _U32) * np.uint64(alias_p.shape[0])) >> _U32)
    if np.float32(r & _MASK24) * _INV24 < alias_p[k]:
        return k, state
    return np.int64(alias_i[k]), state


@njit(cache=True, nogil=True)
def uniform_stream(seed: int, n: int) -> np.ndarray:
    """``n`` uniform floats in [0, 1) from the kernels' generator (for tests)."""
    state = _seed_state(np.uint64(seed))
    out = np.empty(n, np.float32)
    for i in range(n):
        state = _next(state)
        out[i] = _uniform(state)
    return out


@njit(cache=True, nogil=True)
def alias_sample(alias_p: np.ndarray, alias_i: np.ndarray, seed: int, n: int) -> np.ndarray:
    """``n`` draws from an alias table with the kernels' generator (for tests)."""
    state = _seed_state(np.uint64(seed))
    out = np.empty(n, np.int64)
    for i in range(n):
        w, state = _draw(state, alias_p, alias_i)
        out[i] = w
    return out


@njit(cache=True, nogil=True, inline="always")
def _prefetch_row(arr: np.ndarray, row: int, D: int) -> None:  # noqa: N803
    for j in range(0, D, 16):
        prefetch2(arr, row, j)


# ------------------------------------------------------------ micro-kernels
# A: input matrix, a0/a1 its rows; B: output matrix, b0..b2 its rows.
# Partial sums are scalars so that they stay in registers.


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _dot2x3(A, a0, a1, B, b0, b1, b2, D):  # noqa: ANN001, ANN202, N803
    s00 = s01 = s02 = s10 = s11 = s12 = _F0
    for d in range(D):
        x0 = A[a0, d]
        x1 = A[a1, d]
        y0 = B[b0, d]
        y1 = B[b1, d]
        y2 = B[b2, d]
        s00 += x0 * y0
        s01 += x0 * y1
        s02 += x0 * y2
        s10 += x1 * y0
        s11 += x1 * y1
        s12 += x1 * y2
    return s00, s01, s02, s10, s11, s12


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _dot1x3(A, a0, B, b0, b1, b2, D):  # noqa: ANN001, ANN202, N803
    s0 = s1 = s2 = _F0
    for d in range(D):
        x0 = A[a0, d]
        s0 += x0 * B[b0, d]
        s1 += x0 * B[b1, d]
        s2 += x0 * B[b2, d]
    return s0, s1, s2


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _grads(gm, lf, wf, n, alpha):  # noqa: ANN001, ANN202
    """Scores ``gm[:n]`` to gradients times the learning rate, in place; returns the loss.

    Label ``lf[i]``, weight ``wf[i]``. Everything is float32 and branch-free so that
    LLVM vectorises the loop (table reads become gathers).
    """
    tscale = np.float32(_SIG.shape[0] / (2.0 * MAX_EXP))
    a32 = np.float32(alpha)
    loss = _F0
    fsum = _F0
    for i in range(n):
        f = gm[i]
        fsum += f
        # clamp into the table; written so that NaN lands inside too
        fc = f if f > _LO else _LO
        fc = fc if fc < _HI else _HI
        b = np.uint32((fc - _LO) * tscale)
        lab = lf[i]
        w = wf[i]
        gm[i] = w * (lab - _SIG[b]) * a32
        # -log sigma(f) for label 1, -log sigma(-f) = f - log sigma(f) for label 0,
        # plus the linear tail the clamp cut off
        below = _LO - f
        above = f - _HI
        below = below if below > _F0 else _F0
        above = above if above > _F0 else _F0
        loss += w * ((_F1 - lab) * (fc + above) - _LOGSIG[b] + lab * below)
    # NaN/inf anywhere must reach the reported loss (fast-math keeps NaN here)
    return loss + fsum * _F0


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _block(A, arow, r_lo, nr, B, outs, wv, mp, lf, wf, gm, din, alpha, D):  # noqa: ANN001, ANN202, N803
    """One learning step of ``nr`` input rows against ``mp`` (multiple of 3) output rows.

    Input row ``r`` is ``A[arow[r_lo + r]]``; output row ``m`` is ``B[outs[m]]``.
    The label and weight of score ``(r, m)`` are ``lf[r * mp + m]`` and
    ``wf[r * mp + m]`` (weight 0: padding or a skipped noise word; ``wv[m]``
    is that weight per output). Adds the input gradients to ``din[:nr]``,
    updates the output rows in place and returns the summed loss.
    """
    # 1. scores: gm[r * mp + m] = <A[arow[r]], B[outs[m]]>
    r = 0
    while r + 1 < nr:
        a0 = arow[r_lo + r]
        a1 = arow[r_lo + r + 1]
        base = r * mp
        for m in range(0, mp, 3):
            s00, s01, s02, s10, s11, s12 = _dot2x3(
                A, a0, a1, B, outs[m], outs[m + 1], outs[m + 2], D
            )
            gm[base + m] = s00
            gm[base + m + 1] = s01
            gm[base + m + 2] = s02
            gm[base + mp + m] = s10
            gm[base + mp + m + 1] = s11
            gm[base + mp + m + 2] = s12
        r += 2
    if r < nr:
        a0 = arow[r_lo + r]
        base = r * mp
        for m in range(0, mp, 3):
            s0, s1, s2 = _dot1x3(A, a0, B, outs[m], outs[m + 1], outs[m + 2], D)
            gm[base + m] = s0
            gm[base + m + 1] = s1
            gm[base + m + 2] = s2

    # 2. gradients and loss over the flat score block
    loss = _grads(gm, lf, wf, nr * mp, alpha)

    # 3. input gradients: din[r] += sum_m gm[r, m] * B[outs[m]]
    r = 0
    while r + 1 < nr:
        base = r * mp
        for m in range(0, mp, 3):
            b0 = outs[m]
            b1 = outs[m + 1]
            b2 = outs[m + 2]
            g00 = gm[base + m]
            g01 = gm[base + m + 1]
            g02 = gm[base + m + 2]
            g10 = gm[base + mp + m]
            g11 = gm[base + mp + m + 1]
            g12 = gm[base + mp + m + 2]
            for d in range(D):
                y0 = B[b0, d]
                y1 = B[b1, d]
                y2 = B[b2, d]
                din[r, d] += g00 * y0 + g01 * y1 + g02 * y2
                din[r + 1, d] += g10 * y0 + g11 * y1 + g12 * y2
        r += 2
    if r < nr:
        base = r * mp
        for m in range(0, mp, 3):
            b0 = outs[m]
            b1 = outs[m + 1]
            b2 = outs[m + 2]
            g00 = gm[base + m]
            g01 = gm[base + m + 1]
            g02 = gm[base + m + 2]
            for d in range(D):
                din[r, d] += g00 * B[b0, d] + g01 * B[b1, d] + g02 * B[b2, d]

    # 4. output rows: B[outs[m]] += sum_r gm[r, m] * A[arow[r]]
    for m0 in range(0, mp, 3):
        if wv[m0] != 0.0 and wv[m0 + 1] != 0.0 and wv[m0 + 2] != 0.0:
            # three live outputs: 2 x 3 register block
            o0 = outs[m0]
            o1 = outs[m0 + 1]
            o2 = outs[m0 + 2]
            r = 0
            while r + 1 < nr:
                a0 = arow[r_lo + r]
                a1 = arow[r_lo + r + 1]
                base = r * mp + m0
                g00 = gm[base]
                g01 = gm[base + 1]
                g02 = gm[base + 2]
                g10 = gm[base + mp]
                g11 = gm[base + mp + 1]
                g12 = gm[base + mp + 2]
                for d in range(D):
                    x0 = A[a0, d]
                    x1 = A[a1, d]
                    B[o0, d] += g00 * x0 + g10 * x1
                    B[o1, d] += g01 * x0 + g11 * x1
                    B[o2, d] += g02 * x0 + g12 * x1
                r += 2
            if r < nr:
                a0 = arow[r_lo + r]
                base = r * mp + m0
                g00 = gm[base]
                g01 = gm[base + 1]
                g02 = gm[base + 2]
                for d in range(D):
                    x0 = A[a0, d]
                    B[o0, d] += g00 * x0
                    B[o1, d] += g01 * x0
                    B[o2, d] += g02 * x0
            continue
        for m in range(m0, m0 + 3):
            if wv[m] == 0.0:
                continue
            o = outs[m]
            r = 0
            while r + 1 < nr:
                a0 = arow[r_lo + r]
                a1 = arow[r_lo + r + 1]
                g0 = gm[r * mp + m]
                g1 = gm[r * mp + mp + m]
                for d in range(D):
                    B[o, d] += g0 * A[a0, d] + g1 * A[a1, d]
                r += 2
            if r < nr:
                a0 = arow[r_lo + r]
                g0 = gm[r * mp + m]
                for d in range(D):
                    B[o, d] += g0 * A[a0, d]
    return loss


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _row_block(A, a, B, P, H, outs, mp, lf, wf, gm, din, alpha, D):  # noqa: ANN001, ANN202, N803
    """:func:`_block` for one input row ``A[a]``, with the output rows below ``H`` (the
    most frequent words) read and written in ``P``, the thread's private copy of them,
    and the others in ``B``. Adds the input gradient to ``din[0]``; returns the loss."""
    for m in range(0, mp, 3):
        o0 = outs[m]
        o1 = outs[m + 1]
        o2 = outs[m + 2]
        X0 = P if o0 < H else B
        X1 = P if o1 < H else B
        X2 = P if o2 < H else B
        s0 = s1 = s2 = _F0
        for d in range(D):
            x = A[a, d]
            s0 += x * X0[o0, d]
            s1 += x * X1[o1, d]
            s2 += x * X2[o2, d]
        gm[m] = s0
        gm[m + 1] = s1
        gm[m + 2] = s2
    loss = _grads(gm, lf, wf, mp, alpha)
    for m in range(0, mp, 3):
        o0 = outs[m]
        o1 = outs[m + 1]
        o2 = outs[m + 2]
        X0 = P if o0 < H else B
        X1 = P if o1 < H else B
        X2 = P if o2 < H else B
        g0 = gm[m]
        g1 = gm[m + 1]
        g2 = gm[m + 2]
        for d in range(D):
            din[0, d] += g0 * X0[o0, d] + g1 * X1[o1, d] + g2 * X2[o2, d]
    for m in range(mp):
        g = gm[m]
        if g == 0.0:
            continue
        o = outs[m]
        X = P if o < H else B
        for d in range(D):
            X[o, d] += g * A[a, d]
    return loss


# ------------------------------------------------------------- chunk trainer


class NegTables(NamedTuple):
    """Negative sampling as the kernel takes it: the output matrix and the noise alias table."""

    output: np.ndarray  # float32 (V, D), updated in place
    alias_p: np.ndarray  # float32 (V,)
    alias_i: np.ndarray  # int32 (V,)


class HSTables(NamedTuple):
    """Hierarchical softmax as the kernel takes it: inner-node vectors and the Huffman tree."""

    output: np.ndarray  # float32 (V - 1, D), updated in place
    codes: np.ndarray  # uint8 (V, max depth): the branch taken at each node of the path
    points: np.ndarray  # int32 (V, max depth): the inner nodes of the path
    lengths: np.ndarray  # int32 (V,): path lengths


_NO_ROWS = np.empty(0, np.int32)


class Subwords(NamedTuple):
    """Subword inputs (fastText): word ``w``'s input vector is the mean of the input-matrix
    rows ``rows[indptr[w]:indptr[w + 1]]`` (its own row, then its n-gram buckets).

    ``hot``: input rows that fastText's update (skip-gram, per pair) reads and writes
    in a private copy per chunk; an entry ``-(s + 1)`` in ``rows`` stands for
    ``hot[s]``. Empty (the default) for none; only that update takes such a table
    (:func:`wordvec.train.engine.private_subword_table` builds it)."""

    indptr: np.ndarray  # int64 (V + 1,)
    rows: np.ndarray  # int32: rows of the (V + bucket, D) input matrix
    hot: np.ndarray = _NO_ROWS  # int32: rows kept privately, in slot order


class Rules(NamedTuple):
    """The architecture: skip-gram or CBOW (mean or sum), shared noise words, window."""

    sg: bool
    cbow_mean: bool
    batched: bool
    window: int


class Rate(NamedTuple):
    """Linear learning rate: ``alpha0`` at word 0 to ``alpha1`` at word ``total``;
    the chunk starts at word ``pos0`` of the run."""

    alpha0: float
    alpha1: float
    pos0: float
    total: float


def chunk_kernel(vector_size: int, negative: int):  # noqa: ANN201 - returns a Numba dispatcher
    """Return the compiled chunk trainer specialised for ``vector_size`` and ``negative``.

    ``negative`` is 0 when negative sampling is not trained. Numba caches the
    machine code on disk, one kernel per ``(vector_size, negative)`` and per
    mix of objectives, so the compilation (several seconds) is paid once per
    configuration and machine. See :func:`_make_chunk_kernel` for the arguments.
    When :func:`compile_in_background` has started compiling this kernel in
    another process, this waits for it, so the first call loads the result
    from the disk cache instead of compiling a second time.
    """
    key = (int(vector_size), int(negative))
    _wait_background(key)
    return _dispatcher(key)


_KERNELS: dict = {}


def _dispatcher(key: tuple[int, int]):  # noqa: ANN202
    kern = _KERNELS.get(key)
    if kern is None:
        kern = _make_chunk_kernel(*key)
        _KERNELS[key] = kern
    return kern


# ------------------------------------------------------- compiling ahead of use
# A cold Numba cache costs a user ~6 s of compiling per kernel shape (measured on
# the 2-core development machine; ~75% of it is Numba's Python front end, so a
# thread would fight the reader for the GIL). Training knows the shape before it
# reads the corpus, so it asks for the kernel first and a separate process
# compiles it into the shared disk cache while this one reads and encodes.


def example_args(vector_size: int, negative: int, ns: bool, hs: bool) -> tuple:
    """Tiny arguments of the same Numba types as :class:`~wordvec.train.engine.Engine` passes.

    Used to compile (or find in the disk cache) the exact specialisation that
    training will call; tests check that the two signatures agree.
    """
    D, V = int(vector_size), 4  # noqa: N806
    ids = np.zeros(8, np.int32)
    bounds = np.array([0, 8], np.int64)
    syn0 = np.zeros((V, D), np.float32)
    keep = np.ones(V, np.float32)
    nst = (NegTables(np.zeros((V, D), np.float32), np.ones(V, np.float32), np.zeros(V, np.int32))
           if ns else None)
    hst = (HSTables(np.zeros((V - 1, D), np.float32), np.zeros((V, 2), np.uint8),
                    np.zeros((V, 2), np.int32), np.ones(V, np.int32)) if hs else None)
    # the last argument is the subword table, which plain word2vec passes as None
    return (ids, bounds, syn0, keep, nst, hst, Rules(True, True, True, 1),
            Rate(0.025, 0.0001, 0.0, 8.0), 1, np.zeros(3, np.float64), None)


def _signature(args: tuple) -> tuple:
    from numba import typeof

    return tuple(typeof(a) for a in args)


def kernel_ready(vector_size: int, negative: int, ns: bool, hs: bool) -> bool:
    """True when this kernel is compiled in this process or can be loaded from the disk cache.

    A cache hit is loaded now (tens of milliseconds); nothing is compiled.
    """
    key = (int(vector_size), int(negative) if ns else 0)
    kern = _dispatcher(key)
    sig = _signature(example_args(key[0], key[1], ns, hs))
    if sig in kern.overloads:
        return True
    cache = getattr(kern, "_cache", None)  # Numba's disk cache of this dispatcher
    try:
        cres = cache.load_overload(sig, kern.targetctx) if cache is not None else None
    except Exception:  # noqa: BLE001 - an unreadable cache entry is just a miss
        cres = None
    if cres is None:
        return False
    kern.add_overload(cres)
    return True


_PENDING: dict = {}  # (vector_size, negative) -> [(Popen, mix)]


def compile_in_background(vector_size: int, negative: int, ns: bool, hs: bool) -> bool:
    """Start compiling the chunk kernel in another process unless it is already at hand.

    Returns True when a compiling process was started. :func:`chunk_kernel`
    waits for it; if it fails, training compiles the kernel itself as before.
    It only helps when a core is free: by default no process is started when
    the load average already fills all cores but one (then it would only add
    ~1 s of CPU for a second interpreter). The environment variable
    ``WORDVEC_BACKGROUND_COMPILE`` set to ``0`` turns this off, ``1`` starts
    the process whatever the load.
    """
    mode = os.environ.get("WORDVEC_BACKGROUND_COMPILE", "auto")
    if mode == "0":
        return False
    if mode != "1" and not _free_core():
        return False
    key = (int(vector_size), int(negative) if ns else 0)
    mix = (bool(ns), bool(hs))
    if any(m == mix for _, m in _PENDING.get(key, [])):
        return False
    try:
        if kernel_ready(key[0], key[1], ns, hs):
            return False
    except Exception:  # noqa: BLE001 - no cache locator etc.: compile in process as before
        return False
    try:
        proc = start_compile_process(key[0], key[1], ns, hs)
    except OSError as exc:
        logger.debug("cannot start a compiling process: %s", exc)
        return False
    _PENDING.setdefault(key, []).append((proc, mix))
    logger.debug("compiling the training kernel (size %d, %d noise words, %s) in process %d",
                 key[0], key[1], "+".join(n for n, on in (("ns", ns), ("hs", hs)) if on),
                 proc.pid)
    return True


def start_compile_process(vector_size: int, negative: int, ns: bool, hs: bool,
                          stderr: int | None = subprocess.PIPE) -> subprocess.Popen:
    """A new interpreter that compiles one chunk kernel into the disk cache (then exits).

    Raises OSError when no process can be started.
    """
    pkg_root = str(Path(__file__).resolve().parents[2])  # the folder holding wordvec/
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([pkg_root] + [p for p in sys.path if p])
    code = ("import sys; from wordvec.train import kernels as k; "
            "k.compile_now(*map(int, sys.argv[1:5]))")
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code, str(int(vector_size)), str(int(negative) if ns else 0),
         str(int(ns)), str(int(hs))],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
    )


def _free_core() -> bool:
    from wordvec.train.config import default_workers

    cores = default_workers()
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cores > 1
    return cores > 1 and load < cores - 0.5


def compile_now(vector_size: int, negative: int, ns: int, hs: int) -> None:
    """Compile (or load from the disk cache) one chunk kernel in this process."""
    key = (int(vector_size), int(negative) if ns else 0)
    _dispatcher(key).compile(_signature(example_args(key[0], key[1], bool(ns), bool(hs))))


def _wait_background(key: tuple[int, int]) -> None:
    for proc, mix in _PENDING.pop(key, []):
        t0 = time.perf_counter()
        _, err = proc.communicate()
        if proc.returncode:
            logger.debug("background compile %s failed: %s", mix,
                         err.decode(errors="replace").strip().splitlines()[-1:])
        else:
            logger.debug("waited %.2f s for the background compile", time.perf_counter() - t0)


#: fastText's update: output rows each chunk keeps a private copy of (see train_chunk).
PRIVATE_HOT_ROWS = 1024
#: Hierarchical softmax: the inner nodes nearest the root each chunk keeps a private
#: copy of (see train_chunk).
PRIVATE_HS_ROWS = 1024


def _make_chunk_kernel(D: int, K: int):  # noqa: ANN202, N803
    MN = K + 1  # outputs of one negative-sampling block
    MNP = 3 * ((MN + 2) // 3)  # padded to the micro-kernel width

    @njit(cache=True, nogil=True, fastmath=FASTMATH)
    def train_chunk(
        ids: np.ndarray, bounds: np.ndarray, syn0: np.ndarray, keep: np.ndarray,
        ns: NegTables | None, hs: HSTables | None, rules: Rules, rate: Rate, seed: int,
        stats: np.ndarray, sub: Subwords | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Train on one chunk of the corpus.

        ids: int32 word ids of the chunk; bounds: int64 sentence limits inside
        it (0 first, len(ids) last). syn0: the input vectors, updated in place
        (Hogwild), like the objectives' output matrices. keep: per-word
        subsampling keep probability. ns / hs: the objectives' tables
        (:class:`NegTables`, :class:`HSTables`), or None for an objective not
        trained -- Numba compiles a separate specialisation per mix and drops
        the code of an absent objective. rules: the architecture and window;
        rate: the learning rate falls linearly from ``rate.alpha0`` (at word 0)
        to ``rate.alpha1`` (at word ``rate.total``); this chunk starts at word
        ``rate.pos0`` of all epochs. stats (float64[3]) receives the loss sum,
        the number of training examples and the number of words kept after
        subsampling. sub: :class:`Subwords` for fastText's subword model, or
        None for plain word rows (a separate specialisation, so the plain
        kernel carries none of this code): a word's input is then the mean of
        its rows, and its input gradient is added in full to each of them,
        as fastText does for skip-gram and CBOW.
        """
        sg = rules.sg
        cbow_mean = rules.cbow_mean
        batched = rules.batched
        window = rules.window
        alpha0 = rate.alpha0
        alpha1 = rate.alpha1
        pos0 = rate.pos0
        total = rate.total
        state = _seed_state(np.uint64(seed))
        n_tok = ids.shape[0]
        W2 = 2 * window
        maxl = hs.codes.shape[1] if hs is not None else 1
        HP = 3 * ((maxl + 2) // 3)
        MP = max(MNP, HP)
        sen = np.empty(n_tok, np.int32)
        spos = np.empty(n_tok, np.int32)
        ctx = np.empty(W2, np.int64)
        zrow = np.zeros(1, np.int64)
        hbuf = np.empty((1, D), np.float32)
        hin = np.empty((W2, D), np.float32)  # subword inputs of the context words (sg)
        iota = np.arange(W2).astype(np.int64)
        din = np.empty((W2, D), np.float32)
        gm = np.empty(W2 * MP, np.float32)
        # negative sampling: output 0 is the centre word (label 1), then K noise
        # words (label 0), then padding (weight 0); the same for every input row
        outs = np.empty(MNP, np.int64)
        wv = np.zeros(MNP, np.float32)
        wv[:MN] = 1.0
        nlf = np.zeros(W2 * MNP, np.float32)
        nwf = np.zeros(W2 * MNP, np.float32)
        for r in range(W2):
            nlf[r * MNP] = 1.0
            for m in range(MN):
                nwf[r * MNP + m] = 1.0
        # hierarchical softmax: the centre word's path, labels 1 - code
        hout = np.empty(HP, np.int64)
        hlab = np.zeros(HP, np.float32)
        hw = np.zeros(HP, np.float32)
        hlf = np.zeros(W2 * HP, np.float32)
        hwf = np.zeros(W2 * HP, np.float32)
        # Every path starts at the root, so the inner nodes near it are written by
        # every example of every thread: their cache lines would bounce between
        # cores on each step. With skip-gram's window blocks, each chunk keeps a
        # private copy of the most visited ones (the last created: the highest ids)
        # and adds its change back at its end; a window's path rows are gathered
        # from the private or the shared rows into hloc, trained there, and their
        # changes added back. A one-row block (CBOW, per-pair skip-gram) trains on
        # the shared rows: there the gathering cost more than it saved.
        hgather = hs is not None and sg and batched
        hbase = 0
        hpriv = np.empty((1, D), np.float32)
        hloc = np.empty((HP, D), np.float32)
        hold = np.empty((HP, D), np.float32)
        hidx = np.arange(HP).astype(np.int64)
        if hgather:
            hbase = max(0, hs.output.shape[0] - PRIVATE_HS_ROWS)
            hpriv = hs.output[hbase:].copy()
        hsnap = hpriv.copy()
        nxt = np.empty(MN, np.int64)  # noise words drawn one window ahead
        # subword skip-gram with shared noise words: the centre word is the input, its
        # context words and the noise words the outputs (see below)
        SP = 3 * ((W2 + K + 2) // 3)
        souts = np.empty(SP, np.int64)
        slf = np.zeros(SP, np.float32)
        swf = np.zeros(SP, np.float32)
        sgm = np.empty(SP, np.float32)
        # fastText's update writes noise rows for every pair; the most frequent words'
        # rows (the first ones: the vocabulary is sorted by count) are then written so
        # often by every thread that the cache lines holding them bounce between cores.
        # Each chunk keeps a private copy of them and adds its change back at its end.
        hot = 0
        priv = np.empty((1, D), np.float32)
        if sub is not None and ns is not None:
            if sg and not batched and hs is None:
                hot = min(PRIVATE_HOT_ROWS, ns.output.shape[0])
                priv = ns.output[:hot].copy()
        snap = priv.copy()
        # the same for the input rows of the most used n-grams and words, if given
        pin = np.empty((1, D), np.float32)
        if sub is not None:
            nh = sub.hot.shape[0]
            if nh > 0:
                pin = np.empty((nh, D), np.float32)
                for h in range(nh):
                    for d in range(D):
                        pin[h, d] = syn0[sub.hot[h], d]
        psnap = pin.copy()
        loss = 0.0
        examples = 0
        kept = 0
        dalpha = (alpha0 - alpha1) / total
        ahead = batched or not sg  # one set of noise words per window

        if ns is not None:
            for k in range(K):
                nxt[k], state = _draw(state, ns.alias_p, ns.alias_i)

        for s in range(bounds.shape[0] - 1):
            # frequent-word subsampling (the C tool's formula, precomputed in keep)
            n = 0
            for p in range(bounds[s], bounds[s + 1]):
                w = ids[p]
                kp = keep[w]
                if kp < 1.0:
                    state = _next(state)
                    if kp < _uniform(state):
                        continue
                sen[n] = w
                spos[n] = p
                n += 1
            kept += n

            for i in range(n):
                alpha = alpha0 - dalpha * (pos0 + spos[i])
                state = _next(state)
                b = _below(state, window)  # the C tool's reduced window
                lo = max(0, i - window + b)
                hi = min(n, i + window + 1 - b)
                nc = 0
                for j in range(lo, hi):
                    if j != i:
                        ctx[nc] = sen[j]
                        nc += 1
                if nc == 0:
                    continue
                centre = sen[i]
                if i + 1 < n:
                    nxt_centre = sen[i + 1]
                    if ns is not None:
                        _prefetch_row(ns.output, nxt_centre, D)
                    if i + window + 1 < n:
                        _prefetch_row(syn0, sen[i + window + 1], D)

                if not sg:
                    for d in range(D):
                        hbuf[0, d] = 0.0
                    if sub is None:
                        # CBOW: the input is the mean (or sum) of the context vectors
                        for c in range(nc):
                            row = ctx[c]
                            for d in range(D):
                                hbuf[0, d] += syn0[row, d]
                        if cbow_mean:
                            inv = np.float32(1.0 / nc)
                            for d in range(D):
                                hbuf[0, d] *= inv
                    else:
                        # CBOW over subwords: the mean (or sum) of every row of every
                        # context word, as fastText averages its bag of subwords
                        nrows = 0
                        for c in range(nc):
                            w = ctx[c]
                            for q in range(sub.indptr[w], sub.indptr[w + 1]):
                                row = sub.rows[q]
                                nrows += 1
                                for d in range(D):
                                    hbuf[0, d] += syn0[row, d]
                        if cbow_mean and nrows > 0:
                            inv = np.float32(1.0 / nrows)
                            for d in range(D):
                                hbuf[0, d] *= inv

                if sub is not None and sg and hs is None:
                    # Subword skip-gram, fastText's direction: the input is the centre word,
                    # the mean of its rows, read once per window; the outputs are its
                    # context words (label 1) and noise words (label 0). Every pair's input
                    # gradient goes in full to each of the centre's rows, so their mean
                    # moves by exactly that gradient: the kernel keeps the mean up to date
                    # itself and writes the rows once, at the end of the window, where
                    # fastText reads and writes them for every pair.
                    q0 = sub.indptr[centre]
                    q1 = sub.indptr[centre + 1]
                    for d in range(D):
                        hin[0, d] = 0.0
                    for q in range(q0, q1):
                        row = sub.rows[q]
                        X = pin if row < 0 else syn0
                        row = -row - 1 if row < 0 else row
                        for d in range(D):
                            hin[0, d] += X[row, d]
                    inv = np.float32(1.0 / max(q1 - q0, 1))
                    for d in range(D):
                        hin[0, d] *= inv
                        din[0, d] = 0.0
                        din[1, d] = 0.0
                    if batched:
                        # one step for the whole window: K noise words shared by its pairs,
                        # noise word k weighted by the number of pairs it does not clash
                        # with; as the input is the same for every pair, the pairs' blocks
                        # are one row (Ji et al.'s update)
                        for c in range(nc):
                            souts[c] = ctx[c]
                            slf[c] = 1.0
                            swf[c] = 1.0
                        for k in range(K):
                            wk = nxt[k]
                            cnt = 0
                            for c in range(nc):
                                if ctx[c] != wk:
                                    cnt += 1
                            souts[nc + k] = wk
                            slf[nc + k] = 0.0
                            swf[nc + k] = np.float32(cnt)
                        smp = 3 * ((nc + K + 2) // 3)
                        for m in range(nc + K, smp):
                            souts[m] = ctx[0]
                            swf[m] = 0.0
                        for k in range(K):
                            nxt[k], state = _draw(state, ns.alias_p, ns.alias_i)
                            _prefetch_row(ns.output, nxt[k], D)
                        loss += _block(hin, zrow, 0, 1, ns.output, souts, swf, smp,
                                       slf, swf, sgm, din, alpha, D)
                        total_row = 0
                    else:
                        # fastText's update: pair by pair, K fresh noise words each, drawn
                        # a pair ahead so that their rows are on their way to the cache
                        smp = 3 * ((K + 3) // 3)
                        for c in range(nc):
                            souts[0] = ctx[c]
                            slf[0] = 1.0
                            swf[0] = 1.0
                            for k in range(K):
                                wk = nxt[k]
                                souts[1 + k] = wk
                                slf[1 + k] = 0.0
                                swf[1 + k] = 0.0 if wk == ctx[c] else 1.0
                                nxt[k], state = _draw(state, ns.alias_p, ns.alias_i)
                                _prefetch_row(ns.output, nxt[k], D)
                            for m in range(K + 1, smp):
                                souts[m] = ctx[c]
                                swf[m] = 0.0
                            loss += _row_block(hin, 0, ns.output, priv, hot, souts, smp,
                                               slf, swf, sgm, din, alpha, D)
                            for d in range(D):
                                hin[0, d] += din[0, d]
                                din[1, d] += din[0, d]
                                din[0, d] = 0.0
                        total_row = 1
                    for q in range(q0, q1):
                        row = sub.rows[q]
                        X = pin if row < 0 else syn0
                        row = -row - 1 if row < 0 else row
                        for d in range(D):
                            X[row, d] += din[total_row, d]
                    examples += nc
                    continue

                if hs is not None:
                    L = hs.lengths[centre]
                    for m in range(L):
                        hout[m] = hs.points[centre, m]
                        hlab[m] = 1.0 - hs.codes[centre, m]
                        hw[m] = 1.0
                    for m in range(L, HP):
                        hout[m] = hout[0]
                        hw[m] = 0.0
                    hp = 3 * ((L + 2) // 3)

                if sg and not batched:
                    ngroups = nc
                    gsize = 1
                else:
                    ngroups = 1
                    gsize = nc if sg else 1

                if sub is None:
                    A = syn0 if sg else hbuf
                    arow = ctx if sg else zrow
                else:
                    A = hin if sg else hbuf
                    arow = iota if sg else zrow
                for grp in range(ngroups):
                    r_lo = grp * gsize if sg else 0
                    for r in range(gsize):
                        for d in range(D):
                            din[r, d] = 0.0
                    if sub is not None:
                        # skip-gram over subwords: each context word's input is its rows' mean
                        for r in range(r_lo, r_lo + gsize if sg else 0):
                            w = ctx[r]
                            for d in range(D):
                                hin[r, d] = 0.0
                            q0 = sub.indptr[w]
                            q1 = sub.indptr[w + 1]
                            for q in range(q0, q1):
                                row = sub.rows[q]
                                for d in range(D):
                                    hin[r, d] += syn0[row, d]
                            inv = np.float32(1.0 / max(q1 - q0, 1))
                            for d in range(D):
                                hin[r, d] *= inv

                    if ns is not None:
                        outs[0] = centre
                        clash = False
                        for k in range(K):
                            if ahead:
                                wk = nxt[k]
                            else:
                                wk, state = _draw(state, ns.alias_p, ns.alias_i)
                            outs[1 + k] = wk
                            if wk == centre:
                                # the C tool skips a noise word equal to the centre word
                                clash = True
                                wv[1 + k] = 0.0
                                for r in range(gsize):
                                    nwf[r * MNP + 1 + k] = 0.0
                        for k in range(MN, MNP):
                            outs[k] = centre
                        if ahead:
                            for k in range(K):
                                nxt[k], state = _draw(state, ns.alias_p, ns.alias_i)
                                _prefetch_row(ns.output, nxt[k], D)
                        loss += _block(A, arow, r_lo, gsize, ns.output, outs, wv, MNP,
                                       nlf, nwf, gm, din, alpha, D)
                        if clash:
                            for k in range(K):
                                wv[1 + k] = 1.0
                                for r in range(gsize):
                                    nwf[r * MNP + 1 + k] = 1.0

                    if hs is not None:
                        for r in range(gsize):
                            for m in range(hp):
                                hlf[r * hp + m] = hlab[m]
                                hwf[r * hp + m] = hw[m]
                        if not hgather:
                            loss += _block(A, arow, r_lo, gsize, hs.output, hout, hw, hp,
                                           hlf, hwf, gm, din, alpha, D)
                        else:
                            for m in range(hp):
                                o = hout[m]
                                X = hpriv if o >= hbase else hs.output
                                o = o - hbase if o >= hbase else o
                                for d in range(D):
                                    hloc[m, d] = X[o, d]
                                    hold[m, d] = X[o, d]
                            loss += _block(A, arow, r_lo, gsize, hloc, hidx, hw, hp,
                                           hlf, hwf, gm, din, alpha, D)
                            for m in range(L):
                                o = hout[m]
                                X = hpriv if o >= hbase else hs.output
                                o = o - hbase if o >= hbase else o
                                for d in range(D):
                                    X[o, d] += hloc[m, d] - hold[m, d]

                    # apply the input gradients
                    if sub is not None:
                        # fastText adds the whole gradient to every row of the word
                        if sg:
                            for r in range(gsize):
                                w = ctx[r_lo + r]
                                for q in range(sub.indptr[w], sub.indptr[w + 1]):
                                    row = sub.rows[q]
                                    for d in range(D):
                                        syn0[row, d] += din[r, d]
                            examples += gsize
                        else:
                            for c in range(nc):
                                w = ctx[c]
                                for q in range(sub.indptr[w], sub.indptr[w + 1]):
                                    row = sub.rows[q]
                                    for d in range(D):
                                        syn0[row, d] += din[0, d]
                            examples += 1
                    elif sg:
                        for r in range(gsize):
                            row = ctx[r_lo + r]
                            for d in range(D):
                                syn0[row, d] += din[r, d]
                        examples += gsize
                    else:
                        for c in range(nc):
                            row = ctx[c]
                            for d in range(D):
                                syn0[row, d] += din[0, d]
                        examples += 1

        if ns is not None:
            for r in range(hot):
                for d in range(D):
                    ns.output[r, d] += priv[r, d] - snap[r, d]
        if hgather:
            for r in range(hpriv.shape[0]):
                for d in range(D):
                    hs.output[hbase + r, d] += hpriv[r, d] - hsnap[r, d]
        if sub is not None:
            for h in range(sub.hot.shape[0]):
                for d in range(D):
                    syn0[sub.hot[h], d] += pin[h, d] - psnap[h, d]
        stats[0] = loss
        stats[1] = examples
        stats[2] = kept
        return stats

    return train_chunk
