"""fastText's subword model: n-gram hashing, the kernel's subword inputs, unseen words,
and Facebook's .bin format checked against gensim in both directions.

Estimator tests use vector size 16 and 5 noise words, kernel tests 32 and 5 (as
tests/test_kernels.py), so few kernel specialisations are compiled.
"""

import struct

import numpy as np
import pytest

from wordvec import cli, synthetic
from wordvec.errors import ConfigError
from wordvec.train import kernels
from wordvec.train.fasttext import INIT_HALF_WIDTH, FastText, subword_table
from wordvec.train.word2vec import Word2Vec
from wordvec.vectors.formats import detect_format, load_vectors, save_vectors
from wordvec.vectors.keyed import FastTextVectors, WordVectors
from wordvec.vectors.subwords import char_ngrams, ft_hash, ngram_hashes, ngram_table

gensim_ft = pytest.importorskip("gensim.models.fasttext")
gensim_inner = pytest.importorskip("gensim.models.fasttext_inner")

WORDS = ["hello", "naïve", "日本語", "a", "aaaa", "x" * 12, "Straße", "é", "über-cool", "ok"]
SMALL = dict(vector_size=16, negative=5, min_count=2, workers=1, bucket=3000, seed=2)


@pytest.fixture(scope="module")
def sentences():
    return list(synthetic.generate_sentences(3000, seed=4))


@pytest.fixture(scope="module")
def model(sentences):
    return FastText(model="sg", epochs=2, min_n=2, max_n=5, **SMALL).fit(sentences)


# ----------------------------------------------------------------------------- hashing
@pytest.mark.parametrize("minn,maxn", [(3, 6), (1, 4), (2, 2)])
def test_ngrams_and_hashes_are_gensims(minn, maxn):
    for w in WORDS:
        grams = char_ngrams(w, minn, maxn)
        assert grams == gensim_inner.compute_ngrams_bytes(w, minn, maxn), w
        assert [ft_hash(g) for g in grams] == [gensim_inner.ft_hash_bytes(g) for g in grams]
        want = list(gensim_ft.ft_ngram_hashes(w, minn, maxn, 2_000_000))
        assert ngram_hashes(w, minn, maxn, 2_000_000).tolist() == want, w
    # the compiled table agrees with the word-by-word answer
    indptr, rows = ngram_table(WORDS, minn, maxn, 1009)
    for i, w in enumerate(WORDS):
        assert rows[indptr[i]:indptr[i + 1]].tolist() == list(
            gensim_ft.ft_ngram_hashes(w, minn, maxn, 1009))


def test_hash_reads_bytes_as_signed_chars():
    # FNV-1a over unsigned bytes would give 0x2a8d8e60 for b"\xc3\xa9"
    assert ft_hash(b"\xc3\xa9") == gensim_inner.ft_hash_bytes(b"\xc3\xa9")
    assert ft_hash(b"abc") == gensim_inner.ft_hash_bytes(b"abc")


# ----------------------------------------------------------------------------- kernel
SENTENCE = [0, 1, 2, 1, 3, 0, 2, 4, 4]


def _run(sub, syn0, syn1neg, sg, alias_n, batched=True, window=2):
    v = syn1neg.shape[0]
    ids = np.array(SENTENCE, np.int32)
    stats = np.zeros(3)
    kern = kernels.chunk_kernel(32, 5)
    kern(ids, np.array([0, len(ids)], np.int64), syn0, np.ones(v, np.float32),
         kernels.NegTables(syn1neg, np.zeros(v, np.float32), np.full(v, alias_n, np.int32)),
         None, kernels.Rules(sg, True, batched, window), kernels.Rate(0.05, 0.05, 0.0, 1e9), 7,
         stats, sub)
    return stats


