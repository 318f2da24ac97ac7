"""The compiled kernels compute exactly the word2vec updates, draw from the right distributions.

Most tests here use vector size 32 and 5 noise words; the kernels for size
100 and for 3 noise words are compiled once more (and cached by Numba).
"""

import numpy as np
import pytest

from wordvec.text.vocab import Vocab, build_alias_table, build_huffman
from wordvec.train import kernels

D = 32
K = 5


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(0.0, x)


def reference_chunk(sentence, syn0, syn1neg, syn1, *, sg, batched, ns, hs, noise, alpha,
                    codes=None, points=None, lengths=None, cbow_mean=True, k=K):
    """The word2vec updates in plain NumPy, float64, window 1, no subsampling.

    Every noise word is ``noise`` (the tests force the alias table to it);
    a noise word equal to the centre word is skipped, as in the C tool.
    ``alpha`` is a number, or a sequence: the learning rate at each position.
    Returns the summed loss (-log-likelihood) and the number of examples.
    """
    n = len(sentence)
    rates = np.broadcast_to(np.asarray(alpha, np.float64), (n,))
    loss = 0.0
    examples = 0
    for i in range(n):
        ctx = [sentence[j] for j in (i - 1, i + 1) if 0 <= j < n]
        if not ctx:
            continue
        centre = sentence[i]
        blocks = []
        if ns:
            outs = [(centre, 1.0)] + ([(noise, 0.0)] * k if noise != centre else [])
            blocks.append((syn1neg, outs))
        if hs:
            outs = [(points[centre, m], 1.0 - codes[centre, m]) for m in range(lengths[centre])]
            blocks.append((syn1, outs))
        if sg:
            groups = [ctx] if batched else [[c] for c in ctx]
        else:
            groups = [ctx]
        for grp in groups:
            if sg:
                x = syn0[grp].copy()
            else:
                h = syn0[grp].sum(axis=0)
                x = (h / len(grp) if cbow_mean else h)[None, :]
            din = np.zeros_like(x)
            for w_out, outs in blocks:
                idx = [o for o, _ in outs]
                lab = np.array([label for _, label in outs])
                y = w_out[idx].copy()
                f = x @ y.T
                g = (lab - _sigmoid(f)) * rates[i]
                loss += float(np.sum(_softplus(f) - lab * f))
                din += g @ y
                np.add.at(w_out, idx, g.T @ x)
            if sg:
                np.add.at(syn0, grp, din)
                examples += len(grp)
            else:
                for c in grp:
                    syn0[c] += din[0]
                examples += 1
    return loss, examples


def run_kernel(sentence, syn0, syn1neg, syn1, *, sg, batched, ns, hs, noise, alpha,
               codes=None, points=None, lengths=None, cbow_mean=True, keep=None, seed=3,
               k=K, window=1, rate=None):
    v, d = syn0.shape
    ids = np.asarray(sentence, np.int32)
    bounds = np.array([0, len(ids)], np.int64)
    keep = np.ones(v, np.float32) if keep is None else keep
    # an alias table that always answers `noise`: never keep the first pick
    alias_p = np.zeros(v, np.float32)
    alias_i = np.full(v, noise, np.int32)
    stats = np.zeros(3)
    kern = kernels.chunk_kernel(d, k if ns else 0)
    kern(ids, bounds, syn0, keep,
         kernels.NegTables(syn1neg, alias_p, alias_i) if ns else None,
         kernels.HSTables(syn1, codes, points, lengths) if hs else None,
         kernels.Rules(sg, cbow_mean, batched, window),
         kernels.Rate(alpha, alpha, 0.0, 1e9) if rate is None else rate,
         seed, stats)
    return stats


def _weights(v, seed=0, d=D):
    rng = np.random.default_rng(seed)
    syn0 = ((rng.random((v, d)) - 0.5) / 4).astype(np.float32)
    syn1neg = ((rng.random((v, d)) - 0.5) / 4).astype(np.float32)
    syn1 = ((rng.random((max(v - 1, 1), d)) - 0.5) / 4).astype(np.float32)
    return syn0, syn1neg, syn1


