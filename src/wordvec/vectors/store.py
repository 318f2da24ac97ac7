"""Loading and saving word vectors in any format, as plain parts.

The flow behind :func:`wordvec.vectors.formats.load_vectors` and
``save_vectors`` (and :meth:`WordVectors.load`/:meth:`WordVectors.save`, which
call this module directly so that ``keyed`` never imports ``formats``):
choose the format (``format=``, else the content when loading, the extension
when saving), then read or write :class:`VectorParts` with the matching layer:
:mod:`wordvec.native` for the native container (arrays ``words``, ``vectors``
and optionally ``counts``, kind ``"word-vectors"``),
:mod:`wordvec.vectors.word2vec_format` for word2vec text/binary and GloVe.
Building a :class:`~wordvec.vectors.keyed.WordVectors` from the parts is left
to the caller (``WordVectors.from_parts``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wordvec.errors import ConfigError, FormatError
from wordvec.native import decode_words, encode_words, load_state, peek_words, save_state
from wordvec.outputs import atomic_write
from wordvec.vectors.fasttext_format import (
    FT_LOSSES,
    FT_MODELS,
    FacebookModel,
    read_fasttext_bin,
    write_fasttext_bin,
)
from wordvec.vectors.files import describe_file, detect_format, format_for_path, normalize_format
from wordvec.vectors.subwords import compose, input_rows
from wordvec.vectors.word2vec_format import (
    read_glove_parts,
    read_word2vec_parts,
    write_glove_parts,
    write_word2vec_parts,
)

logger = logging.getLogger("wordvec")

__all__ = [
    "VectorParts",
    "describe_native",
    "load_parts",
    "nonfinite_rows",
    "read_native_parts",
    "save_parts",
    "write_native_parts",
]


@dataclass
class VectorParts:
    """Word vectors as plain data: ``words[i]`` has row ``i`` of the float32 ``vectors``;
    ``counts`` (int64, one per word) and ``meta`` (JSON facts) are optional;
    ``source`` is the file they came from, for error messages; ``extra``: further
    named arrays the native format stores beside them (read back as they were
    written; the text and binary formats have no room for them)."""

    words: Sequence[str]
    vectors: np.ndarray
    counts: np.ndarray | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)


_CORE_ARRAYS = ("words", "vectors", "counts")


# --------------------------------------------------------------------------- native layout
def write_native_parts(parts: VectorParts, path: str | Path,
                       meta: Mapping[str, Any] | None = None) -> Path:
    """Save in the native format (arrays ``words``, ``vectors``, ``counts``).

    ``meta`` (JSON) is stored alongside, merged over ``parts.meta``.
    """
    clash = sorted(set(parts.extra) & set(_CORE_ARRAYS))
    if clash:
        raise ConfigError(f"extra arrays may not be named {', '.join(clash)}")
    arrays: dict[str, np.ndarray] = {
        "words": encode_words(parts.words),
        "vectors": parts.vectors,
    }
    if parts.counts is not None:
        arrays["counts"] = np.asarray(parts.counts, dtype=np.int64)
    arrays.update(parts.extra)
    info = {k: v for k, v in parts.meta.items() if k != "kind"}
    info.update(meta or {})
    info.update({"vocab_size": len(parts.words), "vector_size": int(parts.vectors.shape[1])})
    return save_state(path, arrays, info, kind="word-vectors")


def _vector_arrays(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]
                   ) -> tuple[np.ndarray, np.ndarray]:
    if "words" not in arrays or "vectors" not in arrays:
        raise FormatError(
            f"{path} is a wordvec file of kind {meta.get('kind')!r} without word vectors "
            f"(it holds {', '.join(sorted(arrays)) or 'no arrays'})"
        )
    vectors = arrays["vectors"]
    if vectors.ndim != 2:
        raise FormatError(f"{path}: 'vectors' has shape {vectors.shape}, expected 2-D")
    return arrays["words"], vectors


def _vectors_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if k not in ("vocab_size", "vector_size", "kind")}


def describe_native(path: str | Path, n_words: int = 10
                    ) -> tuple[int, int, list[str], dict[str, Any]]:
    """``(words, dimensions, first n_words words, meta)`` of a native vector file.

    Reads the JSON header and the arrays' .npy headers, maps the arrays
    without reading them, and decodes only the first words (then counts the
    newlines of the mapped word list): cheap for a file of any size, which
    is what ``wordvec info`` shows. The layout gets :func:`read_native_parts`'
    checks; the vectors' checksum does not (their data is not read).
    ``meta`` is what loading puts in ``WordVectors.meta``.
    """
    path = Path(path)
    arrays, meta = load_state(path, mmap=True, describe=describe_file)
    blob, vectors = _vector_arrays(path, arrays, meta)
    count, dims = (int(n) for n in vectors.shape)
    head = peek_words(blob, count, n_words, path)
    counts = arrays.get("counts")
    if counts is not None and counts.shape != (count,):
        raise FormatError(f"{path}: 'counts' has shape {counts.shape}, expected ({count},)")
    return count, dims, head, _vectors_meta(meta)


def read_native_parts(path: str | Path, mmap: bool = False, limit: int | None = None
                      ) -> VectorParts:
    """Read any native file holding ``words`` and ``vectors`` arrays (training
    checkpoints included). ``mmap=True`` maps the vectors read-only instead of reading
    them."""
    path = Path(path)
    arrays, meta = load_state(path, mmap=mmap, describe=describe_file)
    blob, vectors = _vector_arrays(path, arrays, meta)
    words = decode_words(blob, vectors.shape[0])
    counts = arrays.get("counts")
    if counts is not None and counts.shape != (len(words),):
        raise FormatError(f"{path}: 'counts' has shape {counts.shape}, expected ({len(words)},)")
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
        counts = counts[:limit] if counts is not None else None
    if vectors.dtype != np.float32:
        vectors = vectors.astype(np.float32)
    extra = {k: a for k, a in arrays.items() if k not in _CORE_ARRAYS}
    return VectorParts(words, vectors, counts, _vectors_meta(meta), path, extra)


# --------------------------------------------------------------------------- NaN / infinity
def nonfinite_rows(vectors: np.ndarray) -> tuple[int, int]:
    """(number of rows holding NaN or an infinity, index of the first such row or -1).

    One vectorised pass over blocks of rows (about 16 MiB each), so memory-mapped
    matrices are checked without being read into memory at once.
    """
    n = vectors.shape[0]
    step = max(1, (16 << 20) // max(1, vectors.itemsize * int(np.prod(vectors.shape[1:]))))
    bad = 0
    first = -1
    for start in range(0, n, step):
        block = np.asarray(vectors[start : start + step])
        # a float64 sum of float32 values cannot overflow: it is finite exactly when
        # every value of the row is
        ok = np.isfinite(block.sum(axis=1, dtype=np.float64))
        if not ok.all():
            rows = np.flatnonzero(~ok)
            if first < 0:
                first = start + int(rows[0])
            bad += len(rows)
    return bad, first


def _check_finite(parts: VectorParts, path: Path, allow: bool) -> None:
    bad, first = nonfinite_rows(parts.vectors)
    if not bad:
        return
    what = (f"{bad} of {len(parts.words)} vectors hold NaN or infinite values (the first: "
            f"word {parts.words[first]!r}, row {first + 1})")
    if not allow:
        raise FormatError(
            f"{path}: {what}; such vectors rank first or break every similarity. Load it "
            "anyway with allow_nonfinite=True (CLI: --allow-nonfinite)"
        )
    logger.warning("%s: %s; loaded anyway (allow_nonfinite)", path, what)


# --------------------------------------------------------------------------- fastText .bin
_FT_LOSS = {"hs": 1, "ns": 2}
_FT_MODEL = {"cbow": 1, "sg": 2}


def is_subword_model(parts: VectorParts) -> bool:
    """True when ``parts`` carry a subword (fastText) model: n-gram rows and their settings."""
    return "vectors_ngrams" in parts.extra and isinstance(parts.meta.get("subwords"), dict)


def read_fasttext_parts(path: str | Path, limit: int | None = None) -> VectorParts:
    """A Facebook fastText ``.bin`` (the whole model) as parts of a subword model.

    Known words' vectors are the mean of their own row and their n-grams' rows,
    as fastText's ``get_word_vector`` and gensim's ``load_facebook_model`` give
    them; ``limit`` keeps the first N words (their n-grams all stay).
    """
    path = Path(path)
    m = read_fasttext_bin(path)
    a = m.args
    v = m.nwords
    minn, maxn = a["minn"], a["maxn"]
    bucket = a["bucket"] if maxn > 0 else 0
    indptr, rows = input_rows(m.words, minn, maxn, bucket)
    vectors = compose(m.input, indptr, rows)
    words, counts = m.words, m.counts
    extra = {"vectors_ngrams": m.input[v:], "vectors_vocab": m.input[:v], "output": m.output}
    if limit is not None:
        words, counts, vectors = words[:limit], counts[:limit], vectors[:limit]
        del extra["vectors_vocab"]
    subwords = {"min_n": max(minn, 1), "max_n": maxn, "loss": FT_LOSSES[a["loss"]],
                "model": FT_MODELS[a["model"]], "window": a["ws"], "epochs": a["epoch"],
                "min_count": a["min_count"], "negative": a["neg"], "sample": a["t"],
                "ntokens": m.ntokens}
    meta = {"method": "fasttext", "source_format": "fasttext", "min_n": minn, "max_n": maxn,
            "bucket": bucket, "subwords": subwords}
    return VectorParts(words, vectors, counts, meta, path, extra)


def write_fasttext_parts(parts: VectorParts, path: str | Path) -> Path:
    """Write a subword model as a Facebook fastText ``.bin`` (atomic).

    The file holds the settings, the dictionary and both matrices; without an
    output matrix (vectors that came without one) a zero matrix is written, so
    the file loads everywhere but training it further starts the output afresh.
    """
    path = Path(path)
    if not is_subword_model(parts) or "vectors_vocab" not in parts.extra:
        raise ConfigError(
            "the fastText .bin format holds a subword model (word rows and n-gram rows); "
            "these are plain word vectors: save them as word2vec-binary, word2vec-text or native")
    args = parts.meta["subwords"]
    v, d = len(parts.words), parts.vectors.shape[1]
    loss = args.get("loss", "ns")
    output = parts.extra.get("output")
    if output is None:
        output = np.zeros((v, d), np.float32)
    elif len(output) < v:  # hierarchical softmax keeps V - 1 inner nodes; fastText has V rows
        output = np.vstack([output, np.zeros((v - len(output), d), np.float32)])
    counts = parts.counts if parts.counts is not None else np.ones(v, np.int64)
    ngrams = np.asarray(parts.extra["vectors_ngrams"], np.float32)
    fb_args = {"dim": d, "ws": int(args.get("window", 5)), "epoch": int(args.get("epochs", 5)),
               "min_count": int(args.get("min_count", 1)), "neg": int(args.get("negative", 5)),
               "word_ngrams": 1, "loss": _FT_LOSS.get(loss, 2),
               "model": _FT_MODEL.get(args.get("model", "sg"), 2), "bucket": len(ngrams),
               "minn": int(args["min_n"]), "maxn": int(args["max_n"]), "lr_update_rate": 100,
               "t": float(args.get("sample", 1e-4))}
    matrix = np.concatenate([np.asarray(parts.extra["vectors_vocab"], np.float32), ngrams])
    m = FacebookModel(args=fb_args, words=list(parts.words),
                      counts=np.asarray(counts, np.int64), input=matrix,
                      output=np.asarray(output, np.float32), ntokens=int(args.get("ntokens", 0)))
    with atomic_write(path) as f:
        write_fasttext_bin(f, m)
    return path


# --------------------------------------------------------------------------- the flow
def save_parts(
    parts: VectorParts,
    path: str | Path,
    format: str | None = None,
    precision: int | None = None,
) -> Path:
    """Save ``parts`` to ``path``; the format comes from ``format=`` or the extension
    (see :func:`wordvec.vectors.formats.save_vectors`). A subword model's ``.bin``
    is fastText's binary model, so its n-grams (vectors for unseen words) survive."""
    path = Path(path)
    fmt = normalize_format(format) if format else format_for_path(path)
    if (not format and fmt == "word2vec-binary" and is_subword_model(parts)
            and "vectors_vocab" in parts.extra
            and not path.name.endswith((".gz", ".bz2", ".xz"))):
        fmt = "fasttext"
    if fmt == "fasttext":
        return write_fasttext_parts(parts, path)
    if fmt == "native":
        return write_native_parts(parts, path)
    if fmt == "glove":
        return write_glove_parts(parts.words, parts.vectors, path, precision=precision)
    return write_word2vec_parts(parts.words, parts.vectors, path,
                                binary=fmt == "word2vec-binary", precision=precision)


