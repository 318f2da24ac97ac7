"""Reading and writing word vectors: word2vec C formats, GloVe text, and the native format.

Formats (names accepted by ``format=``):

``"word2vec-binary"`` (aliases ``bin``, ``binary``)
    The C tool's ``-binary 1`` output: a text header ``"<words> <dims>\\n"``,
    then per word its UTF-8 bytes, a space, ``dims`` little-endian float32
    and a newline (the C tool writes the newline; gensim omits it; both read
    either). Written like the C tool.
``"word2vec-text"`` (aliases ``text``, ``txt``, ``vec``)
    The same header, then one line per word: the word and its numbers,
    separated by single spaces. Numbers are written in the shortest form that
    reads back to the identical float32 (byte-identical to gensim's
    ``save_word2vec_format``), or with ``precision`` significant digits.
``"glove"``
    GloVe's text format: like word2vec text without the header line. Chosen
    only with ``format="glove"`` when saving (GloVe files end in ``.txt``,
    which means word2vec text here); recognised by content when loading.
``"fasttext"`` (alias ``fasttext-bin``)
    Facebook fastText's binary model (:mod:`wordvec.vectors.fasttext_format`),
    recognised by its magic number; loads as
    :class:`~wordvec.vectors.keyed.FastTextVectors` (vectors for unseen words).
    A subword model saved to ``.bin`` is written in it; plain vectors cannot be.
``"native"`` (alias ``wv``)
    wordvec's own format, safe to open from an untrusted source and
    memory-mappable; see :func:`save_state` for the layout.

Saving picks the format from the extension: ``.bin`` word2vec binary,
``.txt``/``.vec`` word2vec text, anything else native (``.wv`` is the
suggested name). The text and binary formats may carry a further ``.gz``,
``.bz2`` or ``.xz`` suffix to be compressed. Loading does not trust the
extension: it looks at the first bytes (zip signature, the ``"N D"``
header, whether the first record is text or raw floats, compression magic).
``format=`` overrides both.

This module is the front door: it builds :class:`WordVectors` from the plain
parts the layers below read and write, and re-exports their public names.
The layers: :mod:`wordvec.vectors.files` (format names, sniffing,
compression), :mod:`wordvec.vectors.word2vec_format` (word2vec text/binary,
GloVe), :mod:`wordvec.native` (the native container, also used by training
checkpoints and co-occurrence counts) and :mod:`wordvec.vectors.store` (the
load/save flow on parts, which ``WordVectors.save``/``load`` use directly).

Every write to a file goes to a temporary file in the target's directory which
is flushed, fsynced and renamed over the target (:func:`atomic_write`): a crash
mid-save leaves the old file or none, never half a file. A symbolic link is
followed (its target is replaced, the link kept); character devices such as
``/dev/null``, FIFOs and ``/dev/stdout`` are written straight through; other
non-regular files are refused (see :mod:`wordvec.outputs`).

Broken input raises :class:`~wordvec.errors.FormatError` naming the file, and
the line or byte offset where it went wrong; a header that promises more data
than the file holds is refused before any memory is allocated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wordvec.native import decode_words, encode_words, load_state, save_state
from wordvec.outputs import atomic_write
from wordvec.vectors.files import FORMATS, detect_format, format_for_path, normalize_format
from wordvec.vectors.keyed import WordVectors
from wordvec.vectors.store import (
    VectorParts,
    describe_native,
    load_parts,
    nonfinite_rows,
    read_fasttext_parts,
    read_native_parts,
    save_parts,
    write_fasttext_parts,
    write_native_parts,
)
from wordvec.vectors.word2vec_format import (
    read_glove_parts,
    read_word2vec_parts,
    write_glove_parts,
    write_word2vec_parts,
)

__all__ = [
    "FORMATS",
    "atomic_write",
    "decode_words",
    "describe_native",
    "detect_format",
    "encode_words",
    "format_for_path",
    "load_fasttext",
    "load_native",
    "load_state",
    "load_vectors",
    "nonfinite_rows",
    "normalize_format",
    "read_glove",
    "read_word2vec",
    "save_native",
    "save_state",
    "save_vectors",
    "write_fasttext",
    "write_glove",
    "write_word2vec",
]


# --------------------------------------------------------------------------- word2vec / GloVe
def read_word2vec(
    path: str | Path,
    binary: bool | None = None,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> WordVectors:
    """Read the word2vec C format (``binary=None``: decided from the content).

    ``limit`` reads only the first N words. Compressed files (.gz, .bz2, .xz)
    are read transparently. Repeated words keep their first vector.
    """
    words, vectors = read_word2vec_parts(path, binary=binary, limit=limit, encoding=encoding,
                                         unicode_errors=unicode_errors)
    return WordVectors.from_parts(VectorParts(words, vectors, source=Path(path)))


def read_glove(
    path: str | Path,
    limit: int | None = None,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> WordVectors:
    """Read GloVe's text format (no header; dimensions taken from the first line)."""
    words, vectors = read_glove_parts(path, limit=limit, encoding=encoding,
                                      unicode_errors=unicode_errors)
    return WordVectors.from_parts(VectorParts(words, vectors, source=Path(path)))


