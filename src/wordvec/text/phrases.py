"""Multi-word expressions: join "new york" into ``new_york`` before training.

Phrase detection as in word2phrase (Mikolov et al. 2013) and gensim 4's
``Phrases``: count every word and every *candidate*, a word ``a`` followed by a
word ``b`` (with, optionally, connector words such as "of" or "the" between
them), score each candidate, and join those that score above ``threshold``.

Scoring (gensim's names and formulas):

* ``"default"`` (word2phrase): ``(count(ab) - min_count) / (count(a) * count(b)) * N``
  where ``N`` is, as in gensim, the size of the vocabulary counted (distinct
  words plus distinct candidates held), so thresholds carry over from gensim.
* ``"npmi"``: normalised pointwise mutual information
  ``log(p(ab) / (p(a) p(b))) / -log(p(ab))`` with probabilities over all
  tokens of the corpus, in ``[-1, 1]``; candidates seen fewer than
  ``min_count`` times score ``-inf``.

A candidate is a phrase when its score is *above* ``threshold``. Applying a
model to a sentence is greedy, left to right: a phrase, once joined, is not
joined again with the next word. Run several passes (:func:`learn_phrases`
with ``passes=2``, or a second :class:`Phrases` over the output of the first)
to get longer phrases such as ``los_angeles_lakers``.

Connector words (gensim 4's ``connector_words``, for example
:data:`ENGLISH_CONNECTOR_WORDS`) may sit *inside* a phrase
(``bank_of_america``) but never start or end one, and are not counted as words.

Counting is compiled (:mod:`wordvec.text.bigrams`) and runs on the corpus
encoded once as word ids (:func:`wordvec.text.encoded.encode_corpus`), so a
file is tokenised by the fast scanner. Memory is bounded: when more than
``max_vocab_size`` distinct candidates are held, the rarest are dropped as the
word2vec C tool does (those seen once, then at most twice, ...). Word counts
are kept exactly (their number is the corpus vocabulary, which training holds
anyway). Candidates with more than :func:`max_connectors` connectors in a row
between their words are never phrases (15 with the English connector words).
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from wordvec.errors import ConfigError
from wordvec.text import bigrams
from wordvec.text.corpus import (
    DEFAULT_PATTERN,
    MAX_TOKEN_LENGTH,
    Source,
    Tokenizer,
    is_path,
    iter_sentences,
)
from wordvec.text.encoded import EncodedCorpus, encode_corpus
from wordvec.wording import counted

logger = logging.getLogger("wordvec")

__all__ = [
    "ENGLISH_CONNECTOR_WORDS",
    "FrozenPhrases",
    "PhraseTokenizer",
    "PhrasedCorpus",
    "Phrases",
    "learn_phrases",
    "max_connectors",
    "write_phrased",
]

#: Common English words that may join the two halves of a phrase
#: (``bank_of_america``, ``lord_of_the_rings``), as gensim 4 defines them.
ENGLISH_CONNECTOR_WORDS = frozenset(
    "a an the for of with without at from to in on by and or".split())

SCORINGS = ("default", "npmi")

_FIRST_TABLE = 1 << 16  # slots of the candidate table at first; it doubles as needed
_LOAD = 0.7  # fill at most this share of the table's slots, as the C tool does


class PhraseTokenizer(Tokenizer):
    """The default tokenizer, except that words joined by ``delimiter`` stay one token.

    The default one splits ``new_york`` at the underscore; phrased text is read
    with this one (by :class:`Phrases` and :func:`learn_phrases` for files, and
    by ``wordvec train --phrases``), so that a phrased file can be read again.

    Example:
        >>> PhraseTokenizer()("New_York's mayor, _not_ 'new_'")
        ["new_york's", 'mayor', 'not', 'new']
    """

    def __init__(self, delimiter: str = "_", lowercase: bool = True, normalize: bool = True,
                 max_token_length: int | None = MAX_TOKEN_LENGTH) -> None:
        if not delimiter or any(c.isspace() for c in delimiter):
            raise ConfigError(f"the phrase delimiter must be a non-empty string without "
                              f"spaces, got {delimiter!r}")
        pattern = f"{DEFAULT_PATTERN}(?:{re.escape(delimiter)}{DEFAULT_PATTERN})*"
        super().__init__(lowercase, pattern, normalize, max_token_length)
        self.delimiter = delimiter

    @property
    def is_default_pattern(self) -> bool:
        """True: like the default pattern, a token never spans whitespace, so files are
        read by the compiled scanner (which relies on that alone)."""
        return True

    @property
    def is_default(self) -> bool:
        return False

    def __repr__(self) -> str:
        return (f"PhraseTokenizer(delimiter={self.delimiter!r}, lowercase={self.lowercase!r}, "
                f"normalize={self.normalize!r}, max_token_length={self.max_token_length!r})")


def _reader(tokenizer: Callable[[str], list[str]] | None, delimiter: str
            ) -> Callable[[str], list[str]]:
    return tokenizer if tokenizer is not None else PhraseTokenizer(delimiter)


def check_settings(min_count: int, threshold: float, scoring: str,
                   max_vocab_size: int = 1, passes: int = 1) -> None:
    """Refuse settings that cannot detect phrases, with what to give instead."""
    if scoring not in SCORINGS:
        raise ConfigError(f"scoring must be 'default' or 'npmi', got {scoring!r}")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) \
            or min_count < 1:
        raise ConfigError(f"min_count must be an integer of at least 1, got {min_count!r}")
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise ConfigError(f"threshold must be a number, got {threshold!r}") from None
    if math.isnan(threshold):
        raise ConfigError("threshold must be a number, got nan")
    if scoring == "default" and threshold <= 0:
        raise ConfigError(f"threshold must be > 0 with the default scoring, got {threshold:g} "
                          "(word2phrase uses 100, gensim 10)")
    if scoring == "npmi" and not -1 < threshold <= 1:
        raise ConfigError(f"threshold must be in (-1, 1] with scoring='npmi', got "
                          f"{threshold:g} (try 0.5)")
    if max_vocab_size < 1:
        raise ConfigError(f"max_vocab_size must be at least 1, got {max_vocab_size}")
    if passes < 1:
        raise ConfigError(f"passes must be at least 1, got {passes}")


def max_connectors(n_connector_words: int) -> int:
    """The longest run of connectors a candidate may hold, for this many connector words."""
    base = n_connector_words + 1
    if base == 1:
        return 1 << 30  # no connector words: runs are always empty
    n = 0
    while base ** (n + 1) < 2 ** 63:
        n += 1
    return n


class _Table:
    """The counted candidates: parallel arrays (key, mid, count), no free slots."""

    def __init__(self, keys: np.ndarray, mids: np.ndarray, counts: np.ndarray) -> None:
        self.keys, self.mids, self.counts = keys, mids, counts


def _count(ids: np.ndarray, offsets: np.ndarray, conn: np.ndarray, base: int, max_mid: int,
           max_vocab_size: int) -> tuple[_Table, int]:
    """Count the candidates of an encoded corpus; return them and the final ``min_reduce``."""
    ends = np.zeros(len(ids), dtype=np.bool_)
    lasts = np.asarray(offsets[1:], dtype=np.int64) - 1
    ends[lasts[lasts >= 0]] = True
    # distinct candidates are about a quarter of the tokens in English text: start
    # near there rather than growing (and rehashing) many times
    expect = min(len(ids) // 4, max_vocab_size)
    size = max(_FIRST_TABLE, 1 << int(expect / _LOAD).bit_length())
    table = np.zeros((size, 3), np.int64)  # rows [key, mid, count]
    state = np.array([0, 0, -1, 0, 0], np.int64)
    min_reduce = 1
    while True:
        limit = min(int(size * _LOAD), max_vocab_size)
        if bigrams.count_candidates(ids, ends, conn, base, max_mid, table, state, limit):
            break
        if limit < max_vocab_size:  # the table is full, not the bound: grow it
            size *= 2
            min_keep = 1
        else:  # the bound: drop the rarest, as ReduceVocab of word2phrase.c
            min_keep = min_reduce + 1
            min_reduce += 1
        new = np.zeros((size, 3), np.int64)
        n = bigrams.insert_all(table, new, min_keep)
        if min_keep > 1:
            logger.debug("phrases: %s held, dropped those seen under %d times: %d left",
                         counted(int(state[0]), "candidate"), min_keep, n)
        table = new
        state[bigrams.N_ENTRIES] = n
    held = table[table[:, 2] > 0]
    return _Table(held[:, 0].copy(), held[:, 1].copy(), held[:, 2].copy()), min_reduce


class _PhraseApplier:
    """What applying a phrase model needs: the phrase scores and the settings."""

    threshold: float
    delimiter: str
    connector_words: frozenset[str]

    def _phrase_scores(self) -> dict[str, float]:
        raise NotImplementedError

    def analyze_sentence(self, sentence: Sequence[str]) -> Iterator[tuple[str, float | None]]:
        """Yield ``(token, score)`` for a sentence: joined phrases with their score,
        other words with ``None`` (gensim's ``analyze_sentence``)."""
        scores = self._phrase_scores()
        conn = self.connector_words
        join = self.delimiter.join
        start: str | None = None
        between: list[str] = []
        for word in sentence:
            if word not in conn:
                if start is not None:
                    phrase = join([start, *between, word])
                    score = scores.get(phrase)
                    if score is not None:
                        yield phrase, score
                        start, between = None, []
                        continue
                    yield start, None
                    for w in between:
                        yield w, None
                start, between = word, []
            elif start is not None:
                between.append(word)
            else:
                yield word, None
        if start is not None:
            yield start, None
            for w in between:
                yield w, None

    def __getitem__(self, sentence: object) -> object:
        """``model[sentence]``: the sentence (a list of tokens) with its phrases joined;
        ``model[corpus]``: an iterable over the phrased sentences of ``corpus``
        (an iterable of sentences, or a path read with :class:`PhraseTokenizer`)."""
        if isinstance(sentence, (list, tuple)) and (not sentence or isinstance(sentence[0], str)):
            return [token for token, _ in self.analyze_sentence(sentence)]
        return _Phrased(self, sentence)  # type: ignore[arg-type]


class _Phrased:
    """Phrased sentences of a corpus, read lazily (again on every iteration)."""

    def __init__(self, model: _PhraseApplier, corpus: Source) -> None:
        self.model = model
        self.corpus = corpus

    def __iter__(self) -> Iterator[list[str]]:
        source = (iter_sentences(self.corpus, PhraseTokenizer(self.model.delimiter))
                  if is_path(self.corpus) else self.corpus)
        for sentence in source:  # type: ignore[union-attr]
            yield self.model[sentence]  # type: ignore[misc]


class Phrases(_PhraseApplier):
    """Detect phrases in a corpus (gensim 4's ``Phrases``, same names and scores).

    Args:
        sentences: an iterable of token lists, or a path (a file or a folder, read
            with ``tokenizer``, by default :class:`PhraseTokenizer`).
        min_count: subtracted from each candidate's count in the default score; with
            ``npmi``, candidates seen fewer times score ``-inf``.
        threshold: a candidate scoring above it is a phrase (gensim's default 10;
            word2phrase's 100; for ``npmi`` in (-1, 1]).
        max_vocab_size: hold at most this many distinct candidates; beyond, the
            rarest are dropped (word2vec C tool's pruning).
        delimiter: joins the words of a phrase.
        scoring: ``"default"`` or ``"npmi"`` (see the module text).
        connector_words: words that may sit inside a phrase, never at its ends.
        tokenizer: tokenises files and strings (default: :class:`PhraseTokenizer`, the
            default tokenizer keeping ``new_york`` whole).

    Example:
        >>> ph = Phrases([["new", "york", "is", "big"]] * 3 + [["new", "car"], ["york"]],
        ...              min_count=1, threshold=1)
        >>> ph[["i", "like", "new", "york"]]
        ['i', 'like', 'new_york']
    """

    def __init__(self, sentences: Source | None = None, min_count: int = 5,
                 threshold: float = 10.0, max_vocab_size: int = 40_000_000,
                 delimiter: str = "_", scoring: str = "default",
                 connector_words: Iterable[str] = frozenset(),
                 tokenizer: Callable[[str], list[str]] | None = None) -> None:
        check_settings(min_count, threshold, scoring, max_vocab_size)
        if sentences is None:
            raise ConfigError("give the sentences to learn phrases from: Phrases(sentences)")
        self.min_count = int(min_count)
        self.threshold = float(threshold)
        self.max_vocab_size = int(max_vocab_size)
        self.delimiter = delimiter
        self.scoring = scoring
        self.connector_words = frozenset(connector_words)
        enc = encode_corpus(sentences, min_count=1, tokenizer=_reader(tokenizer, delimiter))
        self._learn(np.asarray(enc.ids, np.int32), np.asarray(enc.offsets, np.int64),
                    list(enc.vocab.words),
                    np.asarray(enc.vocab.counts, np.int64))

    @classmethod
    def _from_ids(cls, ids: np.ndarray, offsets: np.ndarray, words: list[str],
                  counts: np.ndarray, **settings: object) -> Phrases:
        self = cls.__new__(cls)
        for name in ("min_count", "threshold", "max_vocab_size", "delimiter", "scoring"):
            setattr(self, name, settings[name])
        self.connector_words = frozenset(settings["connector_words"])  # type: ignore[arg-type]
        self._learn(ids, offsets, words, counts)
        return self

    def _learn(self, ids: np.ndarray, offsets: np.ndarray, words: list[str],
               counts: np.ndarray) -> None:
        self._words = words
        self._word_counts = counts
        self._connectors = sorted(w for w in self.connector_words)
        rank = {w: i + 1 for i, w in enumerate(self._connectors)}
        self._conn = np.array([rank.get(w, 0) for w in words], dtype=np.int64)
        self._base = len(self._connectors) + 1
        self._max_mid = max_connectors(len(self._connectors))
        self.corpus_word_count = int(len(ids))
        self._table, self.min_reduce = _count(ids, offsets, self._conn, self._base,
                                              self._max_mid, self.max_vocab_size)
        self._scores: np.ndarray | None = None
        self._exported: dict[str, float] | None = None
        logger.info("phrases: counted %s and %s in %s",
                    counted(int(np.count_nonzero((counts > 0) & (self._conn == 0))), "word"),
                    counted(len(self._table.counts), "candidate"),
                    counted(self.corpus_word_count, "token"))

    # --- scores -------------------------------------------------------------------------

    @property
    def n_candidates(self) -> int:
        """Distinct candidates held (at most ``max_vocab_size``)."""
        return len(self._table.counts)

    @property
    def len_vocab(self) -> int:
        """Distinct words (connectors excepted) plus distinct candidates held: the ``N``
        of the default score, as gensim's ``len(vocab)``."""
        words = int(np.count_nonzero((self._word_counts > 0) & (self._conn == 0)))
        return words + len(self._table.counts)

    def scores(self) -> np.ndarray:
        """The score of every candidate held (float64, aligned with the table)."""
        if self._scores is None:
            t = self._table
            a = t.keys >> 32
            b = t.keys & 0xFFFFFFFF
            ca = self._word_counts[a]
            cb = self._word_counts[b]
            cab = t.counts
            if self.scoring == "default":
                with np.errstate(divide="ignore", invalid="ignore"):
                    s = (cab - self.min_count) / (ca * cb).astype(np.float64) * self.len_vocab
            else:
                n = float(self.corpus_word_count)
                with np.errstate(divide="ignore", invalid="ignore"):
                    pa, pb, pab = ca / n, cb / n, cab / n
                    s = np.log(pab / (pa * pb)) / -np.log(pab)
                s = np.where(cab >= self.min_count, s, -np.inf)
            self._scores = np.nan_to_num(s, nan=-np.inf)
        return self._scores

    def _phrase_text(self, j: int) -> str:
        t = self._table
        key, mid = int(t.keys[j]), int(t.mids[j])
        between: list[str] = []
        while mid:
            mid, r = divmod(mid, self._base)
            between.append(self._connectors[r - 1])
        return self.delimiter.join(
            [self._words[key >> 32], *reversed(between), self._words[key & 0xFFFFFFFF]])

    def _phrase_rows(self) -> np.ndarray:
        """Rows of the table that are phrases, best score first."""
        s = self.scores()
        rows = np.flatnonzero(s > self.threshold)
        return rows[np.argsort(-s[rows], kind="stable")]

    def export_phrases(self) -> dict[str, float]:
        """Every phrase found (score above ``threshold``) with its score, best first."""
        if self._exported is None:
            s = self.scores()
            self._exported = {self._phrase_text(j): float(s[j]) for j in self._phrase_rows()}
        return dict(self._exported)

    def _phrase_scores(self) -> dict[str, float]:
        if self._exported is None:
            self.export_phrases()
        return self._exported  # type: ignore[return-value]

    @property
    def vocab(self) -> dict[str, int]:
        """Counts of the words (connectors excepted) and of the candidates held, by text."""
        out = {w: int(c) for w, c, r in zip(self._words, self._word_counts, self._conn,
                                            strict=True) if c > 0 and r == 0}
        for j, c in enumerate(self._table.counts):
            out[self._phrase_text(j)] = int(c)
        return out

    def freeze(self) -> FrozenPhrases:
        """A smaller, faster model that only applies the phrases found."""
        return FrozenPhrases(self)

    # --- applying to the encoded corpus (the fast path of learn_phrases) ---------------

    def _merge(self, ids: np.ndarray, offsets: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
        rows = self._phrase_rows()
        t = self._table
        size = 1 << max(4, int(len(rows) / _LOAD).bit_length())
        tk = np.zeros(size, np.int64)
        tm = np.zeros(size, np.int64)
        tv = np.full(size, -1, np.int64)
        values = np.arange(len(self._words), len(self._words) + len(rows), dtype=np.int64)
        bigrams.build_lookup(t.keys[rows], t.mids[rows], values, tk, tm, tv)
        out = np.empty(len(ids), np.int32)
        out_offsets = np.empty(len(offsets), np.int64)
        n = bigrams.merge_phrases(ids, offsets, self._conn, self._base, self._max_mid,
                                  tk, tm, tv, out, out_offsets)
        words = self._words + [self._phrase_text(j) for j in rows]
        out = out[:n]
        counts = np.bincount(out, minlength=len(words)).astype(np.int64)
        return out, out_offsets, words, counts

    def __repr__(self) -> str:
        return (f"Phrases<{len(self._table.counts)} candidates, min_count={self.min_count}, "
                f"threshold={self.threshold:g}, scoring={self.scoring!r}>")


class FrozenPhrases(_PhraseApplier):
    """The phrases of a :class:`Phrases` model and their scores, for applying only.

    ``phrasegrams`` maps each phrase (``"new_york"``) to its score.
    """

    def __init__(self, phrases_model: Phrases) -> None:
        self.threshold = phrases_model.threshold
        self.min_count = phrases_model.min_count
        self.delimiter = phrases_model.delimiter
        self.scoring = phrases_model.scoring
        self.connector_words = phrases_model.connector_words
        self.phrasegrams: dict[str, float] = phrases_model.export_phrases()

    def _phrase_scores(self) -> dict[str, float]:
        # phrasegrams may be edited and threshold raised: rebuild on a change
        key = (self.threshold, id(self.phrasegrams), len(self.phrasegrams))
        if getattr(self, "_cache_key", None) != key:
            self._cache = {p: s for p, s in self.phrasegrams.items() if s > self.threshold}
            self._cache_key = key
        return self._cache

    def export_phrases(self) -> dict[str, float]:
        """The phrases and their scores (a copy of ``phrasegrams``)."""
        return dict(self.phrasegrams)

    def __repr__(self) -> str:
        return (f"FrozenPhrases<{len(self.phrasegrams)} phrases, "
                f"threshold={self.threshold:g}, scoring={self.scoring!r}>")


class PhrasedCorpus:
    """A corpus with its phrases joined, held as word ids (see :func:`learn_phrases`).

    Attributes:
        ids, offsets: the phrased corpus; sentence ``i`` is ``ids[offsets[i]:offsets[i+1]]``.
        words: the text of each id (words, then the phrases of each pass).
        models: the :class:`FrozenPhrases` of each pass, in order.
    """

    def __init__(self, ids: np.ndarray, offsets: np.ndarray, words: list[str],
                 models: list[FrozenPhrases]) -> None:
        self.ids, self.offsets, self.words, self.models = ids, offsets, words, models

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __iter__(self) -> Iterator[list[str]]:
        word = self.words.__getitem__
        for s in range(len(self)):
            yield list(map(word, self.ids[self.offsets[s]:self.offsets[s + 1]].tolist()))

    def write(self, path: str | os.PathLike) -> Path:
        """Write one sentence a line, tokens separated by spaces; atomically."""
        from wordvec.outputs import atomic_write

        path = Path(path)
        word = self.words.__getitem__
        with atomic_write(path, "w") as f:
            for s in range(len(self)):
                f.write(" ".join(map(word, self.ids[self.offsets[s]:self.offsets[s + 1]].tolist())))
                f.write("\n")
        return path


def learn_phrases(source: Source | EncodedCorpus, passes: int = 1, min_count: int = 5,
                  threshold: float = 10.0, max_vocab_size: int = 40_000_000,
                  delimiter: str = "_", scoring: str = "default",
                  connector_words: Iterable[str] = frozenset(),
                  tokenizer: Callable[[str], list[str]] | None = None) -> PhrasedCorpus:
    """Learn phrases in ``passes`` passes and join them; the fast path for big corpora.

    The corpus is read and encoded once; each pass counts on the word ids of the
    previous pass's output (so pass 2 can join ``los_angeles`` and ``lakers``), as
    running :class:`Phrases` on the output of the previous model would. ``source``
    may also be an :class:`~wordvec.text.encoded.EncodedCorpus` encoded with
    ``min_count=1`` (words it dropped are simply absent).
    """
    check_settings(min_count, threshold, scoring, max_vocab_size, passes)
    enc = source if isinstance(source, EncodedCorpus) else encode_corpus(
        source, min_count=1, tokenizer=_reader(tokenizer, delimiter))
    ids = np.asarray(enc.ids, dtype=np.int32)
    offsets = np.asarray(enc.offsets, dtype=np.int64)
    words = list(enc.vocab.words)
    counts = np.asarray(enc.vocab.counts, np.int64)
    settings = {"min_count": int(min_count), "threshold": float(threshold),
                "max_vocab_size": int(max_vocab_size), "delimiter": delimiter,
                "scoring": scoring, "connector_words": frozenset(connector_words)}
    models = []
    for p in range(passes):
        model = Phrases._from_ids(ids, offsets, words, counts, **settings)
        ids, offsets, words, counts = model._merge(ids, offsets)
        frozen = model.freeze()
        models.append(frozen)
        logger.info("phrases: pass %d joined %s", p + 1, counted(len(frozen.phrasegrams),
                                                                 "phrase"))
    return PhrasedCorpus(ids, offsets, words, models)


def write_phrased(source: Source, output: str | os.PathLike, passes: int = 1,
                  **settings: object) -> PhrasedCorpus:
    """Learn phrases in ``source`` (see :func:`learn_phrases`) and write the phrased
    corpus to ``output``, one sentence a line."""
    phrased = learn_phrases(source, passes, **settings)  # type: ignore[arg-type]
    phrased.write(output)
    return phrased
