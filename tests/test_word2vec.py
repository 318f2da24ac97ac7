"""The Word2Vec trainer: learns planted analogies, reproducible, configurable, interruptible."""

import dataclasses

import numpy as np
import pytest

from wordvec.encoded import EncodedCorpus
from wordvec.errors import ConfigError, TrainingError
from wordvec.synthetic import analogy_questions, generate_sentences
from wordvec.vectors import WordVectors
from wordvec.word2vec import (
    EpochReport,
    Progress,
    StopTraining,
    Word2Vec,
    Word2VecConfig,
)

# vector size 32 and 5 noise words everywhere: one compiled kernel for the whole file
SMALL = dict(vector_size=32, negative=5, min_count=2)


@pytest.fixture(scope="module")
def planted():
    """The synthetic corpus with planted analogies, encoded once (300k words)."""
    return EncodedCorpus.from_sentences(generate_sentences(300_000, seed=0), min_count=2)


@pytest.fixture(scope="module")
def tiny():
    return EncodedCorpus.from_sentences(generate_sentences(20_000, seed=3), min_count=2)


def analogy_accuracy(wv):
    questions = [q for qs in analogy_questions().values() for q in qs]
    hits = sum(
        wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
        for a, b, c, d in questions
    )
    return hits / len(questions)


@pytest.mark.parametrize(
    "model,hs,negative",
    [("sg", 0, 5), ("sg", 1, 0), ("cbow", 0, 5), ("cbow", 1, 0)],
    ids=["skipgram-ns", "skipgram-hs", "cbow-ns", "cbow-hs"],
)
def test_recovers_planted_analogies(planted, model, hs, negative):
    m = Word2Vec(model=model, hs=hs, negative=negative, vector_size=32, min_count=2,
                 epochs=5, workers=2)
    m.fit(planted)
    assert analogy_accuracy(m.wv) >= 0.7
    assert m.losses[-1] < m.losses[0]  # the loss went down
    assert m.wv.most_similar("king", topn=3)  # vectors answer queries


def test_per_pair_update_learns_too(planted):
    m = Word2Vec(model="sg", shared_negatives=False, epochs=3, workers=2, **SMALL).fit(planted)
    assert analogy_accuracy(m.wv) >= 0.6


def test_one_worker_is_bit_identical_across_runs(tiny):
    a = Word2Vec(model="sg", epochs=2, workers=1, seed=7, **SMALL).fit(tiny)
    b = Word2Vec(model="sg", epochs=2, workers=1, seed=7, **SMALL).fit(tiny)
    c = Word2Vec(model="sg", epochs=2, workers=1, seed=8, **SMALL).fit(tiny)
    np.testing.assert_array_equal(a.syn0, b.syn0)
    np.testing.assert_array_equal(a.syn1neg, b.syn1neg)
    assert a.losses == b.losses
    assert not np.array_equal(a.syn0, c.syn0)


def test_one_worker_cbow_hs_is_bit_identical(tiny):
    kw = dict(model="cbow", hs=1, negative=0, vector_size=32, min_count=2, epochs=1, workers=1)
    a = Word2Vec(**kw).fit(tiny)
    b = Word2Vec(**kw).fit(tiny)
    np.testing.assert_array_equal(a.syn0, b.syn0)
    np.testing.assert_array_equal(a.syn1, b.syn1)


def test_defaults_are_the_c_tools():
    c = Word2VecConfig()
    assert (c.vector_size, c.window, c.negative, c.hs, c.sample, c.min_count, c.epochs) == (
        100, 5, 5, 0, 1e-3, 5, 5
    )
    assert c.model == "cbow" and c.cbow_mean == 1
    assert c.start_alpha == 0.05 and c.end_alpha == pytest.approx(0.05e-4)
    sg = dataclasses.replace(c, model="sg")
    assert sg.start_alpha == 0.025 and sg.end_alpha == pytest.approx(0.025e-4)
    assert c.n_workers >= 1
    assert Word2Vec(sg=1).config.model == "sg"  # gensim's spelling


@pytest.mark.parametrize(
    "kwargs,word",
    [
        (dict(hs=0, negative=0), "objective"),
        (dict(vector_size=0), "vector_size"),
        (dict(window=0), "window"),
        (dict(alpha=0.0), "alpha"),
        (dict(alpha=-1.0), "alpha"),
        (dict(alpha=0.01, min_alpha=0.1), "min_alpha"),
        (dict(negative=-1), "negative"),
        (dict(sample=-0.1), "sample"),
        (dict(epochs=0), "epochs"),
        (dict(workers=0), "workers"),
        (dict(min_count=0), "min_count"),
        (dict(model="glove"), "model"),
        (dict(vector_size=2.5), "vector_size"),
        (dict(alpha=float("nan")), "alpha"),
        (dict(hs=2), "hs"),
        (dict(no_such_thing=1), "no_such_thing"),
    ],
)
def test_bad_configuration_is_refused_before_any_work(kwargs, word):
    with pytest.raises(ConfigError, match=word):
        Word2Vec(**kwargs)


