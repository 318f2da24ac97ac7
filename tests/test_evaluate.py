"""Analogy and word-pair benchmarks: hand-checked counts and agreement with gensim."""

import json

import numpy as np
import pytest

from wordvec.errors import FormatError, VocabError
from wordvec.vectors.evaluate import (
    evaluate_analogies,
    evaluate_pairs,
    format_results,
    read_analogies,
)
from wordvec.vectors.keyed import WordVectors

# axes: person, female, royal, young.  "King" (a rarer casing of king) lies even
# closer to man:woman::king:? than queen does, so it tests the casing rule.
TOY = {
    "man": [1, 0, 0, 0],
    "woman": [1, 1, 0, 0],
    "king": [0, 0, 1, 0],
    "queen": [0, 1, 1, 0],
    "boy": [0, 0, 0, 1],
    "girl": [0, 1, 0, 1],
    "apple": [0, 0, 0, -1],
    "King": [0, 0.6, 1, 0],
    "rare": [0.5, 0.5, 0.5, 0.5],
}

QUESTIONS = """\
: family
man woman king queen
man woman boy girl
MAN WOMAN BOY GIRL
man woman king emperor
: gram1-toy
king queen boy girl
boy girl man apple
this line is malformed with six words

: gram2-rare
man woman boy rare
"""


def toy_wv():
    words = list(TOY)
    return WordVectors(words, np.array([TOY[w] for w in words], dtype=np.float32))


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


def test_hand_checked_counts(questions):
    r = evaluate_analogies(toy_wv(), questions, restrict_vocab=8)
    by_name = {s.name: s for s in r.sections}
    # family: three answered and right ("King" is passed over as a casing of "king");
    # "emperor" is unknown
    assert (by_name["family"].correct, by_name["family"].total, by_name["family"].oov) == (3, 3, 1)
    # boy:girl::man:? gives woman, not apple
    assert (by_name["gram1-toy"].correct, by_name["gram1-toy"].total) == (1, 2)
    # "rare" is outside the 8 most frequent words: skipped
    assert (by_name["gram2-rare"].total, by_name["gram2-rare"].oov) == (0, 1)
    assert (r.semantic.correct, r.semantic.total) == (3, 3)
    assert (r.syntactic.correct, r.syntactic.total, r.syntactic.oov) == (1, 2, 1)
    assert (r.total.correct, r.total.total) == (4, 5)
    assert r.accuracy == pytest.approx(0.8)
    assert (r.n_questions, r.oov, r.skipped_lines) == (7, 2, 1)
    assert r.oov_percent == pytest.approx(200 / 7)


def test_case_sensitive_mode(questions):
    r = evaluate_analogies(toy_wv(), questions, restrict_vocab=8, case_insensitive=False)
    family = r.sections[0]
    # upper-case question is unknown; King is now a different word and wins -> wrong
    assert (family.correct, family.total, family.oov) == (1, 2, 2)


def test_dummy4unknown_counts_unknown_questions_as_wrong(questions):
    r = evaluate_analogies(toy_wv(), questions, restrict_vocab=8, dummy4unknown=True)
    assert (r.total.correct, r.total.total) == (4, 7)


def reference_accuracy(wv, sections, restrict, method):
    """Straightforward per-question loop over the documented rules (no batching)."""
    ok = {}
    for i, w in enumerate(wv.index_to_key[:restrict]):
        ok.setdefault(w.upper(), i)
    fn = wv.most_similar if method == "3cosadd" else wv.most_similar_cosmul
    out = []
    for _, qs in sections:
        correct = total = 0
        for q in qs:
            up = [w.upper() for w in q]
            if any(w not in ok for w in up):
                continue
            a, b, c, d = (wv.index_to_key[ok[w]] for w in up)
            total += 1
            sims = fn(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict)
            pred = None
            for word, _ in sims:
                pred = word.upper()
                if pred not in up[:3]:
                    break
            correct += pred == up[3]
        out.append((correct, total))
    return out