def test_subword_inputs_are_the_mean_of_the_rows_and_every_row_gets_the_gradient():
    """Each word w has two rows, w and V + w, equal at the start: their mean is the
    plain word row, and both get the same full update, so the subword kernel must
    reproduce the plain kernel exactly, in both halves of its input matrix (CBOW;
    subword skip-gram is checked against NumPy below)."""
    sg = False
    v = 5
    rng = np.random.default_rng(1)
    base = ((rng.random((v, 32)) - 0.5) / 8).astype(np.float32)
    out0 = ((rng.random((v, 32)) - 0.5) / 8).astype(np.float32)
    plain, plain_out = base.copy(), out0.copy()
    s_plain = _run(None, plain, plain_out, sg, 4, batched=False)
    two = np.vstack([base, base])
    two_out = out0.copy()
    indptr = np.arange(0, 2 * v + 1, 2, dtype=np.int64)
    rows = np.ravel(np.column_stack([np.arange(v), np.arange(v) + v])).astype(np.int32)
    s_sub = _run(kernels.Subwords(indptr, rows), two, two_out, sg, 4, batched=False)
    np.testing.assert_allclose(two[:v], plain, atol=1e-6)
    np.testing.assert_allclose(two[v:], plain, atol=1e-6)
    np.testing.assert_allclose(two_out, plain_out, atol=1e-6)
    np.testing.assert_allclose(s_sub, s_plain, rtol=1e-5)
    assert not np.allclose(plain, base)  # something was trained


def _ngram_words(v=5, b=6):
    """Five words with 4 rows each among V + 6: their own row, then n-gram rows, one of
    them listed twice (as a word's n-grams may hash twice to one bucket)."""
    word_rows = [[w, v + (w * 2) % b, v + (w + 3) % b, v + (w * 2) % b] for w in range(v)]
    indptr = np.cumsum([0] + [len(r) for r in word_rows]).astype(np.int64)
    return word_rows, indptr, np.concatenate(word_rows).astype(np.int32)


def _numpy_step(x, ref1, outs, alpha=0.05):
    """One negative-sampling step of input ``x`` against ``outs`` ((row, label, weight)):
    updates ``ref1`` in place; returns the input gradient and the loss."""
    grads, loss = [], 0.0
    for o, label, weight in outs:
        f = x @ ref1[o]
        grads.append(weight * (label - 1 / (1 + np.exp(-f))) * alpha)
        loss += weight * (np.logaddexp(0, -f) if label else np.logaddexp(0, f))
    din = sum(g * ref1[o] for g, (o, _, _) in zip(grads, outs, strict=True))
    for g, (o, _, _) in zip(grads, outs, strict=True):
        ref1[o] += g * x
    return din, loss


@pytest.mark.parametrize("noise", [4, 1])
def test_subword_skipgram_with_shared_noise_is_fasttexts_update(noise):
    """Skip-gram over subwords with shared noise words: the centre word's mean row is
    the input, its context words (label 1) and the window's noise words (label 0,
    counted once per context word they differ from) the outputs; the input gradient
    goes in full to every row of the centre word. Checked against NumPy, window 1."""
    v, b = 5, 6
    rng = np.random.default_rng(3)
    syn0 = ((rng.random((v + b, 32)) - 0.5) / 4).astype(np.float32)
    out = ((rng.random((v, 32)) - 0.5) / 4).astype(np.float32)
    word_rows, indptr, rows = _ngram_words(v, b)
    ref0, ref1 = syn0.astype(np.float64), out.astype(np.float64)
    loss = 0.0
    n = len(SENTENCE)
    for i in range(n):
        ctx = [SENTENCE[j] for j in (i - 1, i + 1) if 0 <= j < n]
        centre_rows = word_rows[SENTENCE[i]]
        x = ref0[centre_rows].mean(axis=0)
        outs = [(c, 1.0, 1.0) for c in ctx]
        outs += [(noise, 0.0, float(sum(c != noise for c in ctx)))] * 5
        din, step_loss = _numpy_step(x, ref1, outs)
        loss += step_loss
        for r in centre_rows:
            ref0[r] += din
    stats = _run(kernels.Subwords(indptr, rows), syn0, out, True, noise, window=1)
    np.testing.assert_allclose(syn0, ref0, atol=2e-4)
    np.testing.assert_allclose(out, ref1, atol=2e-4)
    assert stats[0] == pytest.approx(loss, rel=2e-3)
    assert stats[1] == sum(2 if 0 < i < n - 1 else 1 for i in range(n))  # one per pair


