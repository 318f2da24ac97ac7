"""Training on a Dask cluster against one process, and a scaling model from the measured costs.

Usage (from the repository root; needs ``pip install -e '.[cluster]'``)::

    .venv/bin/python bench/cluster.py                 # sg NS d100, 5 epochs
    .venv/bin/python bench/cluster.py --epochs 1      # a quicker look
    .venv/bin/python bench/cluster.py --corpus other.txt --data ../shared/data

What it does, on this machine:

1. One process with 2 threads (``Word2Vec(workers=2).fit(path)``), then a
   ``LocalCluster`` of 2 worker processes with 1 thread each
   (``fit(path, client=...)``), same settings (skip-gram, negative sampling,
   d 100, window 5, sample 1e-3, min_count 5). Numba's disk cache is warmed
   first (a tiny run in each kind of process), so no timing includes a compile.
2. For each: wall time of training, words/s, analogy accuracy
   (questions-words.txt, 30,000 most frequent words), WS-353 and SimLex-999
   Spearman.
3. For the cluster run: rounds, bytes moved per round (all links), seconds of
   synchronisation per round and their share of the training time.
4. Vocabulary counting speed (the map-reduce of ``cluster_vocab``) with 1 and 2 workers.
5. A scaling model from those measurements: words/s and synchronisation
   share at 4, 8, 16 and 32 nodes on 1 and 10 Gb/s links, for this corpus's
   vocabulary and dimension and for a 1M x 300 model (see :func:`scaling_model`).

The load average is printed before and after: on a shared machine the
timings are only as good as the quiet they ran in.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
ANALOGIES = "eval/analogy/questions-words.txt"
WS353 = "eval/similarity/EN-WS-353-ALL.txt"
SIMLEX = "eval/similarity/EN-SIMLEX-999.txt"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def evaluate(wv, data: Path) -> dict:
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs

    out = {"analogy": evaluate_analogies(wv, data / ANALOGIES, restrict_vocab=30_000).accuracy}
    for name, rel in (("ws353", WS353), ("simlex", SIMLEX)):
        out[name] = evaluate_pairs(wv, data / rel).spearman
    return out


def scaling_model(rate_1: float, dim_measured: int, round_seconds: float, hop_latency: float,
                  vocab: int, dim: int, tokens: int, hot_rows: int = 4096,
                  matrices: int = 2) -> list[dict]:
    """Predicted words/s and synchronisation share for a cluster of N nodes.

    Assumptions (each stated so it can be checked against a real cluster):

    * a node trains ``rate_1 * dim_measured / dim`` words/s (the kernel's work
      grows with the dimension), for ``round_seconds`` per round;
    * rows per round: the :class:`~wordvec.train.cluster.SyncPlan` average
      (tier ``t`` every ``2**t`` rounds) plus one full synchronisation per epoch
      spread over its rounds; ``matrices`` float32 matrices of width ``dim``;
    * the reduce tree has ``ceil(log2 N)`` levels; at each level a node
      receives two children's sums and sends one up, then receives the result
      and sends it to two children: ``3 S`` bytes each way on its link, with ``S``
      the rows' bytes; levels run one after the other; each hop also costs
      ``hop_latency`` (measured here: the round's synchronisation time less
      its bytes at memory speed);
    * training waits for the synchronisation (the rounds are synchronous).
    """
    from wordvec.train.cluster import SyncPlan

    plan = SyncPlan(vocab, min(hot_rows, vocab))
    tiers = plan.tiers()
    rows_avg = sum((hi - lo) / (1 << t) for t, (lo, hi) in enumerate(tiers))
    rate = rate_1 * dim_measured / dim
    out = []
    for gbit in (1, 10):
        bw = gbit * 1e9 / 8
        for nodes in (4, 8, 16, 32):
            rounds_per_epoch = max(1.0, tokens / (nodes * rate * round_seconds))
            rows = rows_avg + vocab / rounds_per_epoch
            s_bytes = rows * dim * 4 * matrices
            levels = math.ceil(math.log2(nodes))
            sync = levels * (3 * s_bytes / bw + 2 * hop_latency)
            share = sync / (round_seconds + sync)
            # the shortest round (training seconds) that keeps the sync at 20% or less
            needed = 4 * sync
            out.append({"gbit": gbit, "nodes": nodes, "rows_per_round": rows, "round_80": needed,
                        "mb_per_round": s_bytes / 1e6, "sync_s": sync, "share": share,
                        "words_per_s": nodes * rate * (1 - share), "efficiency": 1 - share})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=None,
                    help="plain-text corpus (default: the main corpus of ../shared/data)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--round-seconds", type=float, default=0.5)
    args = ap.parse_args()
    if args.corpus is None:  # the main corpus, decompressed once by bench/speed.py's helper
        from speed import main_corpus

        args.corpus = main_corpus(args.data)
    import distributed

    from wordvec.synthetic import write_corpus
    from wordvec.train.cluster import cluster_vocab
    from wordvec.train.config import Word2VecConfig
    from wordvec.train.word2vec import Word2Vec

    settings = dict(model="sg", vector_size=100, window=5, negative=5, sample=1e-3,
                    min_count=5, epochs=args.epochs, seed=1)
    print(f"corpus {args.corpus} ({args.corpus.stat().st_size / 1e6:.0f} MB), "
          f"{args.epochs} epoch(s), load average {load()}", flush=True)
    warm = write_corpus(Path(os.environ.get("TMPDIR", "/tmp")) / "wordvec-warm.txt", 20_000)
    Word2Vec(**{**settings, "epochs": 1, "workers": 2}).fit(str(warm))

    t = time.perf_counter()
    single = Word2Vec(**settings, workers=2).fit(str(args.corpus))
    single_wall = time.perf_counter() - t
    n = single.corpus.n_tokens
    rows = [("1 process x 2 threads", single_wall, single.train_seconds, evaluate(single.wv,
                                                                                   args.data))]
    wps = n * args.epochs / single.train_seconds
    print(f"single: {single.train_seconds:.1f} s training, {wps:,.0f} words/s, load {load()}",
          flush=True)

    results = {}
    for workers in (1, 2):
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None,
                                           silence_logs=50)
        client = distributed.Client(cluster)
        cluster_vocab(client, [str(warm)], Word2VecConfig(min_count=5))  # warm the workers
        t = time.perf_counter()
        _, corpus, _, _ = cluster_vocab(client, [str(args.corpus)], Word2VecConfig(min_count=5))
        results[workers] = {"vocab_s": corpus.stats["vocab_seconds"],
                            "vocab_and_encode_s": time.perf_counter() - t}
        if workers == 2:
            Word2Vec(**{**settings, "epochs": 1, "workers": 1}).fit(str(warm), client=client)
            t = time.perf_counter()
            m = Word2Vec(**settings, workers=1).fit(str(args.corpus), client=client,
                                                    round_seconds=args.round_seconds)
            wall = time.perf_counter() - t
            rows.append(("2 processes x 1 thread", wall, m.train_seconds,
                         evaluate(m.wv, args.data)))
            stats = m.cluster_stats
        client.close()
        cluster.close()
    print(f"load average after: {load()}\n")

    print(f"{'run':<24}{'wall s':>8}{'train s':>9}{'words/s':>11}{'analogy':>9}{'WS-353':>8}"
          f"{'SimLex':>8}")
    for name, wall, train, ev in rows:
        print(f"{name:<24}{wall:>8.1f}{train:>9.1f}{n * args.epochs / train:>11,.0f}"
              f"{ev['analogy']:>9.4f}{ev['ws353']:>8.4f}{ev['simlex']:>8.4f}")
    speed = rows[0][2] / rows[1][2]
    print(f"\ncluster speed / single speed (training time): {speed:.2f}")
    per_round_bytes = stats.bytes_moved / max(stats.rounds, 1)
    per_round_sync = stats.sync_seconds / max(stats.rounds, 1)
    print(f"sync: {stats.rounds} rounds, {per_round_bytes / 1e6:.2f} MB and "
          f"{per_round_sync * 1e3:.1f} ms per round, {100 * stats.sync_share:.1f}% of "
          f"{stats.wall_seconds:.1f} s")
    for w, r in results.items():
        print(f"vocabulary map-reduce with {w} worker(s): count+merge {r['vocab_s']:.2f} s, "
              f"with encoding {r['vocab_and_encode_s']:.2f} s")

    # the scaling model, from the measured per-replica rate and per-hop latency
    rate_1 = n * args.epochs / 2 / stats.train_seconds  # words/s of one replica while training
    hop_latency = max(per_round_sync - per_round_bytes / 5e9, 1e-4) / 2
    print(f"\nscaling model (measured: {rate_1:,.0f} words/s per 1-thread replica at d100, "
          f"{hop_latency * 1e3:.1f} ms per hop, rounds of {args.round_seconds} s)")
    shapes = (("this corpus", len(m.vocab), 100, n),
              ("1M x d300, 3B tokens (a Wikipedia dump)", 1_000_000, 300, 3_000_000_000))
    for label, vocab, dim, tokens in shapes:
        print(f"  {label} (vocab {vocab:,}, d {dim}):")
        print(f"    {'Gb/s':>5}{'nodes':>6}{'rows/round':>12}{'MB/round':>10}{'sync s':>8}"
              f"{'share':>7}{'efficiency':>11}{'words/s':>13}{'round for 0.8':>15}")
        for r in scaling_model(rate_1, 100, args.round_seconds, hop_latency, vocab, dim,
                               tokens):
            print(f"    {r['gbit']:>5}{r['nodes']:>6}{r['rows_per_round']:>12,.0f}"
                  f"{r['mb_per_round']:>10.2f}{r['sync_s']:>8.3f}{r['share']:>7.1%}"
                  f"{r['efficiency']:>11.2f}{r['words_per_s']:>13,.0f}"
                  f"{r['round_80']:>13.2f} s")


if __name__ == "__main__":
    main()
