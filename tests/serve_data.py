"""Small, structured vectors for the `wordvec serve` tests (no training: built in ~0.1 s).

Each planted pair of wordvec.synthetic (king/queen, paris/france, dog/dogs,
walk/walked) gets a topic vector shared by its two words plus its section's
relation offset for the second word, so the analogies hold and each word's
neighbours are the words of its own family. Filler words make up the rest.
"""

from pathlib import Path

import numpy as np

from wordvec.synthetic import planted_pairs, write_analogies
from wordvec.vectors import WordVectors


def make_vectors(n_words=2000, dim=32, noise=0.15, seed=0):
    rng = np.random.default_rng(seed)
    words, rows = [], []
    for s, pairs in enumerate(planted_pairs().values()):
        section = np.random.default_rng(100 + s).standard_normal(dim)
        relation = np.random.default_rng(200 + s).standard_normal(dim)
        for i, (w1, w2) in enumerate(pairs):
            topic = section + 0.8 * np.random.default_rng(1000 * s + i).standard_normal(dim)
            for w, vec in ((w1, topic), (w2, topic + relation)):
                if w not in words:
                    words.append(w)
                    rows.append(vec + noise * rng.standard_normal(dim))
    k = 0
    while len(words) < n_words:
        words.append(f"filler{k}")
        rows.append(3 * rng.standard_normal(dim))
        k += 1
    return WordVectors(words, np.asarray(rows, dtype=np.float32))


def write_models(folder: Path):
    """Two native models (the second noisier, like an earlier epoch), an analogy and a pair file."""
    folder = Path(folder)
    a = make_vectors(seed=0).save(folder / "sg.wv")
    b = make_vectors(seed=1, noise=0.6).save(folder / "epoch1.wv")
    questions = write_analogies(folder / "questions.txt")
    pairs = folder / "pairs.tsv"
    pairs.write_text("king\tqueen\t8.5\nparis\tfrance\t9.0\ndog\tcat\t7.0\n"
                     "king\tdogs\t1.0\nwalk\tparis\t0.5\nqueen\tfrance\t2.0\n")
    return a, b, questions, pairs
