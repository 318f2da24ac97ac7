import tracemalloc

import numpy as np
import pytest

from wordvec.errors import CorpusError, VocabError
from wordvec.text.corpus import Tokenizer, iter_sentences
from wordvec.text.encoded import EncodedCorpus, encode_corpus

MESSY = (
    "The Cat's hat, the cat's HAT!  Über-cool café; don't stop.\n"
    "\n"
    "  numbers 1 2 3 and 'quotes' \t tabs\r\n"
    "bad bytes @ here"
)


def _write_messy(tmp_path, repeat=50):
    p = tmp_path / "messy.txt"
    data = MESSY.encode("utf-8").replace(b"@", b"\xff") + b"\n"
    p.write_bytes(data * repeat)
    return p


def _same(a, b):
    assert a.vocab.words == b.vocab.words
    assert a.vocab.counts.tolist() == b.vocab.counts.tolist()
    assert np.array_equal(np.asarray(a.ids), np.asarray(b.ids))
    assert np.array_equal(a.offsets, b.offsets)


def test_fast_path_equals_python_path(tmp_path):
    p = _write_messy(tmp_path)
    fast = encode_corpus(p, min_count=2)
    slow = encode_corpus(list(iter_sentences(p)), min_count=2)
    _same(fast, slow)
    assert fast.stats["invalid_bytes"] == 50
    assert "café" in fast.vocab and "don't" in fast.vocab and "cat's" in fast.vocab


def test_long_lines_are_cut_identically(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.integers(0, 300, 30_000)]
    p = tmp_path / "t8.txt"
    p.write_text(" " + " ".join(words))
    fast = encode_corpus(p, min_count=1, max_sentence_length=1000)
    slow = encode_corpus(list(iter_sentences(p, max_sentence_length=1000)), min_count=1)
    _same(fast, slow)
    assert fast.n_sentences == 30 and fast.n_tokens == 30_000
    assert fast.decode(0) == words[:1000]


def test_out_of_vocabulary_tokens_are_dropped():
    enc = EncodedCorpus.from_sentences([["a", "b", "a"], ["zz"], ["b", "a"]], min_count=1)
    enc2 = encode_corpus([["a", "b", "a"], ["zz"], ["b", "a"]], min_count=2)
    assert enc2.vocab.words == ["a", "b"]
    assert enc2.ids.tolist() == [0, 1, 0, 1, 0]
    assert enc2.offsets.tolist() == [0, 3, 5]  # the all-unknown sentence vanishes
    assert enc.n_sentences == 3


def test_generator_and_custom_tokenizer(tmp_path):
    gen = (s for s in [["x", "y"], ["y"]])
    enc = encode_corpus(gen, min_count=1)
    assert enc.vocab.words == ["y", "x"]
    p = tmp_path / "c.txt"
    p.write_text("A-B c\n")
    enc = encode_corpus(p, min_count=1, tokenizer=str.split)
    assert enc.vocab.words == ["A-B", "c"]
    enc = encode_corpus(p, min_count=1, tokenizer=Tokenizer(lowercase=False))
    assert enc.vocab.words == ["A", "B", "c"]


def test_max_vocab_size_path(tmp_path):
    p = _write_messy(tmp_path)
    enc = encode_corpus(p, min_count=1, max_vocab_size=1000)
    ref = encode_corpus(p, min_count=1)
    _same(enc, ref)  # nothing pruned at this size
    with pytest.raises(Exception, match="read twice"):
        encode_corpus((s for s in [["a"]]), max_vocab_size=10)


def test_workdir_reload_and_pread(tmp_path):
    p = _write_messy(tmp_path)
    enc = encode_corpus(p, min_count=1, workdir=tmp_path / "enc")
    again = EncodedCorpus.load(tmp_path / "enc")
    _same(enc, again)
    assert np.array_equal(again.read(3, 40), np.asarray(again.ids[3:40]))
    buf = np.empty(100, np.int32)
    assert np.array_equal(again.read(10, 20, out=buf), np.asarray(again.ids[10:20]))


def test_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(CorpusError, match="no words"):
        encode_corpus(empty)
    punct = tmp_path / "punct.txt"
    punct.write_text("!!! ... ,,, ???\n-- ;;\n")
    with pytest.raises(CorpusError, match="no words"):
        encode_corpus(punct)
    few = tmp_path / "few.txt"
    few.write_text("one two two\n")
    with pytest.raises(VocabError, match="min_count=5"):
        encode_corpus(few, min_count=5)


