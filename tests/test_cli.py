"""The command line as a user runs it: real files in, exit status and messages out."""

import json
import subprocess
import sys

import numpy as np
import pytest

from wordvec import synthetic
from wordvec.cli import main
from wordvec.formats import load_vectors


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    corpus = synthetic.write_corpus(d / "corpus.txt", n_words=60_000, seed=2)
    out = d / "vectors.wv"
    rc = main(["-q", "train", str(corpus), "-o", str(out), "--model", "sg", "--size", "16",
               "--epochs", "3", "--workers", "1", "--min-count", "3"])
    assert rc == 0
    return d, corpus, out


def test_train_writes_loadable_vectors(trained):
    _, _, out = trained
    wv = load_vectors(out)
    assert wv.vector_size == 16 and "king" in wv
    assert wv.meta["losses"] and wv.meta["model"] == "sg"


def test_query_commands(trained, capsys):
    d, _, out = trained
    assert main(["similar", str(out), "King", "-n", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all("\t" in line for line in lines)
    assert main(["analogy", str(out), "man", "woman", "king", "-n", "2"]) == 0
    assert "man : woman :: king : ?" in capsys.readouterr().out


def test_evaluate_json_and_table(trained, capsys):
    d, _, out = trained
    questions = synthetic.write_analogies(d / "q.txt")
    pairs = d / "pairs.txt"
    pairs.write_text("king\tqueen\t9\nking\tdog\t1\nparis\tfrance\t8\ncat\tcats\t7\n")
    assert main(["evaluate", str(out), "--analogies", str(questions), "--pairs", str(pairs),
                 "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["kind"] == "analogies" and results[1]["kind"] == "pairs"
    assert main(["evaluate", str(out), "--analogies", str(questions)]) == 0
    assert "royalty-gender" in capsys.readouterr().out


def test_convert_round_trip(trained, tmp_path):
    _, _, out = trained
    for name in ("v.bin", "v.txt", "v.vec"):
        assert main(["-q", "convert", str(out), str(tmp_path / name)]) == 0
        a, b = load_vectors(out), load_vectors(tmp_path / name)
        assert a.index_to_key == b.index_to_key
        tol = 0 if name.endswith(".bin") else 1e-5
        assert np.allclose(a.vectors, b.vectors, atol=tol)


def test_info_and_plots(trained, tmp_path, capsys):
    _, _, out = trained
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "dimensions:  16" in text and "losses" in text
    png = tmp_path / "loss.png"
    assert main(["-q", "plot", "loss", str(out), "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "words.svg"
    assert main(["-q", "plot", "words", str(out), "king", "-o", str(svg)]) == 0
    assert b"<svg" in svg.read_bytes()[:500]


def test_user_errors_are_one_line(tmp_path, trained, capsys):
    _, corpus, out = trained
    assert main(["train", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "v.txt")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["train", str(corpus), "-o", str(tmp_path / "missing" / "v.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["similar", str(out), "zzzqqq"]) == 2
    assert "zzzqqq" in capsys.readouterr().err
    assert main(["evaluate", str(out)]) == 2


def test_console_script_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"3 4\nab")
    proc = subprocess.run(
        [sys.executable, "-m", "wordvec.cli", "similar", str(bad), "x"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("wordvec: error:")


def test_svd_method_and_saved_counts(trained, tmp_path):
    _, corpus, _ = trained
    counts = tmp_path / "counts.npz"
    out = tmp_path / "svd.txt"
    assert main(["-q", "train", str(corpus), "-o", str(out), "--method", "svd", "--size", "20",
                 "--min-count", "3", "--save-counts", str(counts)]) == 0
    again = tmp_path / "svd2.txt"
    assert main(["-q", "train", "-o", str(again), "--method", "svd", "--size", "20",
                 "--from-counts", str(counts)]) == 0
    a, b = load_vectors(out), load_vectors(again)
    assert a.index_to_key == b.index_to_key and a.vector_size == 20
    assert np.allclose(a.vectors, b.vectors, atol=1e-4)
