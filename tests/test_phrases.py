"""Phrases: word2phrase / gensim 4 scores, connector words, passes, pruning, the CLI."""

import math
import random
import tracemalloc

import numpy as np
import pytest

from wordvec import cli
from wordvec.errors import ConfigError
from wordvec.text.encoded import encode_corpus
from wordvec.text.phrases import (
    ENGLISH_CONNECTOR_WORDS,
    FrozenPhrases,
    Phrases,
    learn_phrases,
    write_phrased,
)

TOY = [["a", "b", "c"], ["a", "b"], ["a", "b", "d"], ["c", "d"]]


def test_default_score_is_the_formula_on_a_hand_counted_corpus():
    ph = Phrases(TOY, min_count=1, threshold=1e-9)
    # words a3 b3 c2 d2; pairs ab 3, bc 1, bd 1, cd 1 -> N = 4 words + 4 pairs
    assert ph.vocab == {"a": 3, "b": 3, "c": 2, "d": 2,
                        "a_b": 3, "b_c": 1, "b_d": 1, "c_d": 1}
    assert ph.len_vocab == 8
    assert ph.export_phrases() == {"a_b": pytest.approx((3 - 1) / (3 * 3) * 8, rel=1e-15)}
    # min_count enters the score: (3 - 2) / 9 * 8, and pairs seen once score < 0
    ph2 = Phrases(TOY, min_count=2, threshold=1e-9)
    assert ph2.export_phrases() == {"a_b": pytest.approx(8 / 9, rel=1e-15)}
    # the score must be *above* the threshold
    assert Phrases(TOY, min_count=2, threshold=8 / 9).export_phrases() == {}


def test_npmi_score_is_the_formula_on_a_hand_counted_corpus():
    ph = Phrases(TOY, min_count=1, threshold=-0.99, scoring="npmi")
    n = 10  # tokens

    def npmi(ab, a, b):
        return math.log((ab / n) / ((a / n) * (b / n))) / -math.log(ab / n)

    want = {"a_b": npmi(3, 3, 3), "b_c": npmi(1, 3, 2), "b_d": npmi(1, 3, 2),
            "c_d": npmi(1, 2, 2)}
    got = ph.export_phrases()
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-12)
    assert got["a_b"] == pytest.approx(1.0)
    # below min_count a pair never scores: npmi gives it -inf
    assert set(Phrases(TOY, min_count=2, threshold=-0.99, scoring="npmi").export_phrases()) \
        == {"a_b"}


