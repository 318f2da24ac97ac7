"""Count-based word vectors: co-occurrence counts, positive PMI, truncated SVD.

The fourth tutorial builds word vectors by counting how often words appear
near each other and reducing that matrix with an SVD. This module does the
same at corpus scale, with the choices Levy, Goldberg & Dagan (2015),
"Improving Distributional Similarity with Lessons Learned from Word
Embeddings" (LGD below) found to matter:

1. **Counting** (:func:`cooccurrence`). Every pair of words at most
   ``window`` tokens apart inside one sentence is counted in both directions,
   optionally weighted by distance (``"harmonic"``: 1/d, as GloVe;
   ``"linear"``: (window - d + 1) / window, the expected weight of word2vec's
   shrunk window, LGD's "dynamic context window"). Optionally each sentence
   is wrapped in ``<START>`` ... ``<END>`` tokens that are counted like words,
   as in the tutorial. The work is done by compiled kernels: the corpus is
   read in chunks, each chunk's pairs become int64 codes that are sorted and
   run-length encoded, and the partial results are merged into one sorted
   list of upper-triangle entries. Memory is therefore the size of the
   result (the distinct pairs) plus one chunk, whatever the corpus length.
2. **Positive PMI** (:func:`ppmi`) with context-distribution smoothing: the
   context counts are raised to ``cds_alpha`` (0.75, as word2vec's noise
   distribution) before normalising, which stops rare contexts from getting
   huge PMI values. ``shift`` = k subtracts log k (shifted PPMI, the matrix
   skip-gram with k negative samples implicitly factorises).
3. **Truncated SVD** (:func:`truncated_svd`) keeping the top ``vector_size``
   singular triplets, and **eigenvalue weighting** (:func:`svd_vectors`): word
   vectors are ``U * S**eig``. LGD found ``eig`` 0 or 0.5 much better than the
   textbook 1 on similarity tasks. ``add_context`` adds the context vectors
   ``V * S**eig`` (each side unit-normalised first).

The result is a :class:`~wordvec.vectors.WordVectors`, the same type word2vec
training returns, so saving, querying and evaluating work the same way.

The defaults of :class:`SVDConfig` follow LGD's recommendations for SVD --
context-distribution smoothing ``cds_alpha=0.75``, no shift (``shift=1``; LGD
found shifting hurts SVD), ``eig=0.5``, "dirty" subsampling before counting
(``sample=1e-3``, word2vec's default threshold) and distance weighting
(``"harmonic"``) -- except the window. LGD found window 2 best for word
similarity on a 1.5-billion-word corpus; on the 17-million-word benchmark
corpus (``bench/svd.py``, unweighted counts) window 5 scored better on every
task (WordSim-353 0.675 against 0.575, SimLex-999 0.268 against 0.252, Google
analogies 31% against 26%), so the default is 5, as in word2vec. Harmonic
weighting and subsampling each added 1-3 points on the analogies there. Try
window 2 on corpora of billions of words. The plain function
:func:`cooccurrence` counts the text as it is by default (no weighting, no
subsampling), which is the tutorial's matrix.

Example:
    >>> from wordvec.train.counting import PPMISVD
    >>> sents = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "ran"]] * 20
    >>> model = PPMISVD(vector_size=2, window=1, min_count=1, sample=0).fit(sents)
    >>> model.cooc.shape, model.wv.vectors.shape
    ((6, 6), (6, 2))
"""

from __future__ import annotations

import json
import logging
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit

from wordvec.errors import ConfigError, FormatError, VocabError
from wordvec.vectors.formats import atomic_write, encode_words
from wordvec.vectors.keyed import unit_rows

logger = logging.getLogger("wordvec")

__all__ = [
    "BOS",
    "EOS",
    "WEIGHTINGS",
    "CountVectors",
    "PPMISVD",
    "SVDConfig",
    "cooccurrence",
    "load_counts",
    "ppmi",
    "save_counts",
    "svd_vectors",
    "truncated_svd",
]

BOS = "<START>"  # sentence-start token of the tutorial's co-occurrence matrix
EOS = "<END>"  # sentence-end token
WEIGHTINGS = ("none", "harmonic", "linear")
SOLVERS = ("randomized", "arpack")
COUNTS_FORMAT = "wordvec-cooc/1"

# ---------------------------------------------------------------------------
# Compiled kernels
# ---------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _emit_pairs(
    ids: np.ndarray,
    offs: np.ndarray,
    window: int,
    with_distance: bool,
    bos: int,
    eos: int,
    dim: int,
    codes: np.ndarray,
) -> int:
    """Write one int64 code per unordered pair of positions at most ``window`` apart.

    ``ids`` holds whole sentences, sentence ``s`` being ``ids[offs[s]:offs[s+1]]``.
    A pair of words (a, b) is stored once as ``lo * dim + hi`` with
    ``lo = min(a, b)``, ``hi = max(a, b)`` (the upper triangle); with
    ``with_distance`` the code is multiplied by ``window`` and ``d - 1`` added,
    so the distance survives sorting. ``bos``/``eos`` >= 0 are the ids of
    sentence-boundary tokens placed before and after each sentence.
    Returns the number of codes written.
    """
    n = 0
    pad = 1 if bos >= 0 else 0
    for s in range(len(offs) - 1):
        start = offs[s]
        length = offs[s + 1] - start
        # virtual positions -pad .. length - 1 + pad; -1 is <START>, length is <END>
        for p in range(-pad, length + pad):
            if p < 0:
                a = bos
            elif p >= length:
                a = eos
            else:
                a = ids[start + p]
            last = min(p + window, length - 1 + pad)
            for q in range(p + 1, last + 1):
                if q >= length:
                    b = eos
                else:
                    b = ids[start + q]
                if a <= b:
                    code = np.int64(a) * dim + b
                else:
                    code = np.int64(b) * dim + a
                if with_distance:
                    code = code * window + (q - p - 1)
                codes[n] = code
                n += 1
    return n


