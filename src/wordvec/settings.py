"""Every training setting in one place: its name, default, range check, help and flag.

A :class:`Setting` is declared once in :data:`SETTINGS`. The configuration
dataclasses (:class:`~wordvec.train.config.Word2VecConfig`,
:class:`~wordvec.train.ppmi_svd.SVDConfig`) take their fields from it with
:meth:`Setting.field` and validate with :func:`validate_fields`; the command line
builds its options from the same entries (:mod:`wordvec.cli`), and the
lower-level functions that take a setting as an argument (``encode_corpus``,
``Vocab.from_counts`` ...) check it with :func:`check`. Adding a setting means
adding one entry here and naming it in the dataclass that uses it.

This module depends on nothing but :mod:`wordvec.errors`, so the text side,
training and the interfaces can all read it.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordvec.errors import ConfigError

__all__ = ["FASTTEXT", "PPMI_SVD", "REFERENCE", "SETTINGS", "WORD2VEC", "Setting", "check",
           "estimator_arguments", "validate_fields", "with_flags"]

Check = Callable[[str, Any], None]


def _is_int(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, np.integer))


def _is_num(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float, np.number))


def integer(lo: int, hi: int | None = None, optional: bool = False,
            too_big: str = "is too large") -> Check:
    """A whole number in ``[lo, hi]`` (``None`` allowed when ``optional``)."""

    def run(name: str, v: Any) -> None:
        if v is None and optional:
            return
        if not _is_int(v) or v < lo:
            raise ConfigError(f"{name} must be an integer >= {lo}, got {v!r}")
        if hi is not None and v > hi:
            raise ConfigError(f"{name} {v} {too_big} (max {hi})")

    return run


def number(lo: float | None = None, hi: float | None = None, *, lo_open: bool = False,
           hi_open: bool = False, optional: bool = False, meaning: str = "") -> Check:
    """A finite number in the interval (open or closed ends; ``None`` = unbounded)."""
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    low = "-inf" if lo is None else f"{lo:g}"
    high = "inf" if hi is None else f"{hi:g}"
    span = f"{left}{low}, {high}{right}"

    def run(name: str, v: Any) -> None:
        if v is None and optional:
            return
        if not _is_num(v):
            raise ConfigError(f"{name} must be a number, got {v!r}")
        if not math.isfinite(float(v)):
            raise ConfigError(f"{name} must be finite, got {v!r}")
        x = float(v)
        bad = ((lo is not None and (x <= lo if lo_open else x < lo))
               or (hi is not None and (x >= hi if hi_open else x > hi)))
        if bad:
            raise ConfigError(f"{name} must be in {span}{meaning}, got {v!r}")

    return run


def one_of(values: Sequence[Any], meaning: str = "") -> Check:
    """One of ``values`` (``True``/``False`` count as 1/0 where those are allowed)."""

    def run(name: str, v: Any) -> None:
        if v not in values or (isinstance(v, float) and not any(isinstance(x, float)
                                                                for x in values)):
            shown = " or ".join(repr(x) for x in values)
            raise ConfigError(f"{name} must be {shown}{meaning}, got {v!r}")

    return run


def flag01(name: str, v: Any) -> None:
    """0 or 1 (``False``/``True`` accepted)."""
    if v not in (0, 1) or isinstance(v, float):
        raise ConfigError(f"{name} must be 0 or 1, got {v!r}")


def boolean(name: str, v: Any) -> None:
    if not isinstance(v, (bool, np.bool_)):
        raise ConfigError(f"{name} must be True or False, got {v!r}")


@dataclass(frozen=True)
class Setting:
    """One setting.

    Attributes:
        name: the Python name (gensim's where gensim has one).
        default: the one default.
        help: what it does, for docstrings and ``--help``.
        check: raises :class:`ConfigError` naming the setting when a value is bad.
        flag: the command-line option (``None``: Python only).
        aliases: other spellings of the flag (the word2vec C tool's ``-size`` ...).
        cli_type: converts the flag's text (``int``, ``float``; ``None`` for a switch).
        choices: the values the flag accepts, if a fixed list.
        switch: for a flag without a value, the value it sets (``--per-pair``
            sets ``shared_negatives=False``).
        default_text: how ``--help`` states a default that is computed.
        metavar: the flag's placeholder in ``--help``.
    """

    name: str
    default: Any
    help: str
    check: Check
    flag: str | None = None
    aliases: tuple[str, ...] = ()
    cli_type: Callable[[str], Any] | None = None
    choices: tuple[Any, ...] | None = None
    switch: Any = None
    default_text: str | None = None
    metavar: str | None = None

    def field(self) -> Any:
        """A dataclass field with this default (and the setting in its metadata)."""
        return dataclasses.field(default=self.default, metadata={"setting": self})

    def validate(self, value: Any) -> None:
        self.check(self.name, value)

    @property
    def dest(self) -> str:
        """The attribute argparse stores the flag's value under."""
        return (self.flag or self.name).lstrip("-").replace("-", "_")

    def help_text(self) -> str:
        """``--help`` text with the default stated."""
        if self.switch is not None:
            return self.help
        if self.default_text is not None:
            shown = self.default_text
        elif self.default is None:
            shown = "none"
        else:
            shown = f"{self.default:g}" if isinstance(self.default, float) else str(self.default)
        return f"{self.help} (default {shown})"


_S = Setting
#: Every setting, by name. The command line shows them in this order.
SETTINGS: dict[str, Setting] = {s.name: s for s in [
    # --- the corpus and the vocabulary (word2vec and PPMI-SVD) ---------------------------
    _S("vector_size", 100, "dimensions of the vectors",
       integer(1, 10_000, too_big="is implausibly large"), "--size", ("-size",), int),
    _S("window", 5, "maximum distance between a word and a context word",
       integer(1, 10_000, too_big="is larger than any sentence"), "--window", ("-window",), int),
    _S("min_count", 5, "ignore words seen fewer times", integer(1), "--min-count",
       ("-min-count",), int),
    _S("max_vocab_size", None,
       "bound the memory of counting words: whenever more than N distinct words are held, "
       "drop the rarest as the word2vec C tool does (words seen once, then twice, ...); "
       "the corpus is then read twice, more slowly", integer(1, optional=True),
       "--max-vocab-size", (), int, metavar="N", default_text="no bound"),
    _S("max_final_vocab", None, "keep at most this many words (raises min_count)",
       integer(1, optional=True)),
    _S("sample", 1e-3, "subsampling threshold for frequent words, 0 to keep all",
       number(0.0, 1.0, hi_open=True), "--sample", ("-sample",), float),
    _S("seed", 1, "random seed", integer(0), "--seed", (), int),
    _S("max_sentence_length", 10_000, "longer sentences are cut", integer(1)),
    # --- word2vec ------------------------------------------------------------------------
    _S("model", "cbow", "skip-gram (sg) or CBOW (cbow)", one_of(("sg", "cbow")), "--model",
       (), str, ("sg", "cbow")),
    _S("hs", 0, "also train with hierarchical softmax (1)", flag01, "--hs", ("-hs",), int,
       (0, 1)),
    _S("negative", 5, "noise words per example for negative sampling, 0 for none",
       integer(0, 1000, too_big="is more noise words than useful"), "--negative",
       ("-negative",), int),
    _S("cbow_mean", 1, "CBOW: 1 averages the context vectors, 0 sums them", flag01,
       "--cbow-mean", (), int, (0, 1)),
    _S("alpha", None, "starting learning rate; it falls linearly to --min-alpha",
       number(0.0, lo_open=True, optional=True, meaning=" (a positive learning rate)"),
       "--alpha", ("-alpha",), float,
       default_text="0.025 for skip-gram, 0.05 for CBOW, as in the C tool"),
    _S("min_alpha", None, "final learning rate, reached after the last word",
       number(0.0, optional=True), "--min-alpha", (), float, default_text="alpha x 0.0001"),
    _S("epochs", 5, "passes over the corpus", integer(1), "--epochs", ("--iter", "-iter"), int),
    _S("workers", None, "training threads", integer(1, optional=True), "--workers",
       ("--threads", "-threads"), int, default_text="all cores"),
    _S("shared_negatives", True,
       "skip-gram: the C tool's update, fresh noise words for every (word, context) pair "
       "(about 3x slower) instead of noise words shared across a window; --method fasttext "
       "trains that way by default (fastText's update)", boolean,
       "--per-pair", switch=False),
    _S("ns_exponent", 0.75, "exponent of the unigram noise distribution", number()),
    _S("chunk_words", 50_000, "tokens per unit of work handed to a thread", integer(1)),
    _S("device", "cpu",
       "train on the CPU (cpu) or on one NVIDIA GPU with CUDA (cuda: skip-gram or CBOW with "
       "negative sampling, noise words shared across the window); cuda is refused where "
       "there is no GPU", one_of(("cpu", "cuda")), "--device", (), str, ("cpu", "cuda")),
    # --- the fastText subword model (fastText's flag names) ------------------------------
    _S("min_n", 3, "shortest character n-gram", integer(1), "--minn", ("-minn",), int),
    _S("max_n", 6, "longest character n-gram", integer(1), "--maxn", ("-maxn",), int),
    _S("bucket", 2_000_000,
       "n-gram hash buckets: the n-gram matrix is bucket x size floats, 800 MB at the "
       "defaults; lower it for less", integer(1, 2**31 - 1, too_big="is too many buckets "
                                                     "(fastText stores it as int32)"),
       "--bucket", ("-bucket",), int),
    # --- PPMI-SVD --------------------------------------------------------------------------
    _S("weighting", "harmonic",
       "weight co-occurrences by 1/distance (harmonic) or (window-d+1)/window (linear), or "
       "not at all (none)", one_of(("none", "harmonic", "linear")), "--weighting", (), str,
       ("none", "harmonic", "linear")),
    _S("boundaries", False, "count sentence start/end tokens as in the tutorial", boolean,
       "--boundaries", switch=True),
    _S("cds_alpha", 0.75, "context-distribution smoothing exponent (1: none)",
       number(0.0, lo_open=True, meaning=" (1 = no smoothing)"), "--cds-alpha", (), float),
    _S("shift", 1.0, "shifted PPMI: subtract log k (1: no shift)",
       number(0.0, lo_open=True, meaning=" (1 = no shift)"), "--shift", (), float),
    _S("eig", 0.5, "eigenvalue weighting p in U*S^p", number(0.0), "--eig", (), float,
       (0.0, 0.5, 1.0)),
    _S("add_context", False, "use word + context vectors", boolean, "--add-context",
       switch=True),
    _S("solver", "arpack",
       "arpack: exact truncated SVD; randomized: faster on large vocabularies, approximate",
       one_of(("arpack", "randomized")), "--svd-solver", (), str, ("arpack", "randomized")),
    _S("n_iter", 5, "randomized SVD: power iterations", integer(0)),
    _S("oversample", 20, "randomized SVD: extra columns", integer(0)),
    _S("chunk_tokens", 1 << 20, "tokens counted per step", integer(1)),
]}


#: The settings of each estimator, by name. Word2VecConfig and SVDConfig declare exactly
#: these fields (tests/test_settings.py checks it), so the command line can build its
#: options from this module alone, without importing the estimators.
WORD2VEC = ("vector_size", "window", "model", "hs", "negative", "cbow_mean", "sample",
            "min_count", "alpha", "min_alpha", "epochs", "workers", "seed", "max_vocab_size",
            "max_final_vocab", "shared_negatives", "ns_exponent", "max_sentence_length",
            "chunk_words", "device")
PPMI_SVD = ("vector_size", "window", "min_count", "max_final_vocab", "max_vocab_size",
            "weighting", "boundaries", "sample", "cds_alpha", "shift", "eig", "add_context",
            "solver", "n_iter", "oversample", "seed", "chunk_tokens")
#: The subword model takes word2vec's settings and these.
FASTTEXT = WORD2VEC + ("min_n", "max_n", "bucket")
#: What the NumPy full-softmax reference models take from the command line.
REFERENCE = ("vector_size", "window", "epochs", "min_count", "seed")


def with_flags(names: Sequence[str]) -> dict[str, Setting]:
    """The settings among ``names`` that have a command-line flag, by name."""
    return {n: SETTINGS[n] for n in names if SETTINGS[n].flag is not None}


def estimator_arguments(config_class: type, config: Any, sentences: Any, corpus_file: Any,
                        kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """gensim's front door, shared by the estimators: ``(config, corpus)``.

    As in gensim, a corpus may come first positionally, as ``sentences=`` or
    as ``corpus_file=`` (the estimator then fits at once); an instance of
    ``config_class`` in the first place is wordvec's own spelling. ``kwargs``
    are settings replacing the config's; unknown ones are refused by name.
    The config is returned unvalidated.
    """
    corpus = None
    if config is not None and not isinstance(config, config_class):
        if dataclasses.is_dataclass(config):
            raise ConfigError(f"config must be a {config_class.__name__}, "
                              f"got a {type(config).__name__}")
        corpus, config = config, None
    for given in (sentences, corpus_file):
        if given is not None:
            if corpus is not None:
                raise ConfigError(
                    "give the corpus once: positionally, as sentences= or as corpus_file=")
            corpus = given
    if corpus_file is not None and not isinstance(corpus_file, (str, os.PathLike)):
        raise ConfigError(f"corpus_file must be a path, got a {type(corpus_file).__name__}; "
                          "pass token lists as sentences=")
    names = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(kwargs) - names)
    if unknown:
        raise ConfigError(
            f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    base = config if config is not None else config_class()
    return dataclasses.replace(base, **kwargs), corpus


def check(name: str, value: Any) -> None:
    """Check ``value`` of the setting ``name`` (raises :class:`ConfigError`)."""
    SETTINGS[name].validate(value)


def validate_fields(obj: Any) -> None:
    """Check every field of a settings dataclass declared with :meth:`Setting.field`."""
    for f in dataclasses.fields(obj):
        setting = f.metadata.get("setting")
        if setting is not None:
            setting.validate(getattr(obj, f.name))