def planted_corpus(n_sentences=1500, seed=0):
    """Zipf-ish words with planted phrases and English connector words."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]
    plants = [["new", "york"], ["bank", "of", "america"], ["los", "angeles", "lakers"],
              ["los", "angeles"], ["lord", "of", "the", "rings"], ["the", "new", "car"]]
    conn = sorted(ENGLISH_CONNECTOR_WORDS)
    out = []
    for _ in range(n_sentences):
        s = []
        for _ in range(rng.randint(3, 25)):
            r = rng.random()
            if r < 0.08:
                s.extend(rng.choice(plants))
            elif r < 0.25:
                s.append(rng.choice(conn))
            else:
                s.append(rng.choices(words, weights)[0])
        out.append(s)
    return out


@pytest.mark.parametrize("scoring,threshold", [("default", 10.0), ("default", 1.0),
                                               ("npmi", 0.3), ("npmi", -0.5)])
@pytest.mark.parametrize("connectors", [False, True])
def test_same_phrasegrams_and_output_as_gensim(scoring, threshold, connectors):
    gp = pytest.importorskip("gensim.models.phrases")
    corpus = planted_corpus()
    conn = ENGLISH_CONNECTOR_WORDS if connectors else frozenset()
    kw = dict(min_count=3, threshold=threshold, scoring=scoring, connector_words=conn)
    theirs = gp.Phrases(corpus, **kw)
    ours = Phrases(corpus, **kw)
    assert ours.vocab == dict(theirs.vocab)
    assert ours.corpus_word_count == theirs.corpus_word_count
    want = theirs.export_phrases()
    got = ours.export_phrases()
    assert got.keys() == want.keys() and len(got) > 3
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-12, abs=1e-12)
    frozen = ours.freeze()
    assert isinstance(frozen, FrozenPhrases) and frozen.phrasegrams == got
    gfrozen = theirs.freeze()
    assert [frozen[s] for s in corpus] == [gfrozen[s] for s in corpus]
    # the compiled merge (learn_phrases) writes the same sentences
    fast = learn_phrases(corpus, passes=1, **kw)
    assert list(fast) == [gfrozen[s] for s in corpus]
    # and a second pass equals gensim's Phrases over the first pass's output (not
    # frozen: gensim's export_phrases splits 'lord_of' + 'the_rings' at every '_' and
    # loses such phrases; its Phrases[...] scores them right)
    fast2 = learn_phrases(corpus, passes=2, **kw)
    once = [gfrozen[s] for s in corpus]
    second = gp.Phrases(once, **kw)
    assert list(fast2) == [second[s] for s in once]


def test_connector_words_inside_a_phrase_never_at_its_ends():
    corpus = [["bank", "of", "america", "x"]] * 20 + [["of", "y"], ["z", "of"]] * 5
    ph = Phrases(corpus, min_count=1, threshold=0.1, connector_words=ENGLISH_CONNECTOR_WORDS)
    assert "of" not in ph.vocab  # connectors are not counted as words
    assert "bank_of_america" in ph.export_phrases()
    assert ph[["bank", "of", "america"]] == ["bank_of_america"]
    assert ph[["of", "bank", "of", "america", "of"]] == ["of", "bank_of_america", "of"]
    assert not any(p.startswith("of_") or p.endswith("_of") for p in ph.vocab)
    # without connector words "of" is a word: bank_of and of_america are pairs
    plain = Phrases(corpus, min_count=1, threshold=0.1)
    assert plain.vocab["of"] == 30 and "bank_of_america" not in plain.vocab


def test_two_passes_join_three_word_phrases():
    rng = random.Random(1)
    filler = [f"f{i}" for i in range(200)]
    corpus = []
    for i in range(600):
        s = rng.sample(filler, 6)
        if i % 3 == 0:
            s[2:2] = ["los", "angeles", "lakers"]
        elif i % 3 == 1:
            s[2:2] = ["los", "angeles"]
        corpus.append(s)
    kw = dict(min_count=5, threshold=1.0)
    one = learn_phrases(corpus, passes=1, **kw)
    two = learn_phrases(corpus, passes=2, **kw)
    flat1 = {w for s in one for w in s}
    flat2 = {w for s in two for w in s}
    assert "los_angeles" in flat1 and "los_angeles_lakers" not in flat1
    assert "los_angeles_lakers" in flat2
    assert "los_angeles_lakers" in two.models[1].phrasegrams
    # the Python way, a model over the first model's output, agrees
    first = Phrases(corpus, **kw)
    second = Phrases(list(first[corpus]), **kw)
    assert [second[first[s]] for s in corpus] == list(two)


def noisy_corpus(n_sentences, seed=0):
    """Frequent 'hot dog' in a sea of pairs seen once or twice."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_sentences):
        s = [f"u{x}" for x in rng.integers(0, 200_000, 20)]
        if i % 4 == 0:
            s[10:10] = ["hot", "dog"]
        out.append(s)
    return out


def test_pruning_bounds_the_table_and_keeps_the_frequent_pairs():
    corpus = noisy_corpus(4000)
    full = Phrases(corpus, min_count=5, threshold=1.0)
    bound = 2000
    pruned = Phrases(corpus, min_count=5, threshold=1.0, max_vocab_size=bound)
    assert full.n_candidates > 30 * bound  # the corpus really overflows the bound
    assert pruned.n_candidates <= bound
    assert pruned.min_reduce > 1  # pruned, as word2phrase's ReduceVocab
    assert full.min_reduce == 1
    # 'hot dog' (1000 times) survives with (almost) its count and is still a phrase
    assert pruned.vocab["hot_dog"] >= 0.95 * full.vocab["hot_dog"]
    assert "hot_dog" in pruned.export_phrases()


def test_pruning_bounds_memory(tmp_path):
    f = tmp_path / "noise.txt"
    f.write_text("\n".join(" ".join(s) for s in noisy_corpus(8000, seed=2)), "utf-8")
    enc = encode_corpus(f, min_count=1)

    def peak(**kw):
        tracemalloc.start()
        try:
            learn_phrases(enc, min_count=5, threshold=1.0, **kw)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    unbounded, bounded = peak(), peak(max_vocab_size=1000)
    # ~160,000 distinct pairs: the unbounded table (24 bytes a slot) is gone when bounded
    assert unbounded - bounded > 6_000_000, (unbounded, bounded)
    assert bounded < unbounded / 2, (unbounded, bounded)


