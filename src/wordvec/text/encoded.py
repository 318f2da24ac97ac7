"""The corpus encoded once as int32 word ids on disk, with sentence boundaries.

Training reads a corpus many times (once per epoch, from several threads), so
we tokenise it exactly once: :func:`encode_corpus` counts the words, builds
the :class:`~wordvec.text.vocab.Vocab` and writes every in-vocabulary token as an
int32 id to ``ids.npy`` (out-of-vocabulary tokens are dropped, as the C tool
and gensim do), plus ``offsets.npy`` where sentence ``i`` is
``ids[offsets[i]:offsets[i+1]]``.

Files are read by a compiled single pass over the raw bytes (see
:mod:`wordvec.text.fastscan`) when the default tokenizer is used; anything else
(a custom tokenizer, an in-memory corpus, ``max_vocab_size``) goes through the
pure-Python reader of :mod:`wordvec.text.corpus`. Both give identical results.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import logging
import os
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordvec.errors import ConfigError, CorpusError, VocabError
from wordvec.outputs import make_work_folder, remove_work_folder
from wordvec.settings import check
from wordvec.text import corpus as corpus_mod
from wordvec.text.corpus import MAX_SENTENCE_LENGTH, Source, Tokenizer
from wordvec.text.vocab import Vocab, count_words
from wordvec.wording import counted

logger = logging.getLogger("wordvec")

_RAW_BLOCK = 1 << 20  # raw ids handled per expansion call


class EncodedCorpus:
    """Word ids of a whole corpus plus sentence offsets, usually memory-mapped.

    Attributes:
        ids: int32 array of word ids (a read-only memmap for file-backed corpora).
        offsets: int64 array; sentence ``i`` is ``ids[offsets[i]:offsets[i+1]]``.
        vocab: the :class:`Vocab` the ids refer to.
        stats: facts about the source (raw tokens, invalid bytes, seconds taken).

    Example:
        >>> enc = EncodedCorpus.from_sentences([["a", "b"], ["b", "c", "b"]])
        >>> enc.vocab.words, enc.ids.tolist(), enc.offsets.tolist()
        (['b', 'a', 'c'], [1, 0, 0, 2, 0], [0, 2, 5])
    """

    def __init__(
        self,
        ids: np.ndarray,
        offsets: np.ndarray,
        vocab: Vocab,
        directory: Path | None = None,
        stats: dict | None = None,
        owns_directory: bool = False,
    ) -> None:
        self.ids = ids
        self.offsets = offsets
        self.vocab = vocab
        self.directory = directory
        self.stats = dict(stats or {})
        self._fd: int | None = None
        self._data_offset = 0
        if directory is not None and isinstance(ids, np.memmap):
            self._data_offset = int(ids.offset)
            self._fd = os.open(directory / "ids.npy", os.O_RDONLY)
            weakref.finalize(self, os.close, self._fd)
        if owns_directory and directory is not None:
            weakref.finalize(self, remove_work_folder, str(directory))

    # --- shape ------------------------------------------------------------------

    @property
    def n_tokens(self) -> int:
        """Number of in-vocabulary tokens."""
        return int(len(self.ids))

    @property
    def n_sentences(self) -> int:
        """Number of (non-empty) sentences."""
        return int(len(self.offsets) - 1)

    def __len__(self) -> int:
        return self.n_tokens

    def __repr__(self) -> str:
        return (
            f"<EncodedCorpus {self.n_tokens} tokens, {self.n_sentences} sentences, "
            f"{len(self.vocab)} words>"
        )

    def read(self, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
        """Copy ``ids[start:stop]`` into a fresh (or given) array.

        File-backed corpora are read with ``pread`` rather than through the
        memory map, so resident memory does not grow with corpus length.
        """
        n = stop - start
        if out is None:
            out = np.empty(n, dtype=np.int32)
        if self._fd is None:
            out[:n] = self.ids[start:stop]
            return out[:n]
        view = memoryview(out[:n]).cast("B")
        pos = self._data_offset + 4 * start
        got = 0
        while got < 4 * n:
            k = os.preadv(self._fd, [view[got:]], pos + got)
            if k <= 0:
                raise OSError("encoded corpus file is shorter than expected")
            got += k
        return out[:n]

    def sentences(self) -> Iterator[np.ndarray]:
        """Yield each sentence as an int32 array."""
        for i in range(self.n_sentences):
            yield np.asarray(self.ids[self.offsets[i] : self.offsets[i + 1]])

    def decode(self, i: int) -> list[str]:
        """Sentence ``i`` as words."""
        words = self.vocab.words
        return [words[t] for t in self.ids[self.offsets[i] : self.offsets[i + 1]]]

    # --- construction -----------------------------------------------------------

    @classmethod
    def from_sentences(
        cls,
        sentences: Iterable[Sequence[str]],
        vocab: Vocab | None = None,
        min_count: int = 1,
    ) -> EncodedCorpus:
        """Encode a small in-memory corpus (held in RAM, no files)."""
        sentences = [list(s) for s in corpus_mod.iter_sentences(sentences)]
        if vocab is None:
            vocab = Vocab.build(sentences, min_count=min_count)
        index = vocab.index
        ids: list[int] = []
        offsets = [0]
        for s in sentences:
            ids.extend(index[w] for w in s if w in index)
            if len(ids) > offsets[-1]:
                offsets.append(len(ids))
        return cls(np.asarray(ids, np.int32), np.asarray(offsets, np.int64), vocab)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> EncodedCorpus:
        """Open an encoded corpus saved by :func:`encode_corpus` with ``workdir``."""
        d = Path(directory)
        try:
            meta = json.loads((d / "encoded.json").read_text("utf-8"))
            ids = np.load(d / "ids.npy", mmap_mode="r", allow_pickle=False)
            offsets = np.load(d / "offsets.npy", allow_pickle=False)
            vocab_words = json.loads((d / "vocab.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusError(f"cannot open encoded corpus in {d}: {exc}") from None
        vocab = Vocab(vocab_words["words"], vocab_words["counts"])
        return cls(ids, offsets, vocab, d, meta.get("stats"))


# --- building ---------------------------------------------------------------------------


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``).

    Reading leaves tens of megabytes of freed scan tables in the heap, which
    glibc keeps for reuse, so they would stay in the process's resident memory
    through training (20 MiB on the main corpus). Elsewhere this does nothing.
    """
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block (then restore it).

    Reading creates hundreds of thousands of lasting objects at once (the
    distinct words, their counts, the vocabulary's lists and index), and each
    time that count grows by a quarter the collector walks every object of the
    process, Numba's many included. Nothing made while reading forms cycles,
    so pausing it frees nothing later than it would be freed anyway.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def encode_corpus(
    source: Source,
    min_count: int = 5,
    max_vocab_size: int | None = None,
    max_final_vocab: int | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    workdir: str | os.PathLike | None = None,
    max_sentence_length: int = MAX_SENTENCE_LENGTH,
    make_vocab: Callable[[dict[str, int]], Vocab] | None = None,
    tmp_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    cache: str | os.PathLike | None = None,
) -> EncodedCorpus:
    """Read ``source`` once: build the vocabulary and the encoded corpus.

    Args:
        source: a file, a folder, or an iterable of token lists (see
            :func:`wordvec.text.corpus.iter_sentences`).
        min_count, max_vocab_size, max_final_vocab: see :class:`Vocab`.
        tokenizer: a :class:`Tokenizer` or any ``str -> list[str]`` callable.
        workdir: folder to keep the encoded files in (reusable with
            :meth:`EncodedCorpus.load`); default a working folder
            ``wordvec-work-<pid>-<random>`` (about 4 bytes per word of text)
            removed when the corpus object goes away, on an exception, and
            at exit; one left by a killed process is removed by the next
            run (see :func:`wordvec.outputs.make_work_folder`).
        tmp_dir: where that working folder goes (default ``$TMPDIR``, else
            the system's temporary folder).
        max_sentence_length: longer lines are cut into sentences this long.
        make_vocab: build the vocabulary from the word counts (a dict in
            first-seen order) instead of ``Vocab.from_counts(counts,
            min_count, max_final_vocab)``; training uses it to encode new text
            with a vocabulary it already has (``update=True``, resuming).
        workers: threads that scan a large uncompressed corpus (at least
            :data:`PARALLEL_MIN_BYTES`) at once, each a byte range cut at
            whitespace; default all cores. The result is the same for any number.
        cache: a folder of encoded corpora (see :mod:`wordvec.text.cache`): the
            result is looked up there by the corpus's content and these
            settings, and stored there on a miss. Needs a file or folder source.

    Raises:
        CorpusError: unreadable source, or no words in it.
        VocabError: no word reaches ``min_count``.
    """
    check("min_count", min_count)
    if max_sentence_length < 1:
        raise ConfigError(f"max_sentence_length must be positive, got {max_sentence_length}")
    if cache is not None:
        return _encode_cached(source, Path(cache), tokenizer, workdir, make_vocab, workers,
                              min_count=min_count, max_vocab_size=max_vocab_size,
                              max_final_vocab=max_final_vocab,
                              max_sentence_length=max_sentence_length)
    t0 = time.perf_counter()
    owns = workdir is None
    if owns:
        d = make_work_folder(tmp_dir)
    else:
        d = Path(workdir)
        d.mkdir(parents=True, exist_ok=True)
    try:
        fast = (
            corpus_mod.is_path(source)
            and max_vocab_size is None
            and (tokenizer is None or (isinstance(tokenizer, Tokenizer)
                                       and tokenizer.is_default_pattern))
        )
        if fast:
            files = corpus_mod.corpus_files(source)  # type: ignore[arg-type]
            with gc_paused():
                raw = _scan_files(files, tokenizer or Tokenizer(), d, workers)
        else:  # (a caller's iterable may make cyclic garbage: the collector stays on)
            raw = _scan_python(source, tokenizer, max_vocab_size, max_sentence_length, d)
        corpus_mod.log_tokens_cut(tokenizer, raw.tokens_cut,
                                  source if corpus_mod.is_path(source) else "the corpus")
        # (the Python path's finish may read the caller's iterable again: collector on)
        with gc_paused() if fast else contextlib.nullcontext():
            enc = _finish(raw, min_count, max_final_vocab, max_sentence_length, d, owns, source,
                          make_vocab)
        del raw  # every distinct token's string and count: free it before trimming
    except BaseException:
        if owns:
            remove_work_folder(d)
        raise
    enc.stats["seconds"] = round(time.perf_counter() - t0, 3)
    release_freed_memory()
    logger.info(
        "encoded %s in %s, vocabulary %s, in %.2f s", counted(enc.n_tokens, "token"),
        counted(enc.n_sentences, "sentence"), counted(len(enc.vocab), "word"),
        enc.stats["seconds"],
    )
    return enc


def _encode_cached(source: Source, cache: Path, tokenizer: Callable[[str], list[str]] | None,
                   workdir: object, make_vocab: object, workers: int | None,
                   **settings: Any) -> EncodedCorpus:
    from wordvec.text import cache as cache_mod

    if not corpus_mod.is_path(source):
        raise ConfigError("cache= needs the corpus as a file or folder path (an in-memory "
                          "corpus has nothing to fingerprint); drop cache= or give a path")
    if workdir is not None or make_vocab is not None:
        raise ConfigError("cache= keeps the encoded corpus in the cache folder: give cache= "
                          "or workdir=, not both (and no cache with update=True)")
    t0 = time.perf_counter()
    path = Path(source)  # type: ignore[arg-type]
    files = corpus_mod.corpus_files(path)
    key = cache_mod.cache_key(path, files, tokenizer, settings)
    hit = cache_mod.lookup(cache, key, EncodedCorpus.load)
    if hit is not None:
        hit.stats["cache"] = "hit"
        logger.info("encoded corpus of %s taken from the cache %s (%s, %s words) in %.2f s",
                    path, cache, counted(hit.n_tokens, "token"), len(hit.vocab),
                    time.perf_counter() - t0)
        return hit

    def encode(wd: Path) -> EncodedCorpus:
        return encode_corpus(source, tokenizer=tokenizer, workdir=wd, workers=workers,
                             **settings)

    enc = cache_mod.store(cache, key, encode, EncodedCorpus.load)
    enc.stats["cache"] = "stored"
    logger.info("stored the encoded corpus in the cache %s", cache)
    return enc


class _RawStream:
    """What a scan produced: distinct raw tokens -> words, and the raw id file."""

    def __init__(self) -> None:
        self.word_counts: dict[str, int] = {}
        self.raw_counts: np.ndarray = np.zeros(0, np.int64)
        # raw id -> its words: the word itself when a raw token is exactly one word
        # (almost always; a list would cost 64 more bytes per distinct token)
        self.raw_words: list[str | list[str]] = []
        self.path: Path | None = None
        # the raw id files in text order, each with the remap of its ids (None: as is)
        self.parts: list[tuple[Path, np.ndarray | None]] | None = None
        self.n_raw_tokens = 0  # tokens seen, in or out of vocabulary
        self.invalid_bytes = 0
        self.tokens_cut = 0  # tokens longer than the tokenizer's max_token_length
        # max_vocab_size path: words are only counted in the scan; the ids are
        # written by a second read of the corpus once the vocabulary is fixed
        self.second_pass: Callable[[], Iterator[list[str]]] | None = None
        self.all_single = False  # every raw_words entry is one word (a str)


_HUGE_PAGE = 2 << 20
#: bytes of the scan's mapped arrays alive now and at most (tracemalloc sees only
#: the heap; the memory test adds these)
MAPPED = {"live": 0, "peak": 0}
_MAPPED_LOCK = threading.Lock()  # the scanning threads map and free at once


def _unmapped(nbytes: int) -> None:
    with _MAPPED_LOCK:
        MAPPED["live"] -= nbytes


def _mapped(n: int, dtype: type, fill: int | None = None,
            like: np.ndarray | None = None) -> np.ndarray:
    """A new array of ``n`` items in its own anonymous memory map (zeros, or ``fill``),
    starting with a copy of ``like`` when given.

    The scan's tables grow by doubling inside the scanning threads. From malloc,
    each thread's heap kept the freed tables (glibc raises its trimming threshold
    after freeing a large block): 33 MiB stayed resident through training on the
    main corpus. A map of its own goes back to the system when the array is freed.
    """
    import mmap

    nbytes = max(1, n * np.dtype(dtype).itemsize)
    m = mmap.mmap(-1, nbytes)
    if nbytes >= _HUGE_PAGE and hasattr(mmap, "MADV_HUGEPAGE"):
        # as NumPy does for its large arrays: the table is read at random, and
        # with 4 KiB pages the scan took 20% more CPU (TLB misses)
        m.madvise(mmap.MADV_HUGEPAGE)
    arr = np.frombuffer(m, dtype=dtype, count=n)
    with _MAPPED_LOCK:
        MAPPED["live"] += nbytes
        MAPPED["peak"] = max(MAPPED["peak"], MAPPED["live"])
    weakref.finalize(arr, _unmapped, nbytes)
    if fill is not None:
        arr.fill(fill)
    if like is not None:
        arr[: len(like)] = like
    return arr


class _Scan:
    """The tables of one compiled scan: distinct raw tokens, their counts and bytes.

    Everything starts small and doubles when the scan kernel reports it full,
    so the table stays as small as the distinct tokens allow (it is read once
    per token: a table that fits in the cache is what makes the scan fast).
    """

    def __init__(self) -> None:
        cap = 1 << 15
        self.table = _mapped(4 * cap, np.int64, -1)  # 2 * cap slots of 2 int64 each
        self.hashes = _mapped(cap, np.uint64)
        self.starts = _mapped(cap, np.int64)
        self.lengths = _mapped(cap, np.int32)
        self.counts = _mapped(cap, np.int64)
        self.arena = _mapped(1 << 20, np.uint8)
        self.state = np.zeros(2, np.int64)  # [distinct tokens, arena bytes used]
        self.out = _mapped(corpus_mod.CHUNK_BYTES // 2 + 2, np.int32)

    def reserve(self, tokens: int, arena_bytes: int) -> None:
        """Room for ``tokens`` more tokens and ``arena_bytes`` more arena bytes."""
        from wordvec.text import fastscan

        n_tokens = int(self.state[0])
        need = n_tokens + tokens
        if need > len(self.hashes):
            new = max(need, 2 * len(self.hashes))
            self.hashes = _mapped(new, np.uint64, like=self.hashes)
            self.starts = _mapped(new, np.int64, like=self.starts)
            self.lengths = _mapped(new, np.int32, like=self.lengths)
            self.counts = _mapped(new, np.int64, like=self.counts)
        if 4 * need > len(self.table):  # at most half the slots in use
            size = len(self.table)
            while size < 4 * need:
                size *= 2
            self.table = _mapped(size, np.int64, -1)
            fastscan.rehash(self.table, self.hashes, self.starts, n_tokens)
        if int(self.state[1]) + arena_bytes > len(self.arena):
            size = max(int(self.state[1]) + arena_bytes, 2 * len(self.arena))
            self.arena = _mapped(size, np.uint8, like=self.arena)

    def _grow_what_is_full(self, rest: int) -> None:
        """After the kernel stopped for room: double the token tables if they are full
        (the same test as the kernel's), make room in the arena for any token of
        the ``rest`` bytes left if it lacks it."""
        n_tokens = int(self.state[0])
        full = n_tokens >= min(len(self.hashes), len(self.table) // 4)
        short = int(self.state[1]) + rest + 1 > len(self.arena)
        self.reserve(max(1, n_tokens) if full else 0, rest + 2 if short else 0)

    def scan(self, pieces: list[tuple[Path, int, int | None]], raw_path: Path) -> None:
        """Scan byte ranges ``(file, start, stop)`` in order; write the raw id stream."""
        from wordvec.text import fastscan

        with open(raw_path, "wb") as fout:
            for f, start, stop in pieces:
                carry = b""
                chunks = corpus_mod.iter_byte_chunks(f, start=start, stop=stop)
                done = False
                while not done:
                    chunk = next(chunks, None)
                    # the range that ends the file ends its last line
                    final = chunk is None and stop is None
                    done = chunk is None
                    data = carry + (chunk or b"")
                    if final:
                        data += b"\n"
                    n = len(data)
                    if len(self.out) < n // 2 + 2:
                        self.out = _mapped(n // 2 + 2, np.int32)
                    buf = np.frombuffer(data, dtype=np.uint8)
                    pos = 0
                    while True:
                        pos, k, full = fastscan.scan_chunk(
                            buf, pos, n, final or done, self.table, self.hashes, self.starts,
                            self.lengths, self.counts, self.arena, self.state, self.out,
                        )
                        fout.write(self.out[:k])
                        if not full:
                            break
                        self._grow_what_is_full(n - pos)
                    # at most MAX_RUN_BYTES: iter_byte_chunks cuts longer runs
                    carry = data[pos:]

    def merge(self, other: _Scan) -> np.ndarray:
        """Add ``other``'s tokens (text that follows this one's); return its id remap.

        The remap has one more entry, -1, so that ``remap[raw]`` keeps line ends (-1).
        """
        from wordvec.text import fastscan

        n_b = int(other.state[0])
        self.reserve(n_b, int(other.state[1]))
        mapping = np.empty(n_b + 1, np.int32)
        mapping[n_b] = -1
        fastscan.merge_tokens(self.table, self.hashes, self.starts, self.lengths, self.counts,
                              self.arena, self.state, other.hashes, other.starts,
                              other.lengths, other.counts, other.arena, n_b, mapping)
        return mapping


#: Files smaller than this are read by one thread (starting threads costs more).
PARALLEL_MIN_BYTES = 16 << 20


def plan_ranges(files: list[Path], parts: int,
                 min_bytes: int) -> list[list[tuple[Path, int, int | None]]]:
    """Cut the corpus into ``parts`` runs of consecutive byte ranges, cut after whitespace.

    Only uncompressed files are cut inside (compressed ones are read whole);
    each file's last range has ``stop=None`` (it ends the file's last line).
    """
    sizes = []
    for f in files:
        try:
            plain = Path(f).suffix.lower() not in (".gz", ".bz2", ".xz", ".lzma")
            sizes.append(os.path.getsize(f) if plain else -1)
        except OSError:
            sizes.append(-1)
    total = sum(max(s, 0) for s in sizes)
    whole: list[list[tuple[Path, int, int | None]]] = [[(f, 0, None) for f in files]]
    if parts < 2 or total < min_bytes:
        return whole
    target = total / parts
    groups: list[list[tuple[Path, int, int | None]]] = [[]]
    filled = 0.0
    for f, size in zip(files, sizes, strict=True):
        pos = 0
        if size > 0:
            while len(groups) < parts and filled + (size - pos) > target * len(groups):
                want = pos + int(target * len(groups) - filled)
                cut = _cut_after_space(f, want, size)
                if cut is None or cut >= size:
                    break
                groups[-1].append((f, pos, cut))
                filled += cut - pos
                pos = cut
                groups.append([])
            filled += size - pos
        groups[-1].append((f, pos, None))
    groups = [g for g in groups if g]
    return groups if len(groups) > 1 else whole


def _cut_after_space(path: Path, want: int, size: int) -> int | None:
    """The offset just after the first ASCII whitespace byte at or after ``want``."""
    with open(path, "rb") as fh:
        fh.seek(want)
        block = fh.read(1 << 16)
    for i, b in enumerate(block):
        if b in b" \n\t\r\x0b\x0c":
            return want + i + 1
    return None  # a very long run here: do not cut this file


def _scan_files(files: list[Path], tokenizer: Tokenizer, d: Path,
                workers: int | None = None) -> _RawStream:
    """Compiled pass: hash raw whitespace tokens, write the raw id stream.

    Large uncompressed corpora are cut into one byte range per worker (at
    whitespace); threads scan them at once (the scan releases the GIL), then
    the later tables are merged into the first in text order, so ids, counts
    and the raw stream are those of a single scan.
    """
    if workers is None:  # the cores this process may use
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            workers = os.cpu_count() or 1
    groups = plan_ranges(files, workers, PARALLEL_MIN_BYTES)
    scans = [_Scan() for _ in groups]
    paths = [d / f"raw{i}.int32" for i in range(len(groups))]
    if len(groups) == 1:
        scans[0].scan(groups[0], paths[0])
    else:
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                scans[i].scan(groups[i], paths[i])
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,), name=f"wordvec-scan-{i}")
                   for i in range(len(groups))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
    parts: list[tuple[Path, np.ndarray | None]] = [(paths[0], None)]
    for scan, path in zip(scans[1:], paths[1:], strict=True):
        parts.append((path, scans[0].merge(scan)))
    counts, arena, state = scans[0].counts, scans[0].arena, scans[0].state
    scans.clear()
    n_raw = int(state[0])
    raw = _RawStream()
    raw.path = paths[0]
    raw.parts = parts
    raw.raw_counts = counts[:n_raw].copy()
    # Tokenise each distinct raw token once; count words in first-seen order.
    # Distinct tokens never contain whitespace, so one decode of the arena with
    # newlines between tokens and one split give them all at C speed.
    data = arena[: int(state[1])].tobytes()
    del arena, counts
    # Memory: each distinct token costs its string and its dict entry (as in gensim);
    # the rest is kept to 8-byte slots: one list (texts, reused as raw_words) and
    # the counts read in blocks rather than as a second list.
    invalid = 0
    try:
        whole = data.decode("utf-8")
    except UnicodeDecodeError:
        pieces = data.split(b"\n")
        del data
        texts = []
        for r, piece in enumerate(pieces[:n_raw]):
            text, bad = corpus_mod.decode_counting(piece)
            invalid += bad * int(raw.raw_counts[r])
            texts.append(text)
        del pieces
    else:
        del data
        texts = whole.split("\n")
        del whole
    del texts[n_raw:]
    word_counts: dict[str, int] = {}
    get = word_counts.get
    cut_before = tokenizer.tokens_cut

    # texts becomes raw_words in place: entry r stays a string when raw token r is
    # exactly one word (almost always: then it is that word), else becomes its list
    # of words. Blocks of tokens that are each exactly one word are found with one
    # tokenizer call per block (see _one_word_each); the others go token by token.
    raw.all_single = True
    for lo in range(0, n_raw, _TOKENIZE_BLOCK):
        hi = min(n_raw, lo + _TOKENIZE_BLOCK)
        cs = raw.raw_counts[lo:hi].tolist()
        lines = _one_word_each(texts[lo:hi], tokenizer)
        if lines is not None:
            texts[lo:hi] = lines
            raw.n_raw_tokens += sum(cs)
            if len(set(lines)) == len(lines) and word_counts.keys().isdisjoint(lines):
                word_counts.update(zip(lines, cs, strict=True))  # all new: no sums
            else:
                for w, c in zip(lines, cs, strict=True):
                    word_counts[w] = get(w, 0) + c
            continue
        for r, c in zip(range(lo, hi), cs, strict=True):
            _tokenize_one(r, c, texts, tokenizer, raw, word_counts)
    tokenizer.tokens_cut = cut_before + raw.tokens_cut
    raw_words: list[str | list[str]] = texts
    raw.word_counts = word_counts
    raw.raw_words = raw_words
    raw.invalid_bytes = invalid
    if invalid:
        logger.warning(
            "replaced %d invalid UTF-8 byte(s) with U+FFFD in %s",
            invalid, ", ".join(str(f) for f in files[:3]) + (" ..." if len(files) > 3 else ""),
        )
    return raw


_TOKENIZE_BLOCK = 2048


def _one_word_each(texts: list[str], tokenizer: Tokenizer) -> list[str] | None:
    """The word of each raw token if every one of ``texts`` is exactly one word, else None.

    One tokenizer call on the tokens joined by newlines: the default pattern
    never matches across whitespace, lower-casing and NFC never move a newline,
    so when the words found are exactly the transformed lines, each line is one
    whole match and tokenising it alone gives the same word. Cut tokens never
    pass (a cut word differs from its line), so ``tokens_cut`` is left as it was.
    """
    joined = "\n".join(texts)
    cut = tokenizer.tokens_cut
    words = tokenizer(joined)
    tokenizer.tokens_cut = cut
    if len(words) != len(texts):
        return None
    if tokenizer.lowercase:
        joined = joined.lower()
    if tokenizer.normalize:
        joined = unicodedata.normalize("NFC", joined)
    lines = joined.split("\n")
    return lines if words == lines else None


def _tokenize_one(r: int, c: int, texts: list, tokenizer: Tokenizer, raw: _RawStream,
                  word_counts: dict[str, int]) -> None:
    """Raw token ``r`` (seen ``c`` times) through the tokenizer, one at a time."""
    text = texts[r]
    cut = tokenizer.tokens_cut
    words = tokenizer(text)
    if tokenizer.tokens_cut != cut:  # count every occurrence, as the Python reader does
        raw.tokens_cut += (tokenizer.tokens_cut - cut) * c
    if len(words) == 1 and words[0] == text:
        word_counts[text] = word_counts.get(text, 0) + c
        raw.n_raw_tokens += c
        return
    texts[r] = words
    raw.all_single = False
    for w in words:
        word_counts[w] = word_counts.get(w, 0) + c
    raw.n_raw_tokens += c * len(words)


def _is_one_shot(source: object) -> bool:
    try:
        return iter(source) is source  # type: ignore[call-overload]
    except TypeError:
        return False


def _scan_python(
    source: Source,
    tokenizer: Callable[[str], list[str]] | None,
    max_vocab_size: int | None,
    max_sentence_length: int,
    d: Path,
) -> _RawStream:
    """Pure-Python pass: each distinct word is its own raw token."""
    raw = _RawStream()
    raw.path = d / "raw.int32"

    def sentences() -> Iterator[list[str]]:
        return corpus_mod.iter_sentences(source, tokenizer, max_sentence_length)

    before = corpus_mod.invalid_bytes_seen()
    cut_before = corpus_mod.tokens_cut(tokenizer)
    block: list[int] = []
    with open(raw.path, "wb") as fout:
        if max_vocab_size is None:
            ids: dict[str, int] = {}
            counts: list[int] = []
            for s in sentences():
                for w in s:
                    i = ids.get(w)
                    if i is None:
                        i = ids[w] = len(counts)
                        counts.append(0)
                    counts[i] += 1
                    block.append(i)
                block.append(-1)
                if len(block) > _RAW_BLOCK:
                    fout.write(np.asarray(block, np.int32).tobytes())
                    block.clear()
            raw.word_counts = dict(zip(ids, counts, strict=True))
            raw.raw_words = list(ids)
            raw.all_single = True
            raw.raw_counts = np.asarray(counts, np.int64)
        else:
            if _is_one_shot(source):
                raise ConfigError(
                    "max_vocab_size needs a corpus that can be read twice: give a path "
                    "or a list of sentences instead of a one-shot iterator"
                )
            raw.word_counts = count_words(sentences(), max_vocab_size)
            # second pass after the vocabulary is fixed (done in _finish)
            raw.raw_words = []
        fout.write(np.asarray(block, np.int32).tobytes())
    raw.n_raw_tokens = int(raw.raw_counts.sum()) if len(raw.raw_counts) else 0
    raw.invalid_bytes = corpus_mod.invalid_bytes_seen() - before
    raw.tokens_cut = corpus_mod.tokens_cut(tokenizer) - cut_before
    if max_vocab_size is not None:
        raw.second_pass = sentences
    return raw


def _write_npy_header(fh: object, dtype: np.dtype, n: int) -> None:
    np.lib.format.write_array_header_1_0(
        fh, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
             "fortran_order": False, "shape": (n,)}
    )


def _finish(
    raw: _RawStream,
    min_count: int,
    max_final_vocab: int | None,
    max_sentence_length: int,
    d: Path,
    owns: bool,
    source: object,
    make_vocab: Callable[[dict[str, int]], Vocab] | None = None,
) -> EncodedCorpus:
    from wordvec.text import fastscan

    if not raw.word_counts:
        where = f" in {source}" if corpus_mod.is_path(source) else ""
        raise CorpusError(
            f"the corpus{where} holds no words (it is empty or has only punctuation); "
            "give text with at least one word"
        )
    if make_vocab is not None:
        vocab = make_vocab(raw.word_counts)
    else:
        vocab = Vocab.from_counts(raw.word_counts, min_count, max_final_vocab)
    if len(vocab) == 0:
        top = max(raw.word_counts.values())
        raise VocabError(
            f"no word occurs at least min_count={min_count} times (the most frequent "
            f"occurs {counted(top, 'time')}); lower min_count or give a larger corpus"
        )
    second = raw.second_pass
    if second is not None:
        # max_vocab_size path: encode against the final vocabulary; raw id V = unknown
        index = vocab.index
        v = len(vocab)
        n_raw = 0
        total = 0
        with open(raw.path, "wb") as fout:
            block: list[int] = []
            for s in second():
                n_raw += len(s)
                ids_s = [index.get(w, v) for w in s]
                total += sum(1 for i in ids_s if i < v)
                block.extend(ids_s)
                block.append(-1)
                if len(block) > _RAW_BLOCK:
                    fout.write(np.asarray(block, np.int32).tobytes())
                    block.clear()
            fout.write(np.asarray(block, np.int32).tobytes())
        map_ptr = np.arange(v + 2, dtype=np.int64)
        map_ids = np.append(np.arange(v, dtype=np.int32), np.int32(-1))
        raw.n_raw_tokens = n_raw
        # The counts in the vocabulary are those of the pruned count, as in the C
        # tool (words pruned early lose their early occurrences); the ids below
        # still encode every occurrence of every kept word.
    else:
        index = vocab.index
    if second is None and raw.all_single:
        n = len(raw.raw_words)
        map_ptr = np.arange(n + 1, dtype=np.int64)
        map_ids = np.fromiter(map(index.get, raw.raw_words, itertools.repeat(-1, n)),
                              np.int32, n)
        total = fastscan.count_expanded(raw.raw_counts, map_ptr, map_ids)
    elif second is None:
        lens = np.fromiter((1 if type(w) is str else len(w) for w in raw.raw_words),
                           np.int64, len(raw.raw_words))
        map_ptr = np.zeros(len(lens) + 1, np.int64)
        np.cumsum(lens, out=map_ptr[1:])
        del lens
        map_ids = np.fromiter(
            (index.get(w, -1) for ws in raw.raw_words
             for w in ((ws,) if type(ws) is str else ws)), np.int32, int(map_ptr[-1])
        )
        total = fastscan.count_expanded(raw.raw_counts, map_ptr, map_ids)
    max_words = int(np.max(np.diff(map_ptr))) if len(map_ptr) > 1 else 1
    ids_path = d / "ids.npy"
    offsets_parts = [np.zeros(1, np.int64)]
    state = np.zeros(3, np.int64)
    written = 0
    parts = raw.parts if raw.parts is not None else [(raw.path, None)]
    with open(ids_path, "wb") as fout:
        _write_npy_header(fout, np.int32, total)
        for path, remap in parts:
            with open(path, "rb") as fin:
                while True:
                    block = np.fromfile(fin, dtype=np.int32, count=_RAW_BLOCK)
                    if len(block) == 0:
                        break
                    if remap is not None:  # a later range's ids -> the merged ids
                        block = remap[block]
                    cap = len(block) * max(max_words, 1)
                    out = np.empty(cap, np.int32)
                    # a sentence ends at a line end or after max_sentence_length words
                    ends = int(np.count_nonzero(block < 0)) + cap // max_sentence_length + 2
                    offs = np.empty(ends, np.int64)
                    k, m = fastscan.expand_chunk(
                        block, map_ptr, map_ids, max_sentence_length, out, offs, state
                    )
                    fout.write(out[:k].tobytes())
                    written += k
                    offsets_parts.append(offs[:m].copy())
                    del block, out, offs  # before the next block's arrays
            path.unlink()
    if written != total:
        raise RuntimeError(f"encoded {written} tokens, expected {total}")
    offsets = np.concatenate(offsets_parts)
    if written > 0 and offsets[-1] != written:
        offsets = np.append(offsets, np.int64(written))
    np.save(d / "offsets.npy", offsets, allow_pickle=False)
    stats = {
        "raw_tokens": int(raw.n_raw_tokens),
        "invalid_bytes": int(raw.invalid_bytes),
        "tokens_cut": int(raw.tokens_cut),
        "source": str(source) if corpus_mod.is_path(source) else type(source).__name__,
    }
    (d / "vocab.json").write_text(
        json.dumps({"words": vocab.words, "counts": vocab.counts.tolist()}, ensure_ascii=False),
        "utf-8",
    )
    (d / "encoded.json").write_text(json.dumps({"stats": stats}), "utf-8")
    ids = np.load(ids_path, mmap_mode="r", allow_pickle=False)
    return EncodedCorpus(ids, offsets, vocab, d, stats, owns_directory=owns)


# --- two-phase encoding (for drivers that count on several machines) ---------------------


class ScannedText:
    """Files read once, before the vocabulary is known (see :func:`scan_text`).

    Attributes:
        word_counts: words in first-seen order -> occurrences in these files.
        raw_tokens: whitespace-separated tokens seen.
        invalid_bytes: invalid UTF-8 bytes replaced.
    """

    def __init__(self, raw: _RawStream, directory: Path, owns: bool) -> None:
        self._raw = raw
        self.directory = directory
        self.owns = owns
        self.word_counts = raw.word_counts
        self.raw_tokens = int(raw.n_raw_tokens)
        self.invalid_bytes = int(raw.invalid_bytes)


def scan_text(files: Sequence[str | os.PathLike], tokenizer: Tokenizer | None = None,
              workdir: str | os.PathLike | None = None) -> ScannedText:
    """First half of :func:`encode_corpus` for ``files``: count the words (compiled scan).

    The raw token stream stays in ``workdir`` (default a temporary folder) until
    :func:`encode_scanned` writes the ids against a vocabulary fixed later,
    possibly from the counts of many such scans (a cluster's map-reduce).
    """
    tokenizer = tokenizer or Tokenizer()
    if not tokenizer.is_default_pattern:
        raise ConfigError("scan_text needs the default tokenizer pattern")
    owns = workdir is None
    # a swept, locked working folder like encode_corpus's (wordvec.outputs)
    d = make_work_folder() if owns else Path(workdir)
    d.mkdir(parents=True, exist_ok=True)
    try:
        raw = _scan_files([Path(f) for f in files], tokenizer, d)
    except BaseException:
        if owns:
            remove_work_folder(d)
        raise
    return ScannedText(raw, d, owns)


def encode_scanned(scanned: ScannedText, vocab: Vocab,
                   max_sentence_length: int = MAX_SENTENCE_LENGTH) -> EncodedCorpus:
    """Second half: encode a :func:`scan_text` result with ``vocab`` (words not in it dropped)."""
    if not scanned.word_counts:  # an empty shard: nothing to write
        return EncodedCorpus(np.zeros(0, np.int32), np.zeros(1, np.int64), vocab)
    return _finish(scanned._raw, 1, None, max_sentence_length, scanned.directory, scanned.owns,
                   "shard", make_vocab=lambda counts: vocab)