# The sigmoid comes from a 2048-bin table over [-6, 6): gradients agree with the
# exact float64 computation to about 3e-3 * alpha per coordinate.
TOL = dict(rtol=0, atol=2e-4)


@pytest.mark.parametrize(
    "sg,batched",
    [(True, True), (True, False), (False, True)],
    ids=["skipgram-shared-negatives", "skipgram-per-pair", "cbow"],
)
def test_negative_sampling_update_matches_numpy(sg, batched):
    v = 6
    sentence = [0, 1, 2, 1]
    noise = 4
    w64 = [w.astype(np.float64) for w in _weights(v)]
    w32 = list(_weights(v))
    loss, examples = reference_chunk(sentence, *w64, sg=sg, batched=batched, ns=True,
                                     hs=False, noise=noise, alpha=0.1)
    stats = run_kernel(sentence, *w32, sg=sg, batched=batched, ns=True, hs=False,
                       noise=noise, alpha=0.1)
    # the weights really moved, and by the same amounts as in NumPy
    assert not np.allclose(w32[0], _weights(v)[0], atol=1e-3)
    np.testing.assert_allclose(w32[0], w64[0], **TOL)
    np.testing.assert_allclose(w32[1], w64[1], **TOL)
    assert stats[1] == examples
    assert stats[0] == pytest.approx(loss, rel=2e-3)


def test_noise_word_equal_to_centre_is_skipped():
    v = 4
    w64 = [w.astype(np.float64) for w in _weights(v)]
    w32 = list(_weights(v))
    # noise word 1 is also a centre word: its noise update must not happen there
    reference_chunk([0, 1, 2], *w64, sg=True, batched=True, ns=True, hs=False, noise=1,
                    alpha=0.2)
    run_kernel([0, 1, 2], *w32, sg=True, batched=True, ns=True, hs=False, noise=1, alpha=0.2)
    np.testing.assert_allclose(w32[1], w64[1], **TOL)


@pytest.mark.parametrize("sg", [True, False], ids=["skipgram", "cbow"])
def test_hierarchical_softmax_update_follows_huffman_paths(sg):
    counts = np.array([40, 25, 12, 9, 7, 4, 2, 1], np.int64)
    v = len(counts)
    codes, points, lengths = build_huffman(counts)
    sentence = [7, 0, 3, 5, 1]
    w64 = [w.astype(np.float64) for w in _weights(v, seed=1)]
    w32 = list(_weights(v, seed=1))
    kw = dict(codes=codes, points=points, lengths=lengths)
    loss, _ = reference_chunk(sentence, *w64, sg=sg, batched=True, ns=False, hs=True,
                              noise=0, alpha=0.1, **kw)
    stats = run_kernel(sentence, *w32, sg=sg, batched=True, ns=False, hs=True, noise=0,
                       alpha=0.1, **kw)
    np.testing.assert_allclose(w32[0], w64[0], **TOL)
    np.testing.assert_allclose(w32[2], w64[2], **TOL)
    assert stats[0] == pytest.approx(loss, rel=2e-3)
    # only inner nodes on the paths of the centre words were touched
    touched = {int(points[w, m]) for w in sentence for m in range(lengths[w])}
    untouched = [r for r in range(v - 1) if r not in touched]
    np.testing.assert_array_equal(w32[2][untouched], _weights(v, seed=1)[2][untouched])


