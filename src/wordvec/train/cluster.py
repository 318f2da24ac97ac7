"""Word2vec on a Dask cluster: data-parallel replicas kept in step by merging frequent rows.

Entry points: ``Word2Vec(...).fit(corpus, client=client)`` (a ``distributed.Client``),
:func:`fit_on_cluster`, :func:`resume_on_cluster`, and the CLI's ``--scheduler`` /
``--dask-local``.

How a run goes:

1. **Shards.** One worker lists the corpus (files, folders, globs, fsspec URLs;
   :func:`wordvec.text.shards.list_files`), and the bytes are cut into one
   contiguous shard per replica (:func:`wordvec.text.shards.plan_shards`). Only
   the list of byte ranges passes through the client.
2. **Vocabulary, map-reduce.** Each replica reads and counts its own shard with
   the compiled scanner; the client adds the counts in shard order (the C tool's
   pruning rules with ``max_vocab_size``) and builds the vocabulary -- the same,
   bit for bit, as on one machine. A shard that cannot be read stops the run
   here, before any training, naming the worker. Each replica then encodes its
   shard locally against that vocabulary.
3. **Training.** One replica per worker process runs the ordinary compiled
   :class:`~wordvec.train.engine.Engine` with all of that worker's threads on
   its shard. Training goes in *rounds* of ``round_seconds`` (0.5 s), each at
   most 1/64 of an epoch (``min_rounds``; see below). After a
   round the replicas synchronise rows of the input and output matrices by
   model averaging of frequency-sorted rows (Ji et al. 2016, pWord2Vec): the
   ``hot_rows`` most frequent words every round, the next ``hot_rows`` every 2
   rounds, the next ``2 * hot_rows`` every 4 rounds, ... (tier ``t`` every ``2**t``
   rounds), and every row at each epoch's end. What is combined is each
   replica's change since the rows were last synchronised: by default their sum
   (``merge="sum"``: as Hogwild threads sharing one memory would add them, so
   the step size per word stays that of one machine; plain averaging,
   ``merge="mean"``, divides each replica's step by the number of replicas).
   Summing is right only while the replicas' changes are small and mostly
   about different rows: within a long round each replica learns on its own
   the direction all vectors share early in training, and the sum adds those
   coherent parts twice while the replicas' word-specific parts, which differ,
   partly cancel -- the vectors end up nearly parallel. So a round also ends
   once a replica has taken ``1/min_rounds`` of its epoch's chunks (64: at least
   64 synchronisations per epoch), whatever the clock says: fast replicas on a
   small corpus (3-4 rounds of 0.5 s in an epoch of the 1.1M-word text8 prefix)
   no longer drift apart. When an epoch takes a replica minutes, the clock
   ends the rounds first and this costs nothing.
   The learning rate follows the global word count: each replica learns the
   words done by all after every round and extrapolates within the next.
4. **Faults.** Replicas are checkpointed by the client at epoch ends (one
   model, fetched from the root replica after the full synchronisation). A
   worker lost mid-training stops the run with one line naming the worker and
   the last checkpoint; :func:`resume_on_cluster` (``wordvec train --resume
   CKPT --scheduler ...``) continues from it, with any number of workers.

Design: **Dask actors.** A replica has large state that must stay in one
process across many short rounds (the encoded shard, the weights, the rows
last synchronised); an actor is exactly that, and calls to it go straight to
the worker that holds it, not through the scheduler. Long-running tasks with
pub/sub would need a hand-written protocol for the same thing, and a shared
object (a Dask ``Variable``) goes through the scheduler. The synchronisation
is a reduce tree over the actors (replica ``i``'s children are ``2i+1`` and
``2i+2``): each replica adds its subtree's changes and passes the sum up, the
root computes the new rows and sends them down the tree; the client only
starts a round and receives a few numbers. Per round each replica sends and
receives the selected rows of each matrix once (``4 * rows * dim`` bytes
each way); the tree depth is ``log2(replicas)`` hops.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordvec.errors import ConfigError, CorpusError, TrainingError, WordvecError
from wordvec.outputs import lock_unless_held
from wordvec.train.config import Word2VecConfig
from wordvec.train.engine import (
    ChunkPlan,
    Engine,
    EpochState,
    Progress,
    ProgressFn,
    RunState,
    Schedule,
    initial_vectors,
    make_chunks,
    objectives_for,
)

logger = logging.getLogger("wordvec")

__all__ = ["ClusterCorpus", "ClusterStats", "Replica", "SyncPlan", "cluster_vocab",
           "fit_on_cluster", "local_cluster", "resume_on_cluster", "svd_on_cluster",
           "train_on_cluster"]

#: A replica's epoch has at least this many chunks (small shards get chunks smaller
#: than ``chunk_words``), so that a round of a fraction of a second ends between chunks.
MIN_CHUNKS_PER_EPOCH = 64

#: A replica's round (``round_seconds`` of training) ends after at most this share
#: (1/64) of its epoch's chunks: at least 64 synchronisations per epoch however
#: fast the replicas are (see :func:`train_on_cluster`).
MIN_ROUNDS_PER_EPOCH = 64


# ----------------------------------------------------------------------------- sync plan
@dataclass
class SyncPlan:
    """Which word ranks (rows) are synchronised in round ``r``.

    Tier 0 is ranks ``[0, hot)``, tier ``t >= 1`` ranks ``[hot * 2**(t-1), hot * 2**t)``;
    tier ``t`` is synchronised in the rounds divisible by ``2**t``.
    """

    n_rows: int
    hot: int

    def tiers(self) -> list[tuple[int, int]]:
        out = [(0, min(self.hot, self.n_rows))]
        lo = self.hot
        while lo < self.n_rows:
            hi = min(self.n_rows, 2 * lo)
            out.append((lo, hi))
            lo = hi
        return out

    def ranges(self, round_no: int) -> list[tuple[int, int]]:
        """Contiguous rank ranges of round ``round_no`` (adjacent tiers merged)."""
        picked: list[tuple[int, int]] = []
        for t, (lo, hi) in enumerate(self.tiers()):
            if round_no % (1 << t) == 0:
                if picked and picked[-1][1] == lo:
                    picked[-1] = (picked[-1][0], hi)
                else:
                    picked.append((lo, hi))
        return picked

    def full(self) -> list[tuple[int, int]]:
        return [(0, self.n_rows)]


def _matrix_rows(name: str, ranges: Sequence[tuple[int, int]], v: int) -> np.ndarray:
    """Row indices of matrix ``name`` for word-rank ranges. ``syn1`` (hierarchical
    softmax) holds inner nodes, the busiest (nearest the root) last: it is read backwards."""
    parts = []
    for lo, hi in ranges:
        if name == "syn1":
            n = max(v - 1, 1)
            a, b = max(0, n - hi), max(0, n - lo)
            if b > a:
                parts.append(np.arange(a, b, dtype=np.int64))
        else:
            parts.append(np.arange(lo, hi, dtype=np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


# ----------------------------------------------------------------------------- the replica
class Replica:
    """One data-parallel replica, living on one Dask worker as an actor (see module doc)."""

    def __init__(self, rank: int, n_replicas: int, workdir: str | None = None) -> None:
        self.rank = rank
        self.n = n_replicas
        self.workdir = workdir
        self.scanned: Any = None
        self.corpus: Any = None
        self.children: list[Any] = []
        self.rows_moved = 0
        self.bytes_moved = 0
        self.sync_seconds = 0.0
        self.train_seconds = 0.0

    def where(self) -> str:
        from distributed import get_worker

        try:
            return str(get_worker().address)
        except ValueError:  # pragma: no cover - outside a worker
            return "?"

    # --- corpus
    def scan(self, pieces: list, normalize: bool = True) -> dict[str, Any]:
        """Count the words of this replica's shard (the map step)."""
        from wordvec.text.corpus import Tokenizer
        from wordvec.text.shards import scan_shard

        try:
            self.scanned = scan_shard(pieces, self.workdir, Tokenizer(normalize=normalize))
        except WordvecError as exc:
            raise CorpusError(f"worker {self.where()} cannot read its shard: {exc}") from None
        return {"counts": self.scanned.word_counts, "raw_tokens": self.scanned.raw_tokens,
                "invalid_bytes": self.scanned.invalid_bytes}

    def encode(self, words: list[str], counts: np.ndarray, config: dict) -> dict[str, int]:
        """Encode the shard with the merged vocabulary; prepare the training plan."""
        from wordvec.text.encoded import encode_scanned
        from wordvec.text.vocab import Vocab

        self.config = Word2VecConfig(**config)
        self.vocab = Vocab(words, counts)
        self.corpus = encode_scanned(self.scanned, self.vocab, self.config.max_sentence_length)
        self.scanned = None
        n = self.corpus.n_tokens
        chunk = max(1, min(self.config.chunk_words, n // MIN_CHUNKS_PER_EPOCH or 1))
        chunks = make_chunks(self.corpus.offsets, chunk)
        # keys differ between replicas: each draws its own random streams
        self.plan = ChunkPlan(chunks, (self.rank * 1_000_003 + i for i in range(len(chunks))))
        return {"tokens": n, "sentences": self.corpus.n_sentences}

    # --- weights
    def set_peers(self, children: list) -> None:
        self.children = list(children)

    def init_weights(self, syn0: np.ndarray | None, outputs: dict | None,
                     merge: str = "sum") -> None:
        """Start from ``syn0``/``outputs`` (a resumed run) or the C tool's initial values."""
        c = self.config
        v = len(self.vocab)
        self.syn0 = (np.array(syn0, np.float32) if syn0 is not None
                     else initial_vectors(v, c.vector_size, c.seed))
        self.objectives = objectives_for(c, self.vocab, {k: np.array(m, np.float32)
                                                         for k, m in (outputs or {}).items()})
        self.matrices = {"syn0": self.syn0, **{o.output_name: o.output for o in self.objectives}}
        self.base = {k: m.copy() for k, m in self.matrices.items()}
        self.merge = merge

    def start_run(self, first_epoch: int, epochs: int, global_tokens: int) -> None:
        from distributed import get_worker

        c = self.config
        threads = c.workers or get_worker().state.nthreads  # all of this worker's threads
        self.engine = Engine(c, self.corpus, self.syn0, self.objectives, plan=self.plan,
                             epochs=epochs, first_epoch=first_epoch, workers=threads)
        self.engine.schedule = Schedule(c.start_alpha, c.end_alpha,
                                        float(epochs) * global_tokens)
        self.global_tokens = global_tokens
        self.global_base = 0.0
        self.local_base = 0
        self.state: EpochState | None = None
        self.engine.position = self._position

    def _position(self, epoch: int, k: int) -> float:
        local = float(self.plan.seq_start[k]) - self.local_base
        return (epoch * float(self.global_tokens) + self.global_base
                + max(local, 0.0) * self.n)

    def train(self, epoch: int, seconds: float, global_words: float,
              words: int | None = None, min_rounds: int = 1) -> dict[str, Any]:
        """Train the epoch's chunks for about ``seconds`` but at most ``1/min_rounds`` of
        them (or, given ``words``, until that many words are done: rounds independent
        of timing); ``global_words``: all replicas' words of the epoch so far (for the
        learning rate)."""
        if self.state is None or getattr(self, "_epoch", None) != epoch:
            self.state = self.engine.new_state()
            self._epoch = epoch
        st = self.state
        self.global_base = float(global_words)
        self.local_base = st.words
        t0 = time.perf_counter()
        deadline = t0 + seconds
        start = st.words
        # at most 1/min_rounds of the epoch's chunks (at least one), wherever the clock is
        first = st.next_chunk
        most = max(1, len(self.plan) // max(1, min_rounds))

        def pause() -> bool:
            if words is not None:
                return st.words - start >= words
            return st.next_chunk - first >= most or time.perf_counter() >= deadline

        if not st.finished:
            self.engine.run_epoch(epoch, st, pause=pause)
        self.train_seconds += time.perf_counter() - t0
        return {"words": int(st.words), "finished": st.finished,
                "loss": float(st.loss.sum()), "examples": float(st.examples.sum()),
                "n_tokens": self.plan.n_words}

    def epoch_losses(self) -> list[float]:
        return [float(x) for x in self.state.chunk_means()] if self.state is not None else []

    # --- the reduce tree
    def gather(self, ranges: list) -> dict[str, np.ndarray]:
        """This subtree's summed changes of the rows in ``ranges`` since their last sync."""
        t0 = time.perf_counter()
        futures = [child.gather(ranges) for child in self.children]
        v = len(self.vocab)
        total = {}
        for name, m in self.matrices.items():
            rows = _matrix_rows(name, ranges, v)
            total[name] = m[rows] - self.base[name][rows]
        for f in futures:
            for name, delta in f.result().items():
                total[name] += delta
                self.bytes_moved += delta.nbytes
        self.sync_seconds += time.perf_counter() - t0
        return total

    def scatter(self, ranges: list, new: dict[str, np.ndarray]) -> None:
        """Set the rows in ``ranges`` to ``new`` here and in this subtree."""
        t0 = time.perf_counter()
        futures = [child.scatter(ranges, new) for child in self.children]
        v = len(self.vocab)
        for name, m in self.matrices.items():
            rows = _matrix_rows(name, ranges, v)
            m[rows] = new[name]
            self.base[name][rows] = new[name]
            self.rows_moved += len(rows)
            if self.children:
                self.bytes_moved += new[name].nbytes * len(self.children)
        for f in futures:
            f.result()
        self.sync_seconds += time.perf_counter() - t0

    def allreduce(self, ranges: list) -> float:
        """Run on the root: combine the replicas' changes of ``ranges`` and share the result."""
        t0 = time.perf_counter()
        total = self.gather(ranges)
        v = len(self.vocab)
        new = {}
        for name, delta in total.items():
            rows = _matrix_rows(name, ranges, v)
            if self.merge == "mean":
                delta /= np.float32(self.n)
            new[name] = self.base[name][rows] + delta
        self.scatter(ranges, new)
        return time.perf_counter() - t0

    # --- PPMI-SVD: co-occurrence counts, summed up the same tree
    def cooccurrence_sum(self, options: dict) -> Any:
        """This subtree's co-occurrence counts (a scipy CSR matrix over the vocabulary)."""
        from wordvec.train.cooccurrence import cooccurrence

        futures = [child.cooccurrence_sum(options) for child in self.children]
        total = cooccurrence(self.corpus, **options)
        for f in futures:
            total = total + f.result()
        return total.tocsr()

    def weights(self, names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        return {k: m for k, m in self.matrices.items() if names is None or k in names}

    def stats(self) -> dict[str, Any]:
        return {"rank": self.rank, "worker": self.where(), "rows_moved": self.rows_moved,
                "bytes_moved": self.bytes_moved, "sync_seconds": self.sync_seconds,
                "train_seconds": self.train_seconds}


# ----------------------------------------------------------------------------- client side
class ClusterCorpus:
    """What the client knows of a corpus that lives on the cluster: vocabulary and counts.

    Stands in for :class:`~wordvec.text.encoded.EncodedCorpus` on the model
    (statistics, checkpoints); it has no ids.
    """

    def __init__(self, vocab: Any, n_tokens: int, n_sentences: int, sources: list[str],
                 stats: dict) -> None:
        self.vocab = vocab
        self.n_tokens = n_tokens
        self.n_sentences = n_sentences
        self.sources = sources
        self.stats = stats
        self.offsets = np.array([0, n_tokens], np.int64)

    def fingerprint(self) -> dict[str, Any]:
        # no checksums: sentence cuts and ids live on the workers (and depend on the
        # number of shards); the vocabulary and token count are checked on resume
        return {"tokens": int(self.n_tokens), "cluster_sentences": int(self.n_sentences)}

    def __len__(self) -> int:
        return self.n_tokens


@dataclass
class ClusterStats:
    """What synchronisation cost in a cluster run (also in ``model.meta["cluster"]``)."""

    replicas: int
    rounds: int
    rows_moved: int
    bytes_moved: int
    sync_seconds: float
    train_seconds: float
    wall_seconds: float
    workers: list[str]

    @property
    def sync_share(self) -> float:
        return self.sync_seconds / self.wall_seconds if self.wall_seconds else 0.0


def _workers(client: Any, n: int | None = None) -> list[str]:
    info = client.scheduler_info()
    addrs = sorted(info.get("workers", {}))
    if not addrs:
        client.wait_for_workers(1, timeout=60)
        addrs = sorted(client.scheduler_info().get("workers", {}))
    if not addrs:
        raise ConfigError("the Dask cluster has no workers; start some with 'dask worker ADDRESS'")
    return addrs[:n] if n else addrs


def _start_replicas(client: Any, addrs: list[str]) -> list[Any]:
    futures = [client.submit(Replica, i, len(addrs), actor=True, workers=[a], pure=False,
                             allow_other_workers=False)
               for i, a in enumerate(addrs)]
    replicas = [f.result() for f in futures]
    for i, r in enumerate(replicas):
        kids = [replicas[j] for j in (2 * i + 1, 2 * i + 2) if j < len(replicas)]
        r.set_peers(kids).result()
    return replicas


def _results(calls: Sequence[Callable[[], Any]], addrs: list[str], what: str,
             on_lost: Callable[[str, BaseException], BaseException] | None = None) -> list:
    """Start ``calls`` (each makes one actor call), then wait for all of them.

    A replica whose worker is gone fails at the call or at its result; that
    becomes ``on_lost(address, exc)`` (default a :class:`TrainingError`).
    """
    def fail(addr: str, exc: BaseException) -> BaseException:
        if on_lost is not None:
            return on_lost(addr, exc)
        return TrainingError(f"cluster worker {addr} failed while {what}: "
                             f"{type(exc).__name__}: {exc}".strip())

    futures = []
    for call, addr in zip(calls, addrs, strict=True):
        try:
            futures.append(call())
        except WordvecError:
            raise
        except Exception as exc:  # "Worker holding Actor was lost"
            raise fail(addr, exc) from None
    out = []
    for f, addr in zip(futures, addrs, strict=True):
        try:
            out.append(f.result())
        except WordvecError:
            raise
        except Exception as exc:  # a lost worker, a closed connection
            raise fail(addr, exc) from None
    return out


def cluster_vocab(client: Any, sources: Sequence[str | os.PathLike], config: Word2VecConfig,
                  replicas: list[Any] | None = None, normalize: bool = True,
                  ) -> tuple[Any, ClusterCorpus, list[Any], list[str]]:
    """Shard ``sources`` over the workers, count (map) and merge (reduce) the words,
    encode each shard on its worker. Returns ``(vocab, corpus, replicas, addresses)``."""
    from wordvec.text.shards import list_files, merge_counts, plan_shards
    from wordvec.text.vocab import Vocab
    from wordvec.wording import counted

    addrs = _workers(client)
    sources = [str(s) for s in sources]
    files = client.submit(list_files, sources, workers=[addrs[0]], pure=False).result()
    t0 = time.perf_counter()
    replicas = replicas or _start_replicas(client, addrs)
    shards = plan_shards(files, len(replicas))
    idle = sum(1 for pieces in shards if not pieces)
    if idle:
        # a replica without text trains nothing but still syncs: measured on a single .xz
        # corpus, 2 workers diverged (sum) or blew up (mean); refuse it in one line instead
        raise CorpusError(
            f"the corpus cannot be spread over {counted(len(replicas), 'worker')}: "
            f"{counted(idle, 'worker')} would get no text (compressed files are not split). "
            "Give at least as many files as workers, decompress it, or use fewer workers")
    scans = _results([lambda r=r, p=p: r.scan(p, normalize)
                      for r, p in zip(replicas, shards, strict=True)],
                     addrs, "counting words")
    counts = merge_counts((s["counts"] for s in scans), config.max_vocab_size)
    if not counts:
        raise CorpusError(f"the corpus {', '.join(sources)} holds no words")
    vocab = Vocab.from_counts(counts, config.min_count, config.max_final_vocab)
    if len(vocab) == 0:
        raise CorpusError(f"no word occurs at least min_count={config.min_count} times; "
                          "lower min_count or give a larger corpus")
    seconds = time.perf_counter() - t0
    logger.info("vocabulary of %s from %s on %d workers in %.2f s", counted(len(vocab), "word"),
                counted(sum(s["raw_tokens"] for s in scans), "token"), len(replicas), seconds)
    cfg = dataclasses.asdict(config)
    enc = _results([lambda r=r: r.encode(vocab.words, vocab.counts, cfg) for r in replicas],
                   addrs, "encoding its shard")
    stats = {"raw_tokens": sum(s["raw_tokens"] for s in scans),
             "invalid_bytes": sum(s["invalid_bytes"] for s in scans),
             "source": ", ".join(sources), "vocab_seconds": round(seconds, 3),
             "shards": len(replicas)}
    corpus = ClusterCorpus(vocab, sum(e["tokens"] for e in enc),
                           sum(e["sentences"] for e in enc), sources, stats)
    return vocab, corpus, replicas, addrs


def fit_on_cluster(model: Any, source: Any, client: Any, *,
                   callbacks: Sequence[Callable] = (), progress: ProgressFn | None = None,
                   checkpoint: str | os.PathLike | None = None, normalize: bool = True,
                   **options: Any) -> Any:
    """Build the vocabulary on the cluster and train ``model`` there (see module doc).

    ``source``: a path, URL or glob, or a list of them, readable by every worker.
    ``options``: ``round_seconds``, ``round_words``, ``hot_rows``, ``merge``,
    ``checkpoint``, ``checkpoint_every`` (see :func:`train_on_cluster`).
    """
    if not isinstance(source, (str, os.PathLike, list, tuple)):
        raise ConfigError("training on a cluster needs the corpus as paths or URLs every worker "
                          f"can read, not a {type(source).__name__}")
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    vocab, corpus, replicas, addrs = cluster_vocab(client, sources, model.config,
                                                   normalize=normalize)
    model.vocab = vocab
    model.corpus = corpus
    model.source_info = {"vocab_origin": "corpus", "source": corpus.sources[0]
                         if len(corpus.sources) == 1 else None}
    model.checkpoint_meta = {**model.checkpoint_meta, "cluster_sources": corpus.sources}
    model.syn0 = None  # the replicas make the initial weights (the C tool's, from the seed)
    for o in objectives_for(model.config, vocab):
        setattr(model, o.output_name, None)
    model.epochs_done, model.losses, model.chunk_losses = 0, [], []
    model.run_state = None
    model.cluster_replicas = (replicas, addrs)  # the replicas stay until the client closes
    model.cluster_client = client
    return train_on_cluster(model, client, replicas, addrs, callbacks=callbacks,
                            progress=progress, checkpoint=checkpoint, fresh=True, **options)


def resume_on_cluster(path: str | os.PathLike, client: Any, make_model: Callable[[Any], Any],
                      source: Any = None, normalize: bool | None = None) -> Any:
    """Rebuild a model (``make_model(config)``) from a checkpoint, its corpus counted on
    the cluster; :func:`train_on_cluster` continues. ``Word2Vec.resume(path, client=...)``
    calls this."""
    from wordvec.train.checkpoint import load_checkpoint

    ck = load_checkpoint(path)
    names = {f.name for f in dataclasses.fields(Word2VecConfig)}
    config = Word2VecConfig(**{k: v for k, v in ck.state["config"].items() if k in names})
    extra = ck.extra
    if source is not None:
        sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    else:
        sources = extra.get("cluster_sources") or ([ck.source] if ck.source else None)
    if not sources:
        raise ConfigError(f"{path} records no corpus; give it: wordvec train CORPUS --resume")
    if normalize is None:
        normalize = extra.get("normalize") is not False
    vocab, corpus, replicas, addrs = cluster_vocab(client, sources, config, normalize=normalize)
    if vocab.words != ck.words or not np.array_equal(vocab.counts, ck.arrays["counts"]):
        raise CorpusError(f"the corpus {', '.join(map(str, sources))} differs from the one "
                          f"{path} was trained on (its vocabulary differs); resume with the "
                          "same text")
    info = ck.state["corpus"]
    if "tokens" in info and info["tokens"] != corpus.n_tokens:
        raise CorpusError(f"the corpus has {corpus.n_tokens} tokens, {path} was trained on "
                          f"{info['tokens']}; resume with the same text")
    model = make_model(config)
    model.vocab, model.corpus = vocab, corpus
    model.syn0 = np.ascontiguousarray(ck.arrays["vectors"], np.float32)
    for o in objectives_for(config, vocab):
        setattr(model, o.output_name, np.ascontiguousarray(ck.arrays[o.output_name], np.float32))
    model.epochs_done = int(ck.state["epochs_done"])
    model.losses = [float(x) for x in ck.state["losses"]]
    flat = ck.arrays["chunk_losses"]
    bounds = np.concatenate(([0], np.cumsum(ck.arrays["chunk_losses_per_epoch"])))
    model.chunk_losses = [[float(x) for x in flat[a:b]]
                          for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    model.meta = dict(ck.state.get("meta") or {})
    model.checkpoint_meta = {**extra, "cluster_sources": [str(s) for s in sources]}
    model.source_info = {"vocab_origin": "corpus", "source": ck.source}
    run = ck.state.get("run")
    model.run_state = RunState(int(run["first_epoch"]), int(run["epochs"])) if run else None
    model.cluster_replicas = (replicas, addrs)  # model.train() goes on there
    model.cluster_client = client
    return model


def train_on_cluster(model: Any, client: Any, replicas: list[Any] | None = None,
                     addrs: list[str] | None = None, *, callbacks: Sequence[Callable] = (),
                     progress: ProgressFn | None = None, progress_every: float = 1.0,
                     checkpoint: str | os.PathLike | None = None, checkpoint_every: int = 1,
                     fresh: bool = False,
                     round_seconds: float = 0.5, round_words: int | None = None,
                     hot_rows: int = 4096, min_rounds: int = MIN_ROUNDS_PER_EPOCH,
                     merge: str = "sum", resume_hint: str | None = None) -> Any:
    """Train (or finish) ``model``'s run on the replicas; checkpoints at epoch ends.

    Args:
        round_seconds: training time between synchronisations. 0.5 s: on the main
            corpus (68k words, d 100) a round's sync took 0.2-0.27 s on a loaded
            2-core machine, 47% of the time with 0.1 s rounds, 25% with 0.5 s.
        round_words: instead, words each replica trains between synchronisations:
            the rounds no longer depend on timing (with one thread per replica
            the run is then reproducible).
        hot_rows: rows synchronised every round (see :class:`SyncPlan`).
        min_rounds: a round also ends after ``1/min_rounds`` of an epoch's chunks
            (of each replica's shard), so an epoch has at least ``min_rounds``
            synchronisations however fast the replicas are. With rounds ended by
            the clock only (``min_rounds=1``), the 1.1M-word text8 prefix (1 epoch,
            2 replicas, 3-4 rounds) scored 0.17% analogies / .115 WS-353 against
            0.72-0.81% / .197-.209 on one process; with 32 or 64 (60 rounds: its
            chunks are 10,000-word lines), 0.52% / .217. The 17M-word main
            corpus (1 epoch): 14.5-14.7% analogies on one process, 13.7-13.9%
            with 32 (34 rounds), 14.0-14.6% with 64 (84 rounds, 30% of the time
            in synchronisation against 19%). Ignored with ``round_words``.
        merge: ``"sum"`` adds the replicas' changes (the default), ``"mean"``
            averages them: with short rounds it halves every step (the prefix:
            0.12% / .193 at 20 rounds, against 0.49% / .285 for the sum).
        checkpoint, checkpoint_every: write a checkpoint every that many epochs
            (after the full synchronisation; and after the last epoch).
        resume_hint: the command line that continues after a lost worker.
    """
    from wordvec.wording import counted

    if merge not in ("sum", "mean"):
        raise ConfigError(f"merge must be 'sum' or 'mean', got {merge!r}")
    if min_rounds < 1:
        raise ConfigError(f"min_rounds must be at least 1, got {min_rounds}")
    if round_seconds <= 0:
        raise ConfigError(f"round_seconds must be positive, got {round_seconds}")
    if replicas is None:
        replicas, addrs = getattr(model, "cluster_replicas", (None, None))
        if replicas is None:
            raise ConfigError("no replicas: build the model with fit_on_cluster or "
                              "resume_on_cluster")
    c = model.config
    if fresh or model.run_state is None:
        run = RunState(model.epochs_done, c.epochs)
    else:
        run = RunState(model.run_state.first_epoch, model.run_state.epochs)
    last_ckpt: dict[str, Any] = {"path": None, "epochs": None}
    if checkpoint is not None and os.path.exists(checkpoint) and not fresh:
        last_ckpt = {"path": str(checkpoint), "epochs": model.epochs_done}

    def lost(addr: str, exc: BaseException) -> BaseException:
        if last_ckpt["path"]:
            where = (f"the last checkpoint is {last_ckpt['path']} "
                     f"({counted(last_ckpt['epochs'], 'epoch')} done); continue with: "
                     + (resume_hint or f"wordvec train --resume "
                        f"{shlex.quote(last_ckpt['path'])} --scheduler ADDRESS"))
        else:
            where = "no checkpoint was written yet (give --checkpoint-every 1)"
        return TrainingError(f"cluster worker {addr} was lost during training "
                             f"({type(exc).__name__}); {where}")

    outputs = {o.output_name: getattr(model, o.output_name)
               for o in objectives_for(c, model.vocab)}
    fresh_weights = fresh and model.epochs_done == 0
    _results([lambda r=r: r.init_weights(None if fresh_weights else model.syn0,
                                        None if fresh_weights else outputs, merge)
              for r in replicas],
             addrs, "receiving the weights", lost)
    n_tokens = model.corpus.n_tokens
    _results([lambda r=r: r.start_run(run.first_epoch, run.epochs, n_tokens)
              for r in replicas],
             addrs, "starting", lost)
    sync = SyncPlan(len(model.vocab), max(1, hot_rows))
    root = replicas[0]
    t0 = time.perf_counter()
    rounds = 0
    sync_seconds = 0.0
    last_report = 0.0
    words_before = (model.epochs_done - run.first_epoch) * n_tokens
    # another process training to the same checkpoint is refused, as on one machine;
    # taken here, so that the loop's finally frees it
    lock = lock_unless_held(checkpoint, "checkpoint") if checkpoint is not None else None
    model.run_state = run
    model.vectors_changed()
    try:
        while model.epochs_done < run.last_epoch:
            e = model.epochs_done - run.first_epoch
            te = time.perf_counter()
            words = 0.0
            r_in_epoch = 0
            while True:
                res = _results([lambda r=r, e=e, w=words: r.train(e, round_seconds, w,
                                                                   round_words, min_rounds)
                                for r in replicas], addrs, "training", lost)
                words = float(sum(x["words"] for x in res))
                finished = all(x["finished"] for x in res)
                ts = time.perf_counter()
                ranges = sync.full() if finished else sync.ranges(r_in_epoch + 1)
                try:
                    root.allreduce(ranges).result()
                except WordvecError:
                    raise
                except Exception as exc:  # somewhere in the tree: ask the scheduler who
                    raise lost(_dead_worker(client, addrs), exc) from None
                sync_seconds += time.perf_counter() - ts
                rounds += 1
                r_in_epoch += 1
                now = time.perf_counter()
                loss = sum(x["loss"] for x in res)
                examples = sum(x["examples"] for x in res)
                if progress is not None and (now - last_report >= progress_every or finished):
                    last_report = now
                    elapsed = now - t0
                    total = run.epochs * n_tokens
                    pos = e * n_tokens + words  # words of this run, all replicas
                    wps = (pos - words_before) / elapsed if elapsed > 0 else 0.0
                    progress(Progress(
                        epoch=e + 1, epochs=run.epochs, words_done=int(pos),
                        words_total=int(total), words_per_sec=wps,
                        alpha=Schedule(c.start_alpha, c.end_alpha, total).alpha_at(pos),
                        loss=loss / examples if examples else float("nan"), elapsed=elapsed,
                        eta=(total - pos) / wps if wps > 0 else float("inf")))
                if finished:
                    break
            # the epoch is over and fully synchronised: the client takes one model
            got = _results([lambda: root.weights()], addrs[:1], "sending the weights", lost)[0]
            model.syn0 = np.array(got["syn0"])
            for name in outputs:
                setattr(model, name, np.array(got[name]))
            per_chunk = _results([lambda r=r: r.epoch_losses() for r in replicas], addrs,
                                 "reporting", lost)
            model.epochs_done += 1
            mean = loss / examples if examples else float("nan")
            model.losses.append(mean)
            model.chunk_losses.append([x for part in per_chunk for x in part])
            model.vectors_changed()
            seconds = time.perf_counter() - te
            logger.info("epoch %d: loss %.4f, %.0f words/s on %d replicas", model.epochs_done,
                        mean, words / seconds if seconds > 0 else 0.0, len(replicas))
            if not np.isfinite(model.syn0).all() or (examples and not math.isfinite(mean)):
                raise TrainingError(
                    f"training diverged in epoch {model.epochs_done}: the weights became NaN "
                    f"or infinite. Lower the learning rate (alpha={c.start_alpha:g})")
            stop = model.epoch_callbacks(callbacks, mean, seconds, int(words), int(examples))
            if stop or model.epochs_done >= run.last_epoch:
                model.run_state = None
            if checkpoint is not None and (model.run_state is None or stop or
                                           model.epochs_done % max(1, checkpoint_every) == 0):
                model.save_checkpoint(checkpoint)
                last_ckpt = {"path": str(checkpoint), "epochs": model.epochs_done}
            if stop:
                break
            model.run_state = run if model.epochs_done < run.last_epoch else None
    finally:
        wall = time.perf_counter() - t0
        model.train_seconds = wall
        if lock is not None:
            lock.release()
    st = _results([lambda r=r: r.stats() for r in replicas], addrs, "reporting", lost)
    stats = ClusterStats(
        replicas=len(replicas), rounds=rounds, rows_moved=sum(s["rows_moved"] for s in st),
        bytes_moved=sum(s["bytes_moved"] for s in st), sync_seconds=sync_seconds,
        train_seconds=max(s["train_seconds"] for s in st), wall_seconds=wall,
        workers=[s["worker"] for s in st])
    model.cluster_stats = stats
    model.meta["cluster"] = {"replicas": stats.replicas, "rounds": stats.rounds,
                             "rows_moved": stats.rows_moved, "bytes_moved": stats.bytes_moved,
                             "sync_seconds": round(stats.sync_seconds, 3),
                             "wall_seconds": round(wall, 3)}
    model.run_state = None
    model.vectors_changed()
    logger.info("cluster: %d rounds, %s moved, synchronisation %.1f%% of %.1f s",
                rounds, counted(stats.bytes_moved, "byte"), 100 * stats.sync_share, wall)
    return model


def svd_on_cluster(source: Any, client: Any, config: Any = None, normalize: bool = True,
                   **kwargs: Any) -> Any:
    """PPMI-SVD with the counting on the cluster: a :class:`~wordvec.train.ppmi_svd.PPMISVD`.

    The vocabulary is the map-reduce of :func:`cluster_vocab`; each replica
    counts the co-occurrences of its shard and the counts are summed up the
    reduce tree, so the client receives one sparse matrix. The PPMI transform
    and the SVD then run **on the client**: the merged counts (about 12 bytes
    per distinct pair) and the factorisation must fit there. With ``sample=0``
    the counts equal one machine's, except that a window never spans two
    shards (at most ``window`` pairs lost per shard in a text8-style line);
    with subsampling each shard draws its own random numbers.
    """
    from wordvec.train.cooccurrence import BOS, EOS
    from wordvec.train.ppmi_svd import PPMISVD, SVDConfig

    cfg = dataclasses.replace(config or SVDConfig(), **kwargs)
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    w2v = Word2VecConfig(min_count=cfg.min_count, max_final_vocab=cfg.max_final_vocab,
                         max_vocab_size=cfg.max_vocab_size)
    vocab, _, replicas, addrs = cluster_vocab(client, sources, w2v, normalize=normalize)
    words = list(vocab.words)
    if cfg.boundaries:
        clash = [t for t in (BOS, EOS) if t in vocab]
        if clash:
            raise CorpusError(f"the corpus contains the boundary token {clash[0]!r} as a word; "
                              "remove it from the text or set boundaries=False")
        words += [BOS, EOS]
    options = {"window": cfg.window, "weighting": cfg.weighting, "boundaries": cfg.boundaries,
               "chunk_tokens": cfg.chunk_tokens, "sample": cfg.sample, "seed": cfg.seed}
    t0 = time.perf_counter()
    counts = _results([lambda: replicas[0].cooccurrence_sum(options)], addrs[:1],
                      "counting co-occurrences")[0]
    seconds = time.perf_counter() - t0
    model = PPMISVD.from_counts(counts, words, vocab.counts, cfg)
    model.timings["count"] = seconds
    return model


def _dead_worker(client: Any, addrs: list[str]) -> str:
    """The first replica worker the scheduler no longer knows (else all of them)."""
    try:
        alive = set(client.scheduler_info().get("workers", {}))
    except Exception:  # pragma: no cover - the scheduler itself is gone
        return ", ".join(addrs)
    gone = [a for a in addrs if a not in alive]
    return gone[0] if gone else ", ".join(addrs)


def local_cluster(n_workers: int, threads_per_worker: int = 1) -> tuple[Any, Any]:
    """A ``LocalCluster`` of ``n_workers`` processes and a client to it (``--dask-local``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("training on a cluster needs dask and distributed: "
                          "pip install 'wordvec[cluster]'") from None
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                           processes=True, dashboard_address=None, silence_logs=logging.ERROR)
    return cluster, Client(cluster)
