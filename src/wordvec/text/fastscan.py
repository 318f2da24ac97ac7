"""Compiled helpers for reading a corpus once: hash raw tokens, then map them to ids.

Reading a large corpus with Python's ``str.split`` and a dict costs ~1 s per
million words; these Numba kernels do the same work on raw bytes in a single
pass at hundreds of MB/s.

The scan splits bytes at ASCII whitespace into *raw tokens*, gives each
distinct raw token an id in first-seen order (an open-addressing hash table
over a byte arena) and writes the stream of raw ids, with ``-1`` after every
line. The Python side then tokenises each *distinct* raw token once with the
real tokenizer (which never matches across whitespace) and the expansion
kernel turns the raw stream into word ids, sentence by sentence.
"""

from __future__ import annotations

import numpy as np
from numba import njit

FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)
NEWLINE = -1


@njit(cache=True, nogil=True)
def _is_space(b: int) -> bool:
    return b == 32 or b == 10 or b == 9 or b == 13 or b == 11 or b == 12


@njit(cache=True, nogil=True)
def _hash(buf: np.ndarray, start: int, end: int) -> np.uint64:
    h = np.uint64(14695981039346656037)
    for i in range(start, end):
        h = (h ^ np.uint64(buf[i])) * np.uint64(1099511628211)
    return h


@njit(cache=True, nogil=True)
def rehash(table: np.ndarray, hashes: np.ndarray, n_tokens: int) -> None:
    """Refill an (empty, ``-1``) table with the first ``n_tokens`` token ids."""
    mask = np.uint64(len(table) - 1)
    for t in range(n_tokens):
        slot = hashes[t] & mask
        while table[slot] != -1:
            slot = (slot + np.uint64(1)) & mask
        table[slot] = t


@njit(cache=True, nogil=True, inline="always")
def _find_or_add(table: np.ndarray, hashes: np.ndarray, starts: np.ndarray,
                 lengths: np.ndarray, counts: np.ndarray, arena: np.ndarray, mask: np.uint64,
                 n_tokens: int, used: int, src: np.ndarray, start: int, ln: int,
                 h: np.uint64) -> tuple:
    """The id of token ``src[start:start+ln]`` (hash ``h``) in the open-addressing
    table, adding it (to the arena, newline-terminated) if new.

    Returns ``(id, n_tokens, used)``; the last two grow when the token is new.
    """
    slot = h & mask
    while True:
        t = table[slot]
        if t == -1:
            t = n_tokens
            table[slot] = t
            hashes[t] = h
            starts[t] = used
            lengths[t] = ln
            counts[t] = 0
            for q in range(ln):
                arena[used + q] = src[start + q]
            arena[used + ln] = 10  # newline after each token: arena splits into lines
            return t, n_tokens + 1, used + ln + 1
        if hashes[t] == h and lengths[t] == ln:
            s = starts[t]
            same = True
            for q in range(ln):
                if arena[s + q] != src[start + q]:
                    same = False
                    break
            if same:
                return t, n_tokens, used
        slot = (slot + np.uint64(1)) & mask


@njit(cache=True, nogil=True)
def scan_chunk(
    buf: np.ndarray,
    n: int,
    final: bool,
    table: np.ndarray,
    hashes: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    counts: np.ndarray,
    arena: np.ndarray,
    state: np.ndarray,
    out: np.ndarray,
) -> tuple[int, int]:
    """Scan ``buf[:n]``; return (bytes consumed, raw ids written to ``out``).

    ``state`` holds ``[n_tokens, arena_used]`` and is updated in place. When
    ``final`` is false, the scan stops after the last whitespace byte so a
    token cut by the chunk end is left for the next call. The caller
    guarantees room for ``n // 2 + 2`` new tokens and ``n + n // 2 + 2`` arena bytes.
    """
    mask = np.uint64(len(table) - 1)
    n_tokens = state[0]
    used = state[1]
    limit = n
    if not final:
        limit = 0
        for i in range(n - 1, -1, -1):
            if _is_space(buf[i]):
                limit = i + 1
                break
    k = 0
    i = 0
    while i < limit:
        b = buf[i]
        if _is_space(b):
            if b == 10:
                out[k] = -1
                k += 1
            i += 1
            continue
        j = i
        while j < limit and not _is_space(buf[j]):
            j += 1
        h = _hash(buf, i, j)
        t, n_tokens, used = _find_or_add(table, hashes, starts, lengths, counts, arena, mask,
                                         n_tokens, used, buf, i, j - i, h)
        counts[t] += 1
        out[k] = t
        k += 1
        i = j
    state[0] = n_tokens
    state[1] = used
    return limit, k


