"""A cache of encoded corpora: read a corpus once, train on it many times.

``encode_corpus(path, ..., cache=DIR)`` (and ``cache=`` of ``Word2Vec.fit`` /
``build_vocab``, ``PPMISVD.fit``, ``wordvec train --cache DIR``) keeps the
encoded ids, sentence offsets and vocabulary counts in a folder of ``DIR``
named after a key made of:

* the corpus's content: a BLAKE2b digest of the bytes of every file, in the
  order they are read, with their names relative to the corpus folder (a
  single file's name does not count);
* every setting that changes the result: the tokenizer's options, min_count,
  max_vocab_size, max_final_vocab, max_sentence_length, and the version of
  this cache format.

A lookup hashes the corpus files (hundreds of MB/s; no tokenising, counting or
encoding) and opens the entry whose stored key is exactly the one computed.
An entry is used only if its key file matches and its arrays are consistent
(ids within the vocabulary, offsets ending at the number of ids, the sizes it
recorded); anything else -- a changed corpus, other settings, a half-written,
damaged or foreign folder -- is a miss: the corpus is encoded again and the
entry rewritten. Entries are written to a temporary folder and renamed into
place, so concurrent runs never see half an entry. Entries of earlier
versions of the same corpus path with the same settings are removed when a
new one is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from wordvec.errors import ConfigError, CorpusError

logger = logging.getLogger("wordvec")

#: Bumped whenever the encoding or the entry layout changes: older entries then miss.
FORMAT = 1
KEY_FILE = "cache-key.json"
_READ = 1 << 20


def fingerprint(files: list[Path], root: Path) -> str:
    """BLAKE2b digest of the files' names (relative to ``root``) and contents, in order."""
    h = hashlib.blake2b(digest_size=20)
    buf = bytearray(_READ)
    view = memoryview(buf)
    for f in files:
        try:  # a single-file corpus: its name does not matter, only its bytes
            name = f.relative_to(root).as_posix() if f != root else ""
        except ValueError:
            name = f.name
        h.update(name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(f, "rb") as fh:
                while True:
                    n = fh.readinto(buf)
                    if not n:
                        break
                    h.update(view[:n])
        except OSError as exc:
            raise CorpusError(f"cannot read {f}: {exc}") from None
        h.update(b"\0")
    return h.hexdigest()


def cache_key(source: Path, files: list[Path], tokenizer: Any, settings: dict) -> dict:
    """The full key of an entry (JSON-able); its hash names the entry's folder."""
    from wordvec.text.corpus import Tokenizer

    tok = tokenizer if tokenizer is not None else Tokenizer()
    if not isinstance(tok, Tokenizer):
        raise ConfigError(
            "cache= needs the corpus to be read with a wordvec Tokenizer (its options are "
            "part of the cache key); a custom tokenizer function cannot be fingerprinted: "
            "drop cache= or use Tokenizer(...)"
        )
    return {
        "format": FORMAT,
        "content": fingerprint(files, source),
        "files": len(files),
        "tokenizer": {"lowercase": tok.lowercase, "pattern": tok.pattern,
                      "normalize": tok.normalize, "max_token_length": tok.max_token_length},
        "settings": settings,
        "source": str(source.resolve()),
    }


def _entry_name(key: dict) -> str:
    # the source path is not part of the identity: a copy of the corpus elsewhere hits
    ident = {k: v for k, v in key.items() if k != "source"}
    return "enc-" + hashlib.blake2b(json.dumps(ident, sort_keys=True).encode(),
                                    digest_size=16).hexdigest()


def lookup(cache: Path, key: dict, load: Callable[[Path], Any]) -> Any:
    """The cached encoded corpus for ``key`` (opened with ``load(folder)``), or None."""
    d = cache / _entry_name(key)
    if not d.is_dir():
        return None
    try:
        stored = json.loads((d / KEY_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        logger.warning("cache entry %s has no readable key; ignoring it", d)
        return None
    ident = {k: v for k, v in key.items() if k != "source"}
    if {k: v for k, v in stored.get("key", {}).items() if k != "source"} != ident:
        logger.warning("cache entry %s was made for another corpus or settings; ignoring it", d)
        return None
    try:
        sizes = stored["sizes"]
        for name, size in sizes.items():
            if (d / name).stat().st_size != size:
                raise ValueError(f"{name} has changed size")
        enc = load(d)
        n = enc.n_tokens
        v = len(enc.vocab)
        if len(enc.offsets) == 0 or enc.offsets[0] != 0 or enc.offsets[-1] != n:
            raise ValueError("offsets do not cover the ids")
        if n and (int(np.min(enc.ids)) < 0 or int(np.max(enc.ids)) >= v):
            raise ValueError("ids outside the vocabulary")
        if len(enc.vocab.counts) != v or stored.get("tokens") != n:
            raise ValueError("vocabulary or token count differs from the record")
    except (OSError, ValueError, KeyError, TypeError, CorpusError) as exc:
        logger.warning("cache entry %s is damaged (%s); encoding the corpus again", d, exc)
        return None
    return enc


def store(cache: Path, key: dict, encode: Callable[[Path], Any],
          load: Callable[[Path], Any]) -> Any:
    """Encode with ``encode(workdir)`` into a new entry for ``key``; return ``load(entry)``."""
    cache.mkdir(parents=True, exist_ok=True)
    final = cache / _entry_name(key)
    tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=cache))
    try:
        enc = encode(tmp)
        sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
        (tmp / KEY_FILE).write_text(json.dumps(
            {"key": key, "sizes": sizes, "tokens": enc.n_tokens, "written": time.time()},
            indent=1), "utf-8")
        del enc  # reopened from the final place below
        if final.exists():  # a damaged or stale entry under this name
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:  # another run wrote it meanwhile: use theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _drop_older(cache, key, final)
    return load(final)


def _drop_older(cache: Path, key: dict, keep: Path) -> None:
    """Remove entries of the same corpus path and settings with other contents."""
    for d in cache.glob("enc-*"):
        if d == keep:
            continue
        try:
            other = json.loads((d / KEY_FILE).read_text("utf-8"))["key"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if (other.get("source") == key["source"] and other.get("settings") == key["settings"]
                and other.get("tokenizer") == key["tokenizer"]
                and other.get("content") != key["content"]):
            logger.info("removing the cache entry of an earlier version of %s", key["source"])
            shutil.rmtree(d, ignore_errors=True)
