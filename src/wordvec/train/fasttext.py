"""fastText's subword model (Bojanowski et al. 2017) on wordvec's training engine.

A word is itself plus its character n-grams of ``min_n..max_n`` characters
(with ``<`` and ``>`` marking its ends), the n-grams hashed into ``bucket``
rows with fastText's own hash (:mod:`wordvec.vectors.subwords`). The input
matrix ``syn0`` has ``V + bucket`` rows -- the words' own rows, then the n-gram
buckets, fastText's layout -- and a word's input vector is the mean of its
rows. Skip-gram and CBOW, negative sampling and hierarchical softmax, all
through the same compiled kernel as word2vec (:mod:`wordvec.train.kernels`
with a :class:`~wordvec.train.kernels.Subwords` table; skip-gram by fastText's
own update by default): Hogwild threads, the learning-rate schedule, progress and the loss are those
of :class:`~wordvec.train.word2vec.Word2Vec`, and so are checkpoints and
resuming (:mod:`wordvec.train.checkpoint`; the checkpoint holds the whole input
matrix, n-gram rows included) and ``build_vocab(update=True)``.

Example::

    >>> from wordvec.synthetic import generate_sentences
    >>> m = FastText(model="sg", vector_size=16, min_count=2, epochs=1, workers=1,
    ...              bucket=1000).fit(generate_sentences(3_000, seed=1))
    >>> m.wv["kingly"].shape   # never seen: built from its n-grams
    (16,)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from wordvec.errors import ConfigError
from wordvec.settings import SETTINGS
from wordvec.train import kernels
from wordvec.train.config import Word2VecConfig
from wordvec.train.engine import ChunkPlan, Engine, initial_vectors, objectives_for
from wordvec.train.word2vec import Word2Vec
from wordvec.vectors.subwords import compose, input_rows

logger = logging.getLogger("wordvec")

#: Input rows (words and n-gram buckets) start uniform in [-1/dim, 1/dim), as in the
#: fastText tool and gensim's FastText (word2vec's C tool uses half that range).
INIT_HALF_WIDTH = 1.0

__all__ = ["FastText", "check_subword_settings", "subword_table"]


def check_subword_settings(min_n: Any, max_n: Any, bucket: Any,
                           names: tuple[str, str, str] = ("min_n", "max_n", "bucket"),
                           ) -> tuple[int, int, int]:
    """Validate fastText's n-gram settings; ConfigError naming the bad one (as ``names``)."""
    for name, v, lo in zip(names, (min_n, max_n, bucket), (1, 1, 1), strict=True):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            extra = (" (with no buckets there are no n-gram vectors; for plain word vectors "
                     "use word2vec)") if name == names[2] else ""
            raise ConfigError(f"{name} must be an integer >= {lo}, got {v!r}{extra}")
    if min_n > max_n:
        raise ConfigError(f"{names[0]} ({min_n}) is larger than {names[1]} ({max_n}): n-grams "
                          f"are {names[0]}..{names[1]} characters long")
    if bucket >= 2**31:
        raise ConfigError(f"{names[2]} must be below 2**31 (fastText stores it as int32), "
                          f"got {bucket}")
    return int(min_n), int(max_n), int(bucket)


def subword_table(words: list[str], min_n: int, max_n: int, bucket: int) -> kernels.Subwords:
    """Each word's rows of the ``(V + bucket, D)`` input matrix, as the kernel takes them."""
    indptr, rows = input_rows(words, min_n, max_n, bucket)
    return kernels.Subwords(indptr, rows)


def matrix_bytes(rows: int, dim: int) -> str:
    size = rows * dim * 4
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""  # pragma: no cover


