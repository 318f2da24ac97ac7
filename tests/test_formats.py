"""Vector files: round trips, gensim/C-tool compatibility, the safe native format, errors."""

import json
import logging
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

from wordvec import native
from wordvec.errors import ConfigError, FormatError
from wordvec.vectors import formats, word2vec_format
from wordvec.vectors.formats import (
    atomic_write,
    detect_format,
    encode_words,
    load_state,
    load_vectors,
    save_state,
    save_vectors,
)
from wordvec.vectors.keyed import WordVectors

WORDS = ["the", "naïve", "東京", "straße", "ünïcödé", "Ωmega", "x" * 70, "a-b_c", "42"]


def sample_wv(n_extra=40, dim=6, seed=0, extremes=True):
    rng = np.random.default_rng(seed)
    words = WORDS + [f"w{i}" for i in range(n_extra)]
    vecs = rng.standard_normal((len(words), dim)).astype(np.float32)
    if extremes:
        vecs[0, 0] = 1e-40  # subnormal
        vecs[1, 1] = 3.4e38
        vecs[2, 2] = -0.0
        vecs[3, 3] = 1 / 3
    return WordVectors(words, vecs, counts=np.arange(len(words), 0, -1) * 10)


def assert_same(a, b):
    assert a.index_to_key == b.index_to_key
    assert a.vectors.dtype == np.float32
    # bit-for-bit, including the sign of zero
    np.testing.assert_array_equal(a.vectors.view(np.uint32), b.vectors.view(np.uint32))


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize(
    "name, fmt",
    [
        ("v.bin", "word2vec-binary"),
        ("v.txt", "word2vec-text"),
        ("v.vec", "word2vec-text"),
        ("v.wv", "native"),
        ("v.txt.gz", "word2vec-text"),
        ("v.bin.bz2", "word2vec-binary"),
        ("v.txt.xz", "word2vec-text"),
    ],
)
def test_round_trip_is_exact_and_format_is_recognised(tmp_path, name, fmt):
    wv = sample_wv()
    path = save_vectors(wv, tmp_path / name)
    assert detect_format(path) == fmt
    assert_same(load_vectors(path), wv)


def test_glove_round_trip_and_detection(tmp_path):
    wv = sample_wv()
    path = save_vectors(wv, tmp_path / "glove.6B.6d.txt", format="glove")
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.split(" ")[0] == "the" and len(first.split(" ")) == 7  # no header line
    assert detect_format(path) == "glove"
    assert_same(load_vectors(path), wv)


def test_loading_trusts_content_not_extension(tmp_path):
    wv = sample_wv()
    path = save_vectors(wv, tmp_path / "misnamed.bin", format="word2vec-text")
    assert path.read_bytes().startswith(b"49 6\nthe ")
    assert_same(load_vectors(path), wv)
    native = save_vectors(wv, tmp_path / "really_native.txt", format="native")
    assert_same(load_vectors(native), wv)


def test_explicit_format_that_contradicts_the_content_is_refused(tmp_path):
    path = save_vectors(sample_wv(), tmp_path / "v.txt")
    with pytest.raises(FormatError, match="word2vec-text"):
        load_vectors(path, format="word2vec-binary")
    with pytest.raises(FormatError, match="looks like word2vec-text"):
        load_vectors(path, format="glove")
    with pytest.raises(ConfigError, match="unknown vector format"):
        load_vectors(path, format="hdf5")


def test_limit_reads_only_the_first_words(tmp_path):
    wv = sample_wv()
    for name in ("v.bin", "v.txt", "v.wv"):
        got = load_vectors(save_vectors(wv, tmp_path / name), limit=5)
        assert got.index_to_key == wv.index_to_key[:5]
        np.testing.assert_array_equal(got.vectors, wv.vectors[:5])
    glove = save_vectors(wv, tmp_path / "g.txt", format="glove")
    assert len(load_vectors(glove, limit=3)) == 3


def test_limit_still_reads_the_intact_start_of_a_truncated_file(tmp_path, caplog):
    wv = sample_wv()
    path = save_vectors(wv, tmp_path / "v.bin")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        got = load_vectors(path, limit=4)
    assert got.index_to_key == wv.index_to_key[:4]
    assert "shorter than its header claims" in caplog.text


