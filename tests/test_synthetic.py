"""The built-in synthetic corpus: deterministic, the requested size, and learnable.

Learnability is checked without the word2vec engine: a PPMI matrix of window
co-occurrences, factorised with numpy's SVD, must already solve most planted
analogies with 3CosAdd, while the same tokens shuffled must not.
"""

from collections import Counter

import numpy as np
import pytest

from wordvec import synthetic
from wordvec.errors import ConfigError

WINDOW = 5


@pytest.fixture(scope="module")
def corpus():
    return synthetic.generate_sentences()  # the default: ~300,000 words, seed 0


@pytest.fixture(scope="module")
def counts(corpus):
    return Counter(w for s in corpus for w in s)


def _encode(sentences):
    vocab: dict[str, int] = {}
    ids = np.array([vocab.setdefault(w, len(vocab)) for s in sentences for w in s])
    sentence_of = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    return list(vocab), ids, sentence_of


def _cooccurrence(sentences, window=WINDOW):
    """Symmetric window co-occurrence counts, weighted like word2vec's shrunk window."""
    words, ids, sentence_of = _encode(sentences)
    v = len(words)
    m = np.zeros(v * v)
    for k in range(1, window + 1):
        same = sentence_of[:-k] == sentence_of[k:]
        a, b = ids[:-k][same], ids[k:][same]
        weight = (window - k + 1) / window
        m += weight * np.bincount(a * v + b, minlength=v * v)
        m += weight * np.bincount(b * v + a, minlength=v * v)
    return words, m.reshape(v, v)


def _ppmi_svd(m, dim=50):
    total = m.sum()
    p_word = m.sum(axis=1) / total
    p_ctx = m.sum(axis=0) ** 0.75
    p_ctx /= p_ctx.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(m / total) - np.log(p_word)[:, None] - np.log(p_ctx)[None, :]
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    u, s, _ = np.linalg.svd(ppmi, full_matrices=False)
    return u[:, :dim] * np.sqrt(s[:dim])


def _3cosadd_accuracy(words, vectors, questions):
    index = {w: i for i, w in enumerate(words)}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    correct = 0
    for a, b, c, d in questions:
        sims = unit @ (unit[index[b]] - unit[index[a]] + unit[index[c]])
        sims[[index[a], index[b], index[c]]] = -np.inf
        correct += words[int(np.argmax(sims))] == d
    return correct / len(questions)


def test_same_seed_same_corpus_other_seed_other_corpus():
    first = synthetic.generate_sentences(20_000, seed=7)
    assert synthetic.generate_sentences(20_000, seed=7) == first
    assert synthetic.generate_sentences(20_000, seed=8) != first


@pytest.mark.parametrize("n_words", [1_000, 50_000])
def test_corpus_has_requested_size(n_words):
    total = sum(map(len, synthetic.generate_sentences(n_words, seed=3)))
    assert n_words <= total <= n_words * 1.03


def test_default_corpus_is_about_300k_words(corpus):
    assert 300_000 <= sum(map(len, corpus)) <= 309_000


def test_text_looks_like_language(corpus, counts):
    # lower-case alphabetic tokens, sentences of sensible length
    assert all(w.isalpha() and w.islower() for w in counts)
    lengths = [len(s) for s in corpus]
    assert 6 <= np.mean(lengths) <= 20 and max(lengths) <= 40
    # a few hundred distinct words with a Zipf-like rank/frequency curve
    assert 400 <= len(counts) <= 5_000
    freqs = np.array(sorted(counts.values(), reverse=True), dtype=float)
    ranks = np.arange(1, len(freqs) + 1)
    slope = np.polyfit(np.log(ranks[:300]), np.log(freqs[:300]), 1)[0]
    assert -1.4 < slope < -0.6
    assert counts.most_common(1)[0][0] == "the"


def test_every_planted_word_is_frequent_and_in_many_sentences(corpus, counts):
    sentences_with = Counter(w for s in corpus for w in set(s))
    for word in synthetic.planted_words():
        assert counts[word] >= 80, word
        assert sentences_with[word] >= 60, word
    for side, markers in synthetic.marker_words().items():
        for word in markers:
            assert counts[word] >= 50, (side, word)


