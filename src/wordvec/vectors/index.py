"""Nearest-neighbour indexes: exact search, or approximate for big vocabularies.

A query against :class:`~wordvec.vectors.WordVectors` is one pass over the
whole matrix; at a million words of 100 dimensions that is 400 MB of memory
traffic, tens of milliseconds. An approximate index answers in well under a
millisecond, at the price of sometimes missing a true neighbour::

    index = wv.build_index()              # "auto": exact below AUTO_APPROX_WORDS, else IVF
    index = wv.build_index("ivf")         # faiss inverted lists (k-means cells)
    index = wv.build_index("hnsw")        # faiss HNSW graph (pip install faiss-cpu)
    wv.most_similar("king", index=index)

Every index answers ``search(queries, k) -> (rows, scores)`` for unit-length
query rows, scores being cosines, best first. :class:`ExactIndex` gives the
same results as ``wv.most_similar`` without an index. The approximate kinds
keep their own unit-normalised copy of the vectors (another V x D float32).

Recall depends on the data: on vectors with structure (clusters of related
words, as trained vectors have) HNSW and IVF find nearly all true
neighbours; on independent Gaussian noise in 100 dimensions, where every
point is almost equally far from every other, no approximate method does
well at a millisecond. ``bench/query_latency.py --index`` measures both.

Why IVF is the automatic choice: at 1,000,000 x 100 clustered vectors on 2
shared cores (load average 3-5), IVF with the defaults (2,000 cells, 32
probed) built in 30 s and found 99.8% of the true top 10 with a 0.74 ms
median query; HNSW (m=16, ef_construction=40, ef_search=64) took 275 s to
build and found 84.5% at 0.32 ms. A server builds its index at every start.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np

from wordvec.errors import ConfigError

# ``WordVectors`` is not imported here, not even for type checking: keyed.py imports this
# module (WordVectors.build_index), and the package keeps no import cycles.
WordVectors = Any
logger = logging.getLogger("wordvec")

#: ``kind="auto"`` picks an approximate index from this many words up (when faiss is installed).
AUTO_APPROX_WORDS = 200_000
KINDS = ("auto", "exact", "hnsw", "ivf")


def faiss_available() -> bool:
    """True when the optional ``faiss`` package (``pip install faiss-cpu``) imports."""
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def _faiss() -> Any:
    try:
        import faiss
    except ImportError:
        raise ConfigError(
            "approximate indexes need faiss, which is not installed: run "
            "`pip install faiss-cpu` (or `pip install wordvec[serve]`), or use kind='exact'"
        ) from None
    return faiss


class ExactIndex:
    """Brute-force search over every row: the results of ``most_similar`` itself."""

    kind = "exact"

    def __init__(self, wv: WordVectors) -> None:
        self.wv = wv
        self.build_seconds = 0.0
        wv.fill_norms()

    def __len__(self) -> int:
        return len(self.wv)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosines of the ``k`` nearest rows to each unit query, best first."""
        return self.wv.search(queries, topn=k)

    def describe(self) -> dict[str, Any]:
        """JSON-ready facts about the index."""
        return {"kind": self.kind, "approximate": False, "words": len(self)}


class _FaissIndex:
    """Shared part of the faiss-backed indexes (inner product on unit rows = cosine)."""

    kind = ""
    params: dict[str, Any]

    def __init__(self, wv: WordVectors, threads: int | None) -> None:
        self.wv = wv
        self._n = len(wv)
        faiss = _faiss()
        if threads is not None:
            faiss.omp_set_num_threads(int(threads))
        t0 = time.perf_counter()
        self._index = self._build(faiss, self._unit_matrix(wv))
        self.build_seconds = time.perf_counter() - t0
        logger.info("built the %s index of %d words in %.1f s", self.kind, self._n,
                    self.build_seconds)

    @staticmethod
    def _unit_matrix(wv: WordVectors) -> np.ndarray:
        out = np.empty(wv.vectors.shape, dtype=np.float32)
        safe = wv.norms.copy()
        safe[safe == 0] = 1.0
        step = 65536
        for start in range(0, len(wv), step):
            stop = min(len(wv), start + step)
            np.divide(wv.vectors[start:stop], safe[start:stop, None], out=out[start:stop])
        return out

    def _build(self, faiss: Any, x: np.ndarray) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._n

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosines of (about) the ``k`` nearest rows to each unit query."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if q.ndim == 1:
            q = q[None, :]
        k = max(0, min(int(k), self._n))
        if k == 0:
            return np.zeros((len(q), 0), np.int64), np.zeros((len(q), 0), np.float32)
        scores, rows = self._index.search(q, k)
        scores = np.where(rows >= 0, scores, -np.inf).astype(np.float32)
        return rows.astype(np.int64), scores

    def describe(self) -> dict[str, Any]:
        """JSON-ready facts about the index."""
        return {"kind": self.kind, "approximate": True, "words": self._n,
                "build_seconds": round(self.build_seconds, 3), **self.params}


