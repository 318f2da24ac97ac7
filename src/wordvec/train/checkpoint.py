"""Training checkpoints: the whole state of a word2vec or fastText run in one file, and resuming it.

A checkpoint is a native wordvec file (see :func:`wordvec.native.save_state`:
a zip of ``.npy`` arrays plus a JSON header, never a pickle) of kind
``"word2vec-checkpoint"``, written atomically, so a crash while saving leaves
the previous checkpoint intact. It holds

* the arrays ``words`` and ``counts`` (the vocabulary), ``vectors`` (syn0),
  ``syn1neg`` and/or ``syn1`` (output weights), ``chunk_losses`` with
  ``chunk_losses_per_epoch`` (the per-chunk losses of finished epochs) and,
  for a run stopped in the middle of an epoch, ``epoch_chunk_loss`` and
  ``epoch_chunk_examples`` (that epoch's chunks so far);
* in the header, besides the usual training facts (so ``wordvec info`` can
  describe it), a ``checkpoint`` object: the configuration, epochs done,
  the exact losses, the interrupted run (its first epoch and length, which
  fix the learning-rate schedule) and the position in it (next chunk, the
  float64 loss and example sums so far), and the corpus: its path, how its
  vocabulary was made, and a fingerprint (token and sentence counts, CRC-32
  of the encoded ids and of the sentence offsets).

A fastText (subword) model's checkpoint -- layout version 2 -- adds the array
``input``, its whole input matrix (the word rows, then the ``bucket`` n-gram
rows), and a ``subwords`` object (``min_n``, ``max_n``, ``bucket``) in the
``checkpoint`` header; its ``vectors`` are then the words' composed vectors
(each the mean of its rows), so the file still opens as a vector file.
Word2vec checkpoints keep layout version 1, which older wordvec versions read;
they refuse version 2 instead of mistaking a subword model for word2vec.

The random numbers need no saved state: every chunk seeds its own stream
from ``(seed, epoch, chunk)``. The corpus is not copied into the checkpoint;
:func:`resume` reads it again (a few seconds per 100 MB) and refuses it if
the fingerprint differs. Because ``vectors`` and ``words`` are there, a
checkpoint also opens as a vector file (``load_vectors``, ``wordvec similar``).

Example::

    model = Word2Vec(model="sg", workers=1, seed=3).build_vocab("corpus.txt")
    model.train(checkpoint="run.ckpt", checkpoint_every=1)
    ...  # the process dies in epoch 4
    model = Word2Vec.resume("run.ckpt")   # reads corpus.txt again and checks it (restore())
    model.train()                         # finishes epochs 4 and 5
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
import weakref
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wordvec.errors import ConfigError, CorpusError, FormatError, WordvecError
from wordvec.train.config import Word2VecConfig
from wordvec.train.engine import ChunkPlan, EpochState, RunState, objective_classes
from wordvec.wording import counted

if TYPE_CHECKING:  # pragma: no cover
    from wordvec.text.encoded import EncodedCorpus

logger = logging.getLogger("wordvec")

__all__ = ["KIND", "Checkpoint", "Checkpointer", "Restored", "corpus_fingerprint",
           "load_checkpoint", "restore", "save_checkpoint", "save_checkpoint_or_warn"]

#: The ``kind`` of checkpoint files in the native format's header.
KIND = "word2vec-checkpoint"
#: Version of the checkpoint layout; newer files are refused by older code. Version 2
#: (fastText models) adds the ``input`` matrix and the ``subwords`` settings.
VERSION = 2
#: The models a checkpoint can hold (``Word2Vec.METHOD``): their names and classes.
METHODS = {"word2vec": ("word2vec", "Word2Vec"), "fasttext": ("fastText", "FastText")}

class _CorpusMismatch(CorpusError):
    """The corpus given to resume is not the one the checkpoint was trained on."""


_BLOCK = 1 << 22  # tokens per read when checksumming the encoded corpus
_fingerprints: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# ----------------------------------------------------------------------------- fingerprint
def corpus_fingerprint(corpus: EncodedCorpus) -> dict[str, int]:
    """Token and sentence counts and CRC-32 checksums of an encoded corpus.

    Reads the ids in blocks (``pread``), so memory stays flat; about a
    second per 200 million tokens. Cached per corpus object.
    """
    own = getattr(corpus, "fingerprint", None)
    if callable(own):  # a corpus that is not here (on a cluster) describes itself
        return dict(own())
    cached = _fingerprints.get(corpus)
    if cached is not None:
        return dict(cached)
    n = corpus.n_tokens
    crc = 0
    buf = np.empty(min(_BLOCK, max(n, 1)), np.int32)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        ids = corpus.read(start, stop, buf)
        crc = zlib.crc32(np.ascontiguousarray(ids, "<i4").view(np.uint8), crc)
    offsets = np.ascontiguousarray(corpus.offsets, "<i8")
    fp = {
        "tokens": int(n),
        "sentences": int(corpus.n_sentences),
        "ids_crc32": int(crc),
        "offsets_crc32": int(zlib.crc32(offsets.view(np.uint8))),
    }
    _fingerprints[corpus] = fp
    return dict(fp)


# ----------------------------------------------------------------------------- saving
def save_checkpoint(model: Any, path: str | os.PathLike) -> Path:
    """Write ``model``'s whole training state to ``path`` atomically (see module doc).

    ``model`` is a :class:`~wordvec.train.word2vec.Word2Vec` (or anything with its
    public attributes: ``config``, ``vocab``, ``corpus``, ``syn0``, the
    objectives' output matrices, ``losses``, ``chunk_losses``, ``epochs_done``,
    ``meta``, ``checkpoint_meta``, ``source_info``, ``run_state`` and
    ``training_facts()``; a subword model adds ``subword_settings`` and
    ``word_vectors()``). The matrices are written from the model's own arrays,
    not copied.
    """
    from wordvec.native import encode_words, save_state

    if model.syn0 is None or model.vocab is None or model.corpus is None:
        raise ConfigError("nothing to checkpoint yet: call build_vocab(source) first")
    vocab = model.vocab
    subwords = getattr(model, "subword_settings", None)
    arrays: dict[str, np.ndarray] = {
        "words": encode_words(vocab.words),
        "counts": np.asarray(vocab.counts, np.int64),
        "vectors": model.syn0 if subwords is None else model.word_vectors(),
    }
    if subwords is not None:
        arrays["input"] = model.syn0  # words' rows, then the n-gram buckets
    if model.syn1neg is not None:
        arrays["syn1neg"] = model.syn1neg
    if model.syn1 is not None:
        arrays["syn1"] = model.syn1
    lengths = [len(x) for x in model.chunk_losses]
    arrays["chunk_losses"] = (np.concatenate([np.asarray(x, np.float64)
                                              for x in model.chunk_losses])
                              if sum(lengths) else np.zeros(0, np.float64))
    arrays["chunk_losses_per_epoch"] = np.asarray(lengths, np.int64)
    run = model.run_state
    position = None
    if run is not None and run.state is not None:
        st = run.state
        position = st.to_position()
        arrays["epoch_chunk_loss"] = st.chunk_loss
        arrays["epoch_chunk_examples"] = st.chunk_examples
    state = {
        "version": 1 if subwords is None else 2,  # version 1 readers can resume word2vec
        "config": dataclasses.asdict(model.config),
        "epochs_done": model.epochs_done,
        "losses": [float(x) for x in model.losses],
        "meta": model.meta,
        "extra": model.checkpoint_meta,
        "corpus": {**model.source_info, **corpus_fingerprint(model.corpus)},
        "run": None if run is None else {"first_epoch": run.first_epoch, "epochs": run.epochs},
        "position": position,
    }
    if subwords is not None:
        state["subwords"] = dict(subwords)
    meta = model.training_facts()
    meta["checkpoint"] = state
    path = save_state(path, arrays, meta, kind=KIND)
    if run is not None:
        done = position["chunk"] if position else 0
        where = (f"epoch {model.epochs_done - run.first_epoch + 1} of {run.epochs}"
                 f"{f', chunk {done}' if done else ''}")
    else:
        where = f"{counted(model.epochs_done, 'epoch')} done"
    logger.info("checkpoint written to %s (%s)", path, where)
    return path


def save_checkpoint_or_warn(model: Any, path: str | os.PathLike, warned: set) -> bool:
    """Write a checkpoint during training; a failure is a warning, not the end of the run.

    A checkpoint that cannot be written (a full disk, a file-size limit, a
    folder that went away or became read-only) logs one warning line naming
    the path and the reason, once per kind of failure (``warned`` collects
    the kinds already reported; repeats go to the debug log), and sets
    ``model.checkpoint_error``; the previous checkpoint, if any, stays intact
    (writes are atomic). Returns True when the checkpoint was written.
    """
    try:
        model.save_checkpoint(path)  # the method, so that subclasses and wrappers apply
    except OSError as exc:
        reason = exc.strerror or str(exc)
        model.checkpoint_error = f"{path}: {reason}"
        kind = (str(path), exc.errno or reason)
        if kind in warned:
            logger.debug("checkpoint %s not written again: %s", path, reason)
        else:
            warned.add(kind)
            logger.warning("cannot write the checkpoint %s: %s; training goes on (the "
                           "previous checkpoint, if any, is kept)", path, reason)
        return False
    if getattr(model, "checkpoint_error", None) is not None:
        logger.info("checkpoint %s written again", path)
    model.checkpoint_error = None
    return True


class Checkpointer:
    """Writes checkpoints for a training loop: a callback of the loop, above the engine.

    It decides *when* (every ``every_epochs`` epochs, every ``every_seconds``
    seconds at the next chunk boundary -- so also inside an epoch -- and when a
    run is stopped) and writes with :func:`save_checkpoint`. The loop calls:

    * :meth:`start` when training starts (the timer starts);
    * :meth:`epoch_started` with each epoch's :class:`~wordvec.train.engine.EpochState`;
    * :meth:`due` from the engine's ``pause`` hook: True when a timed
      checkpoint should be written now (at least one chunk trained since the
      last one, so training always advances);
    * :meth:`on_timer` after the engine paused for it, :meth:`on_epoch_end`
      after each epoch and :meth:`on_stop` when the run was stopped.
    """

    def __init__(self, path: str | os.PathLike, every_epochs: int | None = None,
                 every_seconds: float | None = None) -> None:
        if every_epochs is not None and (
            isinstance(every_epochs, bool) or not isinstance(every_epochs, int)
            or every_epochs < 1
        ):
            raise ConfigError(f"checkpoint_every must be a whole number of epochs >= 1, "
                              f"got {every_epochs!r}")
        if every_seconds is not None and not (
            isinstance(every_seconds, (int, float)) and not isinstance(every_seconds, bool)
            and every_seconds >= 0 and math.isfinite(every_seconds)
        ):
            raise ConfigError(f"checkpoint_seconds must be a number of seconds >= 0, "
                              f"got {every_seconds!r}")
        self.path = path
        self.every_epochs = every_epochs
        self.every_seconds = every_seconds
        self.deadline = math.inf
        self._mark = 0  # chunk reached at the last timed checkpoint of this epoch
        self._warned: set = set()  # kinds of write failure already reported

    def start(self) -> None:
        self._restart_timer()

    def _restart_timer(self) -> None:
        if self.every_seconds is not None:
            self.deadline = time.monotonic() + self.every_seconds

    def epoch_started(self, state: EpochState) -> None:
        self._mark = state.next_chunk

    def due(self, state: EpochState | None) -> bool:
        return (time.monotonic() >= self.deadline and state is not None
                and state.next_chunk > self._mark)

    def save(self, model: Any) -> bool:
        """Write ``model``'s state through its own ``save_checkpoint`` method.

        A write that fails (full disk, ...) is a warning, not the end of the
        run: see :func:`save_checkpoint_or_warn`. True when it was written.
        """
        return save_checkpoint_or_warn(model, self.path, self._warned)

    def on_timer(self, model: Any) -> None:
        self.save(model)
        self._restart_timer()
        run = model.run_state
        self._mark = run.state.next_chunk if run is not None and run.state is not None else 0

    def on_epoch_end(self, model: Any, epochs_in_run: int) -> None:
        if ((self.every_epochs and epochs_in_run % self.every_epochs == 0)
                or time.monotonic() >= self.deadline):
            self.save(model)
            self._restart_timer()

    def on_stop(self, model: Any) -> None:
        self.save(model)


# ----------------------------------------------------------------------------- loading
@dataclass
class Checkpoint:
    """A checkpoint as read from disk: its arrays and its ``checkpoint`` header object."""

    path: Path
    arrays: dict[str, np.ndarray]
    state: dict[str, Any]
    words: list[str]

    @property
    def complete(self) -> bool:
        """True when no interrupted run is pending (training reached its last epoch)."""
        return self.state.get("run") is None

    @property
    def source(self) -> str | None:
        """The corpus path recorded at training time (None for an in-memory corpus)."""
        return self.state["corpus"].get("source")

    @property
    def subwords(self) -> dict[str, int] | None:
        """A fastText model's ``min_n``, ``max_n`` and ``bucket``; None for word2vec."""
        return self.state.get("subwords")

    @property
    def method(self) -> str:
        """The model it holds: ``"word2vec"`` or ``"fasttext"``."""
        return "word2vec" if self.subwords is None else "fasttext"

    def require(self, method: str) -> None:
        """ConfigError (one line) unless this checkpoint holds a ``method`` model."""
        if self.method != method:
            (have, cls), (want, _) = METHODS[self.method], METHODS[method]
            raise ConfigError(
                f"{self.path} is a checkpoint of a {have} model, not of a {want} model; "
                f"resume it with {cls}.resume (wordvec train --resume takes either)")

    @property
    def extra(self) -> dict[str, Any]:
        """What the program that wrote it stored for itself (``Word2Vec.checkpoint_meta``)."""
        extra = self.state.get("extra")
        return extra if isinstance(extra, dict) else {}

    def describe(self) -> str:
        """Where the run stands, in words: "epoch 3 of 5, chunk 12 of 40"."""
        run = self.state.get("run")
        done = int(self.state["epochs_done"])
        if run is None:
            return f"complete, {counted(done, 'epoch')} done"
        pos = self.state.get("position") or {}
        text = f"epoch {done - int(run['first_epoch']) + 1} of {int(run['epochs'])}"
        if pos.get("chunk"):
            text += f", chunk {int(pos['chunk'])} of {int(pos['chunks'])}"
        return text


