"""Property-based tests (hypothesis): the tokenizer, the vocabulary, file round trips, resuming.

Each property is checked on a few dozen generated examples; hypothesis shrinks
any failure to a minimal case.
"""

import collections
import re
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wordvec.errors import CorpusError  # noqa: E402
from wordvec.text.corpus import DEFAULT_PATTERN, MAX_TOKEN_LENGTH, Tokenizer, tokenize  # noqa: E402
from wordvec.text.encoded import encode_corpus  # noqa: E402
from wordvec.text.vocab import Vocab  # noqa: E402
from wordvec.vectors.formats import load_state, load_vectors, save_state, save_vectors  # noqa: E402
from wordvec.vectors.keyed import WordVectors  # noqa: E402

FEW = settings(max_examples=40, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text with what makes tokenising hard: apostrophes (straight and curly), underscores,
# digits, accents, other scripts, every kind of whitespace and line break.
_PIECES = st.sampled_from(
    ["a", "B", "z", "é", "É", "ß", "ı", "İ", "ǅ", "ж", "Ж", "中", "٣", "7", "_", "'", "’",
     "-", ".", ",", "!", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\u00a0", "\u2028",
     "\x85", "don't", "'quoted'", "o'neill", "’tis", "rock'n'roll", "\ufeff",
     # combining marks: Devanagari, vocalised Arabic, Thai, decomposed Latin, a stray mark
     "हिन्दी", "اَلْعَرَبِيَّةُ", "ภาษาไทย", "u\u0308ber", "e\u0301", "\u0301", "\u0308",
     "1\u20e3", "中文", "😀", "x" * 120, "é" * 60 + "'" + "z" * 60]
)
texty = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join)


# ------------------------------------------------------------------ tokenizer


@FEW
@given(texty)
def test_tokens_are_words_without_whitespace_or_edge_apostrophes(text):
    for tok in tokenize(text):
        assert tok
        assert len(tok) <= MAX_TOKEN_LENGTH
        assert not any(ch.isspace() for ch in tok)
        assert tok[0] not in "'’" and tok[-1] not in "'’"
        # a word starts with a letter or digit of any script ([^\W_] is str.isalnum);
        # then letters, digits, their combining marks, and apostrophes inside
        assert tok[0].isalnum(), tok
        assert all(ch.isalnum() or ch in "'’" or unicodedata.category(ch)[0] == "M"
                   for ch in tok), tok
        assert "''" not in tok and "'’" not in tok and "’'" not in tok and "’’" not in tok
        for i, ch in enumerate(tok[:-1]):  # after an apostrophe, a letter or digit
            assert ch not in "'’" or tok[i + 1].isalnum(), tok
        assert unicodedata.is_normalized("NFC", tok)


@FEW
@given(texty)
def test_tokenizing_is_idempotent_and_lowercasing_is_its_first_step(text):
    tokens = tokenize(text)
    assert tokenize(" ".join(tokens)) == tokens
    assert Tokenizer(lowercase=False)(text.lower()) == tokens
    # every token is found, in order, in the lower-cased, NFC-normalised text (tokens
    # longer than the cap are found by their first MAX_TOKEN_LENGTH characters)
    pos, low = 0, unicodedata.normalize("NFC", text.lower())
    for tok in tokens:
        pos = low.index(tok, pos) + len(tok)


@FEW
@given(texty)
def test_composed_and_decomposed_text_give_the_same_words(text):
    tokens = tokenize(text)
    assert tokenize(unicodedata.normalize("NFD", text)) == tokens
    assert tokenize(unicodedata.normalize("NFC", text)) == tokens
    # without normalisation a decomposed letter stays decomposed, marks still attached
    # (the cap counts characters, so it is compared without one)
    raw = Tokenizer(normalize=False, max_token_length=None)(unicodedata.normalize("NFD", text))
    uncut = Tokenizer(max_token_length=None)(text)
    assert [unicodedata.normalize("NFC", t) for t in raw] == uncut


@FEW
@given(st.lists(texty, min_size=1, max_size=6),
       st.lists(st.binary(min_size=1, max_size=3), max_size=3))
def test_compiled_file_reader_equals_the_python_reader(lines, junk):
    """The fast path (compiled byte scan) and the pure-Python tokenizer path give the same
    vocabulary, ids, sentences and statistics, invalid UTF-8 included."""
    data = "\n".join(lines).encode("utf-8")
    for j, piece in enumerate(junk):  # sprinkle raw (often invalid) bytes into the text
        at = (len(data) * (j + 1)) // (len(junk) + 1)
        data = data[:at] + piece.replace(b"\x00", b"\x01") + data[at:]
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "c.txt"
        f.write_bytes(data)
        same_rules = Tokenizer(pattern=f"(?:{DEFAULT_PATTERN})")  # not the default: Python path
        results = []
        for tok in (None, same_rules):
            try:
                enc = encode_corpus(f, min_count=1, tokenizer=tok, max_sentence_length=7)
            except CorpusError as exc:
                results.append(("error", type(exc)))
                continue
            results.append((enc.vocab.words, enc.vocab.counts.tolist(), enc.ids.tolist(),
                            enc.offsets.tolist(), enc.stats["raw_tokens"],
                            enc.stats["invalid_bytes"]))
        assert results[0] == results[1]