@njit(cache=True, nogil=True)
def expand_chunk(
    raw: np.ndarray,
    map_ptr: np.ndarray,
    map_ids: np.ndarray,
    max_len: int,
    out: np.ndarray,
    offsets: np.ndarray,
    state: np.ndarray,
) -> tuple[int, int]:
    """Map raw ids to word ids, cutting sentences at lines and at ``max_len`` tokens.

    ``state`` = ``[tokens written so far, tokens in the current sentence
    (in or out of vocabulary), start of the current sentence]``, updated in
    place. Returns (ids written to ``out``, sentence ends written to
    ``offsets``); an offset is the global position where a non-empty
    sentence ends.
    """
    written = state[0]
    in_sentence = state[1]
    sent_start = state[2]
    k = 0
    m = 0
    for r in raw:
        if r < 0:
            if written + k > sent_start:
                offsets[m] = written + k
                m += 1
                sent_start = written + k
            in_sentence = 0
            continue
        for p in range(map_ptr[r], map_ptr[r + 1]):
            wid = map_ids[p]
            if wid >= 0:
                out[k] = wid
                k += 1
            in_sentence += 1
            if in_sentence == max_len:
                if written + k > sent_start:
                    offsets[m] = written + k
                    m += 1
                    sent_start = written + k
                in_sentence = 0
    state[0] = written + k
    state[1] = in_sentence
    state[2] = sent_start
    return k, m


@njit(cache=True, nogil=True)
def count_expanded(raw_counts: np.ndarray, map_ptr: np.ndarray, map_ids: np.ndarray) -> int:
    """Exact number of in-vocabulary tokens the expansion will write."""
    total = 0
    for r in range(len(raw_counts)):
        for p in range(map_ptr[r], map_ptr[r + 1]):
            if map_ids[p] >= 0:
                total += raw_counts[r]
    return total


@njit(cache=True, nogil=True)
def merge_tokens(
    table: np.ndarray,
    hashes: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    counts: np.ndarray,
    arena: np.ndarray,
    state: np.ndarray,
    b_hashes: np.ndarray,
    b_starts: np.ndarray,
    b_lengths: np.ndarray,
    b_counts: np.ndarray,
    b_arena: np.ndarray,
    n_b: int,
    mapping: np.ndarray,
) -> None:
    """Add the ``n_b`` tokens of scan B (in B's first-seen order) to scan A.

    A token new to A gets the next id, so ids stay in first-seen order of
    the text A then B; counts add up. ``mapping[t]`` receives A's id of B's
    token ``t``. The caller guarantees room in A for ``n_b`` more tokens
    (arena bytes included) and a table at least twice that full.
    """
    mask = np.uint64(len(table) - 1)
    n_tokens = state[0]
    used = state[1]
    for tb in range(n_b):
        h = b_hashes[tb]
        ln = b_lengths[tb]
        sb = b_starts[tb]
        t, n_tokens, used = _find_or_add(table, hashes, starts, lengths, counts, arena, mask,
                                         n_tokens, used, b_arena, sb, ln, h)
        counts[t] += b_counts[tb]
        mapping[tb] = t
    state[0] = n_tokens
    state[1] = used
