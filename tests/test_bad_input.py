"""Every mistake gets one clear line, a non-zero status, no traceback and no half-written file.

Most cases run the command in-process (``cli.main`` with ``capsys``) to keep the
suite fast; a few run ``python -m wordvec.cli`` in a subprocess to prove that
what the user sees in a terminal has no traceback. All runs use ``-q``, so
stderr holds only warnings and errors.
"""

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from wordvec import cli, synthetic
from wordvec.formats import save_vectors
from wordvec.vectors import WordVectors

SMALL = ["--size", "16", "--workers", "1", "--epochs", "1"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    return synthetic.write_corpus(d / "corpus.txt", n_words=20_000, seed=3)


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    d = tmp_path_factory.mktemp("vec")
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50)]
    wv = WordVectors(words, rng.normal(size=(50, 8)).astype(np.float32))
    return {name: save_vectors(wv, d / name) for name in ("v.bin", "v.txt", "v.wv")}


def run(capsys, *args):
    rc = cli.main(["-q", *map(str, args)])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def refused(rc, err, *needles):
    """One line on stderr, starting 'wordvec: error:', naming what is wrong."""
    assert rc == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("wordvec: error:"), err
    assert "Traceback" not in err
    for needle in needles:
        assert str(needle).lower() in err.lower(), (needle, err)
    return lines[0]


def nothing_written(folder, *keep):
    """The output folder holds no output and no temporary file."""
    left = sorted(p.name for p in Path(folder).iterdir() if p.name not in keep)
    assert left == [], left


def subprocess_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------ the corpus


