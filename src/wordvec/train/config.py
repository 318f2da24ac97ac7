"""Training settings: :class:`Word2VecConfig` is the one owner of every word2vec setting.

Each hyperparameter has one name (gensim's and the C tool's), one default and
one range check here; the estimators, the engine, checkpoints and the command
line read them from this class and never re-default or re-validate them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from wordvec.errors import ConfigError

__all__ = ["MODELS", "Word2VecConfig", "default_workers"]

#: The two word2vec architectures.
MODELS = ("sg", "cbow")


def default_workers() -> int:
    """Number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Word2VecConfig:
    """Hyperparameters of :class:`Word2Vec`, with the word2vec C tool's defaults.

    Attributes:
        vector_size: dimensions of the word vectors (C tool ``-size``).
        window: maximum distance between a word and its context words; each
            position uses a random window of 1..``window`` (``-window``).
        model: ``"sg"`` (skip-gram) or ``"cbow"`` (``-cbow 0/1``; the C tool and
            gensim default to CBOW).
        hs: 1 to train with hierarchical softmax (``-hs``).
        negative: number of noise words for negative sampling, 0 for none
            (``-negative``). ``hs=1`` and ``negative>0`` together train both.
        cbow_mean: CBOW input is the mean (1) or the sum (0) of the context vectors.
        sample: subsampling threshold for frequent words, 0 to keep all (``-sample``).
        min_count: words seen fewer times are dropped (``-min-count``).
        alpha: starting learning rate; ``None`` means 0.025 for skip-gram and
            0.05 for CBOW (``-alpha``).
        min_alpha: final learning rate, reached after the last word of the
            last epoch; ``None`` means ``alpha * 1e-4`` (the C tool's floor).
        epochs: passes over the corpus (``-iter``).
        workers: training threads; ``None`` means every core (``-threads``).
        seed: random seed for initialisation and sampling.
        max_vocab_size: bound the vocabulary while counting (C tool pruning).
        max_final_vocab: keep at most this many words (raises ``min_count``).
        shared_negatives: ``True`` (default): skip-gram shares one set of
            noise words across a window and updates the window as small
            matrix products (Ji et al. 2016), which is several times faster
            at the same accuracy. ``False``: the C tool's update, fresh noise
            words for every (word, context) pair. CBOW is the same either way.
        ns_exponent: exponent of the unigram noise distribution.
        max_sentence_length: longer sentences are cut (10,000 like gensim).
        chunk_words: tokens per unit of work handed to a thread.
    """

    vector_size: int = 100
    window: int = 5
    model: str = "cbow"
    hs: int = 0
    negative: int = 5
    cbow_mean: int = 1
    sample: float = 1e-3
    min_count: int = 5
    alpha: float | None = None
    min_alpha: float | None = None
    epochs: int = 5
    workers: int | None = None
    seed: int = 1
    max_vocab_size: int | None = None
    max_final_vocab: int | None = None
    shared_negatives: bool = True
    ns_exponent: float = 0.75
    max_sentence_length: int = 10000
    chunk_words: int = 50_000

    # -- resolved values ---------------------------------------------------------

    @property
    def sg(self) -> int:
        """1 for skip-gram, 0 for CBOW (gensim's spelling)."""
        return int(self.model == "sg")

    @property
    def start_alpha(self) -> float:
        """The starting learning rate actually used."""
        if self.alpha is not None:
            return float(self.alpha)
        return 0.025 if self.model == "sg" else 0.05

    @property
    def end_alpha(self) -> float:
        """The final learning rate actually used."""
        if self.min_alpha is not None:
            return float(self.min_alpha)
        return self.start_alpha * 1e-4

    @property
    def n_workers(self) -> int:
        """The number of threads actually used."""
        return default_workers() if self.workers is None else int(self.workers)

    # -- checks --------------------------------------------------------------------

    def validate(self) -> Word2VecConfig:
        """Raise :class:`ConfigError` naming the first bad value; return self if all is well."""

        def need_int(name: str, lo: int) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ConfigError(f"{name} must be an integer >= {lo}, got {v!r}")

        def need_num(name: str) -> float:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
                raise ConfigError(f"{name} must be a number, got {v!r}")
            if not math.isfinite(float(v)):
                raise ConfigError(f"{name} must be finite, got {v!r}")
            return float(v)

        if self.model not in MODELS:
            raise ConfigError(f"model must be 'sg' (skip-gram) or 'cbow', got {self.model!r}")
        need_int("vector_size", 1)
        if self.vector_size > 10_000:
            raise ConfigError(f"vector_size {self.vector_size} is implausibly large (max 10000)")
        need_int("window", 1)
        if self.window > 10_000:
            raise ConfigError(f"window {self.window} is larger than any sentence (max 10000)")
        need_int("negative", 0)
        if self.negative > 1000:
            raise ConfigError(f"negative must be at most 1000, got {self.negative}")
        need_int("epochs", 1)
        need_int("min_count", 1)
        need_int("max_sentence_length", 1)
        need_int("chunk_words", 1)
        need_int("seed", 0)
        if self.hs not in (0, 1, True, False):
            raise ConfigError(f"hs must be 0 or 1, got {self.hs!r}")
        if self.cbow_mean not in (0, 1, True, False):
            raise ConfigError(f"cbow_mean must be 0 or 1, got {self.cbow_mean!r}")
        if not self.hs and self.negative == 0:
            raise ConfigError(
                "no training objective: set negative > 0 (negative sampling) or hs=1 "
                "(hierarchical softmax); the full softmax is in wordvec.train.reference"
            )
        if self.workers is not None:
            need_int("workers", 1)
        if self.max_vocab_size is not None:
            need_int("max_vocab_size", 1)
        if self.max_final_vocab is not None:
            need_int("max_final_vocab", 1)
        if need_num("sample") < 0:
            raise ConfigError(f"sample must be >= 0 (0 disables subsampling), got {self.sample}")
        need_num("ns_exponent")
        if self.alpha is not None and need_num("alpha") <= 0:
            raise ConfigError(f"alpha (learning rate) must be positive, got {self.alpha}")
        if self.min_alpha is not None and need_num("min_alpha") < 0:
            raise ConfigError(f"min_alpha must be >= 0, got {self.min_alpha}")
        if self.end_alpha > self.start_alpha:
            raise ConfigError(
                f"min_alpha ({self.end_alpha}) is larger than alpha ({self.start_alpha}); "
                "the learning rate only decreases"
            )
        return self