def test_native_keeps_counts_and_metadata(tmp_path):
    wv = sample_wv()
    wv.meta = {"model": "sg", "window": 5}
    got = load_vectors(save_vectors(wv, tmp_path / "v.wv"))
    np.testing.assert_array_equal(got.counts, wv.counts)
    assert got.meta == {"model": "sg", "window": 5}


def test_empty_vocabulary_round_trips(tmp_path):
    wv = WordVectors([], np.zeros((0, 4), np.float32))
    for name in ("e.bin", "e.txt", "e.wv"):
        got = load_vectors(save_vectors(wv, tmp_path / name))
        assert len(got) == 0 and got.vector_size == 4


# ---------------------------------------------------------------- C tool and gensim
def test_binary_layout_is_the_c_tools(tmp_path):
    vecs = np.array([[1.5, -2.0], [0.25, 8.0]], dtype=np.float32)
    path = save_vectors(WordVectors(["ab", "ü"], vecs), tmp_path / "c.bin")
    expected = (
        b"2 2\n"
        + b"ab " + struct.pack("<2f", 1.5, -2.0) + b"\n"
        + "ü".encode() + b" " + struct.pack("<2f", 0.25, 8.0) + b"\n"
    )
    assert path.read_bytes() == expected


def test_binary_without_newlines_and_with_duplicates_reads_like_gensim(tmp_path, caplog):
    # gensim writes no newline after a vector; a repeated word keeps its first vector
    body = b"3 2\n" + b"a " + struct.pack("<2f", 1, 2) + b"b " + struct.pack("<2f", 3, 4)
    body += b"a " + struct.pack("<2f", 5, 6)
    path = tmp_path / "g.bin"
    path.write_bytes(body)
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        wv = load_vectors(path)
    assert wv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4]])
    assert "duplicate word 'a'" in caplog.text


@pytest.mark.parametrize("binary", [True, False])
def test_gensim_reads_ours_and_we_read_gensims(tmp_path, binary):
    from gensim import models  # `make test` installs gensim: its absence fails

    wv = sample_wv()
    ext = ".bin" if binary else ".txt"
    ours = save_vectors(wv, tmp_path / f"ours{ext}")
    kv = models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert kv.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(kv.vectors.view(np.uint32), wv.vectors.view(np.uint32))

    kv2 = models.KeyedVectors(wv.vector_size)
    kv2.add_vectors(wv.index_to_key, wv.vectors)
    theirs = tmp_path / f"gensim{ext}"
    kv2.save_word2vec_format(str(theirs), binary=binary)
    assert_same(load_vectors(theirs), wv)
    if not binary:  # same numbers, same spelling: the text files are identical
        assert ours.read_bytes() == theirs.read_bytes()


def test_gensim_alias_methods(tmp_path):
    wv = sample_wv()
    path = wv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    assert_same(WordVectors.load_word2vec_format(path, binary=True), wv)
    assert_same(WordVectors.load(wv.save(tmp_path / "v.wv")), wv)


