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
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from wordvec import cli, synthetic
from wordvec.vectors.formats import encode_words, save_state, save_vectors
from wordvec.vectors.keyed import WordVectors

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


def test_train_without_arguments_asks_for_the_corpus_first(capsys):
    rc, _, err = run(capsys, "train")
    line = refused(rc, err, "give a corpus", "standard input")
    assert line.index("corpus") < line.index("-o")  # the corpus is named first


@pytest.mark.parametrize("kind", ["loop", "broken"])
def test_symbolic_links_leading_nowhere_are_named(tmp_path, capsys, kind):
    if kind == "loop":
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        needle = "symbolic link loop"
    else:
        (tmp_path / "a").symlink_to(tmp_path / "nowhere.txt")
        needle = "broken symbolic link (to "
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = run(capsys, "train", tmp_path / "a", "-o", out / "v.wv", *SMALL)
    assert "not found" not in refused(rc, err, needle)
    nothing_written(out)
    rc, _, err = run(capsys, "similar", tmp_path / "a", "king")
    assert "no such file" not in refused(rc, err, needle)


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
        from wordvec.vectors.formats import load_vectors

        assert load_vectors(out).meta["corpus"]["tokens"] > mb * 150_000
    print(f"peak RSS: 3 MB line {peaks[3]:.0f} MiB, 30 MB line {peaks[30]:.0f} MiB")
    # holding the 30 MB line (or its ~5M tokens as Python strings) would add >= 30 MB
    assert peaks[30] - peaks[3] < 15, peaks


def test_vocabulary_empty_after_min_count(tmp_path, capsys, corpus):
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = run(capsys, "train", corpus, "-o", out / "v.wv", "--min-count", "1000000")
    refused(rc, err, "--min-count 1000000", "lower --min-count")
    nothing_written(out)


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--size", "0"], "--size"),
        (["--size", "-3"], "--size"),
        (["--size", "ten"], "whole number"),
        (["--size", "100000"], "--size 100000"),
        (["--window", "0"], "--window"),
        (["--window", "1000000"], "window"),
        (["--negative", "-1"], "negative"),
        (["--negative", "5000"], "negative"),
        (["--sample", "-0.1"], "sample"),
        (["--sample", "nan"], "sample"),
        (["--alpha", "0"], "alpha"),
        (["--alpha", "-0.5"], "alpha"),
        (["--alpha", "inf"], "alpha"),
        (["--alpha", "0.01", "--min-alpha", "0.1"], "--min-alpha"),
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
        (["--model", "sg", "--cbow-mean", "1"], "--cbow-mean applies to --model cbow"),
        (["--model", "cbow", "--per-pair"], "--per-pair"),
        (["--model", "cbow", "--shared-negatives"], "--shared-negatives applies to --model sg"),
        (["--method", "fasttext", "--model", "sg", "--per-pair", "--shared-negatives"],
         "contradict"),
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
    line = refused(rc, err, "diverged", "lower the learning rate", "try --alpha")
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


def test_resume_from_a_pickle_or_text_file_says_what_it_is(tmp_path, capsys):
    # checkpoints are read by wordvec.native alone (no vector-format sniffing): it still
    # names what the file looks like from its first bytes
    p = tmp_path / "model.pkl"
    p.write_bytes(pickle.dumps({"not": "a checkpoint"}, protocol=4))
    rc, _, err = run(capsys, "train", "--resume", p, "-o", tmp_path / "x.wv")
    refused(rc, err, "model.pkl", "not a wordvec native file", "python pickle", "never loads")
    t = tmp_path / "notes.ckpt"
    t.write_text("epoch 3 of 5\nloss 1.2\n", encoding="utf-8")
    rc, _, err = run(capsys, "train", "--resume", t, "-o", tmp_path / "x.wv")
    refused(rc, err, "notes.ckpt", "a text file (first line: 'epoch 3 of 5')")
    assert not (tmp_path / "x.wv").exists()


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


def test_messages_name_cli_flags_not_python_arguments(tmp_path, capsys, vectors):
    # the full softmax's vocabulary limit, from the command line
    big = tmp_path / "big.txt"
    big.write_text(" ".join(f"w{i}" for i in range(20_001)) + "\n")
    rc, _, err = run(capsys, "train", big, "-o", tmp_path / "v.txt", "--loss", "softmax",
                     "--min-count", "1")
    line = refused(rc, err, "20,000", "--min-count", "--loss ns", "--loss hs")
    assert "wordvec.Word2Vec" not in line and "negative=" not in line and "=" not in line
    # t-SNE without scikit-learn: the flag, and nothing before the error
    try:
        import sklearn  # noqa: F401
    except ImportError:
        odd = tmp_path / "cjk.txt"
        odd.write_text("2 2\n\u4e2d\u56fd 1.5 0.25\n\u65e5\u672c 0.25 1.5\n",
                       encoding="utf-8")
        rc, _, err = run(capsys, "plot", "words", odd, "--method", "tsne", "-o",
                         tmp_path / "t.png")
        line = refused(rc, err, "--method tsne needs scikit-learn", "--method pca")
        assert "method=" not in line