@njit(cache=True, nogil=True)
def _count_distinct(codes: np.ndarray, n: int, window: int, weighting: int) -> int:
    """Number of distinct pair keys among ``n`` sorted codes."""
    m = 0
    prev = np.int64(-1)
    for i in range(n):
        key = codes[i] if weighting == 0 else codes[i] // window
        if key != prev:
            m += 1
            prev = key
    return m


@njit(cache=True, nogil=True)
def _run_lengths(
    codes: np.ndarray, n: int, window: int, weighting: int, keys: np.ndarray, vals: np.ndarray
) -> int:
    """Collapse sorted codes into distinct pair keys with their (weighted) counts.

    ``weighting``: 0 every pair counts 1 (codes carry no distance), 1 harmonic
    (1/d), 2 linear ((window - d + 1) / window).
    """
    m = 0
    i = 0
    while i < n:
        c = codes[i]
        key = c if weighting == 0 else c // window
        total = 0.0
        while i < n:
            c = codes[i]
            k2 = c if weighting == 0 else c // window
            if k2 != key:
                break
            if weighting == 0:
                total += 1.0
            else:
                d = c - k2 * window + 1
                if weighting == 1:
                    total += 1.0 / d
                else:
                    total += (window - d + 1) / window
            i += 1
        keys[m] = key
        vals[m] = total
        m += 1
    return m


@njit(cache=True, nogil=True)
def _merge_sorted(
    akeys: np.ndarray,
    avals: np.ndarray,
    na: int,
    bkeys: np.ndarray,
    bvals: np.ndarray,
    nb: int,
    okeys: np.ndarray,
    ovals: np.ndarray,
) -> int:
    """Merge two sorted, duplicate-free key lists, adding values of equal keys."""
    i = 0
    j = 0
    m = 0
    while i < na and j < nb:
        ka = akeys[i]
        kb = bkeys[j]
        if ka < kb:
            okeys[m] = ka
            ovals[m] = avals[i]
            i += 1
        elif kb < ka:
            okeys[m] = kb
            ovals[m] = bvals[j]
            j += 1
        else:
            okeys[m] = ka
            ovals[m] = avals[i] + bvals[j]
            i += 1
            j += 1
        m += 1
    while i < na:
        okeys[m] = akeys[i]
        ovals[m] = avals[i]
        i += 1
        m += 1
    while j < nb:
        okeys[m] = bkeys[j]
        ovals[m] = bvals[j]
        j += 1
        m += 1
    return m


@njit(cache=True, nogil=True)
def _row_lengths(keys: np.ndarray, dim: int, lengths: np.ndarray) -> None:
    """Entries per row of the symmetric matrix whose upper triangle is ``keys``."""
    for t in range(len(keys)):
        r = keys[t] // dim
        c = keys[t] - r * dim
        lengths[r] += 1
        if c != r:
            lengths[c] += 1


@njit(cache=True, nogil=True)
def _fill_symmetric(
    keys: np.ndarray,
    vals: np.ndarray,
    dim: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
) -> None:
    """Scatter the sorted upper triangle and its mirror image into CSR arrays.

    Keys are sorted by (row, column), so every row receives its mirrored
    entries (columns below the diagonal, in increasing order) before its own
    upper entries: each row comes out with sorted column indices.
    """
    fill = indptr[:-1].copy()
    for t in range(len(keys)):
        r = keys[t] // dim
        c = keys[t] - r * dim
        v = vals[t]
        indices[fill[r]] = c
        data[fill[r]] = v if c != r else 2.0 * v  # (w, w) counts once from each side
        fill[r] += 1
        if c != r:
            indices[fill[c]] = r
            data[fill[c]] = v
            fill[c] += 1


@njit(cache=True, nogil=True)
def _ppmi_kernel(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    row_log: np.ndarray,
    col_log: np.ndarray,
    const: float,
    out_indptr: np.ndarray,
    out_indices: np.ndarray,
    out_data: np.ndarray,
    count_only: bool,
) -> int:
    """PMI = log(n_wc) - row_log[w] - col_log[c] + const; keep the positive ones.

    With ``count_only`` only ``out_indptr`` is filled (the size of each row).
    """
    m = 0
    out_indptr[0] = 0
    for r in range(len(indptr) - 1):
        base = const - row_log[r]
        for t in range(indptr[r], indptr[r + 1]):
            x = data[t]
            if x <= 0.0:
                continue
            c = indices[t]
            v = np.log(x) + base - col_log[c]
            if v > 0.0:
                if not count_only:
                    out_indices[m] = c
                    out_data[m] = v
                m += 1
        out_indptr[r + 1] = m
    return m


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