@pytest.mark.parametrize("noise", [4, 1, kernels.PRIVATE_HOT_ROWS + 7])
def test_subword_skipgram_per_pair_is_fasttexts_update(noise):
    """fastText's update (shared_negatives=False): the centre word's mean row is the
    input; each context word in turn is the output (label 1) with 5 fresh noise words
    (label 0, weight 0 where one equals the context word); after each pair the input
    moves by that pair's gradient, which also goes in full to every row of the centre
    word (one row is listed twice, and gets it twice). Checked against NumPy, window 1.
    The context words' output rows are among the frequent ones the kernel updates in a
    private copy and adds back at the chunk's end; the last noise word's row is not."""
    v, b = 5, 6
    rng = np.random.default_rng(5)
    syn0 = ((rng.random((v + b, 32)) - 0.5) / 4).astype(np.float32)
    out = ((rng.random((max(v, noise + 1), 32)) - 0.5) / 4).astype(np.float32)
    word_rows, indptr, rows = _ngram_words(v, b)
    ref0, ref1 = syn0.astype(np.float64), out.astype(np.float64)
    loss = 0.0
    n = len(SENTENCE)
    for i in range(n):
        centre_rows = word_rows[SENTENCE[i]]
        x = ref0[centre_rows].mean(axis=0)
        total = np.zeros(32)
        for c in [SENTENCE[j] for j in (i - 1, i + 1) if 0 <= j < n]:
            outs = [(c, 1.0, 1.0)] + [(noise, 0.0, float(noise != c))] * 5
            din, step_loss = _numpy_step(x, ref1, outs)
            loss += step_loss
            x = x + din
            total += din
        for r in centre_rows:
            ref0[r] += total
    stats = _run(kernels.Subwords(indptr, rows), syn0, out, True, noise, batched=False,
                 window=1)
    np.testing.assert_allclose(syn0, ref0, atol=2e-4)
    np.testing.assert_allclose(out, ref1, atol=2e-4)
    assert stats[0] == pytest.approx(loss, rel=2e-3)
    assert stats[1] == sum(2 if 0 < i < n - 1 else 1 for i in range(n))  # one per pair


def test_the_most_used_input_rows_are_kept_privately_with_the_same_result():
    """fastText's update keeps the most used input rows (weighted by the words' counts)
    in a private copy per chunk, marked -(slot + 1) in the table; one chunk trained
    with that table ends where the plain table does."""
    from wordvec.train.engine import private_subword_table

    v, b = 5, 6
    _, indptr, rows = _ngram_words(v, b)
    plain = kernels.Subwords(indptr, rows)
    weight = np.array([1.0, 2.0, 30.0, 4.0, 5.0])
    private = private_subword_table(plain, weight, n=3)
    use = np.bincount(rows, weights=np.repeat(weight, 4))
    assert sorted(private.hot.tolist()) == sorted(np.argsort(-use)[:3].tolist())
    assert private.hot[0] == v + 4  # listed twice by word 2 (weight 30): 60
    decoded = np.where(private.rows < 0, private.hot[np.maximum(-private.rows - 1, 0)],
                       private.rows)
    np.testing.assert_array_equal(decoded, rows)
    assert (private.rows < 0).sum() == sum(int(r in private.hot) for r in rows)
    rng = np.random.default_rng(6)
    syn0 = ((rng.random((v + b, 32)) - 0.5) / 4).astype(np.float32)
    out = ((rng.random((v, 32)) - 0.5) / 4).astype(np.float32)
    a0, a1 = syn0.copy(), out.copy()
    _run(plain, a0, a1, True, 4, batched=False, window=2)
    b0, b1 = syn0.copy(), out.copy()
    _run(private, b0, b1, True, 4, batched=False, window=2)
    np.testing.assert_allclose(b0, a0, atol=1e-6)
    np.testing.assert_allclose(b1, a1, atol=1e-6)
    assert not np.allclose(b0[private.hot], syn0[private.hot])  # trained, and added back


