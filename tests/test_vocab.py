import heapq

import numpy as np
import pytest

from wordvec.errors import ConfigError
from wordvec.text.vocab import Vocab, build_alias_table, build_huffman, count_words


def test_sorted_by_count_ties_first_seen():
    v = Vocab.build([["b", "a", "c", "a"], ["d", "c", "e"]], min_count=1)
    assert v.words == ["a", "c", "b", "d", "e"]
    assert v.counts.tolist() == [2, 2, 1, 1, 1]
    assert v.index == {w: i for i, w in enumerate(v.words)}
    assert v["c"] == 1 and "z" not in v and len(v) == 5 and v.total == 7
    with pytest.raises(KeyError, match="'zebra'"):
        v["zebra"]


def test_min_count_and_max_final_vocab():
    counts = {"a": 9, "b": 7, "c": 7, "d": 3, "e": 1}
    assert Vocab.from_counts(counts, min_count=3).words == ["a", "b", "c", "d"]
    # 2 would split the tie b/c: min_count is raised so that only 'a' stays
    assert Vocab.from_counts(counts, min_count=1, max_final_vocab=2).words == ["a"]
    assert Vocab.from_counts(counts, min_count=1, max_final_vocab=3).words == ["a", "b", "c"]
    with pytest.raises(ConfigError):
        Vocab.from_counts(counts, min_count=0)


def test_max_vocab_size_prunes_like_the_c_tool():
    # many singletons then a frequent word: pruning keeps memory bounded
    sents = [[f"rare{i}"] for i in range(1000)] + [["common"]] * 50
    counts = count_words(sents, max_vocab_size=100)
    assert len(counts) <= 101
    assert counts["common"] == 50


def test_max_vocab_size_pruning_by_hand():
    # the C tool's ReduceVocab: past the bound, drop words seen <= min_reduce times,
    # then raise min_reduce; checked after each sentence
    sents = [["a", "a", "b", "c", "d"], ["b", "b", "c", "e", "f", "a"]]
    # after 1: {a2 b1 c1 d1} > 3 words -> drop <= 1 -> {a2}; after 2: {a3 b2 c1 e1 f1}
    # -> drop <= 2 -> {a3}
    assert count_words(sents, max_vocab_size=3) == {"a": 3}
    assert count_words(sents, max_vocab_size=6) == {"a": 3, "b": 3, "c": 2, "d": 1, "e": 1,
                                                    "f": 1}


def test_keep_probs_formula():
    v = Vocab(["a", "b", "c"], [1000, 100, 1])
    sample = 1e-2
    t = sample * v.total
    expected = np.minimum((np.sqrt(v.counts / t) + 1) * t / v.counts, 1)
    assert np.allclose(v.keep_probs(sample), expected)
    assert v.keep_probs(sample)[0] < 0.5 and v.keep_probs(sample)[2] == 1
    assert np.all(v.keep_probs(0) == 1)


def test_noise_distribution_and_alias_sampling():
    v = Vocab(list("abcdef"), [500, 200, 100, 50, 20, 1])
    p = v.noise_probs()
    assert np.allclose(p, v.counts**0.75 / np.sum(v.counts**0.75))
    prob, alias = v.alias_table()
    rng = np.random.default_rng(0)
    n = 200_000
    i = rng.integers(0, len(v), n)
    u = rng.random(n)
    draws = np.where(u < prob[i], i, alias[i])
    freq = np.bincount(draws, minlength=len(v)) / n
    # binomial standard error is < 0.0012 here; allow 5 of them
    assert np.allclose(freq, p, atol=0.006)


def test_alias_table_exact_mass():
    probs = np.array([0.5, 0.25, 0.125, 0.125])
    prob, alias = build_alias_table(probs)
    n = len(probs)
    mass = np.zeros(n)
    for i in range(n):
        mass[i] += prob[i] / n
        mass[alias[i]] += (1 - prob[i]) / n
    assert np.allclose(mass, probs)


def _optimal_cost(counts):
    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


def test_huffman_codes_are_optimal_prefix_codes():
    rng = np.random.default_rng(1)
    counts = np.sort(rng.integers(1, 1000, 300))[::-1]
    v = Vocab([f"w{i}" for i in range(300)], counts)
    codes, points, lengths = v.huffman()
    strings = ["".join(map(str, codes[w, : lengths[w]])) for w in range(300)]
    assert len(set(strings)) == 300
    for a in strings:  # prefix-free
        assert not any(b != a and b.startswith(a) for b in strings)
    assert np.isclose(np.sum(2.0 ** -lengths), 1.0)  # a full binary tree
    assert int(np.sum(lengths * counts)) == _optimal_cost(counts.tolist())
    # paths start at the root (inner node V-2) and stay within 0..V-2
    assert np.all(points[:, 0] == 298)
    for w in range(300):
        assert np.all((points[w, : lengths[w]] >= 0) & (points[w, : lengths[w]] <= 298))
    # frequent words get codes no longer than rare ones
    assert lengths[0] <= lengths[-1]


def test_huffman_shared_prefix_shares_nodes():
    v = Vocab(list("abcd"), [8, 4, 2, 2])
    codes, points, lengths = v.huffman()
    assert lengths.tolist() == [1, 2, 3, 3]
    # c and d share their whole path except the last branch
    assert points[2, :3].tolist() == points[3, :3].tolist()
    assert codes[2, 2] != codes[3, 2]


