"""The GPU engine: word2vec training on one NVIDIA GPU with Numba's CUDA compiler.

It trains the same model as the CPU engine (:mod:`wordvec.train.kernels`) from
the same public pieces of :mod:`wordvec.train.engine` -- the :class:`ChunkPlan`,
the :class:`Schedule`, the :class:`EpochState` and the noise alias table of
:class:`NegativeSampling` -- so vocabulary, learning-rate schedule, loss
reporting, progress, checkpoints and output formats are the estimator's own.
:meth:`Word2Vec.engine` hands out a :class:`CudaEngine` when
``config.device == "cuda"``.

How the work is cut and moved:

* **Batches.** Consecutive chunks of the plan are grouped into batches of
  about ``batch_words`` tokens (:func:`batch_ranges`); one kernel launch trains
  one batch. The epoch state still records every chunk (its loss and examples),
  so a pause, a checkpoint or a resume lands between chunks as on the CPU --
  at a batch boundary.
* **Segments.** Each sentence of a batch is cut into segments of at most
  ``segment_words`` tokens (:func:`batch_layout`); one thread block trains one
  segment, so a text8-style corpus (10,000-word sentences) still gives
  thousands of blocks. Windows do not reach across a cut (about
  ``2 * window / segment_words`` of the pairs are lost, 1% at the defaults).
* **Double buffering.** Two host/device buffer pairs and two CUDA streams: while
  batch ``j`` trains on one stream, the host reads batch ``j + 1`` from the
  encoded corpus and queues its upload and launch on the other
  (:func:`run_pipeline`). Results are collected in batch order.

Inside a block (one segment), as in the CPU engine's default skip-gram update
(Ji et al. 2016) and in FULL-W2V (Randall et al. 2021):

* thread 0 subsamples the segment with the block's own random stream
  (xorshift32 seeded per segment from the chunk's seed), then, for each
  centre word, draws the shrunk window and the noise words (alias table);
* the window's context rows and the centre/noise output rows are cached in
  shared memory; one thread per (context, output) pair computes the scores,
  gradients and loss (sigmoid tables as the CPU kernel); then one thread per
  dimension applies the updates to global memory (Hogwild float32 writes, the
  same order of accumulation as the CPU kernel for repeated words);
* skip-gram shares the noise words across the window (the CPU default);
  CBOW trains the mean (or sum) of the context rows against them.

Hierarchical softmax and the per-pair skip-gram update are refused on the GPU
(:meth:`Word2VecConfig.validate`): the Huffman paths do not fit the
shared-memory layout cleanly.

The kernels run unchanged under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``,
read when Numba is imported), which is how the test suite checks them without a GPU.
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import cuda  # a module global: the CUDA simulator swaps it inside kernels

from wordvec.errors import ConfigError
from wordvec.train import kernels
from wordvec.train.config import Word2VecConfig
from wordvec.train.engine import (
    ChunkPlan,
    Engine,
    EpochState,
    NegativeSampling,
    Objective,
    Progress,
    ProgressFn,
)

__all__ = [
    "BATCH_WORDS",
    "SEGMENT_WORDS",
    "Batch",
    "CudaEngine",
    "batch_layout",
    "batch_ranges",
    "cuda_available",
    "require_cuda",
    "run_pipeline",
    "segment_seeds",
    "shared_bytes",
    "simulator_enabled",
    "train_segments",
]

#: Tokens per kernel launch on a real GPU (the simulator uses one chunk per launch).
BATCH_WORDS = 4_000_000
#: Longest run of tokens one thread block trains; longer sentences are cut.
SEGMENT_WORDS = 1024
#: Threads per block under the CUDA simulator (each is a Python thread there).
SIM_THREADS = 4
#: Shared memory a block may use without opting in (bytes).
SHARED_LIMIT = 48 * 1024


# ----------------------------------------------------------------------------- device
def simulator_enabled() -> bool:
    """True when Numba runs CUDA kernels in its simulator (``NUMBA_ENABLE_CUDASIM=1``)."""
    from numba.core import config as numba_config

    return bool(numba_config.ENABLE_CUDASIM)


def cuda_available() -> bool:
    """True when ``numba.cuda`` can run kernels: a usable GPU, or the simulator."""
    if simulator_enabled():
        return True
    try:
        return bool(cuda.is_available())
    except Exception:  # pragma: no cover - a broken driver install
        return False


def require_cuda() -> None:
    """Raise :class:`ConfigError` (one line) when ``device='cuda'`` cannot run here."""
    if not cuda_available():
        raise ConfigError(
            "device 'cuda' needs an NVIDIA GPU with a working CUDA driver, and numba.cuda "
            "found none here; train on the CPU instead (device='cpu')"
        )


@contextlib.contextmanager
def _simulator_pace() -> Iterator[None]:
    """Under the simulator, let Python switch threads often while kernels run.

    The simulator's block manager polls its threads in a busy loop, so every
    ``syncthreads`` waits for the interpreter's thread switch (5 ms by default);
    a 10 us switch interval makes the simulated kernels 5-10x faster. Nothing
    changes on a real GPU.
    """
    if not simulator_enabled():
        yield
        return
    _lock_simulated_shared_arrays()
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _lock_simulated_shared_arrays() -> None:
    """Make the simulator's ``cuda.shared.array`` safe when threads switch often.

    The simulator (Numba 0.59-0.68) finds a block's shared array by the calling
    line with an unguarded get-then-insert: two threads that interleave there
    get two different arrays, and one of them never sees what the others write
    (seen as garbage indices and runs that differ under load). Same lookup,
    under a lock.
    """
    from numba.core import types
    from numba.cuda.simulator import kernelapi
    from numba.np import numpy_support

    cls = kernelapi.FakeCUDAShared
    if getattr(cls, "_wordvec_locked", False):
        return
    plain = cls.array
    lock = threading.Lock()

    def array(self, shape, dtype):  # noqa: ANN001, ANN202 - the simulator's signature
        if shape == 0:  # dynamic shared memory: one buffer, no race
            return plain(self, shape, dtype)
        frame = sys._getframe(1)
        caller = (frame.f_code.co_filename, frame.f_lineno)
        with lock:
            found = self._allocations.get(caller)
            if found is None:
                if isinstance(dtype, types.Type):
                    dtype = numpy_support.as_dtype(dtype)
                found = self._allocations[caller] = np.empty(shape, dtype)
        return found

    cls.array = array
    cls._wordvec_locked = True


def shared_bytes(vector_size: int, window: int, negative: int) -> int:
    """Shared memory one thread block of the kernel uses."""
    dp = _padded(vector_size)
    w2, mn = 2 * window, negative + 1
    return 4 * ((w2 + mn) * dp + 2 * w2 * mn + mn + w2 + mn + 8)


def _padded(d: int) -> int:
    """Row stride in shared memory: odd, so rows fall in different banks."""
    return d if d % 2 else d + 1


def _threads(d: int) -> int:
    """Threads per block: a warp per 32 dimensions (the simulator: 4, one Python thread each)."""
    if simulator_enabled():
        return SIM_THREADS
    return min(256, 32 * ((d + 31) // 32))


# ----------------------------------------------------------------------------- host side
def batch_ranges(plan: ChunkPlan, first: int, batch_words: int) -> list[tuple[int, int]]:
    """Group the chunks ``first..`` of ``plan`` into runs of about ``batch_words`` tokens.

    Returns ``(k0, k1)`` plan positions per batch (chunks ``k0 <= k < k1``), in
    order, each holding at least one chunk.
    """
    out: list[tuple[int, int]] = []
    k0 = first
    n = len(plan)
    while k0 < n:
        words = 0
        k1 = k0
        while k1 < n and (k1 == k0 or words + _size(plan, k1) <= batch_words):
            words += _size(plan, k1)
            k1 += 1
        out.append((k0, k1))
        k0 = k1
    return out


def _size(plan: ChunkPlan, k: int) -> int:
    start, stop, _ = plan.chunks[k]
    return stop - start


def segment_seeds(chunk_seed: int, n: int) -> np.ndarray:
    """``n`` non-zero uint32 seeds for the segments of a chunk (splitmix64, vectorised)."""
    z = (np.uint64(chunk_seed % (1 << 64))
         + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    s = (z & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    s[s == 0] = 1  # xorshift32 never leaves 0
    return s


@dataclass
class Batch:
    """One kernel launch: chunks ``k0 <= k < k1`` of the plan, cut into segments.

    Attributes:
        k0, k1: the plan positions of its chunks.
        words: tokens in the batch (``len(ids)`` once read).
        seg_start, seg_len: where each segment lies in the batch's ids (int32).
        seg_chunk: the chunk (``0 .. k1 - k0 - 1``) each segment belongs to.
        seg_pos: run position (words) of each segment's first token: the
            learning rate of a token at offset ``j`` is ``alpha_at(seg_pos + j)``.
        seg_seed: the random seed of each segment's block (uint32).
    """

    k0: int
    k1: int
    words: int
    seg_start: np.ndarray
    seg_len: np.ndarray
    seg_chunk: np.ndarray
    seg_pos: np.ndarray
    seg_seed: np.ndarray

    @property
    def n_segments(self) -> int:
        return len(self.seg_start)


def batch_layout(plan: ChunkPlan, k0: int, k1: int, segment_words: int,
                 epoch_pos: float, chunk_seed: Callable[[int], int]) -> Batch:
    """The segments of chunks ``k0..k1`` of ``plan`` (host arrays, no corpus read).

    ``epoch_pos`` is the run position of the epoch's first word;
    ``chunk_seed(k)`` the random seed of chunk ``k`` (as the CPU engine's).
    """
    starts, lens, chunk_of, pos, seeds = [], [], [], [], []
    base = 0
    for j, k in enumerate(range(k0, k1)):
        start, stop, bounds = plan.chunks[k]
        b = np.asarray(bounds, np.int64)
        sl = np.diff(b)
        pieces = (sl + segment_words - 1) // segment_words
        sent_start = np.repeat(b[:-1], pieces)
        within = np.arange(int(pieces.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(pieces) - pieces, pieces)
        s0 = sent_start + within * segment_words
        s1 = np.minimum(s0 + segment_words, np.repeat(b[1:], pieces))
        keep = s1 > s0
        s0, s1 = s0[keep], s1[keep]
        starts.append(base + s0)
        lens.append(s1 - s0)
        chunk_of.append(np.full(len(s0), j, np.int32))
        pos.append(epoch_pos + float(plan.seq_start[k]) + s0.astype(np.float64))
        seeds.append(segment_seeds(chunk_seed(k), len(s0)))
        base += stop - start

    def cat(parts: list, dtype: Any) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return Batch(k0, k1, base, cat(starts, np.int32), cat(lens, np.int32),
                 cat(chunk_of, np.int32), cat(pos, np.float64), cat(seeds, np.uint32))


def run_pipeline(
    batches: Sequence[tuple[int, int]],
    submit: Callable[[int, tuple[int, int]], Any],
    collect: Callable[[int, Any], bool],
    pause: Callable[[], bool],
    slots: int = 2,
) -> bool:
    """Keep up to ``slots`` batches in flight, collecting them in order.

    ``submit(slot, batch)`` reads a batch into buffer ``slot`` and queues its
    upload and kernel (asynchronously); ``collect(slot, handle)`` waits for it,
    records it and returns False to stop (a diverged batch). Before submitting a
    batch ``pause()`` is asked; once it says yes, the batches in flight are
    collected and this returns False. A buffer is reused only after the batch
    that held it was collected. Returns True when every batch was collected.
    """
    inflight: list[tuple[int, Any]] = []
    ok = True
    for j, batch in enumerate(batches):
        if pause():
            ok = False
            break
        slot = j % slots
        if len(inflight) == slots:  # the oldest batch holds this slot
            s, h = inflight.pop(0)
            if not collect(s, h):
                ok = False
                break
        inflight.append((slot, submit(slot, batch)))
    while inflight:
        s, h = inflight.pop(0)
        if not collect(s, h):
            ok = False
    return ok


# ----------------------------------------------------------------------------- kernels
_SIG, _LOGSIG = kernels.sigmoid_tables()
_KERNELS: dict = {}


def _kernel(D: int, K: int, window: int, sg: bool, cbow_mean: bool):  # noqa: ANN202, N803
    key = (D, K, window, sg, cbow_mean)
    if key not in _KERNELS:
        _KERNELS[key] = _make_kernel(*key)
    return _KERNELS[key]


def _make_kernel(D: int, K: int, window: int, sg: bool, cbow_mean: bool):  # noqa: ANN202, N803, C901
    from numba import float32, float64, int32, uint32, uint64

    MN = K + 1
    W2 = 2 * window
    DP = _padded(D)
    TPB = _threads(D)
    LO = np.float32(-kernels.MAX_EXP)
    HI = np.float32(kernels.MAX_EXP * (1.0 - 1e-6))
    TSCALE = np.float32(len(_SIG) / (2.0 * kernels.MAX_EXP))
    SIG, LOGSIG = _SIG, _LOGSIG
    INV24 = np.float32(1.0 / (1 << 24))
    S13, S17, S5, S8, S32 = (np.uint32(13), np.uint32(17), np.uint32(5), np.uint32(8),
                             np.uint64(32))
    F0, F1 = np.float32(0.0), np.float32(1.0)

    @cuda.jit(device=True)
    def xorshift(x):  # noqa: ANN001, ANN202
        x ^= x << S13
        x ^= x >> S17
        x ^= x << S5
        return x

    @cuda.jit(device=True)
    def uniform(x):  # noqa: ANN001, ANN202
        return float32(x >> S8) * INV24

    @cuda.jit(device=True)
    def below(x, n):  # noqa: ANN001, ANN202
        return int32((uint64(x) * uint64(n)) >> S32)

    @cuda.jit
    def train(ids, seg_start, seg_len, seg_pos, seg_seed, sen, spos,  # noqa: ANN001, ANN202
              syn0, syn1neg, keep, alias_p, alias_i, alpha0, dalpha, stats,  # noqa: ANN001
              given, fixed_b, fixed_noise):  # noqa: ANN001
        """One block trains one segment; see the module docstring."""
        s_ctx = cuda.shared.array(W2, int32)
        s_out = cuda.shared.array(MN, int32)
        s_w = cuda.shared.array(MN, float32)
        s_int = cuda.shared.array(4, int32)
        s_alpha = cuda.shared.array(1, float32)
        s_a = cuda.shared.array((W2, DP), float32)
        s_b = cuda.shared.array((MN, DP), float32)
        s_g = cuda.shared.array(W2 * MN, float32)
        s_l = cuda.shared.array(W2 * MN, float32)
        sig = cuda.const.array_like(SIG)
        logsig = cuda.const.array_like(LOGSIG)

        tid = cuda.threadIdx.x
        seg = cuda.blockIdx.x
        start = seg_start[seg]
        state = uint32(seg_seed[seg])
        loss = float64(0.0)
        examples = float64(0.0)
        V = alias_p.shape[0]

        # 1. subsampling (thread 0): kept words and their offsets into sen/spos
        if tid == 0:
            n = 0
            for p in range(seg_len[seg]):
                w = ids[start + p]
                kp = keep[w]
                if kp < F1:
                    state = xorshift(state)
                    if kp < uniform(state):
                        continue
                sen[start + n] = w
                spos[start + n] = p
                n += 1
            s_int[1] = n
        cuda.syncthreads()
        n = s_int[1]

        for i in range(n):
            # 2. the window and the noise words (thread 0)
            if tid == 0:
                if given:
                    b = fixed_b[start + i]
                else:
                    state = xorshift(state)
                    b = below(state, window)
                lo = max(0, i - window + b)
                hi = min(n, i + window + 1 - b)
                nc = 0
                for j in range(lo, hi):
                    if j != i:
                        s_ctx[nc] = sen[start + j]
                        nc += 1
                s_int[0] = nc
                centre = sen[start + i]
                s_out[0] = centre
                s_w[0] = F1
                if nc > 0:
                    for k in range(K):
                        if given:
                            wk = fixed_noise[start + i, k]
                        else:
                            state = xorshift(state)
                            wk = below(state, V)
                            state = xorshift(state)
                            if uniform(state) >= alias_p[wk]:
                                wk = alias_i[wk]
                        s_out[1 + k] = wk
                        # the C tool skips a noise word equal to the centre word
                        s_w[1 + k] = F0 if wk == centre else F1
                s_alpha[0] = float32(alpha0 - dalpha * (seg_pos[seg] + float64(spos[start + i])))
            cuda.syncthreads()
            nc = s_int[0]
            if nc > 0:
                nr = nc if sg else 1
                alpha = s_alpha[0]
                # 3. cache the input rows (skip-gram: the context rows; CBOW: their mean)
                if sg:
                    for e in range(tid, nc * D, TPB):
                        r = e // D
                        d = e - r * D
                        s_a[r, d] = syn0[s_ctx[r], d]
                else:
                    for d in range(tid, D, TPB):
                        acc = F0
                        for c in range(nc):
                            acc += syn0[s_ctx[c], d]
                        if cbow_mean:
                            acc *= float32(1.0 / nc)
                        s_a[0, d] = acc
                for e in range(tid, MN * D, TPB):
                    m = e // D
                    d = e - m * D
                    s_b[m, d] = syn1neg[s_out[m], d]
                cuda.syncthreads()
                # 4. scores, gradients and loss: one thread per (input, output) pair
                for e in range(tid, nr * MN, TPB):
                    r = e // MN
                    m = e - r * MN
                    f = F0
                    for d in range(D):
                        f += s_a[r, d] * s_b[m, d]
                    fc = f if f > LO else LO
                    fc = fc if fc < HI else HI
                    t = int32((fc - LO) * TSCALE)
                    lab = F1 if m == 0 else F0
                    w = s_w[m]
                    s_g[e] = w * (lab - sig[t]) * alpha
                    bl = LO - f
                    ab = f - HI
                    bl = bl if bl > F0 else F0
                    ab = ab if ab > F0 else F0
                    # f * 0 carries a NaN score into the loss, where Python sees it
                    s_l[e] = w * ((F1 - lab) * (fc + ab) - logsig[t] + lab * bl) + f * F0
                cuda.syncthreads()
                if tid == 0:
                    part = F0
                    for e in range(nr * MN):
                        part += s_l[e]
                    loss += float64(part)
                    examples += float64(nr)
                # 5. updates, one thread per dimension (so repeated rows add up in order)
                for d in range(tid, D, TPB):
                    if sg:
                        for r in range(nr):
                            acc = F0
                            for m in range(MN):
                                acc += s_g[r * MN + m] * s_b[m, d]
                            syn0[s_ctx[r], d] += acc
                    else:
                        acc = F0
                        for m in range(MN):
                            acc += s_g[m] * s_b[m, d]
                        for c in range(nc):
                            syn0[s_ctx[c], d] += acc
                    for m in range(MN):
                        if s_w[m] != F0:
                            acc = F0
                            for r in range(nr):
                                acc += s_g[r * MN + m] * s_a[r, d]
                            syn1neg[s_out[m], d] += acc
            cuda.syncthreads()

        if tid == 0:
            stats[seg, 0] = loss
            stats[seg, 1] = examples
            stats[seg, 2] = float64(n)

    return train, TPB


# ----------------------------------------------------------------------------- driver
def train_segments(
    config: Word2VecConfig, ids: np.ndarray, seg_start: np.ndarray, seg_len: np.ndarray,
    syn0: np.ndarray, ns: NegativeSampling, keep: np.ndarray, *, alpha: float,
    seg_pos: np.ndarray | None = None, dalpha: float = 0.0,
    seg_seed: np.ndarray | None = None, draws: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Train segments of ``ids`` once, synchronously (a debug and test entry point).

    ``syn0`` and ``ns.output`` are updated in place. ``draws = (b, noise)``
    replaces the block's random draws: ``b[p]`` is the window shrink and
    ``noise[p]`` the ``negative`` noise words of the kept word at offset ``p``
    of the segments (give ``sample=0`` so that every word is kept). Returns the
    per-segment statistics ``(loss, examples, kept)``, float64.
    """
    kern, tpb = _kernel(config.vector_size, ns.negative, config.window,
                        config.model == "sg", bool(config.cbow_mean))
    n_seg = len(seg_start)
    ids = np.ascontiguousarray(ids, np.int32)
    seg_pos = np.zeros(n_seg) if seg_pos is None else np.asarray(seg_pos, np.float64)
    seg_seed = (segment_seeds(config.seed, n_seg) if seg_seed is None
                else np.asarray(seg_seed, np.uint32))
    if draws is None:
        given, fb, fn = False, np.zeros(1, np.int32), np.zeros((1, max(1, ns.negative)), np.int32)
    else:
        given = True
        fb = np.ascontiguousarray(draws[0], np.int32)
        fn = np.ascontiguousarray(draws[1], np.int32).reshape(len(fb), ns.negative)
    d_syn0 = cuda.to_device(syn0)
    d_out = cuda.to_device(ns.output)
    stats = cuda.device_array((n_seg, 3), np.float64)
    with _simulator_pace():
        kern[n_seg, tpb](
            cuda.to_device(ids), cuda.to_device(np.asarray(seg_start, np.int32)),
            cuda.to_device(np.asarray(seg_len, np.int32)), cuda.to_device(seg_pos),
            cuda.to_device(seg_seed), cuda.device_array(len(ids), np.int32),
            cuda.device_array(len(ids), np.int32), d_syn0, d_out,
            cuda.to_device(np.ascontiguousarray(keep, np.float32)), cuda.to_device(ns.alias_p),
            cuda.to_device(ns.alias_i), float(alpha), float(dalpha), stats,
            given, cuda.to_device(fb), cuda.to_device(fn))
    d_syn0.copy_to_host(syn0)
    d_out.copy_to_host(ns.output)
    return stats.copy_to_host()


class CudaEngine(Engine):
    """The :class:`Engine` with its epochs trained on the GPU.

    Same constructor and interface (:meth:`run_epoch`, :meth:`new_state`,
    :meth:`divergence`); the weights are uploaded when :meth:`run_epoch` starts
    and copied back into ``syn0`` and the output matrix whenever it returns
    (at the end of an epoch, and at a pause for a checkpoint or a stop).

    Extra keyword arguments: ``batch_words`` (tokens per kernel launch) and
    ``segment_words`` (longest run of tokens one thread block trains).
    """

    def __init__(self, config: Word2VecConfig, corpus: Any, syn0: np.ndarray,
                 objectives: Sequence[Objective], *, batch_words: int | None = None,
                 segment_words: int = SEGMENT_WORDS, **kwargs: Any) -> None:
        require_cuda()
        super().__init__(config, corpus, syn0, objectives, **kwargs)
        ns = next((o for o in self.objectives if isinstance(o, NegativeSampling)), None)
        if ns is None or len(self.objectives) != 1:
            raise ConfigError("the GPU engine trains negative sampling only (hs=0, negative>0)")
        need = shared_bytes(config.vector_size, config.window, ns.negative)
        if need > SHARED_LIMIT:
            raise ConfigError(
                f"vector_size {config.vector_size}, window {config.window} and negative "
                f"{ns.negative} need {need} bytes of GPU shared memory per block, more than "
                f"{SHARED_LIMIT}; lower the window or the vector size, or use device='cpu'")
        self.ns = ns
        self.segment_words = int(segment_words)
        self.batch_words = int(batch_words if batch_words is not None
                               else (config.chunk_words if simulator_enabled() else BATCH_WORDS))
        self.kernel, self.tpb = _kernel(config.vector_size, ns.negative, config.window,
                                        config.model == "sg", bool(config.cbow_mean))

    def run_epoch(
        self,
        epoch: int,
        st: EpochState,
        pause: Callable[[], bool] | None = None,
        progress: ProgressFn | None = None,
        every: float = 1.0,
        t0: float | None = None,
    ) -> bool:
        """Train the chunks of ``epoch`` from ``st.next_chunk`` on; see :meth:`Engine.run_epoch`.

        ``pause()`` is asked before each batch; the batches in flight are then
        finished and recorded, and the weights copied back, before this returns False.
        """
        pause = pause if pause is not None else _never
        t0 = time.perf_counter() if t0 is None else t0
        done_before = epoch * self.n
        if self.words_at_start is None:
            self.words_at_start = done_before + st.words
        words_at_start = self.words_at_start
        total = self.schedule.total
        dalpha = (self.schedule.alpha0 - self.schedule.alpha1) / total if total > 0 else 0.0
        ranges = batch_ranges(self.plan, st.next_chunk, self.batch_words)
        if not ranges:
            return st.finished
        cap_words = max(sum(_size(self.plan, k) for k in range(a, b)) for a, b in ranges)
        layouts: dict[int, Batch] = {}

        streams = [cuda.stream(), cuda.stream()]
        host_ids = [cuda.pinned_array(cap_words, np.int32) for _ in streams]
        d_ids = [cuda.device_array(cap_words, np.int32) for _ in streams]
        d_sen = [cuda.device_array(cap_words, np.int32) for _ in streams]
        d_spos = [cuda.device_array(cap_words, np.int32) for _ in streams]
        d_syn0 = cuda.to_device(self.syn0)
        d_out = cuda.to_device(self.ns.output)
        d_keep = cuda.to_device(self.keep)
        d_ap = cuda.to_device(self.ns.alias_p)
        d_ai = cuda.to_device(self.ns.alias_i)
        d_fb = cuda.to_device(np.zeros(1, np.int32))
        d_fn = cuda.to_device(np.zeros((1, max(1, self.ns.negative)), np.int32))
        diverged = [-1]
        last = [time.perf_counter()]

        def submit(slot: int, rng: tuple[int, int]) -> Any:
            lay = batch_layout(self.plan, rng[0], rng[1], self.segment_words,
                               float(done_before), lambda k: self.chunk_seed(epoch, k))
            layouts[slot] = lay
            buf = host_ids[slot]
            off = 0
            for k in range(rng[0], rng[1]):  # read on the host while the other slot trains
                start, stop, _ = self.plan.chunks[k]
                self.corpus.read(start, stop, buf[off:])
                off += stop - start
            s = streams[slot]
            d_ids[slot][:off].copy_to_device(buf[:off], stream=s)
            seg = [cuda.to_device(a, stream=s) for a in
                   (lay.seg_start, lay.seg_len, lay.seg_pos, lay.seg_seed)]
            stats = cuda.device_array((max(1, lay.n_segments), 3), np.float64, stream=s)
            if lay.n_segments:
                self.kernel[lay.n_segments, self.tpb, s](
                    d_ids[slot], *seg, d_sen[slot], d_spos[slot], d_syn0, d_out, d_keep,
                    d_ap, d_ai, float(self.schedule.alpha0), float(dalpha), stats,
                    False, d_fb, d_fn)
            return stats, seg  # seg: keep the uploads alive until collected

        def collect(slot: int, handle: Any) -> bool:
            stats_dev, _ = handle
            streams[slot].synchronize()
            lay = layouts[slot]
            stats = stats_dev.copy_to_host()[: lay.n_segments]
            n_chunks = lay.k1 - lay.k0
            loss = np.zeros(n_chunks)
            ex = np.zeros(n_chunks)
            np.add.at(loss, lay.seg_chunk, stats[:, 0])
            np.add.at(ex, lay.seg_chunk, stats[:, 1])
            for j in range(n_chunks):
                st.chunk_loss[lay.k0 + j] = loss[j]
                st.chunk_examples[lay.k0 + j] = ex[j]
            st.loss[0] += loss.sum()
            st.examples[0] += ex.sum()
            st.words += lay.words
            st.next_chunk = lay.k1
            bad = np.flatnonzero(~np.isfinite(loss))
            self._report(epoch, st, progress, every, t0, last, words_at_start)
            if len(bad):
                diverged[0] = lay.k0 + int(bad[0])
                return False
            return True

        try:
            with _simulator_pace():
                finished = run_pipeline(ranges, submit, collect, pause)
        finally:
            d_syn0.copy_to_host(self.syn0)
            d_out.copy_to_host(self.ns.output)
        if diverged[0] >= 0:
            raise self.divergence(epoch, diverged[0])
        return finished and st.finished

    def _report(self, epoch: int, st: EpochState, progress: ProgressFn | None, every: float,
                t0: float, last: list[float], words_at_start: float) -> None:
        now = time.perf_counter()
        if progress is None or (now - last[0] < every and not st.finished):
            return
        last[0] = now
        words = epoch * self.n + st.words
        elapsed = now - t0
        wps = (words - words_at_start) / elapsed if elapsed > 0 else 0.0
        total = self.schedule.total
        progress(Progress(
            epoch=epoch + 1, epochs=self.epochs, words_done=int(words),
            words_total=int(total), words_per_sec=wps, alpha=self.alpha_at(words),
            loss=st.mean_loss, elapsed=elapsed,
            eta=(total - words) / wps if wps > 0 else math.inf,
        ))


def _never() -> bool:
    return False