def structured_wv(sections, n_filler=300, dim=20, seed=0):
    """Vectors for the question words where b = a + section offset + noise."""
    rng = np.random.default_rng(seed)
    words = []
    for _, qs in sections:
        for q in qs:
            for w in q:
                for v in (w.lower(), w):
                    if v not in words:
                        words.append(v)
    words += [f"filler{i}" for i in range(n_filler)]
    order = rng.permutation(len(words))
    words = [words[i] for i in order]
    vecs = rng.standard_normal((len(words), dim)).astype(np.float32)
    index = {w: i for i, w in enumerate(words)}
    for _, qs in sections:
        offset = 2 * rng.standard_normal(dim)
        for q in qs:
            a, b = index[q[0].lower()], index[q[1].lower()]
            vecs[b] = vecs[a] + offset + 0.4 * rng.standard_normal(dim)
    return WordVectors(words, vecs)


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_batched_evaluation_equals_a_plain_loop(method):
    sections = []
    for s in range(4):
        pairs = [(f"a{s}_{k}", f"b{s}_{k}") for k in range(8)]
        qs = [(*p, *q) for p in pairs for q in pairs if p != q]
        sections.append((f"gram{s}" if s % 2 else f"sem{s}", qs))
    wv = structured_wv(sections, n_filler=5000, dim=16)  # wide: the threshold top-k path
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.txt"
        path.write_text("".join(f": {name}\n" + "".join(" ".join(q) + "\n" for q in qs)
                                for name, qs in sections))
        r = evaluate_analogies(wv, path, restrict_vocab=4500, method=method)
    expected = reference_accuracy(wv, sections, 4500, method)
    assert [(s.correct, s.total) for s in r.sections] == expected
    assert 0 < r.total.correct < r.total.total  # right and wrong answers both occur


def gensim_kv(wv):
    from gensim import models  # `make test` installs gensim: its absence fails

    kv = models.KeyedVectors(wv.vector_size)
    kv.add_vectors(wv.index_to_key, wv.vectors)
    return kv