# ------------------------------------------------------------------ vocabulary

words = st.sampled_from([f"w{i}" for i in range(12)] + ["x", "y", "ünï", "don't"])


@FEW
@given(st.lists(st.lists(words, max_size=12), max_size=15), st.integers(1, 4),
       st.one_of(st.none(), st.integers(1, 8)))
def test_vocabulary_counts_sorts_and_cuts(sentences, min_count, max_final):
    v = Vocab.build(sentences, min_count=min_count, max_final_vocab=max_final)
    counts = collections.Counter(w for s in sentences for w in s)
    first_seen = list(dict.fromkeys(w for s in sentences for w in s))
    assert v.counts.tolist() == [counts[w] for w in v.words]
    assert all(a >= b for a, b in zip(v.counts, v.counts[1:], strict=False))  # sorted
    for a, b in zip(v.words, v.words[1:], strict=False):  # ties: first seen first
        if counts[a] == counts[b]:
            assert first_seen.index(a) < first_seen.index(b)
    assert v.index == {w: i for i, w in enumerate(v.words)}
    assert all(v[w] == i and w in v for i, w in enumerate(v.words))
    assert v.total == int(v.counts.sum())
    kept = {w for w, c in counts.items() if c >= min_count}
    if max_final is None:
        assert set(v.words) == kept
    else:
        assert set(v.words) <= kept and len(v) <= max_final
        # the most frequent words are kept, and a group of equal counts is never split
        if len(v):
            assert all(counts[w] < counts[v.words[-1]] for w in kept - set(v.words))
        else:  # nothing fits: more words tie for the top count than max_final allows
            top = max((counts[w] for w in kept), default=None)
            assert top is None or sum(counts[w] == top for w in kept) > max_final
    assert v.keep_probs(0).tolist() == [1.0] * len(v)
    if len(v):
        p = v.noise_probs()
        assert p.sum() == pytest.approx(1.0) and (np.diff(p) <= 1e-12).all()


# ------------------------------------------------------------------ file formats

word = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10
).filter(lambda w: not any(ch.isspace() for ch in w) and "\x00" not in w)


@st.composite
def vector_sets(draw, finite=True):
    ws = draw(st.lists(word, min_size=1, max_size=8, unique=True))
    dim = draw(st.integers(1, 5))
    floats = st.floats(width=32, allow_nan=not finite, allow_infinity=not finite)
    vecs = draw(hnp.arrays(np.float32, (len(ws), dim), elements=floats))
    counts = draw(st.one_of(st.none(), hnp.arrays(np.int64, len(ws),
                                                  elements=st.integers(0, 2**40))))
    return WordVectors(ws, vecs, counts)


@FEW
@given(vector_sets())
def test_glove_and_word2vec_round_trips_keep_words_and_float_bits(wv):
    with tempfile.TemporaryDirectory() as tmp:
        for name, fmt in (("g.txt", "glove"), ("t.txt", None), ("b.bin", None),
                          ("t.txt.gz", None), ("b.bin.xz", None)):
            path = save_vectors(wv, Path(tmp) / name, format=fmt)
            back = load_vectors(path)
            assert back.index_to_key == wv.index_to_key, name
            np.testing.assert_array_equal(back.vectors.view(np.uint32),
                                          wv.vectors.view(np.uint32))


@FEW
@given(vector_sets(finite=False), st.dictionaries(
    st.text(max_size=8),
    st.recursive(st.none() | st.booleans() | st.integers(-2**62, 2**62)
                 | st.floats(allow_nan=False) | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=8),
    max_size=4))
def test_native_round_trip_keeps_everything_including_nan_and_meta(wv, meta):
    wv.meta = {k: v for k, v in meta.items() if k not in ("kind", "vocab_size", "vector_size")}
    with tempfile.TemporaryDirectory() as tmp:
        back = load_vectors(save_vectors(wv, Path(tmp) / "v.wv"), allow_nonfinite=True)
        assert back.index_to_key == wv.index_to_key
        np.testing.assert_array_equal(back.vectors.view(np.uint32), wv.vectors.view(np.uint32))
        if wv.counts is None:
            assert back.counts is None
        else:
            np.testing.assert_array_equal(back.counts, wv.counts)
        assert back.meta == wv.meta


safe_dtypes = st.sampled_from(["<f4", "<f8", "<i4", "<i8", "|u1", "|b1", "<c8", "<U3", "|S4",
                               "<u2", ">f4"])


@FEW
@given(st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,8}", fullmatch=True),
                       safe_dtypes.flatmap(lambda dt: hnp.arrays(
                           np.dtype(dt), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                          max_side=4))),
                       max_size=5),
       st.booleans())