# ------------------------------------------------------------------ output paths


def test_plot_keeps_an_existing_default_output(tmp_path, capsys, vectors):
    src = tmp_path / "v.wv"
    src.write_bytes(vectors["v.wv"].read_bytes())
    (tmp_path / "v.words.png").write_bytes(b"mine")
    rc, out, err = run(capsys, "plot", "words", src)
    refused(rc, err, "v.words.png exists", "--force", "-o")
    assert (tmp_path / "v.words.png").read_bytes() == b"mine" and out == ""


def test_output_in_a_missing_folder_is_refused_before_reading_the_corpus(
    tmp_path, capsys, corpus, monkeypatch
):
    from wordvec.train import word2vec

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
    from wordvec.train import word2vec

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


# ------------------------------------------------------------------ wrong results, no warning


@pytest.fixture(scope="module")
def nan_vectors(tmp_path_factory):
    d = tmp_path_factory.mktemp("nan")
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(20)]
    vecs = rng.normal(size=(20, 4)).astype(np.float32)
    vecs[7, 2] = np.nan
    vecs[12, 0] = np.inf
    wv = WordVectors(words, vecs)
    out = {name: save_vectors(wv, d / name) for name in ("v.bin", "v.txt", "v.wv")}
    out["g.txt"] = save_vectors(wv, d / "g.txt", format="glove")
    return out


# info reads only the headers of a native file (cheap at any size), so it does not see
# the values: that case is the test after this one
@pytest.mark.parametrize("command,name", [
    (c, n) for c in ["similar", "analogy", "evaluate", "info", "convert", "plot words"]
    for n in ["v.bin", "v.txt", "v.wv", "g.txt"] if (c, n) != ("info", "v.wv")])
def test_vectors_with_nan_or_inf_are_refused_naming_the_first_row(
        tmp_path, capsys, nan_vectors, name, command):
    path = nan_vectors[name]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("w1\tw2\t3.0\nw3\tw4\t1.0\nw5\tw6\t2.0\n")
    args = {"similar": ["similar", path, "w1"], "analogy": ["analogy", path, "w1", "w2", "w3"],
            "evaluate": ["evaluate", path, "--pairs", pairs], "info": ["info", path],
            "convert": ["convert", path, tmp_path / "x.txt"],
            "plot words": ["plot", "words", path, "-o", tmp_path / "m.png"]}[command]
    rc, _, err = run(capsys, *args)
    refused(rc, err, "2 of 20 vectors hold NaN or infinite values", "word 'w7', row 8",
            "--allow-nonfinite")
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "m.png").exists()
    rc, out, err = run(capsys, *args, "--allow-nonfinite")
    assert "word 'w7', row 8" in err  # still said, as a warning
    if command == "plot words":  # a map cannot be drawn from NaN: plot says so itself
        assert rc == 2 and "NaN or infinite" in err.splitlines()[-1]
    else:
        assert rc == 0, err


def test_info_on_a_native_file_with_nan_reads_headers_only(capsys, nan_vectors):
    rc, out, err = run(capsys, "info", nan_vectors["v.wv"])
    assert rc == 0, err
    assert "words:       20" in out


def test_evaluate_refuses_constant_scores_in_one_line_even_with_json(tmp_path, capsys, vectors):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("w1\tw2\t3.0\nw3\tw4\t3.0\nw5\tw6\t3.0\n")  # constant: no correlation
    rc, out, err = run(capsys, "evaluate", vectors["v.bin"], "--pairs", pairs, "--json")
    refused(rc, err, "all 3 scored pairs are equal", "undefined")
    assert out == ""


def test_results_with_nan_become_null_in_json():
    """Whatever a result holds, its JSON form is valid JSON (NaN -> null)."""
    from wordvec.vectors.evaluate import PairsResult

    fields = {f: 0 for f in PairsResult.__dataclass_fields__ if f not in ("path", "kind")}
    r = PairsResult(path="p", **{**fields, "spearman": float("nan"), "pearson": float("inf")})
    text = json.dumps(r.to_dict(), allow_nan=False)
    assert json.loads(text)["spearman"] is None


