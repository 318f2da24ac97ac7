"""Count-based word vectors, the steps: co-occurrence counts, positive PMI, truncated SVD.

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

The estimator that ties these steps together, with its settings, is
:class:`~wordvec.train.ppmi_svd.PPMISVD`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit

from wordvec.errors import ConfigError, FormatError
from wordvec.native import encode_words
from wordvec.outputs import atomic_write
from wordvec.settings import check
from wordvec.vectors.keyed import unit_rows

logger = logging.getLogger("wordvec")

__all__ = [
    "BOS",
    "COUNTS_FORMAT",
    "EOS",
    "SOLVERS",
    "WEIGHTINGS",
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
    check("window", window)
    check("weighting", weighting)


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
    check("chunk_tokens", chunk_tokens)
    check("sample", sample)
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
    check("solver", solver)
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
