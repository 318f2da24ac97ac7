"""Phrase detection speed: wordvec's ``learn_phrases`` against gensim's ``Phrases``.

Usage (from the repository root)::

    .venv/bin/python bench/phrases.py                       # the main corpus, 1 pass
    .venv/bin/python bench/phrases.py --corpus FILE --passes 2 --repeat 2

Both systems run with the same settings (min_count, threshold, scoring, no
connector words unless ``--connectors``) in fresh subprocesses, alternating
(wordvec, gensim, then again with ``--repeat``). Each one:

* learns the phrases of the corpus (``passes`` passes; a pass over the output
  of the previous one, as gensim's documentation shows for trigrams), then
* writes the phrased corpus, one sentence a line.

wordvec is timed end to end from the file (reading and tokenising included).
gensim gets the corpus already tokenised, as a list of token lists in memory
(made with wordvec's tokenizer, so both see the same tokens; not timed), so the
ratio understates wordvec's lead. Both write to a file in the same way. Wall
time and CPU time (``time.process_time``) are shown: on a loaded machine the CPU
time is the steadier measure (both systems run on one core).

With ``--quality`` it runs instead, again in alternating subprocesses,
``phrases -> skip-gram`` for each system (wordvec's ``learn_phrases`` then
wordvec's Word2Vec; gensim's ``Phrases`` then gensim's Word2Vec; skip-gram,
d 100, window 5, negative 5, min_count 5, 2 workers, ``--epochs``) and scores
both with the same code (``wordvec.vectors.evaluate.evaluate_analogies``) on
the phrase analogies (questions-phrases.txt, all of the vocabulary).

It then prints the phrases each found (their number, how many agree, and the
largest score difference), the top 20 phrases of wordvec's first pass, and
the load average before and after (the machine may be shared: compare runs
taken side by side).
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


def run_wordvec(args: argparse.Namespace, out: Path) -> dict:
    from wordvec.text.phrases import ENGLISH_CONNECTOR_WORDS, learn_phrases

    conn = ENGLISH_CONNECTOR_WORDS if args.connectors else frozenset()
    c0 = time.process_time()
    t0 = time.perf_counter()
    pc = learn_phrases(args.corpus, passes=args.passes, min_count=args.min_count,
                       threshold=args.threshold, scoring=args.scoring, connector_words=conn)
    t1 = time.perf_counter()
    pc.write(out)
    t2 = time.perf_counter()
    return {"learn": t1 - t0, "write": t2 - t1, "total": t2 - t0,
            "cpu": time.process_time() - c0,
            "phrases": [m.phrasegrams for m in pc.models]}


def run_gensim(args: argparse.Namespace, out: Path) -> dict:
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

    from wordvec.text.corpus import iter_sentences

    sentences = list(iter_sentences(args.corpus))  # not timed
    conn = ENGLISH_CONNECTOR_WORDS if args.connectors else frozenset()
    c0 = time.process_time()
    t0 = time.perf_counter()
    models = []
    current = sentences
    for _ in range(args.passes):
        model = Phrases(current, min_count=args.min_count, threshold=args.threshold,
                        scoring=args.scoring, connector_words=conn).freeze()
        models.append(model)
        current = [model[s] for s in current]
    t1 = time.perf_counter()
    with open(out, "w", encoding="utf-8") as f:
        for s in current:
            f.write(" ".join(s))
            f.write("\n")
    t2 = time.perf_counter()
    return {"learn": t1 - t0, "write": t2 - t1, "total": t2 - t0,
            "cpu": time.process_time() - c0,
            "phrases": [m.phrasegrams for m in models]}


QUESTIONS = ROOT.parent / "shared" / "data" / "eval" / "analogy" / "questions-phrases.txt"


def quality(args: argparse.Namespace, system: str) -> dict:
    import numpy as np

    from wordvec.vectors.evaluate import evaluate_analogies
    from wordvec.vectors.keyed import WordVectors

    params = dict(sg=1, vector_size=100, window=5, negative=5, min_count=5, workers=2,
                  epochs=args.epochs, seed=1)
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "phrased.txt"
        t0 = time.perf_counter()
        if system == "wordvec":
            from wordvec.text.phrases import PhraseTokenizer
            from wordvec.train.word2vec import Word2Vec

            run_wordvec(args, out)
            t1 = time.perf_counter()
            model = Word2Vec(**params)
            model.build_vocab(out, tokenizer=PhraseTokenizer())
            model.train()
            wv = model.wv
        else:
            from gensim.models import Word2Vec as GensimWord2Vec
            from gensim.models.phrases import Phrases

            from wordvec.text.corpus import iter_sentences

            current = list(iter_sentences(args.corpus))
            t0 = time.perf_counter()
            for _ in range(args.passes):
                model = Phrases(current, min_count=args.min_count, threshold=args.threshold,
                                scoring=args.scoring).freeze()
                current = [model[s] for s in current]
            t1 = time.perf_counter()
            g = GensimWord2Vec(current, **params)
            wv = WordVectors(list(g.wv.index_to_key), np.asarray(g.wv.vectors))
        t2 = time.perf_counter()
    r = evaluate_analogies(wv, QUESTIONS, restrict_vocab=None)
    return {"phrases_s": t1 - t0, "train_s": t2 - t1, "accuracy": r.accuracy,
            "answered": r.n_questions - r.oov, "questions": r.n_questions,
            "vocab": len(wv), "phrases_in_vocab": sum("_" in w for w in wv.index_to_key)}


def child(args: argparse.Namespace) -> None:
    if args.quality:
        json.dump(quality(args, args.child), sys.stdout)
        return
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "phrased.txt"
        res = (run_wordvec if args.child == "wordvec" else run_gensim)(args, out)
    res["phrases"] = [{k: float(v) for k, v in p.items()} for p in res["phrases"]]
    json.dump(res, sys.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", type=Path, default=None,
                   help="plain-text corpus (default: the main corpus of ../shared/data)")
    p.add_argument("--passes", type=int, default=1)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--threshold", type=float, default=10.0)
    p.add_argument("--scoring", default="default", choices=["default", "npmi"])
    p.add_argument("--connectors", action="store_true", help="English connector words")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--quality", action="store_true",
                   help="phrases -> skip-gram for both, scored on phrase analogies")
    p.add_argument("--epochs", type=int, default=1, help="skip-gram epochs (--quality)")
    p.add_argument("--child", choices=["wordvec", "gensim"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.corpus is None:  # the main corpus, decompressed once by bench/speed.py's helper
        from speed import main_corpus

        args.corpus = main_corpus()
    if args.child:
        child(args)
        return
    # warm Numba's on-disk cache so wordvec's timing is that of a normal run
    subprocess.run([sys.executable, "-c", "from wordvec.text.phrases import Phrases; "
                    "Phrases([['a', 'b']] * 3, min_count=1, threshold=1)"], check=True)
    print(f"corpus {args.corpus} ({args.corpus.stat().st_size / 1e6:.0f} MB), "
          f"passes {args.passes}, min_count {args.min_count}, threshold {args.threshold:g}, "
          f"scoring {args.scoring}, connectors {'yes' if args.connectors else 'no'}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, list[dict]] = {"wordvec": [], "gensim": []}
    flags = [a for a in sys.argv[1:]]
    if args.quality:
        for system in ("wordvec", "gensim"):
            proc = subprocess.run([sys.executable, __file__, *flags, "--child", system],
                                  check=True, capture_output=True, text=True)
            r = json.loads(proc.stdout)
            print(f"{system:8s} phrases {r['phrases_s']:6.1f} s  skip-gram {r['train_s']:6.1f} s"
                  f"  vocabulary {r['vocab']} ({r['phrases_in_vocab']} phrases)  phrase "
                  f"analogies {r['accuracy']:.1%} of {r['answered']} answered "
                  f"(of {r['questions']})", flush=True)
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    for _ in range(args.repeat):
        for system in ("wordvec", "gensim"):
            proc = subprocess.run([sys.executable, __file__, *flags, "--child", system],
                                  check=True, capture_output=True, text=True)
            res = json.loads(proc.stdout)
            results[system].append(res)
            print(f"{system:8s} learn {res['learn']:7.2f} s  write {res['write']:6.2f} s  "
                  f"total {res['total']:7.2f} s  (CPU time {res['cpu']:7.2f} s)", flush=True)
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    best = {s: min(r["total"] for r in rs) for s, rs in results.items()}
    learn = {s: min(r["learn"] for r in rs) for s, rs in results.items()}
    cpu = {s: min(r["cpu"] for r in rs) for s, rs in results.items()}
    print(f"speed-up (best of {args.repeat}): total {best['gensim'] / best['wordvec']:.1f}x, "
          f"learning {learn['gensim'] / learn['wordvec']:.1f}x, "
          f"CPU time {cpu['gensim'] / cpu['wordvec']:.1f}x")
    ours, theirs = results["wordvec"][0]["phrases"], results["gensim"][0]["phrases"]
    for k, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        same = set(a) & set(b)
        diff = max((abs(a[w] - b[w]) / max(abs(b[w]), 1e-300) for w in same), default=0.0)
        print(f"pass {k + 1}: wordvec {len(a)} phrases, gensim {len(b)}, in both {len(same)}, "
              f"largest relative score difference {diff:.1e}")
    print("top 20 phrases by score (wordvec, pass 1):")
    for w, s in list(ours[0].items())[:20]:
        print(f"  {w:32s} {s:12.1f}")


if __name__ == "__main__":
    main()