@pytest.mark.parametrize("shared", [False, True])
def test_per_pair_noise_words_are_fresh_for_every_pair(shared):
    """fastText's update draws 5 new noise words for every (centre, context) pair; the
    shared update draws 5 per window. A 9-word sentence has 9 windows and at least 16
    pairs (window 4, shrunk to 1 at worst), so with noise drawn uniformly from 5,000
    words the shared update moves at most 45 noise rows and the per-pair one about 80+."""
    v, dim = 5000, 32
    sentence = np.arange(1, 10, dtype=np.int32)
    rng = np.random.default_rng(2)
    syn0 = ((rng.random((v, dim)) - 0.5) / 4).astype(np.float32)
    out = ((rng.random((v, dim)) - 0.5) / 4).astype(np.float32)
    before = out.copy()
    sub = kernels.Subwords(np.arange(v + 1, dtype=np.int64), np.arange(v, dtype=np.int32))
    uniform = kernels.NegTables(out, np.ones(v, np.float32), np.arange(v, dtype=np.int32))
    kernels.chunk_kernel(dim, 5)(
        sentence, np.array([0, len(sentence)], np.int64), syn0, np.ones(v, np.float32),
        uniform, None, kernels.Rules(True, True, shared, 4), kernels.Rate(0.05, 0.05, 0.0, 1e9),
        3, np.zeros(3), sub)
    moved = set(np.flatnonzero(np.abs(out - before).max(axis=1) > 0).tolist())
    noise_rows = len(moved - set(sentence.tolist()))
    if shared:
        assert 0 < noise_rows <= 5 * len(sentence)
    else:
        assert noise_rows > 5 * len(sentence) + 20


def test_fasttext_defaults_to_its_own_update_and_refuses_the_gpu():
    assert FastText().config.shared_negatives is False
    assert FastText(shared_negatives=True).config.shared_negatives is True
    assert Word2Vec().config.shared_negatives is True
    with pytest.raises(ConfigError, match="CPU only"):
        FastText(device="cuda")


def test_subword_table_lists_the_word_row_then_its_ngrams():
    sub = subword_table(["ab", "abc"], 2, 3, 100)
    first = sub.rows[sub.indptr[0]:sub.indptr[1]].tolist()
    assert first == [0] + [2 + h for h in gensim_ft.ft_ngram_hashes("ab", 2, 3, 100)]
    second = sub.rows[sub.indptr[1]:sub.indptr[2]].tolist()
    assert second == [1] + [2 + h for h in gensim_ft.ft_ngram_hashes("abc", 2, 3, 100)]


# ----------------------------------------------------------------------------- estimator
def test_training_moves_word_and_ngram_rows_and_lowers_the_loss(model):
    assert model.syn0.shape == (len(model.vocab) + 3000, 16)
    assert model.losses[1] < model.losses[0]
    fresh = FastText(model="sg", epochs=1, min_n=2, max_n=5, **SMALL)
    fresh.build_vocab(model.corpus)
    v = len(model.vocab)
    used = np.unique(model.subwords.rows[model.subwords.rows >= v])
    assert not np.allclose(model.syn0[used], fresh.syn0[used])  # n-gram rows were trained
    unused = np.setdiff1d(np.arange(v, v + 3000), used)
    np.testing.assert_array_equal(model.syn0[unused], fresh.syn0[unused])


def test_cbow_and_hierarchical_softmax_train_too(sentences):
    m = FastText(model="cbow", epochs=3, hs=1, min_n=3, max_n=4,
                 **{**SMALL, "negative": 5}).fit(sentences)
    assert m.syn1 is not None and m.syn1neg is not None
    assert np.isfinite(m.losses).all() and m.losses[-1] < m.losses[0]


def test_unseen_words_are_built_from_their_ngrams(model):
    wv = model.wv
    assert isinstance(wv, FastTextVectors)
    word = "kingliness"
    assert word not in wv.key_to_index and word in wv
    rows = gensim_ft.ft_ngram_hashes(word, 2, 5, 3000)
    want = model.syn0[len(model.vocab) + np.array(rows)].mean(axis=0)
    np.testing.assert_allclose(wv[word], want, atol=1e-6)
    # a known word: the mean of its own row and its n-grams' rows
    k = wv.index_to_key[3]
    rows = [3] + [len(model.vocab) + h for h in gensim_ft.ft_ngram_hashes(k, 2, 5, 3000)]
    np.testing.assert_allclose(wv[k], model.syn0[rows].mean(axis=0), atol=1e-6)
    near = wv.most_similar(word, topn=3)
    assert len(near) == 3 and all(w in wv.key_to_index for w, _ in near)
    assert wv.most_similar(positive=[word, k], negative=["queenz"], topn=1)
    assert -1.0 <= wv.similarity(word, k) <= 1.0


