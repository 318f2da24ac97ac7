"""Training speed, memory and quality: wordvec against gensim on the same corpus.

Usage (from the repository root)::

    .venv/bin/python bench/speed.py                      # 1 epoch, skip-gram, 2 workers
    .venv/bin/python bench/speed.py --epochs 5
    .venv/bin/python bench/speed.py --model cbow
    .venv/bin/python bench/speed.py --workers 1,2        # thread scaling
    .venv/bin/python bench/speed.py --double             # parts 1+2 (memory must not grow)
    .venv/bin/python bench/speed.py --only wordvec --repeat 3
    .venv/bin/python bench/speed.py --size 300 --negative 15 --window 10 --only wordvec,gensim-file

What it does:

1. Decompresses the corpus once into a cache folder (default ``bench/.cache``,
   which ignores itself in git): the text8-style one-line file, and for
   gensim's ``corpus_file`` mode the same words cut into lines of 10,000 words
   (that mode mishandles longer lines: on the one-line file it returns
   vectors that score 0% on analogies).
2. Warms Numba's on-disk cache (compiles the kernels once) so that wordvec's
   timings are those of a normal, second run.
3. Runs each system in its own fresh subprocess, alternating them
   (wordvec, gensim corpus_file, gensim iterator; then again with
   ``--repeat``), all with the same hyperparameters. Each subprocess reports:
   the time to build the vocabulary (and for wordvec, encode the corpus), the
   training time, the peak resident memory (``VmHWM``, read right after
   training, before evaluating), then evaluates the vectors with the same
   code for everyone (``wordvec.vectors.evaluate``, which reproduces gensim's
   ``evaluate_word_analogies`` / ``evaluate_word_pairs``): Google analogies
   restricted to the 30,000 most frequent words, and WordSim-353 Spearman.
4. Prints one table row per run and the ratios against gensim.

Words per second are the corpus's words (``wc -w``) times epochs, divided by
the training time ("train") or by the whole run including reading the
corpus and building the vocabulary ("end to end"); the same numerator for
every system. Timings on a shared machine are noisy: the load average is
printed before and after; compare runs taken side by side.

The learning-rate schedules differ. wordvec and gensim's iterator mode lower
the rate linearly from ``alpha`` to ``min_alpha`` over all words of the run.
gensim's ``corpus_file`` mode (4.4.0, ``word2vec_corpusfile.pyx``) gives each
of its W workers 1/W of the corpus but measures the worker's progress against
the whole corpus, so each epoch's rate falls only 1/W of the way: with 2
workers and 1 epoch it goes from 0.05 to 0.025. For CBOW after 1 epoch that
higher rate is worth about 4 analogy points (wordvec, gensim's iterator mode
and gensim corpus_file with 1 worker all measured), so compare it with
``--min-alpha`` at ``alpha / 2``, or with gensim corpus_file at ``--workers 1``,
whose schedule is the full one.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
PART1 = "corpora/enwiki2015-text8like-part1.txt.xz"
PART2 = "corpora/enwiki2015-text8like-part2.txt.xz"
ANALOGIES = "eval/analogy/questions-words.txt"
WS353 = "eval/similarity/EN-WS-353-ALL.txt"
LINE_WORDS = 10_000


# ----------------------------------------------------------------------------- corpus


def prepare_corpus(data: Path, cache: Path, double: bool) -> dict:
    """Decompress once; return paths and the word count."""
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    name = "text8like-x2" if double else "text8like"
    text = cache / f"{name}.txt"
    lines = cache / f"{name}.lines.txt"
    meta = cache / f"{name}.json"
    if not (text.exists() and lines.exists() and meta.exists()):
        parts = [data / PART1] + ([data / PART2] if double else [])
        for p in parts:
            if not p.exists():
                sys.exit(f"corpus part not found: {p} (give --data or --corpus)")
        print(f"decompressing {', '.join(p.name for p in parts)} into {cache} ...", flush=True)
        tmp = text.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            for p in parts:
                with lzma.open(p, "rb") as f:
                    while block := f.read(1 << 24):
                        out.write(block)
        tmp.replace(text)
        n_words = split_lines(text, lines)
        meta.write_text(json.dumps({"words": n_words}))
    n_words = json.loads(meta.read_text())["words"]
    return {"text": str(text), "lines": str(lines), "words": n_words}


def main_corpus(data: Path = DEFAULT_DATA, cache: Path = ROOT / "bench" / ".cache") -> Path:
    """The main corpus as a plain file (decompressed into ``cache`` on first use);
    the default corpus of every script in bench/."""
    return Path(prepare_corpus(Path(data), Path(cache), False)["text"])


def split_lines(src: Path, dst: Path) -> int:
    """Write ``src``'s words as lines of LINE_WORDS words; return the word count."""
    words = Path(src).read_bytes().split()
    tmp = dst.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        for i in range(0, len(words), LINE_WORDS):
            out.write(b" ".join(words[i : i + LINE_WORDS]) + b"\n")
    tmp.replace(dst)
    return len(words)


