"""The word2vec trainer: skip-gram and CBOW, negative sampling and hierarchical softmax.

This module holds the policy; the arithmetic lives in :mod:`wordvec.kernels`.

* :class:`Word2VecConfig` -- every hyperparameter, with the word2vec C tool's
  defaults and names.
* :class:`Word2Vec` -- a scikit-learn-shaped estimator: configure it, call
  :meth:`Word2Vec.fit` on a corpus, read the learned state from attributes
  (``wv``, ``syn0``, ``syn1neg``, ``syn1``, ``losses``...).

How training runs. The corpus is encoded once as int32 ids
(:mod:`wordvec.encoded`) and cut into chunks of about ``chunk_words`` tokens
on sentence boundaries. ``workers`` Python threads take chunks from a shared
counter, read them with ``pread`` (so resident memory does not grow with the
corpus) and hand them to the compiled kernel, which releases the GIL. Threads
update the shared weights without locks ("Hogwild", as the C tool and gensim
do). The learning rate falls linearly from ``alpha`` to ``min_alpha`` over all
words of all epochs; each chunk's rate follows from its position in the
corpus, not from wall-clock order, so it does not depend on thread timing.

Reproducibility. Every chunk has its own random stream seeded from
``(seed, epoch, chunk)``, and the weights are initialised from ``seed``. With
``workers=1`` chunks run in order, so the same seed and data give
bit-identical vectors on every run (on the same machine and library versions).
With more workers the chunks' updates interleave in an order set by thread
timing, so results differ slightly from run to run (as with the C tool and
gensim), while the quality does not.

Example::

    >>> from wordvec.synthetic import generate_sentences
    >>> model = Word2Vec(vector_size=16, min_count=2, epochs=1, workers=1)
    >>> model = model.fit(generate_sentences(5_000, seed=1))
    >>> model.wv["king"].shape
    (16,)
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordvec import kernels
from wordvec.errors import ConfigError, TrainingError

logger = logging.getLogger("wordvec")

__all__ = [
    "EpochReport",
    "Progress",
    "StopTraining",
    "Word2Vec",
    "Word2VecConfig",
    "default_workers",
]

_MODELS = ("sg", "cbow")


def default_workers() -> int:
    """Number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Word2VecConfig:
    """Hyperparameters of :class:`Word2Vec`, with the word2vec C tool's defaults.

    Attributes:
        vector_size: dimensions of the word vectors (C tool ``-size``).
        window: maximum distance between a word and its context words; each
            position uses a random window of 1..``window`` (``-window``).
        model: ``"sg"`` (skip-gram) or ``"cbow"`` (``-cbow 0/1``; the C tool and
            gensim default to CBOW).
        hs: 1 to train with hierarchical softmax (``-hs``).
        negative: number of noise words for negative sampling, 0 for none
            (``-negative``). ``hs=1`` and ``negative>0`` together train both.
        cbow_mean: CBOW input is the mean (1) or the sum (0) of the context vectors.
        sample: subsampling threshold for frequent words, 0 to keep all (``-sample``).
        min_count: words seen fewer times are dropped (``-min-count``).
        alpha: starting learning rate; ``None`` means 0.025 for skip-gram and
            0.05 for CBOW (``-alpha``).
        min_alpha: final learning rate, reached after the last word of the
            last epoch; ``None`` means ``alpha * 1e-4`` (the C tool's floor).
        epochs: passes over the corpus (``-iter``).
        workers: training threads; ``None`` means every core (``-threads``).
        seed: random seed for initialisation and sampling.
        max_vocab_size: bound the vocabulary while counting (C tool pruning).
        max_final_vocab: keep at most this many words (raises ``min_count``).
        shared_negatives: ``True`` (default): skip-gram shares one set of
            noise words across a window and updates the window as small
            matrix products (Ji et al. 2016), which is several times faster
            at the same accuracy. ``False``: the C tool's update, fresh noise
            words for every (word, context) pair. CBOW is the same either way.
        ns_exponent: exponent of the unigram noise distribution.
        max_sentence_length: longer sentences are cut (10,000 like gensim).
        chunk_words: tokens per unit of work handed to a thread.
    """

    vector_size: int = 100
    window: int = 5
    model: str = "cbow"
    hs: int = 0
    negative: int = 5
    cbow_mean: int = 1
    sample: float = 1e-3
    min_count: int = 5
    alpha: float | None = None
    min_alpha: float | None = None
    epochs: int = 5
    workers: int | None = None
    seed: int = 1
    max_vocab_size: int | None = None
    max_final_vocab: int | None = None
    shared_negatives: bool = True
    ns_exponent: float = 0.75
    max_sentence_length: int = 10000
    chunk_words: int = 50_000

    # -- resolved values ---------------------------------------------------------

    @property
    def sg(self) -> int:
        """1 for skip-gram, 0 for CBOW (gensim's spelling)."""
        return int(self.model == "sg")

    @property
    def start_alpha(self) -> float:
        """The starting learning rate actually used."""
        if self.alpha is not None:
            return float(self.alpha)
        return 0.025 if self.model == "sg" else 0.05

    @property
    def end_alpha(self) -> float:
        """The final learning rate actually used."""
        if self.min_alpha is not None:
            return float(self.min_alpha)
        return self.start_alpha * 1e-4

    @property
    def n_workers(self) -> int:
        """The number of threads actually used."""
        return default_workers() if self.workers is None else int(self.workers)

    # -- checks --------------------------------------------------------------------

    def validate(self) -> Word2VecConfig:
        """Raise :class:`ConfigError` naming the first bad value; return self if all is well."""

        def need_int(name: str, lo: int) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ConfigError(f"{name} must be an integer >= {lo}, got {v!r}")

        def need_num(name: str) -> float:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
                raise ConfigError(f"{name} must be a number, got {v!r}")
            if not math.isfinite(float(v)):
                raise ConfigError(f"{name} must be finite, got {v!r}")
            return float(v)

        if self.model not in _MODELS:
            raise ConfigError(f"model must be 'sg' (skip-gram) or 'cbow', got {self.model!r}")
        need_int("vector_size", 1)
        if self.vector_size > 10_000:
            raise ConfigError(f"vector_size {self.vector_size} is implausibly large (max 10000)")
        need_int("window", 1)
        need_int("negative", 0)
        if self.negative > 1000:
            raise ConfigError(f"negative must be at most 1000, got {self.negative}")
        need_int("epochs", 1)
        need_int("min_count", 1)
        need_int("max_sentence_length", 1)
        need_int("chunk_words", 1)
        need_int("seed", 0)
        if self.hs not in (0, 1, True, False):
            raise ConfigError(f"hs must be 0 or 1, got {self.hs!r}")
        if self.cbow_mean not in (0, 1, True, False):
            raise ConfigError(f"cbow_mean must be 0 or 1, got {self.cbow_mean!r}")
        if not self.hs and self.negative == 0:
            raise ConfigError(
                "no training objective: set negative > 0 (negative sampling) or hs=1 "
                "(hierarchical softmax); the full softmax is in wordvec.reference"
            )
        if self.workers is not None:
            need_int("workers", 1)
        if self.max_vocab_size is not None:
            need_int("max_vocab_size", 1)
        if self.max_final_vocab is not None:
            need_int("max_final_vocab", 1)
        if need_num("sample") < 0:
            raise ConfigError(f"sample must be >= 0 (0 disables subsampling), got {self.sample}")
        need_num("ns_exponent")
        if self.alpha is not None and need_num("alpha") <= 0:
            raise ConfigError(f"alpha (learning rate) must be positive, got {self.alpha}")
        if self.min_alpha is not None and need_num("min_alpha") < 0:
            raise ConfigError(f"min_alpha must be >= 0, got {self.min_alpha}")
        if self.end_alpha > self.start_alpha:
            raise ConfigError(
                f"min_alpha ({self.end_alpha}) is larger than alpha ({self.start_alpha}); "
                "the learning rate only decreases"
            )
        return self


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


