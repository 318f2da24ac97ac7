"""Count-based vectors: co-occurrence counts, PPMI and truncated SVD.

Each stage is checked against the plainest possible computation: counts
against a Python double loop over the sentences, PPMI against dense numpy,
the SVD against numpy's dense SVD; the tutorial's two-sentence example is
checked against its published matrix, and the whole pipeline has to recover
the planted analogies of the synthetic corpus.
"""

import io
import random
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

from wordvec.errors import ConfigError, FormatError, VocabError
from wordvec.text.encoded import EncodedCorpus, encode_corpus
from wordvec.train.cooccurrence import (
    BOS,
    EOS,
    cooccurrence,
    load_counts,
    ppmi,
    save_counts,
    svd_vectors,
    truncated_svd,
)
from wordvec.train.ppmi_svd import PPMISVD, SVDConfig
from wordvec.train.word2vec import Word2VecConfig

# --- the tutorial's example --------------------------------------------------------

TUTORIAL = ["all that glitters is not gold", "all is well that ends well"]

# The tutorial's matrix (window 1, <START>/<END> around each sentence), written
# as its nonzero entries; the matrix is symmetric, so each pair is listed once.
TUTORIAL_PAIRS = {
    (BOS, "all"): 2,
    ("all", "that"): 1,
    ("all", "is"): 1,
    ("that", "glitters"): 1,
    ("that", "well"): 1,
    ("that", "ends"): 1,
    ("glitters", "is"): 1,
    ("is", "not"): 1,
    ("is", "well"): 1,
    ("not", "gold"): 1,
    ("gold", EOS): 1,
    ("well", "ends"): 1,
    ("well", EOS): 1,
}


def test_tutorial_two_sentence_matrix_with_window_1():
    enc = EncodedCorpus.from_sentences([s.split() for s in TUTORIAL])
    counts = cooccurrence(enc, window=1, boundaries=True)
    labels = enc.vocab.words + [BOS, EOS]
    assert counts.shape == (10, 10)
    expected = np.zeros((10, 10))
    for (a, b), n in TUTORIAL_PAIRS.items():
        i, j = labels.index(a), labels.index(b)
        expected[i, j] = expected[j, i] = n
    np.testing.assert_array_equal(counts.toarray(), expected)


def test_model_exposes_tutorial_matrix_with_labels():
    model = PPMISVD(vector_size=2, window=1, min_count=1, boundaries=True, sample=0)
    model.fit([s.split() for s in TUTORIAL])
    dense = model.cooc.toarray()
    at = {w: i for i, w in enumerate(model.cooc_words)}
    assert dense[at[BOS], at["all"]] == 2 and dense[at["well"], at[EOS]] == 1
    assert dense[at[BOS], at[EOS]] == 0  # one sentence's start never meets another's end
    # boundary tokens are contexts, not words: no vector for them
    assert BOS not in model.wv and len(model.wv) == 8


# --- counting against brute force ------------------------------------------------


def _random_sentences(rng, n_sent=40, vocab=12):
    words = [f"w{i}" for i in range(vocab)]
    # Zipf-ish draws so some pairs repeat a lot; lengths from 1 (no pairs) up
    weights = [1 / (i + 1) for i in range(vocab)]
    return [rng.choices(words, weights, k=rng.randint(1, 9)) for _ in range(n_sent)]


def _brute_force(sentences, labels, window, weighting, boundaries):
    index = {w: i for i, w in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)))
    for s in sentences:
        toks = [BOS, *s, EOS] if boundaries else list(s)
        for i in range(len(toks)):
            for j in range(len(toks)):
                d = abs(i - j)
                if i == j or d > window:
                    continue
                w = {"none": 1.0, "harmonic": 1.0 / d,
                     "linear": (window - d + 1) / window}[weighting]
                m[index[toks[i]], index[toks[j]]] += w
    return m


