"""One contract for every estimator, in the spirit of scikit-learn's shared estimator checks.

Each estimator (word2vec's engine, PPMI-SVD, the two full-softmax reference
models) is configured by keyword, refuses a bad setting with a ConfigError
before any work, has no learned vectors before ``fit``, returns itself from
``fit``, keeps what it learned in attributes (``.wv`` with one row per
vocabulary word), and its ``.wv`` survives a save/load round trip bit for bit.
A new estimator joins by adding one line to ESTIMATORS.
"""

import numpy as np
import pytest

from wordvec import PPMISVD, CBOWSoftmax, ConfigError, SkipGramSoftmax, Word2Vec, synthetic
from wordvec.vectors.formats import load_vectors, save_vectors

ESTIMATORS = {
    "Word2Vec": (Word2Vec, dict(epochs=1, workers=1)),
    "PPMISVD": (PPMISVD, {}),
    "SkipGramSoftmax": (SkipGramSoftmax, dict(epochs=2)),
    "CBOWSoftmax": (CBOWSoftmax, dict(epochs=2)),
}
BAD = [dict(vector_size=0), dict(vector_size="ten"), dict(window=0), dict(min_count=-1)]


@pytest.fixture(scope="module")
def sentences():
    return synthetic.generate_sentences(3000, seed=1)


@pytest.fixture(scope="module", params=list(ESTIMATORS))
def fitted(request, sentences):
    cls, extra = ESTIMATORS[request.param]
    model = cls(vector_size=8, window=2, min_count=2, **extra)
    return model, model.fit(sentences)


def test_fit_returns_the_estimator_itself(fitted):
    model, returned = fitted
    assert returned is model


def test_learned_vectors_are_attributes_of_the_vocabulary(fitted, sentences):
    model, _ = fitted
    wv = model.wv
    counts = {}
    for s in sentences:
        for w in s:
            counts[w] = counts.get(w, 0) + 1
    expected = {w for w, c in counts.items() if c >= 2}
    assert set(wv.index_to_key) == expected  # min_count=2 applied, every such word kept
    assert wv.vectors.shape == (len(expected), 8) and wv.vectors.dtype == np.float32
    assert np.isfinite(wv.vectors).all() and np.abs(wv.vectors).max() > 0


def test_wv_survives_a_save_and_load_round_trip(fitted, tmp_path):
    model, _ = fitted
    for name in ("v.wv", "v.bin", "v.txt"):
        back = load_vectors(save_vectors(model.wv, tmp_path / name))
        assert back.index_to_key == model.wv.index_to_key
        if name != "v.txt":
            np.testing.assert_array_equal(back.vectors, model.wv.vectors)
        else:
            np.testing.assert_allclose(back.vectors, model.wv.vectors, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_no_vectors_before_fit(name):
    cls, extra = ESTIMATORS[name]
    model = cls(vector_size=8, **extra)
    with pytest.raises(ConfigError, match="fit"):  # a user's mistake, said as one
        model.wv  # noqa: B018 - the property is the thing tested


@pytest.mark.parametrize("bad", BAD, ids=lambda b: "-".join(f"{k}={v}" for k, v in b.items()))
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_a_bad_setting_is_a_config_error_before_any_training(name, bad):
    # scikit-learn validates in fit, wordvec's engines in the constructor: either way
    # the user gets a ConfigError naming the setting, and nothing is learned
    cls, extra = ESTIMATORS[name]
    key = next(iter(bad))
    with pytest.raises(ConfigError, match=key):
        model = cls(**{**extra, **bad})
        model.fit([["a", "b", "c"]] * 5)


@pytest.mark.parametrize("name", ["Word2Vec", "PPMISVD", "SkipGramSoftmax", "CBOWSoftmax"])
def test_a_misspelt_setting_is_a_config_error(name):
    cls, extra = ESTIMATORS[name]
    with pytest.raises(ConfigError, match="windw"):
        cls(windw=3, **extra)
