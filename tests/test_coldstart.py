"""Compiling the training kernel ahead of use (kernels.compile_in_background)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wordvec.train import kernels
from wordvec.train.word2vec import Word2Vec

SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "on", "a", "log"]] * 20
SRC = str(Path(kernels.__file__).resolve().parents[2])


@pytest.mark.parametrize(("negative", "hs"), [(5, 0), (0, 1), (5, 1)])
def test_example_args_have_the_types_training_passes(negative, hs):
    # the background process compiles example_args' signature; if training passed
    # other types (a dtype, a layout, a tuple type), that compile would be wasted
    model = Word2Vec(vector_size=32, negative=negative, hs=hs, min_count=1, epochs=1,
                     workers=1).fit(SENTENCES)
    assert model.wv is not None
    kern = kernels.chunk_kernel(32, negative)
    expected = tuple(map(__import__("numba").typeof,
                         kernels.example_args(32, negative, negative > 0, bool(hs))))
    assert expected in kern.overloads, sorted(map(str, kern.overloads))


def test_warm_cache_starts_no_process():
    kernels.compile_now(32, 5, 1, 0)  # in memory (or loaded from the disk cache) now
    assert kernels.kernel_ready(32, 5, True, False)
    assert kernels.compile_in_background(32, 5, True, False) is False


def test_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv("WORDVEC_BACKGROUND_COMPILE", "0")
    assert kernels.compile_in_background(17, 3, True, False) is False


@pytest.mark.slow
def test_cold_cache_compiles_in_another_process(tmp_path):
    # a fresh cache: build_vocab starts the compile in a child process and training
    # loads the child's result from the disk cache instead of compiling it again
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in SENTENCES) + "\n")
    code = f"""
import logging, sys
log = logging.getLogger("wordvec")
log.setLevel(logging.DEBUG)
log.addHandler(logging.StreamHandler(sys.stdout))
from wordvec.train import kernels
from wordvec.train.word2vec import Word2Vec
m = Word2Vec(vector_size=11, negative=2, min_count=1, epochs=1, workers=1)
m.build_vocab({str(corpus)!r})
k = kernels.chunk_kernel(11, 2)
m.train()
print("misses", sum(k.stats.cache_misses.values()), "hits", sum(k.stats.cache_hits.values()))
"""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"), PYTHONPATH=SRC,
               WORDVEC_BACKGROUND_COMPILE="1")  # whatever the machine's load
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "compiling the training kernel (size 11, 2 noise words, ns)" in out.stdout
    assert "waited" in out.stdout
    assert "misses 0 hits 1" in out.stdout, out.stdout


def _cli(args: list[str], cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=SRC)
    return subprocess.run([sys.executable, "-m", "wordvec.cli", *args], env=env,
                          capture_output=True, text=True, timeout=600)


def _ready_in(cache: Path, size: int, negative: int, hs: bool) -> bool:
    code = (f"from wordvec.train import kernels; "
            f"print(kernels.kernel_ready({size}, {negative}, {negative > 0}, {hs}))")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "True"


@pytest.mark.slow
def test_warmup_fills_the_disk_cache(tmp_path):
    # `wordvec warmup` compiles the kernels asked for into the cache a later run
    # loads from: before it a fresh cache has no kernel, after it a new process finds it
    cache = tmp_path / "numba"
    assert not _ready_in(cache, 9, 2, False)
    out = _cli(["warmup", "--size", "9", "--negative", "2", "--loss", "ns,hs"], cache)
    assert out.returncode == 0, out.stderr
    assert "size 9, 2 noise words, ns: compiled in" in out.stdout
    assert "size 9, hs: compiled in" in out.stdout
    assert _ready_in(cache, 9, 2, False)
    assert _ready_in(cache, 9, 0, True)
    again = _cli(["warmup", "--size", "9", "--negative", "2"], cache)
    assert "size 9, 2 noise words, ns: already compiled" in again.stdout


@pytest.mark.parametrize(("argv", "says"), [
    (["--size", "0"], "--size must be positive"),
    (["--negative", "0"], "--negative must be positive"),
    (["--loss", "softmax"], "--loss must be ns or hs"),
    (["--size", "a,b"], "expected numbers separated by commas"),
])
def test_warmup_refuses_bad_shapes(argv, says, capsys):
    from wordvec.cli import main

    assert main(["warmup", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1, err