def _check_counting(window: int, weighting: str) -> None:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ConfigError(f"window must be a positive integer, got {window!r}")
    if weighting not in WEIGHTINGS:
        raise ConfigError(
            f"weighting must be one of {', '.join(WEIGHTINGS)}, got {weighting!r}"
        )


def _sentence_cuts(offsets: np.ndarray, chunk_tokens: int) -> list[tuple[int, int]]:
    """Split sentences into runs of about ``chunk_tokens`` tokens (never inside one)."""
    cuts = []
    s = 0
    n_sent = len(offsets) - 1
    while s < n_sent:
        target = offsets[s] + chunk_tokens
        e = int(np.searchsorted(offsets, target, side="right")) - 1
        e = max(e, s + 1)  # at least one sentence, however long
        e = min(e, n_sent)
        cuts.append((s, e))
        s = e
    return cuts


def cooccurrence(
    corpus: Any,
    window: int = 5,
    weighting: str = "none",
    boundaries: bool = False,
    chunk_tokens: int = 1 << 20,
    sample: float = 0.0,
    seed: int = 1,
) -> sp.csr_matrix:
    """Count symmetric window co-occurrences of an encoded corpus as a sparse matrix.

    Entry ``(a, b)`` is the number of times word ``b`` occurs within
    ``window`` tokens of an occurrence of word ``a`` in the same sentence
    (each counted pair of positions adds to both ``(a, b)`` and ``(b, a)``, so
    the matrix is symmetric and a word next to itself adds 2 on the diagonal).

    Args:
        corpus: an :class:`~wordvec.text.encoded.EncodedCorpus`.
        window: maximum distance between the two words.
        weighting: ``"none"`` (each pair counts 1), ``"harmonic"`` (1/d) or
            ``"linear"`` ((window - d + 1) / window, word2vec's shrunk window
            in expectation).
        boundaries: also count ``<START>``/``<END>`` tokens around each
            sentence; they become the last two rows/columns (ids V and V+1).
        chunk_tokens: tokens read per step; memory holds about
            ``8 * window * chunk_tokens`` bytes of pair codes at a time.
        sample: "dirty" subsampling (LGD): before counting, drop each token
            with word2vec's probability for threshold ``sample`` (frequent
            words mostly), so the remaining words come closer together.
            0 (default) counts the corpus as it is.
        seed: random seed of the subsampling; the same seed gives the same
            counts whatever ``chunk_tokens`` is.

    Returns:
        float32 CSR matrix of shape (V, V), or (V+2, V+2) with ``boundaries``,
        with sorted indices and no explicit zeros.
    """
    _check_counting(window, weighting)
    if chunk_tokens < 1:
        raise ConfigError(f"chunk_tokens must be positive, got {chunk_tokens}")
    if not 0 <= sample < 1:
        raise ConfigError(f"sample must be in [0, 1) (0 = keep every token), got {sample}")
    keep = corpus.vocab.keep_probs(sample) if sample > 0 else None
    rng = np.random.default_rng(seed)
    v = len(corpus.vocab)
    dim = v + 2 if boundaries else v
    bos, eos = (v, v + 1) if boundaries else (-1, -1)
    mode = WEIGHTINGS.index(weighting)
    with_distance = mode != 0
    offsets = np.asarray(corpus.offsets, dtype=np.int64)
    t0 = time.perf_counter()

    keys = np.empty(0, np.int64)
    vals = np.empty(0, np.float64)
    buf = np.empty(0, np.int32)
    codes = np.empty(0, np.int64)
    for s, e in _sentence_cuts(offsets, chunk_tokens):
        a, b = int(offsets[s]), int(offsets[e])
        if len(buf) < b - a:
            buf = np.empty(b - a, np.int32)
        ids = corpus.read(a, b, out=buf)
        offs = offsets[s : e + 1] - a
        if keep is not None:
            mask = rng.random(len(ids)) < keep[ids]
            kept_before = np.zeros(len(ids) + 1, np.int64)
            np.cumsum(mask, out=kept_before[1:])
            offs = np.unique(kept_before[offs])  # sentences left empty disappear
            ids = ids[mask]
        need = (b - a + 2 * (e - s)) * window
        if len(codes) < need:
            codes = np.empty(need, np.int64)
        n = _emit_pairs(ids, offs, window, with_distance, bos, eos, dim, codes)
        chunk = codes[:n]
        chunk.sort()
        m = _count_distinct(chunk, n, window, mode)
        ck = np.empty(m, np.int64)
        cv = np.empty(m, np.float64)
        _run_lengths(chunk, n, window, mode, ck, cv)
        if len(keys) == 0:
            keys, vals = ck, cv
        else:
            ok = np.empty(len(keys) + m, np.int64)
            ov = np.empty(len(keys) + m, np.float64)
            k = _merge_sorted(keys, vals, len(keys), ck, cv, m, ok, ov)
            del keys, vals
            keys, vals = ok[:k], ov[:k]  # views: at most m entries of slack
        del ck, cv
    del codes, buf

    lengths = np.zeros(dim, np.int64)
    _row_lengths(keys, dim, lengths)
    nnz = int(lengths.sum())
    idx_dtype = np.int32 if nnz < 2**31 and dim < 2**31 else np.int64
    indptr = np.zeros(dim + 1, idx_dtype)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.empty(nnz, idx_dtype)
    data = np.empty(nnz, np.float32)
    _fill_symmetric(keys, vals, dim, indptr, indices, data)
    del keys, vals
    m = sp.csr_matrix((data, indices, indptr), shape=(dim, dim))
    m.has_sorted_indices = True
    logger.info(
        "counted co-occurrences of %d tokens (window %d, %s weighting, sample %g): "
        "%d nonzeros in %.1f s",
        corpus.n_tokens, window, weighting, sample, nnz, time.perf_counter() - t0,
    )
    return m


