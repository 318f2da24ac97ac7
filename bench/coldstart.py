"""The first run's wait: ``wordvec train`` / ``wordvec demo`` with an empty Numba cache vs warm.

Usage (from the repository root)::

    .venv/bin/python bench/coldstart.py                        # sizes 100, 300, 123
    .venv/bin/python bench/coldstart.py --sizes 100 --corpus my.txt --epochs 5
    .venv/bin/python bench/coldstart.py --no-demo --repeat 2

Each run is a fresh ``python -m wordvec.cli`` process. For every vector size
it runs, alternating, in this order:

* ``cold``: a new, empty ``NUMBA_CACHE_DIR`` (what a new user, a new machine
  or a new ``--size`` meets); training starts compiling its kernel in another
  process while it reads the corpus (``WORDVEC_BACKGROUND_COMPILE=1``: even
  when the load average says no core is free);
* ``cold-serial``: the same with ``WORDVEC_BACKGROUND_COMPILE=0``: everything
  compiled in the training process, one thing after another (the old way);
* ``warm``: the same command again with the cache ``cold`` filled.

Then ``wordvec demo`` the same three ways. It prints wall seconds and CPU
seconds (the process and the processes it waited for), and the load average
before and after: on a shared machine compare the CPU columns and runs taken
side by side. The target is ``cold`` within ``warm + 5 s``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall s, CPU s of the command and what it waited for) of one subprocess."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="text file to train on (default: the first 12 MB, "
                    "about 2M words, of the main corpus of ../shared/data)")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                    help="folder with corpora/ and eval/")
    ap.add_argument("--cache", default=str(ROOT / "bench" / ".cache"))
    ap.add_argument("--sizes", default="100,300,123", help="vector sizes, comma-separated")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-demo", action="store_true")
    args = ap.parse_args()

    if args.corpus:
        corpus = Path(args.corpus)
    else:  # a slice of the copy bench/speed.py decompresses
        from speed import main_corpus  # bench/ is on sys.path: this script's folder

        whole = main_corpus(Path(args.data), Path(args.cache))
        corpus = Path(args.cache) / "slice2m.txt"
        if not corpus.exists():
            with open(whole, "rb") as f:
                data = f.read(12_000_000)
            corpus.write_bytes(data[: data.rfind(b" ")] + b"\n")
    if not corpus.is_file():
        sys.exit(f"no corpus at {corpus}: give --corpus FILE")
    base_env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    py = [sys.executable, "-m", "wordvec.cli"]
    print(f"load average before: {os.getloadavg()}", flush=True)
    print(f"{'what':<22}{'mode':<13}{'wall s':>8}{'cpu s':>8}")
    rows: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        jobs = [(f"train --size {s}",
                 ["train", str(corpus), "-o", f"{tmp}/v.bin", "--size", s,
                  "--epochs", str(args.epochs), "--workers", str(args.workers), "-q"])
                for s in args.sizes.split(",")]
        if not args.no_demo:
            jobs.append(("demo", ["demo", "--out", f"{tmp}/demo", "--workers",
                                  str(args.workers)]))
        for _ in range(args.repeat):
            for what, cmd in jobs:
                caches = []
                for mode in ("cold", "cold-serial", "warm"):
                    env = dict(base_env)
                    env["WORDVEC_BACKGROUND_COMPILE"] = "0" if mode == "cold-serial" else "1"
                    if mode != "warm":
                        caches.append(tempfile.mkdtemp(dir=tmp))
                    env["NUMBA_CACHE_DIR"] = caches[0] if mode == "warm" else caches[-1]
                    wall, cpu = run(py + cmd, env)
                    rows.setdefault((what, mode), []).append((wall, cpu))
                    print(f"{what:<22}{mode:<13}{wall:8.2f}{cpu:8.2f}", flush=True)
                for c in caches:
                    shutil.rmtree(c, ignore_errors=True)
    print(f"load average after: {os.getloadavg()}")
    print("\nbest of each (wall s): cold - warm, cold-serial - warm")
    for what, _ in jobs:
        best = {m: min(w for w, _ in rows[(what, m)]) for m in ("cold", "cold-serial", "warm")}
        print(f"{what:<22} warm {best['warm']:.2f}  cold +{best['cold'] - best['warm']:.2f}  "
              f"cold-serial +{best['cold-serial'] - best['warm']:.2f}")


if __name__ == "__main__":
    main()
