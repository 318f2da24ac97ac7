"""README promises that no other test would see break, each through the path a user takes.

Every test here was checked by breaking the promise on purpose (see
tools/mutants.py, which keeps those breakages as a rerunnable list).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from signals import cli_on_a_terminal, drain_terminal

from wordvec import Word2Vec, synthetic
from wordvec.cli import main
from wordvec.cli.train import parse_every
from wordvec.text.vocab import build_alias_table
from wordvec.vectors.evaluate import evaluate_analogies
from wordvec.vectors.formats import load_vectors, save_vectors
from wordvec.vectors.keyed import WordVectors


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("promises")
    return synthetic.write_corpus(d / "corpus.txt", n_words=20_000, seed=2)


@pytest.fixture(scope="module")
def slow_corpus(tmp_path_factory):
    """A million words: with size 1000 and window 10 an epoch takes seconds even on an
    idle machine (the engine's progress reports start 1 s into an epoch; at size 600,
    150,000 words ran in 0.2 s when the machine was idle)."""
    d = tmp_path_factory.mktemp("slow")
    return synthetic.write_corpus(d / "million.txt", n_words=1_000_000, seed=4)


def _meta(path):
    wv = load_vectors(path)
    return wv, wv.meta


# ------------------------------------------------------------------ the command line


def test_the_c_tools_flags_reach_the_trained_model(corpus, tmp_path):
    out = tmp_path / "c.wv"
    assert main(["-q", "train", str(corpus), "-o", str(out), "-size", "32", "-window", "3",
                 "-negative", "3", "-hs", "1", "-sample", "0.01", "-threads", "1",
                 "-iter", "2", "-min-count", "4", "-alpha", "0.03"]) == 0
    wv, meta = _meta(out)
    assert wv.vector_size == 32
    assert {k: meta[k] for k in ("window", "negative", "hs", "sample", "workers", "epochs",
                                 "min_count", "alpha")} == dict(
        window=3, negative=3, hs=1, sample=0.01, workers=1, epochs=2, min_count=4, alpha=0.03)
    assert meta["epochs_done"] == 2 and len(meta["losses"]) == 2
    assert min(meta["corpus"]["vocab_size"], len(wv)) == len(wv)  # min-count 4 applied


def test_loss_hs_trains_hierarchical_softmax_alone_and_cbow_mean_0_sums(corpus, tmp_path):
    # README: wordvec train corpus.txt -o vectors.wv --model cbow --loss hs
    out = tmp_path / "hs.wv"
    assert main(["-q", "train", str(corpus), "-o", str(out), "--model", "cbow", "--loss", "hs",
                 "--size", "16", "--epochs", "1", "--workers", "1", "--min-count", "3",
                 "--cbow-mean", "0"]) == 0
    _, meta = _meta(out)
    assert (meta["model"], meta["hs"], meta["negative"], meta["cbow_mean"]) == ("cbow", 1, 0, 0)
    # and the model the library builds from those settings trains the sum (kernel tests
    # check the sum itself): the same run with the mean gives other vectors
    kw = dict(model="cbow", hs=1, negative=0, vector_size=16, epochs=1, workers=1,
              min_count=3, seed=1)
    summed = Word2Vec(cbow_mean=0, **kw).fit(str(corpus))
    mean = Word2Vec(cbow_mean=1, **kw).fit(str(corpus))
    np.testing.assert_array_equal(summed.wv.vectors, load_vectors(out).vectors)
    assert not np.allclose(summed.wv.vectors, mean.wv.vectors, atol=1e-3)


def test_format_overrides_the_extension_and_softmax_trains_the_reference(corpus, tmp_path):
    # README: wordvec train small.txt -o v.txt --loss softmax; --format overrides the name
    small = tmp_path / "small.txt"
    small.write_text("\n".join(corpus.read_text().splitlines()[:150]) + "\n")
    out = tmp_path / "ref.wv"  # .wv would be the native format
    assert main(["-q", "train", str(small), "-o", str(out), "--loss", "softmax", "--size", "8",
                 "--epochs", "2", "--min-count", "3", "--format", "word2vec-text"]) == 0
    head = out.read_bytes()[:40]
    assert not head.startswith(b"PK")  # not a zip: the text format
    n, d = map(int, head.split(b"\n")[0].split())
    assert d == 8 and n > 10
    wv = load_vectors(out)
    assert wv.vector_size == 8 and np.isfinite(wv.vectors).all() and wv.vectors.any()


def test_svd_eig_weights_the_singular_values(corpus, tmp_path):
    # README: wordvec train corpus.txt -o svd.wv --method svd --size 100 --eig 0.5
    vecs = {}
    for eig in ("0", "1"):
        out = tmp_path / f"svd{eig}.wv"
        assert main(["-q", "train", str(corpus), "-o", str(out), "--method", "svd", "--size",
                     "8", "--min-count", "3", "--eig", eig]) == 0
        vecs[eig] = load_vectors(out).vectors.astype(np.float64)
    # eig 0 keeps U (orthonormal columns); eig 1 scales column k by sigma_k
    u = vecs["0"]
    np.testing.assert_allclose(u.T @ u, np.eye(8), atol=1e-4)
    sigma = np.linalg.norm(vecs["1"], axis=0)
    np.testing.assert_allclose(vecs["1"], u * sigma, atol=1e-4)
    assert sigma.max() > 1.5 * sigma.min()


def test_checkpoint_every_counts_epochs_minutes_or_seconds():
    assert parse_every("2") == (2, None)
    assert parse_every("30m") == (None, 1800.0)
    assert parse_every("90s") == (None, 90.0)
    assert parse_every("0.5m") == (None, 30.0)


def test_a_second_ctrl_c_quits_without_saving(tmp_path, slow_corpus):
    # stderr is a terminal: the progress bar shows that training (and its signal
    # handler) has begun; with two workers the main thread handles each signal at once.
    import pty

    corpus = slow_corpus
    out = tmp_path / "v.wv"
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordvec.cli", "train", str(corpus), "-o", str(out), "--model",
         "sg", "--size", "1000", "--window", "10", "--epochs", "3", "--workers", "2",
         "--min-count", "3"],
        stderr=secondary, stdout=subprocess.PIPE, cwd=tmp_path)
    os.close(secondary)
    shown: list = []
    t = threading.Thread(target=drain_terminal, args=(primary, shown), daemon=True)

    def screen():
        return b"".join(shown).decode(errors="replace")

    t.start()

    def wait_for(text, timeout=180):
        deadline = time.monotonic() + timeout
        while (text not in screen() and time.monotonic() < deadline
               and proc.poll() is None):
            time.sleep(0.02)
        assert text in screen(), screen()

    try:
        wait_for("words/s")  # the bar: the run is inside training
        proc.send_signal(signal.SIGINT)
        wait_for("SIGINT received")
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        t.join(10)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
        os.close(primary)
    err = screen()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "wordvec: interrupted" in err
    assert "to continue" not in err
    assert list(tmp_path.iterdir()) == [], err  # nothing saved


def test_word2vec_progress_bar_on_a_terminal(tmp_path, slow_corpus):
    # The engine reports once a second counted from the start of each epoch, so an
    # epoch must last longer than that even on an idle machine (slow_corpus).
    out = tmp_path / "v.wv"
    returncode, shown = cli_on_a_terminal(
        ["train", slow_corpus, "-o", out, "--model", "sg", "--window", "10", "--size", "1000",
         "--epochs", "1", "--workers", "1", "--min-count", "3"])
    assert returncode == 0, shown
    # every redraw starts at the line's beginning: bar, percentage, epoch; then the
    # rate, the learning rate and the loss once a chunk is done
    fractions = [float(f) for f in re.findall(r"\r\[[#-]{30}\] +(\d+\.\d)%  epoch 1/1", shown)]
    assert fractions, shown
    lrs = re.findall(r"\S+ words/s  lr (\d\.\d+)  loss \d+\.\d+", shown)
    rates = [float(lr) for lr in lrs]  # falling from 0.025 to min_alpha (0.00000 shown)
    assert rates and rates == sorted(rates, reverse=True) and 0 < rates[0] <= 0.025, shown
    assert "ETA" in shown
    assert fractions == sorted(fractions) and 0 < fractions[0] < 100


def test_the_bar_before_the_first_word_has_no_eta_and_does_not_crash():
    # The engine's first report can come before any chunk is done (a slow first chunk,
    # a kernel compiling on a first run): rate 0, ETA infinite. That crashed the bar
    # (int(inf): OverflowError, with a traceback) -- found by the second Ctrl-C test
    # on a cold Numba cache.
    import io
    from types import SimpleNamespace

    from wordvec.cli.common import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    bar = ProgressBar(enabled=True, stream=term)
    bar(SimpleNamespace(fraction=0.0, epoch=1, epochs=3, words_per_sec=0.0, alpha=0.025,
                        loss=float("nan"), eta=float("inf")))
    line = term.getvalue()
    assert line.startswith("\r[") and "0.0%" in line and "epoch 1/3" in line
    assert "ETA" not in line
    bar.__call__(SimpleNamespace(fraction=1.0, epoch=3, epochs=3, words_per_sec=1e5,
                                 alpha=0.0001, loss=2.0, eta=0.0))
    bar.close()
    assert "ETA 0:00" in term.getvalue()


# ------------------------------------------------------------------ the learning-rate schedule


def test_the_rate_falls_over_all_epochs_not_each_epoch_again():
    # README: the learning rate falls linearly from alpha to min_alpha over the whole
    # run. The kernel computes it from the chunk's position in the run: that
    # position must keep counting across epochs.
    m = Word2Vec(model="sg", vector_size=16, min_count=2, workers=1, chunk_words=4_000,
                 alpha=0.03, min_alpha=0.0003).build_vocab(synthetic.generate_sentences(
                     20_000, seed=3))
    eng = m.engine(epochs=3)
    rates = []
    kernel = eng.kernel

    def spy(*args):
        rates.append(args[7])  # the kernel's Rate
        return kernel(*args)

    eng.kernel = spy
    for epoch in range(3):
        eng.run_epoch(epoch, eng.new_state())
    n = m.corpus.n_tokens
    chunks = len(eng.plan.seq_start)
    assert chunks >= 4 and len(rates) == 3 * chunks
    assert {(r.alpha0, r.alpha1, r.total) for r in rates} == {(0.03, 0.0003, 3.0 * n)}
    expected = [e * n + float(s) for e in range(3) for s in eng.plan.seq_start]
    assert [r.pos0 for r in rates] == expected


def test_with_two_workers_the_rate_still_falls_all_the_way_in_one_epoch():
    # README: whatever the number of workers, the rate reaches min_alpha at the last
    # word. A chunk's position is its place in the whole plan, not in the share of the
    # thread that trains it. (gensim's corpus_file mode counts each worker's own words
    # against the whole corpus, so with 2 workers its rate stops halfway.)
    m = Word2Vec(model="cbow", vector_size=16, min_count=2, workers=2, chunk_words=1_000,
                 alpha=0.05, min_alpha=0.0001).build_vocab(synthetic.generate_sentences(
                     20_000, seed=3))
    eng = m.engine(epochs=1)
    assert eng.workers == 2
    seen = []
    kernel = eng.kernel

    def spy(*args):
        seen.append((threading.current_thread().name, args[7], len(args[0])))
        time.sleep(0.002)  # lets the other thread take chunks too
        return kernel(*args)

    eng.kernel = spy
    assert eng.run_epoch(0, eng.new_state())
    assert len({name for name, _, _ in seen}) == 2  # both threads trained chunks
    assert sorted(r.pos0 for _, r, _ in seen) == sorted(float(s) for s in eng.plan.seq_start)
    rate = seen[0][1]
    # the rate of the last word trained, whichever thread trained it
    last = max(r.pos0 + n_ids for _, r, n_ids in seen)
    assert last == m.corpus.n_tokens == rate.total
    alpha_end = rate.alpha0 - (rate.alpha0 - rate.alpha1) * (last - 1) / rate.total
    assert alpha_end == pytest.approx(0.0001, abs=1e-5)


# ------------------------------------------------------------------ evaluation


def _far_answer_vectors():
    """man : woman :: king : queen, with queen the 30,006th most frequent word."""
    toy = {"man": [1, 0, 0, 0], "woman": [1, 1, 0, 0], "king": [0, 0, 1, 0],
           "boy": [0, 0, 0, 1], "girl": [0, 1, 0, 1]}
    rng = np.random.default_rng(0)
    words = list(toy) + [f"w{i}" for i in range(30_000)] + ["queen"]
    vecs = np.zeros((len(words), 8), np.float32)
    vecs[:5, :4] = [toy[w] for w in toy]
    vecs[5:-1, 4:] = rng.normal(size=(30_000, 4))  # orthogonal to every question word
    vecs[-1, :4] = [0, 1, 1, 0]
    return WordVectors(words, vecs)


FAR = ": family\nman woman king queen\nman woman boy girl\n"


def test_analogies_answer_among_the_30000_most_frequent_words_by_default(tmp_path):
    q = tmp_path / "q.txt"
    q.write_text(FAR)
    wv = _far_answer_vectors()
    r = evaluate_analogies(wv, q)
    assert r.restrict_vocab == 30000 and r.oov == 1 and r.total.total == 1
    everything = evaluate_analogies(wv, q, restrict_vocab=None)
    assert everything.total.correct == everything.total.total == 2


def test_cli_evaluate_uses_the_30000_default(tmp_path, capsys):
    q = tmp_path / "q.txt"
    q.write_text(FAR)
    path = save_vectors(_far_answer_vectors(), tmp_path / "far.wv")
    assert main(["-q", "evaluate", str(path), "--analogies", str(q), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    res = out[0] if isinstance(out, list) else out
    res = res.get("results", [res])[0] if "results" in res else res
    assert res["restrict_vocab"] == 30000 and res["oov"] == 1
    assert main(["-q", "evaluate", str(path), "--analogies", str(q), "--json",
                 "--restrict-vocab", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    res = out[0] if isinstance(out, list) else out
    res = res.get("results", [res])[0] if "results" in res else res
    assert res["total"]["correct"] == 2


# ------------------------------------------------------------------ more text later


def test_update_caveats_tables_follow_new_counts_no_max_final_vocab_rate_restarts():
    base = [["a", "b", "c", "d"]] * 40 + [["e", "f"]] * 10
    m = Word2Vec(model="sg", vector_size=16, min_count=2, epochs=1, workers=1,
                 max_final_vocab=6, sample=1e-3, alpha=0.04).fit(base)
    assert len(m.vocab) == 6
    m.build_vocab([["g", "h", "a"]] * 30, update=True)
    assert len(m.vocab) == 8  # max_final_vocab is not applied again
    eng = m.engine()
    np.testing.assert_array_equal(eng.keep, m.vocab.keep_probs(1e-3))
    assert eng.keep[m.vocab["a"]] < eng.keep[m.vocab["e"]]  # a is now the most frequent
    ns = eng.objectives[0]
    p, i = build_alias_table(m.vocab.noise_probs(0.75))
    np.testing.assert_array_equal(ns.alias_p, p)
    np.testing.assert_array_equal(ns.alias_i, i)
    assert eng.alpha_at(0) == pytest.approx(0.04)  # the rate starts again from alpha