# ---------------------------------------------------------------------------
# PPMI
# ---------------------------------------------------------------------------


def ppmi(counts: sp.spmatrix, cds_alpha: float = 0.75, shift: float = 1.0) -> sp.csr_matrix:
    """Positive (shifted) PMI of a co-occurrence matrix, with smoothed context counts.

    ``PMI(w, c) = log(n(w, c) * Z / (n(w) * n(c)**alpha))`` where ``n(w)`` and
    ``n(c)`` are the row and column sums of ``counts`` and
    ``Z = sum_c n(c)**alpha`` (LGD's context-distribution smoothing). The
    result keeps ``max(PMI - log(shift), 0)``, stored without zeros, float32.
    """
    if not cds_alpha > 0:
        raise ConfigError(f"cds_alpha must be positive (1 = no smoothing), got {cds_alpha}")
    if not shift > 0:
        raise ConfigError(f"shift (k) must be positive (1 = no shift), got {shift}")
    t0 = time.perf_counter()
    m = sp.csr_matrix(counts)
    m.sort_indices()
    rows = np.asarray(m.sum(axis=1), dtype=np.float64).ravel()
    cols = np.asarray(m.sum(axis=0), dtype=np.float64).ravel()
    with np.errstate(divide="ignore"):
        row_log = np.log(rows)
        col_log = cds_alpha * np.log(cols)
    z = float(np.sum(cols[cols > 0] ** cds_alpha))
    const = np.log(z) - np.log(shift) if z > 0 else 0.0
    out_indptr = np.zeros(m.shape[0] + 1, np.int64)
    empty_i = np.empty(0, m.indices.dtype)
    empty_d = np.empty(0, np.float32)
    nnz = _ppmi_kernel(m.indptr, m.indices, m.data, row_log, col_log, const,
                       out_indptr, empty_i, empty_d, True)
    out_indices = np.empty(nnz, m.indices.dtype)
    out_data = np.empty(nnz, np.float32)
    _ppmi_kernel(m.indptr, m.indices, m.data, row_log, col_log, const,
                 out_indptr, out_indices, out_data, False)
    out = sp.csr_matrix(
        (out_data, out_indices, out_indptr.astype(m.indices.dtype, copy=False)), shape=m.shape
    )
    out.has_sorted_indices = True
    logger.info(
        "PPMI (cds %.2f, shift %g): %d of %d entries positive, %.1f s",
        cds_alpha, shift, nnz, m.nnz, time.perf_counter() - t0,
    )
    return out


# ---------------------------------------------------------------------------
# Truncated SVD
# ---------------------------------------------------------------------------