def test_a_word_without_any_ngram_is_a_clear_keyerror(sentences):
    m = FastText(model="sg", epochs=1, min_n=4, max_n=5, **SMALL).fit(sentences[:300])
    with pytest.raises(KeyError, match="no character n-gram of 4..5"):
        m.wv["q"]  # "<q>" is 3 characters long
    assert "q" not in m.wv


def test_bad_settings_are_refused():
    with pytest.raises(ConfigError, match="min_n .5. is larger than max_n .3."):
        FastText(min_n=5, max_n=3)
    with pytest.raises(ConfigError, match="bucket must be"):
        FastText(bucket=0)


# ----------------------------------------------------------------------------- files
def _gensim_model(sentences, tmp_path, **kw):
    from gensim.models import FastText as GensimFastText

    g = GensimFastText(sentences=sentences, vector_size=12, min_count=2, epochs=1, workers=1,
                       bucket=500, min_n=2, max_n=4, seed=1, **kw)
    path = tmp_path / "gensim.bin"
    gensim_ft.save_facebook_model(g, str(path))
    return path


@pytest.mark.parametrize("sg", [1, 0])
def test_reads_gensims_facebook_models_as_gensim_does(sentences, tmp_path, sg):
    path = _gensim_model(sentences, tmp_path, sg=sg)
    assert detect_format(path) == "fasttext"
    wv = load_vectors(path)
    ref = gensim_ft.load_facebook_model(str(path)).wv
    assert wv.index_to_key == ref.index_to_key
    for w in ["king", "queen", "the", "kingliness", "zzqq", "naïve", "日本"]:
        np.testing.assert_allclose(wv[w], ref[w], atol=1e-5, err_msg=w)


def test_writes_facebook_models_that_gensim_reads(model, tmp_path):
    path = model.wv.save(tmp_path / "m.bin")  # a subword model's .bin is fastText's
    assert detect_format(path) == "fasttext"
    ref = gensim_ft.load_facebook_model(str(path))
    assert ref.wv.min_n == 2 and ref.wv.max_n == 5 and ref.wv.bucket == 3000
    for w in ["king", "queen", "kingliness", "zzqq", "naïve"]:
        np.testing.assert_allclose(model.wv[w], ref.wv[w], atol=1e-5, err_msg=w)
    np.testing.assert_allclose(ref.syn1neg, model.syn1neg, atol=0)


def test_loaded_models_train_further(model, sentences, tmp_path):
    path = model.save_facebook(tmp_path / "m.bin")
    again = FastText.load_facebook(path, workers=1)
    np.testing.assert_array_equal(again.syn0, model.syn0)
    np.testing.assert_array_equal(again.syn1neg, model.syn1neg)
    before = again.wv["kingliness"].copy()
    again.build_vocab(sentences[:500], update=True)
    again.train(epochs=1)
    assert np.isfinite(again.losses[-1])
    assert not np.allclose(again.wv["kingliness"], before)