@pytest.mark.parametrize("sg", [True, False], ids=["skipgram", "cbow"])
def test_hierarchical_softmax_with_private_and_shared_inner_nodes(sg):
    """3,000 words: the paths of rare words run through the inner nodes near the root,
    which skip-gram's window blocks train in a private copy per chunk, and through
    deeper ones trained in place; both kinds move as in NumPy."""
    counts = (1e6 / np.arange(1, 3001)).astype(np.int64) + 1
    v = len(counts)
    codes, points, lengths = build_huffman(counts)
    sentence = [2999, 5, 2500, 0, 1800, 2998]
    private = v - 1 - kernels.PRIVATE_HS_ROWS  # the first inner node copied
    path = [int(points[w, m]) for w in sentence for m in range(lengths[w])]
    assert min(path) < private <= max(path)
    w64 = [w.astype(np.float64) for w in _weights(v, seed=2)]
    w32 = list(_weights(v, seed=2))
    kw = dict(codes=codes, points=points, lengths=lengths)
    reference_chunk(sentence, *w64, sg=sg, batched=True, ns=False, hs=True, noise=0,
                    alpha=0.1, **kw)
    run_kernel(sentence, *w32, sg=sg, batched=True, ns=False, hs=True, noise=0, alpha=0.1,
               **kw)
    moved = np.abs(w32[2] - _weights(v, seed=2)[2]).max(axis=1) > 1e-4
    assert moved[:private].any() and moved[private:].any()
    np.testing.assert_allclose(w32[0], w64[0], **TOL)
    np.testing.assert_allclose(w32[2], w64[2], **TOL)


def test_both_objectives_at_once_match_numpy():
    counts = np.array([30, 20, 10, 5, 3, 1], np.int64)
    codes, points, lengths = build_huffman(counts)
    v = len(counts)
    w64 = [w.astype(np.float64) for w in _weights(v, seed=2)]
    w32 = list(_weights(v, seed=2))
    kw = dict(codes=codes, points=points, lengths=lengths)
    reference_chunk([0, 2, 1, 3], *w64, sg=True, batched=True, ns=True, hs=True, noise=5,
                    alpha=0.1, **kw)
    run_kernel([0, 2, 1, 3], *w32, sg=True, batched=True, ns=True, hs=True, noise=5,
               alpha=0.1, **kw)
    for a, b in zip(w32, w64, strict=True):
        np.testing.assert_allclose(a, b, **TOL)


def test_huffman_paths_form_a_prefix_code_rooted_at_the_last_node():
    counts = np.array([50, 30, 30, 12, 8, 5, 5, 2, 1, 1], np.int64)
    codes, points, lengths = build_huffman(counts)
    v = len(counts)
    paths = {tuple(codes[w, : lengths[w]]) for w in range(v)}
    assert len(paths) == v  # distinct codes
    for a in paths:
        for b in paths:
            assert a == b or a != b[: len(a)]  # none is a prefix of another
    assert all(points[w, 0] == v - 2 for w in range(v))  # all start at the root
    # frequent words get codes no longer than rare ones
    assert lengths[0] <= lengths[-1]


def test_loss_is_the_negative_log_likelihood_beyond_the_table():
    # huge dot products: the sigmoid saturates but the loss keeps growing linearly
    v = 4
    syn0 = np.zeros((v, D), np.float32)
    syn1neg = np.zeros((v, D), np.float32)
    syn0[1] = 1.0
    syn1neg[0] = -0.5  # <syn0[1], syn1neg[0]> = -16: the true pair looks very unlikely
    stats = run_kernel([0, 1], syn0, syn1neg, syn1neg[:1].copy(), sg=True, batched=True,
                       ns=True, hs=False, noise=3, alpha=0.0)
    # window 1: pairs (centre 0, context 1) and (centre 1, context 0)
    expected = _softplus(16.0) + K * _softplus(0.0) + _softplus(0.0) + K * _softplus(0.0)
    assert stats[0] == pytest.approx(expected, rel=1e-3)


def test_nan_weights_give_a_nan_loss():
    v = 4
    syn0, syn1neg, syn1 = _weights(v)
    syn0[2, 3] = np.nan
    stats = run_kernel([0, 1, 2, 3], syn0, syn1neg, syn1, sg=True, batched=True, ns=True,
                       hs=False, noise=3, alpha=0.01)
    assert np.isnan(stats[0])