def load_checkpoint(path: str | os.PathLike, mmap: bool = False) -> Checkpoint:
    """Read and check a checkpoint file; :class:`FormatError` if it is not a sound one.

    ``mmap=True`` maps the arrays read-only instead of reading them (and so skips
    their checksums): enough to look at the header and the words of a checkpoint
    of any size without holding its matrices in memory.
    """
    from wordvec.native import decode_words, load_state

    path = Path(path)
    arrays, meta = load_state(path, mmap=mmap)
    kind = meta.get("kind")
    if kind != KIND:
        raise FormatError(
            f"{path} is not a training checkpoint: it is a wordvec file of kind {kind!r}. "
            "Resume from the file written by --checkpoint (or Word2Vec.save_checkpoint)"
        )
    state = meta.get("checkpoint")

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise FormatError(f"{path}: damaged checkpoint: {what}")

    need(isinstance(state, dict), "no 'checkpoint' object in its header")
    version = state.get("version")
    need(isinstance(version, int), "no version number")
    if version > VERSION:
        raise FormatError(f"{path} was written by a newer wordvec (checkpoint version "
                          f"{version}); upgrade wordvec to resume it")
    for key, typ in (("config", dict), ("epochs_done", int), ("losses", list),
                     ("corpus", dict)):
        need(isinstance(state.get(key), typ), f"'{key}' missing or of the wrong type")
    for name in ("words", "counts", "vectors", "chunk_losses", "chunk_losses_per_epoch"):
        need(name in arrays, f"array {name!r} missing")
    vectors = arrays["vectors"]
    need(vectors.ndim == 2 and vectors.dtype == np.float32, "'vectors' is not a float32 matrix")
    v, d = vectors.shape
    words = decode_words(arrays["words"], v)
    need(arrays["counts"].shape == (v,), "'counts' does not match the vocabulary")
    need(len(set(words)) == len(words), "the vocabulary repeats a word")
    if "syn1neg" in arrays:
        need(arrays["syn1neg"].shape == (v, d) and arrays["syn1neg"].dtype == np.float32,
             "'syn1neg' does not match 'vectors'")
    if "syn1" in arrays:
        need(arrays["syn1"].shape == (max(v - 1, 1), d) and arrays["syn1"].dtype == np.float32,
             "'syn1' does not match 'vectors'")
    per_epoch = arrays["chunk_losses_per_epoch"]
    need(per_epoch.ndim == 1 and int(per_epoch.sum()) == len(arrays["chunk_losses"])
         and len(per_epoch) == state["epochs_done"], "'chunk_losses' do not add up")
    need(len(state["losses"]) == state["epochs_done"], "'losses' do not match 'epochs_done'")
    sub = state.get("subwords")
    if sub is not None:
        need(isinstance(sub, dict)
             and all(type(sub.get(k)) is int and sub[k] >= 1 for k in ("min_n", "max_n", "bucket"))
             and sub["min_n"] <= sub["max_n"], "the subword settings are inconsistent")
        need("input" in arrays, "array 'input' missing")
        need(arrays["input"].shape == (v + sub["bucket"], d)
             and arrays["input"].dtype == np.float32,
             "'input' does not match the vocabulary and the bucket count")
    run = state.get("run")
    if run is not None:
        need(isinstance(run, dict) and isinstance(run.get("first_epoch"), int)
             and isinstance(run.get("epochs"), int) and run["epochs"] >= 1
             and 0 <= run["first_epoch"] <= state["epochs_done"]
             < run["first_epoch"] + run["epochs"], "the interrupted run is inconsistent")
    pos = state.get("position")
    if pos is not None:
        need(run is not None and isinstance(pos, dict)
             and all(isinstance(pos.get(k), int) for k in ("chunk", "chunks", "words"))
             and all(isinstance(pos.get(k), (int, float)) for k in ("loss", "examples"))
             and 0 <= pos["chunk"] <= pos["chunks"]
             and arrays.get("epoch_chunk_loss", np.zeros(0)).shape == (pos["chunks"],)
             and arrays.get("epoch_chunk_examples", np.zeros(0)).shape == (pos["chunks"],),
             "the position inside the epoch is inconsistent")
    return Checkpoint(path, arrays, state, words)


