"""The readable full-softmax reference models: gradients, training data, training, errors."""

import doctest

import numpy as np
import pytest

from wordvec.errors import ConfigError, CorpusError, VocabError
from wordvec.train import reference
from wordvec.train.reference import (
    MAX_SOFTMAX_VOCAB,
    CBOWSoftmax,
    SkipGramSoftmax,
    cbow_loss_and_grads,
    cbow_windows,
    learning_rate_schedule,
    skipgram_loss_and_grads,
    sliding_window_pairs,
)

# ---------------------------------------------------------------------------
# Gradient checks against central finite differences
# ---------------------------------------------------------------------------


def numeric_grad(f, W, eps=1e-6):
    """Central finite differences of the scalar function f() with respect to every entry of W."""
    grad = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        old = W[idx]
        W[idx] = old + eps
        plus = f()
        W[idx] = old - eps
        minus = f()
        W[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


@pytest.fixture
def tiny_weights():
    rng = np.random.default_rng(42)
    V, d = 7, 4
    return rng.normal(size=(V, d)), rng.normal(size=(V, d))


def test_skipgram_gradients_match_finite_differences(tiny_weights):
    W_in, W_out = tiny_weights
    # Centre 2 appears three times and context 5 twice: duplicates in a batch
    # must accumulate, not overwrite.
    centers = np.array([2, 0, 2, 6, 2, 3])
    contexts = np.array([5, 1, 5, 2, 0, 3])

    loss, dW_in, dW_out = skipgram_loss_and_grads(W_in, W_out, centers, contexts)

    def f():
        return skipgram_loss_and_grads(W_in, W_out, centers, contexts)[0]

    assert loss == pytest.approx(f())
    num_in = numeric_grad(f, W_in)
    num_out = numeric_grad(f, W_out)
    assert rel_error(dW_in, num_in) < 1e-4
    assert rel_error(dW_out, num_out) < 1e-4
    # Words that were never a centre get no input-vector gradient.
    unused = [w for w in range(len(W_in)) if w not in centers]
    assert np.all(dW_in[unused] == 0)


def test_cbow_gradients_match_finite_differences(tiny_weights):
    W_in, W_out = tiny_weights
    # Rows with 1, 3 and 4 real context words, padding on both edges and a
    # word repeated inside one context window.
    contexts = np.array([[0, 0, 4, 1], [3, 2, 5, 5], [6, 1, 0, 0], [2, 0, 1, 0]])
    mask = np.array(
        [[False, False, True, False], [True, True, True, True], [True, True, False, False],
         [True, True, True, False]]
    )
    targets = np.array([3, 0, 6, 2])

    loss, dW_in, dW_out = cbow_loss_and_grads(W_in, W_out, contexts, mask, targets)

    def f():
        return cbow_loss_and_grads(W_in, W_out, contexts, mask, targets)[0]

    assert loss == pytest.approx(f())
    assert rel_error(dW_in, numeric_grad(f, W_in)) < 1e-4
    assert rel_error(dW_out, numeric_grad(f, W_out)) < 1e-4


def test_loss_is_mean_cross_entropy(tiny_weights):
    # One pair, computed by hand with an explicit softmax.
    W_in, W_out = tiny_weights
    scores = W_out @ W_in[3]
    p = np.exp(scores) / np.exp(scores).sum()
    loss, _, _ = skipgram_loss_and_grads(W_in, W_out, [3, 3], [1, 4])
    assert loss == pytest.approx(-(np.log(p[1]) + np.log(p[4])) / 2)


def test_cbow_hidden_vector_is_mean_of_contexts(tiny_weights):
    W_in, W_out = tiny_weights
    h = (W_in[1] + W_in[4] + W_in[6]) / 3
    scores = W_out @ h
    p = np.exp(scores) / np.exp(scores).sum()
    loss, _, _ = cbow_loss_and_grads(W_in, W_out, [[1, 4, 0, 6]], [[True, True, False, True]], [2])
    assert loss == pytest.approx(-np.log(p[2]))


def test_cbow_with_one_context_word_equals_skipgram(tiny_weights):
    # With a single context word the mean is that word's vector, so both
    # models compute the same loss and gradients.
    W_in, W_out = tiny_weights
    sg = skipgram_loss_and_grads(W_in, W_out, [1, 5], [2, 0])
    cb = cbow_loss_and_grads(W_in, W_out, [[1, 0], [0, 5]], [[True, False], [False, True]], [2, 0])
    assert sg[0] == pytest.approx(cb[0])
    np.testing.assert_allclose(sg[1], cb[1], atol=1e-12)
    np.testing.assert_allclose(sg[2], cb[2], atol=1e-12)


# ---------------------------------------------------------------------------
# Training data
# ---------------------------------------------------------------------------


def test_sliding_window_pairs_hand_worked():
    # "the quick brown fox jumps", ids 0..4, window 2, worked out by hand.
    centers, contexts = sliding_window_pairs([0, 1, 2, 3, 4], window=2)
    expected = [
        (0, 1), (0, 2),
        (1, 0), (1, 2), (1, 3),
        (2, 0), (2, 1), (2, 3), (2, 4),
        (3, 1), (3, 2), (3, 4),
        (4, 2), (4, 3),
    ]  # fmt: skip
    assert list(zip(centers.tolist(), contexts.tolist(), strict=True)) == expected
    assert centers.dtype == np.int32 and contexts.dtype == np.int32


def test_sliding_window_pairs_edge_cases():
    c, x = sliding_window_pairs([7], window=3)
    assert len(c) == 0 and len(x) == 0
    with pytest.raises(ConfigError):
        sliding_window_pairs([1, 2], window=0)


def test_cbow_windows_hand_worked():
    contexts, mask, targets = cbow_windows([10, 11, 12, 13], window=2)
    assert targets.tolist() == [10, 11, 12, 13]
    # Slots are offsets -2, -1, +1, +2; only masked slots matter.
    real = [contexts[i][mask[i]].tolist() for i in range(4)]
    assert real == [[11, 12], [10, 12, 13], [10, 11, 13], [11, 12]]
    assert mask.tolist()[0] == [False, False, True, True]
    empty = cbow_windows([5], window=2)
    assert [a.shape[0] for a in empty] == [0, 0, 0]


# ---------------------------------------------------------------------------
# Training on tiny corpora
# ---------------------------------------------------------------------------

PHRASES = [
    ["i", "live", "in", "new", "york"],
    ["she", "moved", "to", "new", "york", "last", "year"],
    ["new", "york", "is", "big"],
    ["we", "love", "new", "york"],
    ["they", "visit", "new", "york", "often"],
]


@pytest.mark.parametrize("cls", [SkipGramSoftmax, CBOWSoftmax])
def test_loss_decreases(cls):
    model = cls(vector_size=8, window=2, epochs=20, seed=3).fit(PHRASES * 4)
    assert len(model.losses) == 20
    assert model.losses[-1] < 0.7 * model.losses[0]
    # Epoch losses are means per example: they start near log(V) (uniform-ish guesses),
    # a little below it as the first epoch learns (measured: 0.81-0.95 log V over 5 seeds)
    log_v = np.log(len(model.vocab))
    assert 0.75 * log_v < model.losses[0] < 1.02 * log_v
    # and the input vectors learn too, not only the output layer: the same seed
    # starts from the same weights, so 1 and 20 epochs differ only by training
    first = cls(vector_size=8, window=2, epochs=1, seed=3).fit(PHRASES * 4)
    moved = np.linalg.norm(model.W_in - first.W_in) / np.linalg.norm(first.W_in)
    assert moved > 0.2


def test_skipgram_predicts_repeated_phrase():
    model = SkipGramSoftmax(vector_size=8, window=1, epochs=30, seed=0).fit(PHRASES * 4)
    ranked = model.predict_context("new", topn=len(model.vocab))
    assert ranked[0][0] == "york"
    probs = [p for _, p in ranked]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0)
    assert len(model.predict_context("new", topn=3)) == 3