def test_missing_corpus_in_a_real_process(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess_cli("train", tmp_path / "nope.txt", "-o", out / "v.wv")
    refused(proc.returncode, proc.stderr, "corpus path not found", "nope.txt")
    nothing_written(out)


@pytest.mark.parametrize("kind", ["empty folder", "hidden files only"])
def test_folder_without_readable_files(tmp_path, capsys, kind):
    d = tmp_path / "corpus"
    d.mkdir()
    if kind == "hidden files only":
        (d / ".notes").write_text("some words here\n")
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = run(capsys, "train", d, "-o", out / "v.wv")
    refused(rc, err, "no readable files", d)
    nothing_written(out)


@pytest.mark.parametrize("text", ["", "\n\n   \n", "... !!! ,,, -- ?? ;; ''\n" * 20],
                         ids=["empty", "blank lines", "punctuation only"])
def test_text_without_words(tmp_path, capsys, text):
    f = tmp_path / "c.txt"
    f.write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = run(capsys, "train", f, "-o", out / "v.wv")
    refused(rc, err, "holds no words", f)
    nothing_written(out)


def test_binary_garbage_in_a_real_process(tmp_path):
    f = tmp_path / "garbage.bin"
    f.write_bytes(np.random.default_rng(1).integers(0, 256, 100_000, dtype=np.uint8).tobytes())
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess_cli("train", f, "-o", out / "v.wv")
    refused(proc.returncode, proc.stderr, "binary file", f)
    nothing_written(out)


def test_corrupt_compressed_corpus(tmp_path, capsys):
    f = tmp_path / "c.txt.gz"
    f.write_bytes(b"\x1f\x8b\x08\x00" + b"not really gzip" * 10)
    rc, _, err = run(capsys, "train", f, "-o", tmp_path / "v.wv")
    refused(rc, err, "c.txt.gz")
    assert not (tmp_path / "v.wv").exists()


def test_invalid_utf8_warns_and_trains(tmp_path, capsys, corpus):
    f = tmp_path / "latin1.txt"
    f.write_bytes(corpus.read_bytes() + "café crème\n".encode("latin-1") * 3)
    out = tmp_path / "v.wv"
    rc, _, err = run(capsys, "train", f, "-o", out, *SMALL, "--min-count", "2")
    assert rc == 0, err
    assert "invalid UTF-8" in err and "latin1.txt" in err and "Traceback" not in err
    assert out.exists()


def test_a_single_huge_line_trains_in_flat_memory(tmp_path):
    """One line without a newline (text8-style), 3 MB and 30 MB: peak memory must not grow
    with the line. 30 MB rather than 1 GB keeps the suite fast; the reader works in 1 MiB
    chunks, so a line 30x longer than a chunk already shows whether memory follows it."""
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(2_000)])
    block = " ".join(words[rng.zipf(1.3, 200_000) % 2_000]) + " "  # ~1 MB
    code = (
        "import sys\n"
        "from wordvec.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(rc, int(hwm.split()[1]))\n"
    )
    peaks = {}
    for mb in (3, 30):
        f = tmp_path / f"line{mb}.txt"
        with open(f, "w") as fh:
            for _ in range(mb):
                fh.write(block)
        out = tmp_path / f"v{mb}.wv"
        proc = subprocess.run(
            [sys.executable, "-c", code, "-q", "train", str(f), "-o", str(out), "--model",
             "cbow", "--size", "16", "--epochs", "1", "--workers", "1"],
            capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        rc, peak_kb = map(int, proc.stdout.split())
        assert rc == 0
        peaks[mb] = peak_kb / 1024
        from wordvec.formats import load_vectors

        assert load_vectors(out).meta["corpus"]["tokens"] > mb * 150_000
    print(f"peak RSS: 3 MB line {peaks[3]:.0f} MiB, 30 MB line {peaks[30]:.0f} MiB")
    # holding the 30 MB line (or its ~5M tokens as Python strings) would add >= 30 MB
    assert peaks[30] - peaks[3] < 15, peaks


def test_vocabulary_empty_after_min_count(tmp_path, capsys, corpus):
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = run(capsys, "train", corpus, "-o", out / "v.wv", "--min-count", "1000000")
    refused(rc, err, "min_count=1000000", "lower min_count")
    nothing_written(out)


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--size", "0"], "--size"),
        (["--size", "-3"], "--size"),
        (["--size", "ten"], "whole number"),
        (["--size", "100000"], "vector_size"),
        (["--window", "0"], "--window"),
        (["--window", "1000000"], "window"),
        (["--negative", "-1"], "negative"),
        (["--negative", "5000"], "negative"),
        (["--sample", "-0.1"], "sample"),
        (["--sample", "nan"], "sample"),
        (["--alpha", "0"], "alpha"),
        (["--alpha", "-0.5"], "alpha"),
        (["--alpha", "inf"], "alpha"),
        (["--alpha", "0.01", "--min-alpha", "0.1"], "min_alpha"),
        (["--epochs", "0"], "--epochs"),
        (["--workers", "0"], "--workers"),
        (["--min-count", "0"], "--min-count"),
        (["--seed", "-1"], "seed"),
        (["--model", "glove"], "--model"),
    ],
)
def test_parameter_out_of_range(tmp_path, capsys, corpus, args, needle):
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", *args)
    refused(rc, err, needle)
    nothing_written(tmp_path)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--hs", "0", "--negative", "0"], "no training objective"),
        (["--loss", "hs", "--hs", "0"], "contradict"),
        (["--loss", "softmax", "--negative", "5"], "--negative does not apply"),
        (["--loss", "softmax", "--checkpoint-every", "1"], "--checkpoint-every"),
        (["--method", "svd", "--negative", "5"], "--negative does not apply to --method svd"),
        (["--method", "svd", "--model", "cbow"], "--model"),
        (["--method", "svd", "--eval-analogies", "q.txt"], "--eval-analogies"),
        (["--weighting", "linear"], "--weighting does not apply"),
        (["--cbow-mean", "1"], "--cbow-mean applies to --model cbow"),
        (["--model", "cbow", "--per-pair"], "--per-pair"),
        (["--checkpoint-every", "0"], "--checkpoint-every"),
        (["--checkpoint-every", "often"], "--checkpoint-every"),
        (["--checkpoint-every", "0m"], "positive"),
        (["--eval-analogies", "missing-questions.txt"], "missing-questions.txt"),
    ],
)
def test_impossible_combinations(tmp_path, capsys, corpus, args, needle):
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", *args)
    refused(rc, err, needle)
    nothing_written(tmp_path)


