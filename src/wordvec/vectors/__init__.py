"""Trained vectors: queries, evaluation and files.

``keyed`` holds :class:`WordVectors` (gensim's KeyedVectors names) and its
top-k search; ``evaluate`` the analogy and word-pair benchmarks; ``formats``
reads and writes word2vec text/binary, GloVe and the native format (the front
door over the file layers ``files``, ``word2vec_format``, ``store`` and
:mod:`wordvec.native`).
"""

from wordvec.vectors.keyed import (
    UnknownWordError,
    WordVectors,
    top_indices,
    top_indices_rows,
    unit_rows,
    unit_vector,
)

__all__ = ["UnknownWordError", "WordVectors", "top_indices", "top_indices_rows", "unit_rows",
           "unit_vector"]
