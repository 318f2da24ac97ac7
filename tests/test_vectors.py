"""WordVectors: lookups, nearest neighbours, analogies, and agreement with gensim."""

import numpy as np
import pytest

from wordvec.errors import ConfigError, VocabError, WordvecError
from wordvec.vectors.keyed import WordVectors, top_indices, top_indices_rows


def random_wv(n=500, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n)]
    return WordVectors(words, rng.standard_normal((n, dim)).astype(np.float32))


def brute_cosines(vectors, query):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit @ (query / np.linalg.norm(query))


def royal_wv():
    # axes: royalty, gender, person, fruit, youth
    words = ["king", "queen", "man", "woman", "apple", "prince", "princess"]
    vecs = np.array(
        [
            [3, 1, 1, 0, 0],
            [3, -1, 1, 0, 0],
            [0, 1, 1, 0, 0],
            [0, -1, 1, 0, 0],
            [0, 0, 0, 3, 0],
            [2, 1, 0.5, 0, 2],
            [2, -1, 0.5, 0, 2],
        ],
        dtype=np.float32,
    )
    return WordVectors(words, vecs, counts=np.arange(7, 0, -1))


# ---------------------------------------------------------------- construction and lookup
def test_storage_is_float32_c_contiguous_and_rows_follow_words():
    vecs = np.asfortranarray(np.arange(12, dtype=np.float64).reshape(4, 3))
    wv = WordVectors(["a", "b", "c", "d"], vecs)
    assert wv.vectors.dtype == np.float32 and wv.vectors.flags.c_contiguous
    assert wv.vector_size == 3 and len(wv) == 4
    np.testing.assert_array_equal(wv["c"], [6, 7, 8])
    assert wv[["d", "a"]].shape == (2, 3)
    np.testing.assert_array_equal(wv[["d", "a"]][0], [9, 10, 11])
    assert wv.key_to_index["b"] == 1 and wv.index_to_key[3] == "d" and wv.words == wv.index_to_key
    assert "a" in wv and "z" not in wv
    assert list(wv) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(wv[2], wv["c"])  # integer keys are rows, as in gensim


def test_constructor_rejects_inconsistent_input():
    with pytest.raises(ValueError, match="one row per word"):
        WordVectors(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(VocabError, match="'a' appears twice"):
        WordVectors(["a", "b", "a"], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="counts"):
        WordVectors(["a"], np.zeros((1, 2)), counts=[1, 2])


def test_returned_vector_cannot_be_modified_by_accident():
    wv = random_wv(5)
    v = wv["w1"]
    with pytest.raises(ValueError):
        v[0] = 1.0
    n = wv.get_vector("w1", norm=True)
    assert np.isclose(np.linalg.norm(n), 1.0, atol=1e-6)


def test_unknown_word_names_it_and_suggests_spellings():
    wv = royal_wv()
    with pytest.raises(KeyError) as err:
        wv["quen"]
    msg = str(err.value)
    assert "'quen'" in msg and "queen" in msg
    assert isinstance(err.value, WordvecError)  # the CLI can print it without a traceback
    with pytest.raises(KeyError, match="did you mean 'king'"):
        wv.most_similar("King")
    with pytest.raises(KeyError, match="out of range"):
        wv[99]
    assert wv.get_index("nope", default=-1) == -1


def test_counts_are_available_gensim_style():
    wv = royal_wv()
    assert wv.get_vecattr("queen", "count") == 6


# ---------------------------------------------------------------- nearest neighbours
def test_most_similar_matches_brute_force_and_excludes_the_query():
    wv = random_wv(800, 20, seed=1)
    got = wv.most_similar("w7", topn=15)
    sims = brute_cosines(wv.vectors, wv.vectors[7])
    sims[7] = -np.inf
    expected = np.argsort(-sims)[:15]
    assert [w for w, _ in got] == [f"w{i}" for i in expected]
    np.testing.assert_allclose([s for _, s in got], sims[expected], rtol=1e-5)
    assert all(isinstance(s, float) for _, s in got)


def test_positive_negative_weights_and_vectors():
    wv = random_wv(300, 12, seed=2)
    unit = wv.get_normed_vectors()
    q = unit[3] + unit[4] - unit[5]
    got = wv.most_similar(positive=["w3", "w4"], negative=["w5"], topn=5)
    sims = brute_cosines(wv.vectors, q)
    sims[[3, 4, 5]] = -np.inf
    assert [w for w, _ in got] == [f"w{i}" for i in np.argsort(-sims)[:5]]
    # weighted terms and raw vectors; a vector is not excluded from the results
    q2 = 2 * unit[3] - 0.5 * unit[8] + wv.vectors[9]
    got2 = wv.most_similar(positive=[("w3", 2.0), wv.vectors[9]], negative=[("w8", -0.5)], topn=4)
    sims2 = brute_cosines(wv.vectors, q2)
    sims2[[3, 8]] = -np.inf
    assert [w for w, _ in got2] == [f"w{i}" for i in np.argsort(-sims2)[:4]]


def test_topn_none_returns_all_similarities_and_restrict_vocab_limits_candidates():
    wv = random_wv(400, 10, seed=3)
    allsims = wv.most_similar("w0", topn=None)
    assert isinstance(allsims, np.ndarray) and allsims.shape == (400,)
    assert np.isclose(allsims[0], 1.0, atol=1e-6)
    limited = wv.most_similar("w0", topn=10, restrict_vocab=50)
    assert all(int(w[1:]) < 50 for w, _ in limited)
    assert wv.most_similar("w0", topn=None, restrict_vocab=50).shape == (50,)
    assert wv.most_similar("w0", topn=0) == []
    with pytest.raises(ConfigError):
        wv.most_similar()


def test_analogy_recovers_queen():
    wv = royal_wv()
    assert wv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"
    assert wv.analogy("man", "king", "woman", topn=1)[0][0] == "queen"
    assert wv.most_similar_cosmul(positive=["king", "woman"], negative=["man"])[0][0] == "queen"
    assert wv.analogy("man", "king", "woman", method="3cosmul", topn=1)[0][0] == "queen"
    assert wv.doesnt_match(["king", "queen", "apple", "prince"]) == "apple"


def test_cosmul_follows_levy_goldberg_formula():
    wv = random_wv(200, 8, seed=4)
    cos = lambda i: brute_cosines(wv.vectors, wv.vectors[i])  # noqa: E731
    expected = ((1 + cos(1)) / 2) * ((1 + cos(2)) / 2) / ((1 + cos(3)) / 2 + 1e-6)
    got = wv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=None)
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    top = wv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=3)
    expected[[1, 2, 3]] = -np.inf
    assert [w for w, _ in top] == [f"w{i}" for i in np.argsort(-expected)[:3]]