@pytest.mark.parametrize("content", [b"3 2\na 1 0\nb 0 1\nc 1 1\n", b"3 2\na 0 0\nb 0 0\nc 0 0\n",
                                     b"2 3\nx 1 2 3\ny -1 0 7"],
                         ids=["integers", "zeros", "no final newline"])
def test_text_files_with_integer_values_are_read_as_text(tmp_path, capsys, content):
    f = tmp_path / "v.txt"
    f.write_bytes(content)
    rc, out, err = run(capsys, "info", f)
    assert rc == 0, err
    assert "format:      word2vec-text" in out
    rc, out, err = run(capsys, "similar", f, content.split(b"\n")[1][:1].decode(), "-n", "1")
    assert rc == 0, err


def test_input_format_overrides_sniffing(tmp_path, capsys, vectors):
    for command in (["similar", vectors["v.txt"], "w1"], ["info", vectors["v.txt"]],
                    ["analogy", vectors["v.txt"], "w1", "w2", "w3"],
                    ["plot", "words", vectors["v.txt"], "-o", tmp_path / "m.png"]):
        rc, _, err = run(capsys, *command, "--input-format", "word2vec-text")
        assert rc == 0, (command, err)
        rc, _, err = run(capsys, *command, "--input-format", "word2vec-binary")
        refused(rc, err, "it is word2vec-text")
    rc, out, err = run(capsys, "info", vectors["v.bin"], "--input-format", "bin")
    assert rc == 2 and "invalid choice" in err


@pytest.mark.parametrize(
    "content,needles",
    [
        (b"-3 5\na 1 2 3 4 5\n", ["bad header on line 1", "-3 5", "0 or more"]),
        (b"3 -5\na 1 2 3 4 5\n", ["bad header on line 1", "dimensions"]),
        (b"0 2\na 1 0\nb 0 1\n", ["header says the file holds 0 words, but data follows"]),
    ],
    ids=["negative count", "negative dims", "zero count with rows"],
)
def test_bad_headers_are_reported_as_headers(tmp_path, capsys, content, needles):
    f = tmp_path / "v.txt"
    f.write_bytes(content)
    rc, _, err = run(capsys, "info", f)
    refused(rc, err, *needles)


def test_rows_beyond_the_header_count_are_warned_about(tmp_path, capsys):
    f = tmp_path / "v.txt"
    f.write_bytes(b"1 2\na 1 0\nb 0 1\n")
    rc, out, err = run(capsys, "info", f)
    assert rc == 0 and "words:       1" in out
    assert "more data follows the 1 words" in err


# --- phrases (issue 11) ------------------------------------------------------------------


@pytest.mark.parametrize("args,needles", [
    (["--threshold", "0"], ["threshold", "> 0"]),
    (["--threshold", "-5"], ["threshold", "> 0"]),
    (["--scoring", "npmi", "--threshold", "1.5"], ["threshold", "(-1, 1]", "--scoring npmi"]),
    (["--scoring", "npmi", "--threshold", "-1"], ["threshold", "(-1, 1]"]),
    (["--min-count", "0"], ["--min-count", "at least 1"]),
    (["--passes", "0"], ["--passes", "at least 1"]),
])
def test_phrases_bad_settings(capsys, corpus, tmp_path, args, needles):
    out = tmp_path / "phrased.txt"
    rc, _, err = run(capsys, "phrases", corpus, "-o", out, *args)
    refused(rc, err, *needles)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


@pytest.mark.parametrize("args,needles", [
    (["--phrases", "1", "--phrases-threshold", "0"], ["--phrases-threshold", "> 0"]),
    (["--phrases", "1", "--phrases-scoring", "npmi", "--phrases-threshold", "2"],
     ["--phrases-threshold", "(-1, 1]", "--phrases-scoring npmi"]),
    (["--phrases", "0"], ["--phrases", "at least 1"]),
    (["--phrases-threshold", "50"], ["with --phrases n only"]),
])
def test_train_phrases_bad_settings(capsys, corpus, tmp_path, args, needles):
    out = tmp_path / "v.bin"
    rc, _, err = run(capsys, "train", corpus, "-o", out, *SMALL, *args)
    refused(rc, err, *needles)
    assert list(tmp_path.iterdir()) == []


def test_phrases_library_refuses_bad_settings():
    from wordvec.errors import ConfigError
    from wordvec.text.phrases import Phrases

    for kw, needle in ((dict(threshold=0), "> 0"), (dict(scoring="npmi", threshold=-1), "(-1, 1]"),
                       (dict(min_count=0), "min_count")):
        with pytest.raises(ConfigError, match=re.escape(needle)):
            Phrases([["a", "b"]], **kw)