def _pruned_corpus(tmp_path):
    """Lines of words seen once alternate with lines of 30 frequent words."""
    rng = np.random.default_rng(5)
    frequent = [f"common{k}" for k in range(30)]
    lines = []
    for i in range(300):
        lines.append(" ".join(f"rare{i}x{j}" for j in range(20)))
        lines.append(" ".join(rng.choice(frequent, 20)))
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("method", [["--method", "word2vec", "--epochs", "1", "--workers", "1"],
                                    ["--method", "svd"]])
def test_max_vocab_size_from_the_command_line(tmp_path, method):
    from wordvec import cli
    from wordvec.text.corpus import iter_sentences
    from wordvec.vectors.formats import load_vectors

    path = _pruned_corpus(tmp_path)
    expected = Vocab.from_counts(count_words(iter_sentences(path), max_vocab_size=100),
                                 min_count=1)
    unbounded = Vocab.from_counts(count_words(iter_sentences(path)), min_count=1)
    assert 20 < len(expected) <= 30 and len(unbounded) == 6030
    # frequent words pruned early lose their early counts, as in the C tool
    assert expected.counts.sum() < unbounded.counts[:30].sum()
    for bound, vocab in ((["--max-vocab-size", "100"], expected), ([], unbounded)):
        out = tmp_path / f"v{len(bound)}.wv"
        rc = cli.main(["-q", "train", str(path), "-o", str(out), "--size", "16",
                       "--min-count", "1", *method, *bound])
        assert rc == 0
        wv = load_vectors(out)
        assert wv.index_to_key == vocab.words
        assert wv.counts.tolist() == vocab.counts.tolist()


def _python_huffman(counts):
    """The Python build that the compiled one replaced (wordvec <= 0.x), kept as the oracle."""
    v = len(counts)
    if v < 2:
        return (np.zeros((v, 1), np.uint8), np.zeros((v, 1), np.int32), np.zeros(v, np.int32))
    count = np.empty(2 * v - 1, dtype=np.int64)
    count[:v] = counts
    count[v:] = np.iinfo(np.int64).max // 4
    parent = np.zeros(2 * v - 1, dtype=np.int64)
    binary = np.zeros(2 * v - 1, dtype=np.uint8)
    pos1, pos2 = v - 1, v
    for a in range(v - 1):
        mins = []
        for _ in range(2):
            if pos1 >= 0 and count[pos1] < count[pos2]:
                mins.append(pos1)
                pos1 -= 1
            else:
                mins.append(pos2)
                pos2 += 1
        count[v + a] = count[mins[0]] + count[mins[1]]
        parent[mins[0]] = v + a
        parent[mins[1]] = v + a
        binary[mins[1]] = 1
    root = 2 * v - 2
    lengths = np.zeros(v, dtype=np.int32)
    paths = []
    for w in range(v):
        bits, nodes = [], []
        b = w
        while b != root:
            bits.append(int(binary[b]))
            b = int(parent[b])
            nodes.append(b - v)
        bits.reverse()
        nodes.reverse()
        lengths[w] = len(bits)
        paths.append((bits, nodes))
    depth = int(lengths.max())
    codes = np.zeros((v, depth), dtype=np.uint8)
    points = np.zeros((v, depth), dtype=np.int32)
    for w, (bits, nodes) in enumerate(paths):
        codes[w, : len(bits)] = bits
        points[w, : len(nodes)] = nodes
    return codes, points, lengths


def _distributions():
    rng = np.random.default_rng(11)
    zipf = np.sort(rng.zipf(1.2, 8_000).clip(max=10**9))[::-1]
    yield "zipf", zipf
    yield "all equal", np.full(1000, 7)
    yield "two tied levels", np.array([50] * 300 + [3] * 700)
    yield "many ties", np.sort(rng.integers(1, 6, 5000))[::-1]
    yield "powers of two", 2 ** np.arange(40, 0, -1)  # a path as deep as the vocabulary
    yield "huge counts", np.sort(rng.integers(10**15, 10**16, 500))[::-1]
    yield "min_count 5 corpus", np.sort(np.concatenate([rng.zipf(1.5, 3000) + 4, [5] * 800]))[::-1]
    yield "unsorted", rng.integers(1, 100, 777)  # not what Vocab gives, still the same tree
    for v in (0, 1, 2, 3):
        yield f"{v} words", np.arange(v, 0, -1) * 10


@pytest.mark.parametrize("name, counts", list(_distributions()),
                         ids=[name for name, _ in _distributions()])
def test_compiled_huffman_is_bit_identical_to_the_python_build(name, counts):
    got = build_huffman(counts)
    want = _python_huffman(counts)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape, name
        np.testing.assert_array_equal(g, w, err_msg=name)


def test_hs_training_is_unchanged_by_the_compiled_tree(monkeypatch):
    from wordvec.synthetic import generate_sentences
    from wordvec.text import vocab as vocab_mod
    from wordvec.text.encoded import EncodedCorpus
    from wordvec.train.word2vec import Word2Vec

    corpus = EncodedCorpus.from_sentences(generate_sentences(20_000, seed=3), min_count=2)
    kw = dict(model="cbow", hs=1, negative=0, vector_size=32, min_count=2, epochs=1,
              workers=1)
    compiled = Word2Vec(**kw).fit(corpus)
    monkeypatch.setattr(vocab_mod, "build_huffman", _python_huffman)
    python = Word2Vec(**kw).fit(corpus)
    np.testing.assert_array_equal(compiled.syn0, python.syn0)
    np.testing.assert_array_equal(compiled.syn1, python.syn1)
    assert compiled.losses == python.losses