class HNSWIndex(_FaissIndex):
    """faiss ``IndexHNSWFlat``: a navigable small-world graph, ``m`` links per node.

    ``ef_search`` (candidates kept while searching) trades speed for recall
    and can be changed after the build with :meth:`set_ef_search`.
    """

    kind = "hnsw"

    def __init__(self, wv: WordVectors, m: int = 16, ef_construction: int = 40,
                 ef_search: int = 64, threads: int | None = None) -> None:
        for name, value in (("m", m), ("ef_construction", ef_construction),
                            ("ef_search", ef_search)):
            if int(value) < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        self.params = {"m": int(m), "ef_construction": int(ef_construction),
                       "ef_search": int(ef_search)}
        super().__init__(wv, threads)

    def _build(self, faiss: Any, x: np.ndarray) -> Any:
        index = faiss.IndexHNSWFlat(x.shape[1], self.params["m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.params["ef_construction"]
        index.hnsw.efSearch = self.params["ef_search"]
        index.add(x)
        return index

    def set_ef_search(self, ef: int) -> None:
        """Candidates kept per search: higher is slower and finds more true neighbours."""
        self._index.hnsw.efSearch = int(ef)
        self.params["ef_search"] = int(ef)


class IVFIndex(_FaissIndex):
    """faiss ``IndexIVFFlat``: k-means cells; a query scans its ``nprobe`` closest cells.

    ``nlist`` defaults to about ``2 sqrt(V)`` cells (at most 4096), trained on
    a sample of at most 64 rows per cell, so the build takes seconds even at a
    million words; a query scans about ``nprobe / nlist`` of the vocabulary.
    """

    kind = "ivf"

    def __init__(self, wv: WordVectors, nlist: int | None = None, nprobe: int = 32,
                 threads: int | None = None, seed: int = 0) -> None:
        n = len(wv)
        if nlist is None:
            nlist = max(1, min(4096, int(round(2 * math.sqrt(n)))))
        if not 1 <= int(nlist) <= n:
            raise ConfigError(f"nlist must be between 1 and the vocabulary size {n}, got {nlist}")
        if int(nprobe) < 1:
            raise ConfigError(f"nprobe must be at least 1, got {nprobe}")
        self.params = {"nlist": int(nlist), "nprobe": int(nprobe)}
        self._seed = seed
        super().__init__(wv, threads)

    def _build(self, faiss: Any, x: np.ndarray) -> Any:
        nlist = self.params["nlist"]
        quantizer = faiss.IndexFlatIP(x.shape[1])
        index = faiss.IndexIVFFlat(quantizer, x.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
        sample = min(len(x), 64 * nlist)
        rng = np.random.default_rng(self._seed)
        train = x[np.sort(rng.choice(len(x), sample, replace=False))] if sample < len(x) else x
        index.train(train)
        index.add(x)
        index.nprobe = self.params["nprobe"]
        self._quantizer = quantizer  # the IVF index does not own it in the Python wrapper
        return index

    def set_nprobe(self, nprobe: int) -> None:
        """Cells scanned per query: higher is slower and finds more true neighbours."""
        self._index.nprobe = int(nprobe)
        self.params["nprobe"] = int(nprobe)


def estimate_recall(wv: WordVectors, index: Any, queries: int = 50, k: int = 10,
                    seed: int = 0) -> float:
    """Share of the true top ``k`` neighbours that ``index`` finds, on random words.

    One batched exact search over ``queries`` random rows (the query word
    itself left out): about a second at a million words. 1.0 for an exact index.
    """
    n = len(wv)
    if n < 2 or index.kind == "exact":
        return 1.0
    k = min(k, n - 1)
    rows = np.random.default_rng(seed).choice(n, min(queries, n), replace=False)
    norms = wv.norms[rows]
    q = wv.vectors[rows] / np.where(norms > 0, norms, 1.0)[:, None]
    truth, _ = wv.search(q, topn=k, exclude=rows[:, None])
    got, _ = index.search(q, k + 1)
    hits = sum(len(set(t) & (set(g) - {r}))
               for r, t, g in zip(rows.tolist(), truth.tolist(), got.tolist(), strict=True))
    return hits / (k * len(rows))


def choose_kind(n_words: int) -> str:
    """What ``kind="auto"`` builds for a vocabulary of ``n_words``."""
    if n_words >= AUTO_APPROX_WORDS and faiss_available():
        return "ivf"
    return "exact"


def build_index(wv: WordVectors, kind: str = "auto", **params: Any) -> Any:
    """An index over ``wv`` for :meth:`WordVectors.most_similar`'s ``index=``.

    ``kind``: ``"exact"``, ``"hnsw"``, ``"ivf"``, or ``"auto"`` (exact below
    :data:`AUTO_APPROX_WORDS` words or without faiss, IVF above). ``params``
    go to the index class (``m``, ``ef_construction``, ``ef_search`` for
    HNSW; ``nlist``, ``nprobe`` for IVF; ``threads`` for both builds).
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown index kind {kind!r}: use one of {', '.join(KINDS)}")
    if kind == "auto":
        kind = choose_kind(len(wv))
        if kind == "exact" and len(wv) >= AUTO_APPROX_WORDS:
            logger.warning("faiss is not installed: searching %d words exactly "
                           "(pip install faiss-cpu for an approximate index)", len(wv))
    if kind == "exact":
        if params:
            raise ConfigError(f"an exact index takes no parameters, got {sorted(params)}")
        return ExactIndex(wv)
    cls = HNSWIndex if kind == "hnsw" else IVFIndex
    try:
        return cls(wv, **params)
    except TypeError as exc:
        raise ConfigError(f"bad parameter for a {kind} index: {exc}") from None