def test_pairwise_similarities():
    wv = royal_wv()
    a, b = wv["king"], wv["queen"]
    cos = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert wv.similarity("king", "queen") == pytest.approx(cos, abs=1e-6)
    assert wv.distance("king", "queen") == pytest.approx(1 - cos, abs=1e-6)
    d = wv.distances("king", ["queen", "apple"])
    assert d.shape == (2,) and d[0] == pytest.approx(1 - cos, abs=1e-6)
    assert wv.distances("king").shape == (len(wv),)
    m1 = wv[["king", "man"]].mean(axis=0)
    m2 = wv[["queen"]].mean(axis=0)
    assert wv.n_similarity(["king", "man"], ["queen"]) == pytest.approx(
        float(m1 @ m2 / np.linalg.norm(m1) / np.linalg.norm(m2)), abs=1e-6
    )
    closer = wv.closer_than("king", "queen")
    assert "king" not in closer and "queen" not in closer
    assert wv.rank("king", "queen") == len(closer) + 1
    assert wv.rank("king", wv.similar_by_word("king", topn=1)[0][0]) == 1
    assert wv.similar_by_vector(wv["apple"], topn=1)[0][0] == "apple"


def test_zero_vector_scores_zero_not_nan():
    wv = WordVectors(["a", "b", "zero"], np.array([[1, 0], [0.6, 0.8], [0, 0]], np.float32))
    sims = wv.most_similar("a", topn=None)
    assert np.all(np.isfinite(sims)) and sims[2] == 0
    assert [w for w, _ in wv.most_similar("a", topn=2)] == ["b", "zero"]


def test_norm_cache_is_reset_when_vectors_are_replaced():
    wv = random_wv(50, 4, seed=5)
    before = wv.most_similar("w0", topn=3)
    wv.vectors = -wv.vectors[::-1].copy()
    after = wv.most_similar("w0", topn=3)
    sims = brute_cosines(wv.vectors, wv.vectors[0])
    sims[0] = -np.inf
    assert [w for w, _ in after] == [f"w{i}" for i in np.argsort(-sims)[:3]]
    assert before != after
    # in-place edits need an explicit refresh, which then takes effect
    wv.vectors[1] *= 100
    wv.fill_norms(force=True)
    assert np.isclose(wv.norms[1], np.linalg.norm(wv.vectors[1]))