def test_train_before_vocabulary_is_a_clear_error():
    with pytest.raises(ConfigError, match="build_vocab"):
        Word2Vec(**SMALL).train()


def test_build_vocab_then_train_and_state(tiny):
    m = Word2Vec(model="sg", hs=1, epochs=2, workers=1, **SMALL).build_vocab(tiny)
    v = len(tiny.vocab)
    assert m.syn0.shape == (v, 32) and m.syn0.dtype == np.float32
    assert np.abs(m.syn0).max() <= 0.5 / 32  # the C tool's initialisation
    assert not m.syn1neg.any() and not m.syn1.any()  # output vectors start at zero
    assert m.syn1.shape == (v - 1, 32)
    m.train()
    assert m.epochs_done == 2 and len(m.losses) == 2
    assert np.isfinite(m.losses).all()
    assert m.syn1neg.any() and m.syn1.any()
    wv = m.wv
    assert isinstance(wv, WordVectors)
    assert wv.index_to_key == tiny.vocab.words
    assert np.shares_memory(wv.vectors, m.syn0)
    assert wv.meta["model"] == "sg" and wv.meta["epochs_done"] == 2
    m.train(epochs=1)  # training continues
    assert m.epochs_done == 3 and len(m.losses) == 3


def test_fit_reads_a_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(
        "\n".join(" ".join(s) for s in generate_sentences(5_000, seed=2)), encoding="utf-8"
    )
    m = Word2Vec(model="cbow", epochs=1, workers=1, **SMALL).fit(path)
    assert "king" in m.wv and m.corpus.n_tokens > 4_000


def test_epoch_callbacks_see_every_epoch_and_can_stop(tiny):
    seen = []

    def record(model, report):
        seen.append(report)

    def stop_after_two(model, report):
        return report.epoch == 2

    m = Word2Vec(model="sg", epochs=5, workers=1, **SMALL)
    m.fit(tiny, callbacks=[record, stop_after_two])
    assert [r.epoch for r in seen] == [1, 2]
    assert m.epochs_done == 2
    assert all(isinstance(r, EpochReport) and r.words == tiny.n_tokens for r in seen)
    assert [r.loss for r in seen] == m.losses

    def raise_stop(model, report):
        raise StopTraining

    m2 = Word2Vec(model="cbow", epochs=5, workers=2, **SMALL).fit(tiny, callbacks=[raise_stop])
    assert m2.epochs_done == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_reports_words_rate_alpha_and_loss(tiny, workers):
    reports = []
    m = Word2Vec(model="sg", epochs=2, workers=workers, chunk_words=2_000, **SMALL)
    m.build_vocab(tiny)
    m.train(progress=reports.append, progress_every=0.0)
    assert reports and all(isinstance(p, Progress) for p in reports)
    done = [p.words_done for p in reports]
    assert done == sorted(done) and done[-1] <= 2 * tiny.n_tokens
    assert reports[-1].words_total == 2 * tiny.n_tokens
    alphas = [p.alpha for p in reports]
    assert alphas == sorted(alphas, reverse=True)
    assert 0 < alphas[-1] < 0.025
    assert all(p.words_per_sec > 0 and p.eta >= 0 for p in reports if p.words_done > 0)
    assert reports[-1].words_done > 0
    assert any(np.isfinite(p.loss) and p.loss > 0 for p in reports)


def test_divergence_raises_a_training_error_that_suggests_a_lower_alpha(tiny):
    m = Word2Vec(model="cbow", cbow_mean=0, alpha=1e30, min_alpha=1e30, epochs=2, workers=1,
                 **SMALL)
    with pytest.raises(TrainingError, match="alpha"):
        m.fit(tiny)


def test_two_workers_give_the_same_quality_as_one(planted):
    kw = dict(model="cbow", hs=1, negative=0, vector_size=32, min_count=2, epochs=3)
    one = analogy_accuracy(Word2Vec(workers=1, **kw).fit(planted).wv)
    two = analogy_accuracy(Word2Vec(workers=2, **kw).fit(planted).wv)
    assert two >= one - 0.1


def test_a_corpus_too_small_for_any_example_warns_instead_of_failing(caplog):
    m = Word2Vec(model="sg", epochs=1, workers=1, **SMALL | {"min_count": 1})
    with caplog.at_level("WARNING", logger="wordvec"):
        m.fit([["a", "b"], ["a", "b"]])  # subsampling (1e-3) drops every word
    assert m.epochs_done == 1 and np.isnan(m.losses[0])
    assert "no training examples" in caplog.text
    tiny = Word2Vec(hs=1, epochs=1, workers=1, sample=0, **SMALL | {"min_count": 1})
    tiny.fit([["a", "a", "a"]])  # a one-word vocabulary: nothing to contrast, still fine
    assert np.isfinite(tiny.syn0).all()
