"""Reading a corpus: vocabulary + encoded ids, one thread vs all cores, same run.

Usage (from the repository root)::

    .venv/bin/python bench/encode.py                      # the main corpus
    .venv/bin/python bench/encode.py --corpus big.txt --repeat 5
    .venv/bin/python bench/encode.py --baseline ../other-checkout/src

Each measurement is a fresh subprocess (kernels already compiled: a warm-up
run comes first) calling ``encode_corpus(corpus, min_count=5, workers=N)``,
alternating the modes; it prints wall and CPU seconds and the load average.
``--baseline SRC`` adds another source tree's ``encode_corpus`` (its default
path) to the rotation. All modes must give the same vocabulary and ids.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = r"""
import hashlib, inspect, json, sys, time
from wordvec.text.encoded import encode_corpus
params = inspect.signature(encode_corpus).parameters
kw = {"workers": int(sys.argv[2])} if "workers" in params else {}
t = time.perf_counter(); c = time.process_time()
e = encode_corpus(sys.argv[1], min_count=5, **kw)
wall = time.perf_counter() - t; cpu = time.process_time() - c
h = hashlib.sha1(e.ids.tobytes()); h.update(e.offsets.tobytes())
h.update("\n".join(e.vocab.words).encode()); h.update(e.vocab.counts.tobytes())
print(json.dumps({"wall": wall, "cpu": cpu, "digest": h.hexdigest()}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None,
                    help="plain-text corpus (default: the main corpus of ../shared/data)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", help="another checkout's src folder to compare with")
    args = ap.parse_args()
    if args.corpus is None:  # the main corpus, decompressed once by bench/speed.py's helper
        from speed import main_corpus

        args.corpus = str(main_corpus())
    modes = [("1 thread", str(ROOT / "src"), "1"),
             (f"{os.cpu_count()} threads", str(ROOT / "src"), str(os.cpu_count()))]
    if args.baseline:
        modes.insert(0, ("baseline", args.baseline, "1"))
    print(f"load average before: {os.getloadavg()}")
    best: dict[str, tuple[float, float]] = {}
    digests = set()
    for rep in range(args.repeat + 1):
        for name, src, workers in modes:
            env = dict(os.environ, PYTHONPATH=src)
            out = subprocess.run([sys.executable, "-c", CODE, args.corpus, workers], env=env,
                                 capture_output=True, text=True)
            if out.returncode:
                sys.exit(out.stderr[-2000:])
            r = json.loads(out.stdout.strip().splitlines()[-1])
            digests.add(r["digest"])
            if rep == 0:
                continue  # warm-up: compiles the kernels
            print(f"{name:<12} wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s", flush=True)
            w, c = best.get(name, (1e9, 1e9))
            best[name] = (min(w, r["wall"]), min(c, r["cpu"]))
    print(f"load average after: {os.getloadavg()}")
    for name, (w, c) in best.items():
        print(f"best {name:<12} wall {w:6.2f} s  cpu {c:6.2f} s")
    print("same result in every mode" if len(digests) == 1 else f"DIFFERENT results: {digests}")


if __name__ == "__main__":
    main()