def test_subsampling_keeps_words_with_the_c_tool_probability():
    counts = np.array([1_000_000, 200_000, 50_000, 1_000], np.int64)
    vocab = Vocab(["a", "b", "c", "d"], counts)
    keep = vocab.keep_probs(1e-3)
    # the C tool's formula, written out
    t = 1e-3 * counts.sum()
    expected = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)
    np.testing.assert_allclose(keep, expected, rtol=1e-6)
    n = 20_000
    for w in range(3):
        syn0, syn1neg, syn1 = _weights(4)
        stats = run_kernel([w] * n, syn0, syn1neg, syn1, sg=True, batched=True, ns=True,
                           hs=False, noise=3, alpha=0.0, keep=keep, seed=10 + w)
        p = float(keep[w])
        sd = np.sqrt(n * p * (1 - p))
        assert abs(stats[2] - n * p) < 5 * sd + 1


def test_alias_sampling_matches_the_unigram_power_distribution():
    counts = np.array([500, 300, 120, 50, 20, 7, 2, 1], np.int64)
    vocab = Vocab([f"w{i}" for i in range(len(counts))], counts)
    target = vocab.noise_probs(0.75)
    np.testing.assert_allclose(target, counts**0.75 / np.sum(counts**0.75))
    prob, alias = vocab.alias_table(0.75)
    n = 400_000
    draws = kernels.alias_sample(prob, alias, 7, n)
    freq = np.bincount(draws, minlength=len(counts)) / n
    sd = np.sqrt(target * (1 - target) / n)
    assert np.all(np.abs(freq - target) < 5 * sd)


def test_alias_table_of_a_skewed_distribution():
    p = np.array([0.9, 0.05, 0.03, 0.02])
    prob, alias = build_alias_table(p)
    draws = kernels.alias_sample(prob, alias, 11, 200_000)
    freq = np.bincount(draws, minlength=4) / 200_000
    np.testing.assert_allclose(freq, p, atol=0.005)


