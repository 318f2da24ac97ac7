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


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """A run with analogy accuracy recorded after every epoch."""
    d = tmp_path_factory.mktemp("watched")
    corpus = synthetic.write_corpus(d / "corpus.txt", n_words=120_000, seed=5)
    questions = synthetic.write_analogies(d / "questions.txt")
    out = d / "model.wv"
    rc = main(["-q", "train", str(corpus), "-o", str(out), "--size", "16", "--epochs", "4",
               "--workers", "1", "--min-count", "3", "--eval-analogies", str(questions)])
    assert rc == 0
    return d, corpus, out


def test_eval_analogies_records_accuracy_per_epoch(watched):
    _, _, out = watched
    meta = load_vectors(out).meta
    acc = meta["epoch_accuracy"]
    assert len(acc) == len(meta["losses"]) == 4
    assert all(0.0 <= a <= 1.0 for a in acc)
    assert acc[-1] > acc[0]  # it learns the planted analogies as it goes
    assert len(meta["chunk_losses"]) == 4  # per-chunk losses for the plot


def test_plot_loss_draws_loss_chunks_and_accuracy(watched, tmp_path):
    _, _, out = watched
    png = tmp_path / "loss.png"
    assert main(["-q", "plot", "loss", str(out), "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "loss.svg"
    assert main(["-q", "plot", "loss", str(out), "-o", str(svg)]) == 0
    text = svg.read_text()
    assert "analogy accuracy" in text and "per chunk" in text and "epoch mean" in text


def test_info_shows_configuration_and_corpus_statistics(watched, capsys):
    _, corpus, out = watched
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    meta = load_vectors(out).meta
    stats = meta["corpus"]
    assert stats["source"] == str(corpus.resolve())
    assert stats["raw_tokens"] >= stats["tokens"] > 100_000
    assert stats["invalid_bytes"] == 0
    assert f"tokens (in vocabulary): {stats['tokens']:,}" in text
    assert f"sentences: {stats['sentences']:,}" in text
    assert f"vocabulary: {stats['vocab_size']:,}" in text
    assert "raw tokens:" in text and "invalid UTF-8 bytes: 0" in text
    assert "window: 5" in text and "model: sg" in text and "min_count: 3" in text
    assert "analogy accuracy (per epoch):" in text and "losses (per epoch):" in text


def test_help_and_usage_errors_are_short(capsys):
    assert main(["train", "--help"]) == 0
    assert "--checkpoint-every" in capsys.readouterr().out
    assert main(["train", "--size"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--size" in err and "wordvec train --help" in err
