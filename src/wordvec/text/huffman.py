"""The Huffman tree of hierarchical softmax, compiled: a million words in well under a second.

The same construction as the word2vec C tool's ``CreateBinaryTree`` (and
``Vocab.huffman`` before it was compiled), step for step, so the codes and
inner nodes are bit-identical: with the leaves sorted by descending count, the
two smallest unused nodes are always at the low end of the leaves (moving
left) or the oldest unused inner node (moving right), and a tie goes to the
inner node. Inner node ``a`` (0-based) is node ``V + a``; the root is inner
node ``V - 2``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_UNUSED = np.iinfo(np.int64).max // 4  # the count of inner nodes not built yet


@njit(cache=True, nogil=True)
def _tree(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(parent, branch) of every node: leaves 0..V-1, then inner nodes V..2V-2."""
    v = counts.shape[0]
    count = np.empty(2 * v - 1, dtype=np.int64)
    count[:v] = counts
    count[v:] = _UNUSED
    parent = np.zeros(2 * v - 1, dtype=np.int64)
    branch = np.zeros(2 * v - 1, dtype=np.uint8)
    pos1 = v - 1
    pos2 = v
    for a in range(v - 1):
        if pos1 >= 0 and count[pos1] < count[pos2]:
            min1 = pos1
            pos1 -= 1
        else:
            min1 = pos2
            pos2 += 1
        if pos1 >= 0 and count[pos1] < count[pos2]:
            min2 = pos1
            pos1 -= 1
        else:
            min2 = pos2
            pos2 += 1
        count[v + a] = count[min1] + count[min2]
        parent[min1] = v + a
        parent[min2] = v + a
        branch[min2] = 1
    return parent, branch


@njit(cache=True, nogil=True)
def _codes(parent: np.ndarray, branch: np.ndarray,
           v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    root = 2 * v - 2
    # a parent always has a higher index than its children: fill depths top-down
    depth = np.zeros(2 * v - 1, dtype=np.int32)
    for node in range(root - 1, -1, -1):
        depth[node] = depth[parent[node]] + 1
    lengths = depth[:v].copy()
    longest = 0
    for w in range(v):
        longest = max(longest, lengths[w])
    codes = np.zeros((v, longest), dtype=np.uint8)
    points = np.zeros((v, longest), dtype=np.int32)
    for w in range(v):
        node = w
        d = lengths[w] - 1
        while d >= 0:  # from the leaf up to the root
            codes[w, d] = branch[node]
            node = parent[node]
            points[w, d] = node - v
            # the path of the previous leaf passes through this node: above it the
            # two paths are the same, so copy that part of its row
            if w > 0 and d < lengths[w - 1] and points[w - 1, d] == node - v:
                codes[w, :d] = codes[w - 1, :d]
                points[w, :d] = points[w - 1, :d]
                break
            d -= 1
    return codes, points, lengths


def huffman_codes(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes, points, lengths)`` of the C tool's Huffman tree over ``counts``.

    ``counts`` should be sorted in descending order (a :class:`~wordvec.text.vocab.Vocab`'s
    are). For word ``w`` and depth ``d < lengths[w]``, ``points[w, d]`` is the
    inner node (0..V-2) on the path from the root and ``codes[w, d]`` the branch
    (0 or 1) taken there; entries past ``lengths[w]`` are 0. Fewer than two
    words give one all-zero column and zero lengths.
    """
    c = np.ascontiguousarray(counts, dtype=np.int64)
    v = c.shape[0]
    if v < 2:
        return (np.zeros((v, 1), np.uint8), np.zeros((v, 1), np.int32), np.zeros(v, np.int32))
    parent, branch = _tree(c)
    return _codes(parent, branch, v)