def test_applying_to_iterators_and_files(tmp_path):
    ph = Phrases(TOY, min_count=1, threshold=1e-9)
    assert ph[["a", "b", "c"]] == ["a_b", "c"]
    assert ph[[]] == []
    phrased = ph[iter([["a", "b"], ["c", "a", "b"]])]
    assert list(phrased) == [["a_b"], ["c", "a_b"]]
    f = tmp_path / "c.txt"
    f.write_text("A b c\n\nc A B\n", encoding="utf-8")
    assert list(ph[str(f)]) == [["a_b", "c"], ["c", "a_b"]]
    assert list(ph[str(f)]) == list(ph[f])  # a path reads again on every iteration
    # a phrased file reads back with its phrases whole
    f.write_text("a_b c\n", encoding="utf-8")
    assert list(ph[f]) == [["a_b", "c"]]


def test_write_phrased_is_atomic_and_one_sentence_a_line(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(" ".join(s) for s in TOY * 3) + "\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    write_phrased(src, out, passes=1, min_count=1, threshold=0.5)  # a_b scores 0.79
    assert out.read_text("utf-8").splitlines() == ["a_b c", "a_b", "a_b d", "c d"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]


def test_bad_settings_are_config_errors():
    for kw in (dict(threshold=0), dict(threshold=-3), dict(scoring="npmi", threshold=1.5),
               dict(scoring="npmi", threshold=-1), dict(min_count=0),
               dict(scoring="pmi"), dict(max_vocab_size=0)):
        with pytest.raises(ConfigError):
            Phrases(TOY, **kw)
    Phrases(TOY, scoring="npmi", threshold=1.0, min_count=1)  # 1 is allowed


# --- the command line ------------------------------------------------------------------


@pytest.fixture(scope="module")
def phrase_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("phr")
    path = d / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in planted_corpus(2000, seed=3)) + "\n",
                    encoding="utf-8")
    return path


def test_cli_phrases_writes_the_phrased_corpus(phrase_file, tmp_path, capsys):
    out = tmp_path / "phrased.txt"
    rc = cli.main(["-q", "phrases", str(phrase_file), "-o", str(out), "--min-count", "3",
                   "--threshold", "5", "--passes", "2", "--top", "3", "--connectors"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    want = learn_phrases(phrase_file, passes=2, min_count=3, threshold=5,
                         connector_words=ENGLISH_CONNECTOR_WORDS)
    assert out.read_text("utf-8").splitlines() == [" ".join(s) for s in want]
    text = out.read_text("utf-8")
    assert "new_york" in text and "bank_of_america" in text and "los_angeles_lakers" in text
    rows = [line.split("\t") for line in cap.out.splitlines()]
    assert [(r[0], r[1]) for r in rows] == [
        (str(k + 1), p) for k, m in enumerate(want.models) for p in list(m.phrasegrams)[:3]]
    assert len(rows) >= 4
    # npmi through the CLI
    rc = cli.main(["-q", "phrases", str(phrase_file), "-o", str(out), "--min-count", "3",
                   "--scoring", "npmi", "--threshold", "0.3", "--passes", "1"])
    assert rc == 0
    assert "new_york" in out.read_text("utf-8")


def test_cli_train_with_phrases(phrase_file, tmp_path, capsys):
    from wordvec.vectors.formats import load_vectors

    out = tmp_path / "v.txt"
    rc = cli.main(["-q", "train", str(phrase_file), "-o", str(out), "--size", "8",
                   "--epochs", "1", "--workers", "1", "--min-count", "3", "--phrases", "2",
                   "--phrases-threshold", "5"])
    assert rc == 0, capsys.readouterr().err
    wv = load_vectors(out)
    assert "new_york" in wv and "los_angeles_lakers" in wv
    assert "york" not in wv  # "york" only ever follows "new"
    working = tmp_path / "v.txt.phrased.txt"
    assert "los_angeles_lakers" in working.read_text("utf-8")
