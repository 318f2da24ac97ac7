"""How long does one nearest-neighbour query take on a large vocabulary?

Builds random float32 vectors (default 1,000,000 words x 100 dimensions),
then times ``most_similar`` (one word, and a 3-word analogy), a batch of
queries, and, if gensim is installed, gensim's ``most_similar`` on the very
same matrix. With ``--io`` it also times saving and opening the vectors in
the native format (memory-mapped) and in word2vec binary.

    .venv/bin/python bench/query_latency.py
    .venv/bin/python bench/query_latency.py --vocab 200000 --dim 300 --io --json out.json

Numbers are wall-clock medians over ``--repeats`` queries on random words;
the first query (which computes and caches the row norms) is reported
separately. Run it on an otherwise idle machine for stable figures.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from wordvec.vectors.formats import load_vectors, save_vectors
from wordvec.vectors.keyed import WordVectors


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def median_ms(fn, args_list):
    times = []
    for args in args_list:
        t, _ = timed(lambda a=args: fn(*a))
        times.append(t * 1e3)
    return statistics.median(times), max(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vocab", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--topn", type=int, default=10)
    p.add_argument("--batch", type=int, default=256, help="queries in the batched test")
    p.add_argument("--no-gensim", action="store_true")
    p.add_argument("--io", action="store_true", help="also time saving and loading")
    p.add_argument("--json", type=Path, help="write the figures here too")
    args = p.parse_args(argv)

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(args.vocab)]
    vectors = rng.standard_normal((args.vocab, args.dim), dtype=np.float32)
    queries = [(f"w{i}",) for i in rng.integers(0, args.vocab, args.repeats)]
    picks = rng.integers(0, args.vocab, (args.repeats, 3))
    triples = [tuple(f"w{i}" for i in row) for row in picks]

    res = {
        "vocab": args.vocab,
        "dim": args.dim,
        "topn": args.topn,
        "repeats": args.repeats,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
    }
    t, wv = timed(lambda: WordVectors(words, vectors))
    res["wordvec_build_s"] = t

    def query_figures(name, kv):
        """The same queries through the same gensim-style API, for either system."""
        t, _ = timed(lambda: kv.most_similar("w0", topn=args.topn))
        res[f"{name}_first_query_ms"] = t * 1e3
        res[f"{name}_most_similar_ms"], res[f"{name}_most_similar_max_ms"] = median_ms(
            lambda w: kv.most_similar(w, topn=args.topn), queries
        )
        res[f"{name}_analogy_ms"], _ = median_ms(
            lambda a, b, c: kv.most_similar(positive=[b, c], negative=[a], topn=args.topn),
            triples,
        )

    query_figures("wordvec", wv)
    batch_pos = [[f"w{i}"] for i in rng.integers(0, args.vocab, args.batch)]
    t, _ = timed(lambda: wv.most_similar_batch(batch_pos, topn=args.topn))
    res["wordvec_batch_ms_per_query"] = t * 1e3 / args.batch

    if not args.no_gensim:
        try:
            from gensim.models import KeyedVectors
        except ImportError:
            print("gensim not installed: skipping its figures", file=sys.stderr)
        else:
            def build():
                kv = KeyedVectors(args.dim)
                kv.add_vectors(words, vectors)
                return kv

            t, kv = timed(build)
            res["gensim_build_s"] = t
            query_figures("gensim", kv)
            same = [w for w, _ in kv.most_similar(queries[0][0], topn=args.topn)] == [
                w for w, _ in wv.most_similar(queries[0][0], topn=args.topn)
            ]
            res["same_neighbours_as_gensim"] = same
            del kv

    if args.io:
        with tempfile.TemporaryDirectory(dir=".") as tmp:
            native = Path(tmp) / "v.wv"
            binary = Path(tmp) / "v.bin"
            res["save_native_s"], _ = timed(lambda: save_vectors(wv, native))
            res["save_word2vec_bin_s"], _ = timed(lambda: save_vectors(wv, binary))
            res["open_native_mmap_s"], _ = timed(lambda: load_vectors(native, mmap=True))
            res["load_native_s"], _ = timed(lambda: load_vectors(native))
            res["load_word2vec_bin_s"], _ = timed(lambda: load_vectors(binary))

    width = max(len(k) for k in res)
    for key, value in res.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