def test_demo_words_and_analogies_are_planted(counts):
    planted = set(synthetic.planted_words())
    assert set(synthetic.demo_words()) <= planted
    questions = {q for qs in synthetic.analogy_questions().values() for q in qs}
    for question in synthetic.DEMO_ANALOGIES:
        assert question in questions


def test_analogy_questions_pair_up_every_pair_of_a_section():
    pairs = synthetic.planted_pairs()
    questions = synthetic.analogy_questions()
    assert tuple(questions) == synthetic.SECTIONS
    for section, qs in questions.items():
        n = len(pairs[section])
        assert n >= 12
        assert len(qs) == len(set(qs)) == n * (n - 1)
        assert all((a, b) in pairs[section] and (c, d) in pairs[section] for a, b, c, d in qs)
        assert all((a, b) != (c, d) for a, b, c, d in qs)
    assert ("king", "queen", "man", "woman") in questions["royalty-gender"]
    assert ("paris", "france", "berlin", "germany") in questions["capital-country"]


def test_analogy_file_is_in_google_format(tmp_path):
    path = synthetic.write_analogies(tmp_path / "questions.txt")
    sections: dict[str, list[tuple[str, ...]]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            current = line[1:].strip()
            sections[current] = []
        else:
            words = tuple(line.split())
            assert len(words) == 4, line
            sections[current].append(words)
    assert sections == synthetic.analogy_questions()


def test_write_corpus_one_sentence_per_line(tmp_path):
    path = synthetic.write_corpus(tmp_path / "corpus.txt", n_words=5_000, seed=2)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.split() for line in lines] == synthetic.generate_sentences(5_000, seed=2)
    assert all(line == line.lower() == " ".join(line.split()) for line in lines)


@pytest.mark.parametrize("n_words", [0, -5, 1.5, "1000", True])
def test_bad_size_is_a_config_error(n_words):
    with pytest.raises(ConfigError, match="n_words"):
        synthetic.generate_sentences(n_words)


def test_plain_cooccurrence_separates_the_sides_of_every_pair(corpus):
    # Raw window counts, no weighting: the first word of each pair must see
    # more of its side's markers than its partner does, and fewer of the other
    # side's (king sees 'he'/'his' more than queen does, queen 'she'/'her').
    words, m = _cooccurrence(corpus)
    index = {w: i for i, w in enumerate(words)}
    share = m / m.sum(axis=1, keepdims=True)
    markers = synthetic.marker_words()
    sides = {
        "royalty-gender": ("male", "female"),
        "capital-country": ("city", "country"),
        "plural": ("singular", "plural"),
        "past-tense": ("present", "past"),
    }
    for section, pairs in synthetic.planted_pairs().items():
        first_side = [index[w] for w in markers[sides[section][0]]]
        second_side = [index[w] for w in markers[sides[section][1]]]
        for first, second in pairs:
            i, j = index[first], index[second]
            assert share[i, first_side].sum() > 2 * share[j, first_side].sum(), (first, second)
            assert share[j, second_side].sum() > 2 * share[i, second_side].sum(), (first, second)
    # and the partners share their topic: king and queen both see 'throne'
    assert m[index["king"], index["throne"]] > 0 and m[index["queen"], index["throne"]] > 0


def test_svd_of_cooccurrences_recovers_the_planted_analogies(corpus):
    words, m = _cooccurrence(corpus)
    vectors = _ppmi_svd(m, dim=50)
    accuracy = {
        section: _3cosadd_accuracy(words, vectors, qs)
        for section, qs in synthetic.analogy_questions().items()
    }
    assert all(acc >= 0.7 for acc in accuracy.values()), accuracy


def test_shuffled_tokens_lose_the_analogies(corpus):
    # Negative control: the same words in random order carry no regularity,
    # so the SVD check above really measures the planted structure.
    rng = np.random.default_rng(0)
    tokens = [w for s in corpus for w in s]
    order = rng.permutation(len(tokens))
    shuffled = [[tokens[k] for k in order[i : i + 10]] for i in range(0, len(tokens), 10)]
    words, m = _cooccurrence(shuffled)
    vectors = _ppmi_svd(m, dim=50)
    questions = [q for qs in synthetic.analogy_questions().values() for q in qs]
    assert _3cosadd_accuracy(words, vectors, questions) < 0.2
