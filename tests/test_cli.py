"""The command line as a user runs it: real files in, exit status and messages out."""

import json
import subprocess
import sys

import numpy as np
import pytest
from signals import cli_on_a_terminal

from wordvec import synthetic
from wordvec.cli import main
from wordvec.vectors.formats import load_vectors


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
    rc = main(["-q", "train", str(corpus), "-o", str(out), "--model", "sg", "--size", "16",
               "--epochs", "4", "--workers", "1", "--min-count", "3",
               "--eval-analogies", str(questions)])
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


# ------------------------------------------------------------ pipes, warnings, wording


def _cli(*args):
    return [sys.executable, "-m", "wordvec.cli", *map(str, args)]


def _buffered_env():
    """The environment with Python's usual buffered stdout (PYTHONUNBUFFERED removed)."""
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@pytest.fixture(scope="module")
def many_words(tmp_path_factory):
    """20,001 random vectors: far more output than a pipe buffer holds."""
    from wordvec.vectors.formats import save_vectors
    from wordvec.vectors.keyed import WordVectors

    rng = np.random.default_rng(0)
    words = ["king", "queen", "man"] + [f"w{i}" for i in range(19_998)]
    wv = WordVectors(words, rng.normal(size=(len(words), 4)).astype(np.float32))
    return save_vectors(wv, tmp_path_factory.mktemp("many") / "many.wv")


@pytest.mark.parametrize("command", [["similar", "king", "-n", "20000"],
                                     ["analogy", "man", "king", "queen", "-n", "20000"]])
def test_reader_closing_the_pipe_is_a_quiet_success(many_words, command):
    # `wordvec similar V king -n 20000 | head -1`
    name, *rest = command
    proc = subprocess.Popen(_cli(name, many_words, *rest), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_buffered_env())
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away with most of the output unwritten
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert first and "Broken pipe" not in err and "Exception" not in err
    assert [line for line in err.splitlines() if "error" in line.lower()] == []


