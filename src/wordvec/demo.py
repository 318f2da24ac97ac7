"""The demo: train on the built-in synthetic corpus and show what was learned.

``wordvec demo`` (and ``make demo``) writes the synthetic corpus, trains
skip-gram with negative sampling on it with the compiled engine, then prints
nearest neighbours, a few analogies ("king - man + woman"), the accuracy on
all planted analogies, and writes a loss-curve PNG.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TextIO

logger = logging.getLogger("wordvec")

#: Settings the demo trains with: small vectors, many epochs on a small corpus.
DEMO_SETTINGS = {
    "sg": 1,
    "vector_size": 50,
    "window": 5,
    "negative": 5,
    "sample": 1e-3,
    "min_count": 5,
    "epochs": 10,
    "seed": 1,
}


def run_demo(
    out_dir: str | Path = "demo-output",
    n_words: int = 300_000,
    quiet: bool = False,
    workers: int | None = None,
    out: TextIO | None = None,
) -> dict:
    """Run the demo; print to ``out`` (stdout) and return the key results.

    Returns a dict with the analogy accuracy, the loss per epoch and the
    paths written.
    """
    from wordvec import synthetic
    from wordvec.plot import plot_loss
    from wordvec.train import kernels
    from wordvec.train.word2vec import Word2Vec
    from wordvec.vectors.evaluate import evaluate_analogies
    from wordvec.vectors.formats import save_vectors

    out = out or sys.stdout
    # a cold kernel cache compiles in another process while the corpus is written
    kernels.compile_in_background(DEMO_SETTINGS["vector_size"], DEMO_SETTINGS["negative"],
                                  True, False)
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    corpus_path = synthetic.write_corpus(d / "corpus.txt", n_words=n_words, seed=0)
    questions_path = synthetic.write_analogies(d / "analogies.txt")
    print(f"corpus: {corpus_path} ({n_words:,} words of synthetic English)", file=out)
    print("training skip-gram with negative sampling (the first run compiles the kernels, "
          "about 10 s) ...", file=out, flush=True)

    settings = dict(DEMO_SETTINGS)
    if workers is not None:
        settings["workers"] = workers
    model = Word2Vec(**settings)
    model.fit(corpus_path)
    train_s = time.perf_counter() - t0
    wv = model.wv
    print(
        f"trained skip-gram (negative sampling), {len(wv)} words x {wv.vector_size} dims, "
        f"{settings['epochs']} epochs, in {train_s:.1f} s",
        file=out,
    )

    print("\nnearest neighbours", file=out)
    for word in synthetic.demo_words():
        if word in wv:
            near = ", ".join(f"{w} {s:.2f}" for w, s in wv.most_similar(word, topn=5))
            print(f"  {word:>8}: {near}", file=out)

    print("\nanalogies (a : b :: c : ?  =  b - a + c)", file=out)
    for a, b, c, expected in synthetic.DEMO_ANALOGIES:
        got = wv.most_similar(positive=[b, c], negative=[a], topn=3)
        mark = "ok" if got[0][0] == expected else f"expected {expected}"
        answers = ", ".join(f"{w} {s:.2f}" for w, s in got)
        print(f"  {a} : {b} :: {c} : ?   ->  {answers}   [{mark}]", file=out)

    result = evaluate_analogies(wv, questions_path)
    accuracy = result.accuracy
    print(
        f"\nall planted analogies: {result.total.correct}/{result.total.total} correct "
        f"({100 * accuracy:.1f}%)",
        file=out,
    )

    vectors_path = save_vectors(wv, d / "vectors.txt")
    loss_path = plot_loss(model.losses, d / "loss.png", title="demo: skip-gram training loss")
    print(f"\nvectors:    {vectors_path}", file=out)
    print(f"loss curve: {loss_path}", file=out)
    print(f"total time: {time.perf_counter() - t0:.1f} s", file=out)
    return {
        "accuracy": accuracy,
        "losses": list(model.losses),
        "vectors": vectors_path,
        "loss_plot": loss_path,
    }
