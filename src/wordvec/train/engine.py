"""The training engine: one epoch (or a slice of one) over chunks of an encoded corpus.

This is the public door every driver goes through -- the :class:`~wordvec.train.word2vec.Word2Vec`
estimator on one machine today, replicas on a cluster or a GPU tomorrow. The engine
owns none of the weights: the caller passes the input matrix and the objectives
(each holding its own output matrix), and the engine updates them in place.

The pieces, top to bottom:

* :class:`ChunkPlan` -- the corpus cut into chunks of about ``chunk_words``
  tokens on sentence boundaries, in training order; :meth:`ChunkPlan.shard`
  takes a subset (a shard) for a driver that splits the corpus.
* :class:`NegativeSampling`, :class:`HierarchicalSoftmax` -- the objectives.
  Each owns its sampling table (alias table / Huffman tree), its output matrix
  and the name that matrix has in files; :func:`objectives_for` is the one
  place that picks them from a configuration.
* :class:`Schedule` -- the learning rate, falling linearly over all the words
  of a run.
* :class:`EpochState` -- the accumulators of one epoch (next chunk, words,
  loss and examples per thread, per-chunk losses). It outlives pauses, so an
  epoch can stop anywhere between chunks and go on later, even in another
  process (checkpoints store it); :class:`RunState` is a run of several epochs.
* :class:`Engine` -- runs an epoch's remaining chunks with ``workers`` Hogwild
  threads, calling the compiled kernel (:mod:`wordvec.train.kernels`), and reports
  progress.

Drive it yourself (two replicas on two halves of a corpus, then averaged)::

    plan = ChunkPlan.for_corpus(corpus, chunk_words=10_000)
    halves = plan.shard(range(0, len(plan), 2)), plan.shard(range(1, len(plan), 2))
    replicas = []
    for half in halves:
        syn0 = initial_vectors(len(corpus.vocab), config.vector_size, config.seed)
        objectives = objectives_for(config, corpus.vocab)
        engine = Engine(config, corpus, syn0, objectives, plan=half, epochs=1)
        state = engine.new_state()
        engine.run_epoch(0, state)
        replicas.append(syn0)
    average = sum(replicas) / len(replicas)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from wordvec.errors import TrainingError
from wordvec.train import kernels
from wordvec.train.config import Word2VecConfig

__all__ = [
    "CHUNK_REGIONS",
    "ChunkPlan",
    "Engine",
    "EpochState",
    "HierarchicalSoftmax",
    "NegativeSampling",
    "Objective",
    "Progress",
    "ProgressFn",
    "RunState",
    "Schedule",
    "SliceReport",
    "initial_vectors",
    "interleave",
    "make_chunks",
    "objective_classes",
    "objectives_for",
]

#: Number of corpus regions whose chunks are interleaved in the training order.
CHUNK_REGIONS = 8


# ----------------------------------------------------------------------------- chunks
def make_chunks(offsets: np.ndarray, chunk_words: int) -> list[tuple[int, int, np.ndarray]]:
    """Cut the corpus into pieces of about ``chunk_words`` tokens on sentence boundaries.

    Returns ``(start, stop, bounds)`` per chunk in corpus order, with ``bounds``
    the sentence limits relative to ``start`` (int64, 0 first, ``stop - start`` last).
    """
    offsets = np.asarray(offsets, np.int64)
    n = int(offsets[-1]) if len(offsets) else 0
    if n == 0:
        return []
    targets = np.arange(chunk_words, n, chunk_words, dtype=np.int64)
    cut = np.unique(np.searchsorted(offsets, targets, side="left"))
    cut = cut[(cut > 0) & (cut < len(offsets) - 1)]
    sent_cuts = np.concatenate(([0], cut, [len(offsets) - 1]))
    chunks = []
    for s0, s1 in zip(sent_cuts[:-1], sent_cuts[1:], strict=True):
        if s1 <= s0:
            continue
        start, stop = int(offsets[s0]), int(offsets[s1])
        if stop > start:
            chunks.append((start, stop, offsets[s0 : s1 + 1] - start))
    return chunks


def interleave(items: Sequence, regions: int) -> list:
    """Reorder as r0[0], r1[0], ..., r0[1], r1[1], ... over ``regions`` equal parts."""
    n = len(items)
    regions = max(1, min(regions, n))
    bounds = [n * r // regions for r in range(regions + 1)]
    order: list[int] = []
    for i in range(max(bounds[r + 1] - bounds[r] for r in range(regions)) if n else 0):
        for r in range(regions):
            if bounds[r] + i < bounds[r + 1]:
                order.append(bounds[r] + i)
    return [items[i] for i in order]


class ChunkPlan:
    """Chunks of an encoded corpus in the order they are trained.

    Attributes:
        chunks: ``(start, stop, bounds)`` per chunk (see :func:`make_chunks`).
        keys: a stable number per chunk (its place in the whole corpus's plan),
            which seeds the chunk's random stream: a shard draws the same
            random numbers for a chunk as the whole plan does.
        seq_start: corpus words before each chunk in this plan's order; the
            learning rate of a chunk follows from it.
        n_words: tokens in all chunks.
        max_chunk: tokens in the largest chunk (the size of a read buffer).
    """

    def __init__(self, chunks: Sequence[tuple[int, int, np.ndarray]],
                 keys: Iterable[int] | None = None) -> None:
        self.chunks = list(chunks)
        self.keys = (np.arange(len(self.chunks), dtype=np.int64) if keys is None
                     else np.fromiter(keys, np.int64, len(self.chunks)))
        sizes = np.array([b - a for a, b, _ in self.chunks], dtype=np.int64)
        self.seq_start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.n_words = int(sizes.sum())
        self.max_chunk = int(sizes.max()) if len(sizes) else 0

    @classmethod
    def for_corpus(cls, corpus: Any, chunk_words: int, regions: int = CHUNK_REGIONS) -> ChunkPlan:
        """The whole corpus, its chunks interleaved over ``regions`` distant regions.

        Threads running side by side then work on different parts of the text and
        fight less over the same rows (two workers trained ~10% faster on the main
        corpus than in plain corpus order).
        """
        return cls(interleave(make_chunks(corpus.offsets, chunk_words), regions))

    def shard(self, indices: Iterable[int]) -> ChunkPlan:
        """The chunks at ``indices`` (positions in this plan), keeping their keys."""
        idx = list(indices)
        return ChunkPlan([self.chunks[i] for i in idx], (int(self.keys[i]) for i in idx))

    def __len__(self) -> int:
        return len(self.chunks)


# ----------------------------------------------------------------------------- objectives
class Objective:
    """What a training objective owns: its sampling table and its output matrix.

    Subclasses set :attr:`output_name` (the matrix's name on the model and in
    files), build their tables from a vocabulary and size their output matrix.
    The engine hands the tables and the matrix to the compiled kernel.
    """

    #: attribute of the model and array name in checkpoints for the output matrix
    output_name: ClassVar[str] = ""
    output: np.ndarray

    @staticmethod
    def output_rows(n_words: int) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def new_output(cls, n_words: int, dim: int) -> np.ndarray:
        """A fresh output matrix: zeros, as the C tool starts it."""
        return np.zeros((cls.output_rows(n_words), dim), np.float32)

    @classmethod
    def from_config(cls, config: Word2VecConfig, vocab: Any,
                    output: np.ndarray | None = None) -> Objective:  # pragma: no cover
        """Build the objective's tables over ``vocab``; ``output`` defaults to zeros."""
        raise NotImplementedError

    def kernel_tables(self) -> tuple:  # pragma: no cover - abstract
        """The tables as the compiled kernel takes them (a NamedTuple of arrays)."""
        raise NotImplementedError


class NegativeSampling(Objective):
    """Negative sampling: the centre word against ``negative`` noise words.

    Noise words come from the unigram distribution raised to ``exponent``
    (0.75 in the C tool), sampled with an alias table in constant time.
    """

    output_name = "syn1neg"

    def __init__(self, vocab: Any, negative: int, exponent: float, output: np.ndarray) -> None:
        p, a = vocab.alias_table(exponent)
        self.exponent = float(exponent)
        self.negative = int(negative)
        self.alias_p = np.ascontiguousarray(p, np.float32)
        self.alias_i = np.ascontiguousarray(a, np.int32)
        self.output = output

    @staticmethod
    def output_rows(n_words: int) -> int:
        return n_words

    def kernel_tables(self) -> kernels.NegTables:
        return kernels.NegTables(self.output, self.alias_p, self.alias_i)

    @classmethod
    def from_config(cls, config: Word2VecConfig, vocab: Any,
                    output: np.ndarray | None = None) -> NegativeSampling:
        if output is None:
            output = cls.new_output(len(vocab), config.vector_size)
        return cls(vocab, config.negative, config.ns_exponent, output)


class HierarchicalSoftmax(Objective):
    """Hierarchical softmax over the Huffman tree of the vocabulary's counts.

    A word's probability is the product of binary decisions along its path
    from the root; ``output`` holds one vector per inner node (``V - 1`` rows).
    """

    output_name = "syn1"

    def __init__(self, vocab: Any, output: np.ndarray) -> None:
        codes, points, lengths = vocab.huffman()
        self.codes = np.ascontiguousarray(codes, np.uint8)
        self.points = np.ascontiguousarray(points, np.int32)
        self.lengths = np.ascontiguousarray(lengths, np.int32)
        self.output = output

    @staticmethod
    def output_rows(n_words: int) -> int:
        return max(n_words - 1, 1)

    def kernel_tables(self) -> kernels.HSTables:
        return kernels.HSTables(self.output, self.codes, self.points, self.lengths)

    @classmethod
    def from_config(cls, config: Word2VecConfig, vocab: Any,
                    output: np.ndarray | None = None) -> HierarchicalSoftmax:
        if output is None:
            output = cls.new_output(len(vocab), config.vector_size)
        return cls(vocab, output)


def objective_classes(config: Word2VecConfig) -> list[type[Objective]]:
    """The objectives ``config`` asks for: the only switch on ``negative`` and ``hs``.

    Both may be on (the C tool then trains both into the same input vectors).
    """
    found: list[type[Objective]] = []
    if config.negative > 0:
        found.append(NegativeSampling)
    if config.hs:
        found.append(HierarchicalSoftmax)
    return found


def objectives_for(
    config: Word2VecConfig, vocab: Any, outputs: dict[str, np.ndarray] | None = None
) -> list[Objective]:
    """The objectives ``config`` asks for, built over ``vocab``.

    ``outputs`` maps output names (``"syn1neg"``, ``"syn1"``) to existing
    matrices to train further; missing ones start at zero.
    """
    outputs = outputs or {}
    return [cls.from_config(config, vocab, outputs.get(cls.output_name))
            for cls in objective_classes(config)]


#: Matrices of at least this many floats are drawn in blocks on several threads.
PARALLEL_INIT_FLOATS = 1 << 24
_INIT_BLOCK_FLOATS = 1 << 22


def initial_vectors(n_words: int, dim: int, seed: Any, half_width: float = 0.5) -> np.ndarray:
    """Input vectors initialised as the C tool does: uniform in [-0.5, 0.5) / dim.

    ``seed`` is anything :func:`numpy.random.default_rng` takes. ``half_width``
    1.0 gives gensim's range, [-1, 1) / dim (the same draws, doubled).

    A matrix of ``PARALLEL_INIT_FLOATS`` floats or more (fastText's 2M-bucket
    matrix: 200M) is drawn in fixed blocks of rows, each from its own stream
    spawned from ``seed``, on every core: the result depends on the seed only,
    not on the number of cores, and fastText's 800 MB start takes a fraction of
    the 2.5 s one stream needed.
    """
    if n_words * dim < PARALLEL_INIT_FLOATS:
        rows = np.random.default_rng(seed).random((n_words, dim), dtype=np.float32)
        rows -= np.float32(0.5)
        if half_width != 0.5:
            rows *= np.float32(2.0 * half_width)
        rows /= np.float32(dim)
        return rows
    from concurrent.futures import ThreadPoolExecutor

    from wordvec.train.config import default_workers

    rows = np.empty((n_words, dim), np.float32)
    step = max(1, _INIT_BLOCK_FLOATS // dim)
    starts = range(0, n_words, step)
    streams = np.random.SeedSequence(seed).spawn(len(starts))
    scale = np.float32(2.0 * half_width / dim)

    def fill(i: int) -> None:
        block = rows[starts[i]:starts[i] + step]
        np.random.default_rng(streams[i]).random(out=block, dtype=np.float32)
        block -= np.float32(0.5)
        block *= scale

    with ThreadPoolExecutor(max(1, default_workers())) as pool:
        list(pool.map(fill, range(len(starts))))
    return rows


#: fastText's update: input rows each chunk keeps a private copy of (the most used).
PRIVATE_SUBWORD_ROWS = 4096


def private_subword_table(sub: kernels.Subwords, weight: np.ndarray,
                          n: int = PRIVATE_SUBWORD_ROWS) -> kernels.Subwords:
    """``sub`` for the kernel with its ``n`` most used input rows kept privately.

    A row's use is the sum of ``weight`` (a word's expected count after
    subsampling) over the words that list it: the words' own rows of frequent
    words and n-grams such as "ing>" are written by every thread all the time,
    and their cache lines would bounce between the cores. The kernel reads and
    writes those rows in a private copy per chunk and adds its change back at the
    chunk's end; in ``rows`` they appear as ``-(slot + 1)``.
    """
    lens = np.diff(sub.indptr)
    use = np.bincount(sub.rows, weights=np.repeat(weight[:len(lens)], lens))
    n = min(n, int(np.count_nonzero(use)))
    if n == 0:
        return sub
    hot = np.argsort(-use, kind="stable")[:n].astype(np.int32)
    slot = np.full(len(use), -1, np.int64)
    slot[hot] = np.arange(n)
    s = slot[sub.rows]
    rows = np.where(s >= 0, -(s + 1), sub.rows).astype(np.int32)
    return kernels.Subwords(sub.indptr, rows, hot)


# ----------------------------------------------------------------------------- state
@dataclass
class Schedule:
    """The learning rate: linear from ``alpha0`` to ``alpha1`` over ``total`` words."""

    alpha0: float
    alpha1: float
    total: float

    def alpha_at(self, pos: float) -> float:
        """Learning rate after ``pos`` words of the run."""
        frac = min(pos / self.total, 1.0) if self.total > 0 else 1.0
        return self.alpha0 - (self.alpha0 - self.alpha1) * frac


@dataclass
class SliceReport:
    """What a run of the engine did: words, training examples, mean loss, seconds."""

    words: int
    examples: int
    loss: float
    seconds: float


class EpochState:
    """Accumulators of one epoch. They outlive pauses (checkpoints, stop requests),
    and a checkpoint stores them, so an epoch can be finished in another process.

    Attributes:
        next_chunk: every chunk of the plan below this position is trained.
        words: corpus words of the trained chunks.
        loss, examples: float64 sums per worker thread, added only when read
            (no lost updates between threads, no float32 rounding).
        chunk_loss, chunk_examples: loss sum and example count of each chunk.
        seconds: training time spent on this epoch so far.
    """

    def __init__(self, n_workers: int, n_chunks: int) -> None:
        self.next_chunk = 0
        self.words = 0
        self.loss = np.zeros(max(1, n_workers), np.float64)
        self.examples = np.zeros(max(1, n_workers), np.float64)
        self.chunk_loss = np.full(n_chunks, np.nan)
        self.chunk_examples = np.zeros(n_chunks, np.float64)
        self.seconds = 0.0

    @property
    def n_chunks(self) -> int:
        return len(self.chunk_loss)

    @property
    def finished(self) -> bool:
        return self.next_chunk >= self.n_chunks

    @property
    def mean_loss(self) -> float:
        ex = float(self.examples.sum())
        return float(self.loss.sum()) / ex if ex else float("nan")

    def chunk_means(self) -> np.ndarray:
        """Mean loss per example of each trained chunk (NaN for chunks without examples)."""
        k = self.next_chunk
        ex = self.chunk_examples[:k]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ex > 0, self.chunk_loss[:k] / np.where(ex > 0, ex, 1.0), np.nan)

    def report(self) -> SliceReport:
        return SliceReport(int(self.words), int(self.examples.sum()), self.mean_loss,
                           self.seconds)

    def to_position(self) -> dict[str, Any]:
        """The JSON-friendly part (the arrays are ``chunk_loss`` and ``chunk_examples``)."""
        return {"chunk": int(self.next_chunk), "chunks": self.n_chunks,
                "words": int(self.words), "loss": float(self.loss.sum()),
                "examples": float(self.examples.sum()), "seconds": float(self.seconds)}

    @classmethod
    def from_position(cls, position: dict[str, Any], chunk_loss: np.ndarray,
                      chunk_examples: np.ndarray, n_workers: int = 1) -> EpochState:
        """Rebuild a paused epoch from :meth:`to_position` and the two arrays."""
        st = cls(n_workers, int(position["chunks"]))
        st.next_chunk = int(position["chunk"])
        st.words = int(position["words"])
        st.loss[0] = float(position["loss"])
        st.examples[0] = float(position["examples"])
        st.chunk_loss[:] = chunk_loss
        st.chunk_examples[:] = chunk_examples
        st.seconds = float(position.get("seconds", 0.0))
        return st


@dataclass
class RunState:
    """One training run (one ``train`` call): the learning-rate schedule spans its epochs.

    Attributes:
        first_epoch: epochs the model had done when the run began.
        epochs: epochs of the run.
        state: the unfinished epoch, if the run was paused inside one.
    """

    first_epoch: int
    epochs: int
    state: EpochState | None = None

    @property
    def last_epoch(self) -> int:
        return self.first_epoch + self.epochs


@dataclass
class Progress:
    """A progress report, passed to the ``progress`` callback every ``progress_every`` seconds.

    Attributes:
        epoch: current epoch, counting from 1.
        epochs: epochs in this call to ``train``.
        words_done: corpus words processed so far in this call (before subsampling).
        words_total: corpus words this call will process (``epochs * n_tokens``).
        words_per_sec: ``words_done`` over the seconds elapsed.
        alpha: the current learning rate.
        loss: mean loss per training example so far in this epoch (NaN before any).
        elapsed: seconds since training started.
        eta: estimated seconds left.
    """

    epoch: int
    epochs: int
    words_done: int
    words_total: int
    words_per_sec: float
    alpha: float
    loss: float
    elapsed: float
    eta: float

    @property
    def fraction(self) -> float:
        """Share of the work done, 0..1."""
        return self.words_done / self.words_total if self.words_total else 1.0


ProgressFn = Callable[[Progress], Any]


class _Shared:
    """What the worker threads of one epoch segment share besides the epoch state."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self.diverged_chunk = -1
        self.stop = threading.Event()


# ----------------------------------------------------------------------------- engine
class Engine:
    """Trains chunks of an encoded corpus into weights it is given, with Hogwild threads.

    Args:
        config: the settings (architecture, window, subsampling, seed, workers...).
        corpus: an :class:`~wordvec.text.encoded.EncodedCorpus` (anything with
            ``read(start, stop, buf)``, ``offsets`` and ``vocab``).
        syn0: the input vectors, float32 ``(V, vector_size)``, updated in place.
        objectives: from :func:`objectives_for`; their output matrices are
            updated in place.
        plan: the chunks to train (default: the whole corpus).
        epochs: epochs of the run; with ``plan`` they fix the learning-rate schedule.
        first_epoch: epochs done before the run (they enter the random seeds).
        workers: threads (default ``config.n_workers``).
        keep: per-word probability of keeping a token (default from ``config.sample``).
        subwords: :class:`~wordvec.train.kernels.Subwords` for fastText's subword
            model (``syn0`` then has a row per word and per n-gram bucket, and a
            word's input is the mean of its rows), or None for one row per word.
    """

    def __init__(
        self,
        config: Word2VecConfig,
        corpus: Any,
        syn0: np.ndarray,
        objectives: Sequence[Objective],
        *,
        plan: ChunkPlan | None = None,
        epochs: int = 1,
        first_epoch: int = 0,
        workers: int | None = None,
        keep: np.ndarray | None = None,
        subwords: kernels.Subwords | None = None,
    ) -> None:
        self.config = config
        self.corpus = corpus
        self.syn0 = syn0
        self.plan = plan if plan is not None else ChunkPlan.for_corpus(corpus, config.chunk_words)
        self.epochs = epochs
        self.first_epoch = first_epoch
        self.n = self.plan.n_words
        self.schedule = Schedule(config.start_alpha, config.end_alpha, float(epochs) * self.n)
        self.keep = np.ascontiguousarray(
            keep if keep is not None else corpus.vocab.keep_probs(config.sample), np.float32)
        self.objectives = list(objectives)
        ns = next((o for o in self.objectives if isinstance(o, NegativeSampling)), None)
        hs = next((o for o in self.objectives if isinstance(o, HierarchicalSoftmax)), None)
        if ns is None and hs is None:
            raise TrainingError("the engine needs at least one objective "
                                "(NegativeSampling or HierarchicalSoftmax)")
        d = config.vector_size
        self.subwords = subwords
        self._subwords = subwords  # as the kernel takes them
        if (subwords is not None and config.model == "sg" and ns is not None and hs is None
                and not config.shared_negatives):
            self._subwords = private_subword_table(
                subwords, np.asarray(corpus.vocab.counts, np.float64) * self.keep)
        n_words = len(syn0) if subwords is None else len(subwords.indptr) - 1
        for o in self.objectives:
            if o.output.shape != (o.output_rows(n_words), d) or o.output.dtype != np.float32:
                raise TrainingError(f"{o.output_name} has shape {o.output.shape}, expected "
                                    f"{(o.output_rows(n_words), d)} float32")
        self._ns = ns.kernel_tables() if ns is not None else None
        self._hs = hs.kernel_tables() if hs is not None else None
        self._rules = kernels.Rules(config.model == "sg", bool(config.cbow_mean),
                                    bool(config.shared_negatives), int(config.window))
        self.kernel = kernels.chunk_kernel(d, ns.negative if ns is not None else 0)
        self.workers = min(workers or config.n_workers, max(1, len(self.plan)))
        self.words_at_start: int | None = None
        #: a driver's own word position of chunk ``k`` in epoch ``e`` for the learning
        #: rate, ``position(e, k)`` (a cluster replica counts the words of all replicas);
        #: None: the position in this plan
        self.position: Callable[[int, int], float] | None = None

    # the learning rate and divergence message are the estimator's words for its user
    def alpha_at(self, pos: float) -> float:
        """Learning rate after ``pos`` words of this run."""
        return self.schedule.alpha_at(pos)

    def new_state(self) -> EpochState:
        return EpochState(self.workers, len(self.plan))

    def divergence(self, epoch: int, chunk: int) -> TrainingError:
        c = self.config
        n = len(self.plan)
        where = f" (chunk {chunk + 1} of {n})" if 0 <= chunk < n else ""
        return TrainingError(
            f"training diverged in epoch {self.first_epoch + epoch + 1}{where}: the loss or the "
            f"weights became NaN or infinite. Lower the learning rate (alpha={c.start_alpha:g}; "
            f"try alpha={c.start_alpha / 4:g})"
            + (" or use cbow_mean=1" if c.model == "cbow" and not c.cbow_mean else "")
        )

    def chunk_seed(self, epoch: int, k: int) -> int:
        """The random seed of chunk ``k`` in ``epoch``: a distinct stream per (seed, epoch,
        chunk key), so a shard or another driver draws the same numbers for a chunk."""
        return (self.config.seed * 0x9E3779B97F4A7C15 + (self.first_epoch + epoch) * 1_000_003
                + int(self.plan.keys[k])) % (1 << 63)

    def train_chunk(self, epoch: int, k: int, buf: np.ndarray, stats: np.ndarray) -> int:
        """Train chunk ``k`` of the plan in epoch ``epoch`` (of this run); return its words.

        ``stats`` receives the chunk's loss sum and example count.
        """
        start, stop, bounds = self.plan.chunks[k]
        ids = self.corpus.read(start, stop, buf)
        seed = self.chunk_seed(epoch, k)
        pos = (float(epoch) * self.n + float(self.plan.seq_start[k]) if self.position is None
               else float(self.position(epoch, k)))
        rate = kernels.Rate(self.schedule.alpha0, self.schedule.alpha1, pos,
                            self.schedule.total)
        self.kernel(ids, bounds, self.syn0, self.keep, self._ns, self._hs, self._rules, rate,
                    seed, stats, self._subwords)
        return stop - start

    def run_epoch(
        self,
        epoch: int,
        st: EpochState,
        pause: Callable[[], bool] | None = None,
        progress: ProgressFn | None = None,
        every: float = 1.0,
        t0: float | None = None,
    ) -> bool:
        """Train the chunks of ``epoch`` (0-based, of this run) from ``st.next_chunk`` on.

        Before taking each chunk a thread asks ``pause()``; once it says yes,
        the threads finish the chunks they hold and this returns False, with
        ``st`` describing exactly the chunks done (all chunks below
        ``st.next_chunk``). Returns True when the epoch is complete.
        ``progress`` is called from the calling thread about every ``every``
        seconds. Raises :class:`TrainingError` when a chunk's loss is not finite.
        """
        pause = pause if pause is not None else _never
        t0 = time.perf_counter() if t0 is None else t0
        shared = _Shared()
        n_chunks = len(self.plan)
        done_before = epoch * self.n
        if self.words_at_start is None:  # the rate counts the words of this run only
            self.words_at_start = done_before + st.words
        words_at_start = self.words_at_start
        total = self.schedule.total

        def report(last: list[float]) -> None:
            now = time.perf_counter()
            if progress is None or now - last[0] < every:
                return
            last[0] = now
            with shared.lock:
                words = done_before + st.words
                loss = st.mean_loss
            elapsed = now - t0
            wps = (words - words_at_start) / elapsed if elapsed > 0 else 0.0
            progress(Progress(
                epoch=epoch + 1, epochs=self.epochs, words_done=int(words),
                words_total=int(total), words_per_sec=wps, alpha=self.alpha_at(words),
                loss=loss, elapsed=elapsed,
                eta=(total - words) / wps if wps > 0 else float("inf"),
            ))

        def record(w: int, k: int, words: int, stats: np.ndarray) -> None:
            st.words += words
            st.loss[w] += stats[0]
            st.examples[w] += stats[1]
            st.chunk_loss[k] = stats[0]
            st.chunk_examples[k] = stats[1]

        def worker(w: int) -> None:
            buf = np.empty(self.plan.max_chunk, np.int32)
            stats = np.zeros(3, np.float64)
            try:
                while not shared.stop.is_set() and not pause():
                    with shared.lock:
                        k = st.next_chunk
                        if k >= n_chunks:
                            return
                        st.next_chunk += 1
                    words = self.train_chunk(epoch, k, buf, stats)
                    with shared.lock:
                        record(w, k, words, stats)
                    if not math.isfinite(stats[0]):
                        shared.diverged_chunk = k
                        shared.stop.set()
                        return
            except BaseException as exc:  # pragma: no cover - surfaced in the caller
                shared.error = exc
                shared.stop.set()

        last = [time.perf_counter()]
        if self.workers == 1:
            # in the calling thread: deterministic order, progress between chunks
            buf = np.empty(self.plan.max_chunk, np.int32)
            stats = np.zeros(3, np.float64)
            while st.next_chunk < n_chunks:
                if pause():
                    return False
                k = st.next_chunk
                words = self.train_chunk(epoch, k, buf, stats)
                record(0, k, words, stats)
                st.next_chunk = k + 1
                if not math.isfinite(stats[0]):
                    raise self.divergence(epoch, k)
                report(last)
            return True
        threads = [
            threading.Thread(target=worker, args=(w,), name=f"wordvec-train-{w}", daemon=True)
            for w in range(self.workers)
        ]
        for t in threads:
            t.start()
        try:
            for t in threads:
                while t.is_alive():
                    t.join(timeout=min(every, 0.25))
                    report(last)
        except BaseException:
            shared.stop.set()
            for t in threads:
                t.join()
            raise
        if shared.error is not None:
            raise shared.error
        if shared.diverged_chunk >= 0:
            raise self.divergence(epoch, shared.diverged_chunk)
        report(last)  # threads may finish a short epoch before the first report
        return st.next_chunk >= n_chunks


def _never() -> bool:
    return False
