"""PPMI-SVD on the main benchmark corpus: time, peak memory and accuracy.

For each window size, in a fresh subprocess (so its peak RSS is its own):
encode the corpus, count co-occurrences, build the PPMI matrix, take the
truncated SVD once, then score the vectors for every eigenvalue weighting
(and word + context vectors) on the Google analogies (top 30,000 words,
3CosAdd, as the C tool's compute-accuracy), WordSim-353 and SimLex-999
(Spearman). With ``--sgns`` a skip-gram negative-sampling model is trained on
the same encoded corpus and scored the same way, for the side-by-side that
Levy, Goldberg & Dagan (2015) report: PPMI-SVD on par with SGNS on word
similarity, behind it on analogies.

    .venv/bin/python bench/svd.py                     # windows 2 and 5
    .venv/bin/python bench/svd.py --windows 2 --sgns --json /tmp/svd.json

The corpus (default ../shared/data/corpora/enwiki2015-text8like-part1.txt.xz)
is decompressed once into ``--cache-dir``. BLAS runs on one thread by
default (``--blas-threads``): on a shared 2-core machine multi-threaded BLAS
made ARPACK about twice as slow.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DEFAULT_CORPUS = DATA / "corpora" / "enwiki2015-text8like-part1.txt.xz"
ANALOGIES = DATA / "eval" / "analogy" / "questions-words.txt"
WS353 = DATA / "eval" / "similarity" / "EN-WS-353-ALL.txt"
SIMLEX = DATA / "eval" / "similarity" / "EN-SIMLEX-999.txt"


def plain_corpus(path: Path, cache_dir: Path) -> Path:
    """The corpus as plain text, decompressed once into cache_dir."""
    if path.suffix != ".xz":
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / path.stem
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        tmp = out.with_suffix(".partial")
        with lzma.open(path, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 22)
        tmp.replace(out)
    return out


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate(wv) -> dict:
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs

    a = evaluate_analogies(wv, ANALOGIES, restrict_vocab=30000)
    ws = evaluate_pairs(wv, WS353)
    sl = evaluate_pairs(wv, SIMLEX)
    return {
        "analogy": round(a.accuracy, 4),
        "analogy_sem": round(a.semantic.accuracy, 4),
        "analogy_syn": round(a.syntactic.accuracy, 4),
        "analogy_answered": a.total.total,
        "ws353": round(ws.spearman, 4),
        "simlex": round(sl.spearman, 4),
    }


def run_svd(args: argparse.Namespace, window: int) -> dict:
    """One window size: count, PPMI, SVD once; score every eig weighting."""
    from wordvec.text.encoded import encode_corpus
    from wordvec.train.cooccurrence import cooccurrence, ppmi, svd_vectors, truncated_svd
    from wordvec.vectors.keyed import WordVectors

    res: dict = {"method": "ppmi-svd", "window": window, "weighting": args.weighting,
                 "sample": args.sample, "vector_size": args.vector_size, "solver": args.solver}
    t = time.perf_counter()
    enc = encode_corpus(args.plain, min_count=args.min_count)
    res["encode_s"] = round(time.perf_counter() - t, 2)
    res["rss_after_encode_mb"] = round(peak_rss_mb())
    res["vocab"] = len(enc.vocab)
    res["tokens"] = enc.n_tokens

    t = time.perf_counter()
    counts = cooccurrence(enc, window=window, weighting=args.weighting, sample=args.sample)
    res["count_s"] = round(time.perf_counter() - t, 2)
    res["cooc_nnz"] = int(counts.nnz)
    res["peak_rss_after_count_mb"] = round(peak_rss_mb())

    t = time.perf_counter()
    p = ppmi(counts, cds_alpha=args.cds_alpha, shift=args.shift)
    res["ppmi_s"] = round(time.perf_counter() - t, 2)
    res["ppmi_nnz"] = int(p.nnz)
    del counts
    res["peak_rss_after_ppmi_mb"] = round(peak_rss_mb())

    t = time.perf_counter()
    u, s, vt = truncated_svd(p, args.vector_size, solver=args.solver, seed=1)
    res["svd_s"] = round(time.perf_counter() - t, 2)
    del p
    res["peak_rss_mb"] = round(peak_rss_mb())
    res["total_s"] = round(res["encode_s"] + res["count_s"] + res["ppmi_s"] + res["svd_s"], 2)

    words = enc.vocab.words
    variants = [(f"eig={e:g}", e, False) for e in args.eigs]
    variants += [(f"eig={e:g} w+c", e, True) for e in args.context_eigs]
    res["scores"] = {}
    for name, eig, ctx in variants:
        vecs = svd_vectors(u, s, vt, eig=eig, add_context=ctx)
        res["scores"][name] = evaluate(WordVectors(words, vecs, enc.vocab.counts))
    return res


def run_sgns(args: argparse.Namespace) -> dict:
    """Skip-gram with negative sampling on the same corpus, for comparison."""
    from wordvec.text.encoded import encode_corpus
    from wordvec.train.word2vec import Word2Vec

    enc = encode_corpus(args.plain, min_count=args.min_count)
    model = Word2Vec(model="sg", vector_size=args.vector_size, window=args.sgns_window,
                     negative=5, sample=1e-3, epochs=args.sgns_epochs,
                     workers=args.sgns_workers, seed=1)
    t = time.perf_counter()
    model.fit(enc)
    res = {"method": "sgns", "window": args.sgns_window, "epochs": args.sgns_epochs,
           "workers": args.sgns_workers, "vector_size": args.vector_size,
           "train_s": round(time.perf_counter() - t, 2), "peak_rss_mb": round(peak_rss_mb())}
    res["scores"] = {"syn0": evaluate(model.wv)}
    return res


def child(args: argparse.Namespace) -> None:
    res = run_sgns(args) if args.one == "sgns" else run_svd(args, int(args.one))
    print("RESULT " + json.dumps(res), flush=True)


def spawn(args: argparse.Namespace, what: str) -> dict:
    cmd = [sys.executable, __file__, "--one", what, "--plain", str(args.plain)]
    for name in ("vector_size", "min_count", "weighting", "sample", "cds_alpha", "shift", "solver",
                 "sgns_window", "sgns_epochs", "sgns_workers"):
        cmd += ["--" + name.replace("_", "-"), str(getattr(args, name))]
    cmd += ["--eigs", *map(str, args.eigs)]
    if args.context_eigs:
        cmd += ["--context-eigs", *map(str, args.context_eigs)]
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.blas_threads)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{what} failed:\n{out.stderr[-3000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/wordvec-cache"))
    ap.add_argument("--windows", type=int, nargs="*", default=[2, 5])
    ap.add_argument("--vector-size", type=int, default=100)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--weighting", default="harmonic")
    ap.add_argument("--sample", type=float, default=1e-3, help="dirty subsampling before counting")
    ap.add_argument("--cds-alpha", type=float, default=0.75)
    ap.add_argument("--shift", type=float, default=1.0)
    ap.add_argument("--solver", default="arpack")
    ap.add_argument("--eigs", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    ap.add_argument("--context-eigs", type=float, nargs="*", default=[0.5],
                    help="eig values also scored as word + context vectors")
    ap.add_argument("--blas-threads", type=int, default=1)
    ap.add_argument("--sgns", action="store_true", help="also train skip-gram (SGNS)")
    ap.add_argument("--sgns-window", type=int, default=5)
    ap.add_argument("--sgns-epochs", type=int, default=5)
    ap.add_argument("--sgns-workers", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write all results here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--plain", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        child(args)
        return
    for f in (args.corpus, ANALOGIES, WS353, SIMLEX):
        if not f.exists():
            sys.exit(f"missing {f}: this benchmark needs ../shared/data next to the checkout")
    args.plain = plain_corpus(args.corpus, args.cache_dir)
    results = []
    jobs = [str(w) for w in args.windows] + (["sgns"] if args.sgns else [])
    for what in jobs:
        res = spawn(args, what)
        results.append(res)
        print(json.dumps(res), flush=True)
    print()
    print(f"{'model':<36} {'analogy':>8} {'sem':>6} {'syn':>6} {'WS353':>6} {'SimLex':>6}"
          f" {'time s':>7} {'peak MB':>8}")
    for res in results:
        label = (f"SVD w={res['window']} {res['weighting'][:4]} s={res['sample']:g}"
                 if res["method"] == "ppmi-svd"
                 else f"SGNS win={res['window']} ep={res['epochs']}")
        secs = res.get("total_s", res.get("train_s"))
        for name, sc in res["scores"].items():
            print(f"{label + ' ' + name:<36} {sc['analogy']:>8.3f} {sc['analogy_sem']:>6.3f}"
                  f" {sc['analogy_syn']:>6.3f} {sc['ws353']:>6.3f} {sc['simlex']:>6.3f}"
                  f" {secs:>7.1f} {res['peak_rss_mb']:>8}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