@pytest.mark.parametrize("window", [2, 3])
@pytest.mark.parametrize("weighting", ["none", "harmonic", "linear"])
@pytest.mark.parametrize("boundaries", [False, True])
def test_counts_equal_brute_force(window, weighting, boundaries):
    sentences = _random_sentences(random.Random(window * 10 + len(weighting)))
    enc = EncodedCorpus.from_sentences(sentences)
    labels = enc.vocab.words + ([BOS, EOS] if boundaries else [])
    expected = _brute_force(sentences, labels, window, weighting, boundaries)
    # a tiny chunk size makes the counter merge many partial results
    for chunk in (1 << 20, 7):
        got = cooccurrence(enc, window, weighting, boundaries, chunk_tokens=chunk)
        assert got.has_sorted_indices
        np.testing.assert_allclose(got.toarray(), expected, rtol=1e-6)
    assert not np.any(got.data == 0)  # no stored zeros


def test_subsampling_counts_the_kept_tokens_reproducibly():
    sentences = _random_sentences(random.Random(2), n_sent=300, vocab=12)
    enc = EncodedCorpus.from_sentences(sentences)
    sample = 0.01
    got = cooccurrence(enc, 3, "harmonic", sample=sample, seed=4)
    # the same draws by hand: one uniform number per token, in corpus order
    keep = enc.vocab.keep_probs(sample)
    ids = np.asarray(enc.ids)
    kept = np.random.default_rng(4).random(len(ids)) < keep[ids]
    bounds = enc.offsets
    words = enc.vocab.words
    thinned = [[words[t] for t, k in zip(ids[a:b], kept[a:b], strict=True) if k]
               for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    expected = _brute_force(thinned, words, 3, "harmonic", False)
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-6)
    assert kept.mean() < 0.9  # frequent words were really dropped
    # the chunk size does not change the draws; another seed does
    again = cooccurrence(enc, 3, "harmonic", sample=sample, seed=4, chunk_tokens=11)
    np.testing.assert_array_equal(again.toarray(), got.toarray())
    other = cooccurrence(enc, 3, "harmonic", sample=sample, seed=5)
    assert not np.array_equal(other.toarray(), got.toarray())


def test_counts_do_not_cross_sentence_boundaries():
    enc = EncodedCorpus.from_sentences([["a", "b"], ["c", "d"]])
    m = cooccurrence(enc, window=5)
    idx = enc.vocab.index
    assert m[idx["b"], idx["c"]] == 0 and m[idx["a"], idx["b"]] == 1


def test_counts_of_a_file_backed_corpus(tmp_path):
    sentences = _random_sentences(random.Random(5), n_sent=200, vocab=30)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    enc = encode_corpus(path, min_count=1, workdir=tmp_path / "enc")
    got = cooccurrence(enc, window=4, weighting="harmonic", chunk_tokens=50)
    expected = _brute_force(sentences, enc.vocab.words, 4, "harmonic", False)
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-6)


def test_bad_counting_options_are_refused():
    enc = EncodedCorpus.from_sentences([["a", "b"]])
    with pytest.raises(ConfigError, match="window"):
        cooccurrence(enc, window=0)
    with pytest.raises(ConfigError, match="harmonic"):
        cooccurrence(enc, window=2, weighting="gaussian")
    with pytest.raises(ConfigError, match="vector_size"):
        SVDConfig(vector_size=0)
    with pytest.raises(ConfigError, match="sample"):
        cooccurrence(enc, window=2, sample=1.5)


# --- PPMI against dense numpy -----------------------------------------------------


def _dense_ppmi(m, alpha, k):
    total = m.sum()
    p_wc = m / total
    p_w = m.sum(axis=1) / total
    c_alpha = m.sum(axis=0) ** alpha
    p_c = c_alpha / c_alpha.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_wc) - np.log(p_w)[:, None] - np.log(p_c)[None, :] - np.log(k)
    return np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)


@pytest.mark.parametrize(("alpha", "k"), [(0.75, 1.0), (1.0, 1.0), (0.75, 5.0)])
def test_ppmi_equals_dense_computation(alpha, k):
    rng = np.random.default_rng(0)
    m = rng.poisson(1.5, size=(30, 25)).astype(float) * (rng.random((30, 25)) < 0.4)
    m[3] = 0  # an empty row stays empty
    got = ppmi(sp.csr_matrix(m), cds_alpha=alpha, shift=k)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.toarray(), _dense_ppmi(m, alpha, k), rtol=1e-5, atol=1e-6)
    assert np.all(got.data > 0)  # only positive values are stored