def test_glove_lines_with_spaces_inside_the_word(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("the 0.1 0.2\n. . . 0.3 0.4\nat 0.5 0.6\n", encoding="utf-8")
    wv = load_vectors(path)
    assert wv.index_to_key == ["the", ". . .", "at"]
    np.testing.assert_allclose(wv[". . ."], [0.3, 0.4])


def test_precision_writes_fewer_digits(tmp_path):
    wv = sample_wv()
    path = save_vectors(wv, tmp_path / "v.txt", precision=4)
    line = path.read_text(encoding="utf-8").splitlines()[12]
    digits = [x.lstrip("-").split("e")[0].replace(".", "").lstrip("0") for x in line.split()[1:]]
    assert len(digits) == 6 and max(len(d) for d in digits) <= 4
    np.testing.assert_allclose(load_vectors(path).vectors[10:], wv.vectors[10:], rtol=1e-3)


# ---------------------------------------------------------------- broken input
def test_malformed_text_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("3 2\na 0.1 0.2\nb 0.3 zebra\nc 0.5 0.6\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        load_vectors(path)
    assert str(path) in str(err.value) and "line 3" in str(err.value)
    assert "'zebra' is not a number" in str(err.value)
    path.write_text("3 2\na 0.1 0.2\nb 0.3\nc 0.5 0.6\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 3: expected a word and 2 numbers, found 2"):
        load_vectors(path)


def test_truncated_files_say_so(tmp_path):
    wv = sample_wv()
    for name in ("v.bin", "v.txt", "v.bin.gz"):
        path = save_vectors(wv, tmp_path / name)
        if name.endswith(".gz"):
            import gzip

            raw = gzip.decompress(path.read_bytes())
            path.write_bytes(gzip.compress(raw[:-10]))
        else:
            data = path.read_bytes()
            path.write_bytes(data[:-10])
        with pytest.raises(FormatError, match="truncated"):
            load_vectors(path)


def test_header_promising_more_than_the_file_holds_is_refused_before_allocating(tmp_path):
    path = tmp_path / "liar.bin"
    path.write_bytes(b"1000000000 300\nthe " + b"\0" * 1200)
    with pytest.raises(FormatError, match=r"promises 1000000000 words.*truncated or its header"):
        load_vectors(path)
    text = tmp_path / "liar.txt"
    text.write_text("5000000 2\na 1 2\n", encoding="utf-8")
    with pytest.raises(FormatError, match="promises 5000000 words"):
        load_vectors(text)


def test_files_of_other_kinds_are_described(tmp_path):
    prose = tmp_path / "corpus.txt"
    prose.write_text("It was a bright cold day in April.\nAnd the clocks struck thirteen.\n")
    with pytest.raises(FormatError, match="not a word-vector file.*text"):
        load_vectors(prose)
    pkl = tmp_path / "model.kv"
    pkl.write_bytes(pickle.dumps({"vectors": [1, 2, 3]}, protocol=4))
    with pytest.raises(FormatError, match="pickle"):
        load_vectors(pkl)
    npy = tmp_path / "vectors.npy"
    np.save(npy, np.zeros((2, 2)))
    with pytest.raises(FormatError, match=r"\.npy array"):
        load_vectors(npy)
    with pytest.raises(FormatError, match="no such file"):
        load_vectors(tmp_path / "missing.bin")
    with pytest.raises(FormatError, match="empty file"):
        (tmp_path / "empty.vec").write_bytes(b"")
        load_vectors(tmp_path / "empty.vec")


def test_invalid_utf8_word_is_reported_and_can_be_replaced(tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(b"1 1\n\xff\xfe " + struct.pack("<f", 1.0) + b"\n")
    with pytest.raises(FormatError, match="unicode_errors"):
        load_vectors(path)
    assert load_vectors(path, unicode_errors="replace").index_to_key == ["\ufffd\ufffd"]


def test_words_the_word2vec_formats_cannot_hold_are_refused(tmp_path):
    wv = WordVectors(["new york", "b"], np.ones((2, 2), np.float32))
    for name in ("v.bin", "v.txt"):
        with pytest.raises(FormatError, match="'new york'.*native"):
            save_vectors(wv, tmp_path / name)
        assert not (tmp_path / name).exists()
    assert load_vectors(save_vectors(wv, tmp_path / "v.wv")).index_to_key == ["new york", "b"]


# ---------------------------------------------------------------- native format
def test_native_file_memory_maps_aligned_arrays_and_is_a_plain_npz(tmp_path):
    wv = sample_wv(n_extra=500, dim=32, extremes=False)
    path = save_vectors(wv, tmp_path / "v.wv")
    mapped = load_vectors(path, mmap=True)
    assert isinstance(mapped.vectors, np.memmap) and not mapped.vectors.flags.writeable
    assert mapped.vectors.offset % 64 == 0
    assert_same(mapped, wv)
    assert mapped.most_similar("the", topn=3) == wv.most_similar("the", topn=3)
    with np.load(path, allow_pickle=False) as npz:  # any NumPy user can read it
        np.testing.assert_array_equal(npz["vectors"], wv.vectors)
        np.testing.assert_array_equal(npz["counts"], wv.counts)
    with zipfile.ZipFile(path) as zf:
        header = json.loads(zf.read("wordvec.json"))
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    assert header["format"] == "wordvec" and header["kind"] == "word-vectors"
    assert header["arrays"]["vectors"] == {"dtype": "<f4", "shape": [len(wv), 32]}


def test_saving_twice_gives_identical_bytes(tmp_path):
    wv = sample_wv()
    a = save_vectors(wv, tmp_path / "a.wv").read_bytes()
    b = save_vectors(wv, tmp_path / "b.wv").read_bytes()
    assert a == b


def test_state_round_trip_with_many_dtypes(tmp_path):
    arrays = {
        "syn0": np.arange(12, dtype=np.float32).reshape(3, 4),
        "syn1neg": np.linspace(0, 1, 12).reshape(4, 3),
        "counts": np.array([5, 3, 1], dtype=np.int64),
        "ids": np.array([], dtype=np.int32),
        "flags": np.array([True, False]),
        "names": np.array(["ab", "ü"]),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3)),
    }
    meta = {"epochs_done": np.int64(3), "alpha": np.float32(0.025), "config": {"sg": 1}}
    path = save_state(tmp_path / "state.wvstate", arrays, meta)
    for mmap in (False, True):
        got, got_meta = load_state(path, mmap=mmap)
        assert set(got) == set(arrays)
        for name, arr in arrays.items():
            np.testing.assert_array_equal(got[name], arr)
            assert got[name].dtype == arr.dtype
        assert got_meta["epochs_done"] == 3 and got_meta["config"] == {"sg": 1}
        assert got_meta["alpha"] == pytest.approx(0.025)


def test_state_holding_words_and_vectors_loads_as_word_vectors(tmp_path):
    words = ["a", "b", "c"]
    arrays = {"words": formats.encode_words(words), "vectors": np.eye(3, dtype=np.float32),
              "syn1neg": np.zeros((3, 3), np.float32)}
    path = save_state(tmp_path / "ckpt.wvstate", arrays, {"epochs_done": 1}, kind="training")
    wv = load_vectors(path)
    assert wv.index_to_key == words
    with pytest.raises(FormatError, match="kind 'training' without word vectors"):
        load_vectors(save_state(tmp_path / "other", {"x": np.ones(2)}, {}, kind="training"))


def test_object_arrays_are_never_saved(tmp_path):
    with pytest.raises(ConfigError, match="dtype object"):
        save_state(tmp_path / "x.wv", {"bad": np.array([{"a": 1}], dtype=object)}, {})
    with pytest.raises(ConfigError, match="not allowed"):
        save_state(tmp_path / "x.wv", {"../evil": np.ones(2)}, {})


class _Trap:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickled_payload_is_refused_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.wv"
    with zipfile.ZipFile(path, "w") as zf:
        header = {"format": "wordvec", "version": 1, "kind": "word-vectors",
                  "arrays": {"words": {"dtype": "|u1", "shape": [1]},
                             "vectors": {"dtype": "|O", "shape": [1, 1]}}, "meta": {}}
        zf.writestr("wordvec.json", json.dumps(header))
        with zf.open("words.npy", "w") as f:
            np.lib.format.write_array(f, np.frombuffer(b"a", np.uint8))
        with zf.open("vectors.npy", "w") as f:
            payload = np.empty((1, 1), dtype=object)
            payload[0, 0] = _Trap(str(marker))
            np.lib.format.write_array(f, payload, allow_pickle=True)
    for mmap in (False, True):
        with pytest.raises(FormatError, match="never loads pickled data"):
            load_vectors(path, mmap=mmap)
    assert not marker.exists()


def test_damaged_native_files_are_reported(tmp_path):
    wv = sample_wv(n_extra=200, dim=16)
    path = save_vectors(wv, tmp_path / "v.wv")
    offset = load_vectors(path, mmap=True).vectors.offset
    data = bytearray(path.read_bytes())
    data[offset + 100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="checksum"):
        load_vectors(path)
    path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(FormatError, match="damaged or truncated"):
        load_vectors(path)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, vectors=np.ones((2, 2)))
    with pytest.raises(FormatError, match="without wordvec.json"):
        load_vectors(foreign)


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "future.wv"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("wordvec.json", json.dumps({"format": "wordvec", "version": 99,
                                                "arrays": {}}))
    with pytest.raises(FormatError, match="newer wordvec"):
        load_state(path)