def test_generator_is_uniform_and_seeded():
    u = kernels.uniform_stream(5, 100_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005
    hist = np.histogram(u, bins=10, range=(0, 1))[0] / len(u)
    np.testing.assert_allclose(hist, 0.1, atol=0.006)
    np.testing.assert_array_equal(u, kernels.uniform_stream(5, 100_000))
    assert not np.array_equal(u[:100], kernels.uniform_stream(6, 100))


def test_sigmoid_tables():
    sig, logsig = kernels.sigmoid_tables()
    x = -kernels.MAX_EXP + (np.arange(len(sig)) + 0.5) * (2 * kernels.MAX_EXP / len(sig))
    np.testing.assert_allclose(sig, _sigmoid(x), rtol=1e-6)
    np.testing.assert_allclose(logsig, np.log(_sigmoid(x)), rtol=1e-5)


# ---------------------------------------------------------------- promises of issue 16
# What the tests above cannot see with window 1 and a constant rate: the C tool's
# shrunk window, the linear decay of the learning rate, CBOW's sum, and kernels
# compiled for other sizes (the default 100) and other numbers of noise words
# (3: the block of 1 + 3 outputs is padded to the micro-kernel's width of 6).


@pytest.mark.parametrize("sg", [True, False], ids=["skipgram", "cbow"])
def test_learning_rate_falls_linearly_from_the_chunks_position_in_the_run(sg):
    v = 8
    sentence = [0, 3, 1, 5, 2, 6, 1, 0, 4, 7, 2, 3]
    a0, a1, pos0, total = 0.1, 0.001, 5.0, 20.0
    rates = a0 - (a0 - a1) / total * (pos0 + np.arange(len(sentence)))
    w64 = [w.astype(np.float64) for w in _weights(v, seed=4)]
    w32 = list(_weights(v, seed=4))
    reference_chunk(sentence, *w64, sg=sg, batched=True, ns=True, hs=False, noise=6,
                    alpha=rates)
    run_kernel(sentence, *w32, sg=sg, batched=True, ns=True, hs=False, noise=6, alpha=a0,
               rate=kernels.Rate(a0, a1, pos0, total))
    np.testing.assert_allclose(w32[0], w64[0], **TOL)
    np.testing.assert_allclose(w32[1], w64[1], **TOL)
    # and a constant rate would have been visibly different
    const = [w.astype(np.float64) for w in _weights(v, seed=4)]
    reference_chunk(sentence, *const, sg=sg, batched=True, ns=True, hs=False, noise=6,
                    alpha=a0)
    assert np.abs(const[1] - w64[1]).max() > 10 * TOL["atol"]


@pytest.mark.parametrize("batched", [True, False], ids=["shared-negatives", "per-pair"])
def test_window_is_shrunk_by_a_uniform_amount_at_every_position(batched):
    # The C tool draws b uniform in [0, window) per centre word and uses the
    # words within window - b on each side: with window 5 an interior word has
    # 2 * 3 = 6 context words on average, not 10.
    window, n, v = 5, 4000, 50
    rng = np.random.default_rng(0)
    sentence = rng.integers(1, v, n).tolist()
    syn0, syn1neg, syn1 = _weights(v)
    stats = run_kernel(sentence, syn0, syn1neg, syn1, sg=True, batched=batched, ns=True,
                       hs=False, noise=0, alpha=1e-4, window=window)
    i = np.arange(n)[:, None]
    w = np.arange(1, window + 1)[None, :]
    expected = (np.minimum(i, w) + np.minimum(n - 1 - i, w)).mean(axis=1).sum()
    assert stats[1] == pytest.approx(expected, rel=0.03)
    assert stats[1] != pytest.approx(n * 2 * window, rel=0.2)  # the unshrunk count


def test_window_never_reaches_beyond_its_size():
    # One 5-word sentence, window 2, over many seeds: each position uses 1 or 2
    # words per side, so the examples number between 1+2+2+2+1 = 8 and
    # 2+3+4+3+2 = 14, and the count varies with the seed.
    syn0, syn1neg, syn1 = _weights(10)
    counts = set()
    for seed in range(40):
        st = run_kernel([1, 2, 3, 4, 5], syn0.copy(), syn1neg.copy(), syn1, sg=True,
                        batched=True, ns=True, hs=False, noise=0, alpha=1e-4, window=2,
                        seed=seed)
        counts.add(int(st[1]))
    assert min(counts) >= 8 and max(counts) <= 14
    assert len(counts) > 3


def test_cbow_sum_when_cbow_mean_is_0():
    v = 6
    sentence = [0, 1, 2, 1, 3, 4]
    w64 = [w.astype(np.float64) for w in _weights(v, seed=5)]
    w32 = list(_weights(v, seed=5))
    reference_chunk(sentence, *w64, sg=False, batched=True, ns=True, hs=False, noise=5,
                    alpha=0.1, cbow_mean=False)
    run_kernel(sentence, *w32, sg=False, batched=True, ns=True, hs=False, noise=5,
               alpha=0.1, cbow_mean=False)
    np.testing.assert_allclose(w32[0], w64[0], **TOL)
    np.testing.assert_allclose(w32[1], w64[1], **TOL)
    mean = [w.astype(np.float64) for w in _weights(v, seed=5)]
    reference_chunk(sentence, *mean, sg=False, batched=True, ns=True, hs=False, noise=5,
                    alpha=0.1, cbow_mean=True)
    assert np.abs(mean[1] - w64[1]).max() > 10 * TOL["atol"]


@pytest.mark.parametrize("d,k", [(100, 5), (32, 3)], ids=["size100", "negative3-padded"])
@pytest.mark.parametrize("sg", [True, False], ids=["skipgram", "cbow"])
def test_kernels_of_other_sizes_and_noise_counts_match_numpy(d, k, sg):
    v = 9
    sentence = [0, 1, 2, 1, 7, 3, 8]
    w64 = [w.astype(np.float64) for w in _weights(v, seed=6, d=d)]
    w32 = list(_weights(v, seed=6, d=d))
    loss, examples = reference_chunk(sentence, *w64, sg=sg, batched=True, ns=True, hs=False,
                                     noise=4, alpha=0.1, k=k)
    stats = run_kernel(sentence, *w32, sg=sg, batched=True, ns=True, hs=False, noise=4,
                       alpha=0.1, k=k)
    np.testing.assert_allclose(w32[0], w64[0], **TOL)
    np.testing.assert_allclose(w32[1], w64[1], **TOL)
    assert stats[1] == examples
    assert stats[0] == pytest.approx(loss, rel=2e-3)
