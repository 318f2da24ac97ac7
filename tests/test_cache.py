"""The encoded-corpus cache (wordvec.text.cache): hits skip reading, stale or foreign
entries are never used."""

from __future__ import annotations

import json
import logging
import os

import numpy as np
import pytest

from wordvec import cli
from wordvec.errors import ConfigError
from wordvec.text import corpus as corpus_mod
from wordvec.text.cache import KEY_FILE
from wordvec.text.corpus import Tokenizer
from wordvec.text.encoded import encode_corpus

TEXT = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n" * 40


def _same(a, b):
    assert a.vocab.words == b.vocab.words
    assert a.vocab.counts.tolist() == b.vocab.counts.tolist()
    assert np.array_equal(np.asarray(a.ids), np.asarray(b.ids))
    assert np.array_equal(a.offsets, b.offsets)


def _entries(cache):
    return sorted(p.name for p in cache.glob("enc-*"))


@pytest.fixture
def corpus(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text(TEXT)
    return p


def test_hit_skips_reading_the_text(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = encode_corpus(corpus, min_count=1, cache=cache)
    assert first.stats["cache"] == "stored" and len(_entries(cache)) == 1

    def no_reading(*args, **kwargs):
        raise AssertionError("the cache hit read the corpus text")

    monkeypatch.setattr(corpus_mod, "iter_byte_chunks", no_reading)
    monkeypatch.setattr(corpus_mod, "iter_sentences", no_reading)
    second = encode_corpus(corpus, min_count=1, cache=cache)
    assert second.stats["cache"] == "hit"
    _same(first, second)
    # a copy of the corpus elsewhere has the same content: the same entry
    copy = tmp_path / "copy.txt"
    copy.write_text(TEXT)
    assert encode_corpus(copy, min_count=1, cache=cache).stats["cache"] == "hit"


def test_changed_corpus_is_a_miss_even_with_the_same_size_and_time(corpus, tmp_path):
    cache = tmp_path / "cache"
    encode_corpus(corpus, min_count=1, cache=cache)
    st = corpus.stat()
    corpus.write_text(TEXT.replace("cat", "cow"))  # same size
    os.utime(corpus, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = encode_corpus(corpus, min_count=1, cache=cache)
    assert again.stats["cache"] == "stored"
    assert "cow" in again.vocab and "cat" not in again.vocab
    assert len(_entries(cache)) == 1  # the stale entry of this path was removed


def test_settings_are_part_of_the_key(corpus, tmp_path):
    cache = tmp_path / "cache"
    a = encode_corpus(corpus, min_count=1, cache=cache)
    b = encode_corpus(corpus, min_count=50, cache=cache)
    c = encode_corpus(corpus, min_count=1, cache=cache,
                      tokenizer=Tokenizer(max_token_length=2))
    assert [x.stats["cache"] for x in (a, b, c)] == ["stored"] * 3
    assert len(b.vocab) < len(a.vocab) and "ca" in c.vocab
    assert len(_entries(cache)) == 3
    assert encode_corpus(corpus, min_count=50, cache=cache).stats["cache"] == "hit"


def test_damaged_or_foreign_entries_are_not_used(corpus, tmp_path, caplog):
    cache = tmp_path / "cache"
    good = encode_corpus(corpus, min_count=1, cache=cache)
    ref = encode_corpus(corpus, min_count=1)  # (good's ids map the entry's file)
    (entry,) = cache.glob("enc-*")
    # ids out of the vocabulary, same file size
    ids = np.load(entry / "ids.npy")
    ids[3] = len(good.vocab) + 5
    np.save(entry / "ids.npy", ids)
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        again = encode_corpus(corpus, min_count=1, cache=cache)
    assert again.stats["cache"] == "stored" and "damaged" in caplog.text
    _same(ref, again)
    # an entry whose key is another corpus's (copied or renamed into place)
    key = json.loads((entry / KEY_FILE).read_text())
    key["key"]["content"] = "0" * 40
    (entry / KEY_FILE).write_text(json.dumps(key))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="wordvec"):
        third = encode_corpus(corpus, min_count=1, cache=cache)
    assert third.stats["cache"] == "stored" and "another corpus" in caplog.text
    # a half-written entry (no key file)
    (entry / KEY_FILE).unlink()
    assert encode_corpus(corpus, min_count=1, cache=cache).stats["cache"] == "stored"
    assert encode_corpus(corpus, min_count=1, cache=cache).stats["cache"] == "hit"


def test_refused_without_a_path_or_with_a_custom_tokenizer(corpus, tmp_path):
    with pytest.raises(ConfigError, match="file or folder"):
        encode_corpus([["a", "b"]], min_count=1, cache=tmp_path)
    with pytest.raises(ConfigError, match="custom tokenizer"):
        encode_corpus(corpus, min_count=1, cache=tmp_path, tokenizer=str.split)


def test_cli_train_and_svd_share_the_cache(corpus, tmp_path, capsys):
    cache = tmp_path / "cache"
    outs = []
    for i in range(2):
        out = tmp_path / f"v{i}.txt"
        rc = cli.main(["train", str(corpus), "-o", str(out), "--cache", str(cache),
                       "--size", "8", "--min-count", "1", "--epochs", "1", "--workers", "1"])
        assert rc == 0
        outs.append(out.read_text())
    err = capsys.readouterr().err
    assert "stored the encoded corpus" in err and "taken from the cache" in err
    assert outs[0] == outs[1]  # same ids, same seed: the same vectors
    rc = cli.main(["train", str(corpus), "-o", str(tmp_path / "s.txt"), "--method", "svd",
                   "--size", "4", "--min-count", "1", "--cache", str(cache)])
    assert rc == 0 and "taken from the cache" in capsys.readouterr().err
    assert len(_entries(cache)) == 1
