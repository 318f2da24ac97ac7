"""Checkpoints: save the whole training state, resume it bit-identically, survive signals."""

import json
import os
import re
import signal
import time
import zipfile

import numpy as np
import pytest
from signals import signal_cli_after

from wordvec import synthetic
from wordvec.cli import main
from wordvec.errors import ConfigError, CorpusError, FormatError
from wordvec.train.checkpoint import KIND, load_checkpoint
from wordvec.train.engine import make_chunks
from wordvec.train.word2vec import Word2Vec
from wordvec.vectors.formats import load_state, load_vectors

# size 16 and 5 noise words, as the CLI tests: one compiled kernel
KW = dict(model="sg", vector_size=16, negative=5, min_count=2, seed=11, workers=1)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("ckpt")
    return synthetic.write_corpus(d / "corpus.txt", n_words=30_000, seed=9)


def same_state(a, b):
    np.testing.assert_array_equal(a.syn0, b.syn0)
    np.testing.assert_array_equal(a.syn1neg, b.syn1neg)
    assert a.losses == b.losses
    assert a.chunk_losses == b.chunk_losses
    assert a.epochs_done == b.epochs_done


def stop_when(model, words):
    def progress(p):
        if p.words_done >= words:
            model.request_stop()

    return progress


def test_resume_at_an_epoch_boundary_is_bit_identical(corpus_file, tmp_path):
    whole = Word2Vec(epochs=4, chunk_words=3_000, **KW).fit(corpus_file)
    ckpt = tmp_path / "run.ckpt"
    m = Word2Vec(epochs=4, chunk_words=3_000, **KW).build_vocab(corpus_file)

    def stop_after_two(model, report):
        if report.epoch == 2:
            model.request_stop()

    m.train(callbacks=[stop_after_two], checkpoint=ckpt, checkpoint_every=1)
    assert m.interrupted and m.epochs_done == 2
    ck = load_checkpoint(ckpt)
    assert ck.describe() == "epoch 3 of 4" and not ck.complete
    assert ck.source == str(corpus_file.resolve())
    del m
    r = Word2Vec.resume(ckpt)  # reads and checks the recorded corpus again
    assert r.interrupted and r.epochs_done == 2
    r.train()
    same_state(r, whole)


def test_resume_in_the_middle_of_an_epoch_is_bit_identical(corpus_file, tmp_path):
    whole = Word2Vec(epochs=3, chunk_words=2_000, **KW).fit(corpus_file)
    ckpt = tmp_path / "mid.ckpt"
    m = Word2Vec(epochs=3, chunk_words=2_000, **KW).build_vocab(corpus_file)
    n = m.corpus.n_tokens
    m.train(progress=stop_when(m, 1.5 * n), progress_every=0.0, checkpoint=ckpt)
    pos = m.position
    assert pos["epoch"] == 2 and 0 < pos["chunk"] < pos["chunks"]
    state = load_checkpoint(ckpt).state
    assert state["position"]["chunk"] == pos["chunk"]
    r = Word2Vec.resume(ckpt, source=corpus_file)
    r.train()
    same_state(r, whole)


def test_timed_checkpoints_land_between_chunks_and_resume_identically(corpus_file, tmp_path):
    whole = Word2Vec(epochs=2, chunk_words=4_000, **KW).fit(corpus_file)
    ckpt = tmp_path / "timed.ckpt"
    m = Word2Vec(epochs=2, chunk_words=4_000, **KW).build_vocab(corpus_file)
    seen = []
    original = m.save_checkpoint

    def spy(path):
        seen.append((m.epochs_done, m.position and m.position["chunk"]))
        out = original(path)
        written.append(load_checkpoint(path).state.get("position"))  # what the file says
        return out

    written = []
    m.save_checkpoint = spy
    m.train(checkpoint=ckpt, checkpoint_seconds=0.0)  # due after every chunk
    same_state(m, whole)  # checkpointing does not change training
    chunks = len(m.chunk_losses[0])
    assert len(seen) >= 2 * chunks - 1  # one after (nearly) every chunk
    assert any(0 < c < chunks for _, c in seen if c)  # inside epochs too
    # and the files written inside an epoch hold that mid-epoch position
    mid = [p for p in written if p and 0 < p["chunk"] < p["chunks"]]
    assert len(mid) >= chunks - 1
    assert {p["chunk"] for p in mid} == set(range(1, chunks))
    ck = load_checkpoint(ckpt)
    assert ck.complete  # the last one was written after the last epoch


