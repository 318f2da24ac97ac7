import bz2
import gzip
import logging
import lzma
import tracemalloc

import pytest

from wordvec.corpus import Tokenizer, iter_file_sentences, iter_sentences, tokenize
from wordvec.errors import CorpusError


def test_tokenizer_default_rules():
    assert tokenize("The King's crown, 1066!") == ["the", "king's", "crown", "1066"]
    # apostrophes at word edges are dropped, inside kept; curly apostrophe too
    assert tokenize("'quoted' don’t") == ["quoted", "don’t"]
    # Unicode letters of any script, underscores split words
    expected = ["café", "ünïcode", "москва", "snake", "case"]
    assert tokenize("Café Ünïcode Москва snake_case") == expected


def test_tokenizer_options_and_callable():
    assert Tokenizer(lowercase=False)("Paris IS") == ["Paris", "IS"]
    assert Tokenizer(pattern=r"[a-z]+")("ab1cd") == ["ab", "cd"]
    sents = list(iter_sentences(["A b", "c"], tokenizer=str.split))
    assert sents == [["A", "b"], ["c"]]


def test_file_folder_and_compressed(tmp_path):
    text = "Hello world.\n\nSecond line here\nthird\n"
    (tmp_path / "d").mkdir()
    plain = tmp_path / "d" / "a.txt"
    plain.write_text(text)
    with gzip.open(tmp_path / "d" / "b.txt.gz", "wt") as f:
        f.write(text)
    with bz2.open(tmp_path / "d" / "c.txt.bz2", "wt") as f:
        f.write(text)
    with lzma.open(tmp_path / "d" / "e.txt.xz", "wt") as f:
        f.write(text)
    (tmp_path / "d" / ".hidden").write_text("ignored words\n")
    expected = [["hello", "world"], ["second", "line", "here"], ["third"]]
    assert list(iter_sentences(plain)) == expected
    assert list(iter_sentences(tmp_path / "d")) == expected * 4


def test_text8_style_line_is_cut_and_streamed(tmp_path):
    words = [f"w{i % 97}" for i in range(25_000)]
    p = tmp_path / "one-line.txt"
    p.write_text(" " + " ".join(words))  # no newline, like text8
    sents = list(iter_file_sentences(p, max_sentence_length=10_000, chunk_bytes=4096))
    assert [len(s) for s in sents] == [10_000, 10_000, 5_000]
    assert [w for s in sents for w in s] == words


def test_memory_stays_flat_on_a_huge_line(tmp_path):
    # 8 MB on one line, read in 64 KB chunks: memory must be bounded by the chunk
    # and one sentence, not by the line.
    p = tmp_path / "big.txt"
    chunk = ("alpha beta gamma delta " * 1000).encode()
    with open(p, "wb") as f:
        for _ in range(8 * 1024 * 1024 // len(chunk)):
            f.write(chunk)
    tracemalloc.start()
    n = 0
    for s in iter_file_sentences(p, max_sentence_length=1000, chunk_bytes=1 << 16):
        n += len(s)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 8 * 1024 * 1024 // len(chunk) * 4000
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes while streaming an 8 MB line"


def test_invalid_utf8_is_replaced_and_counted(tmp_path, caplog):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good words\nbad \xff\xfe bytes here\n")
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        sents = list(iter_sentences(p))
    assert sents == [["good", "words"], ["bad", "bytes", "here"]]
    assert "replaced 2 invalid UTF-8 byte" in caplog.text


def test_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        list(iter_sentences(tmp_path / "missing.txt"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no readable files"):
        list(iter_sentences(tmp_path / "empty"))
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(CorpusError, match="binary"):
        list(iter_sentences(binary))
    with pytest.raises(CorpusError, match="cannot read a corpus"):
        list(iter_sentences(42))


def test_iterable_of_token_lists_cut():
    sents = list(iter_sentences([list("abcde"), [], ["x"]], max_sentence_length=2))
    assert sents == [["a", "b"], ["c", "d"], ["e"], ["x"]]


def test_real_text8_prefix_reads(shared_data):
    path = shared_data / "corpora" / "text8-original-prefix.txt.xz"
    first = next(iter(iter_sentences(path)))
    assert len(first) == 10_000
    assert first[:5] == ["anarchism", "originated", "as", "a", "term"]
