"""Compiled kernels of phrase detection: count phrase candidates, then merge phrases.

A *candidate* is what gensim 4's ``Phrases`` counts: a word ``a``, any run of
connector words, then a word ``b`` (``a`` and ``b`` are not connectors). It is
keyed by ``(a << 32) | b`` plus ``mid``, the run of connectors written as a
number in base ``len(connectors) + 1`` (0: no connector in between), so keys
are two int64 and no string is built while counting.

The table is open-addressed (linear probing, power-of-two size), one row
``[key, mid, count]`` per slot so that a probe touches one cache line; a slot
is free when its count is 0. Counting stops and returns when the table holds
``limit`` entries, so the caller can grow it or prune it (the word2vec C tool's
rule: drop the entries seen at most ``min_reduce`` times, then raise
``min_reduce``) and call again: the resume point is kept in ``state``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# state layout of count_candidates: entries held, next token, then the
# candidate in progress (start word or -1, connector number, connectors seen)
N_ENTRIES, POS, START, MID, MID_LEN = range(5)


@njit(cache=True, nogil=True)
def _slot(key: np.int64, mid: np.int64, mask: np.int64) -> np.int64:
    # splitmix64's finaliser: every bit of both words reaches the low bits used
    z = np.uint64(key) ^ (np.uint64(mid) * np.uint64(0x9E3779B97F4A7C15))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return np.int64(z & np.uint64(mask))


@njit(cache=True, nogil=True)
def count_candidates(ids: np.ndarray, sentence_ends: np.ndarray, conn: np.ndarray,
                     base: int, max_mid: int, table: np.ndarray, state: np.ndarray,
                     limit: int) -> bool:
    """Count candidates from token ``state[POS]`` on; True when the corpus is done.

    ``sentence_ends`` is a bool array, True at the last token of each sentence.
    ``conn[w]`` is 0 for an ordinary word and the connector's number (1..) else;
    a run of more than ``max_mid`` connectors makes no candidate.
    """
    mask = np.int64(len(table) - 1)
    n = state[N_ENTRIES]
    start = state[START]
    mid = state[MID]
    mid_len = state[MID_LEN]
    n_ids = len(ids)
    i = state[POS]
    while i < n_ids:
        w = np.int64(ids[i])
        r = conn[w]
        if r == 0:
            if start >= 0 and mid_len <= max_mid:
                key = (start << 32) | w
                slot = _slot(key, mid, mask)
                while True:
                    if table[slot, 2] == 0:
                        if n >= limit:  # no room: hand back to the caller, resume at i
                            state[N_ENTRIES] = n
                            state[POS] = i
                            state[START] = start
                            state[MID] = mid
                            state[MID_LEN] = mid_len
                            return False
                        table[slot, 0] = key
                        table[slot, 1] = mid
                        table[slot, 2] = 1
                        n += 1
                        break
                    if table[slot, 0] == key and table[slot, 1] == mid:
                        table[slot, 2] += 1
                        break
                    slot = (slot + 1) & mask
            start = w
            mid = 0
            mid_len = 0
        elif start >= 0:
            mid_len += 1
            if mid_len <= max_mid:
                mid = mid * base + r
        if sentence_ends[i]:
            start = -1
            mid = 0
            mid_len = 0
        i += 1
    state[N_ENTRIES] = n
    state[POS] = n_ids
    state[START] = -1
    state[MID] = 0
    state[MID_LEN] = 0
    return True


@njit(cache=True, nogil=True)
def insert_all(table: np.ndarray, new: np.ndarray, min_keep: int) -> int:
    """Put the rows of ``table`` with count >= ``min_keep`` into the empty table ``new``."""
    mask = np.int64(len(new) - 1)
    n = 0
    for j in range(len(table)):
        c = table[j, 2]
        if c == 0 or c < min_keep:
            continue
        slot = _slot(table[j, 0], table[j, 1], mask)
        while new[slot, 2] != 0:
            slot = (slot + 1) & mask
        new[slot, 0] = table[j, 0]
        new[slot, 1] = table[j, 1]
        new[slot, 2] = c
        n += 1
    return n


@njit(cache=True, nogil=True)
def find(keys: np.ndarray, mids: np.ndarray, values: np.ndarray, key: np.int64,
         mid: np.int64) -> np.int64:
    """The value stored for (key, mid) in a table whose free slots hold value -1; else -1."""
    mask = np.int64(len(keys) - 1)
    slot = _slot(key, mid, mask)
    while values[slot] != -1:
        if keys[slot] == key and mids[slot] == mid:
            return values[slot]
        slot = (slot + 1) & mask
    return -1


@njit(cache=True, nogil=True)
def build_lookup(keys: np.ndarray, mids: np.ndarray, values: np.ndarray,
                 t_keys: np.ndarray, t_mids: np.ndarray, t_values: np.ndarray) -> None:
    """Fill the empty table ``t_*`` (values -1) with ``keys[i], mids[i] -> values[i]``."""
    mask = np.int64(len(t_keys) - 1)
    for j in range(len(keys)):
        slot = _slot(keys[j], mids[j], mask)
        while t_values[slot] != -1:
            slot = (slot + 1) & mask
        t_keys[slot] = keys[j]
        t_mids[slot] = mids[j]
        t_values[slot] = values[j]


@njit(cache=True, nogil=True)
def merge_phrases(ids: np.ndarray, offsets: np.ndarray, conn: np.ndarray, base: int,
                  max_mid: int, t_keys: np.ndarray, t_mids: np.ndarray,
                  t_values: np.ndarray, out: np.ndarray, out_offsets: np.ndarray) -> int:
    """Rewrite every sentence with each phrase found merged into its phrase id.

    Left to right and greedy, as gensim 4's ``analyze_sentence``: a word starts
    a candidate; connectors after it are held; the next ordinary word either
    closes a phrase (its id goes out, and the next word starts afresh) or the
    start word and held connectors go out one by one and that word starts the
    next candidate. Connectors with no candidate open go out as they are.
    Returns the number of ids written to ``out``.
    """
    k = 0
    out_offsets[0] = 0
    for s in range(len(offsets) - 1):
        start = -1
        start_pos = 0  # where the candidate begins in ids
        mid = 0
        mid_len = 0
        for i in range(offsets[s], offsets[s + 1]):
            w = np.int64(ids[i])
            r = conn[w]
            if r == 0:
                if start >= 0:
                    pid = np.int64(-1)
                    if mid_len <= max_mid:
                        pid = find(t_keys, t_mids, t_values, (start << 32) | w, mid)
                    if pid >= 0:
                        out[k] = pid
                        k += 1
                        start = -1
                    else:
                        for j in range(start_pos, i):
                            out[k] = ids[j]
                            k += 1
                        start = w
                        start_pos = i
                else:
                    start = w
                    start_pos = i
                mid = 0
                mid_len = 0
            elif start >= 0:
                mid_len += 1
                if mid_len <= max_mid:
                    mid = mid * base + r
            else:
                out[k] = w
                k += 1
        if start >= 0:
            for j in range(start_pos, offsets[s + 1]):
                out[k] = ids[j]
                k += 1
        out_offsets[s + 1] = k
    return k
