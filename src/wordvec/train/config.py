"""Training settings: :class:`Word2VecConfig` is the one owner of every word2vec setting.

Each hyperparameter has one name (gensim's and the C tool's), one default and
one range check here; the estimators, the engine, checkpoints and the command
line read them from this class and never re-default or re-validate them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from wordvec.errors import ConfigError
from wordvec.settings import SETTINGS, validate_fields

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
            words for every (word, context) pair (:class:`~wordvec.train.fasttext.
            FastText`'s default: there it is fastText's update, markedly better than
            the shared one). CBOW is the same either way.
        ns_exponent: exponent of the unigram noise distribution.
        max_sentence_length: longer sentences are cut (10,000 like gensim).
        chunk_words: tokens per unit of work handed to a thread.
        device: ``"cpu"`` (the compiled CPU engine) or ``"cuda"`` (one NVIDIA
            GPU, :mod:`wordvec.train.cuda`; negative sampling with noise words
            shared across the window only).
    """

    vector_size: int = SETTINGS["vector_size"].field()
    window: int = SETTINGS["window"].field()
    model: str = SETTINGS["model"].field()
    hs: int = SETTINGS["hs"].field()
    negative: int = SETTINGS["negative"].field()
    cbow_mean: int = SETTINGS["cbow_mean"].field()
    sample: float = SETTINGS["sample"].field()
    min_count: int = SETTINGS["min_count"].field()
    alpha: float | None = SETTINGS["alpha"].field()
    min_alpha: float | None = SETTINGS["min_alpha"].field()
    epochs: int = SETTINGS["epochs"].field()
    workers: int | None = SETTINGS["workers"].field()
    seed: int = SETTINGS["seed"].field()
    max_vocab_size: int | None = SETTINGS["max_vocab_size"].field()
    max_final_vocab: int | None = SETTINGS["max_final_vocab"].field()
    shared_negatives: bool = SETTINGS["shared_negatives"].field()
    ns_exponent: float = SETTINGS["ns_exponent"].field()
    max_sentence_length: int = SETTINGS["max_sentence_length"].field()
    chunk_words: int = SETTINGS["chunk_words"].field()
    device: str = SETTINGS["device"].field()

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
        """Raise :class:`ConfigError` naming the first bad value; return self if all is well.

        Each field is checked by its entry in :data:`wordvec.settings.SETTINGS`;
        what involves two fields is checked here.
        """
        validate_fields(self)
        if not self.hs and self.negative == 0:
            raise ConfigError(
                "no training objective: set negative > 0 (negative sampling) or hs=1 "
                "(hierarchical softmax); the full softmax is in wordvec.train.reference"
            )
        if self.end_alpha > self.start_alpha:
            raise ConfigError(
                f"min_alpha ({self.end_alpha}) is larger than alpha ({self.start_alpha}); "
                "the learning rate only decreases"
            )
        if self.device == "cuda":
            if self.hs:
                raise ConfigError("the GPU engine (device='cuda') trains negative sampling "
                                  "only; use hs=0 with negative>0, or device='cpu'")
            if self.model == "sg" and not self.shared_negatives:
                raise ConfigError("the GPU engine (device='cuda') shares noise words across "
                                  "the window; use shared_negatives=True, or device='cpu'")
        return self