def test_encoding_memory_does_not_grow_with_corpus_length(tmp_path):
    # The compiled pass works chunk by chunk: its peak memory depends on the chunk
    # size and the vocabulary, not on the length of the text. Compare 12 MB and
    # 36 MB, one thread (each scanning thread has its own tables); both hold more
    # than one block of raw ids (_RAW_BLOCK), the expansion's unit.
    from wordvec.text import encoded

    rng = np.random.default_rng(0)
    line = " ".join(f"word{i}" for i in rng.integers(0, 500, 200_000)).encode() + b"\n"
    encode_corpus([["warm", "up"]], min_count=1)  # compile outside the measurement
    peaks = []
    for mb in (12, 36):
        p = tmp_path / f"big{mb}.txt"
        p.write_bytes(line * (mb * 1024 * 1024 // len(line)))
        encoded.MAPPED["peak"] = encoded.MAPPED["live"]
        tracemalloc.start()
        enc = encode_corpus(p, min_count=1, workers=1)
        # the heap (tracemalloc) and the scan's own memory maps, each at its peak
        peaks.append(tracemalloc.get_traced_memory()[1] + encoded.MAPPED["peak"])
        tracemalloc.stop()
        assert enc.n_tokens >= mb * 100_000
        del enc
        assert encoded.MAPPED["live"] == 0  # every map was released
    assert peaks[1] - peaks[0] < 2 * 1024 * 1024, f"peaks {peaks}"
    assert peaks[1] < 64 * 1024 * 1024


@pytest.mark.shared
def test_main_corpus_vocabulary(shared_data, tmp_path):
    # the real text8 prefix: 1.17M words, read through the compiled path
    enc = encode_corpus(shared_data / "corpora" / "text8-original-prefix.txt.xz", min_count=5)
    assert enc.stats["raw_tokens"] == 1_171_946
    assert enc.vocab.words[:2] == ["the", "of"]


def test_huge_tokens_and_runs_give_the_same_result_on_both_paths(tmp_path, caplog):
    """A 3 MiB "word", a 1.5 MiB run of words glued by punctuation and a 2M-character
    token: both readers cut them identically (runs at MAX_RUN_BYTES, words at
    MAX_TOKEN_LENGTH characters) and the vocabulary stays small."""
    import logging

    from wordvec.text.corpus import MAX_RUN_BYTES, MAX_TOKEN_LENGTH

    p = tmp_path / "long.txt"
    glued = ",".join(["ab"] * (MAX_RUN_BYTES // 2))  # 1.5 MiB without whitespace
    p.write_text("start " + "é" * (3 << 19) + " mid\n" + glued + " x\n" + "z" * 2_000_000
                 + " end\n", "utf-8")
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        fast = encode_corpus(p, min_count=1)
    slow = encode_corpus(p, min_count=1, tokenizer=Tokenizer(pattern=f"(?:{_pattern()})"))
    _same(fast, slow)
    assert "run(s) of more than" in caplog.text and "cut 2 token(s)" in caplog.text
    assert fast.stats["tokens_cut"] == slow.stats["tokens_cut"] == 2
    assert fast.stats["invalid_bytes"] == 0  # the cut is moved to a character boundary
    assert max(len(w) for w in fast.vocab.words) == MAX_TOKEN_LENGTH
    # (the cut at 1 MiB falls inside an "ab", leaving an "a")
    assert set(fast.vocab.words) == {"start", "é" * MAX_TOKEN_LENGTH, "mid", "ab", "a", "x",
                                     "z" * MAX_TOKEN_LENGTH, "end"}
    # the glued run keeps its first MAX_RUN_BYTES bytes: 1 MiB / len("ab,") words
    assert fast.vocab.counts[fast.vocab.index["ab"]] == (MAX_RUN_BYTES + 1) // 3


def _pattern():
    from wordvec.text.corpus import DEFAULT_PATTERN

    return DEFAULT_PATTERN


@pytest.mark.parametrize("workers", [2, 3, 7])
def test_parallel_scan_equals_single_thread(tmp_path, monkeypatch, workers):
    """Byte ranges scanned by several threads and merged give exactly the single-thread
    result: ids, offsets, vocabulary order and counts, invalid bytes, cut tokens."""
    from wordvec.text import encoded

    folder = tmp_path / "corpus"
    folder.mkdir()
    messy = MESSY.encode("utf-8").replace(b"@", b"\xff") + b"\n"
    rng = np.random.default_rng(1)
    words = " ".join(f"W{i}" if i % 7 else f"w{i}," for i in rng.integers(0, 500, 20_000))
    (folder / "a.txt").write_bytes(messy * 40 + words.encode() + b"\n" + b"q" * 200 + b" end")
    (folder / "b.txt").write_bytes(b"short file\n")
    (folder / "c.txt").write_bytes((words + "\n").encode() * 3 + messy * 7)
    single = encode_corpus(folder, min_count=1, max_sentence_length=300, workers=1)
    monkeypatch.setattr(encoded, "PARALLEL_MIN_BYTES", 0)
    ranges = encoded.plan_ranges(encoded.corpus_mod.corpus_files(folder), workers, 0)
    assert len(ranges) == workers  # the files really are cut into several ranges
    tok = Tokenizer(max_token_length=100)
    par = encode_corpus(folder, min_count=1, max_sentence_length=300, workers=workers,
                        tokenizer=tok)
    _same(single, par)
    assert single.stats == {**par.stats, "seconds": single.stats["seconds"]}
    assert par.stats["invalid_bytes"] == 47 and par.stats["tokens_cut"] == 1
    assert tok.tokens_cut == 1


def test_whole_blocks_of_one_word_tokens_equal_token_by_token(tmp_path):
    """Blocks whose raw tokens are each one word (after lower-casing and NFC) are
    tokenised in one call; the result is that of the Python reader."""
    import unicodedata

    p = tmp_path / "clean.txt"
    nfd = unicodedata.normalize("NFD", "Über café")
    p.write_text(("The CAT sat " + nfd + " ΟΔΟΣ the cat\n") * 30, "utf-8")
    fast = encode_corpus(p, min_count=1)
    slow = encode_corpus(list(iter_sentences(p)), min_count=1)
    _same(fast, slow)
    assert "über" in fast.vocab and "cat" in fast.vocab and "The" not in fast.vocab
    assert fast.n_tokens == slow.n_tokens == 30 * 8


@pytest.mark.parametrize("workers", [1, 2])
def test_tables_that_grow_mid_chunk_give_the_python_result(tmp_path, monkeypatch, workers):
    """100,000 distinct tokens: the scan's table, token arrays and arena start small and
    are doubled whenever the kernel stops for room, in the middle of a chunk; ids,
    counts and first-seen order are those of the Python reader."""
    from wordvec.text import encoded

    rng = np.random.default_rng(3)
    ids = np.concatenate([np.arange(100_000), rng.integers(0, 100_000, 150_000)])
    lines = [" ".join(f"t{i}x" * (1 + i % 3) for i in part) for part in np.split(ids, 50)]
    p = tmp_path / "many.txt"
    p.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(encoded, "PARALLEL_MIN_BYTES", 0)
    grown = []
    reserve = encoded._Scan.reserve

    def spy(self, tokens, arena_bytes):
        grown.append(len(self.table))
        reserve(self, tokens, arena_bytes)

    monkeypatch.setattr(encoded._Scan, "reserve", spy)
    fast = encode_corpus(p, min_count=1, workers=workers)
    assert len(grown) >= 2  # the kernel really stopped for room, more than once
    slow = encode_corpus(list(iter_sentences(p)), min_count=1)
    _same(fast, slow)
    assert len(fast.vocab) == 100_000


def test_tokens_with_equal_hashes_stay_apart():
    """The table compares bytes, not only hashes: tokens whose hashes are equal (and one
    a prefix of the other) get their own ids; an equal token finds its id."""
    from wordvec.text import encoded, fastscan

    a = encoded._Scan()
    b = encoded._Scan()
    words = [b"ab", b"abc", b"a", b"abd", b"abc"]
    arena = b"".join(w + b"\n" for w in words)
    n = len(words)
    b.arena[: len(arena)] = np.frombuffer(arena, np.uint8)
    starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
    b.starts[:n] = starts
    b.lengths[:n] = [len(w) for w in words]
    b.hashes[:n] = 12345  # one hash for all: same slot, same tag
    b.counts[:n] = [1, 2, 3, 4, 5]
    mapping = np.empty(n, np.int32)
    fastscan.merge_tokens(a.table, a.hashes, a.starts, a.lengths, a.counts, a.arena,
                          a.state, b.hashes, b.starts, b.lengths, b.counts, b.arena, n, mapping)
    assert mapping.tolist() == [0, 1, 2, 3, 1]
    assert a.counts[:4].tolist() == [1, 7, 3, 4]
    assert int(a.state[0]) == 4


def test_the_collector_is_paused_while_the_vocabulary_is_built_then_restored(tmp_path,
                                                                              monkeypatch):
    """The compiled path builds the vocabulary with the cyclic collector paused and
    turns it back on after, also when reading fails; a caller's iterable keeps it on."""
    import gc

    from wordvec.text.vocab import Vocab

    seen = []
    build = Vocab.from_counts.__func__

    def spy(cls, *a, **kw):
        seen.append(gc.isenabled())
        return build(cls, *a, **kw)

    monkeypatch.setattr(Vocab, "from_counts", classmethod(spy))
    p = _write_messy(tmp_path)
    assert gc.isenabled()
    encode_corpus(p, min_count=2)
    encode_corpus([["a", "b", "a"]], min_count=1)
    assert seen == [False, True] and gc.isenabled()
    with pytest.raises(VocabError):
        encode_corpus(p, min_count=10_000)
    assert gc.isenabled()