def test_reader_gone_before_any_output_is_a_quiet_success(many_words):
    # `wordvec similar V king | true`: the output still sits in Python's buffer when the
    # reader leaves, so it fails at the last flush (the interpreter said 'Exception
    # ignored ... BrokenPipeError' and exited 120)
    proc = subprocess.Popen(_cli("-q", "similar", many_words, "king", "-n", "3"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_buffered_env())
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


def test_warnings_are_one_line_per_condition(tmp_path):
    # numpy warns once per operation that overflows (multiply, dot, divide), two lines
    # each; matplotlib once per missing glyph and per drawing
    huge = tmp_path / "huge.txt"
    huge.write_text("3 2\nking 3e38 3e38\nqueen 1 2\nman 3e38 1\n")
    proc = subprocess.run(_cli("-q", "similar", huge, "king"), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("wordvec: warning: floating-point trouble (overflow")
    # characters no font has (private use): one line for all of them and both drawings
    odd = tmp_path / "odd.txt"
    odd.write_text("3 2\n\U0010fff0a 1.5 0.25\n\U0010fff1b 0.25 1.5\nc 1.5 1.5\n",
                   encoding="utf-8")
    proc = subprocess.run(_cli("-q", "plot", "words", odd, "-o", tmp_path / "odd.png"),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "drawn as boxes" in proc.stderr and "Glyph" not in proc.stderr


def test_warning_hook_rewrites_and_deduplicates(capsys):
    import warnings

    from wordvec.cli import common as cli_common

    hook = cli_common.WarningsToLog()
    cli_common.setup_logging(quiet=True, verbose=False)

    class ConstantInputWarning(RuntimeWarning):  # scipy.stats' class, by name
        pass

    for _ in range(3):
        for text, category in (("An input array is constant; the correlation coefficient "
                                "is not defined.", ConstantInputWarning),
                               ("Glyph 20013 (\\N{CJK UNIFIED IDEOGRAPH-4E2D}) missing from "
                                "font(s) DejaVu Sans.", UserWarning),
                               ("Glyph 22269 missing from font(s) DejaVu Sans.", UserWarning),
                               ("something else\nsecond line", DeprecationWarning)):
            hook(warnings.WarningMessage(text, category, "x.py", 1).message, category,
                 "x.py", 1)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3, lines
    assert "correlation is undefined" in lines[0]
    assert "DejaVu Sans lacks" in lines[1] and "boxes" in lines[1]
    assert lines[2] == "wordvec: warning: something else"


def test_messages_name_cli_flags_not_python_arguments(tmp_path, capsys):
    from wordvec.cli import cli_wording

    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"2 2\ncaf\xe9 1.5 0.25\nthe 0.25 1.5\n")
    assert main(["-q", "similar", str(bad), "the"]) == 2
    err = capsys.readouterr().err
    assert "unicode_errors" not in err and "--unicode-errors replace" in err
    assert "wordvec convert" in err  # similar has no such flag: convert repairs the file
    assert main(["-q", "convert", str(bad), str(tmp_path / "v.txt")]) == 2
    err = capsys.readouterr().err
    assert "give --unicode-errors replace (or ignore)" in err
    # ... and the advice works
    assert main(["-q", "convert", str(bad), str(tmp_path / "v.txt"),
                 "--unicode-errors", "replace"]) == 0
    assert load_vectors(tmp_path / "v.txt").index_to_key == ["caf\ufffd", "the"]
    # --input-format that does not fit the file
    assert main(["-q", "convert", str(bad), str(tmp_path / "w.txt"),
                 "--input-format", "word2vec-binary"]) == 2
    err = capsys.readouterr().err
    assert "format=" not in err and "--input-format word2vec-text" in err
    # keyword arguments become the flags of the command in hand, and only those
    flags = {"--min-count", "--method", "--size", "--sample"}
    assert cli_wording("method='tsne' needs scikit-learn, or use method='pca'", flags) == \
        "--method tsne needs scikit-learn, or use --method pca"
    assert cli_wording("no word occurs at least min_count=5 times; lower min_count", flags) \
        == "no word occurs at least --min-count 5 times; lower --min-count"
    assert cli_wording("vector_size=50 needs more words; try sample=0", flags) == \
        "--size 50 needs more words; try --sample 0"
    assert cli_wording("lower min_count", set()) == "lower min_count"


def test_error_prefix_and_verbose_after_the_command(trained, capsys):
    _, _, out = trained
    assert main(["bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wordvec: error: argument COMMAND") and err.count("wordvec:") == 1
    assert main(["train", "--size"]) == 2
    assert capsys.readouterr().err.startswith("wordvec: error: train: argument --size")
    # -v and -q are accepted before and after the sub-command
    for argv in (["-v", "similar", str(out), "king"], ["similar", str(out), "king", "-v"],
                 ["similar", "-q", str(out), "king"], ["plot", "loss", "-v", str(out), "-o",
                                                       str(out.with_suffix(".png"))]):
        assert main(argv) == 0, argv
        capsys.readouterr()


def test_dash_is_standard_input(trained, tmp_path):
    _, corpus, _ = trained
    out = tmp_path / "stdin.wv"
    with open(corpus, "rb") as f:
        proc = subprocess.run(_cli("-q", "train", "-", "-o", out, "--size", "8", "--epochs",
                                   "1", "--workers", "1", "--min-count", "3"),
                              stdin=f, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    wv, ref = load_vectors(out), load_vectors(trained[2])
    assert wv.index_to_key == ref.index_to_key  # the same text, the same vocabulary


def test_one_saved_line_per_save(trained, tmp_path, capsys):
    _, corpus, _ = trained
    assert main(["train", str(corpus), "-o", str(tmp_path / "v.wv"), "--size", "8",
                 "--epochs", "1", "--workers", "1", "--min-count", "3"]) == 0
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if "saved" in line]) == 1, err
    assert "1 epochs" not in err


def test_plot_default_output_beside_the_input_and_no_silent_overwrite(trained, tmp_path,
                                                                      capsys):
    import shutil

    src = tmp_path / "vec.wv"
    shutil.copy(trained[2], src)
    assert main(["-q", "plot", "loss", str(src)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "vec.loss.png")
    first = (tmp_path / "vec.loss.png").read_bytes()
    assert main(["-q", "plot", "loss", str(src), "--title", "again"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "vec.loss.png").read_bytes() == first  # kept
    assert main(["-q", "plot", "loss", str(src), "--title", "again", "--force"]) == 0
    assert (tmp_path / "vec.loss.png").read_bytes() != first
    assert main(["-q", "plot", "words", str(src), "--topn", "20"]) == 0
    assert (tmp_path / "vec.words.png").exists()
    assert not (tmp_path / "loss.png").exists() and not (tmp_path / "words.png").exists()


def test_plot_loss_of_svd_vectors_says_there_is_no_loss(trained, tmp_path, capsys):
    _, corpus, _ = trained
    out = tmp_path / "svd.wv"
    assert main(["-q", "train", str(corpus), "-o", str(out), "--method", "svd", "--size",
                 "10", "--min-count", "3"]) == 0
    assert main(["-q", "plot", "loss", str(out), "-o", str(tmp_path / "l.png")]) == 2
    assert "PPMI-SVD" in capsys.readouterr().err


def _help_entries(text):
    """(name, help) of each argument listed in an argparse --help text."""
    entries, current = [], None
    for line in text.splitlines():
        m = __import__("re").match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", line)
        if m and not line.startswith("   "):
            current = [m[1], m[2] or ""]
            entries.append(current)
        elif current is not None and line.startswith("    ") and line.strip():
            current[1] += " " + line.strip()
        elif not line.strip():
            current = None
    return entries


@pytest.mark.parametrize("command", [["train"], ["similar"], ["analogy"], ["evaluate"],
                                     ["convert"], ["info"], ["plot", "loss"],
                                     ["plot", "words"], ["demo"]])
def test_every_argument_has_help(command, capsys):
    assert main([*command, "--help"]) == 0
    entries = _help_entries(capsys.readouterr().out)
    assert len(entries) >= 3
    missing = [name for name, text in entries if not text.strip()]
    assert missing == []


def test_help_states_defaults(capsys):
    assert main(["train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "default 0.025 for skip-gram, 0.05 for CBOW" in text
    assert main(["similar", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "how many neighbours to print (default 10)" in text


def test_softmax_reference_draws_the_progress_bar_on_a_terminal(trained, tmp_path):
    _, corpus, _ = trained
    small = tmp_path / "small.txt"
    small.write_text("\n".join(corpus.read_text().splitlines()[:300]) + "\n")
    returncode, shown = cli_on_a_terminal(
        ["train", small, "-o", tmp_path / "ref.txt", "--loss", "softmax", "--size", "8",
         "--epochs", "2", "--min-count", "2"])
    assert returncode == 0, shown
    assert "100.0%" in shown and "epoch 2/2" in shown and "examples/s" in shown
    assert "ETA" in shown and "loss" in shown
    assert "epoch 1: loss" in shown  # and a log line per epoch, as the engine writes


def test_a_log_line_clears_the_progress_bar_and_the_bar_comes_back():
    import io
    import logging
    import types

    from wordvec.cli import common as cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    handler = cli._BarAwareHandler(term)
    handler.setFormatter(logging.Formatter("wordvec: %(message)s"))
    log = logging.getLogger("wordvec.test_bar")
    log.addHandler(handler)
    log.propagate = False
    bar = cli.ProgressBar(True, stream=term)
    try:
        bar(types.SimpleNamespace(fraction=0.5, epoch=1, epochs=2, words_per_sec=12345.0,
                                  alpha=0.02, loss=1.5, eta=30.0))
        log.warning("something happened")
    finally:
        bar.close()
        log.removeHandler(handler)
    out = term.getvalue()
    before, sep, after = out.partition("wordvec: something happened\n")
    assert sep, out
    # the bar was drawn, then wiped (spaces over it, back to column 0) before the message
    assert "50.0%  epoch 1/2  12k words/s  lr 0.02000  loss 1.5000  ETA 0:30" in before
    assert before.endswith("\r") and before.rstrip("\r").split("\r")[-1].strip() == "", out
    assert "50.0%" in after.split("\n")[0]  # drawn again under the message
    assert out.endswith("\n") and cli.ProgressBar.active is None


def test_counts_are_pluralised_correctly(tmp_path, capsys):
    from wordvec.wording import counted

    assert [counted(n, "epoch") for n in (0, 1, 2)] == ["0 epochs", "1 epoch", "2 epochs"]
    assert counted(1234, "entry", sep=True) == "1,234 entries"
    one = tmp_path / "one.txt"
    one.write_text("a b c d e f g h\n")
    assert main(["train", str(one), "-o", str(tmp_path / "v.wv"), "--min-count", "1",
                 "--size", "4", "--epochs", "1", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "8 tokens in 1 sentence, vocabulary 8 words" in err, err
    assert main(["train", str(one), "-o", str(tmp_path / "v.wv"), "--loss", "softmax",
                 "--model", "sg", "--size", "4", "--epochs", "1", "--min-count", "1"]) == 0
    assert "8 words, 50 training examples, 1 epoch\n" in capsys.readouterr().err
    assert main(["-q", "train", str(one), "-o", str(tmp_path / "v.wv")]) == 2
    assert "the most frequent occurs 1 time)" in capsys.readouterr().err
    bad = tmp_path / "v1.txt"
    bad.write_text("2 1\na 0.5\nb 0.5 0.25\n")
    assert main(["-q", "similar", str(bad), "a"]) == 2
    assert "expected a word and 1 number, found 3 fields" in capsys.readouterr().err


def test_the_progress_bar_keeps_its_line_when_another_bar_is_left_open():
    # tqdm stacks the bars open in a process, moving each new one down with cursor
    # escapes; a bar someone left open (a notebook, an earlier run) must not move ours
    import io
    import types

    from tqdm import tqdm

    from wordvec.cli import common as cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    other = tqdm(total=10, file=io.StringIO())
    term = Terminal()
    bar = cli.ProgressBar(True, stream=term)
    try:
        bar(types.SimpleNamespace(fraction=0.5, epoch=1, epochs=2, words_per_sec=1e4,
                                  alpha=0.02, loss=1.5, eta=30.0))
    finally:
        bar.close()
        other.close()
    out = term.getvalue()
    assert "50.0%  epoch 1/2" in out and "\x1b[A" not in out and "\n\r" not in out[:-1], out