def test_resume_from_every_chunk_gives_the_same_vectors(corpus_file, tmp_path):
    """Stop after each chunk of a 2-epoch run in turn: every resumed run ends the same."""
    kw = dict(epochs=2, chunk_words=8_000, **KW)
    whole = Word2Vec(**kw).fit(corpus_file)
    corpus = whole.corpus
    n = corpus.n_tokens
    ends = [stop for _, stop, _ in make_chunks(corpus.offsets, 8_000)]
    assert len(ends) >= 3
    for done in [*ends[:-1], *(n + e for e in ends[:-1])] + [n]:
        m = Word2Vec(**kw).build_vocab(corpus)
        m.train(progress=stop_when(m, done), progress_every=0.0,
                checkpoint=tmp_path / "k.ckpt")
        assert m.interrupted
        r = Word2Vec.resume(tmp_path / "k.ckpt", source=m.corpus)
        r.train()
        same_state(r, whole)


def test_checkpoint_is_a_native_file_with_the_whole_state(corpus_file, tmp_path):
    m = Word2Vec(epochs=1, hs=1, **KW).fit(corpus_file)
    m.meta["note"] = "kept"
    path = m.save_checkpoint(tmp_path / "s.ckpt")
    arrays, meta = load_state(path)
    assert meta["kind"] == KIND
    assert {"words", "counts", "vectors", "syn1neg", "syn1"} <= set(arrays)
    np.testing.assert_array_equal(arrays["syn1"], m.syn1)
    state = meta["checkpoint"]
    assert state["config"]["vector_size"] == 16 and state["losses"] == m.losses
    assert state["corpus"]["tokens"] == m.corpus.n_tokens and state["meta"]["note"] == "kept"
    wv = load_vectors(path)  # also opens as vectors
    assert wv.index_to_key == m.vocab.words
    r = Word2Vec.resume(path)
    assert not r.interrupted and r.meta["note"] == "kept"
    np.testing.assert_array_equal(r.syn1, m.syn1)
    r.train(epochs=1)  # a finished run can go on with new epochs
    assert r.epochs_done == 2


def test_resume_refuses_another_corpus(corpus_file, tmp_path):
    m = Word2Vec(epochs=1, **KW).fit(corpus_file)
    ckpt = m.save_checkpoint(tmp_path / "c.ckpt")
    other = synthetic.write_corpus(tmp_path / "other.txt", n_words=30_000, seed=10)
    with pytest.raises(CorpusError, match="differs"):
        Word2Vec.resume(ckpt, source=other)
    # the same words, counts and first-seen order, two lines swapped: only the checksum tells
    lines = corpus_file.read_text().splitlines()
    lines[-1], lines[-2] = lines[-2], lines[-1]
    assert lines[-1] != lines[-2]
    shuffled = tmp_path / "shuffled.txt"
    shuffled.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorpusError, match="checksum"):
        Word2Vec.resume(ckpt, source=shuffled)
    with pytest.raises(CorpusError, match="not found"):
        Word2Vec.resume(ckpt, source=tmp_path / "gone.txt")


def test_in_memory_corpus_must_be_given_again(tmp_path):
    sents = synthetic.generate_sentences(5_000, seed=1)
    m = Word2Vec(epochs=1, **KW).fit(sents)
    ckpt = m.save_checkpoint(tmp_path / "mem.ckpt")
    with pytest.raises(ConfigError, match="in-memory"):
        Word2Vec.resume(ckpt)
    r = Word2Vec.resume(ckpt, source=sents)
    np.testing.assert_array_equal(r.syn0, m.syn0)