def test_from_counts_with_a_corpus_and_resume_with_settings(tmp_path, capsys, corpus):
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", "--method", "svd",
                     "--from-counts", tmp_path / "c.npz")
    refused(rc, err, "not both")
    rc, _, err = run(capsys, "train", "--resume", tmp_path / "x.ckpt", "--size", "50")
    refused(rc, err, "--size", "--resume")
    rc, _, err = run(capsys, "train", corpus)
    refused(rc, err, "-o/--output")


def test_divergence_is_reported_within_the_epoch(tmp_path, capsys):
    big = synthetic.write_corpus(tmp_path / "c.txt", n_words=160_000, seed=1)
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = run(capsys, "train", big, "-o", out / "v.wv", "--alpha", "1e30", *SMALL)
    line = refused(rc, err, "diverged", "lower the learning rate", "try alpha=")
    k, n = map(int, __import__("re").search(r"chunk (\d+) of (\d+)", line).groups())
    assert k < n  # caught at the chunk where it happened, not at the end of the epoch
    nothing_written(out)  # no vectors, no checkpoint, no temporary file


# ------------------------------------------------------------------ vector and model files


def _truncated(path, tmp_path):
    data = Path(path).read_bytes()
    cut = tmp_path / f"cut-{Path(path).name}"
    cut.write_bytes(data[: len(data) * 2 // 3])
    return cut


@pytest.mark.parametrize("name", ["v.bin", "v.txt", "v.wv"])
@pytest.mark.parametrize("command", ["info", "similar", "convert", "resume"])
def test_truncated_vector_files(tmp_path, capsys, vectors, name, command):
    cut = _truncated(vectors[name], tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    if command == "similar":
        args = ["similar", cut, "w1"]
    elif command == "convert":
        args = ["convert", cut, out / "x.txt"]
    elif command == "resume":
        args = ["train", "--resume", cut, "-o", out / "x.wv"]
    else:
        args = ["info", cut]
    rc, _, err = run(capsys, *args)
    refused(rc, err, cut.name)
    if command != "resume" or name == "v.wv":
        assert "truncated" in err or "damaged" in err, err
    nothing_written(out)


@pytest.mark.parametrize(
    "content,needle",
    [
        (b"3 4\nw1 0.1 0.2 0.3 0.4\nw2 0.1 abc 0.3 0.4\nw3 1 2 3 4\n", "line 3"),
        (b"2 3\nw1 0.1000001 0.2000001\nw2 0.1 0.2 0.3\n", "line 2"),
        (b"hello world, this is prose\nnot vectors\n", "not a word-vector file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a word-vector file"),
        (b'{"words": ["a"], "vectors": [[1.0]]}\n', "not a word-vector file"),
        (b"", "empty file"),
    ],
    ids=["bad number", "short line", "prose", "png", "json", "empty"],
)
def test_malformed_or_foreign_files(tmp_path, capsys, content, needle):
    f = tmp_path / "vectors.txt"
    f.write_bytes(content)
    rc, _, err = run(capsys, "similar", f, "w1")
    refused(rc, err, needle, "vectors.txt")


def test_files_claiming_huge_sizes_are_refused_before_allocating(tmp_path, capsys):
    # a word2vec header promising 2 billion 300-d vectors over a few bytes
    f = tmp_path / "huge.bin"
    f.write_bytes(b"2000000000 300\nw " + b"\0" * 1200)
    rc, _, err = run(capsys, "info", f)
    refused(rc, err, "header promises", "huge.bin")
    # a native file whose .npy header claims a 10^12 x 10^6 matrix
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        npy, {"descr": "<f4", "fortran_order": False, "shape": (10**12, 10**6)})
    npy.write(b"\0" * 64)
    header = {"format": "wordvec", "version": 1, "kind": "word-vectors", "meta": {},
              "arrays": {"vectors": {"dtype": "<f4", "shape": [10**12, 10**6]},
                         "words": {"dtype": "|u1", "shape": [1]}}}
    g = tmp_path / "huge.wv"
    with zipfile.ZipFile(g, "w") as zf:
        zf.writestr("wordvec.json", json.dumps(header))
        zf.writestr("vectors.npy", npy.getvalue())
        zf.writestr("words.npy", b"")
    rc, _, err = run(capsys, "info", g)
    refused(rc, err, "huge.wv")


class _Boom:
    """Unpickling this creates a marker file: proof that the pickle ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickled_objects_in_a_native_file_are_never_executed(tmp_path):
    marker = tmp_path / "PWNED"
    payload = np.array([_Boom(str(marker))] * 2, dtype=object)
    npy = io.BytesIO()
    np.save(npy, payload, allow_pickle=True)  # an object array: a pickle inside the .npy
    header = {"format": "wordvec", "version": 1, "kind": "word-vectors", "meta": {},
              "arrays": {"vectors": {"dtype": "|O", "shape": [2]},
                         "words": {"dtype": "|u1", "shape": [3]}}}
    words = io.BytesIO()
    np.save(words, np.frombuffer(b"a\nb", np.uint8))
    f = tmp_path / "evil.wv"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("wordvec.json", json.dumps(header))
        zf.writestr("words.npy", words.getvalue())
        zf.writestr("vectors.npy", npy.getvalue())
    for args in (["info", f], ["similar", f, "a"], ["train", "--resume", f, "-o",
                                                    tmp_path / "x.wv"]):
        proc = subprocess_cli(*args)
        refused(proc.returncode, proc.stderr, "evil.wv")
        assert "pickle" in proc.stderr or "Python objects" in proc.stderr, proc.stderr
    assert not marker.exists()
    # a plain pickle (gensim's model.save) and a bare .npy are named for what they are
    p = tmp_path / "model.pkl"
    p.write_bytes(pickle.dumps({"not": "vectors"}, protocol=4))
    proc = subprocess_cli("info", p)
    refused(proc.returncode, proc.stderr, "pickle", "never loads pickles")
    n = tmp_path / "bare.npy"
    np.save(n, np.zeros((2, 2), np.float32))
    proc = subprocess_cli("info", n)
    refused(proc.returncode, proc.stderr, "bare NumPy")


def test_resume_from_a_vector_file_or_missing_checkpoint(tmp_path, capsys, vectors):
    rc, _, err = run(capsys, "train", "--resume", vectors["v.wv"], "-o", tmp_path / "x.wv")
    refused(rc, err, "not a training checkpoint")
    rc, _, err = run(capsys, "train", "--resume", tmp_path / "none.ckpt", "-o",
                     tmp_path / "x.wv")
    refused(rc, err, "none.ckpt", "no such file")


def test_resume_when_the_corpus_moved(tmp_path, capsys, corpus):
    c = tmp_path / "c.txt"
    c.write_bytes(corpus.read_bytes())
    out = tmp_path / "v.wv"
    rc, _, err = run(capsys, "train", c, "-o", out, *SMALL, "--min-count", "2",
                     "--checkpoint-every", "1")
    assert rc == 0, err
    moved = tmp_path / "moved.txt"
    c.rename(moved)
    rc, _, err = run(capsys, "train", "--resume", f"{out}.ckpt")
    refused(rc, err, "corpus path not found", "c.txt", "new location")
    other = tmp_path / "other.txt"
    other.write_text("completely different words here\n" * 50)
    rc, _, err = run(capsys, "train", other, "--resume", f"{out}.ckpt")
    refused(rc, err, "differs", "other.txt")
    rc, _, err = run(capsys, "train", moved, "--resume", f"{out}.ckpt")
    assert rc == 0, err


# ------------------------------------------------------------------ output paths


def test_output_in_a_missing_folder_is_refused_before_reading_the_corpus(
    tmp_path, capsys, corpus, monkeypatch
):
    from wordvec import word2vec

    def never(*a, **k):  # pragma: no cover - reached only if the check comes too late
        raise AssertionError("training started before the output path was checked")

    monkeypatch.setattr(word2vec.Word2Vec, "build_vocab", never)
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "no" / "such" / "v.wv")
    refused(rc, err, "does not exist")
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", "--checkpoint",
                     tmp_path / "missing" / "c.ckpt")
    refused(rc, err, "does not exist", "c.ckpt")
    f = tmp_path / "a-file"
    f.write_text("x")
    rc, _, err = run(capsys, "train", corpus, "-o", f / "v.wv")
    refused(rc, err, "not a folder")
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path)
    refused(rc, err, "is a folder")
    rc, _, err = run(capsys, "plot", "loss", corpus, "-o", tmp_path / "nope" / "l.png")
    refused(rc, err, "does not exist")


def _read_only_folder(tmp_path):
    """A folder this process cannot create files in. For a normal user, permission bits;
    root ignores those, so for root /proc/self, where creating a file always fails (and
    whose permission bits would let root write: only a real attempt can tell)."""
    if os.geteuid() != 0:
        d = tmp_path / "ro"
        d.mkdir()
        d.chmod(0o555)
        return d
    d = Path("/proc/self")
    return d if d.is_dir() else None


def test_output_without_write_permission_is_refused_before_training(
    tmp_path, capsys, corpus, monkeypatch
):
    d = _read_only_folder(tmp_path)
    if d is None:
        pytest.skip("running as root without /proc: no folder is unwritable")
    from wordvec import word2vec

    monkeypatch.setattr(word2vec.Word2Vec, "build_vocab", lambda *a, **k: 1 / 0)
    try:
        rc, _, err = run(capsys, "train", corpus, "-o", d / "v.wv")
        refused(rc, err, "cannot write", "v.wv")
        assert not (d / "v.wv").exists()
    finally:
        if d.is_relative_to(tmp_path):
            d.chmod(0o755)


def test_user_errors_keep_the_exit_status_without_traceback_in_a_real_process(
    tmp_path, vectors
):
    proc = subprocess_cli("train", "corpus.txt", "--size", "0", "-o", tmp_path / "v.wv")
    refused(proc.returncode, proc.stderr, "--size")
    proc = subprocess_cli("similar", vectors["v.bin"], "no-such-word")
    refused(proc.returncode, proc.stderr, "no-such-word")
    proc = subprocess_cli("bogus-command")
    refused(proc.returncode, proc.stderr, "invalid choice")


# ------------------------------------------------------------------ what is at the output path


def test_outputs_that_are_not_files_are_refused_in_one_line(tmp_path, capsys, corpus, vectors):
    import socket

    sock_path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        rc, _, err = run(capsys, "train", corpus, "-o", sock_path, *SMALL)
        refused(rc, err, "socket")
        rc, _, err = run(capsys, "convert", vectors["v.bin"], sock_path)
        refused(rc, err, "socket")
    finally:
        sock.close()
    loop = tmp_path / "loop.wv"
    loop.symlink_to(loop.name)
    rc, _, err = run(capsys, "train", corpus, "-o", loop, *SMALL)
    refused(rc, err, "symbolic link")
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", *SMALL,
                     "--checkpoint", tmp_path)
    refused(rc, err, "folder")
    nothing_written(tmp_path, "s", "loop.wv")


def test_checkpoint_options_that_cannot_work(tmp_path, capsys, corpus):
    rc, _, err = run(capsys, "train", corpus, "-o", "/dev/null", *SMALL,
                     "--checkpoint-every", "1")
    refused(rc, err, "--checkpoint path", "not a regular file")
    out = tmp_path / "v.wv"
    rc, _, err = run(capsys, "train", corpus, "-o", out, *SMALL, "--checkpoint", out)
    refused(rc, err, "is the output file itself")
    rc, _, err = run(capsys, "train", corpus, "-o", out, *SMALL, "--tmp-dir",
                     tmp_path / "missing")
    refused(rc, err, "working files", "does not exist")
    nothing_written(tmp_path)


def test_an_output_locked_by_a_live_process_is_refused(tmp_path, capsys, corpus):
    import fcntl

    out = tmp_path / "v.wv"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    fd = os.open(tmp_path / "v.wv.lock", os.O_RDWR | os.O_CREAT)
    try:
        os.write(fd, f"{holder.pid}\n".encode())
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running wordvec holds it
        rc, _, err = run(capsys, "train", corpus, "-o", out, *SMALL)
        refused(rc, err, f"process {holder.pid}", "v.wv.lock", "another wordvec run")
    finally:
        os.close(fd)
        holder.kill()
        holder.wait()
    assert not out.exists()