def test_a_huge_token_is_cut_and_the_binary_file_reads_back(tmp_path, capsys, corpus):
    f = tmp_path / "c.txt"
    f.write_bytes(corpus.read_bytes() + (b"x" * 2_000_000 + b" the\n") * 6)
    out = tmp_path / "v.bin"
    rc, _, err = run(capsys, "train", f, "-o", out, *SMALL, "--min-count", "5")
    assert rc == 0, err
    assert "cut 6 token(s) longer than 100 characters" in err
    rc, text, err = run(capsys, "similar", out, "x" * 100, "-n", "2")
    assert rc == 0, err


def test_a_folder_with_subfolders_hidden_and_binary_files(tmp_path, capsys, corpus):
    d = tmp_path / "corpus"
    (d / "part2").mkdir(parents=True)
    lines = corpus.read_text().splitlines(keepends=True)
    (d / "part1.txt").write_text("".join(lines[: len(lines) // 2]))
    (d / "part2" / "rest.txt").write_text("".join(lines[len(lines) // 2:]))
    (d / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" * 20)
    (d / "part2" / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    out = tmp_path / "v.wv"
    rc = cli.main([*map(str, ["train", d, "-o", out, *SMALL])])  # not quiet: INFO lines too
    err = capsys.readouterr().err
    assert rc == 0, err
    assert err.count("looks like a binary file") == 1 and "figure.png" in err
    assert "skipping hidden" in err and ".DS_Store" in err
    rc, text, _ = run(capsys, "info", out)
    whole = tmp_path / "whole.wv"
    assert run(capsys, "train", corpus, "-o", whole, *SMALL)[0] == 0
    tokens = [line for line in text.splitlines() if "tokens (in vocabulary)" in line]
    assert tokens and tokens[0] in run(capsys, "info", whole)[1]  # every sentence was read


def test_a_folder_of_binary_files_only_is_an_error(tmp_path, capsys):
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "a.bin").write_bytes(bytes(range(256)) * 4)
    (d / "b.npy").write_bytes(b"\x93NUMPY\x01\x00" + b"\x00" * 100)
    rc, _, err = run(capsys, "train", d, "-o", tmp_path / "v.wv")
    *warnings, last = err.splitlines()  # one warning per skipped file, then the error
    refused(rc, last, "no readable files", "2 file(s) skipped")
    assert len(warnings) == 2 and all("looks like a binary file" in w for w in warnings)
    assert not (tmp_path / "v.wv").exists()


def test_malformed_analogy_lines_are_reported_once_and_none_usable_is_an_error(
        tmp_path, capsys, vectors):
    q = tmp_path / "q.txt"
    q.write_text(": s\nw1 w2 w3\nw1 w2 w3 w4\nw5 w6\nw1 w2 w3 w4 w5\nw7 w8 w9 w10\n")
    rc = cli.main(["evaluate", str(vectors["v.wv"]), "--analogies", str(q)])  # not quiet
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "skipped 3 malformed line(s) in" in err and "(first: line 2" in err
    assert err.count("malformed line") == 1
    bad = tmp_path / "bad.txt"
    bad.write_text(": s\nw1 w2 w3\nw1,w2,w3,w4\n")
    rc, _, err = run(capsys, "evaluate", vectors["v.wv"], "--analogies", bad)
    refused(rc, err, "holds no usable question", "line 2")
    oov = tmp_path / "oov.txt"
    oov.write_text(": s\nxa xb xc xd\n")
    rc, _, err = run(capsys, "evaluate", vectors["v.wv"], "--analogies", oov)
    refused(rc, err, "none of its 1 questions has all four words")


def test_malformed_pair_lines_are_reported_once_and_none_usable_is_an_error(
        tmp_path, capsys, vectors):
    p = tmp_path / "p.tsv"
    p.write_text("w1\tw2\t1.0\nw1 w2 3\nw3\tw4\t2.5\nw5\tw6\tmany\nw7\tw8\t0.5\n")
    rc = cli.main(["evaluate", str(vectors["v.wv"]), "--pairs", str(p)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "skipped 2 malformed line(s) in" in err and "(first: line 2" in err
    bad = tmp_path / "bad.tsv"
    bad.write_text("w1 w2 1.0\nw3 w4 2.0\n")
    rc, _, err = run(capsys, "evaluate", vectors["v.wv"], "--pairs", bad)
    refused(rc, err, "no 'word1", "line 1")


def test_odd_scripts_train_into_whole_words(tmp_path, capsys):
    import unicodedata

    text = ("हिन्दी भाषा सुंदर है\n" "اَلْعَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ\n" "ภาษาไทย สวัสดี\n"
            + unicodedata.normalize("NFD", "über café straße\n") + "我爱北京 😀 tokyo\n") * 30
    f = tmp_path / "c.txt"
    f.write_text(text, "utf-8")
    out = tmp_path / "v.txt"
    rc, _, err = run(capsys, "train", f, "-o", out, *SMALL, "--min-count", "1")
    assert rc == 0, err
    words = {line.split(" ")[0] for line in out.read_text("utf-8").splitlines()[1:]}
    assert {"हिन्दी", "اَلْعَرَبِيَّةُ", "ภาษาไทย", "über", "café", "我爱北京"} <= words
    assert not words & {"ह", "न", "u", "ber"}
    raw = tmp_path / "raw.txt"
    rc, _, err = run(capsys, "train", f, "-o", raw, *SMALL, "--min-count", "1",
                     "--no-normalize")
    assert rc == 0, err
    kept = {line.split(" ")[0] for line in raw.read_text("utf-8").splitlines()[1:]}
    assert "u\u0308ber" in kept and "über" not in kept


# ------------------------------------------------------- word pairs: too few to correlate


def _vectors_knowing(tmp_path, words):
    rng = np.random.default_rng(1)
    names = [*words, "filler", "other"]
    wv = WordVectors(names, rng.normal(size=(len(names), 8)).astype(np.float32))
    return save_vectors(wv, tmp_path / "few.txt")


@pytest.mark.shared
@pytest.mark.parametrize("known, needle", [
    ([], "none of the 30 pairs"),            # no word of EN-MC-30 at all
    (["car"], "none of the 30 pairs"),        # one word, no whole pair
    (["car", "automobile"], "only 1 of the 30 pairs"),  # exactly one usable pair
])
def test_pairs_with_fewer_than_two_usable(tmp_path, capsys, shared_data, known, needle):
    mc30 = shared_data / "eval" / "similarity" / "EN-MC-30.txt"
    vec = _vectors_knowing(tmp_path, known)
    for extra in ([], ["--json"]):
        rc, out, err = run(capsys, "evaluate", vec, "--pairs", mc30, *extra)
        refused(rc, err, needle, "EN-MC-30.txt", "at least 2")
        assert out == ""


def test_pairs_with_one_usable_or_constant_scores(tmp_path, capsys):
    vec = _vectors_knowing(tmp_path, ["car", "automobile", "gem", "jewel"])
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("car\tautomobile\t3.9\nunknown\tword\t1.0\n", encoding="utf-8")
    refused(*run(capsys, "evaluate", vec, "--pairs", pairs)[::2], "only 1 of the 2 pairs")
    pairs.write_text("car\tautomobile\t3.0\ngem\tjewel\t3.0\n", encoding="utf-8")
    refused(*run(capsys, "evaluate", vec, "--pairs", pairs)[::2], "human scores", "equal")
    pairs.write_text("car\tautomobile\t3.9\ngem\tjewel\t3.8\ncar\tgem\t1.0\n", encoding="utf-8")
    rc, out, err = run(capsys, "evaluate", vec, "--pairs", pairs, "--json")
    assert rc == 0, err
    assert json.loads(out)[0]["used"] == 3


# ------------------------------------------------- hostile native files: compressed members

_CHUNK = 1 << 20


def _zip_bytes(members):
    """A zip archive from (name, method, data as stored, crc, inflated size) tuples."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, size in members:
        raw = name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, method, 0, 0x21, crc, len(data), size)
        central += (b"PK\x01\x02" + struct.pack("<H", 20) + fields
                    + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0, len(out)) + raw)
        out += b"PK\x03\x04" + fields + struct.pack("<HH", len(raw), 0) + raw + data
    end = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + b"PK\x05\x06" + end)


def _deflate_bomb(tmp_path, inflated_mib):
    """A native file whose 'vectors' member is deflated: ~1 MB that inflates to
    ``inflated_mib`` MiB, at a ratio (~600) that a compression-ratio check lets through.
    Built without compressing the whole array: after a full flush deflate restarts,
    so one compressed chunk repeated is the stream of the chunk repeated."""
    rows, dim = inflated_mib * _CHUNK // (4 * 4096), 4096
    npy = np.lib.format
    head = io.BytesIO()
    npy.write_array_header_1_0(head, {"descr": "<f4", "fortran_order": False,
                                      "shape": (rows, dim)})
    head = head.getvalue()
    rng = np.random.default_rng(0)
    chunk = np.zeros(_CHUNK, np.uint8)
    chunk[rng.integers(0, _CHUNK, 300)] = rng.integers(1, 255, 300)
    chunk = chunk.tobytes()
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    start = z.compress(head) + z.flush(zlib.Z_FULL_FLUSH)
    block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    data = start + block * inflated_mib + z.flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mib):
        crc = zlib.crc32(chunk, crc)
    words = "\n".join(f"w{i}" for i in range(rows)).encode()
    words_npy = io.BytesIO()
    np.save(words_npy, np.frombuffer(words, np.uint8))
    words_npy = words_npy.getvalue()
    header = json.dumps({"format": "wordvec", "version": 1, "kind": "word-vectors",
                         "arrays": {"vectors": {"dtype": "<f4", "shape": [rows, dim]},
                                    "words": {"dtype": "|u1", "shape": [len(words)]}},
                         "meta": {}}).encode()
    path = tmp_path / "bomb.wv"
    path.write_bytes(_zip_bytes([
        ("wordvec.json", 0, header, zlib.crc32(header), len(header)),
        ("vectors.npy", zipfile.ZIP_DEFLATED, data, crc, len(head) + rows * dim * 4),
        ("words.npy", 0, words_npy, zlib.crc32(words_npy), len(words_npy)),
    ]))
    return path


# The peak is the process's own high-water mark (VmHWM), not getrusage's ru_maxrss:
# Linux carries ru_maxrss over fork+exec, so a child of a large pytest process would
# report the parent's size (measured: 310 MiB for a child of a 300 MiB parent whose
# VmHWM was 9 MiB) and the bound would flake with the suite's memory.
_PEAK = """
import sys
from wordvec import cli
rc = cli.main(["-q", *sys.argv[1:]])
hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(rc, int(hwm[0]) // 1024)
"""


def _peak_mib(*args):
    """Exit status and peak RSS (MiB) of one wordvec command in a fresh process."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs Linux's /proc/self/status to read the peak memory")
    proc = subprocess.run([sys.executable, "-c", _PEAK, *map(str, args)],
                          capture_output=True, text=True, timeout=120)
    rc, peak = proc.stdout.splitlines()[-1].split()
    return int(rc), int(peak), proc.stderr


@pytest.mark.parametrize("command", ["info", "similar", "convert"])
def test_a_compressed_member_is_refused_before_it_is_inflated(tmp_path, command):
    bomb = _deflate_bomb(tmp_path, inflated_mib=512)
    assert bomb.stat().st_size < 2 * _CHUNK
    out = tmp_path / "out.txt"
    args = {"info": ["info", bomb], "similar": ["similar", bomb, "w1"],
            "convert": ["convert", bomb, out]}[command]
    rc, peak, err = _peak_mib(*args)
    refused(rc, err, "vectors.npy", "compressed", "deflate")
    # a Python with NumPy and wordvec imported takes ~40 MiB; inflating takes >= 512 MiB
    assert peak < 256, f"peak RSS {peak} MiB"
    assert not out.exists()


def test_compressed_or_inconsistent_headers_are_refused(tmp_path, capsys, vectors):
    src = Path(vectors["v.wv"])
    with zipfile.ZipFile(src) as zf:
        members = [(i, zf.read(i)) for i in zf.infolist()]
    deflated = tmp_path / "deflated.wv"
    with zipfile.ZipFile(deflated, "w") as out:
        for info, data in members:
            out.writestr(info.filename, data,
                         compress_type=zipfile.ZIP_DEFLATED if info.filename == "wordvec.json"
                         else zipfile.ZIP_STORED)
    refused(*run(capsys, "info", deflated)[::2], "wordvec.json", "compressed")
    # a stored member whose recorded sizes disagree (a way to claim more than the file holds)
    raw = bytearray(src.read_bytes())
    at = raw.rfind(b"PK\x01\x02")  # the last member's central record
    struct.pack_into("<I", raw, at + 24, struct.unpack_from("<I", raw, at + 24)[0] + 1000)
    lying = tmp_path / "lying.wv"
    lying.write_bytes(bytes(raw))
    refused(*run(capsys, "info", lying)[::2], "damaged", "stored size")


def test_info_reads_the_headers_not_the_arrays(tmp_path):
    n = 1_000_000
    big = save_state(tmp_path / "big.wv",
                     {"words": encode_words([f"w{i}" for i in range(n)]),
                      "vectors": np.zeros((n, 8), np.float32)},
                     {"vocab_size": n, "vector_size": 8}, kind="word-vectors")
    rc, peak, err = _peak_mib("info", big)
    assert rc == 0, err
    # measured: 46 MiB; loading the million words (what info did before) took 198 MiB
    assert peak < 120, f"peak RSS {peak} MiB"


@pytest.mark.parametrize("args, needle", [
    (["--max-vocab-size", "0"], "--max-vocab-size"),
    (["--max-vocab-size", "many"], "--max-vocab-size"),
    (["--loss", "softmax", "--max-vocab-size", "100"], "--max-vocab-size does not apply"),
])
def test_max_vocab_size_out_of_range_or_out_of_place(tmp_path, capsys, corpus, args, needle):
    refused(*run(capsys, "train", corpus, "-o", tmp_path / "v.wv", *args)[::2], needle)
    nothing_written(tmp_path)


def test_max_vocab_size_with_resume_is_refused(tmp_path, capsys):
    rc, _, err = run(capsys, "train", "--resume", tmp_path / "v.wv.ckpt",
                     "--max-vocab-size", "100")
    refused(rc, err, "--max-vocab-size", "--resume")


# --device: the GPU engine (wordvec.train.cuda); none of these needs a GPU
@pytest.mark.parametrize("args, needle", [
    (["--device", "gpu"], "--device"),
    (["--device", "cuda", "--loss", "hs"], "negative sampling only"),
    (["--device", "cuda", "--hs", "1"], "negative sampling only"),
    (["--device", "cuda", "--model", "sg", "--per-pair"], "shares noise words"),
    (["--device", "cuda", "--method", "fasttext"], "CPU only"),
    (["--device", "cuda", "--method", "svd"], "--device does not apply to --method svd"),
    (["--device", "cuda", "--loss", "softmax"], "--device does not apply"),
])
def test_device_out_of_range_or_out_of_place(tmp_path, capsys, corpus, args, needle):
    refused(*run(capsys, "train", corpus, "-o", tmp_path / "v.wv", *args)[::2], needle)
    nothing_written(tmp_path)


def test_device_with_resume_is_refused(tmp_path, capsys):
    rc, _, err = run(capsys, "train", "--resume", tmp_path / "v.wv.ckpt", "--device", "cpu")
    refused(rc, err, "--device", "--resume")


def test_serve_refuses_bad_files_ports_and_hosts_in_one_line(capsys, tmp_path, vectors):
    import fastapi  # noqa: F401 - `make test` installs the serve extra: fail, never skip
    import uvicorn  # noqa: F401

    good = vectors["v.wv"]
    refused(*run(capsys, "serve", tmp_path / "nope.wv", "--port", "0")[::2], "nope.wv")
    refused(*run(capsys, "serve", good, "--port", "0", "--pairs", tmp_path / "p.tsv")[::2],
            "p.tsv", "does not exist")
    refused(*run(capsys, "serve", good, "--port", "70000")[::2], "port", "65535")
    refused(*run(capsys, "serve", good, "--index", "annoy")[::2], "invalid choice")
    refused(*run(capsys, "serve", good, "--host", "no.such.host.invalid", "--port", "0")[::2],
            "cannot listen")
    refused(*run(capsys, "serve", *[good] * 5, "--port", "0")[::2], "at most 4")
    (tmp_path / "bad.wv").write_bytes(b"\x00garbage")
    refused(*run(capsys, "serve", tmp_path / "bad.wv", "--port", "0")[::2], "bad.wv")


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


def test_cache_refused_where_no_corpus_is_read(capsys, tmp_path):
    rc, _, err = run(capsys, "train", "--resume", tmp_path / "x.ckpt", "--cache", tmp_path)
    refused(rc, err, "--cache", "--resume")
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 10)
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.txt", "--loss", "softmax",
                     "--cache", tmp_path / "cache")
    refused(rc, err, "--cache", "--loss softmax")


# --- training on a Dask cluster (no cluster is started by these) ---------------------------
@pytest.mark.parametrize("args,needle", [
    (["--dask-local", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    (["--dask-local", "2", "--method", "svd", "--epochs", "2"], "--epochs"),
    (["--dask-local", "2", "--loss", "softmax"], "--loss softmax"),
])
def test_cluster_option_mistakes(tmp_path, capsys, corpus, args, needle):
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", *args)
    refused(rc, err, needle)
    assert not (tmp_path / "v.wv").exists()


def test_several_corpora_need_a_cluster(tmp_path, capsys, corpus):
    rc, _, err = run(capsys, "train", corpus, corpus, "-o", tmp_path / "v.wv")
    refused(rc, err, "--scheduler")


def test_unreachable_scheduler(tmp_path, capsys, corpus):
    pytest.importorskip("distributed")
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv",
                     "--scheduler", "tcp://127.0.0.1:9")
    refused(rc, err, "cannot reach the dask scheduler at tcp://127.0.0.1:9")
    assert not (tmp_path / "v.wv").exists()


# ----------------------------------------------------------------------------- fastText
FASTTEXT = ["--method", "fasttext", "--bucket", "1000", *SMALL]


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--minn", "5", "--maxn", "3"], "--minn (5) is larger than --maxn (3)"),
        (["--bucket", "0"], "--bucket must be an integer >= 1"),
        (["--minn", "0"], "--minn"),
        (["--dask-local", "2"], "--method fasttext trains on one machine"),
        (["--loss", "softmax"], "--loss softmax does not apply to --method fasttext"),
        (["--bucket", "2000000000", "--size", "5000"], "lower --bucket"),
    ],
)
def test_fasttext_settings(tmp_path, capsys, corpus, args, needle):
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.bin", *FASTTEXT, *args)
    refused(rc, err, needle)
    nothing_written(tmp_path)


def test_a_fasttext_checkpoint_resumed_as_another_model_or_with_other_ngrams(tmp_path, capsys,
                                                                           corpus):
    out = tmp_path / "ft.bin"
    rc, _, err = run(capsys, "train", corpus, "-o", out, *FASTTEXT, "--min-count", "2",
                     "--checkpoint-every", "1")
    assert rc == 0, err
    ckpt = tmp_path / "ft.bin.ckpt"
    assert ckpt.exists()
    out.unlink()
    for args, needle in (
        (["--method", "word2vec"], "--method does not apply with --resume"),
        (["--bucket", "2000"], "--bucket does not apply with --resume"),
        (["--minn", "2", "--maxn", "4"], "--minn, --maxn do not apply with --resume"),
        (["--dask-local", "2"], "checkpoint of a fastText model, which trains on one machine"),
    ):
        rc, _, err = run(capsys, "train", "--resume", ckpt, *args)
        refused(rc, err, needle)
        assert not out.exists()
    w2v = tmp_path / "w.wv"
    rc, _, err = run(capsys, "train", corpus, "-o", w2v, *SMALL, "--min-count", "2",
                     "--checkpoint-every", "1")
    assert rc == 0, err
    rc, _, err = run(capsys, "train", "--resume", f"{w2v}.ckpt", "--method", "fasttext",
                     "--bucket", "1000")
    refused(rc, err, "--bucket, --method do not apply with --resume")


def test_fasttext_options_without_the_fasttext_method(tmp_path, capsys, corpus):
    rc, _, err = run(capsys, "train", corpus, "-o", tmp_path / "v.wv", "--minn", "2", *SMALL)
    refused(rc, err, "--minn does not apply without --method fasttext")


@pytest.fixture(scope="module")
def fasttext_bin(tmp_path_factory):
    from wordvec.vectors.keyed import FastTextVectors

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(20)]
    vocab_rows = rng.normal(size=(20, 8)).astype(np.float32)
    wv = FastTextVectors(words, vocab_rows, np.arange(20, 0, -1),
                         vectors_ngrams=rng.normal(size=(100, 8)).astype(np.float32),
                         min_n=2, max_n=4, vectors_vocab=vocab_rows)
    return save_vectors(wv, tmp_path_factory.mktemp("ft") / "ft.bin")


def _patched(src, dst, offset, fmt, value):
    data = bytearray(src.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("command", ["info", "similar"])
def test_damaged_or_unsupported_fasttext_models(tmp_path, capsys, fasttext_bin, command):
    data = fasttext_bin.read_bytes()
    cases = {
        "cut.bin": ("truncated", lambda p: p.write_bytes(data[: len(data) // 2]) and p),
        "cut-dict.bin": ("truncated", lambda p: p.write_bytes(data[:90]) and p),
        "v13.bin": ("version 13 is not supported",
                    lambda p: _patched(fasttext_bin, p, 4, "<i", 13)),
        # settings: dim ws epoch minCount neg wordNgrams loss model ... (model is the 8th)
        "sup.bin": ("supervised", lambda p: _patched(fasttext_bin, p, 8 + 7 * 4, "<i", 3)),
        # the dictionary's label count follows the settings (12 int32 and a double)
        "labels.bin": ("supervised", lambda p: _patched(fasttext_bin, p, 8 + 56 + 8, "<i", 2)),
    }
    for name, (needle, make) in cases.items():
        path = make(tmp_path / name)
        args = ["info", path] if command == "info" else ["similar", path, "w1"]
        rc, _, err = run(capsys, *args)
        refused(rc, err, needle, name)
