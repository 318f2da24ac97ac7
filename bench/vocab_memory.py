"""How much memory does counting a vocabulary take per distinct word, against gensim?

Writes a corpus of many distinct tokens under /tmp (default: 3,000,000 tokens
seen once each, random lower-case strings of 4-14 letters, mixed with 1,000,000
tokens of 2,000 frequent words so that min_count=5 keeps a vocabulary; about
33 MB), then runs each system in its own fresh process and reports its peak
resident memory (VmHWM), and that peak above the memory the process held
after a warm-up run on a tiny corpus (imports and compiled code loaded),
divided by the number of distinct tokens:

* ``wordvec``: ``encode_corpus(path, min_count=5)``, the reading phase of
  ``wordvec train`` (count, vocabulary, corpus encoded to int32 ids);
* ``wordvec-max-vocab``: the same with ``max_vocab_size`` (the C tool's pruning,
  ``wordvec train --max-vocab-size N``);
* ``gensim``: ``Word2Vec(min_count=5).build_vocab(corpus_file=path)`` (its
  scan_vocab counter, then the vocabulary and the weights it allocates);
* ``gensim-max-vocab``: the same with gensim's ``max_vocab_size``.

    .venv/bin/python bench/vocab_memory.py
    .venv/bin/python bench/vocab_memory.py --distinct 1000000 --max-vocab-size 200000

gensim is optional (``pip install -e '.[bench]'``); without it only wordvec runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def write_corpus(path: Path, distinct: int, frequent_tokens: int, seed: int = 0) -> dict:
    """Distinct random tokens (each once) interleaved with Zipf-distributed frequent words."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)
    lengths = rng.integers(4, 15, distinct)
    # a leading 'q' + letters: cannot collide with the frequent words ("f<number>")
    chars = letters[rng.integers(0, 26, int(lengths.sum()))]
    blob = chars.tobytes().decode("ascii")
    cuts = np.concatenate([[0], np.cumsum(lengths)])
    unique = {"q" + blob[cuts[i]:cuts[i + 1]] for i in range(distinct)}
    while len(unique) < distinct:  # (collisions are rare at these lengths)
        unique.add("q" + "".join(chr(c) for c in letters[rng.integers(0, 26, 16)]))
    rare = list(unique)
    ranks = np.minimum(rng.zipf(1.3, frequent_tokens), 2000)
    frequent = [f"f{r}" for r in ranks.tolist()]
    tokens = rare + frequent
    order = rng.permutation(len(tokens))
    with open(path, "w", encoding="ascii") as f:
        for start in range(0, len(order), 1000):  # lines of 1,000 tokens
            f.write(" ".join(tokens[i] for i in order[start:start + 1000]))
            f.write("\n")
    return {"distinct": distinct + len(set(frequent)), "tokens": len(tokens),
            "bytes": path.stat().st_size}


def _memory() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in bytes."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(rest.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


def child(system: str, path: str, max_vocab_size: int | None) -> None:
    """Run one system in this (fresh) process and print its figures as JSON."""
    if system.startswith("wordvec"):
        from wordvec.text.encoded import encode_corpus

        def run_on(corpus: str) -> int:
            enc = encode_corpus(corpus, min_count=1 if "warmup" in corpus else 5,
                                max_vocab_size=max_vocab_size)
            return len(enc.vocab)
    else:
        from gensim.models import Word2Vec

        def run_on(corpus: str) -> int:
            model = Word2Vec(vector_size=100, min_count=1 if "warmup" in corpus else 5,
                             workers=1, max_vocab_size=max_vocab_size)
            model.build_vocab(corpus_file=corpus)
            return len(model.wv)
    # warm up on a tiny corpus so that imports and compiled code loaded on first use
    # (wordvec's Numba scanner) are in "before": the difference is the counting itself
    tiny = Path(path).with_name(f"warmup-{system}.txt")
    tiny.write_text("a b c\n" * 10)
    run_on(str(tiny))
    tiny.unlink()
    before, _ = _memory()
    t0 = time.perf_counter()
    vocab = run_on(path)
    seconds = time.perf_counter() - t0
    _, peak = _memory()
    print(json.dumps({"system": system, "before": before, "peak": peak, "vocab": vocab,
                      "seconds": seconds}))


def run_child(system: str, path: Path, max_vocab_size: int | None) -> dict:
    cmd = [sys.executable, __file__, "--child", system, "--corpus", str(path)]
    if max_vocab_size is not None:
        cmd += ["--max-vocab-size", str(max_vocab_size)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{system} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--distinct", type=int, default=3_000_000,
                   help="distinct tokens seen once each (default 3,000,000)")
    p.add_argument("--frequent-tokens", type=int, default=1_000_000,
                   help="tokens of the 2,000 frequent words (default 1,000,000)")
    p.add_argument("--max-vocab-size", type=int, default=1_000_000,
                   help="the bound for the *-max-vocab runs (default 1,000,000)")
    p.add_argument("--dir", type=Path, default=Path("/tmp/wordvec-vocab-bench"))
    p.add_argument("--only", choices=["wordvec", "gensim"])
    p.add_argument("--json", type=Path, help="write the figures here too")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child, args.corpus,
              args.max_vocab_size if args.child.endswith("max-vocab") else None)
        return

    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"distinct{args.distinct}-frequent{args.frequent_tokens}.txt"
    info_path = path.with_suffix(".json")
    if path.exists() and info_path.exists():
        info = json.loads(info_path.read_text())
    else:
        t0 = time.perf_counter()
        info = write_corpus(path, args.distinct, args.frequent_tokens)
        info_path.write_text(json.dumps(info))
        print(f"wrote {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(f"corpus: {path}: {info['bytes'] / 1e6:.1f} MB, {info['tokens']:,} tokens, "
          f"{info['distinct']:,} distinct")

    systems = ["wordvec", "wordvec-max-vocab"]
    if args.only != "wordvec":
        try:
            import gensim  # noqa: F401
        except ImportError:
            print("gensim is not installed: only wordvec runs", file=sys.stderr)
        else:
            systems += ["gensim", "gensim-max-vocab"]
    if args.only == "gensim":
        systems = [s for s in systems if s.startswith("gensim")]
    rows = []
    print(f"{'system':<20} {'vocab':>8} {'seconds':>8} {'peak MiB':>9} {'above imports':>14} "
          f"{'bytes/distinct word':>20}")
    for system in systems:
        r = run_child(system, path, args.max_vocab_size)
        r["bytes_per_distinct"] = (r["peak"] - r["before"]) / info["distinct"]
        if system.endswith("max-vocab"):
            r["max_vocab_size"] = args.max_vocab_size
        rows.append(r)
        print(f"{system:<20} {r['vocab']:>8,} {r['seconds']:>8.1f} {r['peak'] / 2**20:>9.0f} "
              f"{(r['peak'] - r['before']) / 2**20:>14.0f} {r['bytes_per_distinct']:>20.0f}")
    if args.json:
        args.json.write_text(json.dumps({"corpus": info, "runs": rows}, indent=1))


if __name__ == "__main__":
    main()
