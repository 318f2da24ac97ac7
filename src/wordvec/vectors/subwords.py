"""Character n-grams and their hash buckets, exactly as Facebook's fastText computes them.

A word ``w`` is read as ``"<" + w + ">"`` (UTF-8). Its n-grams are the
substrings of ``minn..maxn`` *characters* (a multi-byte UTF-8 character is never
split), except the lone boundary marks ``"<"`` and ``">"``; the whole marked
word is one of them when it is short enough. Repeated n-grams are kept
(``"aaaa"`` has ``"aaa"`` twice), as in fastText and gensim.

An n-gram's row is ``hash(ngram) % bucket`` with fastText's FNV-1a variant:
each byte is cast to a *signed* char before the XOR (``h ^= uint32(int8(b))``),
so bytes >= 0x80 flip the high bits too. gensim's ``ft_hash_bytes`` does the
same, so a bucket index means the same row in all three.

:func:`ngram_table` computes the rows of a whole vocabulary at once in compiled
code (a CSR table); :func:`char_ngrams` and :func:`ft_hash` are the plain-Python
statement of the same rules (used for single words and in tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["BOW", "EOS_TOKEN", "EOW", "char_ngrams", "compose", "ft_hash", "input_rows",
           "ngram_hashes", "ngram_table"]

BOW = "<"
EOW = ">"
#: fastText's end-of-line token: a word of its own, without n-grams
EOS_TOKEN = "</s>"

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


def ft_hash(data: bytes) -> int:
    """fastText's 32-bit hash of ``data`` (FNV-1a over bytes read as signed chars)."""
    h = _FNV_OFFSET
    for b in data:
        h ^= (b - 256 if b >= 128 else b) & 0xFFFFFFFF
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def char_ngrams(word: str, minn: int, maxn: int) -> list[bytes]:
    """The character n-grams of ``word`` (as UTF-8 bytes), in fastText's order."""
    data = (BOW + word + EOW).encode("utf-8")
    n_bytes = len(data)
    out: list[bytes] = []
    for i in range(n_bytes):
        if data[i] & 0xC0 == 0x80:  # continuation byte: not the start of a character
            continue
        j, n = i, 1
        while j < n_bytes and n <= maxn:
            j += 1
            while j < n_bytes and data[j] & 0xC0 == 0x80:
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == n_bytes)):
                out.append(data[i:j])
            n += 1
    return out


def ngram_hashes(word: str, minn: int, maxn: int, bucket: int) -> np.ndarray:
    """Bucket rows (0..bucket-1, int64) of ``word``'s n-grams, repeats kept."""
    if bucket <= 0 or maxn <= 0:
        return np.zeros(0, np.int64)
    indptr, rows = ngram_table([word], minn, maxn, bucket)
    return rows


def _table(data: np.ndarray, offs: np.ndarray, minn: int, maxn: int, bucket: int,
           out: np.ndarray, count_only: bool) -> np.ndarray:
    """Count (``count_only``) or write the bucket rows of each word; returns per-word counts."""
    n_words = offs.shape[0] - 1
    counts = np.zeros(n_words, np.int64)
    k = 0
    for w in range(n_words):
        lo = offs[w]
        hi = offs[w + 1]
        c = 0
        for i in range(lo, hi):
            if data[i] & 0xC0 == 0x80:
                continue
            h = np.uint32(2166136261)
            j = i
            n = 1
            while j < hi and n <= maxn:
                # add one character (its first byte and its continuation bytes) to the hash
                b = np.int8(data[j])
                h = np.uint32((h ^ np.uint32(np.int32(b))) * np.uint32(16777619))
                j += 1
                while j < hi and data[j] & 0xC0 == 0x80:
                    b = np.int8(data[j])
                    h = np.uint32((h ^ np.uint32(np.int32(b))) * np.uint32(16777619))
                    j += 1
                if n >= minn and not (n == 1 and (i == lo or j == hi)):
                    if not count_only:
                        out[k] = np.int64(h % np.uint32(bucket))
                    k += 1
                    c += 1
                n += 1
        counts[w] = c
    return counts


_COMPILED: list = []


def _compiled_table():  # noqa: ANN202 - a Numba dispatcher
    """:func:`_table` compiled (Numba is imported only when n-grams are first needed, so
    loading plain vectors does not pay for it)."""
    if not _COMPILED:
        from numba import njit

        _COMPILED.append(njit(cache=True, nogil=True)(_table))
    return _COMPILED[0]


def ngram_table(words: Sequence[str], minn: int, maxn: int,
                bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, rows)``: word ``i``'s n-gram buckets are ``rows[indptr[i]:indptr[i+1]]``.

    ``indptr`` is int64 of length ``len(words) + 1``; ``rows`` int64 in
    ``0..bucket-1``. With ``maxn == 0`` or ``bucket == 0`` every word has none.
    """
    n = len(words)
    if bucket <= 0 or maxn <= 0 or n == 0:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int64)
    # fastText never splits its end-of-line token "</s>" into n-grams (gensim does)
    encoded = [(BOW + w + EOW).encode("utf-8") if w != EOS_TOKEN else b"" for w in words]
    offs = np.zeros(n + 1, np.int64)
    np.cumsum([len(b) for b in encoded], out=offs[1:])
    data = np.frombuffer(b"".join(encoded), np.uint8)
    table = _compiled_table()
    dummy = np.zeros(0, np.int64)
    counts = table(data, offs, int(minn), int(maxn), int(bucket), dummy, True)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    rows = np.empty(int(indptr[-1]), np.int64)
    table(data, offs, int(minn), int(maxn), int(bucket), rows, False)
    return indptr, rows


def input_rows(words: Sequence[str], min_n: int, max_n: int,
               bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, rows)`` into fastText's ``(V + bucket, D)`` input matrix: word ``i``'s
    rows are ``rows[indptr[i]:indptr[i+1]]`` -- its own row ``i``, then ``V + h`` for
    each of its n-gram buckets ``h`` (fastText's ``getSubwords``)."""
    v = len(words)
    nptr, hashes = ngram_table(words, min_n, max_n, bucket)
    full = np.zeros(v + 1, np.int64)
    np.cumsum(np.diff(nptr) + 1, out=full[1:])
    rows = np.empty(int(full[-1]), np.int32)
    rows[full[:-1]] = np.arange(v, dtype=np.int32)
    word_of = np.repeat(np.arange(v), np.diff(nptr))
    pos = np.arange(hashes.size) - nptr[word_of] + full[word_of] + 1
    rows[pos] = (hashes + v).astype(np.int32)
    return full, rows


def compose(matrix: np.ndarray, indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per word, the mean of its rows of ``matrix`` (fastText's ``getWordVector``)."""
    v = len(indptr) - 1
    out = np.empty((v, matrix.shape[1]), np.float32)
    step = 4096  # words per block: bounded temporary memory
    for a in range(0, v, step):
        b = min(v, a + step)
        lo, hi = int(indptr[a]), int(indptr[b])
        sums = np.add.reduceat(matrix[rows[lo:hi]], indptr[a:b] - lo, axis=0)
        out[a:b] = sums / np.diff(indptr[a:b + 1])[:, None].astype(np.float32)
    return out