def test_shift_and_smoothing_change_the_matrix():
    rng = np.random.default_rng(1)
    m = sp.csr_matrix(rng.poisson(2.0, size=(20, 20)).astype(float))
    plain = ppmi(m, cds_alpha=1.0)
    assert ppmi(m, cds_alpha=1.0, shift=5).nnz < plain.nnz
    assert not np.allclose(ppmi(m, cds_alpha=0.75).toarray(), plain.toarray())


# --- truncated SVD against numpy ----------------------------------------------------


def _test_matrix(n=60, m=50, seed=3):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(3.0, size=(n, m)) * (rng.random((n, m)) < 0.5)
    return ppmi(sp.csr_matrix(counts.astype(float))).astype(np.float64)


def _match_up_to_sign(a, b, atol):
    signs = np.sign(np.sum(a * b, axis=0))
    np.testing.assert_allclose(a * signs, b, atol=atol)


@pytest.mark.parametrize("solver", ["arpack", "randomized"])
@pytest.mark.parametrize("eig", [0.0, 0.5, 1.0])
def test_svd_vectors_match_dense_svd(solver, eig):
    a = _test_matrix()
    k = 8
    u, s, vt = truncated_svd(a, k, solver=solver, n_iter=12, oversample=30)
    du, ds, dvt = np.linalg.svd(a.toarray(), full_matrices=False)
    np.testing.assert_allclose(s, ds[:k], rtol=1e-5)
    got = svd_vectors(u, s, vt, eig=eig)
    assert got.dtype == np.float32 and got.flags.c_contiguous
    _match_up_to_sign(got, du[:, :k] * ds[:k] ** eig, atol=1e-4 * max(1.0, ds[0] ** eig))
    _match_up_to_sign(vt.T, dvt[:k].T, atol=1e-4)


def test_word_plus_context_vectors():
    a = _test_matrix(40, 40)
    u, s, vt = truncated_svd(a, 6)
    wc = svd_vectors(u, s, vt, eig=0.5, add_context=True)
    w = u * np.sqrt(s)
    c = vt.T * np.sqrt(s)
    expected = w / np.linalg.norm(w, axis=1, keepdims=True) + c / np.linalg.norm(
        c, axis=1, keepdims=True)
    np.testing.assert_allclose(wc, expected, rtol=1e-5, atol=1e-6)


def test_too_many_dimensions_is_a_config_error():
    with pytest.raises(ConfigError, match="vector_size=50"):
        truncated_svd(_test_matrix(n=20, m=20), 50)
    with pytest.raises(ConfigError, match="lower vector_size"):
        PPMISVD(vector_size=10, window=1, min_count=1).fit([["a", "b", "c"]] * 3)


# --- saving and reusing counts ----------------------------------------------------


@pytest.fixture(scope="module")
def small_model():
    sentences = _random_sentences(random.Random(11), n_sent=300, vocab=40)
    return PPMISVD(vector_size=5, window=3, min_count=1, weighting="harmonic",
                   boundaries=True, sample=0.05).fit(sentences)


def test_counts_round_trip_and_reuse(small_model, tmp_path):
    path = small_model.save_counts(tmp_path / "counts.npz")
    m, words, word_counts, header = load_counts(path)
    assert words == small_model.cooc_words
    assert header["config"]["window"] == 3 and header["config"]["sample"] == 0.05
    np.testing.assert_array_equal(m.toarray(), small_model.cooc.toarray())
    np.testing.assert_array_equal(word_counts[: small_model.n_words], small_model.wv.counts)
    # scipy reads the matrix part of the same file
    np.testing.assert_array_equal(sp.load_npz(path).toarray(), m.toarray())
    # counting options come from the file, even when a config says otherwise
    again = PPMISVD.load_counts(path, SVDConfig(vector_size=5, window=8))
    assert again.config.window == 3
    assert again.config.weighting == "harmonic" and again.config.boundaries
    assert again.words == small_model.words
    np.testing.assert_allclose(again.vectors, small_model.vectors, atol=1e-5)
    # different SVD options on the same counts: no recounting needed
    eig0 = PPMISVD.from_counts(m, words, word_counts, vector_size=5, eig=0.0)
    assert not np.allclose(eig0.vectors, small_model.vectors)
    assert PPMISVD.from_counts(m, words, vector_size=5).wv.counts is None