# ---------------------------------------------------------------- atomic writes
def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as f:
            f.write("half of the new")
            raise RuntimeError("crash")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]
    with atomic_write(path, "w") as f:
        f.write("new")
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("name", ["v.txt", "v.wv"])
def test_a_crash_mid_save_leaves_the_previous_file(tmp_path, monkeypatch, name):
    wv = sample_wv()
    path = save_vectors(wv, tmp_path / name)
    before = path.read_bytes()

    def exploding(*args, **kwargs):
        raise OSError("disk full")

    # the functions that produce the bytes, in the layers that write them
    module, target = ((word2vec_format, "_format_rows") if name.endswith(".txt")
                      else (native, "_npy_header"))
    original = getattr(module, target)
    calls = []

    def partial(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            exploding()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, target, partial if target == "_npy_header" else exploding)
    with pytest.raises(OSError, match="disk full"):
        save_vectors(sample_wv(seed=1), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [name]


# ---------------------------------------------------------------- any words, any floats
def test_round_trip_of_arbitrary_words_and_float_bits():
    import tempfile
    from pathlib import Path

    import hypothesis  # `make test` installs hypothesis: its absence fails
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    word = st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
        min_size=1, max_size=12,
    ).filter(lambda w: not any(ch.isspace() for ch in w))

    @st.composite
    def vector_sets(draw):
        words = draw(st.lists(word, min_size=1, max_size=8, unique=True))
        dim = draw(st.integers(1, 5))
        floats = st.floats(width=32, allow_nan=False)
        vecs = draw(hnp.arrays(np.float32, (len(words), dim), elements=floats))
        return WordVectors(words, vecs)

    @hypothesis.settings(max_examples=40, deadline=None)
    @hypothesis.given(vector_sets())
    def check(wv):
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("v.bin", "v.txt", "v.wv"):
                # (infinities included: they are written and read back bit for bit on request)
                assert_same(load_vectors(save_vectors(wv, Path(tmp) / name),
                                         allow_nonfinite=True), wv)

    check()


