"""PPMI-SVD: the count-based estimator (Levy, Goldberg & Dagan 2015).

:class:`PPMISVD` counts co-occurrences, weights them by positive PMI and keeps
the top singular vectors (the steps are in :mod:`wordvec.train.cooccurrence`,
where the choices and their measured effects are described); :class:`SVDConfig`
holds its settings, declared in :mod:`wordvec.settings`.

Example:
    >>> from wordvec.train.ppmi_svd import PPMISVD
    >>> sents = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "ran"]] * 20
    >>> model = PPMISVD(vector_size=2, window=1, min_count=1, sample=0).fit(sents)
    >>> model.cooc.shape, model.wv.vectors.shape
    ((6, 6), (6, 2))
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from wordvec.errors import ConfigError, VocabError
from wordvec.settings import SETTINGS, estimator_arguments, validate_fields
from wordvec.train.cooccurrence import (
    BOS,
    EOS,
    cooccurrence,
    load_counts,
    ppmi,
    save_counts,
    svd_vectors,
    truncated_svd,
)

logger = logging.getLogger("wordvec")

__all__ = ["PPMISVD", "CountVectors", "SVDConfig"]


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

    vector_size: int = SETTINGS["vector_size"].field()
    window: int = SETTINGS["window"].field()
    min_count: int = SETTINGS["min_count"].field()
    max_final_vocab: int | None = SETTINGS["max_final_vocab"].field()
    max_vocab_size: int | None = SETTINGS["max_vocab_size"].field()
    weighting: str = SETTINGS["weighting"].field()
    boundaries: bool = SETTINGS["boundaries"].field()
    sample: float = SETTINGS["sample"].field()
    cds_alpha: float = SETTINGS["cds_alpha"].field()
    shift: float = SETTINGS["shift"].field()
    eig: float = SETTINGS["eig"].field()
    add_context: bool = SETTINGS["add_context"].field()
    solver: str = SETTINGS["solver"].field()
    n_iter: int = SETTINGS["n_iter"].field()
    oversample: int = SETTINGS["oversample"].field()
    seed: int = SETTINGS["seed"].field()
    chunk_tokens: int = SETTINGS["chunk_tokens"].field()

    def __post_init__(self) -> None:
        validate_fields(self)  # each field's check lives in wordvec.settings


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
        config, corpus = estimator_arguments(SVDConfig, config, sentences, corpus_file, kwargs)
        self.config: SVDConfig = config  # SVDConfig checks itself when built

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
        tmp_dir: str | os.PathLike | None = None,
        cache: str | os.PathLike | None = None,
    ) -> PPMISVD:
        """Count co-occurrences in ``source``, then build the vectors; return ``self``.

        ``source`` is an :class:`~wordvec.text.encoded.EncodedCorpus` (used as is,
        ``min_count`` ignored), or anything :func:`wordvec.text.encoded.encode_corpus`
        reads: a file, a folder, compressed files, a list of token lists
        (``tokenizer``, ``workdir``, ``tmp_dir`` and ``cache`` -- a folder of encoded
        corpora, see :mod:`wordvec.text.cache` -- are passed on to it).
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
                                tokenizer=tokenizer, workdir=workdir, tmp_dir=tmp_dir,
                                cache=cache)
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