def test_cbow_predicts_centre_of_repeated_phrase():
    model = CBOWSoftmax(vector_size=8, window=1, epochs=30, seed=0).fit(PHRASES * 4)
    assert model.predict_center(["in", "york"], topn=1)[0][0] == "new"


def test_unknown_word_names_it():
    model = SkipGramSoftmax(epochs=1).fit(PHRASES)
    with pytest.raises(KeyError, match="boston"):
        model.predict_context("boston")


def test_sentences_may_be_any_iterables():
    lists = SkipGramSoftmax(epochs=2, seed=0).fit(PHRASES)
    gens = SkipGramSoftmax(epochs=2, seed=0).fit(iter(s) for s in PHRASES)
    np.testing.assert_array_equal(lists.W_in, gens.W_in)


def test_determinism_with_seed():
    def train(seed):
        return SkipGramSoftmax(vector_size=6, epochs=5, seed=seed).fit(PHRASES)

    a, b, c = train(7), train(7), train(8)
    np.testing.assert_array_equal(a.W_in, b.W_in)
    np.testing.assert_array_equal(a.W_out, b.W_out)
    assert a.losses == b.losses
    assert not np.array_equal(a.W_in, c.W_in)


def test_min_count_and_vocab_order():
    model = CBOWSoftmax(epochs=1, min_count=2).fit(PHRASES)
    assert model.vocab.words[:2] == ["new", "york"]
    assert "often" not in model.vocab.index  # seen once, below min_count
    assert model.W_in.shape == (len(model.vocab), 10)