def _config_of(ck: Checkpoint, workers: int | None) -> Word2VecConfig:
    names = {f.name for f in dataclasses.fields(Word2VecConfig)}
    raw = {k: v for k, v in ck.state["config"].items() if k in names}
    try:
        config = Word2VecConfig(**raw).validate()
    except (TypeError, ConfigError) as exc:
        raise FormatError(f"{ck.path}: damaged checkpoint: invalid configuration ({exc})") from None
    if workers is not None:  # the caller's value: its ConfigError is the caller's
        config = dataclasses.replace(config, workers=workers).validate()
    return config


# ----------------------------------------------------------------------------- resuming
@dataclass
class Restored:
    """A checkpoint read back with its corpus checked: what an estimator needs to go on.

    ``Word2Vec.resume`` builds the model from it; another driver may use it directly.

    Attributes:
        config: the checkpoint's settings (``workers`` replaced when asked).
        vocab: the checkpoint's vocabulary (the corpus's, checked equal).
        corpus: the corpus read again, checked against the checkpoint's fingerprint.
        syn0: the input vectors; ``outputs``: the objectives' output matrices by name.
        epochs_done, losses, chunk_losses, meta, checkpoint_meta, source_info:
            as on :class:`~wordvec.train.word2vec.Word2Vec`.
        run_state: the interrupted run (with its paused epoch), or ``None``.
        subwords: a fastText model's ``min_n``, ``max_n`` and ``bucket`` (its
            ``syn0`` then holds the n-gram rows too), or ``None`` for word2vec.
    """

    config: Word2VecConfig
    vocab: Any
    corpus: Any
    syn0: np.ndarray
    outputs: dict[str, np.ndarray]
    epochs_done: int
    losses: list[float]
    chunk_losses: list[list[float]]
    meta: dict[str, Any]
    checkpoint_meta: dict[str, Any]
    source_info: dict[str, Any]
    run_state: RunState | None
    subwords: dict[str, int] | None = None


