import bz2
import gzip
import logging
import lzma
import tracemalloc

import pytest

from wordvec.errors import CorpusError
from wordvec.text.corpus import Tokenizer, iter_file_sentences, iter_sentences, tokenize


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


@pytest.mark.shared
def test_real_text8_prefix_reads(shared_data):
    path = shared_data / "corpora" / "text8-original-prefix.txt.xz"
    first = next(iter(iter_sentences(path)))
    assert len(first) == 10_000
    assert first[:5] == ["anarchism", "originated", "as", "a", "term"]


# ------------------------------------------------------------------ scripts with combining marks

SCRIPTS = {
    # Hindi: vowel signs (Mc) and viramas (Mn) belong to their consonants
    "devanagari": ("हिन्दी भारत की एक भाषा है। मैं हिन्दी बोलता हूँ।",
                   ["हिन्दी", "भारत", "की", "एक", "भाषा", "है", "मैं", "हिन्दी", "बोलता", "हूँ"]),
    # vocalised Arabic: harakat (fatha, kasra, shadda, sukun) stay inside the word
    "arabic": ("اَلْعَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ، وَالْكِتَابُ مُفِيدٌ.",
               ["اَلْعَرَبِيَّةُ", "لُغَةٌ", "جَمِيلَةٌ", "وَالْكِتَابُ", "مُفِيدٌ"]),
    # Thai: vowel and tone marks stay; no spaces between words, so a run is one token
    "thai": ("ภาษาไทย สวัสดีครับ ผมชื่อสมชาย",
             ["ภาษาไทย", "สวัสดีครับ", "ผมชื่อสมชาย"]),
    # Chinese and emoji: letters kept (one token per run), emoji are no letters
    "cjk_emoji": ("我爱北京。 東京は日本の首都です 😀 ok👍fine",
                  ["我爱北京", "東京は日本の首都です", "ok", "fine"]),
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_words_keep_their_combining_marks(script):
    text, words = SCRIPTS[script]
    assert tokenize(text) == words


def test_decomposed_latin_is_normalised_and_can_be_kept_decomposed():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Über die Straße fährt ein Café-Wagen, señor")
    assert "u\u0308" in nfd.lower()
    expected = ["über", "die", "straße", "fährt", "ein", "café", "wagen", "señor"]
    assert tokenize(nfd) == expected
    kept = Tokenizer(normalize=False)(nfd)
    assert kept[0] == "u\u0308ber" and len(kept) == len(expected)  # marks still attached
    assert [unicodedata.normalize("NFC", w) for w in kept] == expected


def test_long_tokens_are_cut_and_counted():
    from wordvec.text.corpus import MAX_TOKEN_LENGTH

    tok = Tokenizer()
    long = "x" * 2_000_000
    assert tok(f"a {long} b") == ["a", "x" * MAX_TOKEN_LENGTH, "b"]
    assert tok("é" * 99 + "'" + "z" * 5) == ["é" * 99]  # cut; no trailing apostrophe
    assert tok.tokens_cut == 2
    assert Tokenizer(max_token_length=None)(long) == [long]
    with pytest.raises(ValueError):
        Tokenizer(max_token_length=0)


# ------------------------------------------------------------------ folders


def test_folder_is_read_recursively_skipping_hidden_and_binary_files(tmp_path, caplog):
    d = tmp_path / "corpus"
    (d / "b_sub" / "deeper").mkdir(parents=True)
    (d / ".git").mkdir()
    (d / "a.txt").write_text("one\n")
    (d / "b_sub" / "a.txt").write_text("two\n")
    (d / "b_sub" / "deeper" / "z.txt").write_text("three\n")
    (d / "c.txt").write_text("four\n")
    (d / ".hidden.txt").write_text("hidden\n")
    (d / ".git" / "notes.txt").write_text("hidden too\n")
    (d / "b_sub" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (d / "broken.gz").write_bytes(b"\x1f\x8b not really gzip")
    with caplog.at_level(logging.INFO, logger="wordvec"):
        sents = list(iter_sentences(d))
    assert sents == [["one"], ["two"], ["three"], ["four"]]  # sorted, depth first
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, caplog.text
    assert "image.png" in warnings[1].getMessage() + warnings[0].getMessage()
    assert any("binary" in r.getMessage() for r in warnings)
    assert any("broken.gz" in r.getMessage() for r in warnings)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(".hidden.txt" in m for m in infos) and any(".git" in m for m in infos)


def test_folder_with_only_binary_or_hidden_files_is_an_error(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.bin").write_bytes(bytes(range(256)))
    (d / ".h").write_text("words\n")
    with pytest.raises(CorpusError, match=r"no readable files \(2 file\(s\) skipped"):
        list(iter_sentences(d))


def test_folder_symlink_loop_is_read_once(tmp_path):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "t.txt").write_text("word\n")
    (d / "sub" / "loop").symlink_to(d)
    assert list(iter_sentences(d)) == [["word"]]