def own_corpus(path: Path, cache: Path) -> dict:
    """A user-given plain-text corpus: make the line-split copy for gensim's corpus_file."""
    cache.mkdir(parents=True, exist_ok=True)
    lines = cache / (path.name + ".lines.txt")
    meta = cache / (path.name + ".json")
    if not (lines.exists() and meta.exists()):
        meta.write_text(json.dumps({"words": split_lines(path, lines)}))
    return {"text": str(path), "lines": str(lines),
            "words": json.loads(meta.read_text())["words"]}


# ----------------------------------------------------------------------------- workers


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (VmHWM), MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate(words: list, vectors, data: Path) -> dict:
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs
    from wordvec.vectors.keyed import WordVectors

    wv = WordVectors(words, vectors)
    out = {}
    if (data / ANALOGIES).exists():
        a = evaluate_analogies(wv, data / ANALOGIES, restrict_vocab=30000)
        out["analogy"] = float(a.accuracy)
    if (data / WS353).exists():
        p = evaluate_pairs(wv, data / WS353)
        out["ws353"] = float(p.spearman)
    return out


def run_wordvec(args: argparse.Namespace, corpus: dict) -> dict:
    t0 = time.perf_counter()
    c0 = time.process_time()
    from wordvec.train.word2vec import Word2Vec

    m = Word2Vec(
        model=args.model, vector_size=args.size, window=args.window, negative=args.negative,
        hs=args.hs, sample=args.sample, min_count=args.min_count, epochs=args.epochs,
        workers=args.workers, alpha=args.alpha, min_alpha=args.min_alpha,
        shared_negatives=not args.per_pair,
    )
    m.build_vocab(corpus["text"])
    t1 = time.perf_counter()
    m.train()
    t2 = time.perf_counter()
    res = {
        "vocab_s": t1 - t0, "train_s": t2 - t1, "total_s": t2 - t0,
        "cpu_s": time.process_time() - c0, "rss_mib": peak_rss_mib(),
        "vocab_size": len(m.vocab), "loss": m.losses[-1],
    }
    res.update(evaluate(m.vocab.words, m.syn0, Path(args.data)))
    return res


def run_gensim(args: argparse.Namespace, corpus: dict, mode: str) -> dict:
    t0 = time.perf_counter()
    c0 = time.process_time()
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    m = Word2Vec(
        sg=int(args.model == "sg"), vector_size=args.size, window=args.window,
        negative=args.negative, hs=args.hs, sample=args.sample, min_count=args.min_count,
        epochs=args.epochs, workers=args.workers, alpha=args.alpha,
        min_alpha=args.min_alpha, seed=1,
    )
    if mode == "corpus_file":
        m.build_vocab(corpus_file=corpus["lines"])
        t1 = time.perf_counter()
        m.train(corpus_file=corpus["lines"], total_words=m.corpus_total_words,
                epochs=args.epochs)
    else:
        sentences = LineSentence(corpus["lines"])
        m.build_vocab(sentences)
        t1 = time.perf_counter()
        m.train(sentences, total_examples=m.corpus_count, epochs=args.epochs)
    t2 = time.perf_counter()
    res = {
        "vocab_s": t1 - t0, "train_s": t2 - t1, "total_s": t2 - t0,
        "cpu_s": time.process_time() - c0, "rss_mib": peak_rss_mib(),
        "vocab_size": len(m.wv),
    }
    res.update(evaluate(list(m.wv.index_to_key), m.wv.vectors, Path(args.data)))
    return res


def worker_main(args: argparse.Namespace) -> None:
    corpus = json.loads(args.corpus_json)
    if args.worker == "wordvec":
        res = run_wordvec(args, corpus)
    else:
        res = run_gensim(args, corpus, args.worker.split(":", 1)[1])
    print("RESULT " + json.dumps(res), flush=True)