def test_training_state_round_trip(arrays, mmap):
    arrays = {k: v for k, v in arrays.items() if k != "wordvec"}
    meta = {"epochs_done": 3, "losses": [1.5, float("nan")], "nested": {"a": [1, "x"]}}
    with tempfile.TemporaryDirectory() as tmp:
        path = save_state(Path(tmp) / "state.wv", arrays, meta, kind="test-state")
        back, got = load_state(path, mmap=mmap)
        assert set(back) == set(arrays)
        for name, a in arrays.items():
            assert back[name].dtype == a.dtype and back[name].shape == a.shape
            assert back[name].tobytes() == a.tobytes()
        assert got["kind"] == "test-state" and got["nested"] == meta["nested"]
        assert got["losses"][0] == 1.5 and np.isnan(got["losses"][1])
        del back  # release memory maps before the folder goes


# ------------------------------------------------------------------ resuming


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=9), min_size=3,
                max_size=40),
       st.integers(1, 3), st.floats(0.0, 1.0), st.sampled_from(["sg", "cbow"]),
       st.booleans())
def test_stopping_anywhere_and_resuming_from_the_checkpoint_changes_nothing(
    sentences, epochs, where, model, hs
):
    from wordvec.train.word2vec import Word2Vec

    kw = dict(model=model, hs=int(hs), negative=5, vector_size=16, min_count=1, sample=0,
              window=2, epochs=epochs, workers=1, seed=3, chunk_words=7)
    whole = Word2Vec(**kw).fit(sentences)
    m = Word2Vec(**kw).build_vocab(sentences)
    stop_at = where * epochs * m.corpus.n_tokens

    def progress(p):
        if p.words_done >= stop_at:
            m.request_stop()

    with tempfile.TemporaryDirectory() as tmp:
        ckpt = Path(tmp) / "s.ckpt"
        m.train(progress=progress, progress_every=0.0, checkpoint=ckpt)
        if m.interrupted:
            m = Word2Vec.resume(ckpt, source=sentences)
            m.train()
    np.testing.assert_array_equal(m.syn0, whole.syn0)
    np.testing.assert_array_equal(m.syn1neg, whole.syn1neg)
    if hs:
        np.testing.assert_array_equal(m.syn1, whole.syn1)
    np.testing.assert_array_equal(m.losses, whole.losses)


# ------------------------------------------------------------------ format sniffing

small_values = st.one_of(
    st.just(0.0), st.integers(-3, 3).map(float),  # integers and zeros: "1 0" is text
    st.floats(width=32, allow_nan=False, allow_infinity=False),
)


@st.composite
def sniff_sets(draw):
    ws = draw(st.lists(word, min_size=1, max_size=6, unique=True))
    dim = draw(st.integers(1, 6))
    kind = draw(st.sampled_from(["zeros", "integers", "mixed"]))
    elements = {"zeros": st.just(0.0), "integers": st.integers(-3, 3).map(float),
                "mixed": small_values}[kind]
    vecs = draw(hnp.arrays(np.float32, (len(ws), dim), elements=elements))
    return WordVectors(ws, vecs)


@FEW
@given(sniff_sets(), st.booleans())
def test_text_is_sniffed_as_text_and_binary_as_binary(wv, precision):
    from wordvec.vectors.formats import detect_format

    with tempfile.TemporaryDirectory() as tmp:
        for name, fmt in (("v.txt", "word2vec-text"), ("v.bin", "word2vec-binary"),
                          ("v.txt.gz", "word2vec-text"), ("g.txt", "glove")):
            path = save_vectors(wv, Path(tmp) / name, format="glove" if name == "g.txt" else None,
                                precision=3 if precision and fmt != "word2vec-binary" else None)
            assert detect_format(path) == fmt, (name, path.read_bytes()[:80])
            back = load_vectors(path)
            assert back.index_to_key == wv.index_to_key
            if not precision or fmt == "word2vec-binary":
                np.testing.assert_array_equal(back.vectors, wv.vectors)


@FEW
@given(vector_sets(), st.integers(0, 7), st.sampled_from([np.nan, np.inf, -np.inf]),
       st.sampled_from(["v.txt", "v.bin", "v.wv", "g.txt"]))
def test_a_file_with_nan_or_inf_is_refused_naming_the_first_bad_row(wv, at, value, name):
    from wordvec.errors import FormatError

    at = at % len(wv)
    vecs = wv.vectors.copy()
    vecs[at, -1] = value
    wv = WordVectors(wv.index_to_key, vecs)
    with tempfile.TemporaryDirectory() as tmp:
        path = save_vectors(wv, Path(tmp) / name, format="glove" if name == "g.txt" else None)
        for mmap in (False, True):
            first = re.escape(f"word {wv.index_to_key[at]!r}, row {at + 1})")
            with pytest.raises(FormatError, match=first):
                load_vectors(path, mmap=mmap)
        back = load_vectors(path, allow_nonfinite=True)
        np.testing.assert_array_equal(back.vectors.view(np.uint32), vecs.view(np.uint32))