def test_reusing_counts_with_another_window_is_refused(small_model, tmp_path):
    path = small_model.save_counts(tmp_path / "counts.npz")
    with pytest.raises(ConfigError, match="window=3"):
        PPMISVD.load_counts(path, window=5)


def test_loading_refuses_pickles_and_foreign_files(tmp_path):
    evil = tmp_path / "evil.npz"
    np.savez(evil, data=np.array([object()], dtype=object), indices=np.zeros(1),
             indptr=np.zeros(2), shape=np.array([1, 1]), words=np.zeros(1, np.uint8),
             header=np.array([{"format": "x"}], dtype=object))
    with pytest.raises(FormatError, match="pickle"):
        load_counts(evil)
    plain = tmp_path / "plain.npz"
    sp.save_npz(plain, sp.csr_matrix(np.eye(3)))
    with pytest.raises(FormatError, match="save_counts"):
        load_counts(plain)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(FormatError, match="single array"):
        load_counts(single)
    with pytest.raises(FormatError, match="does not exist"):
        load_counts(tmp_path / "missing.npz")
    broken = tmp_path / "broken.npz"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("junk.txt", "not numpy")
    broken.write_bytes(buf.getvalue()[:20])
    with pytest.raises(FormatError):
        load_counts(broken)


def test_save_counts_checks_labels(tmp_path):
    with pytest.raises(ValueError, match="does not match"):
        save_counts(tmp_path / "x.npz", sp.csr_matrix(np.eye(2)), ["a"])


def test_boundary_token_in_text_is_refused():
    with pytest.raises(VocabError, match="<START>"):
        PPMISVD(vector_size=1, window=1, min_count=1, boundaries=True).fit(
            [["<START>", "a", "b"]] * 3)


def test_unknown_option_is_refused():
    with pytest.raises(ConfigError, match="windw"):
        PPMISVD(windw=3)


# --- end to end ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_model():
    from wordvec import synthetic

    sentences = synthetic.generate_sentences(150_000, seed=0)
    model = PPMISVD(vector_size=40)  # the defaults: window 5, harmonic, sample 1e-3
    return model.fit(sentences), synthetic


def test_end_to_end_recovers_planted_analogies(synthetic_model):
    model, synthetic = synthetic_model
    wv = model.wv
    assert wv.vectors.dtype == np.float32 and wv.vectors.shape[1] == 40
    questions = [q for qs in synthetic.analogy_questions().values() for q in qs]
    right = sum(
        wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
        for a, b, c, d in questions[::7]
    )
    assert right / len(questions[::7]) > 0.5
    assert wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)[0][0] == "queen"


def test_end_to_end_pair_partners_are_near_each_other(synthetic_model):
    model, synthetic = synthetic_model
    wv = model.wv
    pairs = synthetic.planted_pairs()
    # king is closer to queen, paris to france, than to planted words of other families
    for family in ("royalty-gender", "capital-country"):
        others = [w for f, ps in pairs.items() if f != family for p in ps for w in p]
        for a, b in pairs[family]:
            closer = np.mean([wv.similarity(a, b) > wv.similarity(a, o) for o in others])
            assert closer > 0.9, (a, b, closer)
    assert set(model.timings) >= {"count", "ppmi", "svd"}


def test_a_corpus_given_to_the_constructor_is_fitted_at_once(tmp_path):
    sents = [["a", "b", "c"], ["a", "c", "d"], ["b", "d", "a"]] * 10
    kw = dict(vector_size=2, window=2, min_count=1, sample=0)
    expected = PPMISVD(**kw).fit(sents)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in sents) + "\n", encoding="utf-8")
    for model in (PPMISVD(sents, **kw), PPMISVD(sentences=sents, **kw),
                  PPMISVD(corpus_file=path, **kw)):
        np.testing.assert_array_equal(model.vectors, expected.vectors)
    assert PPMISVD(SVDConfig(**kw)).vectors is None
    with pytest.raises(ConfigError, match="corpus once"):
        PPMISVD(sents, corpus_file=path, **kw)
    with pytest.raises(ConfigError, match="SVDConfig"):
        PPMISVD(Word2VecConfig())