def restore(
    path: str | os.PathLike,
    source: Any = None,
    tokenizer: Any = None,
    workdir: str | os.PathLike | None = None,
    workers: int | None = None,
    tmp_dir: str | os.PathLike | None = None,
    method: str | None = None,
) -> Restored:
    """Read a checkpoint and its corpus again (see ``Word2Vec.resume``); ``method``
    ("word2vec" or "fasttext"): refuse, before reading the corpus, a checkpoint of
    another model."""
    from wordvec.text.corpus import is_path
    from wordvec.text.encoded import EncodedCorpus, encode_corpus
    from wordvec.text.vocab import Vocab

    ck = load_checkpoint(path)
    if method is not None:
        ck.require(method)
    state = ck.state
    config = _config_of(ck, workers)
    vocab = Vocab(ck.words, ck.arrays["counts"])
    info = state["corpus"]
    origin = info.get("vocab_origin", "corpus")
    src = source if source is not None else ck.source
    if src is None:
        raise ConfigError(
            f"{ck.path} was trained on an in-memory corpus; pass the same sentences "
            "as source to resume it"
        )
    if is_path(src) and not Path(src).exists():
        raise CorpusError(
            f"corpus path not found: {src}"
            + (" (the path recorded in the checkpoint); give the corpus's new location"
               if source is None else "")
        )
    if tokenizer is None and info.get("tokenizer"):
        logger.warning("%s was made with the tokenizer %s; pass the same tokenizer to resume",
                       ck.path, info["tokenizer"])

    def same_vocab(counts: dict[str, int]) -> Vocab:
        if origin == "corpus":
            derived = Vocab.from_counts(counts, config.min_count, config.max_final_vocab)
            _compare_vocab(ck, derived, vocab, src)
        return vocab

    if isinstance(src, EncodedCorpus):
        if src.vocab.words != vocab.words:
            _compare_vocab(ck, src.vocab, vocab, src)
        corpus = src
    else:
        try:
            corpus = encode_corpus(
                src, min_count=config.min_count, max_vocab_size=config.max_vocab_size,
                max_final_vocab=config.max_final_vocab, tokenizer=tokenizer, workdir=workdir,
                max_sentence_length=config.max_sentence_length, make_vocab=same_vocab,
                tmp_dir=tmp_dir,
            )
        except _CorpusMismatch:
            raise
        except WordvecError as exc:
            raise CorpusError(f"cannot read the corpus to resume {ck.path}: {exc}") from exc
    fp = corpus_fingerprint(corpus)
    for key, label in (("tokens", "tokens"), ("sentences", "sentences"),
                       ("ids_crc32", "checksum of the encoded words"),
                       ("offsets_crc32", "checksum of the sentence boundaries")):
        if key in info and info[key] != fp[key]:
            raise _CorpusMismatch(
                f"the corpus {_name(src)} differs from the one {ck.path} was trained on "
                f"({label}: {fp[key]} now, {info[key]} then); resume with the same text"
            )

    arrays = ck.arrays
    outputs: dict[str, np.ndarray] = {}
    for objective in objective_classes(config):
        name = objective.output_name
        if name not in arrays:
            raise FormatError(f"{ck.path}: damaged checkpoint: {name!r} missing")
        outputs[name] = np.ascontiguousarray(arrays[name], np.float32)
    flat = arrays["chunk_losses"]
    bounds = np.concatenate(([0], np.cumsum(arrays["chunk_losses_per_epoch"])))
    chunk_losses = [[float(x) for x in flat[a:b]]
                    for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    source_info = {k: v for k, v in info.items() if k in ("vocab_origin", "tokenizer", "source")}
    if source is not None:
        source_info["source"] = str(Path(source).resolve()) if is_path(source) else None
    run_state = None
    run = state.get("run")
    if run is not None:
        run_state = RunState(int(run["first_epoch"]), int(run["epochs"]))
        pos = state.get("position")
        if pos is not None:
            n_chunks = len(ChunkPlan.for_corpus(corpus, config.chunk_words))
            if n_chunks != pos["chunks"]:
                raise CorpusError(
                    f"the corpus {_name(src)} cuts into {n_chunks} chunks, the checkpoint's "
                    f"into {pos['chunks']}; resume with the same text and chunk_words"
                )
            run_state.state = EpochState.from_position(
                pos, arrays["epoch_chunk_loss"], arrays["epoch_chunk_examples"],
                config.n_workers)
    logger.info("resumed %s: %s", ck.path, ck.describe())
    return Restored(
        config=config, vocab=vocab, corpus=corpus,
        # read from the file once, used as is: no second copy of a large bucket matrix
        syn0=np.ascontiguousarray(arrays["vectors" if ck.subwords is None else "input"],
                                  np.float32), outputs=outputs,
        epochs_done=int(state["epochs_done"]), losses=[float(x) for x in state["losses"]],
        chunk_losses=chunk_losses, meta=dict(state.get("meta") or {}),
        checkpoint_meta=dict(ck.extra), source_info=source_info, run_state=run_state,
        subwords=None if ck.subwords is None else dict(ck.subwords),
    )


def _name(src: Any) -> str:
    from wordvec.text.corpus import is_path

    return str(src) if is_path(src) else f"({type(src).__name__})"


def _compare_vocab(ck: Checkpoint, got: Any, want: Any, src: Any) -> None:
    """Raise CorpusError naming the first difference between two vocabularies."""
    if got.words == want.words and np.array_equal(got.counts, want.counts):
        return
    for i, (a, b) in enumerate(zip(got.words, want.words, strict=False)):
        if a != b or got.counts[i] != want.counts[i]:
            detail = (f"word #{i + 1} is {a!r} ({got.counts[i]} times) in this corpus but "
                      f"{b!r} ({want.counts[i]} times) in the checkpoint")
            break
    else:
        detail = f"{len(got.words)} words now, {len(want.words)} in the checkpoint"
    raise _CorpusMismatch(
        f"the corpus {_name(src)} differs from the one {ck.path} was trained on: its vocabulary "
        f"differs ({detail}); resume with the same text"
    )