def load_parts(
    path: str | Path,
    format: str | None = None,
    limit: int | None = None,
    mmap: bool = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
) -> VectorParts:
    """Read word vectors from any supported format (detected from content unless
    ``format=``); see :func:`wordvec.vectors.formats.load_vectors`."""
    path = Path(path)
    parts = _load_any(path, format, limit, mmap, encoding, unicode_errors)
    _check_finite(parts, path, allow_nonfinite)
    return parts


def _load_any(path: Path, format: str | None, limit: int | None, mmap: bool, encoding: str,
              unicode_errors: str) -> VectorParts:
    if limit is not None and limit < 0:
        raise ConfigError(f"limit must be >= 0, got {limit}")
    fmt = normalize_format(format) if format else detect_format(path)
    try:
        if fmt == "native":
            return read_native_parts(path, mmap=mmap, limit=limit)
        if fmt == "fasttext":
            return read_fasttext_parts(path, limit=limit)
        if fmt == "glove":
            words, vectors = read_glove_parts(path, limit=limit, encoding=encoding,
                                              unicode_errors=unicode_errors)
        else:
            words, vectors = read_word2vec_parts(path, binary=fmt == "word2vec-binary",
                                                 limit=limit, encoding=encoding,
                                                 unicode_errors=unicode_errors)
        return VectorParts(words, vectors, source=path)
    except FormatError as exc:
        if format is None:
            raise
        try:
            actual = detect_format(path)
        except FormatError:
            raise exc from None
        if actual != fmt:
            raise FormatError(
                f"{exc} (the file looks like {actual}: load it with format={actual!r} "
                "or without format=)"
            ) from exc
        raise