def _orthonormal(x: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(x)
    return np.ascontiguousarray(q)


def truncated_svd(
    matrix: sp.spmatrix | np.ndarray,
    k: int,
    solver: str = "arpack",
    n_iter: int = 5,
    oversample: int = 20,
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top ``k`` singular triplets ``U (n, k), S (k,), Vt (k, m)``, largest first.

    ``solver="arpack"`` (default): :func:`scipy.sparse.linalg.svds`, Lanczos,
    exact to machine tolerance. ``solver="randomized"``: a randomized range
    finder with ``n_iter`` power iterations and ``oversample`` extra columns
    (Halko, Martinsson & Tropp 2011), in the matrix's precision.

    Why ARPACK is the default: PPMI matrices have a flat tail of singular
    values, which randomized SVD converges to slowly. On the main benchmark
    corpus (67,873 words, window 2, 10.9M PPMI entries, k=100, one BLAS
    thread) ARPACK took 12.8 s and matched float64 singular values to 1e-6,
    while the randomized finder needed 29 s for 200 columns and 4 power
    iterations and still had the 100th singular value 1.2% low (its vectors
    scored 0.2 points lower on analogies and 0.006 lower on SimLex-999).

    Signs are fixed so that each column of ``U`` has its largest-magnitude
    entry positive, so results do not depend on the solver's arbitrary signs.
    """
    n_rows, n_cols = matrix.shape
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"vector_size must be a positive integer, got {k!r}")
    if k >= min(n_rows, n_cols):
        raise ConfigError(
            f"vector_size={k} needs a matrix with more than {k} rows and columns, but the "
            f"co-occurrence matrix is {n_rows} x {n_cols}; lower vector_size or use a "
            "larger corpus (or a lower min_count)"
        )
    if solver not in SOLVERS:
        raise ConfigError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    if n_iter < 0 or oversample < 0:
        raise ConfigError("n_iter and oversample must not be negative")
    a = matrix if sp.issparse(matrix) else np.asarray(matrix)
    if sp.issparse(a):
        a = sp.csr_matrix(a)
    dtype = np.float32 if a.dtype == np.float32 else np.float64
    a = a.astype(dtype, copy=False)
    if solver == "arpack":
        from scipy.sparse.linalg import svds

        rng = np.random.default_rng(seed)
        v0 = rng.standard_normal(min(n_rows, n_cols)).astype(dtype)
        u, s, vt = svds(a, k=k, v0=v0, solver="arpack")
        order = np.argsort(s)[::-1]
        u, s, vt = u[:, order], s[order], vt[order]
    else:
        rng = np.random.default_rng(seed)
        width = min(k + oversample, min(n_rows, n_cols))
        at = a.T.tocsr() if sp.issparse(a) else a.T  # row-major transpose: faster products
        q = _orthonormal(a @ rng.standard_normal((n_cols, width)).astype(dtype))
        for _ in range(n_iter):
            q = _orthonormal(at @ q)
            q = _orthonormal(a @ q)
        b_t = np.asarray(at @ q, dtype=np.float64)  # (n_cols, width) = (Q^T A)^T
        del at
        vb, s, ubt = np.linalg.svd(b_t, full_matrices=False)  # B = ubt.T @ diag(s) @ vb.T
        u = q.astype(np.float64) @ ubt.T[:, :k]
        s = s[:k]
        vt = vb[:, :k].T
    u = np.asarray(u, dtype=np.float64)
    vt = np.asarray(vt, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    # deterministic signs
    big = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[big, np.arange(u.shape[1])])
    signs[signs == 0] = 1.0
    u *= signs
    vt *= signs[:, None]
    return u, s, vt


def svd_vectors(
    u: np.ndarray,
    s: np.ndarray,
    vt: np.ndarray | None = None,
    eig: float = 0.5,
    add_context: bool = False,
) -> np.ndarray:
    """Word vectors from an SVD: ``U * S**eig``, or with ``add_context`` the sum of
    the unit-normalised word rows and context rows (``V * S**eig``). float32."""
    if not eig >= 0:
        raise ConfigError(f"eig must be >= 0 (0, 0.5 and 1 are usual), got {eig}")
    w = u * (s**eig)[None, :]
    if add_context:
        if vt is None:
            raise ValueError("add_context needs vt")
        if vt.shape[1] != u.shape[0]:
            raise ValueError("add_context needs as many contexts as words (a square matrix)")
        c = vt.T * (s**eig)[None, :]
        w = unit_rows(w) + unit_rows(c)
    return np.ascontiguousarray(w, dtype=np.float32)



# ---------------------------------------------------------------------------
# Saving and loading counts
# ---------------------------------------------------------------------------


def save_counts(
    path: str | os.PathLike,
    counts: sp.spmatrix,
    words: list[str],
    word_counts: np.ndarray | None = None,
    meta: dict | None = None,
) -> Path:
    """Write a co-occurrence matrix with its row labels to an ``.npz`` file.

    The file holds the CSR arrays under scipy's names (so
    :func:`scipy.sparse.load_npz` reads the matrix too), the words as one
    newline-separated UTF-8 byte array, their corpus counts and a JSON
    header; nothing is pickled.
    """
    m = sp.csr_matrix(counts)
    if m.shape[0] != len(words) or m.shape[1] != len(words):
        raise ValueError(f"matrix shape {m.shape} does not match {len(words)} words")
    header = {"format": COUNTS_FORMAT, **(meta or {})}
    wc = np.zeros(len(words), np.int64) if word_counts is None else np.asarray(word_counts)
    path = Path(path)
    # atomic like every other file we write; a file object also stops np.savez
    # from appending .npz to a bare name
    with atomic_write(path, "wb") as fh:
        np.savez(
            fh,
            format=np.array(m.format.encode("ascii")),
            shape=np.array(m.shape, np.int64),
            data=m.data,
            indices=m.indices,
            indptr=m.indptr,
            words=encode_words(words),
            word_counts=wc.astype(np.int64),
            header=np.frombuffer(json.dumps(header).encode("utf-8"), np.uint8),
        )
    return path


def load_counts(path: str | os.PathLike) -> tuple[sp.csr_matrix, list[str], np.ndarray, dict]:
    """Read a file written by :func:`save_counts`: ``(matrix, words, word_counts, header)``.

    Raises:
        FormatError: the file is missing, not such a file, or holds pickled objects.
    """
    path = Path(path)
    try:
        z = np.load(path, allow_pickle=False)
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise FormatError(f"{path} holds a single array, not a counts file from save_counts")
        with z:
            names = set(z.files)
            missing = {"data", "indices", "indptr", "shape", "words", "header"} - names
            if missing:
                raise FormatError(
                    f"{path} is not a co-occurrence counts file (missing "
                    f"{', '.join(sorted(missing))}); write one with save_counts"
                )
            header = json.loads(bytes(z["header"]).decode("utf-8"))
            if header.get("format") != COUNTS_FORMAT:
                raise FormatError(f"{path}: unknown counts format {header.get('format')!r}")
            shape = tuple(int(x) for x in z["shape"])
            raw_words = bytes(z["words"]).decode("utf-8")
            words = raw_words.split("\n") if raw_words or shape[0] else []
            word_counts = z["word_counts"] if "word_counts" in names else None
            m = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=shape)
    except FormatError:
        raise
    except FileNotFoundError:
        raise FormatError(f"counts file {path} does not exist") from None
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise FormatError(
            f"cannot read counts file {path}: {exc} (files with pickled objects are refused)"
        ) from None
    if len(words) != shape[0] or shape[0] != shape[1]:
        raise FormatError(f"{path}: {len(words)} words for a {shape} matrix")
    if word_counts is None or len(word_counts) != len(words):
        word_counts = np.zeros(len(words), np.int64)
    m.check_format(full_check=True)
    return m, words, np.asarray(word_counts, np.int64), header


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SVDConfig:
    """Hyperparameters of PPMI-SVD vectors (defaults: LGD 2015's advice for SVD).

    Attributes:
        vector_size: dimensions kept by the SVD.
        window: maximum distance of counted pairs. 5 did best on the 17M-word
            benchmark corpus; LGD found 2 best for similarity on 1.5B words.
        min_count: words rarer than this are dropped before counting.
        max_final_vocab: optional cap on the vocabulary size.
        max_vocab_size: bound the words held while counting: past it, rare
            words are pruned as the word2vec C tool does (the corpus is then
            read twice, by the pure-Python reader).
        weighting: ``"none"``, ``"harmonic"`` (1/distance) or ``"linear"``
            (word2vec's shrunk window in expectation).
        boundaries: count ``<START>``/``<END>`` tokens around sentences.
        sample: dirty subsampling threshold applied before counting (word2vec's
            formula; 0 = off). Random, seeded by ``seed``.
        cds_alpha: context-distribution smoothing exponent (1 = none).
        shift: k of shifted PPMI, ``max(PMI - log k, 0)``; 1 = plain PPMI.
        eig: eigenvalue weighting p, vectors ``U * S**p`` (0, 0.5 or 1).
        add_context: return word + context vectors (W + C).
        solver: ``"arpack"`` (scipy's svds, exact; the faster one on PPMI
            matrices) or ``"randomized"``.
        n_iter, oversample: randomized SVD power iterations and extra columns.
        seed: random seed of the SVD's starting vectors.
        chunk_tokens: tokens counted per step (memory/speed trade-off).
    """

    vector_size: int = 100
    window: int = 5
    min_count: int = 5
    max_final_vocab: int | None = None
    max_vocab_size: int | None = None
    weighting: str = "harmonic"
    boundaries: bool = False
    sample: float = 1e-3
    cds_alpha: float = 0.75
    shift: float = 1.0
    eig: float = 0.5
    add_context: bool = False
    solver: str = "arpack"
    n_iter: int = 5
    oversample: int = 20
    seed: int = 1
    chunk_tokens: int = 1 << 20

    def __post_init__(self) -> None:
        _check_counting(self.window, self.weighting)
        if isinstance(self.vector_size, bool) or not isinstance(self.vector_size, int) \
                or self.vector_size < 1:
            raise ConfigError(f"vector_size must be a positive integer, got {self.vector_size!r}")
        if self.min_count < 1:
            raise ConfigError(f"min_count must be at least 1, got {self.min_count}")
        if self.max_vocab_size is not None and (
                isinstance(self.max_vocab_size, bool) or not isinstance(self.max_vocab_size, int)
                or self.max_vocab_size < 1):
            raise ConfigError(
                f"max_vocab_size must be a positive integer, got {self.max_vocab_size!r}")
        if not 0 <= self.sample < 1:
            raise ConfigError(f"sample must be in [0, 1) (0 = keep every token), got {self.sample}")
        if not self.cds_alpha > 0:
            raise ConfigError(
                f"cds_alpha must be positive (1 = no smoothing), got {self.cds_alpha}"
            )
        if not self.shift > 0:
            raise ConfigError(f"shift (k) must be positive (1 = no shift), got {self.shift}")
        if not self.eig >= 0:
            raise ConfigError(f"eig must be >= 0 (0, 0.5 and 1 are usual), got {self.eig}")
        if self.solver not in SOLVERS:
            raise ConfigError(f"solver must be one of {', '.join(SOLVERS)}, got {self.solver!r}")
        if self.n_iter < 0 or self.oversample < 0:
            raise ConfigError("n_iter and oversample must not be negative")
        if self.chunk_tokens < 1:
            raise ConfigError(f"chunk_tokens must be positive, got {self.chunk_tokens}")


_COUNTING_FIELDS = ("window", "weighting", "boundaries", "sample")


class PPMISVD:
    """Word vectors from the SVD of a positive-PMI co-occurrence matrix.

    Configure at construction (an :class:`SVDConfig` and/or its fields as
    keywords), learn with :meth:`fit`; a corpus given to the constructor
    (first positional argument, ``sentences=`` or ``corpus_file=``) is fitted
    at once, as in :class:`~wordvec.train.word2vec.Word2Vec`. Learned state:

    * ``cooc``: the raw co-occurrence counts (scipy CSR, float32);
    * ``cooc_words``: the label of each row/column of ``cooc`` (the vocabulary,
      then ``<START>``, ``<END>`` with ``boundaries``);
    * ``singular_values``: the kept singular values, largest first;
    * ``wv``: a :class:`~wordvec.vectors.WordVectors` (vocabulary words only);
    * ``timings``: seconds spent counting, in PPMI and in the SVD.

    Example:
        >>> sents = [["a", "b", "c"], ["a", "c", "d"], ["b", "d", "a"]] * 10
        >>> m = PPMISVD(vector_size=2, window=2, min_count=1, sample=0).fit(sents)
        >>> len(m.wv), m.wv.vector_size
        (4, 2)
    """

    def __init__(
        self,
        config: SVDConfig | Any = None,
        *,
        sentences: Any = None,
        corpus_file: str | os.PathLike | None = None,
        **kwargs: Any,
    ) -> None:
        # like Word2Vec (and gensim): a corpus in the first place, as sentences= or
        # as corpus_file= is fitted at once
        corpus = None
        if config is not None and not isinstance(config, SVDConfig):
            if is_dataclass(config):
                raise ConfigError(f"config must be an SVDConfig, got a {type(config).__name__}")
            corpus, config = config, None
        for given in (sentences, corpus_file):
            if given is not None:
                if corpus is not None:
                    raise ConfigError(
                        "give the corpus once: positionally, as sentences= or as corpus_file="
                    )
                corpus = given
        if corpus_file is not None and not isinstance(corpus_file, (str, os.PathLike)):
            raise ConfigError(
                f"corpus_file must be a path, got a {type(corpus_file).__name__}; "
                "pass token lists as sentences="
            )
        base = config or SVDConfig()
        known = {f.name for f in fields(SVDConfig)}
        unknown = set(kwargs) - known
        if unknown:
            raise ConfigError(
                f"unknown option(s) {', '.join(sorted(unknown))}; "
                f"valid ones: {', '.join(sorted(known))}"
            )
        self.config: SVDConfig = replace(base, **kwargs)
        self.cooc: sp.csr_matrix | None = None
        self.cooc_words: list[str] = []
        self.word_counts: np.ndarray | None = None
        self.n_words = 0  # vocabulary rows of cooc (the rest are boundary tokens)
        self.singular_values: np.ndarray | None = None
        self.vectors: np.ndarray | None = None
        self.timings: dict[str, float] = {}
        self._wv: Any = None
        if corpus is not None:
            self.fit(corpus)

    def __repr__(self) -> str:
        state = f"{self.n_words} words" if self.vectors is not None else "not fitted"
        return f"<PPMISVD {state}, {self.config}>"

    # --- learning -------------------------------------------------------------

    def fit(
        self,
        source: Any,
        tokenizer: Callable[[str], list[str]] | None = None,
        workdir: str | os.PathLike | None = None,
        cache: str | os.PathLike | None = None,
    ) -> PPMISVD:
        """Count co-occurrences in ``source``, then build the vectors; return ``self``.

        ``source`` is an :class:`~wordvec.text.encoded.EncodedCorpus` (used as is,
        ``min_count`` ignored), or anything :func:`wordvec.text.encoded.encode_corpus`
        reads: a file, a folder, compressed files, a list of token lists
        (``tokenizer``, ``workdir`` and ``cache`` -- a folder of encoded corpora,
        see :mod:`wordvec.text.cache` -- are passed on to it).
        """
        from wordvec.text.encoded import EncodedCorpus, encode_corpus

        cfg = self.config
        t0 = time.perf_counter()
        if isinstance(source, EncodedCorpus):
            enc = source
        else:
            enc = encode_corpus(source, min_count=cfg.min_count,
                                max_final_vocab=cfg.max_final_vocab,
                                max_vocab_size=cfg.max_vocab_size,
                                tokenizer=tokenizer, workdir=workdir, cache=cache)
        self.timings = {"encode": time.perf_counter() - t0}
        words = list(enc.vocab.words)
        if cfg.boundaries:
            clash = [t for t in (BOS, EOS) if t in enc.vocab]
            if clash:
                raise VocabError(
                    f"the corpus contains the boundary token {clash[0]!r} as a word; "
                    "remove it from the text or set boundaries=False"
                )
            words += [BOS, EOS]
        t1 = time.perf_counter()
        counts = cooccurrence(enc, cfg.window, cfg.weighting, cfg.boundaries,
                              cfg.chunk_tokens, cfg.sample, cfg.seed)
        self.timings["count"] = time.perf_counter() - t1
        self._set_counts(counts, words, enc.vocab.counts, len(enc.vocab))
        return self._factorize()

    @classmethod
    def from_counts(
        cls,
        counts: sp.spmatrix,
        words: list[str],
        word_counts: np.ndarray | None = None,
        config: SVDConfig | None = None,
        **kwargs: Any,
    ) -> PPMISVD:
        """Fit from an existing co-occurrence matrix (rows labelled by ``words``).

        Boundary tokens (``<START>``/``<END>``) among ``words`` are used as
        contexts but get no vector. Returns a fitted model.
        """
        model = cls(config, **kwargs)
        counts = sp.csr_matrix(counts, dtype=np.float32)
        if counts.shape != (len(words), len(words)):
            raise ConfigError(
                f"counts matrix is {counts.shape[0]} x {counts.shape[1]} but "
                f"{len(words)} words were given; they must match"
            )
        n_words = sum(1 for w in words if w not in (BOS, EOS))
        if any(w in (BOS, EOS) for w in words[:n_words]):
            raise ConfigError("boundary tokens must come after all vocabulary words")
        wc = None if word_counts is None else np.asarray(word_counts, np.int64)[:n_words]
        model.timings = {}
        model._set_counts(counts, list(words), wc, n_words)
        return model._factorize()

    @classmethod
    def load_counts(cls, path: str | os.PathLike, config: SVDConfig | None = None,
                    **kwargs: Any) -> PPMISVD:
        """Fit from counts saved by :meth:`save_counts`.

        The counting options (``window``, ``weighting``, ``boundaries``,
        ``sample``, ``min_count``, ``max_final_vocab``) come from the file, whatever
        ``config`` says; naming one in ``kwargs`` with another value than the
        file's is an error (the counts would have to be made again). The
        other options (``vector_size``, ``eig``, ...) come from ``config``
        and ``kwargs`` as usual.
        """
        m, words, word_counts, header = load_counts(path)
        saved = header.get("config", {})
        for name in _COUNTING_FIELDS:
            if name in kwargs and name in saved and kwargs[name] != saved[name]:
                raise ConfigError(
                    f"{path} was counted with {name}={saved[name]!r}; it cannot be reused "
                    f"with {name}={kwargs[name]!r} (count again instead)"
                )
        merged = {k: saved[k] for k in (*_COUNTING_FIELDS, "min_count", "max_final_vocab",
                                        "max_vocab_size") if k in saved}
        merged.update({k: v for k, v in kwargs.items() if k not in merged})
        return cls.from_counts(m, words, word_counts, config, **merged)

    def save_counts(self, path: str | os.PathLike) -> Path:
        """Save the raw co-occurrence counts (with labels and counting options)."""
        if self.cooc is None:
            raise ConfigError("nothing to save: call fit() first")
        cfg = asdict(self.config)
        meta = {"config": {k: cfg[k] for k in (*_COUNTING_FIELDS, "min_count",
                                                "max_final_vocab", "max_vocab_size")}}
        wc = np.zeros(len(self.cooc_words), np.int64)
        if self.word_counts is not None:
            wc[: len(self.word_counts)] = self.word_counts
        return save_counts(path, self.cooc, self.cooc_words, wc, meta)

    def _set_counts(self, counts: sp.csr_matrix, words: list[str],
                    word_counts: np.ndarray | None, n_words: int) -> None:
        self.cooc = counts
        self.cooc_words = words
        self.n_words = n_words
        self.word_counts = (None if word_counts is None
                            else np.asarray(word_counts, np.int64)[:n_words])
        self._wv = None

    def _factorize(self) -> PPMISVD:
        cfg = self.config
        if cfg.vector_size >= min(self.cooc.shape):
            raise ConfigError(
                f"vector_size={cfg.vector_size} needs more than {cfg.vector_size} words, but "
                f"the vocabulary has {self.n_words}; lower vector_size or use a larger "
                "corpus (or a lower min_count)"
            )
        t0 = time.perf_counter()
        p = ppmi(self.cooc, cfg.cds_alpha, cfg.shift)
        self.timings["ppmi"] = time.perf_counter() - t0
        if p.nnz == 0:
            raise VocabError(
                "the PPMI matrix is empty (no word pair co-occurs more than chance); "
                "use a larger corpus or a lower shift"
            )
        t1 = time.perf_counter()
        u, s, vt = truncated_svd(p, cfg.vector_size, cfg.solver, cfg.n_iter,
                                 cfg.oversample, cfg.seed)
        del p
        self.timings["svd"] = time.perf_counter() - t1
        n = self.n_words
        vt_words = vt[:, :n] if cfg.add_context else None
        self.vectors = svd_vectors(u[:n], s, vt_words, cfg.eig, cfg.add_context)
        self.singular_values = s
        self._wv = None
        logger.info(
            "PPMI-SVD: %d words x %d dims (ppmi %.1f s, svd %.1f s)",
            n, cfg.vector_size, self.timings["ppmi"], self.timings["svd"],
        )
        return self

    # --- results --------------------------------------------------------------

    @property
    def words(self) -> list[str]:
        """The vocabulary, row order of the vectors."""
        return self.cooc_words[: self.n_words]

    @property
    def wv(self) -> Any:
        """The vectors as a :class:`~wordvec.vectors.WordVectors`."""
        if self.vectors is None:
            raise ConfigError("the model has no vectors yet: call fit() first")
        if self._wv is None:
            from wordvec.vectors.keyed import WordVectors

            self._wv = WordVectors(self.words, self.vectors, self.word_counts)
        return self._wv


CountVectors = PPMISVD
