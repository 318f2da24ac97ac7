"""Subword (fastText) model: wordvec against gensim FastText and the fastText tool.

Usage (from the repository root)::

    .venv/bin/python bench/fasttext.py                         # 1 epoch, 2 threads
    .venv/bin/python bench/fasttext.py --epochs 5
    .venv/bin/python bench/fasttext.py --systems wordvec,word2vec --epochs 1

Every system trains skip-gram with the same settings (dimensions 100, window 5,
5 noise words, n-grams of 3..6 characters in 2,000,000 buckets, min count 5,
subsampling 1e-4, learning rate 0.025 falling linearly to zero) in its own
fresh subprocess, one after the other:

* ``wordvec``  -- :class:`wordvec.train.fasttext.FastText`;
* ``word2vec`` -- wordvec's plain skip-gram (no subwords), for the syntactic
  analogies the subword model should raise;
* ``gensim``   -- ``gensim.models.FastText`` with ``corpus_file`` (its fastest
  mode; the corpus cut into lines of 10,000 words, as that mode needs);
* ``fasttext`` -- the ``fasttext`` package's ``train_unsupervised`` (the
  fastText tool's code), if installed.

"End to end" is the wall-clock time of reading the corpus, building the
vocabulary and training (saving excluded); words/s divide the corpus's words
times epochs by it. Each system saves its model as a fastText ``.bin``
(wordvec's plain skip-gram as native vectors), and the parent evaluates all
of them with the same code (``wordvec.vectors.evaluate``): Google analogies
(30,000 most frequent words; semantic and syntactic), WS-353 and SimLex-999
Spearman over the pairs whose words are all in the vocabulary, and the share
of the pairs with an unseen word that a model can still answer (subword
models build those words from their n-grams). The load average is printed
before and after: the numbers are only comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this file is named fasttext.py: keep its folder from shadowing the fasttext package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
EVAL = ROOT.parent / "shared" / "data" / "eval"
ANALOGIES = "analogy/questions-words.txt"
PAIRS = {"ws353": "similarity/EN-WS-353-ALL.txt", "simlex": "similarity/EN-SIMLEX-999.txt"}
LINE_WORDS = 10_000


def settings(args: argparse.Namespace) -> dict:
    return {"dim": args.size, "window": args.window, "negative": args.negative,
            "epochs": args.epochs, "workers": args.workers, "min_count": args.min_count,
            "sample": args.sample, "alpha": args.alpha,
            "min_alpha": args.alpha * 1e-4 if args.min_alpha is None else args.min_alpha,
            "minn": args.minn, "maxn": args.maxn, "bucket": args.bucket,
            "shared_negatives": args.shared_negatives}


# ----------------------------------------------------------------------------- children
def child(system: str, corpus: str, lines: str, out: str, s: dict) -> dict:
    t0 = time.perf_counter()
    if system in ("wordvec", "word2vec"):
        from wordvec.train.fasttext import FastText
        from wordvec.train.word2vec import Word2Vec

        common = dict(model="sg", vector_size=s["dim"], window=s["window"],
                      negative=s["negative"], epochs=s["epochs"], workers=s["workers"],
                      min_count=s["min_count"], sample=s["sample"], alpha=s["alpha"],
                      min_alpha=s["min_alpha"])
        if system == "wordvec":
            m = FastText(min_n=s["minn"], max_n=s["maxn"], bucket=s["bucket"],
                         shared_negatives=s["shared_negatives"], **common)
        else:
            m = Word2Vec(**common)
        m.build_vocab(corpus)
        t1 = time.perf_counter()
        m.train()
        t2 = time.perf_counter()
        m.wv.save(out)
        vocab = len(m.vocab)
    elif system == "gensim":
        from gensim.models import FastText as GensimFastText
        from gensim.models.fasttext import save_facebook_model

        m = GensimFastText(sg=1, vector_size=s["dim"], window=s["window"],
                           negative=s["negative"], epochs=s["epochs"], workers=s["workers"],
                           min_count=s["min_count"], sample=s["sample"], alpha=s["alpha"],
                           min_alpha=s["min_alpha"], min_n=s["minn"], max_n=s["maxn"],
                           bucket=s["bucket"], seed=1)
        m.build_vocab(corpus_file=lines)
        t1 = time.perf_counter()
        m.train(corpus_file=lines, total_words=m.corpus_total_words, epochs=s["epochs"])
        t2 = time.perf_counter()
        save_facebook_model(m, out)
        vocab = len(m.wv)
    else:
        import fasttext

        t1 = t0
        m = fasttext.train_unsupervised(
            lines, model="skipgram", dim=s["dim"], ws=s["window"], neg=s["negative"],
            epoch=s["epochs"], thread=s["workers"], minCount=s["min_count"], t=s["sample"],
            lr=s["alpha"], minn=s["minn"], maxn=s["maxn"], bucket=s["bucket"], verbose=0)
        t2 = time.perf_counter()
        m.save_model(out)
        vocab = len(m.get_words())
    return {"system": system, "vocab_s": t1 - t0, "train_s": t2 - t1, "total_s": t2 - t0,
            "cpu_s": time.process_time(), "vocab_size": vocab}


# ----------------------------------------------------------------------------- evaluation
def evaluate(path: str) -> dict:
    from scipy import stats

    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs
    from wordvec.vectors.formats import load_vectors

    wv = load_vectors(path)
    a = evaluate_analogies(wv, EVAL / ANALOGIES, restrict_vocab=30000)
    out = {"analogy": a.accuracy, "semantic": a.semantic.accuracy,
           "syntactic": a.syntactic.accuracy}
    for name, rel in PAIRS.items():
        out[name] = float(evaluate_pairs(wv, EVAL / rel).spearman)
        unseen, answered, gold, sims = 0, 0, [], []
        for line in open(EVAL / rel, encoding="utf-8"):
            parts = line.lower().split("\t")
            if len(parts) < 3 or line.startswith("#"):
                continue
            w1, w2 = parts[0], parts[1]
            if w1 in wv.key_to_index and w2 in wv.key_to_index:
                continue
            unseen += 1
            try:
                sims.append(wv.similarity(w1, w2))
                gold.append(float(parts[2]))
                answered += 1
            except KeyError:
                pass
        out[f"{name}_unseen_pairs"] = unseen
        out[f"{name}_unseen_answered"] = answered
        if len(gold) > 2:
            out[f"{name}_unseen_spearman"] = float(stats.spearmanr(gold, sims).statistic)
    return out


def warm(args: argparse.Namespace) -> None:
    """Compile (or load from Numba's cache) wordvec's kernels once, outside the timings."""
    from wordvec.synthetic import generate_sentences
    from wordvec.train.fasttext import FastText
    from wordvec.train.word2vec import Word2Vec

    text = list(generate_sentences(300, seed=1))
    common = dict(model="sg", vector_size=args.size, negative=args.negative, min_count=1,
                  epochs=1, workers=1)
    FastText(bucket=100, **common).fit(text)
    Word2Vec(**common).fit(text)


def lines_file(corpus: Path, cache: Path) -> Path:
    """The corpus cut into lines of 10,000 words (gensim's corpus_file needs short lines)."""
    cache.mkdir(parents=True, exist_ok=True)
    (cache / ".gitignore").write_text("*\n")
    dst = cache / (corpus.name + ".lines.txt")
    if not dst.exists():
        words = corpus.read_bytes().split()
        with open(dst.with_suffix(".tmp"), "wb") as f:
            for i in range(0, len(words), LINE_WORDS):
                f.write(b" ".join(words[i:i + LINE_WORDS]) + b"\n")
        dst.with_suffix(".tmp").replace(dst)
    return dst


def main(argv: list | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="a plain-text corpus (default: the main corpus of "
                    "../shared/data, decompressed once into --cache)")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                    help="folder with corpora/ and eval/")
    ap.add_argument("--systems", default="wordvec,word2vec,gensim,fasttext")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--sample", type=float, default=1e-4)
    ap.add_argument("--alpha", type=float, default=0.025)
    ap.add_argument("--shared-negatives", action="store_true",
                    help="wordvec fastText: noise words shared across the window, one step "
                    "per window, instead of fastText's update (fresh noise words per pair)")
    ap.add_argument("--min-alpha", type=float, default=None,
                    help="final learning rate of wordvec and gensim (default alpha * 1e-4; "
                    "the fastText tool always decays to 0)")
    ap.add_argument("--minn", type=int, default=3)
    ap.add_argument("--maxn", type=int, default=6)
    ap.add_argument("--bucket", type=int, default=2_000_000)
    ap.add_argument("--cache", default=str(ROOT / "bench" / ".cache"))
    ap.add_argument("--json", type=Path, help="write the results here too")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.corpus:
        corpus = Path(args.corpus)
    else:  # the same decompressed copy bench/speed.py makes
        # loaded by path: bench/ stays off sys.path, where this file would hide the
        # fasttext package
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            "wordvec_bench_speed", Path(__file__).with_name("speed.py"))
        speed = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(speed)
        corpus = speed.main_corpus(Path(args.data), Path(args.cache))
    lines = lines_file(corpus, Path(args.cache))
    if args.child:
        print(json.dumps(child(args.child, str(corpus), str(lines), args.out, settings(args))))
        return
    n_words = sum(len(x.split()) for x in open(lines, "rb"))
    warm(args)
    print(f"corpus {corpus} ({n_words:,} words); settings {settings(args)}")
    print(f"load average before: {os.getloadavg()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for system in args.systems.split(","):
            if system == "fasttext":
                try:
                    import fasttext  # noqa: F401
                except ImportError:
                    print("fasttext: the package is not installed; skipped")
                    continue
            out = os.path.join(tmp, system + (".wv" if system == "word2vec" else ".bin"))
            cmd = [sys.executable, __file__, "--child", system, "--out", out,
                   *(argv if argv is not None else sys.argv[1:])]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode:
                print(f"{system}: failed\n{r.stderr[-2000:]}")
                continue
            res = json.loads(r.stdout.strip().splitlines()[-1])
            res["words_per_s"] = n_words * args.epochs / res["total_s"]
            res.update(evaluate(out))
            os.remove(out)
            results.append(res)
            print(json.dumps(res), flush=True)
    print(f"load average after: {os.getloadavg()}")
    print(f"\n{'system':10} {'end-to-end s':>12} {'words/s':>10} {'analogy':>8} {'sem':>6} "
          f"{'syn':>6} {'WS-353':>7} {'SimLex':>7} {'unseen WS/SL answered':>22}")
    for r in results:
        print(f"{r['system']:10} {r['total_s']:12.1f} {r['words_per_s']:10,.0f} "
              f"{r['analogy']:8.3f} {r['semantic']:6.3f} {r['syntactic']:6.3f} "
              f"{r['ws353']:7.3f} {r['simlex']:7.3f} "
              f"{r['ws353_unseen_answered']:>5}/{r['ws353_unseen_pairs']:<4} "
              f"{r['simlex_unseen_answered']:>5}/{r['simlex_unseen_pairs']:<4}")
    by = {r["system"]: r for r in results}
    for other in ("gensim", "fasttext"):
        if "wordvec" in by and other in by:
            print(f"wordvec vs {other}: {by[other]['total_s'] / by['wordvec']['total_s']:.2f}x "
                  "faster end to end")
    if args.json:
        args.json.write_text(json.dumps({"settings": settings(args), "results": results},
                                        indent=1))


if __name__ == "__main__":
    main()