class FastText(Word2Vec):
    """Subword vectors (fastText): ``Word2Vec`` plus ``min_n``, ``max_n`` and ``bucket``.

    gensim's names: ``FastText(sentences, vector_size=100, sg=1, min_n=3, max_n=6,
    bucket=2_000_000, ...)``; every :class:`Word2Vec` parameter applies. The
    input matrix ``syn0`` has ``len(vocab) + bucket`` rows (``bucket x
    vector_size`` float32: 800 MB at the defaults with 100 dimensions -- lower
    ``bucket`` for less). ``wv`` is a
    :class:`~wordvec.vectors.keyed.FastTextVectors`: vectors for unseen words too.

    Skip-gram with negative sampling trains with fastText's update by default
    (``shared_negatives=False``): the centre word's mean row is the input, each
    context word in turn the output with fresh noise words, and the mean follows
    every pair's step -- the kernel tracks it and writes the rows once per window.
    ``shared_negatives=True`` shares the noise words across the window and makes
    one step per window instead: about twice as fast, 5-6 analogy points lower
    after 5 epochs on the main corpus (README). A ``Word2VecConfig`` given as
    ``config`` is taken as it is (its default is ``True``). CPU only.

    ``save_facebook(path)`` writes Facebook fastText's ``.bin`` (the whole model)
    and :meth:`load_facebook` reads one, ready for queries and for training on
    (``build_vocab(text, update=True)`` then ``train()``).

    Checkpoints work as for word2vec: ``train(checkpoint=..., checkpoint_every=...,
    checkpoint_seconds=...)``, :meth:`request_stop`, :meth:`save_checkpoint` and
    ``FastText.resume(path).train()``, which continues an interrupted run where it
    stopped (bit-identical with ``workers=1``). The checkpoint holds the whole input
    matrix (word rows and n-gram buckets), the output matrix, ``min_n``, ``max_n``
    and ``bucket``; ``Word2Vec.resume`` refuses it, and ``FastText.resume`` refuses a
    word2vec checkpoint.
    """

    METHOD = "fasttext"

    def __init__(self, config: Any = None, *, min_n: int = SETTINGS["min_n"].default,
                 max_n: int = SETTINGS["max_n"].default,
                 bucket: int = SETTINGS["bucket"].default, **kwargs: Any) -> None:
        kwargs.setdefault("min_n", kwargs.pop("minn", min_n))
        kwargs.setdefault("max_n", kwargs.pop("maxn", max_n))
        self.min_n, self.max_n, self.bucket = check_subword_settings(
            kwargs.pop("min_n"), kwargs.pop("max_n"), bucket)
        if kwargs.get("device", getattr(config, "device", "cpu")) == "cuda":
            raise ConfigError("the subword model (fastText) trains on the CPU only; "
                              "drop device='cuda' (--device cuda)")
        if not isinstance(config, Word2VecConfig):
            # fastText's own update unless asked otherwise (see the class docstring)
            kwargs.setdefault("shared_negatives", False)
        self.subwords: kernels.Subwords | None = None
        super().__init__(config, **kwargs)

    def __repr__(self) -> str:
        return super().__repr__().replace("Word2Vec(", "FastText(", 1)[:-1] + (
            f", min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket})")

    # ------------------------------------------------------------------ weights
    def input_matrix(self) -> np.ndarray:
        """Word rows then ``bucket`` n-gram rows (fastText's layout), and the words' n-gram
        table for the kernel; the matrix size is logged first."""
        words = self.vocab.words
        v, d = len(words), self.config.vector_size
        rows = v + self.bucket
        logger.info("fastText input matrix: %d words + %d n-gram buckets x %d dimensions = %s "
                    "(lower --bucket for less)", v, self.bucket, d, matrix_bytes(rows, d))
        matrix = allocate_input(rows, d, self.config.seed)
        self.subwords = subword_table(list(words), self.min_n, self.max_n, self.bucket)
        return matrix

    def grown_input(self, where: np.ndarray, n_words: int) -> np.ndarray:
        """As :meth:`Word2Vec.grown_input`, in fastText's layout: ``n_words`` word rows
        (new words' rows drawn as :meth:`input_matrix` draws them), then the ``bucket``
        n-gram rows, unchanged. One new matrix, as word2vec's update makes."""
        c = self.config
        v = len(where)
        syn0 = np.empty((n_words + self.bucket, c.vector_size), np.float32)
        syn0[:n_words] = initial_vectors(n_words, c.vector_size,
                                         [c.seed, self.epochs_done, v], half_width=INIT_HALF_WIDTH)
        syn0[where] = self.syn0[:v]
        syn0[n_words:] = self.syn0[v:]
        return syn0

    def build_vocab(self, source: Any, tokenizer: Callable[[str], list[str]] | None = None,
                    workdir: str | os.PathLike | None = None, update: bool = False,
                    tmp_dir: str | os.PathLike | None = None,
                    cache: str | os.PathLike | None = None) -> FastText:
        """As :meth:`Word2Vec.build_vocab`, ``update=True`` included: words of ``source``
        seen ``min_count`` times join the vocabulary (their rows go before the n-gram
        buckets; the rows are re-sorted by the new counts, each vector moving with its
        word), known words' counts grow, the n-gram table is rebuilt, and the next
        ``train()`` trains on ``source``. Refused with ``hs=1``, as for word2vec."""
        super().build_vocab(source, tokenizer=tokenizer, workdir=workdir, update=update,
                            tmp_dir=tmp_dir, cache=cache)
        if update:
            self.subwords = subword_table(list(self.vocab.words), self.min_n, self.max_n,
                                          self.bucket)
        return self

    def engine(self, epochs: int = 1, first_epoch: int | None = None,
               plan: ChunkPlan | None = None) -> Engine:
        if self.corpus is None or self.syn0 is None:
            raise ConfigError("call build_vocab(source) (or fit(source)) first")
        if self.subwords is None:
            self.subwords = subword_table(list(self.vocab.words), self.min_n, self.max_n,
                                          self.bucket)
        outputs = {name: getattr(self, name) for name in ("syn1neg", "syn1")
                   if getattr(self, name) is not None}
        return Engine(
            self.config, self.corpus, self.syn0, objectives_for(self.config, self.vocab, outputs),
            plan=plan, epochs=epochs,
            first_epoch=self.epochs_done if first_epoch is None else first_epoch,
            subwords=self.subwords,
        )

    # ------------------------------------------------------------------ checkpoints
    @property
    def subword_settings(self) -> dict[str, int]:
        """``min_n``, ``max_n`` and ``bucket``: what a checkpoint keeps besides word2vec's."""
        return {"min_n": self.min_n, "max_n": self.max_n, "bucket": self.bucket}

    def word_vectors(self) -> np.ndarray:
        """The known words' vectors, each the mean of its rows (a new ``(V, D)`` matrix)."""
        if self.subwords is None:
            self.subwords = subword_table(list(self.vocab.words), self.min_n, self.max_n,
                                          self.bucket)
        return compose(self.syn0, self.subwords.indptr, self.subwords.rows)

    # ------------------------------------------------------------------ results
    @property
    def wv(self):  # noqa: ANN201 - FastTextVectors (imported lazily)
        """The vectors as :class:`~wordvec.vectors.keyed.FastTextVectors` (views of ``syn0``)."""
        if self.syn0 is None:
            raise ConfigError("the model has no vectors yet: call fit(source) first")
        if self._wv is None:
            from wordvec.vectors.keyed import FastTextVectors

            v = len(self.vocab)
            wv = FastTextVectors(
                self.vocab.words, self.word_vectors(), self.vocab.counts,
                vectors_ngrams=self.syn0[v:], min_n=self.min_n, max_n=self.max_n,
                vectors_vocab=self.syn0[:v], model=self.fasttext_args(),
            )
            wv.meta.update(self.training_facts())
            self._wv = wv
        return self._wv

    def fasttext_args(self) -> dict[str, Any]:
        """What a full fastText ``.bin`` holds besides the vectors (settings, output matrix)."""
        c = self.config
        output = self.syn1neg if self.syn1neg is not None else self.syn1
        return {
            "output": output, "loss": "ns" if c.negative > 0 else "hs",
            "model": c.model, "window": c.window, "epochs": c.epochs, "min_count": c.min_count,
            "negative": c.negative, "sample": c.sample,
            "ntokens": int(self.corpus.n_tokens) if self.corpus is not None else 0,
        }

    def training_facts(self) -> dict[str, Any]:
        facts = super().training_facts()
        facts.update(method=self.METHOD, min_n=self.min_n, max_n=self.max_n, bucket=self.bucket)
        return facts

    # ------------------------------------------------------------------ files
    def save_facebook(self, path: str | os.PathLike) -> Path:
        """Write Facebook fastText's binary model (``.bin``): settings, words, both matrices."""
        from wordvec.vectors.formats import save_vectors

        return save_vectors(self.wv, path, format="fasttext")

    @classmethod
    def load_facebook(cls, path: str | os.PathLike, **kwargs: Any) -> FastText:
        """A model from a fastText ``.bin`` (or a native file of fastText vectors), with
        its settings; ``kwargs`` override them (``workers``, ``alpha``...)."""
        from wordvec.vectors.formats import load_vectors
        from wordvec.vectors.keyed import FastTextVectors

        wv = load_vectors(path)
        if not isinstance(wv, FastTextVectors) or wv.vectors_vocab is None:
            raise ConfigError(f"{path} holds no full fastText model (no n-gram matrix or "
                              "no word rows)")
        return cls.from_vectors(wv, **kwargs)

    @classmethod
    def from_vectors(cls, wv: Any, **kwargs: Any) -> FastText:
        """A model around loaded :class:`~wordvec.vectors.keyed.FastTextVectors`."""
        from wordvec.text.vocab import Vocab

        args = wv.model
        settings = {"vector_size": wv.vector_size, "model": args.get("model", "sg"),
                    "window": args.get("window", 5), "negative": args.get("negative", 5),
                    "hs": int(args.get("loss") == "hs"), "epochs": args.get("epochs", 5),
                    "min_count": args.get("min_count", 5), "sample": args.get("sample", 1e-4)}
        if settings["hs"]:
            settings["negative"] = 0
        settings.update(kwargs)
        model = cls(min_n=wv.min_n, max_n=wv.max_n, bucket=wv.bucket, **settings)
        counts = wv.counts if wv.counts is not None else np.ones(len(wv), np.int64)
        model.vocab = Vocab(wv.index_to_key, counts)
        v = len(wv)
        syn0 = np.empty((v + wv.bucket, wv.vector_size), np.float32)
        syn0[:v] = wv.vectors_vocab
        syn0[v:] = wv.vectors_ngrams
        model.syn0 = syn0
        output = args.get("output")
        for objective in objectives_for(model.config, model.vocab):
            mat = objective.output
            if output is not None and output.shape[1] == mat.shape[1]:
                n = min(len(mat), len(output))
                mat[:n] = output[:n]
            setattr(model, objective.output_name, mat)
        model.subwords = subword_table(list(wv.index_to_key), wv.min_n, wv.max_n, wv.bucket)
        model.meta = {k: v for k, v in wv.meta.items() if k in ("epoch_accuracy",)}
        return model


def allocate_input(rows: int, dim: int, seed: int) -> np.ndarray:
    """The initial ``(rows, dim)`` input matrix; ConfigError (one line) when it does not fit."""
    need = rows * dim * 4
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not on Linux
        total = 0
    advice = "lower --bucket (bucket=) or --size (vector_size=)"
    if total and need > total:
        raise ConfigError(f"the fastText input matrix needs {matrix_bytes(rows, dim)} but this "
                          f"machine has {matrix_bytes(total // 4, 1)} of memory; {advice}")
    try:
        return initial_vectors(rows, dim, seed, half_width=INIT_HALF_WIDTH)
    except MemoryError:
        raise ConfigError(f"cannot allocate the fastText input matrix "
                          f"({matrix_bytes(rows, dim)}); {advice}") from None

