"""Checkpoints of fastText (subword) models: the n-gram rows survive a stop, a resume
and a signal, and a checkpoint of one model is not resumed as the other.

Size 16 and 5 noise words as the other checkpoint tests; bucket 2000 keeps the
input matrix small.
"""

import re
import signal

import numpy as np
import pytest
from signals import signal_cli_after

from wordvec import synthetic
from wordvec.cli import main
from wordvec.errors import ConfigError, FormatError
from wordvec.native import load_state, save_state
from wordvec.train.checkpoint import load_checkpoint
from wordvec.train.fasttext import FastText
from wordvec.train.word2vec import Word2Vec
from wordvec.vectors.formats import load_vectors
from wordvec.vectors.keyed import FastTextVectors
from wordvec.vectors.subwords import ngram_hashes

KW = dict(model="sg", vector_size=16, negative=5, min_count=2, seed=11, workers=1,
          bucket=2000, min_n=2, max_n=4)
UNSEEN = "kingliness"  # never in the synthetic corpus: built from its n-grams


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("ftckpt")
    return synthetic.write_corpus(d / "corpus.txt", n_words=20_000, seed=9)


def stop_when(model, words):
    def progress(p):
        if p.words_done >= words:
            model.request_stop()

    return progress


def test_stopped_mid_epoch_and_resumed_is_bit_identical_with_its_ngram_rows(corpus_file,
                                                                           tmp_path):
    kw = dict(epochs=2, chunk_words=1000, **KW)
    whole = FastText(**kw).fit(corpus_file)
    m = FastText(**kw).build_vocab(corpus_file)
    ckpt = tmp_path / "ft.ckpt"
    m.train(progress=stop_when(m, 1.5 * m.corpus.n_tokens), progress_every=0.0,
            checkpoint=ckpt)
    assert m.interrupted and m.position["epoch"] == 2 and 0 < m.position["chunk"]
    ck = load_checkpoint(ckpt)
    v = len(m.vocab)
    assert ck.method == "fasttext" and ck.subwords == {"min_n": 2, "max_n": 4, "bucket": 2000}
    assert ck.arrays["input"].shape == (v + 2000, 16)
    np.testing.assert_array_equal(ck.arrays["input"], m.syn0)  # n-gram rows included
    # it still opens as a vector file: the words' composed vectors
    np.testing.assert_allclose(load_vectors(ckpt)["king"], m.wv["king"], atol=1e-6)

    r = FastText.resume(ckpt)
    assert isinstance(r, FastText) and (r.min_n, r.max_n, r.bucket) == (2, 4, 2000)
    assert r.syn0.shape == (v + 2000, 16) and r.interrupted
    r.train()
    np.testing.assert_array_equal(r.syn0, whole.syn0)
    np.testing.assert_array_equal(r.syn1neg, whole.syn1neg)
    assert r.losses == whole.losses and r.epochs_done == 2
    assert UNSEEN not in r.wv.key_to_index
    np.testing.assert_array_equal(r.wv[UNSEEN], whole.wv[UNSEEN])
    rows = v + ngram_hashes(UNSEEN, 2, 4, 2000)
    np.testing.assert_allclose(r.wv[UNSEEN], r.syn0[rows].mean(axis=0), atol=1e-6)


def test_a_checkpoint_of_one_model_is_not_resumed_as_the_other(corpus_file, tmp_path):
    ft = tmp_path / "ft.ckpt"
    FastText(epochs=1, **KW).build_vocab(corpus_file).save_checkpoint(ft)
    w2v = tmp_path / "w2v.ckpt"
    w2v_kw = {k: v for k, v in KW.items() if k not in ("bucket", "min_n", "max_n")}
    Word2Vec(epochs=1, **w2v_kw).build_vocab(corpus_file).save_checkpoint(w2v)
    assert load_checkpoint(w2v).method == "word2vec"
    assert load_checkpoint(w2v).state["version"] == 1  # older wordvec still reads these
    with pytest.raises(ConfigError, match="checkpoint of a fastText model, not of a word2vec "
                                          "model; resume it with FastText.resume"):
        Word2Vec.resume(ft)
    with pytest.raises(ConfigError, match="checkpoint of a word2vec model, not of a fastText"):
        FastText.resume(w2v)
    with pytest.raises(ConfigError, match="FastText trains on one machine"):  # not on Dask
        FastText.resume(ft, client=object())


def test_a_subword_checkpoint_whose_bucket_does_not_match_its_matrix_is_damaged(
        corpus_file, tmp_path):
    good = tmp_path / "ft.ckpt"
    FastText(epochs=1, **KW).build_vocab(corpus_file).save_checkpoint(good)
    arrays, meta = load_state(good)
    for name, subwords, drop in (("bucket", {"bucket": 1000}, None),
                                 ("minmax", {"min_n": 5}, None), ("input", {}, "input")):
        a = {k: x for k, x in arrays.items() if k != drop}
        m = {k: x for k, x in meta.items() if k != "kind"}
        state = meta["checkpoint"]
        m["checkpoint"] = {**state, "subwords": {**state["subwords"], **subwords}}
        bad = save_state(tmp_path / f"{name}.ckpt", a, m, kind=meta["kind"])
        with pytest.raises(FormatError, match="damaged checkpoint"):
            FastText.resume(bad)


# SIGTERM (what a batch scheduler sends); word2vec's test covers SIGINT, the same handler
@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143)])
def test_a_signal_mid_run_saves_a_fasttext_checkpoint_and_resume_completes_it(tmp_path, sig,
                                                                              status):
    corpus = synthetic.write_corpus(tmp_path / "big.txt", n_words=60_000, seed=4)
    out = tmp_path / "ft.bin"
    args = ["train", str(corpus), "-o", str(out), "--method", "fasttext", "--size", "16",
            "--epochs", "40", "--workers", "1", "--min-count", "3", "--seed", "5",
            "--bucket", "2000", "--minn", "2", "--maxn", "4"]
    returncode, err = signal_cli_after(args, tmp_path, sig)
    assert returncode == status, err
    assert "Traceback" not in err and f"training stopped by {sig.name}" in err
    ckpt = tmp_path / "ft.bin.ckpt"
    assert ckpt.exists() and not out.exists()
    ck = load_checkpoint(ckpt)
    assert ck.method == "fasttext" and 1 <= ck.state["epochs_done"] < 40
    command = re.search(r"to continue: wordvec (.*)", err).group(1).split()
    assert main(["-q", *command]) == 0
    resumed = load_vectors(out)
    assert isinstance(resumed, FastTextVectors) and resumed.bucket == 2000
    ref = tmp_path / "ref.bin"
    assert main(["-q", *args[:3], str(ref), *args[4:]]) == 0
    want = load_vectors(ref)
    np.testing.assert_array_equal(resumed.vectors, want.vectors)
    np.testing.assert_array_equal(resumed.vectors_ngrams, want.vectors_ngrams)
    assert UNSEEN not in resumed.key_to_index
    np.testing.assert_array_equal(resumed[UNSEEN], want[UNSEEN])