@dataclass
class EpochReport:
    """What an epoch-end callback receives besides the model.

    Attributes:
        epoch: the epoch just finished, counting from 1 over the model's life.
        loss: its mean loss per training example.
        seconds: its wall-clock duration.
        words: corpus words it processed (before subsampling).
        examples: training examples (skip-gram: word-context pairs; CBOW: windows).
    """

    epoch: int
    loss: float
    seconds: float
    words: int
    examples: int


class StopTraining(Exception):
    """Raise from an epoch-end callback (or return True) to stop training early."""


ProgressFn = Callable[[Progress], Any]
EpochCallback = Callable[["Word2Vec", EpochReport], Any]


class _Shared:
    """State shared by the worker threads of one epoch."""

    def __init__(self, n_workers: int) -> None:
        self.lock = threading.Lock()
        self.next_chunk = 0
        self.words = 0
        self.loss = np.zeros(n_workers, np.float64)
        self.examples = np.zeros(n_workers, np.float64)
        self.kept = np.zeros(n_workers, np.float64)
        self.error: BaseException | None = None
        self.diverged = False
        self.stop = threading.Event()


class Word2Vec:
    """Learn word vectors with skip-gram or CBOW (the word2vec C tool's algorithm).

    Configure with a :class:`Word2VecConfig` and/or keyword arguments of the
    same names (gensim's ``sg=1`` is accepted for ``model="sg"``), then call
    :meth:`fit`. Learned state:

    Attributes:
        config: the :class:`Word2VecConfig`.
        vocab: the :class:`~wordvec.vocab.Vocab` (words sorted by count).
        corpus: the :class:`~wordvec.encoded.EncodedCorpus` trained on.
        syn0: input vectors, float32 ``(V, vector_size)`` -- the word vectors.
        syn1neg: output vectors for negative sampling (``None`` if ``negative=0``).
        syn1: inner-node vectors for hierarchical softmax (``None`` if ``hs=0``).
        losses: mean loss per training example of each epoch trained.
        epochs_done: epochs trained so far.
        train_seconds: wall-clock seconds of the last :meth:`train` call.
        wv: the vectors as :class:`~wordvec.vectors.WordVectors`.

    Example::

        >>> from wordvec.synthetic import generate_sentences
        >>> m = Word2Vec(model="sg", vector_size=16, min_count=2, epochs=1, workers=1)
        >>> m = m.fit(generate_sentences(5_000, seed=1))
        >>> len(m.losses), m.syn0.dtype.name
        (1, 'float32')
    """

    def __init__(self, config: Word2VecConfig | None = None, **kwargs: Any) -> None:
        if "sg" in kwargs:
            sg = kwargs.pop("sg")
            kwargs.setdefault("model", "sg" if sg else "cbow")
        if "size" in kwargs:  # the C tool's name
            kwargs.setdefault("vector_size", kwargs.pop("size"))
        if "iter" in kwargs:
            kwargs.setdefault("epochs", kwargs.pop("iter"))
        names = {f.name for f in dataclasses.fields(Word2VecConfig)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise ConfigError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        base = config if config is not None else Word2VecConfig()
        self.config: Word2VecConfig = dataclasses.replace(base, **kwargs).validate()
        self.vocab = None
        self.corpus = None
        self.syn0: np.ndarray | None = None
        self.syn1neg: np.ndarray | None = None
        self.syn1: np.ndarray | None = None
        self.losses: list[float] = []
        self.epochs_done = 0
        self.train_seconds = 0.0
        self._wv = None

    def __repr__(self) -> str:
        c = self.config
        size = f", vocab={len(self.vocab)}" if self.vocab is not None else ""
        return (
            f"Word2Vec(model={c.model!r}, vector_size={c.vector_size}, window={c.window}, "
            f"negative={c.negative}, hs={c.hs}{size}, epochs_done={self.epochs_done})"
        )

    # ------------------------------------------------------------------ building

    def build_vocab(
        self,
        source: Any,
        tokenizer: Callable[[str], list[str]] | None = None,
        workdir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        """Read ``source`` once: vocabulary, encoded corpus, initial weights.

        ``source`` is anything :func:`wordvec.encoded.encode_corpus` accepts (a
        file, a folder, compressed files, a list of token lists) or an
        :class:`~wordvec.encoded.EncodedCorpus` (used as is).
        """
        from wordvec.encoded import EncodedCorpus, encode_corpus

        c = self.config
        if isinstance(source, EncodedCorpus):
            corpus = source
        else:
            corpus = encode_corpus(
                source,
                min_count=c.min_count,
                max_vocab_size=c.max_vocab_size,
                max_final_vocab=c.max_final_vocab,
                tokenizer=tokenizer,
                workdir=workdir,
                max_sentence_length=c.max_sentence_length,
            )
        self.corpus = corpus
        self.vocab = corpus.vocab
        self._init_weights()
        return self

    def _init_weights(self) -> None:
        c = self.config
        v, d = len(self.vocab), c.vector_size
        rng = np.random.default_rng(c.seed)
        # the C tool: uniform in [-0.5, 0.5) / dim; output vectors start at zero
        syn0 = rng.random((v, d), dtype=np.float32)
        syn0 -= np.float32(0.5)
        syn0 /= np.float32(d)
        self.syn0 = syn0
        self.syn1neg = np.zeros((v, d), np.float32) if c.negative > 0 else None
        self.syn1 = np.zeros((max(v - 1, 1), d), np.float32) if c.hs else None
        self.losses = []
        self.epochs_done = 0
        self._wv = None

    # ------------------------------------------------------------------ training

    def fit(
        self,
        source: Any,
        callbacks: Sequence[EpochCallback] = (),
        progress: ProgressFn | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        workdir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        """Build the vocabulary from ``source`` and train; return ``self``."""
        self.build_vocab(source, tokenizer=tokenizer, workdir=workdir)
        return self.train(callbacks=callbacks, progress=progress)

    def train(
        self,
        epochs: int | None = None,
        callbacks: Sequence[EpochCallback] = (),
        progress: ProgressFn | None = None,
        progress_every: float = 1.0,
    ) -> Word2Vec:
        """Train ``epochs`` epochs (default ``config.epochs``) on the built corpus.

        ``progress`` is called from the calling thread about every
        ``progress_every`` seconds with a :class:`Progress`. Each of
        ``callbacks`` is called after every epoch as ``cb(model, report)``
        with an :class:`EpochReport`; returning True or raising
        :class:`StopTraining` ends training after that epoch.

        Raises:
            TrainingError: the loss or the weights became NaN/inf (diverged).
        """
        if self.corpus is None or self.syn0 is None:
            raise ConfigError("call build_vocab(source) (or fit(source)) before train()")
        c = self.config
        epochs = c.epochs if epochs is None else epochs
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ConfigError(f"epochs must be an integer >= 1, got {epochs!r}")
        corpus = self.corpus
        n = corpus.n_tokens
        if n == 0:
            raise TrainingError("the encoded corpus holds no in-vocabulary words; nothing to train")
        self._wv = None
        job = _Job(self, epochs)
        t0 = time.perf_counter()
        callbacks = list(callbacks)
        try:
            for e in range(epochs):
                te = time.perf_counter()
                loss, examples = job.run_epoch(e, progress, progress_every, t0)
                self.epochs_done += 1
                self.losses.append(loss)
                seconds = time.perf_counter() - te
                logger.info(
                    "epoch %d: loss %.4f, %.0f words/s", self.epochs_done, loss, n / seconds
                )
                if not np.isfinite(self.syn0).all() or (examples and not math.isfinite(loss)):
                    raise job.divergence(e)
                if not examples:
                    logger.warning(
                        "epoch %d had no training examples: the corpus is too small "
                        "(or subsampling removed it); try sample=0 or more text",
                        self.epochs_done,
                    )
                report = EpochReport(self.epochs_done, loss, seconds, n, int(examples))
                stop = False
                for cb in callbacks:
                    try:
                        if cb(self, report) is True:
                            stop = True
                    except StopTraining:
                        stop = True
                if stop:
                    logger.info("training stopped by a callback after epoch %d", self.epochs_done)
                    break
        finally:
            self.train_seconds = time.perf_counter() - t0
            self._wv = None
        return self

    # ------------------------------------------------------------------ results

    @property
    def wv(self):  # noqa: ANN201 - WordVectors (imported lazily)
        """The trained vectors (``syn0``) as :class:`~wordvec.vectors.WordVectors`.

        The matrix is shared, not copied; training again replaces this object.
        """
        if self.syn0 is None:
            raise ConfigError("the model has no vectors yet: call fit(source) first")
        if self._wv is None:
            from wordvec.vectors import WordVectors

            wv = WordVectors(self.vocab.words, self.syn0, self.vocab.counts)
            wv.meta.update(self.training_facts())
            self._wv = wv
        return self._wv

    def training_facts(self) -> dict[str, Any]:
        """JSON-friendly summary of how the vectors were made (kept in saved files)."""
        c = self.config
        facts = {k: v for k, v in dataclasses.asdict(c).items() if k != "chunk_words"}
        facts.update(
            method="word2vec",
            alpha=c.start_alpha,
            min_alpha=c.end_alpha,
            workers=c.n_workers,
            epochs_done=self.epochs_done,
            losses=[float(x) for x in self.losses],
        )
        if self.corpus is not None:
            facts["corpus_tokens"] = self.corpus.n_tokens
        return facts


class _Job:
    """Everything one call to ``train`` needs: tables, chunks, kernel, threads."""

    def __init__(self, model: Word2Vec, epochs: int) -> None:
        c = model.config
        self.model = model
        self.epochs = epochs
        corpus = model.corpus
        vocab = model.vocab
        self.n = corpus.n_tokens
        self.total = float(epochs) * self.n
        self.keep = vocab.keep_probs(c.sample).astype(np.float32)
        if c.negative > 0:
            p, a = vocab.alias_table(c.ns_exponent)
            self.alias_p = np.ascontiguousarray(p, np.float32)
            self.alias_i = np.ascontiguousarray(a, np.int32)
        else:
            self.alias_p = np.ones(1, np.float32)
            self.alias_i = np.zeros(1, np.int32)
        d = c.vector_size
        if c.hs:
            codes, points, lengths = vocab.huffman()
            self.codes = np.ascontiguousarray(codes, np.uint8)
            self.points = np.ascontiguousarray(points, np.int32)
            self.lengths = np.ascontiguousarray(lengths, np.int32)
        else:
            self.codes = np.zeros((1, 1), np.uint8)
            self.points = np.zeros((1, 1), np.int32)
            self.lengths = np.zeros(1, np.int32)
        dummy = np.zeros((1, d), np.float32)
        self.syn1neg = model.syn1neg if model.syn1neg is not None else dummy
        self.syn1 = model.syn1 if model.syn1 is not None else dummy
        # without negative sampling any compiled kernel will do: reuse the common one
        self.kernel = kernels.chunk_kernel(d, c.negative if c.negative > 0 else 5)
        self.chunks = _make_chunks(corpus.offsets, c.chunk_words)
        self.max_chunk = max((b - a for a, b, _ in self.chunks), default=0)
        # the learning rate runs over all epochs of this call
        self.alpha0 = c.start_alpha
        self.alpha1 = c.end_alpha
        self.first_epoch = model.epochs_done

    def alpha_at(self, pos: float) -> float:
        """Learning rate after ``pos`` words of this call."""
        return self.alpha0 - (self.alpha0 - self.alpha1) * min(pos / self.total, 1.0)

    def divergence(self, epoch: int) -> TrainingError:
        c = self.model.config
        return TrainingError(
            f"training diverged in epoch {self.first_epoch + epoch + 1}: the loss or the "
            f"weights became NaN or infinite. Lower the learning rate (alpha={c.start_alpha:g}; "
            f"try alpha={c.start_alpha / 4:g})"
            + (" or use cbow_mean=1" if c.model == "cbow" and not c.cbow_mean else "")
        )

    def _train_chunk(self, epoch: int, k: int, buf: np.ndarray, stats: np.ndarray) -> int:
        c = self.model.config
        start, stop, bounds = self.chunks[k]
        ids = self.model.corpus.read(start, stop, buf)
        # a distinct stream per (seed, epoch, chunk); the kernel scrambles it further
        seed = (c.seed * 0x9E3779B97F4A7C15 + (self.first_epoch + epoch) * 1_000_003 + k) % (
            1 << 63
        )
        self.kernel(
            ids, bounds, self.model.syn0, self.syn1neg, self.syn1, self.keep,
            self.alias_p, self.alias_i, self.codes, self.points, self.lengths,
            c.model == "sg", bool(c.cbow_mean), c.negative > 0, bool(c.hs),
            bool(c.shared_negatives), c.window,
            self.alpha0, self.alpha1, float(epoch) * self.n + start, self.total,
            seed, stats,
        )  # fmt: skip
        return stop - start

    def run_epoch(
        self, epoch: int, progress: ProgressFn | None, every: float, t0: float
    ) -> tuple[float, float]:
        """Train one epoch with ``workers`` threads; return (mean loss, examples)."""
        workers = min(self.model.config.n_workers, max(1, len(self.chunks)))
        shared = _Shared(workers)
        done_before = epoch * self.n

        def report(last: list[float]) -> None:
            now = time.perf_counter()
            if progress is None or now - last[0] < every:
                return
            last[0] = now
            with shared.lock:
                words = done_before + shared.words
                loss = shared.loss.sum()
                ex = shared.examples.sum()
            elapsed = now - t0
            wps = words / elapsed if elapsed > 0 else 0.0
            progress(
                Progress(
                    epoch=epoch + 1,
                    epochs=self.epochs,
                    words_done=int(words),
                    words_total=int(self.total),
                    words_per_sec=wps,
                    alpha=self.alpha_at(words),
                    loss=loss / ex if ex else float("nan"),
                    elapsed=elapsed,
                    eta=(self.total - words) / wps if wps > 0 else float("inf"),
                )
            )

        def worker(w: int) -> None:
            buf = np.empty(self.max_chunk, np.int32)
            stats = np.zeros(3, np.float64)
            try:
                while not shared.stop.is_set():
                    with shared.lock:
                        k = shared.next_chunk
                        shared.next_chunk += 1
                    if k >= len(self.chunks):
                        return
                    words = self._train_chunk(epoch, k, buf, stats)
                    with shared.lock:
                        shared.words += words
                        shared.loss[w] += stats[0]
                        shared.examples[w] += stats[1]
                        shared.kept[w] += stats[2]
                    if not math.isfinite(stats[0]):
                        shared.diverged = True
                        shared.stop.set()
                        return
            except BaseException as exc:  # pragma: no cover - surfaced in the caller
                shared.error = exc
                shared.stop.set()

        last = [time.perf_counter()]
        if workers == 1:
            # in the calling thread: deterministic order, progress between chunks
            buf = np.empty(self.max_chunk, np.int32)
            stats = np.zeros(3, np.float64)
            for k in range(len(self.chunks)):
                words = self._train_chunk(epoch, k, buf, stats)
                shared.words += words
                shared.loss[0] += stats[0]
                shared.examples[0] += stats[1]
                if not math.isfinite(stats[0]):
                    raise self.divergence(epoch)
                report(last)
        else:
            threads = [
                threading.Thread(target=worker, args=(w,), name=f"wordvec-train-{w}", daemon=True)
                for w in range(workers)
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
            if shared.diverged:
                raise self.divergence(epoch)
        ex = float(shared.examples.sum())
        loss = float(shared.loss.sum()) / ex if ex else float("nan")
        return loss, ex


def _make_chunks(offsets: np.ndarray, chunk_words: int) -> list[tuple[int, int, np.ndarray]]:
    """Cut the corpus into pieces of about ``chunk_words`` tokens on sentence boundaries.

    Returns ``(start, stop, bounds)`` per chunk, with ``bounds`` the sentence
    limits relative to ``start`` (int64, 0 first, ``stop - start`` last).
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