def test_update_adds_new_words_before_the_buckets_and_gensim_reads_the_result(
        sentences, tmp_path):
    m = FastText(model="sg", epochs=1, min_n=2, max_n=5, **SMALL).fit(sentences)
    old = list(m.vocab.words)
    v = len(old)
    old_rows = {w: m.syn0[m.subwords.rows[m.subwords.indptr[i]:m.subwords.indptr[i + 1]]]
                for i, w in enumerate(old)}
    ngrams, out = m.syn0[v:].copy(), m.syn1neg.copy()
    kings = int(m.vocab.counts[m.vocab["king"]])
    new = "quokkas"
    assert new not in m.wv.key_to_index
    composed = m.wv[new].copy()  # before: the mean of its n-grams' rows
    more = [[new, "king", "queen"]] * 30 + [["zzyzx", "king"]]
    m.build_vocab(more, update=True)
    assert new in m.wv.key_to_index and "zzyzx" not in m.wv.key_to_index  # once < min_count
    assert len(m.vocab) == v + 1 and m.syn0.shape == (v + 1 + 3000, 16)
    np.testing.assert_array_equal(m.syn0[v + 1:], ngrams)  # the buckets follow the words
    i = m.vocab[new]
    for w in old:  # each old word keeps its own row and its n-grams' rows (ids re-sorted)
        j = m.vocab[w]
        rows = m.subwords.rows[m.subwords.indptr[j]:m.subwords.indptr[j + 1]]
        assert rows[0] == j and (rows[1:] > v).all()
        np.testing.assert_array_equal(m.syn0[rows], old_rows[w])
        np.testing.assert_array_equal(m.syn1neg[j], out[old.index(w)])
    assert not m.syn1neg[i].any() and 0 < np.abs(m.syn0[i]).max() <= INIT_HALF_WIDTH / 16
    assert m.vocab.counts[m.vocab["king"]] == kings + 31  # known words' counts add up
    assert m.corpus.n_tokens == 30 * 3 + 1  # the next train() uses the new text
    m.train(epochs=1)
    assert not np.allclose(m.wv[new], composed, atol=1e-4)
    path = m.save_facebook(tmp_path / "updated.bin")
    ref = gensim_ft.load_facebook_model(str(path))
    assert ref.wv.index_to_key == m.wv.index_to_key
    for w in [new, "king", old[-1], "kingliness", "naïve"]:
        np.testing.assert_allclose(ref.wv[w], m.wv[w], atol=1e-5, err_msg=w)
    with pytest.raises(ConfigError, match="Huffman"):
        FastText(model="cbow", epochs=1, hs=1, min_n=3, max_n=4, **SMALL).fit(
            sentences[:300]).build_vocab(more, update=True)


def test_native_format_keeps_the_ngrams(model, tmp_path):
    path = model.wv.save(tmp_path / "m.wv")
    wv = load_vectors(path)
    assert isinstance(wv, FastTextVectors)
    np.testing.assert_array_equal(wv["kingliness"], model.wv["kingliness"])
    plain = load_vectors(model.wv.save(tmp_path / "m.vec"))  # .vec: the words only
    assert type(plain) is WordVectors
    np.testing.assert_allclose(plain["king"], model.wv["king"], atol=1e-6)


def test_word2vec_binary_is_still_word2vec(tmp_path):
    wv = WordVectors(["a", "b"], np.eye(2, dtype=np.float32))
    path = save_vectors(wv, tmp_path / "w.bin")
    assert detect_format(path) == "word2vec-binary"
    with pytest.raises(ConfigError, match="fastText .bin format holds a subword model"):
        save_vectors(wv, tmp_path / "w2.bin", format="fasttext")


def test_the_fasttext_package_reads_our_files_when_installed(model, tmp_path):
    fasttext = pytest.importorskip("fasttext")
    path = model.save_facebook(tmp_path / "m.bin")
    ft = fasttext.load_model(str(path))
    for w in ["king", "kingliness"]:
        np.testing.assert_allclose(ft.get_word_vector(w), model.wv[w], atol=1e-5)