# ---------------------------------------------------------------- batched search
def test_batch_equals_one_at_a_time_on_a_large_vocabulary():
    wv = random_wv(6000, 16, seed=6)  # wide enough for the threshold top-k path
    rng = np.random.default_rng(0)
    pos = [[f"w{i}", f"w{j}"] for i, j in rng.integers(0, 6000, (40, 2))]
    neg = [[f"w{i}"] for i in rng.integers(0, 6000, 40)]
    batch = wv.most_similar_batch(pos, neg, topn=7)
    single = [
        wv.most_similar(positive=p, negative=n, topn=7) for p, n in zip(pos, neg, strict=True)
    ]
    assert [[w for w, _ in r] for r in batch] == [[w for w, _ in r] for r in single]
    np.testing.assert_allclose(
        [s for r in batch for _, s in r], [s for r in single for _, s in r], atol=1e-5
    )
    cosmul = wv.most_similar_batch(pos[:3], neg[:3], topn=3, method="3cosmul")
    assert cosmul[0] == wv.most_similar_cosmul(pos[0], neg[0], topn=3)


def test_search_excludes_rows_and_respects_restrict_vocab():
    wv = random_wv(300, 8, seed=7)
    q = wv.get_normed_vectors()[:4]
    idx, val = wv.search(q, topn=3, exclude=np.array([[0], [1], [-1], [3]]), restrict_vocab=100)
    assert idx.shape == (4, 3) and (idx < 100).all()
    assert idx[0, 0] != 0 and idx[1, 0] != 1 and idx[2, 0] == 2 and idx[3, 0] != 3
    assert np.all(np.diff(val, axis=1) <= 0)


@pytest.mark.parametrize("n", [1000, 300_000])
def test_top_indices_equals_full_sort(n):
    rng = np.random.default_rng(n)
    scores = rng.standard_normal(n).astype(np.float32)
    scores[5] = scores[6] = scores.max() + 1  # a tie: the lower index comes first
    got = top_indices(scores, 20)
    expected = np.lexsort((np.arange(n), -scores))[:20]
    np.testing.assert_array_equal(got, expected)


def test_top_rows_threshold_path_is_exact_with_exclusions_and_ties():
    rng = np.random.default_rng(9)
    scores = rng.standard_normal((50, 8000)).astype(np.float32)
    scores[:, 100] = 9.0
    scores[:, 50] = 9.0  # tie with column 100
    scores[3, 50] = -np.inf
    idx, val = top_indices_rows(scores.copy(), 6)
    for r in range(50):
        expected = np.lexsort((np.arange(8000), -scores[r]))[:6]
        np.testing.assert_array_equal(idx[r], expected)
        np.testing.assert_array_equal(val[r], scores[r, expected])


# ---------------------------------------------------------------- gensim agreement
@pytest.fixture
def pair():
    from gensim import models as gensim_models  # installed by `make test`: never skipped

    wv = random_wv(3000, 24, seed=11)
    kv = gensim_models.KeyedVectors(24)
    kv.add_vectors(wv.index_to_key, wv.vectors)
    return wv, kv


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_queries_agree_with_gensim(pair):
    wv, kv = pair
    cases = [
        dict(positive=["w1", "w2"], negative=["w3"]),
        dict(positive="w10", topn=20),
        dict(positive=[("w4", 2.5), wv.vectors[77]], negative=[("w8", -0.5)]),
        dict(negative=["w9"], restrict_vocab=500),
    ]
    for kwargs in cases:
        ours, theirs = wv.most_similar(**kwargs), kv.most_similar(**kwargs)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-6)
    np.testing.assert_allclose(wv.most_similar("w5", topn=None), kv.most_similar("w5", topn=None),
                               atol=1e-6)
    ours = wv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"])
    theirs = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"])
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)


def test_pairwise_measures_agree_with_gensim(pair):
    wv, kv = pair
    assert wv.similarity("w1", "w2") == pytest.approx(float(kv.similarity("w1", "w2")), abs=1e-7)
    assert wv.n_similarity(["w1", "w5"], ["w2"]) == pytest.approx(
        float(kv.n_similarity(["w1", "w5"], ["w2"])), abs=1e-6
    )
    np.testing.assert_allclose(wv.distances("w3"), kv.distances("w3"), atol=1e-6)
    np.testing.assert_allclose(wv.distances("w3", ["w4", "w5"]), kv.distances("w3", ["w4", "w5"]),
                               atol=1e-6)
    assert wv.closer_than("w1", "w2") == kv.closer_than("w1", "w2")
    assert wv.rank("w1", "w2") == kv.rank("w1", "w2")
    group = ["w1", "w2", "w3", "w4", "w5"]
    assert wv.doesnt_match(group) == kv.doesnt_match(group)
    np.testing.assert_allclose(wv.get_normed_vectors(), kv.get_normed_vectors(), atol=1e-7)
    np.testing.assert_allclose(wv.norms, kv.norms, rtol=1e-6)
