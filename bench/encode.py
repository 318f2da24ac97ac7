"""Reading a corpus: vocabulary + encoded ids, one thread vs all cores, same run.

Usage (from the repository root)::

    .venv/bin/python bench/encode.py                      # the main corpus
    .venv/bin/python bench/encode.py --corpus big.txt --repeat 5
    .venv/bin/python bench/encode.py --baseline ../other-checkout/src

Each measurement is a fresh subprocess (kernels already compiled: a warm-up
run comes first) calling ``encode_corpus(corpus, min_count=5, workers=N)``
twice, alternating the modes; it prints wall and CPU seconds of the first call
(which also starts Numba's compiler runtime and loads the cached kernels, as
the first read of any wordvec process does), of that start alone (measured
by calling a tiny cached kernel first, in a separate subprocess), and of the
second call (reading alone), and the load average.
``--baseline SRC`` adds another source tree's ``encode_corpus`` (with all
cores, where it takes ``workers``) to the rotation. All modes must give the same vocabulary and ids.
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
r = {}
if sys.argv[3] == "start":  # Numba's runtime start alone: one tiny cached kernel
    from wordvec.text import fastscan
    t = time.perf_counter(); c = time.process_time()
    fastscan._is_space(32)
    r["start"] = time.perf_counter() - t; r["start_cpu"] = time.process_time() - c
for key in ("wall", "wall2"):
    t = time.perf_counter(); c = time.process_time()
    e = encode_corpus(sys.argv[1], min_count=5, **kw)
    r[key] = time.perf_counter() - t; r[key.replace("wall", "cpu")] = time.process_time() - c
h = hashlib.sha1(e.ids.tobytes()); h.update(e.offsets.tobytes())
h.update("\n".join(e.vocab.words).encode()); h.update(e.vocab.counts.tobytes())
r["digest"] = h.hexdigest()
print(json.dumps(r))
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
        modes.insert(0, ("baseline", args.baseline, str(os.cpu_count())))
    print(f"load average before: {os.getloadavg()}")
    best: dict[str, dict[str, float]] = {}
    digests = set()
    for rep in range(args.repeat + 1):
        for name, src, workers in modes:
            env = dict(os.environ, PYTHONPATH=src)
            runs = []
            for start in ("", "start"):
                out = subprocess.run([sys.executable, "-c", CODE, args.corpus, workers, start],
                                     env=env, capture_output=True, text=True)
                if out.returncode:
                    sys.exit(out.stderr[-2000:])
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = {**runs[0], "start": runs[1]["start"], "start_cpu": runs[1]["start_cpu"]}
            digests.update(x["digest"] for x in runs)
            if rep == 0:
                continue  # warm-up: compiles the kernels
            print(f"{name:<12} first call wall {r['wall']:5.2f} s cpu {r['cpu']:5.2f} s | "
                  f"Numba start {r['start']:5.2f} s | second call wall {r['wall2']:5.2f} s "
                  f"cpu {r['cpu2']:5.2f} s", flush=True)
            for key in ("wall", "cpu", "start", "wall2", "cpu2"):
                best.setdefault(name, {})[key] = min(best.get(name, {}).get(key, 1e9), r[key])
    print(f"load average after: {os.getloadavg()}")
    for name, b in best.items():
        print(f"best {name:<12} first call wall {b['wall']:5.2f} s cpu {b['cpu']:5.2f} s | "
              f"Numba start {b['start']:5.2f} s | second call wall {b['wall2']:5.2f} s "
              f"cpu {b['cpu2']:5.2f} s")
    print("same result in every mode" if len(digests) == 1 else f"DIFFERENT results: {digests}")


if __name__ == "__main__":
    main()
