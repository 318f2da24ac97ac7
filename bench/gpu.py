"""GPU engine against the CPU engine: training speed and quality after 1 and 5 epochs.

Usage (from the repository root, on a machine with an NVIDIA GPU and its driver)::

    .venv/bin/python bench/gpu.py                         # d 100 and 300, 1 and 5 epochs
    .venv/bin/python bench/gpu.py --sizes 100 --epochs 1  # one quick row per engine
    .venv/bin/python bench/gpu.py --no-cpu --json gpu.json
    NUMBA_ENABLE_CUDASIM=1 .venv/bin/python bench/gpu.py --smoke   # end to end, no GPU

For every vector size and number of epochs it trains skip-gram (window 5,
negative 5, sample 1e-3, min_count 5) on the main corpus
(``enwiki2015-text8like-part1.txt.xz``, 17M words) once with
``device="cuda"`` and once on the CPU (all cores), each run a fresh model with
its own learning-rate schedule, and reports:

* training words per second: corpus words x epochs / training seconds (the
  vocabulary and the encoding of the corpus are built before the clock starts;
  the GPU kernel is compiled beforehand on a small corpus, so the time is that
  of a warm run);
* Google analogy accuracy (30,000 most frequent words, as gensim and the C
  tool) and WordSim-353 Spearman, with ``wordvec.vectors.evaluate``.

The issue's targets on one H100/H200-class GPU: at least 50M words/s at d 100,
and analogy accuracy within 1 point of the CPU engine's.

``--smoke`` runs the same code end to end on a 600-word synthetic corpus
(vector size 8, 1 and 2 epochs, the synthetic analogies): it checks the script,
not the speed, and is what the test suite runs under Numba's CUDA simulator.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
CORPUS = "corpora/enwiki2015-text8like-part1.txt.xz"
ANALOGIES = "eval/analogy/questions-words.txt"
WS353 = "eval/similarity/EN-WS-353-ALL.txt"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    p.add_argument("--corpus", type=Path, help="corpus (default: the main corpus in --data)")
    p.add_argument("--sizes", default="100,300", help="vector sizes (default 100,300)")
    p.add_argument("--epochs", default="1,5", help="epoch counts (default 1,5)")
    p.add_argument("--model", choices=["sg", "cbow"], default="sg")
    p.add_argument("--workers", type=int, help="CPU engine threads (default: all cores)")
    p.add_argument("--no-cpu", action="store_true", help="train on the GPU only")
    p.add_argument("--json", type=Path, help="also write the rows as JSON")
    p.add_argument("--smoke", action="store_true",
                   help="a tiny synthetic corpus, d 8, 1 and 2 epochs: checks the script runs")
    return p.parse_args(argv)


def evaluate(wv, analogies: Path | None, ws353: Path | None) -> dict:  # noqa: ANN001
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs

    out = {}
    if analogies is not None and analogies.exists():
        out["analogy"] = 100.0 * float(evaluate_analogies(wv, analogies,
                                                          restrict_vocab=30000).accuracy)
    if ws353 is not None and ws353.exists():
        try:
            out["ws353"] = float(evaluate_pairs(wv, ws353).spearman)
        except Exception as exc:  # a tiny vocabulary may know none of the pairs
            out["ws353_error"] = str(exc)
    return out


def train_one(corpus: Path, device: str, size: int, epochs: int, args: argparse.Namespace,
              n_words: list[int]) -> dict:
    from wordvec import Word2Vec

    kw = dict(model=args.model, vector_size=size, window=5, negative=5, sample=1e-3,
              min_count=args.min_count, epochs=epochs, seed=1, device=device)
    if device == "cpu" and args.workers:
        kw["workers"] = args.workers
    model = Word2Vec(**kw)
    t0 = time.perf_counter()
    model.build_vocab(str(corpus))
    prep = time.perf_counter() - t0
    model.train()
    words = model.corpus.n_tokens * epochs
    n_words[0] = model.corpus.n_tokens
    row = {"device": device, "size": size, "epochs": epochs, "prepare_s": round(prep, 2),
           "train_s": round(model.train_seconds, 3),
           "words_per_s": words / model.train_seconds if model.train_seconds > 0 else 0.0,
           "loss": [round(x, 4) for x in model.losses]}
    row.update(evaluate(model.wv, args.analogies, args.ws353))
    return row


def warm_up(size: int, args: argparse.Namespace, tmp: Path) -> None:
    """Compile the GPU kernel for ``size`` on a small corpus (Numba compiles at first launch)."""
    from wordvec import Word2Vec
    from wordvec.synthetic import write_corpus

    small = tmp / "warm.txt"
    if not small.exists():
        write_corpus(small, n_words=2000, seed=3)
    Word2Vec(model=args.model, vector_size=size, window=5, negative=5, min_count=1,
             epochs=1, device="cuda").fit(str(small))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from wordvec.train import cuda

    if not cuda.cuda_available():
        print("bench/gpu.py: no CUDA device (numba.cuda.is_available() is False); run it on a "
              "GPU machine, or with NUMBA_ENABLE_CUDASIM=1 and --smoke", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wordvec-gpu-bench-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, tmp: Path) -> int:
    from wordvec.train import cuda

    if args.smoke:
        from wordvec.synthetic import write_analogies, write_corpus

        corpus = write_corpus(tmp / "smoke.txt", n_words=600, seed=1)
        args.analogies = write_analogies(tmp / "analogies.txt")
        args.ws353 = None
        sizes, epoch_list, args.min_count = [8], [1, 2], 1
    else:
        corpus = args.corpus or args.data / CORPUS
        if not corpus.exists():
            print(f"bench/gpu.py: corpus not found: {corpus} (give --data or --corpus)",
                  file=sys.stderr)
            return 2
        args.analogies, args.ws353 = args.data / ANALOGIES, args.data / WS353
        sizes = [int(x) for x in args.sizes.split(",")]
        epoch_list = [int(x) for x in args.epochs.split(",")]
        args.min_count = 5
    devices = ["cuda"] + ([] if args.no_cpu else ["cpu"])
    print(f"corpus {corpus}; model {args.model}; devices {', '.join(devices)}; "
          f"{'CUDA simulator' if cuda.simulator_enabled() else 'GPU'}; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    rows, n_words = [], [0]
    head = f"{'device':>6} {'d':>4} {'ep':>3} {'train s':>9} {'words/s':>12} " \
           f"{'analogy %':>9} {'WS-353':>7}"
    print(head)
    for size in sizes:
        if not cuda.simulator_enabled():  # the simulator compiles nothing
            warm_up(size, args, tmp)
        for epochs in epoch_list:
            for device in devices:
                row = train_one(Path(corpus), device, size, epochs, args, n_words)
                rows.append(row)
                print(f"{device:>6} {size:>4} {epochs:>3} {row['train_s']:>9.2f} "
                      f"{row['words_per_s']:>12,.0f} {row.get('analogy', float('nan')):>9.2f} "
                      f"{row.get('ws353', float('nan')):>7.3f}", flush=True)
    for size in sizes:
        for epochs in epoch_list:
            pair = {r["device"]: r for r in rows if r["size"] == size and r["epochs"] == epochs}
            if "cpu" in pair and pair["cpu"]["words_per_s"] > 0:
                g, c = pair["cuda"], pair["cpu"]
                print(f"d {size}, {epochs} epoch(s): GPU/CPU speed "
                      f"{g['words_per_s'] / c['words_per_s']:.2f}x, analogy "
                      f"{g.get('analogy', float('nan')) - c.get('analogy', float('nan')):+.2f} "
                      "points")
    if args.json:
        args.json.write_text(json.dumps({"corpus": str(corpus), "corpus_words": n_words[0],
                                         "model": args.model, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