def test_a_vector_file_or_damaged_checkpoint_is_refused(corpus_file, tmp_path):
    m = Word2Vec(epochs=1, **KW).fit(corpus_file)
    vec = tmp_path / "v.wv"
    m.wv.save(vec)
    with pytest.raises(FormatError, match="not a training checkpoint"):
        Word2Vec.resume(vec)
    ckpt = m.save_checkpoint(tmp_path / "ok.ckpt")
    # the header's state edited to contradict the arrays
    arrays, meta = load_state(ckpt)
    meta["checkpoint"]["losses"] = [1.0, 2.0]
    from wordvec.vectors.formats import save_state

    save_state(tmp_path / "bad.ckpt", arrays, meta, kind=KIND)
    with pytest.raises(FormatError, match="damaged checkpoint"):
        Word2Vec.resume(tmp_path / "bad.ckpt")
    cut = tmp_path / "cut.ckpt"
    cut.write_bytes(ckpt.read_bytes()[: ckpt.stat().st_size // 2])
    with pytest.raises(FormatError):
        Word2Vec.resume(cut)


def test_update_then_checkpoint_resumes_with_the_merged_vocabulary(corpus_file, tmp_path):
    more = tmp_path / "more.txt"
    more.write_text("zebra quokka king queen\n" * 40)
    kw = dict(epochs=2, chunk_words=50, **KW)

    def updated():
        m = Word2Vec(**kw).fit(corpus_file)
        m.build_vocab(more, update=True)
        return m

    whole = updated().train()
    m = updated()
    m.train(progress=stop_when(m, 1.5 * m.corpus.n_tokens), progress_every=0.0,
            checkpoint=tmp_path / "u.ckpt")
    assert m.interrupted
    r = Word2Vec.resume(tmp_path / "u.ckpt")
    assert "zebra" in r.vocab and r.vocab.words == whole.vocab.words
    r.train()
    same_state(r, whole)


# ------------------------------------------------------------------ the command line


def test_cli_checkpoint_every_epoch_and_resume_of_a_finished_run(corpus_file, tmp_path, capsys):
    out = tmp_path / "v.wv"
    args = ["-q", "train", str(corpus_file), "-o", str(out), "--size", "16", "--epochs", "2",
            "--workers", "1", "--min-count", "2", "--checkpoint-every", "1"]
    assert main(args) == 0
    ckpt = tmp_path / "v.wv.ckpt"
    assert load_checkpoint(ckpt).complete
    out.unlink()
    assert main(["-q", "train", "--resume", str(ckpt)]) == 0  # writes the vectors again
    assert load_vectors(out).meta["epochs_done"] == 2
    assert main(["info", str(ckpt)]) == 0
    assert "training complete" in capsys.readouterr().out


@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_saves_a_checkpoint_and_resume_finishes_bit_identical(tmp_path, sig, status):
    corpus = synthetic.write_corpus(tmp_path / "big.txt", n_words=100_000, seed=4)
    out = tmp_path / "vec.wv"
    args = ["train", str(corpus), "-o", str(out), "--size", "16", "--epochs", "30",
            "--workers", "1", "--min-count", "3", "--seed", "5"]
    returncode, err = signal_cli_after(args, tmp_path, sig)
    assert returncode == status, err
    assert "Traceback" not in err
    assert f"{sig.name} received" in err and f"training stopped by {sig.name}" in err
    ckpt = tmp_path / "vec.wv.ckpt"
    assert f"wordvec train --resume {ckpt}" in err
    assert ckpt.exists() and not out.exists()  # state saved, no half-trained output
    state = load_checkpoint(ckpt).state
    assert 1 <= state["epochs_done"] < 30
    # the very command printed, as the user would run it
    command = re.search(r"to continue: wordvec (.*)", err).group(1).split()
    assert main(["-q", *command]) == 0
    resumed = load_vectors(out)
    assert resumed.meta["epochs_done"] == 30
    # stopped by either signal and resumed, the run ends bit-identical to an unbroken one
    ref = tmp_path / "ref.wv"
    assert main(["-q", *args[:3], str(ref), *args[4:]]) == 0
    np.testing.assert_array_equal(resumed.vectors, load_vectors(ref).vectors)
    assert resumed.meta["losses"] == load_vectors(ref).meta["losses"]


def test_cli_restores_the_signal_handlers(corpus_file, tmp_path):
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    assert main(["-q", "train", str(corpus_file), "-o", str(tmp_path / "v.wv"), "--size", "16",
                 "--epochs", "1", "--workers", "1", "--min-count", "2"]) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_cli_timed_checkpoints(corpus_file, tmp_path):
    out = tmp_path / "t.wv"
    ckpt = tmp_path / "elsewhere.ckpt"
    assert main(["-q", "train", str(corpus_file), "-o", str(out), "--size", "16", "--epochs",
                 "2", "--workers", "1", "--min-count", "2", "--checkpoint", str(ckpt),
                 "--checkpoint-every", "0.001s"]) == 0
    ck = load_checkpoint(ckpt)
    assert ck.complete and ck.extra["checkpoint_every"] == "0.001s"
    assert ck.extra["output"] == str(out.resolve())
    assert zipfile.is_zipfile(ckpt)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert json.loads(json.dumps(ck.state))  # plain JSON
    assert time.time() - ckpt.stat().st_mtime < 600
