"""The vocabulary: which words we learn vectors for, and the tables built on counts.

The tutorials keep two lookup tables, word -> id and id -> word. So do we
(``index`` and ``words``), with words sorted by descending count (ties in the
order they were first seen), so id 0 is the most frequent word. On top of the
counts sit the three tables the word2vec C tool derives from them:

* subsampling keep-probabilities for frequent words (``keep_probs``);
* the unigram^0.75 noise distribution for negative sampling, as an alias table
  for O(1) sampling (``alias_table``);
* the Huffman tree for hierarchical softmax (``huffman``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from wordvec.errors import ConfigError
from wordvec.settings import check

logger = logging.getLogger("wordvec")


class Vocab:
    """Words with their counts, sorted by descending count.

    Build one with :meth:`build` (from sentences) or :meth:`from_counts`.

    Example:
        >>> v = Vocab.build([["a", "b", "a"], ["c", "a", "b"]], min_count=2)
        >>> v.words, v.counts.tolist(), v["b"]
        (['a', 'b'], [3, 2], 1)
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int] | np.ndarray) -> None:
        self.words: list[str] = list(words)
        self.counts: np.ndarray = np.asarray(counts, dtype=np.int64)
        if len(self.words) != len(self.counts):
            raise ValueError("words and counts differ in length")
        self.index: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError("duplicate words in vocabulary")
        self.total: int = int(self.counts.sum())

    # --- construction -------------------------------------------------------------

    @classmethod
    def from_counts(
        cls,
        counts: Mapping[str, int],
        min_count: int = 5,
        max_final_vocab: int | None = None,
    ) -> Vocab:
        """Keep words seen at least ``min_count`` times, most frequent first.

        ``counts`` should iterate in first-seen order (a ``dict`` or ``Counter``
        filled while reading does); ties keep that order. With
        ``max_final_vocab``, ``min_count`` is raised just enough for the
        vocabulary to fit, never splitting a group of equal counts (as gensim).
        """
        check("min_count", min_count)
        if max_final_vocab is not None and max_final_vocab < 1:
            raise ConfigError(f"max_final_vocab must be positive, got {max_final_vocab}")
        kept = [(w, c) for w, c in counts.items() if c >= min_count]
        kept.sort(key=lambda wc: -wc[1])  # stable: ties stay in first-seen order
        if max_final_vocab is not None and len(kept) > max_final_vocab:
            cutoff = kept[max_final_vocab][1]  # count of the first word that does not fit
            kept = [(w, c) for w, c in kept if c > cutoff]
            logger.info(
                "max_final_vocab=%d: raised min_count to %d, %d words kept",
                max_final_vocab, cutoff + 1, len(kept),
            )
        return cls([w for w, _ in kept], [c for _, c in kept])

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        min_count: int = 5,
        max_vocab_size: int | None = None,
        max_final_vocab: int | None = None,
    ) -> Vocab:
        """Count words in ``sentences`` and keep the frequent ones.

        ``max_vocab_size`` bounds memory while counting the way the C tool
        does: whenever more distinct words than that are held, words seen
        fewer than ``min_reduce`` times are dropped and ``min_reduce`` grows.
        """
        counts = count_words(sentences, max_vocab_size)
        return cls.from_counts(counts, min_count, max_final_vocab)

    # --- lookups ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> int:
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(f"word {word!r} not in vocabulary") from None

    def __repr__(self) -> str:
        return f"<Vocab {len(self)} words, {self.total} tokens>"

    # --- tables for training ------------------------------------------------------

    def keep_probs(self, sample: float) -> np.ndarray:
        """Probability of keeping each occurrence of a word when subsampling.

        The C tool keeps word ``w`` with probability
        ``(sqrt(f / t) + 1) * t / f`` where ``f`` is its count and
        ``t = sample * total``; this is capped at 1. ``sample=0`` keeps all.
        """
        if sample < 0:
            raise ConfigError(f"sample must be >= 0, got {sample}")
        if sample == 0 or len(self) == 0:
            return np.ones(len(self), dtype=np.float32)
        f = self.counts.astype(np.float64)
        t = sample * self.total
        p = (np.sqrt(f / t) + 1.0) * t / f
        return np.minimum(p, 1.0).astype(np.float32)

    def noise_probs(self, power: float = 0.75) -> np.ndarray:
        """The negative-sampling noise distribution: counts**power, normalised."""
        w = self.counts.astype(np.float64) ** power
        return w / w.sum()

    def alias_table(self, power: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
        """Walker's alias table for the noise distribution (O(1) per sample).

        Draw ``i`` uniform in ``[0, V)`` and ``u`` uniform in ``[0, 1)``; the
        sample is ``i`` if ``u < prob[i]`` else ``alias[i]``.
        """
        return build_alias_table(self.noise_probs(power))

    def huffman(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Huffman codes for hierarchical softmax, as the C tool builds them.

        Returns ``(codes, points, lengths)``: for word ``w`` and depth
        ``d < lengths[w]``, ``points[w, d]`` is the inner node (0..V-2) on the
        path from the root, and ``codes[w, d]`` the branch (0 or 1) taken there.
        """
        return build_huffman(self.counts)


def count_words(
    sentences: Iterable[Sequence[str]], max_vocab_size: int | None = None
) -> dict[str, int]:
    """Count tokens in first-seen order, pruning rare words if too many are held."""
    check("max_vocab_size", max_vocab_size)
    counts: dict[str, int] = {}
    min_reduce = 1
    get = counts.get
    for sentence in sentences:
        for w in sentence:
            counts[w] = get(w, 0) + 1
        if max_vocab_size is not None and len(counts) > max_vocab_size:
            counts = {w: c for w, c in counts.items() if c > min_reduce}
            get = counts.get
            logger.info("vocabulary pruned to %d words (min_reduce=%d)", len(counts), min_reduce)
            min_reduce += 1
    return counts


def build_alias_table(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias method: split ``probs`` into ``n`` equal-weight two-way choices."""
    n = len(probs)
    if n == 0:
        return np.ones(0, dtype=np.float32), np.zeros(0, dtype=np.int32)
    scaled = np.asarray(probs, dtype=np.float64) * (n / float(np.sum(probs)))
    prob = np.ones(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s = small.pop()
        g = large.pop()
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    # leftovers are 1 up to rounding
    return prob.astype(np.float32), alias


def build_huffman(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build the Huffman tree of the C tool from counts sorted in descending order.

    Compiled (:func:`wordvec.text.huffman.huffman_codes`): a million words take a
    fraction of a second; see there for the layout of the result.
    """
    from wordvec.text.huffman import huffman_codes  # Numba loads only when hs=1 needs it

    return huffman_codes(counts)