def write_word2vec(
    wv: WordVectors, path: str | Path, binary: bool = True, precision: int | None = None
) -> Path:
    """Write the word2vec C format, binary (as the C tool does) or text.

    Text numbers are exact (shortest round-trip form, as gensim writes them)
    unless ``precision`` asks for that many significant digits.
    """
    return write_word2vec_parts(wv.index_to_key, wv.vectors, path, binary=binary,
                                precision=precision)


def write_glove(wv: WordVectors, path: str | Path, precision: int | None = None) -> Path:
    """Write GloVe's text format (word2vec text without the header line)."""
    return write_glove_parts(wv.index_to_key, wv.vectors, path, precision=precision)


# --------------------------------------------------------------------------- native format
def save_native(wv: WordVectors, path: str | Path, meta: Mapping[str, Any] | None = None) -> Path:
    """Save word vectors in the native format (arrays ``words``, ``vectors``, ``counts``).

    ``meta`` (JSON) is stored alongside, merged over ``wv.meta``.
    """
    return write_native_parts(wv.to_parts(), path, meta)


def load_native(path: str | Path, mmap: bool = False, limit: int | None = None) -> WordVectors:
    """Load word vectors from any native file holding ``words`` and ``vectors`` arrays.

    That includes training checkpoints saved by :func:`save_state` with those
    two arrays. ``mmap=True`` maps the vectors read-only instead of reading them.
    """
    return WordVectors.from_parts(read_native_parts(path, mmap=mmap, limit=limit))


# --------------------------------------------------------------------------- fastText .bin
def load_fasttext(path: str | Path, limit: int | None = None) -> WordVectors:
    """Load a Facebook fastText ``.bin`` as :class:`~wordvec.vectors.keyed.FastTextVectors`
    (the whole model: vectors for unseen words, continued training)."""
    return WordVectors.from_parts(read_fasttext_parts(path, limit=limit))


def write_fasttext(wv: WordVectors, path: str | Path) -> Path:
    """Write subword vectors as a Facebook fastText ``.bin`` (atomic)."""
    return write_fasttext_parts(wv.to_parts(), path)


# --------------------------------------------------------------------------- front door
def save_vectors(
    wv: WordVectors,
    path: str | Path,
    format: str | None = None,
    precision: int | None = None,
) -> Path:
    """Save ``wv`` to ``path``; the format comes from ``format=`` or the extension.

    ``.bin`` word2vec binary, ``.txt``/``.vec`` word2vec text (optionally
    followed by ``.gz``/``.bz2``/``.xz``), anything else native; GloVe only
    with ``format="glove"``. ``precision`` (significant digits) applies to
    text formats. The write is atomic.
    """
    return save_parts(wv.to_parts(), path, format=format, precision=precision)


def load_vectors(
    path: str | Path,
    format: str | None = None,
    limit: int | None = None,
    mmap: bool = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    allow_nonfinite: bool = False,
) -> WordVectors:
    """Load word vectors from any supported format (detected from content unless ``format=``).

    ``limit`` keeps the first N words (read no further for the text and
    binary formats). ``mmap=True`` memory-maps native files (ignored for the
    other formats, which must be parsed). A file with NaN or infinite values
    is refused (FormatError naming the first such word and row) unless
    ``allow_nonfinite=True``. Example::

        wv = load_vectors("GoogleNews-vectors-negative300.bin.gz", limit=200_000)
    """
    return WordVectors.from_parts(load_parts(
        path, format=format, limit=limit, mmap=mmap, encoding=encoding,
        unicode_errors=unicode_errors, allow_nonfinite=allow_nonfinite,
    ))