# ----------------------------------------------------------------------------- driver


SYSTEMS = {
    "wordvec": "wordvec",
    "gensim-file": "gensim:corpus_file",
    "gensim-iter": "gensim:iterator",
}


def warm_kernels(args: argparse.Namespace) -> None:
    """Compile (or load from Numba's cache) the kernels once, outside the timings."""
    code = (
        "from wordvec.train.word2vec import Word2Vec\n"
        "from wordvec.synthetic import generate_sentences\n"
        "import tempfile, pathlib\n"
        "d = pathlib.Path(tempfile.mkdtemp())\n"
        "p = d / 'warm.txt'\n"
        "p.write_text('\\n'.join(' '.join(s) for s in generate_sentences(3000, seed=1)))\n"
        f"Word2Vec(model={args.model!r}, vector_size={args.size}, negative={args.negative},"
        f" hs={args.hs}, min_count=1, epochs=1, workers=1).fit(p)\n"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    print(f"kernels ready ({time.perf_counter() - t:.1f} s, includes compiling on a cold cache)")


def run_one(system: str, workers: int, args: argparse.Namespace, corpus: dict) -> dict:
    cmd = [
        sys.executable, __file__, "--worker", SYSTEMS[system], "--corpus-json", json.dumps(corpus),
        "--workers", str(workers),
    ] + passthrough(args)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            res.update(system=system, workers=workers)
            return res
    sys.stderr.write(proc.stdout + proc.stderr)
    raise SystemExit(f"{system} failed (exit {proc.returncode})")


def passthrough(args: argparse.Namespace) -> list:
    out = ["--model", args.model, "--epochs", str(args.epochs), "--size", str(args.size),
           "--window", str(args.window), "--negative", str(args.negative), "--hs", str(args.hs),
           "--sample", str(args.sample), "--min-count", str(args.min_count),
           "--alpha", str(args.alpha), "--min-alpha", str(args.min_alpha),
           "--data", str(args.data)]
    if args.per_pair:
        out.append("--per-pair")
    return out


def fmt_row(r: dict, n_words: int, epochs: int) -> str:
    train_wps = n_words * epochs / r["train_s"]
    e2e_wps = n_words * epochs / r["total_s"]
    ana = f"{100 * r['analogy']:.1f}" if "analogy" in r else "-"
    ws = f"{r['ws353']:.3f}" if "ws353" in r else "-"
    return (
        f"| {r['system']:<11} | {r['workers']:>2} | {r['total_s']:7.1f} | {r['vocab_s']:6.1f} "
        f"| {r['train_s']:7.1f} | {train_wps / 1e6:6.2f}M | {e2e_wps / 1e6:6.2f}M "
        f"| {r['cpu_s']:6.1f} | {r['rss_mib']:6.0f} | {ana:>5} | {ws:>6} |"
    )


HEADER = (
    "| system      |  w | total s | vocab s | train s | train w/s | e2e w/s | cpu s "
    "| RSS MiB | anal% | WS353 |\n"
    "|-------------|----|---------|--------|---------|---------|---------|--------|--------"
    "|-------|--------|"
)


def summarise(results: list, n_words: int, epochs: int) -> None:
    def best(system: str, workers: int, key: str):
        vals = [r[key] for r in results if r["system"] == system and r["workers"] == workers]
        return min(vals) if vals else None

    print("\nratios (best run of each; > 1 means wordvec is better):")
    for w in sorted({r["workers"] for r in results}):
        wv_total, wv_train = best("wordvec", w, "total_s"), best("wordvec", w, "train_s")
        wv_rss = best("wordvec", w, "rss_mib")
        for g in ("gensim-file", "gensim-iter"):
            g_total, g_train = best(g, w, "total_s"), best(g, w, "train_s")
            if wv_total is None or g_total is None:
                continue
            g_rss = best(g, w, "rss_mib")
            print(
                f"  workers={w} vs {g}: end to end {g_total / wv_total:.2f}x, "
                f"training {g_train / wv_train:.2f}x, peak memory {wv_rss / g_rss:.2f}x of gensim's"
            )
        for key, label in (("analogy", "analogy points"), ("ws353", "WS353")):
            ours = [r[key] for r in results
                    if r["system"] == "wordvec" and r["workers"] == w and key in r]
            ref = [r[key] for r in results
                   if r["system"] == "gensim-file" and r["workers"] == w and key in r]
            if ours and ref:
                scale = 100 if key == "analogy" else 1
                diff = scale * (sum(ours) / len(ours) - sum(ref) / len(ref))
                print(f"  workers={w} {label}: wordvec - gensim(corpus_file) = {diff:+.3f}")
    sizes = {r["system"]: r["vocab_size"] for r in results if "vocab_size" in r}
    print("  vocabulary: " + ", ".join(f"{k} {v:,} words" for k, v in sizes.items()))
    ws = sorted({r["workers"] for r in results if r["system"] == "wordvec"})
    if len(ws) > 1:
        base = best("wordvec", ws[0], "train_s")
        for w in ws[1:]:
            speedup = base / best("wordvec", w, "train_s")
            print(f"  wordvec scaling: {w} workers train {speedup:.2f}x faster than {ws[0]}")


def main(argv: list | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder with corpora/ and eval/")
    ap.add_argument("--corpus", help="a plain-text corpus instead of the main one")
    ap.add_argument("--double", action="store_true", help="parts 1+2 of the main corpus")
    ap.add_argument("--cache", default=str(ROOT / "bench" / ".cache"))
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--workers", default="2", help="thread count(s), e.g. 2 or 1,2")
    ap.add_argument("--model", choices=["sg", "cbow"], default="sg")
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--hs", type=int, default=0)
    ap.add_argument("--sample", type=float, default=1e-4)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=None,
                    help="default 0.025 for sg, 0.05 for cbow (the C tool's)")
    ap.add_argument("--min-alpha", type=float, default=None,
                    help="the final learning rate, for both systems (default alpha * 1e-4, "
                         "the C tool's floor); alpha / 2 gives wordvec the schedule gensim's "
                         "corpus_file mode has in 1 epoch with 2 workers")
    ap.add_argument("--per-pair", action="store_true",
                    help="wordvec: the C tool's per-pair update instead of shared negatives")
    ap.add_argument("--only", help="systems to run, comma-separated: wordvec, gensim (both "
                    "modes), gensim-file, gensim-iter (default: all)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--corpus-json", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.alpha is None:
        args.alpha = 0.025 if args.model == "sg" else 0.05
    if args.min_alpha is None:
        args.min_alpha = args.alpha * 1e-4
    if args.worker:
        args.workers = int(args.workers)
        worker_main(args)
        return

    data = Path(args.data)
    cache = Path(args.cache)
    corpus = own_corpus(Path(args.corpus), cache) if args.corpus else prepare_corpus(
        data, cache, args.double)
    systems = list(SYSTEMS)
    if args.only:
        wanted = []
        for name in args.only.split(","):
            names = ["gensim-file", "gensim-iter"] if name == "gensim" else [name]
            if not set(names) <= set(SYSTEMS):
                ap.error(f"--only: unknown system {name!r} (choose from wordvec, gensim, "
                         "gensim-file, gensim-iter)")
            wanted += names
        systems = [s for s in SYSTEMS if s in wanted]
    if any(s.startswith("gensim") for s in systems):
        try:
            import gensim  # noqa: F401
        except ImportError:
            print("gensim is not installed (pip install gensim): running wordvec only")
            systems = [s for s in systems if not s.startswith("gensim")]
            if not systems:
                return
    worker_counts = [int(w) for w in str(args.workers).split(",")]
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"corpus: {corpus['text']} ({corpus['words']:,} words), model={args.model}, "
          f"size={args.size}, window={args.window}, negative={args.negative}, hs={args.hs}, "
          f"sample={args.sample}, min_count={args.min_count}, alpha={args.alpha}, "
          f"min_alpha={args.min_alpha:g}, "
          f"epochs={args.epochs}, workers={args.workers}")
    print(f"machine: {os.cpu_count()} cores, load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if "wordvec" in systems:
        warm_kernels(args)
    results = []
    print(HEADER, flush=True)
    for _ in range(args.repeat):
        for w in worker_counts:
            for s in systems:
                r = run_one(s, w, args, corpus)
                results.append(r)
                print(fmt_row(r, corpus["words"], args.epochs), flush=True)
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    summarise(results, corpus["words"], args.epochs)


if __name__ == "__main__":
    main()