def test_float32_option():
    model = SkipGramSoftmax(epochs=3, dtype="float32", seed=0).fit(PHRASES)
    assert model.W_in.dtype == np.float32 and model.W_out.dtype == np.float32
    assert model.losses[-1] < model.losses[0]


def test_wv_holds_input_vectors():
    model = SkipGramSoftmax(epochs=2, seed=0).fit(PHRASES)
    wv = model.wv
    assert wv["york"].dtype == np.float32
    np.testing.assert_allclose(wv["york"], model.W_in[model.vocab.index["york"]], rtol=1e-6)


# ---------------------------------------------------------------------------
# Learning-rate schedule
# ---------------------------------------------------------------------------


def test_inverse_schedule_follows_tutorial_rule():
    rates = learning_rate_schedule("inverse", 0.5, 4)
    assert rates[0] == 0.5
    for e in range(1, 4):  # lr <- lr / (1 + lr * e) after epoch e
        assert rates[e] == pytest.approx(rates[e - 1] / (1 + rates[e - 1] * e))


def test_schedules_and_custom_decay():
    lin = learning_rate_schedule("linear", 0.2, 5)
    assert lin[0] == pytest.approx(0.2) and np.all(np.diff(lin) < 0) and lin[-1] > 0
    assert learning_rate_schedule("none", 0.3, 3).tolist() == [0.3, 0.3, 0.3]
    half = learning_rate_schedule(lambda e, lr: lr * 0.5**e, 1.0, 3)
    assert half.tolist() == [1.0, 0.5, 0.25]
    model = SkipGramSoftmax(epochs=3, lr_decay="none", learning_rate=0.1).fit(PHRASES)
    assert model.learning_rates == [0.1, 0.1, 0.1]


# ---------------------------------------------------------------------------
# User mistakes
# ---------------------------------------------------------------------------


def test_vocabulary_too_large_names_the_limit():
    words = [f"w{i}" for i in range(MAX_SOFTMAX_VOCAB + 1)]
    with pytest.raises(VocabError) as info:
        SkipGramSoftmax(epochs=1).fit([words])
    message = str(info.value)
    assert f"{MAX_SOFTMAX_VOCAB:,}" in message
    assert "negative sampling" in message and "Word2Vec" in message


@pytest.mark.parametrize(
    "kwargs",
    [{"batch_size": 0}, {"window": -1}, {"learning_rate": 0}, {"lr_decay": "cosine"},
     {"dtype": "int8"}, {"vector_size": 2.5}],
)
def test_bad_parameters_raise_config_error(kwargs):
    with pytest.raises(ConfigError):
        CBOWSoftmax(**kwargs).fit(PHRASES)


def test_bad_corpus_raises_corpus_error():
    with pytest.raises(CorpusError, match="string"):
        SkipGramSoftmax().fit("new york new york")
    with pytest.raises(CorpusError, match="list of string tokens"):
        SkipGramSoftmax().fit(["new york", "new york city"])
    with pytest.raises(CorpusError, match="list of string tokens"):
        SkipGramSoftmax().fit([[1, 2, 3]])
    with pytest.raises(CorpusError):
        SkipGramSoftmax().fit([])
    with pytest.raises(CorpusError, match="fewer than two"):
        SkipGramSoftmax().fit([["alone"], ["single"]])


def test_not_fitted():
    # a user's mistake: a WordvecError (ConfigError), not a bare RuntimeError
    with pytest.raises(ConfigError, match="fit"):
        SkipGramSoftmax().predict_context("new")


def test_docstring_examples_run():
    result = doctest.testmod(reference, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("cls", [SkipGramSoftmax, CBOWSoftmax])
def test_progress_reports_like_the_engine(cls):
    from wordvec.train.word2vec import Progress

    sentences = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "sat", "down"]] * 30
    reports = []
    model = cls(vector_size=4, window=2, epochs=3, batch_size=8, seed=0)
    model.fit(sentences, progress=reports.append, progress_every=0.0)
    assert all(isinstance(p, Progress) for p in reports)
    n = len(model.centers_) if cls is SkipGramSoftmax else len(model.targets_)
    assert {p.words_total for p in reports} == {3 * n}  # training examples of all epochs
    done = [p.words_done for p in reports]
    assert done == sorted(done) and done[-1] == 3 * n and len(done) > 3 * (n // 8)
    assert [p.epoch for p in reports][0] == 1 and reports[-1].epoch == 3
    assert reports[-1].fraction == 1.0 and reports[-1].eta == 0.0
    assert reports[-1].loss == pytest.approx(model.losses[-1])
    assert all(p.eta >= 0 and p.words_per_sec > 0 for p in reports)
    assert reports[-1].alpha == pytest.approx(model.learning_rates[-1])
