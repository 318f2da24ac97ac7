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

The loss. Each chunk returns the sum of its training examples' losses
(negative log-likelihood of the example's positive and noise words, or of
its Huffman path) and how many examples it trained (skip-gram: word-context
pairs; CBOW: windows). Each thread adds these in float64 into its own slot;
the slots are summed when read, so the reported loss -- the mean loss per
training example of the epoch (``losses``), and of each chunk
(``chunk_losses``) -- neither loses precision over a long epoch nor loses
updates between threads, and is the same with 1 or many workers up to the
noise of the training itself.

Reproducibility. Every chunk has its own random stream seeded from
``(seed, epoch, chunk)``, and the weights are initialised from ``seed``. With
``workers=1`` chunks run in order, so the same seed and data give
bit-identical vectors on every run (on the same machine and library versions).
With more workers the chunks' updates interleave in an order set by thread
timing, so results differ slightly from run to run (as with the C tool and
gensim), while the quality does not.

Stopping and resuming. :meth:`Word2Vec.request_stop` (thread- and
signal-safe) makes a running ``train`` finish the chunks in hand and return
with ``interrupted`` set. ``train(checkpoint=..., checkpoint_every=...,
checkpoint_seconds=...)`` writes the whole training state (see
:mod:`wordvec.checkpoint`) every few epochs or minutes and when stopped;
:meth:`Word2Vec.resume` reads it back and ``train()`` continues the same run
-- same learning-rate schedule, same random streams -- so that with
``workers=1`` the final vectors are bit-identical to those of an
uninterrupted run, even when it was stopped in the middle of an epoch.

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
from pathlib import Path
from typing import Any

import numpy as np

from wordvec import kernels
from wordvec.errors import ConfigError, TrainingError

logger = logging.getLogger("wordvec")