# ---------------------------------------------------------------- what wordvec writes it reads
def test_binary_writer_refuses_words_its_reader_would_refuse(tmp_path):
    huge = "x" * 2_000_000
    wv = WordVectors(["a", huge], np.ones((2, 3), np.float32))
    with pytest.raises(FormatError, match=r"word #1 .* 2000000 bytes long"):
        save_vectors(wv, tmp_path / "v.bin")
    assert list(tmp_path.iterdir()) == []  # refused before anything was written
    for name in ("v.txt", "v.wv"):  # formats without a length limit keep it
        assert load_vectors(save_vectors(wv, tmp_path / name)).index_to_key == ["a", huge]
    ok = WordVectors(["a", "é" * 1000], np.ones((2, 3), np.float32))
    assert load_vectors(save_vectors(ok, tmp_path / "ok.bin")).index_to_key[1] == "é" * 1000


@pytest.mark.parametrize(
    "content,fmt",
    [
        (b"3 2\na 1 0\nb 0 1\nc 1 1\n", "word2vec-text"),
        (b"2 2\na 0 0\nb 0 0", "word2vec-text"),
        (b"2 3\nnew york 1 2 3\nb 4 5 6\n", "word2vec-text"),  # a word with a space
        (b"1 2\na " + np.zeros(2, "<f4").tobytes(), "word2vec-binary"),
        (b"2 1\na " + np.float32(1).tobytes() + b"\nb " + np.float32(2).tobytes() + b"\n",
         "word2vec-binary"),
        (b"2 1\na " + np.float32(1).tobytes() + b"b " + np.float32(2).tobytes(),
         "word2vec-binary"),  # gensim: no newline after each vector
        (b"1 1\nw p>%}\n", "word2vec-binary"),  # float bytes that happen to be printable
        (b"2 2\nw1 Br|WCj+=\nw2 iU\xc9\x85rA\xcb\xb9\n", "word2vec-binary"),
        (b"0 0\n", "glove"),  # GloVe: the word "0" with the vector [0]
        (b"0 1\na 0\n", "glove"),  # as word2vec, 0 words would be followed by a row
        (b"3 4\na 1 2\n", "word2vec-text"),  # broken text: the text reader says which line
        (b"1 40000\nw " + b"0.5 " * 20000, "word2vec-text"),  # a first line longer than the sniff
    ],
)
def test_sniffing_text_against_binary(tmp_path, content, fmt):
    from wordvec.vectors.formats import detect_format

    f = tmp_path / "v"
    f.write_bytes(content)
    assert detect_format(f) == fmt