# ----------------------------------------------------------------------------- CLI
def test_cli_trains_a_subword_model_and_answers_for_unseen_words(tmp_path, capsys):
    corpus = synthetic.write_corpus(tmp_path / "c.txt", n_words=20_000, seed=3)
    out = tmp_path / "m.bin"
    rc = cli.main(["train", str(corpus), "-o", str(out), "--method", "fasttext", "--minn", "2",
                   "--maxn", "5", "--bucket", "3000", "--size", "16", "--epochs", "1",
                   "--workers", "1"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "n-gram buckets x 16 dimensions" in err  # the matrix's memory, before training
    assert detect_format(out) == "fasttext"
    wv = load_vectors(out)
    assert isinstance(wv, FastTextVectors) and wv.bucket == 3000 and wv.min_n == 2
    rc = cli.main(["-q", "similar", str(out), "kingliness", "--topn", "2"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert rc == 0 and len(lines) == 2
    plain = tmp_path / "w.bin"
    rc = cli.main(["-q", "train", str(corpus), "-o", str(plain), "--method", "fasttext",
                   "--bucket", "3000", "--size", "16", "--epochs", "1", "--workers", "1",
                   "--format", "word2vec-binary"])
    assert rc == 0 and detect_format(plain) == "word2vec-binary"


def test_fasttext_header_is_what_fasttext_writes(model, tmp_path):
    path = model.save_facebook(tmp_path / "m.bin")
    head = path.read_bytes()[:64]
    magic, version, dim, ws, epoch, min_count, neg, ngrams, loss, mdl, bucket, minn, maxn = (
        struct.unpack("<13i", head[:52]))
    assert (magic, version) == (793712314, 12)
    assert (dim, loss, mdl, bucket, minn, maxn) == (16, 2, 2, 3000, 2, 5)


def test_reads_models_the_fasttext_package_trains(tmp_path):
    fasttext = pytest.importorskip("fasttext")
    # (fastText reports NaN and stops on corpora much smaller than this)
    corpus = synthetic.write_corpus(tmp_path / "c.txt", n_words=100_000, seed=5)
    for _attempt in range(8):  # fastText sometimes diverges or stops with "Encountered NaN"
        try:
            ft = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=16, epoch=1,
                                             lr=0.01, minCount=2, bucket=2000, minn=2, maxn=4,
                                             thread=1, verbose=0)
        except RuntimeError:
            continue
        if np.abs(ft.get_input_matrix()).max() < 100:  # (or it diverged without saying so)
            break
    else:
        pytest.skip("fastText kept diverging on this small corpus")
    path = tmp_path / "ft.bin"
    ft.save_model(str(path))
    wv = load_vectors(path)
    assert isinstance(wv, FastTextVectors) and wv.index_to_key == ft.get_words()
    assert "</s>" in wv.key_to_index  # fastText's end-of-line word: its own row, no n-grams
    for w in ["</s>", wv.index_to_key[2], wv.index_to_key[-1], "kingliness", "naïve"]:
        np.testing.assert_allclose(wv[w], ft.get_word_vector(w), atol=1e-5, err_msg=w)


def test_a_neighbour_index_answers_for_subword_vectors_too(model):
    """`wordvec serve` queries every model through an index: fastText vectors included."""
    wv = model.wv
    index = wv.build_index("exact")
    assert wv.most_similar("king", topn=5, index=index) == wv.most_similar("king", topn=5)
    unseen = wv.most_similar("kingliness", topn=3, index=index)
    assert [w for w, _ in unseen] == [w for w, _ in wv.most_similar("kingliness", topn=3)]


def test_input_rows_start_in_fasttexts_range():
    # the fastText tool and gensim draw words and n-gram rows uniformly in [-1/dim, 1/dim)
    # (the word2vec C tool: half that); measured: +1.7 analogy points after 1 epoch on
    # the main corpus (39.3% -> 41.0%)
    m = FastText(vector_size=16, min_count=1, bucket=3000, epochs=1, workers=1)
    m.build_vocab([["alpha", "beta", "gamma"]] * 5)
    rows = np.abs(m.syn0)
    assert INIT_HALF_WIDTH == 1.0
    assert 0.9 / 16 < rows.max() < 1 / 16 and rows.mean() > 0.4 / 16


@pytest.mark.parametrize("flags, shared", [([], False), (["--shared-negatives"], True)])
def test_cli_fasttext_trains_with_its_own_update_unless_told(tmp_path, capsys, flags, shared):
    corpus = synthetic.write_corpus(tmp_path / "c.txt", n_words=5_000, seed=3)
    out = tmp_path / "m.wv"
    rc = cli.main(["-q", "train", str(corpus), "-o", str(out), "--method", "fasttext",
                   "--model", "sg", "--bucket", "500", "--size", "8", "--epochs", "1",
                   "--workers", "1", "--format", "native", *flags])
    assert rc == 0, capsys.readouterr().err
    assert load_vectors(out).meta["shared_negatives"] is shared
