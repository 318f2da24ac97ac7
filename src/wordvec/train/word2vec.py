"""The word2vec trainer: skip-gram and CBOW, negative sampling and hierarchical softmax.

This module holds the policy; the arithmetic lives in :mod:`wordvec.train.kernels`.

* :class:`Word2VecConfig` -- every hyperparameter, with the word2vec C tool's
  defaults and names.
* :class:`Word2Vec` -- a scikit-learn-shaped estimator: configure it, call
  :meth:`Word2Vec.fit` on a corpus, read the learned state from attributes
  (``wv``, ``syn0``, ``syn1neg``, ``syn1``, ``losses``...).

How training runs. The corpus is encoded once as int32 ids
(:mod:`wordvec.text.encoded`) and cut into chunks of about ``chunk_words`` tokens
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
:mod:`wordvec.train.checkpoint`) every few epochs or minutes and when stopped;
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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wordvec.errors import ConfigError, TrainingError
from wordvec.outputs import lock_unless_held
from wordvec.settings import estimator_arguments
from wordvec.train import kernels
from wordvec.train.checkpoint import Checkpointer, load_checkpoint, restore, save_checkpoint
from wordvec.train.config import Word2VecConfig, default_workers
from wordvec.train.engine import (
    ChunkPlan,
    Engine,
    EpochState,
    Progress,
    ProgressFn,
    RunState,
    initial_vectors,
    objectives_for,
)

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


EpochCallback = Callable[["Word2Vec", EpochReport], Any]



def _init_half_width(config: Word2VecConfig) -> float:
    """Half-width of the input vectors' initial range, times 1/dim.

    Skip-gram keeps the C tool's +-0.5/dim. CBOW starts at gensim's +-1/dim:
    its input is the mean of the context vectors, so with the C tool's range
    the first updates see a smaller signal. Measured on the main corpus (CBOW,
    d 100, 2 workers, 1 epoch, seeds 1 and 2): analogies 7.5% -> 8.5% and
    7.2% -> 8.4%, WS-353 .445 -> .466 and .461 -> .474; at 5 epochs 36.0% ->
    36.5% (seed 1), so the longer-run lead is kept.
    """
    return 1.0 if config.model == "cbow" else 0.5

class Word2Vec:
    """Learn word vectors with skip-gram or CBOW (the word2vec C tool's algorithm).

    Configure with a :class:`Word2VecConfig` and/or keyword arguments of the
    same names (gensim's ``sg=1`` is accepted for ``model="sg"``), then call
    :meth:`fit`. As in gensim, a corpus given to the constructor -- as the
    first positional argument, ``sentences=`` or ``corpus_file=`` (a path) --
    is trained on at once: ``Word2Vec(sentences, vector_size=50)`` equals
    ``Word2Vec(vector_size=50).fit(sentences)``. Learned state:

    Attributes:
        config: the :class:`Word2VecConfig`.
        vocab: the :class:`~wordvec.text.vocab.Vocab` (words sorted by count).
        corpus: the :class:`~wordvec.text.encoded.EncodedCorpus` trained on.
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
        run_state: the :class:`~wordvec.train.engine.RunState` of a stopped run
            (``None`` when no run is pending); checkpoints store it.
        source_info: how the corpus was read (its path, the vocabulary's
            origin, a custom tokenizer), so a checkpoint can read it again.
        wv: the vectors as :class:`~wordvec.vectors.WordVectors`.

    Example::

        >>> from wordvec.synthetic import generate_sentences
        >>> m = Word2Vec(model="sg", vector_size=16, min_count=2, epochs=1, workers=1)
        >>> m = m.fit(generate_sentences(5_000, seed=1))
        >>> len(m.losses), m.syn0.dtype.name
        (1, 'float32')
    """

    #: The model's name in checkpoints and saved facts (a subclass has its own).
    METHOD = "word2vec"

    def __init__(
        self,
        config: Word2VecConfig | Any = None,
        *,
        sentences: Any = None,
        corpus_file: str | os.PathLike | None = None,
        **kwargs: Any,
    ) -> None:
        # gensim's first positional parameter is the corpus: Word2Vec(sentences, ...)
        # trains at once. A Word2VecConfig in that place is wordvec's own spelling.
        if "sg" in kwargs:
            sg = kwargs.pop("sg")
            kwargs.setdefault("model", "sg" if sg else "cbow")
        if "size" in kwargs:  # the C tool's name
            kwargs.setdefault("vector_size", kwargs.pop("size"))
        if "iter" in kwargs:
            kwargs.setdefault("epochs", kwargs.pop("iter"))
        config, corpus = estimator_arguments(Word2VecConfig, config, sentences, corpus_file,
                                             kwargs)
        self.config: Word2VecConfig = config.validate()
        if self.config.device == "cuda":
            from wordvec.train.cuda import require_cuda

            require_cuda()  # before any corpus is read: one clear error
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
        self.run_state: RunState | None = None
        # a plain flag, not a threading.Event: a signal handler may set it while the
        # main thread is inside Event.clear(), holding the lock that set() needs
        self._stop = False
        self.source_info: dict[str, Any] = {}
        if corpus is not None:
            self.fit(corpus)

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
        cache: str | os.PathLike | None = None,
    ) -> Word2Vec:
        """Read ``source`` once: vocabulary, encoded corpus, initial weights.

        ``source`` is anything :func:`wordvec.text.encoded.encode_corpus` accepts (a
        file, a folder, compressed files, a list of token lists) or an
        :class:`~wordvec.text.encoded.EncodedCorpus` (used as is). The encoded
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

        ``cache``: a folder that keeps encoded corpora (see
        :mod:`wordvec.text.cache`); a later run on the same corpus with the same
        reading settings takes the ids from there instead of reading the text.
        """
        from wordvec.text.encoded import EncodedCorpus, encode_corpus

        if update:
            return self._update_vocab(source, tokenizer, workdir, tmp_dir)
        c = self.config
        if isinstance(source, EncodedCorpus):
            corpus = source
        else:
            # the kernel's shape is known before the corpus is read: a cold disk cache
            # compiles it in another process meanwhile (see kernels.compile_in_background)
            if c.negative > 0 or c.hs:
                kernels.compile_in_background(c.vector_size, c.negative, c.negative > 0,
                                              bool(c.hs))
            corpus = encode_corpus(
                source,
                min_count=c.min_count,
                max_vocab_size=c.max_vocab_size,
                max_final_vocab=c.max_final_vocab,
                tokenizer=tokenizer,
                workdir=workdir,
                max_sentence_length=c.max_sentence_length,
                tmp_dir=tmp_dir,
                workers=c.n_workers,
                cache=cache,
            )
        self.corpus = corpus
        self.vocab = corpus.vocab
        self.source_info = _describe_source(source, corpus, tokenizer, "corpus")
        self._init_weights()
        return self

    def input_matrix(self) -> np.ndarray:
        """A fresh input matrix for the vocabulary (a subword model adds n-gram rows)."""
        c = self.config
        return initial_vectors(len(self.vocab), c.vector_size, c.seed,
                               half_width=_init_half_width(c))

    def _init_weights(self) -> None:
        c = self.config
        self.syn0 = self.input_matrix()
        # output vectors start at zero (the C tool); each objective sizes its own
        for objective in objectives_for(c, self.vocab):
            setattr(self, objective.output_name, objective.output)
        self.losses = []
        self.chunk_losses = []
        self.epochs_done = 0
        self.run_state = None
        self._wv = None

    def _update_vocab(
        self,
        source: Any,
        tokenizer: Callable[[str], list[str]] | None,
        workdir: str | os.PathLike | None,
        tmp_dir: str | os.PathLike | None = None,
    ) -> Word2Vec:
        from wordvec.text.encoded import EncodedCorpus, encode_corpus
        from wordvec.text.vocab import Vocab

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
            source, min_count=c.min_count, tokenizer=tokenizer, workdir=workdir, tmp_dir=tmp_dir,
            max_sentence_length=c.max_sentence_length, make_vocab=merge,
        )
        new = corpus.vocab
        d = c.vector_size
        # rows follow their words to the new (count-sorted) positions
        where = np.fromiter((new.index[w] for w in old.words), np.int64, len(old))
        self.syn0 = self.grown_input(where, len(new))
        if self.syn1neg is not None:
            syn1neg = np.zeros((len(new), d), np.float32)
            syn1neg[where] = self.syn1neg
            self.syn1neg = syn1neg
        self.vocab = new
        self.corpus = corpus
        self.source_info = _describe_source(source, corpus, tokenizer, "update")
        self.run_state = None
        self._wv = None
        self.meta.setdefault("updates", []).append(
            {"source": self.source_info.get("source"), "new_words": len(added),
             "tokens": corpus.n_tokens, "after_epoch": self.epochs_done}
        )
        logger.info(
            "vocabulary updated: %d new words (%d in all); next train() uses the new text "
            "(%d tokens)", len(added), len(new), corpus.n_tokens,
        )
        return self

    def grown_input(self, where: np.ndarray, n_words: int) -> np.ndarray:
        """The input matrix for a vocabulary grown to ``n_words`` (``build_vocab(update=True)``):
        old word ``i``'s row at ``where[i]``, new words' rows initialised as in
        :meth:`input_matrix` (a subword model keeps its n-gram rows after the words')."""
        c = self.config
        syn0 = initial_vectors(n_words, c.vector_size, [c.seed, self.epochs_done, len(where)],
                               half_width=_init_half_width(c))
        syn0[where] = self.syn0
        return syn0

    # ------------------------------------------------------------------ training

    def fit(
        self,
        source: Any,
        callbacks: Sequence[EpochCallback] = (),
        progress: ProgressFn | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        workdir: str | os.PathLike | None = None,
        tmp_dir: str | os.PathLike | None = None,
        cache: str | os.PathLike | None = None,
        client: Any = None,
        **cluster_options: Any,
    ) -> Word2Vec:
        """Build the vocabulary from ``source`` and train; return ``self``.

        With ``client`` (a ``distributed.Client``) both run on that Dask cluster:
        ``source`` is then paths, globs or URLs every worker can read, and
        ``cluster_options`` go to :func:`wordvec.train.cluster.train_on_cluster`
        (``round_seconds``, ``hot_rows``, ``merge``, ``checkpoint``).
        """
        if client is not None:
            from wordvec.train.cluster import fit_on_cluster

            if self.METHOD != "word2vec":
                raise ConfigError(f"{type(self).__name__} trains on one machine; drop client=")
            if tokenizer is not None:
                raise ConfigError("a custom tokenizer is not supported on a cluster")
            return fit_on_cluster(self, source, client, callbacks=callbacks, progress=progress,
                                  **cluster_options)
        if cluster_options:
            raise ConfigError(f"{', '.join(sorted(cluster_options))}: only with client=")
        self.build_vocab(source, tokenizer=tokenizer, workdir=workdir, tmp_dir=tmp_dir,
                         cache=cache)
        return self.train(callbacks=callbacks, progress=progress)

    def request_stop(self) -> None:
        """Ask a running :meth:`train` to stop soon; safe from any thread or a signal handler.

        Training finishes the chunks being trained (a fraction of a second),
        writes a checkpoint if ``train`` was given one, and returns with
        :attr:`interrupted` set; a later ``train()`` continues exactly there.
        A request made while no training runs applies to the next ``train``.
        """
        self._stop = True

    def vectors_changed(self) -> None:
        """Forget the cached :attr:`wv` (a driver replaced ``syn0``)."""
        self._wv = None

    @property
    def interrupted(self) -> bool:
        """True when a :meth:`train` call was stopped before its last epoch."""
        return self.run_state is not None

    @property
    def position(self) -> dict[str, int] | None:
        """Where an interrupted run stands: epoch (1-based, of the run), epochs, chunk, chunks."""
        run = self.run_state
        if run is None:
            return None
        n_chunks = len(ChunkPlan.for_corpus(self.corpus, self.config.chunk_words))
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
        :attr:`checkpoint_error`; training goes on. While it trains, it holds
        the checkpoint's lock (``CHECKPOINT.lock``, see
        :class:`~wordvec.outputs.OutputLock`): a second process training to
        the same checkpoint is refused with ``OutputBusyError`` before any
        work (one lock per process: the CLI's own lock is used as it is).

        If the previous call was stopped by :meth:`request_stop` (or the model
        comes from :meth:`resume`), ``train()`` without ``epochs`` continues
        that call where it stopped, with its learning-rate schedule; with
        ``workers=1`` the result is bit-identical to an uninterrupted run.

        Raises:
            TrainingError: the loss or the weights became NaN/inf (diverged).
        """
        if getattr(self, "cluster_replicas", None) is not None:  # fit/resume with client=
            from wordvec.train.cluster import train_on_cluster

            if epochs is not None:
                raise ConfigError("on a cluster, train() runs config.epochs epochs (or finishes "
                                  "the resumed run); epochs= is not supported there")
            return train_on_cluster(self, self.cluster_client, callbacks=callbacks,
                                    progress=progress, progress_every=progress_every,
                                    checkpoint=checkpoint, checkpoint_every=checkpoint_every or 1)
        if self.corpus is None or self.syn0 is None:
            raise ConfigError("call build_vocab(source) (or fit(source)) before train()")
        c = self.config
        checkpointer = (Checkpointer(checkpoint, every_epochs=checkpoint_every,
                                     every_seconds=checkpoint_seconds)
                        if checkpoint is not None else None)
        if checkpoint is None and (checkpoint_every or checkpoint_seconds is not None):
            raise ConfigError("checkpoint_every/checkpoint_seconds need a checkpoint path")
        if self.run_state is not None and epochs is None:
            run = self.run_state
            logger.info(
                "continuing the interrupted run at epoch %d of %d",
                self.epochs_done - run.first_epoch + 1, run.epochs,
            )
        else:
            if self.run_state is not None:
                logger.warning("the interrupted run is abandoned: starting a new one")
            epochs = c.epochs if epochs is None else epochs
            if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
                raise ConfigError(f"epochs must be an integer >= 1, got {epochs!r}")
            run = RunState(self.epochs_done, epochs)
        if self.corpus.n_tokens == 0:
            raise TrainingError("the encoded corpus holds no in-vocabulary words; nothing to train")
        engine = self.engine(epochs=run.epochs, first_epoch=run.first_epoch)
        # another process training to the same checkpoint is refused, as on the CLI
        # (whose own lock on it this process already holds)
        lock = lock_unless_held(checkpoint, "checkpoint") if checkpoint is not None else None
        self.run_state = run
        self._wv = None
        self.checkpoint_error = None
        t0 = time.perf_counter()
        callbacks = list(callbacks)
        if checkpointer is not None:
            checkpointer.start()

        def pause() -> bool:
            return self._stop or (checkpointer is not None and checkpointer.due(run.state))

        try:
            while self.epochs_done < run.last_epoch:
                e = self.epochs_done - run.first_epoch
                if run.state is None:
                    run.state = engine.new_state()
                st = run.state
                if checkpointer is not None:
                    checkpointer.epoch_started(st)
                while True:
                    ts = time.perf_counter()
                    try:
                        finished = engine.run_epoch(e, st, pause, progress, progress_every, t0)
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
                        if checkpointer is not None:
                            checkpointer.on_stop(self)
                        return self
                    checkpointer.on_timer(self)  # pause() said a timed checkpoint is due
                stop = self._end_epoch(engine, e, st, callbacks)
                if stop or self.epochs_done >= run.last_epoch:
                    self.run_state = None
                if checkpointer is not None:
                    checkpointer.on_epoch_end(self, self.epochs_done - run.first_epoch)
                if stop:
                    logger.info("training stopped by a callback after epoch %d", self.epochs_done)
                    break
        finally:
            self.train_seconds = time.perf_counter() - t0
            self._wv = None
            if lock is not None:
                lock.release()
        self.run_state = None
        self._stop = False  # a request that came too late to stop anything
        return self

    def engine(self, epochs: int = 1, first_epoch: int | None = None,
               plan: ChunkPlan | None = None) -> Engine:
        """An :class:`~wordvec.train.engine.Engine` that trains this model's weights in place.

        ``epochs`` and ``plan`` (default: the whole corpus) fix the learning-rate
        schedule; ``first_epoch`` (default: epochs done) enters the random seeds.
        With ``device="cuda"`` it is a :class:`~wordvec.train.cuda.CudaEngine`.
        """
        if self.corpus is None or self.syn0 is None:
            raise ConfigError("call build_vocab(source) (or fit(source)) first")
        outputs = {name: getattr(self, name) for name in ("syn1neg", "syn1")
                   if getattr(self, name) is not None}
        engine_class = Engine
        if self.config.device == "cuda":
            from wordvec.train.cuda import CudaEngine

            engine_class = CudaEngine
        return engine_class(
            self.config, self.corpus, self.syn0, objectives_for(self.config, self.vocab, outputs),
            plan=plan, epochs=epochs,
            first_epoch=self.epochs_done if first_epoch is None else first_epoch,
        )

    def _end_epoch(self, engine: Engine, e: int, st: EpochState, callbacks: list) -> bool:
        """Book-keeping after the last chunk of an epoch; True if a callback asks to stop."""
        loss = st.mean_loss
        examples = float(st.examples.sum())
        self.epochs_done += 1
        self.losses.append(loss)
        self.chunk_losses.append([float(x) for x in st.chunk_means()])
        self.run_state.state = None
        self._wv = None  # callbacks see fresh vectors (norms are cached per WordVectors)
        logger.info(
            "epoch %d: loss %.4f, %.0f words/s", self.epochs_done, loss,
            engine.n / st.seconds if st.seconds > 0 else 0.0,
        )
        if not np.isfinite(self.syn0).all() or (examples and not math.isfinite(loss)):
            raise engine.divergence(e, st.next_chunk)
        if not examples:
            logger.warning(
                "epoch %d had no training examples: the corpus is too small "
                "(or subsampling removed it); try sample=0 or more text",
                self.epochs_done,
            )
        return self.epoch_callbacks(callbacks, loss, st.seconds, engine.n, int(examples))

    def epoch_callbacks(self, callbacks: Sequence[EpochCallback], loss: float, seconds: float,
                        words: int, examples: int) -> bool:
        """Call the epoch-end ``callbacks`` for the epoch just done (``epochs_done``);
        True if one asks to stop. (A driver other than :meth:`train` calls this too.)"""
        report = EpochReport(self.epochs_done, loss, seconds, words, int(examples))
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
        client: Any = None,
    ) -> Word2Vec:
        """Rebuild a model from a checkpoint; call ``train()`` to go on training.

        With ``client`` (a ``distributed.Client``) the corpus is read and checked
        on that Dask cluster and ``train()`` continues there (any number of
        workers; cluster checkpoints are taken at epoch ends).

        ``source`` is the corpus the checkpoint was trained on (default: the
        path recorded in the checkpoint). It is read again and checked
        against the checkpoint (vocabulary, token count, checksums of the
        encoded ids); a different corpus is refused with a
        :class:`~wordvec.errors.CorpusError`. ``workers`` overrides the
        checkpoint's thread count (results are bit-identical to an
        uninterrupted run only with ``workers=1`` both times). A checkpoint
        of another model (a fastText one for ``Word2Vec.resume``, a word2vec
        one for ``FastText.resume``) is refused with a one-line
        :class:`~wordvec.errors.ConfigError` before the corpus is read.

        Example::

            model = Word2Vec.resume("run.ckpt")
            model.train()           # finishes the interrupted run
        """
        if client is not None:
            from wordvec.train.cluster import resume_on_cluster

            if cls.METHOD != "word2vec":
                raise ConfigError(f"{cls.__name__} trains on one machine; drop client=")
            load_checkpoint(path, mmap=True).require(cls.METHOD)
            return resume_on_cluster(path, client, cls, source=source)
        r = restore(path, source=source, tokenizer=tokenizer, workdir=workdir, workers=workers,
                    tmp_dir=tmp_dir, method=cls.METHOD)
        model = cls(r.config, **(r.subwords or {}))
        model.vocab = r.corpus.vocab
        model.corpus = r.corpus
        model.syn0 = r.syn0
        for name, matrix in r.outputs.items():
            setattr(model, name, matrix)
        model.epochs_done = r.epochs_done
        model.losses = r.losses
        model.chunk_losses = r.chunk_losses
        model.meta = r.meta
        model.checkpoint_meta = r.checkpoint_meta
        model.source_info = r.source_info
        model.run_state = r.run_state
        return model

    # ------------------------------------------------------------------ results

    @property
    def wv(self):  # noqa: ANN201 - WordVectors (imported lazily)
        """The trained vectors (``syn0``) as :class:`~wordvec.vectors.WordVectors`.

        The matrix is shared, not copied; training again replaces this object.
        """
        if self.syn0 is None:
            raise ConfigError("the model has no vectors yet: call fit(source) first")
        if self._wv is None:
            from wordvec.vectors.keyed import WordVectors

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
                "source": self.source_info.get("source"),
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


def _describe_source(
    source: Any, corpus: Any, tokenizer: Any, origin: str
) -> dict[str, Any]:
    """What a checkpoint needs to read the same corpus again."""
    from wordvec.text.corpus import Tokenizer, is_path

    info: dict[str, Any] = {"vocab_origin": origin}
    if is_path(source):
        info["source"] = str(Path(source).resolve())
    if tokenizer is not None and not (isinstance(tokenizer, Tokenizer) and tokenizer.is_default):
        info["tokenizer"] = repr(tokenizer)
    return info
