"""Word vectors and the queries people run on them.

:class:`WordVectors` holds one float32 row per word (row i = word i, most
frequent first) and answers the questions gensim's ``KeyedVectors`` answers,
under the same names and with the same semantics, so code written for gensim
runs unchanged::

    >>> import numpy as np
    >>> wv = WordVectors(["king", "queen", "man", "woman"],
    ...                  np.array([[1, 1], [1, -1], [2, 1], [2, -1]], dtype=np.float32))
    >>> wv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0]
    'queen'

Speed on large vocabularies comes from three things: the row norms are
computed once and cached (``fill_norms``), a query is a single matrix-vector
product divided by those norms, and the top-n rows are picked without sorting
the whole vocabulary. Many queries at once (``most_similar_batch``,
``search``) become blocked matrix-matrix products; the analogy evaluation
uses that path.

Only the norms are cached, not a second, unit-normalised copy of the matrix:
dividing the scores by the norms costs one pass over V numbers, while a
normalised copy would double the memory of a large vocabulary. It also keeps
the arithmetic the same as gensim's (``dot(vectors, mean) / norms``), so
scores agree with gensim's to the last bits. Rows whose norm is zero get
similarity 0 with everything instead of NaN.

If you change ``wv.vectors`` in place, call ``wv.fill_norms(force=True)``;
assigning a new matrix to ``wv.vectors`` resets the cache by itself.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Sequence
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from wordvec.errors import ConfigError, FormatError, VocabError

if TYPE_CHECKING:
    from wordvec.vectors.store import VectorParts

logger = logging.getLogger("wordvec")

Key = Union[str, int, np.integer]  # noqa: UP007 (a runtime alias on Python 3.10)

_KEY_TYPES = (str, int, np.integer)
_EXTENDED_KEY_TYPES = (str, int, np.integer, np.ndarray)

_NORM_BLOCK_ROWS = 65536  # rows per block when computing norms: bounded temporary memory
_SEARCH_BLOCK_ELEMS = 1 << 24  # score-matrix cells per block in batched search (64 MiB)
_SUGGEST_POOL = 20000  # close spellings are looked for among this many most frequent words
_COSMUL_EPS = 1e-6  # Levy & Goldberg's epsilon, as in gensim


class UnknownWordError(KeyError, VocabError):
    """A word (or index) that is not in the vocabulary.

    It is a ``KeyError`` (like gensim's) and a :class:`~wordvec.errors.VocabError`.
    Close spellings are looked up only when the message is displayed, so code
    that catches many of these in a loop pays nothing for them.
    """

    def __init__(self, key: Any, wv: WordVectors | None = None) -> None:
        super().__init__(key)
        self.key = key
        self._wv = wv

    def __str__(self) -> str:
        key = self.key
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            size = len(self._wv) if self._wv is not None else "?"
            return f"index {key} is out of range: the vocabulary has {size} words"
        msg = f"word {key!r} is not in the vocabulary"
        if self._wv is not None and isinstance(key, str):
            close = self._wv.suggest(key)
            if close:
                msg += " (did you mean " + ", ".join(repr(w) for w in close) + "?)"
        return msg


def _ensure_list(value: Any) -> list:
    """gensim's rule: one key or one vector becomes a list of one; 2-D arrays become rows."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest entries of a 1-D array, best first.

    Ties go to the lower index (the more frequent word). On long arrays a
    threshold taken from a strided sample finds the candidates in one linear
    pass: the k-th largest of any subset is at most the k-th largest of the
    whole, so every true top-k entry passes it.
    """
    n = scores.shape[0]
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.intp)
    cand = None
    if k >= n:
        cand = np.arange(n)
    elif n >= 200_000 and k <= 1000:
        sample = scores[:: max(1, n // 50_000)]
        m = sample.shape[0]
        if m > k:
            kth = np.partition(sample, m - k)[m - k]
            if np.isfinite(kth):
                cand = np.flatnonzero(scores >= kth)
                if cand.shape[0] < k or cand.shape[0] > n // 8:
                    cand = None
    if cand is None:
        cand = np.argpartition(scores, n - k)[n - k :]
    order = np.lexsort((cand, -scores[cand]))
    return cand[order[:k]]


def _candidates_by_threshold(
    scores: np.ndarray, k: int, stride: int = 16
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per row, a small superset of the top-k columns: ``(columns, scores)``.

    Each row's threshold is the k-th largest of every ``stride``-th column;
    every true top-k entry is at least that large. This costs one pass over
    the block plus a partition of 1/stride of it, against a full row-wise
    partition. Returns None when the candidates would not be few (ties,
    NaN), and the caller falls back to the exact partition.
    """
    n, width = scores.shape
    sample = scores[:, ::stride]
    m = sample.shape[1]
    if m <= k:
        return None
    kth = np.partition(sample, m - k, axis=1)[:, m - k]
    if not np.isfinite(kth).all():
        return None
    flat = np.flatnonzero(scores >= kth[:, None])  # 1-D nonzero is ~10x faster than 2-D
    rows = flat // width
    cols = flat - rows * width
    counts = np.bincount(rows, minlength=n)
    widest = int(counts.max())
    if counts.min() < k or widest > width // 4:
        return None
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    slot = np.arange(rows.shape[0]) - starts[rows]
    # rows have different numbers of candidates: pad with score -inf, which never
    # reaches the top k since every row has at least k finite candidates
    cand = np.zeros((n, widest), dtype=np.intp)
    vals = np.full((n, widest), -np.inf, dtype=scores.dtype)
    cand[rows, slot] = cols
    vals[rows, slot] = scores[rows, cols]
    return cand, vals


def top_indices_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise :func:`top_indices` for a 2-D score block: (indices, scores), best first."""
    n, width = scores.shape
    found = None
    if k >= width:
        cand = np.broadcast_to(np.arange(width), (n, width)).copy()
    elif width >= 4096 and k <= 64 and n > 0:
        found = _candidates_by_threshold(scores, k)
    if found is not None:
        cand, vals = found
    else:
        if k < width:
            cand = np.argpartition(scores, width - k, axis=1)[:, width - k :]
        vals = np.take_along_axis(scores, cand, axis=1)
    order = np.lexsort((cand, -vals), axis=-1)[:, :k]
    return np.take_along_axis(cand, order, axis=1), np.take_along_axis(vals, order, axis=1)


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Each row of ``x`` divided by its length; all-zero rows stay zero."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def unit_vector(vec: np.ndarray) -> np.ndarray:
    """Unit-length copy of a 1-D vector, computed in float64, returned in the input dtype.

    The operations of gensim's ``matutils.unitvec`` (a float64 norm, one
    float64 multiply, a cast back), so similarities agree with gensim's. gensim
    takes the norm with BLAS ``dnrm2``; NumPy's norm gave the same float32
    result on 200,000 random vectors and avoids importing SciPy (0.15 s) on
    the first query.
    """
    v64 = np.asarray(vec, dtype=np.float64)
    norm = float(np.linalg.norm(v64)) if v64.size else 0.0
    if norm > 0.0:
        return (v64 * (1.0 / norm)).astype(vec.dtype, copy=False)
    return np.asarray(vec)


class WordVectors:
    """One vector per word, with gensim ``KeyedVectors``-style queries.

    Args:
        words: the vocabulary, row order (most frequent first by convention).
        vectors: array of shape ``(len(words), vector_size)``; stored as
            float32, C-contiguous (a read-only memory map is kept as is).
        counts: optional corpus counts, one per word.

    Example::

        >>> wv = WordVectors(["a", "b"], np.eye(2, dtype=np.float32))
        >>> wv["a"], "b" in wv, len(wv)
        (array([1., 0.], dtype=float32), True, 2)
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        counts: np.ndarray | None = None,
    ) -> None:
        self.index_to_key: list[str] = list(words)
        self.key_to_index: dict[str, int] = {w: i for i, w in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            seen: set[str] = set()
            for i, w in enumerate(self.index_to_key):
                if w in seen:
                    raise VocabError(
                        f"word {w!r} appears twice (again at position {i}); "
                        "every word must have exactly one vector"
                    )
                seen.add(w)
        for w in self.index_to_key[:1]:
            if not isinstance(w, str):
                raise TypeError(f"words must be str, got {type(w).__name__}")
        self._norms: np.ndarray | None = None
        self._safe: np.ndarray | None = None
        self.vectors = vectors  # validated by the setter
        if counts is not None:
            counts = np.asarray(counts, dtype=np.int64)
            if counts.shape != (len(self.index_to_key),):
                raise ValueError(
                    f"counts has shape {counts.shape}, expected ({len(self.index_to_key)},)"
                )
        self.counts: np.ndarray | None = counts
        self.meta: dict[str, Any] = {}  # free-form JSON facts (training settings...), kept by
        # the native format

    # ------------------------------------------------------------------ storage
    @property
    def vectors(self) -> np.ndarray:
        """The ``(V, D)`` float32 matrix; assigning a new one resets the cached norms."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        arr = value
        if not (
            isinstance(arr, np.ndarray) and arr.dtype == np.float32 and arr.flags.c_contiguous
        ):
            arr = np.ascontiguousarray(arr, dtype=np.float32)
        if arr.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array, got shape {arr.shape}")
        if arr.shape[0] != len(self.index_to_key):
            raise ValueError(
                f"{arr.shape[0]} vectors for {len(self.index_to_key)} words: "
                "there must be exactly one row per word"
            )
        self._vectors = arr
        self._norms = None
        self._safe = None

    @property
    def words(self) -> list[str]:
        """Alias of ``index_to_key`` (the name the vocabulary uses)."""
        return self.index_to_key

    @property
    def vector_size(self) -> int:
        """Number of dimensions."""
        return int(self._vectors.shape[1])

    @property
    def norms(self) -> np.ndarray:
        """L2 norm of every row (float32), computed once and cached."""
        self.fill_norms()
        assert self._norms is not None
        return self._norms

    def fill_norms(self, force: bool = False) -> None:
        """Compute and cache the row norms (again if ``force``, after in-place edits)."""
        if self._norms is not None and not force:
            return
        vecs = self._vectors
        norms = np.empty(vecs.shape[0], dtype=np.float32)
        for start in range(0, vecs.shape[0], _NORM_BLOCK_ROWS):
            block = vecs[start : start + _NORM_BLOCK_ROWS]
            norms[start : start + block.shape[0]] = np.linalg.norm(block, axis=1)
        self._norms = norms
        self._safe = np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32)

    def _safe_norms(self) -> np.ndarray:
        """Norms with zeros replaced by one, so zero rows score 0 rather than NaN."""
        self.fill_norms()
        assert self._safe is not None
        return self._safe

    def get_normed_vectors(self) -> np.ndarray:
        """A new ``(V, D)`` array of unit-length rows (zero rows stay zero)."""
        return self._vectors / self._safe_norms()[:, None]

    # ------------------------------------------------------------------ lookup
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key: object) -> bool:
        return self.has_index_for(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.index_to_key)

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words, {self.vector_size} dimensions)"

    def has_index_for(self, key: object) -> bool:
        """True if ``key`` is a known word (or a valid integer index)."""
        return self.get_index(key, -1) >= 0  # type: ignore[arg-type]

    def get_index(self, key: Key, default: int | None = None) -> int:
        """Row of ``key``; integer keys are row numbers. Unknown: ``default`` or KeyError."""
        if isinstance(key, str):
            idx = self.key_to_index.get(key, -1)
            if idx >= 0:
                return idx
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            if 0 <= key < len(self.index_to_key):
                return int(key)
        if default is not None:
            return default
        raise UnknownWordError(key, self)

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Known words spelled like ``word``: other casings first, then close matches.

        Close matches are searched among the most frequent words only, so this
        stays fast on any vocabulary size.
        """
        out: list[str] = []
        for variant in (word.lower(), word.upper(), word.capitalize(), word.title()):
            if variant != word and variant in self.key_to_index and variant not in out:
                out.append(variant)
        pool = self.index_to_key[:_SUGGEST_POOL]
        for match in difflib.get_close_matches(word, pool, n=n, cutoff=0.75):
            if match not in out and match != word:
                out.append(match)
        return out[:n]

    def get_vector(self, key: Key, norm: bool = False) -> np.ndarray:
        """The vector of ``key`` (read-only view), unit length if ``norm``."""
        index = self.get_index(key)
        if norm:
            result = self._vectors[index] / self._safe_norms()[index]
        else:
            result = self._vectors[index]
        result.setflags(write=False)
        return result

    def __getitem__(self, key_or_keys: Key | Sequence[Key]) -> np.ndarray:
        """``wv[word]`` is a 1-D vector; ``wv[[w1, w2]]`` a 2-D array of rows."""
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        idx = [self.get_index(k) for k in key_or_keys]
        return self._vectors[idx]

    def get_vecattr(self, key: Key, attr: str) -> int:
        """gensim compatibility: only ``attr="count"`` exists (the corpus count)."""
        if attr != "count":
            raise KeyError(f"attribute {attr!r} is not stored; only 'count' is")
        if self.counts is None:
            raise KeyError("these vectors carry no word counts")
        return int(self.counts[self.get_index(key)])

    def get_mean_vector(
        self,
        keys: Sequence[Key | np.ndarray],
        weights: Sequence[float] | np.ndarray | None = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """Weighted mean of word vectors (unit-normed first if ``pre_normalize``) or raw vectors.

        Same arithmetic as gensim: float32 accumulation, division by the sum
        of absolute weights, then optionally scaled to unit length.
        """
        if len(keys) == 0:
            raise ConfigError("cannot compute a mean of no words: give at least one word")
        if weights is None:
            w = np.ones(len(keys), dtype=np.float32)
        elif isinstance(weights, list):
            w = np.array(weights, dtype=np.float32)
        else:
            w = np.asarray(weights)
        if w.shape[0] != len(keys):
            raise ValueError("keys and weights must have the same number of elements")
        mean = np.zeros(self.vector_size, dtype=np.float32)
        total = 0
        for i, key in enumerate(keys):
            if isinstance(key, np.ndarray):
                if key.shape != (self.vector_size,):
                    raise ConfigError(
                        f"a query vector has shape {key.shape}, expected ({self.vector_size},)"
                    )
                mean += w[i] * key
                total += abs(w[i])
            elif self.has_index_for(key):
                mean += w[i] * self.get_vector(key, norm=pre_normalize)
                total += abs(w[i])
            elif not ignore_missing:
                raise UnknownWordError(key, self)
        if total > 0:
            mean = mean / total
        if post_normalize:
            mean = unit_vector(mean).astype(np.float32)
        return mean

    # ------------------------------------------------------------------ queries
    def _limit(self, restrict_vocab: int | None) -> int:
        if restrict_vocab is None or restrict_vocab == 0:
            return len(self)
        if restrict_vocab < 0:
            raise ConfigError(f"restrict_vocab must be positive, got {restrict_vocab}")
        return min(int(restrict_vocab), len(self))

    def _scores(self, query: np.ndarray, limit: int) -> np.ndarray:
        """Cosine of a unit-length query with the first ``limit`` rows."""
        return np.dot(self._vectors[:limit], query) / self._safe_norms()[:limit]

    def _parse_terms(self, positive: Any, negative: Any) -> tuple[list, np.ndarray, list[int]]:
        """gensim's (key | vector | (key, weight)) lists -> keys, weights, rows to exclude."""
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        weights = np.concatenate((np.ones(len(positive)), -1.0 * np.ones(len(negative))))
        keys = []
        for i, item in enumerate(positive + negative):
            if isinstance(item, _EXTENDED_KEY_TYPES):
                keys.append(item)
            else:
                keys.append(item[0])
                weights[i] = item[1]
        exclude = [self.get_index(k) for k in keys if isinstance(k, _KEY_TYPES)]
        return keys, weights, exclude

    def _query_vector(self, positive: Any, negative: Any) -> tuple[np.ndarray, list[int]]:
        keys, weights, exclude = self._parse_terms(positive, negative)
        if not keys:
            raise ConfigError("most_similar needs at least one positive or negative word")
        mean = self.get_mean_vector(
            keys, weights, pre_normalize=True, post_normalize=True, ignore_missing=False
        )
        return mean, exclude

    def _ranked(self, scores: np.ndarray, topn: int, exclude: Sequence[int]) -> list:
        excl = set(exclude)
        best = top_indices(scores, topn + len(excl))
        words = self.index_to_key
        return [(words[i], float(scores[i])) for i in best if i not in excl][:topn]

    def most_similar(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
        index: Any = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """Nearest words (cosine) to the mean of unit positive minus negative words (3CosAdd).

        ``positive``/``negative`` hold words, vectors, or ``(word_or_vector, weight)``
        pairs (default weights +1 and -1). Input words never appear in the result.
        ``topn=None`` returns the similarity of every word (the first
        ``restrict_vocab`` words if given) as an array. Example:
        ``wv.most_similar(positive=["king", "woman"], negative=["man"])``.
        ``index``: an index from :meth:`build_index` to search instead of
        scanning every row (approximate kinds may miss some true neighbours).
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        if index is not None:
            return self._most_similar_indexed(positive, negative, topn, restrict_vocab, index)
        mean, exclude = self._query_vector(positive, negative)
        scores = self._scores(mean, self._limit(restrict_vocab))
        if not topn:
            return scores
        return self._ranked(scores, int(topn), exclude)

    def build_index(self, kind: str = "auto", **params: Any) -> Any:
        """A neighbour index for ``most_similar(..., index=...)``; see :mod:`wordvec.vectors.index`.

        ``kind``: ``"exact"``, ``"hnsw"`` or ``"ivf"`` (approximate, need
        ``faiss-cpu``), or ``"auto"``: exact for small vocabularies, IVF
        from :data:`wordvec.vectors.index.AUTO_APPROX_WORDS` words up when faiss is
        installed. Build it again after changing the vectors.
        """
        from wordvec.vectors.index import build_index

        return build_index(self, kind, **params)

    def _most_similar_indexed(
        self, positive: Any, negative: Any, topn: Any, restrict_vocab: Any, index: Any
    ) -> list[tuple[str, float]]:
        if not topn:
            raise ConfigError("most_similar with an index needs a topn (a number of words)")
        if restrict_vocab:
            raise ConfigError("restrict_vocab cannot be combined with an index")
        if getattr(index, "wv", None) is not self or len(index) != len(self):
            raise ConfigError("this index was built for other vectors: build it from these")
        mean, exclude = self._query_vector(positive, negative)
        excl = set(exclude)
        rows, scores = index.search(mean[None, :], int(topn) + len(excl))
        words = self.index_to_key
        return [
            (words[i], float(s))
            for i, s in zip(rows[0].tolist(), scores[0].tolist(), strict=True)
            if i >= 0 and i not in excl and s != -np.inf
        ][: int(topn)]

    def _cosmul_scores(self, positive: list, negative: list, limit: int) -> np.ndarray:
        def shifted(term: Any) -> np.ndarray:
            vec = self.get_vector(term, norm=True) if isinstance(term, _KEY_TYPES) else term
            return (1 + self._scores(np.asarray(vec, dtype=np.float32), limit)) / 2

        num = np.prod([shifted(t) for t in positive], axis=0)
        den = np.prod([shifted(t) for t in negative], axis=0) if negative else 1.0
        return num / (den + _COSMUL_EPS)

    def most_similar_cosmul(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """Analogy by 3CosMul (Levy & Goldberg 2014), as gensim computes it.

        Each cosine is shifted to [0, 1] as ``(1 + cos) / 2``; the score is the
        product over positive words divided by the product over negative words
        plus 1e-6. Unlike gensim, ``restrict_vocab`` is honoured.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        if not positive:
            raise ConfigError("most_similar_cosmul needs at least one positive word")
        exclude = [self.get_index(t) for t in positive + negative if isinstance(t, _KEY_TYPES)]
        for t in positive + negative:
            if isinstance(t, np.ndarray) and t.shape != (self.vector_size,):
                raise ConfigError(
                    f"a query vector has shape {t.shape}, expected ({self.vector_size},)"
                )
        scores = self._cosmul_scores(positive, negative, self._limit(restrict_vocab))
        if not topn:
            return scores
        return self._ranked(scores, int(topn), exclude)

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        topn: int = 10,
        method: str = "3cosadd",
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Answers "``a`` is to ``b`` as ``c`` is to ?" (``b - a + c``).

        ``wv.analogy("man", "king", "woman")`` is
        ``most_similar(positive=["king", "woman"], negative=["man"])``;
        ``method="3cosmul"`` uses :meth:`most_similar_cosmul`.
        """
        if method == "3cosadd":
            fn = self.most_similar
        elif method == "3cosmul":
            fn = self.most_similar_cosmul
        else:
            raise ConfigError(f"unknown analogy method {method!r}: use '3cosadd' or '3cosmul'")
        return fn(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_word(
        self, word: Key, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Nearest words to ``word`` (itself excluded)."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_key = similar_by_word

    def similar_by_vector(
        self, vector: np.ndarray, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Nearest words to an arbitrary vector (nothing excluded)."""
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def search(
        self,
        queries: np.ndarray,
        topn: int = 10,
        exclude: np.ndarray | None = None,
        restrict_vocab: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``topn`` rows for many query vectors at once (blocked matrix products).

        Scores are ``dot(query, unit(row))``: cosines when the queries have
        unit length. ``exclude`` is an int array ``(n_queries, m)`` of rows
        that must not be returned for each query (pad with -1). Returns
        ``(indices, scores)``, both ``(n_queries, min(topn, vocab))``, best
        first; a slot left without a candidate has score ``-inf``.
        """
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if q.ndim == 1:
            q = q[None, :]
        if q.ndim != 2 or q.shape[1] != self.vector_size:
            raise ConfigError(f"queries must have shape (n, {self.vector_size}), got {q.shape}")
        limit = self._limit(restrict_vocab)
        k = max(0, min(int(topn), limit))
        n = q.shape[0]
        out_idx = np.zeros((n, k), dtype=np.int64)
        out_val = np.full((n, k), -np.inf, dtype=np.float32)
        if k == 0 or n == 0:
            return out_idx, out_val
        rows = self._vectors[:limit]
        norms = self._safe_norms()[:limit]
        if exclude is not None:
            exclude = np.asarray(exclude, dtype=np.int64)
            if exclude.ndim == 1:
                exclude = exclude[:, None]
        step = max(1, _SEARCH_BLOCK_ELEMS // limit)
        for start in range(0, n, step):
            stop = min(n, start + step)
            scores = q[start:stop] @ rows.T
            scores /= norms
            if exclude is not None:
                ex = exclude[start:stop]
                r, c = np.nonzero((ex >= 0) & (ex < limit))
                scores[r, ex[r, c]] = -np.inf
            out_idx[start:stop], out_val[start:stop] = top_indices_rows(scores, k)
        return out_idx, out_val

    def most_similar_batch(
        self,
        positive: Sequence[Any],
        negative: Sequence[Any] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
        method: str = "3cosadd",
    ) -> list[list[tuple[str, float]]]:
        """Many :meth:`most_similar` (or cosmul) queries at once; query i is
        ``positive[i]`` / ``negative[i]``. Same results, far faster for many queries.
        """
        if negative is None:
            negative = [None] * len(positive)
        if len(negative) != len(positive):
            raise ValueError("positive and negative must have one entry per query")
        if method not in ("3cosadd", "3cosmul"):
            raise ConfigError(f"unknown method {method!r}: use '3cosadd' or '3cosmul'")
        if method == "3cosmul":
            return [
                self.most_similar_cosmul(p, ng, topn=topn, restrict_vocab=restrict_vocab)
                for p, ng in zip(positive, negative, strict=True)
            ]
        means = np.empty((len(positive), self.vector_size), dtype=np.float32)
        excludes = []
        for i, (p, ng) in enumerate(zip(positive, negative, strict=True)):
            means[i], ex = self._query_vector(p, ng)
            excludes.append(sorted(set(ex)))
        width = max((len(e) for e in excludes), default=0)
        ex_arr = np.full((len(excludes), max(width, 1)), -1, dtype=np.int64)
        for i, e in enumerate(excludes):
            ex_arr[i, : len(e)] = e
        idx, val = self.search(means, topn=topn, exclude=ex_arr, restrict_vocab=restrict_vocab)
        words = self.index_to_key
        return [
            [(words[j], float(s)) for j, s in zip(ri, rv, strict=True) if s != -np.inf]
            for ri, rv in zip(idx.tolist(), val.tolist(), strict=True)
        ]

    # ------------------------------------------------------------ similarities
    def similarity(self, w1: Key, w2: Key) -> float:
        """Cosine similarity of two words."""
        return float(np.dot(unit_vector(self[w1]), unit_vector(self[w2])))

    def n_similarity(self, ws1: Sequence[Key], ws2: Sequence[Key]) -> float:
        """Cosine similarity of the (raw) mean vectors of two word lists."""
        if not (len(ws1) and len(ws2)):
            raise ConfigError("n_similarity needs at least one word on each side")
        m1 = self.get_mean_vector(ws1, pre_normalize=False, ignore_missing=False)
        m2 = self.get_mean_vector(ws2, pre_normalize=False, ignore_missing=False)
        return float(np.dot(unit_vector(m1), unit_vector(m2)))

    def distance(self, w1: Key, w2: Key) -> float:
        """Cosine distance, ``1 - similarity``."""
        return 1 - self.similarity(w1, w2)

    @staticmethod
    def cosine_similarities(vector_1: np.ndarray, vectors_all: np.ndarray) -> np.ndarray:
        """Cosine of one vector with each row of a matrix."""
        norm = np.linalg.norm(vector_1)
        all_norms = np.linalg.norm(vectors_all, axis=1)
        return np.dot(vectors_all, vector_1) / (norm * all_norms)

    def distances(
        self, word_or_vector: Key | np.ndarray, other_words: Sequence[Key] = ()
    ) -> np.ndarray:
        """Cosine distances from a word or vector to ``other_words`` (default: every word)."""
        if isinstance(word_or_vector, _KEY_TYPES):
            vec = self.get_vector(word_or_vector)
        else:
            vec = np.asarray(word_or_vector, dtype=np.float32)
        norm = np.linalg.norm(vec)
        if not other_words:
            sims = np.dot(self._vectors, vec) / (self._safe_norms() * (norm if norm > 0 else 1))
        else:
            idx = [self.get_index(w) for w in other_words]
            sims = np.dot(self._vectors[idx], vec) / (
                self._safe_norms()[idx] * (norm if norm > 0 else 1)
            )
        return 1 - sims

    def closer_than(self, key1: Key, key2: Key) -> list[str]:
        """Words closer to ``key1`` than ``key2`` is (``key1`` itself left out)."""
        dist = self.distances(key1)
        i1, i2 = self.get_index(key1), self.get_index(key2)
        closer = np.flatnonzero(dist < dist[i2])
        return [self.index_to_key[i] for i in closer if i != i1]

    def rank(self, key1: Key, key2: Key) -> int:
        """Rank of ``key2`` among the neighbours of ``key1`` (1 = nearest)."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1: Key, keys_list: Sequence[Key]) -> Key:
        """The member of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def rank_by_centrality(self, words: Sequence[str], use_norm: bool = True) -> list:
        """``(similarity, word)`` pairs, most central to the group's mean first.

        Unknown words are ignored with a warning, as gensim does.
        """
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning("ignoring words not in the vocabulary: %s", set(words) - set(used))
        if not used:
            raise UnknownWordError(words[0] if words else "", self)
        vecs = np.vstack([self.get_vector(w, norm=use_norm) for w in used]).astype(np.float32)
        mean = self.get_mean_vector(vecs, post_normalize=True)
        dists = np.dot(vecs, mean)
        return sorted(zip(dists.tolist(), used, strict=True), reverse=True)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest from the mean of the group (``"breakfast cereal dinner lunch"`` ->
        ``"cereal"``)."""
        return self.rank_by_centrality(words)[-1][1]

    # ------------------------------------------------------------------ files
    # The file layers (wordvec.vectors.store and below) work on plain parts and never
    # import this module; WordVectors.save/load and wordvec.vectors.formats both call them.
    @classmethod
    def from_parts(cls, parts: VectorParts) -> WordVectors:
        """WordVectors from what a reader returns (:class:`wordvec.vectors.store.VectorParts`);
        contents that cannot make WordVectors raise FormatError naming the file."""
        try:
            if "vectors_ngrams" in parts.extra and isinstance(parts.meta.get("subwords"), dict):
                wv = FastTextVectors.from_subword_parts(parts)
            else:
                wv = cls(parts.words, parts.vectors, parts.counts)
        except (ValueError, KeyError, TypeError) as exc:
            raise FormatError(f"{parts.source}: inconsistent contents ({exc})") from exc
        wv.meta = {k: v for k, v in parts.meta.items() if k != "subwords"}
        return wv

    def to_parts(self) -> VectorParts:
        """This instance as plain parts for the file layers (arrays shared, not copied)."""
        from wordvec.vectors.store import VectorParts

        return VectorParts(self.index_to_key, self.vectors, self.counts,
                           getattr(self, "meta", {}))

    def save(self, path: str | Path, format: str | None = None, **kwargs: Any) -> Path:
        """Write to ``path``; see :func:`wordvec.vectors.formats.save_vectors`."""
        from wordvec.vectors.store import save_parts

        return save_parts(self.to_parts(), path, format=format, **kwargs)

    @classmethod
    def load(
        cls,
        path: str | Path,
        format: str | None = None,
        limit: int | None = None,
        mmap: bool = False,
        **kwargs: Any,
    ) -> WordVectors:
        """Read from ``path``; see :func:`wordvec.vectors.formats.load_vectors`."""
        from wordvec.vectors.store import load_parts

        return cls.from_parts(load_parts(path, format=format, limit=limit, mmap=mmap, **kwargs))

    def save_word2vec_format(self, fname: str | Path, binary: bool = False) -> Path:
        """gensim-style alias: write the word2vec C format (binary or text)."""
        fmt = "word2vec-binary" if binary else "word2vec-text"
        return self.save(fname, format=fmt)

    @classmethod
    def load_word2vec_format(
        cls, fname: str | Path, binary: bool = False, limit: int | None = None, **kwargs: Any
    ) -> WordVectors:
        """gensim-style alias: read the word2vec C format (binary or text)."""
        fmt = "word2vec-binary" if binary else "word2vec-text"
        return cls.load(fname, format=fmt, limit=limit, **kwargs)


class FastTextVectors(WordVectors):
    """Word vectors of a subword (fastText) model: vectors for words never seen, too.

    A known word's vector (a row of ``vectors``) is the mean of its own trained
    row and the rows of its character n-grams; any other word's vector is the
    mean of its n-grams' rows in ``vectors_ngrams`` (rows ``hash % bucket``,
    see :mod:`wordvec.vectors.subwords`). So ``wv["unseenword"]`` works,
    ``most_similar`` takes unseen words, and only a word without a single
    n-gram of ``min_n..max_n`` characters raises :class:`UnknownWordError`
    (a ``KeyError``). ``word in wv`` is True for any word that has a vector
    (as in gensim); ``wv.has_index_for(word)`` tells whether it is in the
    vocabulary.

    Args:
        words, vectors, counts: as for :class:`WordVectors` (``vectors``:
            the composed vectors of the known words).
        vectors_ngrams: ``(bucket, D)`` float32 n-gram rows.
        min_n, max_n: n-gram lengths in characters.
        vectors_vocab: the words' own rows ``(V, D)`` before composition
            (kept for saving the full model; optional).
        model: what a full fastText model needs besides (``output``: the
            output matrix, ``args``: fastText's settings); optional.
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        counts: np.ndarray | None = None,
        *,
        vectors_ngrams: np.ndarray,
        min_n: int,
        max_n: int,
        vectors_vocab: np.ndarray | None = None,
        model: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(words, vectors, counts)
        ngrams = np.asarray(vectors_ngrams, dtype=np.float32)
        if ngrams.ndim != 2 or ngrams.shape[1] != self.vector_size:
            raise ValueError(f"vectors_ngrams has shape {ngrams.shape}, expected "
                             f"(bucket, {self.vector_size})")
        self.vectors_ngrams = ngrams
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        self.vectors_vocab = vectors_vocab
        self.model: dict[str, Any] = dict(model or {})

    @property
    def bucket(self) -> int:
        """Number of n-gram rows."""
        return int(self.vectors_ngrams.shape[0])

    def __repr__(self) -> str:
        return (f"FastTextVectors({len(self)} words, {self.vector_size} dimensions, "
                f"{self.bucket} n-gram buckets, n-grams of {self.min_n}..{self.max_n})")

    def __contains__(self, key: object) -> bool:
        if self.has_index_for(key):
            return True
        return isinstance(key, str) and self._ngram_rows(key).size > 0

    def _ngram_rows(self, word: str) -> np.ndarray:
        from wordvec.vectors.subwords import ngram_hashes

        return ngram_hashes(word, self.min_n, self.max_n, self.bucket)

    def oov_vector(self, word: str) -> np.ndarray:
        """The vector of ``word`` built from its n-grams alone (any word, known or not)."""
        rows = self._ngram_rows(word)
        if rows.size == 0:
            raise UnknownWordError(word, self) if self.bucket == 0 else _NoNgramError(word, self)
        out = np.zeros(self.vector_size, np.float32)
        for r in rows:  # float32 sum in order, then one division: gensim's arithmetic
            out += self.vectors_ngrams[r]
        return out / np.float32(rows.size)

    def get_vector(self, key: Key, norm: bool = False) -> np.ndarray:
        """The vector of ``key``: its row if known, else built from its n-grams."""
        if not isinstance(key, str) or key in self.key_to_index:
            return super().get_vector(key, norm=norm)
        vec = self.oov_vector(key)
        if norm:
            vec = unit_vector(vec)
        vec.setflags(write=False)
        return vec

    def __getitem__(self, key_or_keys: Key | Sequence[Key]) -> np.ndarray:
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(k) for k in key_or_keys])

    def _as_vectors(self, items: Any) -> Any:
        """Unseen words in a query list become their unit vectors (gensim's rule)."""
        items = _ensure_list(items)
        out = []
        for item in items:
            if isinstance(item, str) and item not in self.key_to_index:
                out.append(self.get_vector(item, norm=True))
            elif (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
                  and item[0] not in self.key_to_index):
                out.append((self.get_vector(item[0], norm=True), item[1]))
            else:
                out.append(item)
        return out

    def get_mean_vector(self, keys: Sequence[Key | np.ndarray], weights: Any = None,
                        pre_normalize: bool = True, post_normalize: bool = False,
                        ignore_missing: bool = True) -> np.ndarray:
        keys = [self.get_vector(k, norm=pre_normalize)
                if isinstance(k, str) and k not in self.key_to_index and k in self else k
                for k in keys]
        return super().get_mean_vector(keys, weights, pre_normalize, post_normalize,
                                       ignore_missing)

    def most_similar(self, positive: Any = None, negative: Any = None, topn: int | None = 10,
                     restrict_vocab: int | None = None, index: Any = None) -> Any:
        return super().most_similar(self._as_vectors(positive), self._as_vectors(negative),
                                    topn, restrict_vocab, index=index)

    def most_similar_cosmul(self, positive: Any = None, negative: Any = None,
                            topn: int | None = 10, restrict_vocab: int | None = None) -> Any:
        return super().most_similar_cosmul(self._as_vectors(positive),
                                           self._as_vectors(negative), topn, restrict_vocab)

    @classmethod
    def from_subword_parts(cls, parts: Any) -> FastTextVectors:
        """A subword model from file parts (see :func:`wordvec.vectors.store.is_subword_model`)."""
        sub = dict(parts.meta["subwords"])
        if "output" in parts.extra:
            sub["output"] = np.asarray(parts.extra["output"], np.float32)
        vocab_rows = parts.extra.get("vectors_vocab")
        if vocab_rows is not None and len(vocab_rows) != len(parts.words):
            vocab_rows = None  # loaded with limit=: the word rows no longer line up
        return cls(parts.words, parts.vectors, parts.counts,
                   vectors_ngrams=parts.extra["vectors_ngrams"], min_n=int(sub.pop("min_n")),
                   max_n=int(sub.pop("max_n")), vectors_vocab=vocab_rows, model=sub)

    def to_parts(self) -> Any:
        """As :meth:`WordVectors.to_parts`, with the n-gram matrix, the word rows, the
        output matrix and the settings, so every file keeps unseen words working."""
        from wordvec.vectors.store import VectorParts

        extra = {"vectors_ngrams": self.vectors_ngrams}
        if self.vectors_vocab is not None:
            extra["vectors_vocab"] = self.vectors_vocab
        if self.model.get("output") is not None:
            extra["output"] = self.model["output"]
        meta = dict(getattr(self, "meta", {}))
        meta["subwords"] = {"min_n": self.min_n, "max_n": self.max_n,
                            **{k: v for k, v in self.model.items() if k != "output"}}
        return VectorParts(self.index_to_key, self.vectors, self.counts, meta, extra=extra)

class _NoNgramError(UnknownWordError):
    def __str__(self) -> str:
        wv = self._wv
        return (f"word {self.key!r} is not in the vocabulary and has no character n-gram of "
                f"{wv.min_n}..{wv.max_n} characters to build a vector from")