__all__ = [
    "CHUNK_POINTS_PER_EPOCH",
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
        if self.window > 10_000:
            raise ConfigError(f"window {self.window} is larger than any sentence (max 10000)")
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


class _EpochState:
    """Accumulators of one epoch. They outlive pauses (checkpoints, stop requests),
    and a checkpoint stores them, so an epoch can be finished in another process."""

    def __init__(self, n_workers: int, n_chunks: int) -> None:
        self.next_chunk = 0  # every chunk below this one is trained
        self.words = 0  # corpus words of the trained chunks
        # float64 per worker thread, summed only when read: no lost updates, no
        # float32 rounding (gensim's reported loss suffers from both)
        self.loss = np.zeros(n_workers, np.float64)
        self.examples = np.zeros(n_workers, np.float64)
        self.chunk_loss = np.full(n_chunks, np.nan)  # loss sum of each chunk
        self.chunk_examples = np.zeros(n_chunks, np.float64)
        self.seconds = 0.0  # training time spent on this epoch so far

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


@dataclass
class _Run:
    """One call to :meth:`Word2Vec.train`: the learning-rate schedule spans its epochs."""

    first_epoch: int  # model.epochs_done when the call began
    epochs: int  # epochs of the call
    state: _EpochState | None = None  # the unfinished epoch, if it was paused

    @property
    def last_epoch(self) -> int:
        return self.first_epoch + self.epochs


class _Shared:
    """What the worker threads of one epoch segment share besides the epoch state."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self.diverged_chunk = -1
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
        chunk_losses: per epoch, the mean loss per example of each chunk of
            about ``chunk_words`` words, in corpus order.
        epochs_done: epochs trained so far.
        train_seconds: wall-clock seconds of the last :meth:`train` call.
        meta: free-form JSON facts kept with the vectors and in checkpoints
            (the CLI records ``epoch_accuracy`` here).
        checkpoint_meta: free-form JSON kept only in checkpoints (the CLI
            keeps the output path and options it needs to resume).
        checkpoint_error: why the last checkpoint of :meth:`train` could not
            be written (path and reason), or None. A failed checkpoint is a
            warning, not the end of training.
        interrupted: True when the last :meth:`train` call was stopped by
            :meth:`request_stop` before its last epoch; ``train()`` continues it.
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
        self.chunk_losses: list[list[float]] = []
        self.epochs_done = 0
        self.train_seconds = 0.0
        self.meta: dict[str, Any] = {}
        self.checkpoint_meta: dict[str, Any] = {}
        self.checkpoint_error: str | None = None
        self._wv = None
        self._run: _Run | None = None
        # a plain flag, not a threading.Event: a signal handler may set it while the
        # main thread is inside Event.clear(), holding the lock that set() needs
        self._stop = False
        # how the corpus was read, for checkpoints: source path, vocabulary origin
        self._corpus_info: dict[str, Any] = {}

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
        update: bool = False,
        tmp_dir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        """Read ``source`` once: vocabulary, encoded corpus, initial weights.

        ``source`` is anything :func:`wordvec.encoded.encode_corpus` accepts (a
        file, a folder, compressed files, a list of token lists) or an
        :class:`~wordvec.encoded.EncodedCorpus` (used as is). The encoded
        corpus is kept in ``workdir`` if given, else in a working folder under
        ``tmp_dir`` (default ``$TMPDIR``) removed when it is no longer used.

        ``update=True`` (gensim's ``build_vocab(update=True)``) keeps what a
        trained model learned and makes ``source`` the text the next
        :meth:`train` call trains on: words of ``source`` seen at least
        ``min_count`` times there join the vocabulary, with input vectors
        initialised as the C tool does and zero output vectors; the counts of
        known words grow by their counts in ``source``. Caveats: the rows are
        re-sorted by the new counts (ids change; the vectors move with their
        words); the subsampling and noise tables follow the new counts;
        ``max_final_vocab`` is not applied again; the learning rate starts
        again from ``alpha``; and with ``hs=1`` it is refused, because the
        Huffman tree -- and so the meaning of every inner-node vector --
        would change.
        """
        from wordvec.encoded import EncodedCorpus, encode_corpus

        if update:
            return self._update_vocab(source, tokenizer, workdir, tmp_dir)
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
                tmp_dir=tmp_dir,
            )
        self.corpus = corpus
        self.vocab = corpus.vocab
        self._corpus_info = _describe_source(source, corpus, tokenizer, "corpus")
        self._init_weights()
        return self

    def _init_weights(self) -> None:
        c = self.config
        v, d = len(self.vocab), c.vector_size
        rng = np.random.default_rng(c.seed)
        self.syn0 = _random_rows(rng, v, d)
        # output vectors start at zero (the C tool)
        self.syn1neg = np.zeros((v, d), np.float32) if c.negative > 0 else None
        self.syn1 = np.zeros((max(v - 1, 1), d), np.float32) if c.hs else None
        self.losses = []
        self.chunk_losses = []
        self.epochs_done = 0
        self._run = None
        self._wv = None

    def _update_vocab(
        self,
        source: Any,
        tokenizer: Callable[[str], list[str]] | None,
        workdir: str | os.PathLike | None,
        tmp_dir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        from wordvec.encoded import EncodedCorpus, encode_corpus
        from wordvec.vocab import Vocab

        c = self.config
        if self.vocab is None or self.syn0 is None:
            raise ConfigError(
                "build_vocab(update=True) adds words to a trained model; "
                "call build_vocab(source) or fit(source) first"
            )
        if c.hs:
            raise ConfigError(
                "build_vocab(update=True) is not supported with hs=1: new words change the "
                "Huffman tree, so every inner-node vector would lose its meaning. Train a "
                "new model on all the text, or use negative sampling (hs=0, negative>0)"
            )
        if isinstance(source, EncodedCorpus):
            raise ConfigError(
                "build_vocab(update=True) needs the new text itself (a path or sentences), "
                "not an EncodedCorpus built with another vocabulary"
            )
        old = self.vocab
        added: list[str] = []

        def merge(counts: dict[str, int]) -> Vocab:
            merged = {w: int(n) + counts.get(w, 0) for w, n in zip(old.words, old.counts.tolist(),
                                                                   strict=True)}
            for w, n in counts.items():
                if w not in merged and n >= c.min_count:
                    merged[w] = n
                    added.append(w)
            return Vocab.from_counts(merged, min_count=1)

        corpus = encode_corpus(
            source, min_count=c.min_count, tokenizer=tokenizer, workdir=workdir,
            max_sentence_length=c.max_sentence_length, make_vocab=merge, tmp_dir=tmp_dir,
        )
        new = corpus.vocab
        d = c.vector_size
        # rows follow their words to the new (count-sorted) positions
        where = np.fromiter((new.index[w] for w in old.words), np.int64, len(old))
        rng = np.random.default_rng([c.seed, self.epochs_done, len(old)])
        syn0 = _random_rows(rng, len(new), d)
        syn0[where] = self.syn0
        self.syn0 = syn0
        if self.syn1neg is not None:
            syn1neg = np.zeros((len(new), d), np.float32)
            syn1neg[where] = self.syn1neg
            self.syn1neg = syn1neg
        self.vocab = new
        self.corpus = corpus
        self._corpus_info = _describe_source(source, corpus, tokenizer, "update")
        self._run = None
        self._wv = None
        self.meta.setdefault("updates", []).append(
            {"source": self._corpus_info.get("source"), "new_words": len(added),
             "tokens": corpus.n_tokens, "after_epoch": self.epochs_done}
        )
        logger.info(
            "vocabulary updated: %d new words (%d in all); next train() uses the new text "
            "(%d tokens)", len(added), len(new), corpus.n_tokens,
        )
        return self

    # ------------------------------------------------------------------ training

    def fit(
        self,
        source: Any,
        callbacks: Sequence[EpochCallback] = (),
        progress: ProgressFn | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        workdir: str | os.PathLike | None = None,
        tmp_dir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        """Build the vocabulary from ``source`` and train; return ``self``."""
        self.build_vocab(source, tokenizer=tokenizer, workdir=workdir, tmp_dir=tmp_dir)
        return self.train(callbacks=callbacks, progress=progress)

    def request_stop(self) -> None:
        """Ask a running :meth:`train` to stop soon; safe from any thread or a signal handler.

        Training finishes the chunks being trained (a fraction of a second),
        writes a checkpoint if ``train`` was given one, and returns with
        :attr:`interrupted` set; a later ``train()`` continues exactly there.
        A request made while no training runs applies to the next ``train``.
        """
        self._stop = True

    @property
    def interrupted(self) -> bool:
        """True when a :meth:`train` call was stopped before its last epoch."""
        return self._run is not None

    @property
    def position(self) -> dict[str, int] | None:
        """Where an interrupted run stands: epoch (1-based, of the run), epochs, chunk, chunks."""
        run = self._run
        if run is None:
            return None
        n_chunks = len(_make_chunks(self.corpus.offsets, self.config.chunk_words))
        chunk = run.state.next_chunk if run.state is not None else 0
        return {"epoch": self.epochs_done - run.first_epoch + 1, "epochs": run.epochs,
                "chunk": min(chunk, n_chunks), "chunks": n_chunks}

    def train(
        self,
        epochs: int | None = None,
        callbacks: Sequence[EpochCallback] = (),
        progress: ProgressFn | None = None,
        progress_every: float = 1.0,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int | None = None,
        checkpoint_seconds: float | None = None,
    ) -> Word2Vec:
        """Train ``epochs`` epochs (default ``config.epochs``) on the built corpus.

        ``progress`` is called from the calling thread about every
        ``progress_every`` seconds with a :class:`Progress`. Each of
        ``callbacks`` is called after every epoch as ``cb(model, report)``
        with an :class:`EpochReport`; returning True or raising
        :class:`StopTraining` ends training after that epoch.

        Checkpoints (see :meth:`save_checkpoint`) are written to
        ``checkpoint`` every ``checkpoint_every`` epochs, every
        ``checkpoint_seconds`` seconds (at the next chunk boundary, even in
        the middle of an epoch), and when :meth:`request_stop` stops the run.
        A checkpoint that cannot be written (a full disk, a vanished folder) is
        logged as a warning (once per kind of failure) and recorded in
        :attr:`checkpoint_error`; training goes on.

        If the previous call was stopped by :meth:`request_stop` (or the model
        comes from :meth:`resume`), ``train()`` without ``epochs`` continues
        that call where it stopped, with its learning-rate schedule; with
        ``workers=1`` the result is bit-identical to an uninterrupted run.

        Raises:
            TrainingError: the loss or the weights became NaN/inf (diverged).
        """
        if self.corpus is None or self.syn0 is None:
            raise ConfigError("call build_vocab(source) (or fit(source)) before train()")
        c = self.config
        if checkpoint_every is not None and (
            isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, int)
            or checkpoint_every < 1
        ):
            raise ConfigError(f"checkpoint_every must be a whole number of epochs >= 1, "
                              f"got {checkpoint_every!r}")
        if checkpoint_seconds is not None and not (
            isinstance(checkpoint_seconds, (int, float)) and checkpoint_seconds >= 0
            and math.isfinite(checkpoint_seconds)
        ):
            raise ConfigError(f"checkpoint_seconds must be a number of seconds >= 0, "
                              f"got {checkpoint_seconds!r}")
        if (checkpoint_every or checkpoint_seconds is not None) and checkpoint is None:
            raise ConfigError("checkpoint_every/checkpoint_seconds need a checkpoint path")
        if self._run is not None and epochs is None:
            run = self._run
            logger.info(
                "continuing the interrupted run at epoch %d of %d",
                self.epochs_done - run.first_epoch + 1, run.epochs,
            )
        else:
            if self._run is not None:
                logger.warning("the interrupted run is abandoned: starting a new one")
            epochs = c.epochs if epochs is None else epochs
            if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
                raise ConfigError(f"epochs must be an integer >= 1, got {epochs!r}")
            run = _Run(self.epochs_done, epochs)
        if self.corpus.n_tokens == 0:
            raise TrainingError("the encoded corpus holds no in-vocabulary words; nothing to train")
        from wordvec.checkpoint import save_checkpoint_or_warn

        warned: set = set()
        self.checkpoint_error = None

        def save(path: str | os.PathLike) -> None:
            save_checkpoint_or_warn(self, path, warned)

        self._run = run
        self._wv = None
        job = _Job(self, run.epochs, run.first_epoch)
        t0 = time.perf_counter()
        callbacks = list(callbacks)
        deadline = math.inf
        if checkpoint_seconds is not None:
            deadline = time.monotonic() + checkpoint_seconds

        mark = [0]  # chunk reached at the last timed checkpoint of this epoch

        def pause() -> bool:
            if self._stop:
                return True
            # a timed checkpoint waits for at least one new chunk, so training always advances
            st = run.state
            return time.monotonic() >= deadline and st is not None and st.next_chunk > mark[0]

        try:
            while self.epochs_done < run.last_epoch:
                e = self.epochs_done - run.first_epoch
                if run.state is None:
                    run.state = job.new_state()
                st = run.state
                mark[0] = st.next_chunk
                while True:
                    ts = time.perf_counter()
                    try:
                        finished = job.run_epoch(e, st, progress, progress_every, t0, pause)
                    finally:
                        st.seconds += time.perf_counter() - ts
                    if finished:
                        break
                    if self._stop:
                        self._stop = False
                        pos = self.position
                        logger.info(
                            "training stopped on request in epoch %d of %d after %d of %d "
                            "chunks", pos["epoch"], pos["epochs"], pos["chunk"], pos["chunks"],
                        )
                        if checkpoint is not None:
                            save(checkpoint)
                        return self
                    save(checkpoint)  # time for a checkpoint
                    deadline = time.monotonic() + checkpoint_seconds
                    mark[0] = st.next_chunk
                stop = self._end_epoch(job, e, st, callbacks)
                if stop or self.epochs_done >= run.last_epoch:
                    self._run = None
                if checkpoint is not None and (
                    (checkpoint_every and (self.epochs_done - run.first_epoch) % checkpoint_every
                     == 0)
                    or time.monotonic() >= deadline
                ):
                    save(checkpoint)
                    if checkpoint_seconds is not None:
                        deadline = time.monotonic() + checkpoint_seconds
                if stop:
                    logger.info("training stopped by a callback after epoch %d", self.epochs_done)
                    break
        finally:
            self.train_seconds = time.perf_counter() - t0
            self._wv = None
        self._run = None
        self._stop = False  # a request that came too late to stop anything
        return self

    def _end_epoch(self, job: _Job, e: int, st: _EpochState, callbacks: list) -> bool:
        """Book-keeping after the last chunk of an epoch; True if a callback asks to stop."""
        loss = st.mean_loss
        examples = float(st.examples.sum())
        self.epochs_done += 1
        self.losses.append(loss)
        self.chunk_losses.append([float(x) for x in st.chunk_means()])
        self._run.state = None
        self._wv = None  # callbacks see fresh vectors (norms are cached per WordVectors)
        logger.info(
            "epoch %d: loss %.4f, %.0f words/s", self.epochs_done, loss,
            job.n / st.seconds if st.seconds > 0 else 0.0,
        )
        if not np.isfinite(self.syn0).all() or (examples and not math.isfinite(loss)):
            raise job.divergence(e, st.next_chunk)
        if not examples:
            logger.warning(
                "epoch %d had no training examples: the corpus is too small "
                "(or subsampling removed it); try sample=0 or more text",
                self.epochs_done,
            )
        report = EpochReport(self.epochs_done, loss, st.seconds, job.n, int(examples))
        stop = False
        for cb in callbacks:
            try:
                if cb(self, report) is True:
                    stop = True
            except StopTraining:
                stop = True
        return stop

    # ------------------------------------------------------------------ checkpoints

    def save_checkpoint(self, path: str | os.PathLike) -> Path:
        """Write the whole training state to ``path`` (atomically; native format).

        The file holds the vocabulary, every weight matrix, the configuration,
        the losses, where an interrupted run stands (down to the chunk) and
        how to find and check the corpus again; :meth:`resume` reads it. It
        is also a vector file: ``wordvec info`` and ``load_vectors`` open it.
        """
        from wordvec.checkpoint import save_checkpoint

        return save_checkpoint(self, path)

    @classmethod
    def resume(
        cls,
        path: str | os.PathLike,
        source: Any = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        workdir: str | os.PathLike | None = None,
        workers: int | None = None,
        tmp_dir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        """Rebuild a model from a checkpoint; call ``train()`` to go on training.

        ``source`` is the corpus the checkpoint was trained on (default: the
        path recorded in the checkpoint). It is read again and checked
        against the checkpoint (vocabulary, token count, checksums of the
        encoded ids); a different corpus is refused with a
        :class:`~wordvec.errors.CorpusError`. ``workers`` overrides the
        checkpoint's thread count (results are bit-identical to an
        uninterrupted run only with ``workers=1`` both times).

        Example::

            model = Word2Vec.resume("run.ckpt")
            model.train()           # finishes the interrupted run
        """
        from wordvec.checkpoint import resume

        return resume(path, source=source, tokenizer=tokenizer, workdir=workdir, workers=workers,
                      tmp_dir=tmp_dir)

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
        """JSON-friendly summary of how the vectors were made (kept in saved files).

        Holds the configuration, ``losses`` (mean loss per training example of
        each epoch), ``chunk_losses`` (per epoch, at most
        :data:`CHUNK_POINTS_PER_EPOCH` means over consecutive chunks), the
        corpus statistics under ``corpus`` and everything in :attr:`meta`.
        """
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
        if self.chunk_losses and any(self.chunk_losses):
            facts["chunk_losses"] = [_bin_means(x, CHUNK_POINTS_PER_EPOCH)
                                     for x in self.chunk_losses]
        if self.corpus is not None:
            stats = self.corpus.stats
            corpus = {
                "source": self._corpus_info.get("source"),
                "tokens": self.corpus.n_tokens,
                "sentences": self.corpus.n_sentences,
                "vocab_size": len(self.vocab),
                "raw_tokens": stats.get("raw_tokens"),
                "invalid_bytes": stats.get("invalid_bytes"),
            }
            facts["corpus"] = {k: v for k, v in corpus.items() if v is not None}
        facts.update(self.meta)
        return facts


#: Chunk losses kept per epoch in saved files (consecutive chunks are averaged).
CHUNK_POINTS_PER_EPOCH = 50


def _bin_means(values: Sequence[float], bins: int) -> list[float]:
    """Average ``values`` over at most ``bins`` runs of consecutive items (NaNs skipped)."""
    x = np.asarray(values, np.float64)
    if len(x) <= bins:
        return [float(v) for v in x]
    out = []
    for part in np.array_split(x, bins):
        good = part[np.isfinite(part)]
        out.append(float(good.mean()) if len(good) else float("nan"))
    return out


def _random_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Input vectors initialised as the C tool does: uniform in [-0.5, 0.5) / d."""
    rows = rng.random((n, d), dtype=np.float32)
    rows -= np.float32(0.5)
    rows /= np.float32(d)
    return rows


def _describe_source(
    source: Any, corpus: Any, tokenizer: Any, origin: str
) -> dict[str, Any]:
    """What a checkpoint needs to read the same corpus again."""
    from wordvec.corpus import Tokenizer, is_path

    info: dict[str, Any] = {"vocab_origin": origin}
    if is_path(source):
        info["source"] = str(Path(source).resolve())
    if tokenizer is not None and not (
        isinstance(tokenizer, Tokenizer) and tokenizer.is_default_pattern and tokenizer.lowercase
    ):
        info["tokenizer"] = repr(tokenizer)
    return info


class _Job:
    """Everything one call to ``train`` needs: tables, chunks, kernel, threads."""

    def __init__(self, model: Word2Vec, epochs: int, first_epoch: int) -> None:
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
        # Chunks are trained in an interleaved order (one from each of several
        # distant regions of the corpus in turn), so threads running side by side
        # work on different articles and fight less over the same rows: two
        # workers trained ~10% faster on the main corpus. The learning rate
        # follows this processing order (seq_start), decaying linearly as in the C tool.
        self.chunks = _interleave(_make_chunks(corpus.offsets, c.chunk_words), CHUNK_REGIONS)
        sizes = np.array([b - a for a, b, _ in self.chunks], dtype=np.int64)
        self.seq_start = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.max_chunk = max((b - a for a, b, _ in self.chunks), default=0)
        self.workers = min(c.n_workers, max(1, len(self.chunks)))
        # the learning rate runs over all epochs of this call
        self.alpha0 = c.start_alpha
        self.alpha1 = c.end_alpha
        self.first_epoch = first_epoch
        self.words_at_start: int | None = None

    def new_state(self) -> _EpochState:
        return _EpochState(self.workers, len(self.chunks))

    def alpha_at(self, pos: float) -> float:
        """Learning rate after ``pos`` words of this call."""
        return self.alpha0 - (self.alpha0 - self.alpha1) * min(pos / self.total, 1.0)

    def divergence(self, epoch: int, chunk: int) -> TrainingError:
        c = self.model.config
        where = (f" (chunk {chunk + 1} of {len(self.chunks)})"
                 if 0 <= chunk < len(self.chunks) else "")
        return TrainingError(
            f"training diverged in epoch {self.first_epoch + epoch + 1}{where}: the loss or the "
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
            self.alpha0, self.alpha1, float(epoch) * self.n + float(self.seq_start[k]), self.total,
            seed, stats,
        )  # fmt: skip
        return stop - start

    def run_epoch(
        self,
        epoch: int,
        st: _EpochState,
        progress: ProgressFn | None,
        every: float,
        t0: float,
        pause: Callable[[], bool],
    ) -> bool:
        """Train the chunks of ``epoch`` from ``st.next_chunk`` on, with ``workers`` threads.

        Before taking each chunk a thread asks ``pause()``; once it says yes,
        the threads finish the chunks they hold and this returns False, with
        ``st`` describing exactly the chunks done (all chunks below
        ``st.next_chunk``). Returns True when the epoch is complete.
        """
        shared = _Shared()
        n_chunks = len(self.chunks)
        done_before = epoch * self.n
        if self.words_at_start is None:  # the rate counts the words of this call only
            self.words_at_start = done_before + st.words
        words_at_start = self.words_at_start

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
            progress(
                Progress(
                    epoch=epoch + 1,
                    epochs=self.epochs,
                    words_done=int(words),
                    words_total=int(self.total),
                    words_per_sec=wps,
                    alpha=self.alpha_at(words),
                    loss=loss,
                    elapsed=elapsed,
                    eta=(self.total - words) / wps if wps > 0 else float("inf"),
                )
            )

        def record(w: int, k: int, words: int, stats: np.ndarray) -> None:
            st.words += words
            st.loss[w] += stats[0]
            st.examples[w] += stats[1]
            st.chunk_loss[k] = stats[0]
            st.chunk_examples[k] = stats[1]

        def worker(w: int) -> None:
            buf = np.empty(self.max_chunk, np.int32)
            stats = np.zeros(3, np.float64)
            try:
                while not shared.stop.is_set() and not pause():
                    with shared.lock:
                        k = st.next_chunk
                        if k >= n_chunks:
                            return
                        st.next_chunk += 1
                    words = self._train_chunk(epoch, k, buf, stats)
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
            buf = np.empty(self.max_chunk, np.int32)
            stats = np.zeros(3, np.float64)
            while st.next_chunk < n_chunks:
                if pause():
                    return False
                k = st.next_chunk
                words = self._train_chunk(epoch, k, buf, stats)
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


#: Number of corpus regions whose chunks are interleaved in the training order.
CHUNK_REGIONS = 8


def _interleave(chunks: list, regions: int) -> list:
    """Reorder chunks as r0[0], r1[0], ..., r0[1], r1[1], ... over ``regions`` equal parts."""
    n = len(chunks)
    regions = max(1, min(regions, n))
    bounds = [n * r // regions for r in range(regions + 1)]
    order: list[int] = []
    for i in range(max(bounds[r + 1] - bounds[r] for r in range(regions)) if n else 0):
        for r in range(regions):
            if bounds[r] + i < bounds[r + 1]:
                order.append(bounds[r] + i)
    return [chunks[i] for i in order]


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