def gensim_counts(sections):
    return [(s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
            for s in sections]


@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy", [False, True])
def test_toy_equals_gensim(questions, case_insensitive, dummy):
    wv = toy_wv()
    kv = gensim_kv(wv)
    score, sections = kv.evaluate_word_analogies(
        str(questions), restrict_vocab=8, case_insensitive=case_insensitive, dummy4unknown=dummy
    )
    r = evaluate_analogies(wv, questions, restrict_vocab=8, case_insensitive=case_insensitive,
                           dummy4unknown=dummy)
    ours = [(s.name, s.correct, s.total) for s in r.sections]
    ours.append(("Total accuracy", r.total.correct, r.total.total))
    assert ours == gensim_counts(sections)
    assert r.accuracy == score


@pytest.mark.shared
def test_google_questions_equal_gensim(shared_data):
    path = shared_data / "eval" / "analogy" / "questions-words.txt"
    sections, skipped = read_analogies(path)
    assert sum(len(q) for _, q in sections) == 19544 and len(sections) == 14 and skipped == 0
    wv = structured_wv(sections, n_filler=400, dim=32, seed=3)
    kv = gensim_kv(wv)
    for restrict, ci in [(1500, True), (None, False)]:
        score, gs = kv.evaluate_word_analogies(
            str(path), restrict_vocab=restrict or len(wv), case_insensitive=ci
        )
        r = evaluate_analogies(wv, path, restrict_vocab=restrict, case_insensitive=ci)
        ours = [(s.name, s.correct, s.total) for s in r.sections]
        ours.append(("Total accuracy", r.total.correct, r.total.total))
        assert ours == gensim_counts(gs)
        assert r.accuracy == score and 0.05 < score < 0.95  # a test with something at stake
        names = [s.name for s in r.sections]
        assert r.semantic.total == sum(s.total for s in r.sections[:5])
        assert all(n.startswith("gram") for n in names[5:])


def test_bad_analogy_file_is_reported(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("a b c d\n: sec\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 1: a question before any ': section'"):
        evaluate_analogies(toy_wv(), path)
    with pytest.raises(FormatError, match="no such analogy file"):
        evaluate_analogies(toy_wv(), tmp_path / "missing.txt")


# ---------------------------------------------------------------- word pairs
PAIRS = (
    "# a comment line\r\n"
    "# Word 1\tWord 2\tHuman (mean)\r\n"
    "one\ttwo\t9.0\r\n"
    "one\tthree\t7.5\r\n"
    "ONE\tfour\t5.0\r\n"
    "one\tfive\t1.0\r\n"
    "one\tunknown\t3.0\r\n"
    "not a valid line\r\n"
)


def angle_wv():
    # cosine with "one" falls as the angle grows: two > three > four > five
    angles = {"one": 0.0, "two": 0.2, "three": 0.5, "four": 1.1, "five": 2.5}
    words = list(angles)
    vecs = np.array([[np.cos(a), np.sin(a), 0.0] for a in angles.values()], dtype=np.float32)
    return WordVectors(words, vecs)


def test_pairs_hand_checked(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_bytes(PAIRS.encode())
    r = evaluate_pairs(angle_wv(), path)
    assert r.spearman == pytest.approx(1.0)
    gold = [9.0, 7.5, 5.0, 1.0]
    cos = [np.cos(0.2), np.cos(0.5), np.cos(1.1), np.cos(2.5)]
    assert r.pearson == pytest.approx(np.corrcoef(gold, cos)[0, 1], abs=1e-6)
    assert (r.n_pairs, r.used, r.oov, r.skipped_lines) == (5, 4, 1, 1)
    assert r.oov_percent == pytest.approx(20.0)
    strict = evaluate_pairs(angle_wv(), path, case_insensitive=False)
    assert strict.oov == 2  # "ONE" is not "one" any more


@pytest.mark.parametrize("dummy", [False, True])
def test_pairs_equal_gensim(tmp_path, dummy):
    path = tmp_path / "pairs.txt"
    path.write_bytes(PAIRS.encode())
    wv = angle_wv()
    kv = gensim_kv(wv)
    pearson, spearman, oov = kv.evaluate_word_pairs(str(path), dummy4unknown=dummy)
    r = evaluate_pairs(wv, path, dummy4unknown=dummy)
    assert r.pearson == pytest.approx(pearson[0], abs=1e-12)
    assert r.spearman == pytest.approx(spearman[0], abs=1e-12)
    assert r.oov_percent == pytest.approx(oov)


@pytest.mark.shared
def test_published_similarity_sets_equal_gensim(shared_data):
    folder = shared_data / "eval" / "similarity"
    files = ["EN-WS-353-ALL.txt", "gensim-wordsim353.tsv", "EN-SIMLEX-999.txt", "EN-RG-65.txt"]
    words = set()
    for name in files:
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                words.update(w.lower() for w in line.split("\t")[:2])
    rng = np.random.default_rng(5)
    vocab = sorted(words)
    rng.shuffle(vocab)
    vocab = vocab[: int(len(vocab) * 0.9)]  # leave some pairs out of vocabulary
    wv = WordVectors(vocab, rng.standard_normal((len(vocab), 25)).astype(np.float32))
    kv = gensim_kv(wv)
    unknown = 0
    for name in files:
        pearson, spearman, oov = kv.evaluate_word_pairs(str(folder / name))
        r = evaluate_pairs(wv, folder / name)
        assert r.pearson == pytest.approx(pearson[0], abs=1e-9), name
        assert r.spearman == pytest.approx(spearman[0], abs=1e-9), name
        assert r.oov_percent == pytest.approx(oov), name
        assert r.used > 20
        unknown += r.oov
    assert unknown > 0


def test_pairs_errors(tmp_path):
    path = tmp_path / "spaces.txt"
    path.write_text("one two 3.0\none three 2.0\none five 1.0\n", encoding="utf-8")
    with pytest.raises(FormatError, match="delimiter"):
        evaluate_pairs(angle_wv(), path)
    assert evaluate_pairs(angle_wv(), path, delimiter=" ").spearman == pytest.approx(1.0)
    path.write_text("zzz\tyyy\t3.0\n", encoding="utf-8")
    with pytest.raises(VocabError, match="none of the 1 pairs"):
        evaluate_pairs(angle_wv(), path)


# ---------------------------------------------------------------- reporting
def test_results_serialise_and_print(questions, tmp_path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_bytes(PAIRS.encode())
    results = [evaluate_analogies(toy_wv(), questions, restrict_vocab=8),
               evaluate_pairs(angle_wv(), pairs)]
    data = json.loads(json.dumps([r.to_dict() for r in results]))
    assert data[0]["kind"] == "analogies" and data[0]["total"]["correct"] == 4
    assert data[0]["sections"][0]["name"] == "family"
    assert data[1]["kind"] == "pairs" and data[1]["spearman"] == pytest.approx(1.0)
    text = format_results(results)
    for needle in ("family", "gram1-toy", "semantic", "syntactic", "total", "80.00%",
                   "pairs.txt", "Spearman", "1.0000"):
        assert needle in text