def test_describe_native_agrees_with_load_and_reads_no_array(tmp_path):
    for n_extra in (0, 40, 5000):
        wv = sample_wv(n_extra=n_extra)
        wv.meta = {"losses": [1.5, 1.2]}
        path = save_vectors(wv, tmp_path / f"v{n_extra}.wv")
        count, dims, head, meta = formats.describe_native(path, n_words=10)
        loaded = load_vectors(path)
        assert (count, dims) == (len(loaded), loaded.vector_size)
        assert head == loaded.index_to_key[:10] and meta == loaded.meta
    empty = save_vectors(WordVectors([], np.zeros((0, 3), np.float32)), tmp_path / "e.wv")
    assert formats.describe_native(empty)[:3] == (0, 3, [])
    # a flipped byte inside the vectors goes unnoticed: their data is not read
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("vectors.npy")
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    last = info.header_offset + 30 + name_len + extra_len + info.compress_size - 1
    raw[last] ^= 0xFF  # the last byte of the last vector
    path.write_bytes(bytes(raw))
    assert formats.describe_native(path)[0] == len(loaded)
    with pytest.raises(FormatError, match="checksum"):
        load_vectors(path)


def test_describe_native_checks_what_load_checks(tmp_path):
    words = encode_words(["a", "b", "c"])
    bad = save_state(tmp_path / "bad.wv", {"words": words, "vectors": np.ones((2, 3))})
    with pytest.raises(FormatError, match="3 words for 2 vectors"):
        formats.describe_native(bad)
    counts = save_state(tmp_path / "c.wv", {"data": np.ones(3)}, kind="cooccurrence")
    with pytest.raises(FormatError, match="without word vectors"):
        formats.describe_native(counts)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_compressed_native_members_are_refused(tmp_path, method):
    path = save_vectors(sample_wv(), tmp_path / "v.wv")
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    repacked = tmp_path / "repacked.wv"
    with zipfile.ZipFile(repacked, "w") as out:
        for name, data in members:
            out.writestr(name, data, compress_type=method if name == "counts.npy" else 0)
    for call in (load_vectors, lambda p: load_vectors(p, mmap=True), load_state,
                 formats.describe_native):
        with pytest.raises(FormatError, match=r"member counts\.npy is compressed"):
            call(repacked)


# ---------------------------------------------------------------- the file layers
def test_parts_round_trip_through_the_store_with_extra_arrays(tmp_path):
    from wordvec.vectors.store import VectorParts, load_parts, save_parts

    wv = sample_wv()
    ngrams = np.arange(12, dtype=np.float32).reshape(4, 3)
    parts = VectorParts(wv.index_to_key, wv.vectors, np.arange(len(wv)), {"note": "x"},
                        extra={"vectors_ngrams": ngrams})
    path = save_parts(parts, tmp_path / "v.wv")
    back = load_parts(path)
    assert list(back.words) == wv.index_to_key and back.source == path
    assert np.array_equal(back.vectors, wv.vectors) and back.meta == {"note": "x"}
    assert list(back.extra) == ["vectors_ngrams"]
    assert np.array_equal(back.extra["vectors_ngrams"], ngrams)
    # WordVectors.load and the front door read the same file (the extra array is ignored)
    assert WordVectors.load(path).index_to_key == load_vectors(path).index_to_key
    with pytest.raises(ConfigError, match="counts"):
        save_parts(VectorParts(["a"], np.ones((1, 2), np.float32),
                               extra={"counts": np.ones(1)}), tmp_path / "w.wv")
    assert not (tmp_path / "w.wv").exists()
