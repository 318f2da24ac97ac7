"""How good are the vectors? Word analogies and word-pair similarity.

Both benchmarks reproduce gensim's ``KeyedVectors.evaluate_word_analogies``
and ``evaluate_word_pairs`` exactly (same questions skipped, same counts,
same correlations), so numbers can be compared with published gensim runs:

* Analogies, questions-words format (``: section`` lines, then ``a b c d``
  meaning *a is to b as c is to d*). The answer is the nearest word to
  ``b - a + c`` by 3CosAdd (or 3CosMul with ``method="3cosmul"``) among the
  first ``restrict_vocab`` words, the three question words excluded.
  Questions with a word outside those ``restrict_vocab`` words are skipped
  and counted separately. With ``case_insensitive=True`` every word is
  upper-cased and a vocabulary word stands for all its casings, the most
  frequent casing's vector being used (gensim's rule); a prediction that
  is another casing of a question word is passed over. The default
  ``restrict_vocab=30000`` is the C tool's ``compute-accuracy`` threshold
  (gensim's default is 300,000). Sections whose name starts with ``gram``
  are syntactic, the others semantic (the Google set's split).
* Word pairs, WordSim-353 / SimLex-999 style ``word1<TAB>word2<TAB>score``
  lines (``#`` comments, CRLF endings): Pearson and Spearman correlation of
  the cosine similarities with the human scores, over the pairs whose words
  are both known; the share of unknown pairs is reported as ``oov_percent``
  (gensim's ``oov_ratio``).

The analogy questions are answered in blocks by matrix-matrix products, so
the 19,544 Google questions on a 30,000-word vocabulary take seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wordvec.errors import ConfigError, FormatError, VocabError
from wordvec.vectors.keyed import WordVectors, top_indices_rows, unit_vector

logger = logging.getLogger("wordvec")

__all__ = [
    "AnalogyResult",
    "PairsResult",
    "SectionScore",
    "evaluate_analogies",
    "evaluate_pairs",
    "format_results",
    "read_analogies",
]

_TOPN = 5  # gensim looks at the 5 best non-question words
_COSMUL_EPS = 1e-6
_BLOCK_CELLS = 1 << 23  # score cells per block (32 MiB of float32)


@dataclass
class SectionScore:
    """Accuracy on one group of analogy questions."""

    name: str
    correct: int = 0
    total: int = 0  # questions answered (all four words known)
    oov: int = 0  # questions skipped because a word is unknown

    @property
    def accuracy(self) -> float:
        """correct / total, 0.0 when nothing was answered (as gensim)."""
        return self.correct / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**asdict(self), "accuracy": self.accuracy}


@dataclass
class AnalogyResult:
    """Outcome of :func:`evaluate_analogies`."""

    path: str
    sections: list[SectionScore]
    semantic: SectionScore
    syntactic: SectionScore
    total: SectionScore
    n_questions: int  # well-formed question lines read
    oov: int  # of which skipped for unknown words
    skipped_lines: int  # malformed lines ignored
    restrict_vocab: int
    case_insensitive: bool
    method: str
    seconds: float = 0.0
    kind: str = field(default="analogies", init=False)

    @property
    def accuracy(self) -> float:
        """Overall accuracy over the answered questions (gensim's score)."""
        return self.total.accuracy

    @property
    def oov_percent(self) -> float:
        """Share of questions skipped for unknown words, in percent (as gensim logs it)."""
        return float(self.oov) / self.n_questions * 100 if self.n_questions else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (sections as a list)."""
        return _json_safe({
            "kind": self.kind,
            "path": self.path,
            "accuracy": self.accuracy,
            "semantic": self.semantic.to_dict(),
            "syntactic": self.syntactic.to_dict(),
            "total": self.total.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "n_questions": self.n_questions,
            "oov": self.oov,
            "oov_percent": self.oov_percent,
            "skipped_lines": self.skipped_lines,
            "restrict_vocab": self.restrict_vocab,
            "case_insensitive": self.case_insensitive,
            "method": self.method,
            "seconds": self.seconds,
        })


@dataclass
class PairsResult:
    """Outcome of :func:`evaluate_pairs`."""

    path: str
    pearson: float
    pearson_pvalue: float
    spearman: float
    spearman_pvalue: float
    n_pairs: int  # well-formed pair lines read
    used: int  # pairs scored (both words known; all of them with dummy4unknown)
    oov: int  # pairs with an unknown word
    oov_percent: float  # gensim's oov_ratio
    skipped_lines: int
    restrict_vocab: int
    case_insensitive: bool
    kind: str = field(default="pairs", init=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (a NaN correlation, from constant scores, becomes None)."""
        return _json_safe(asdict(self))


def _json_safe(obj: Any) -> Any:
    """``obj`` with NaN and infinities replaced by None, which JSON can represent."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def _report_skipped(path: Path, skipped: list[tuple[int, str]], expected: str) -> None:
    """One warning for the malformed lines of a benchmark file (each is logged at DEBUG)."""
    if skipped:
        lineno, text = skipped[0]
        logger.warning("skipped %d malformed line(s) in %s (first: line %d, %r; expected %s)",
                       len(skipped), path, lineno, text[:60], expected)


def _vocab_view(
    wv: WordVectors, restrict_vocab: int | None, case_insensitive: bool
) -> tuple[dict[str, int], np.ndarray, int]:
    """(word -> row among the first ``limit`` words, canonical row of each row, limit).

    Case-insensitively, the key is the upper-cased word and the first (most
    frequent) casing wins; ``canon[i]`` is the row that stands for row i.
    """
    if restrict_vocab is not None and restrict_vocab < 1:
        raise ConfigError(f"restrict_vocab must be >= 1, got {restrict_vocab}")
    limit = len(wv) if restrict_vocab is None else min(int(restrict_vocab), len(wv))
    ok: dict[str, int] = {}
    canon = np.arange(limit, dtype=np.int64)
    for i, word in enumerate(wv.index_to_key[:limit]):
        key = word.upper() if case_insensitive else word
        j = ok.setdefault(key, i)
        canon[i] = j
    return ok, canon, limit


def read_analogies(
    path: str | Path,
) -> tuple[list[tuple[str, list[tuple[str, str, str, str]]]], int]:
    """Parse a questions-words file: ``([(section, [(a, b, c, d), ...]), ...], skipped_lines)``.

    Lines that do not hold exactly four words are skipped and counted (as
    gensim does), each logged at DEBUG with its number and all of them in one
    WARNING; a question before the first ``: section`` line is an error, and
    so is a file without a single well-formed question.
    """
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{path}: no such analogy file")
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    bad: list[tuple[int, str]] = []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(f"{path}: line {lineno} is not UTF-8 ({exc.reason})") from exc
            if line.startswith(": "):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            parts = line.split()
            if not parts:
                continue
            if not sections:
                raise FormatError(
                    f"{path}: line {lineno}: a question before any ': section' header line; "
                    "is this a questions-words file?"
                )
            if len(parts) != 4:
                logger.debug("%s: skipping line %d (not four words): %r", path, lineno,
                             line.strip()[:80])
                bad.append((lineno, line.strip()))
                continue
            sections[-1][1].append((parts[0], parts[1], parts[2], parts[3]))
    if not sections:
        raise FormatError(f"{path} has no ': section' lines: not a questions-words file")
    if not any(questions for _, questions in sections):
        first = f" (line {bad[0][0]}: {bad[0][1][:40]!r})" if bad else ""
        raise FormatError(
            f"{path} holds no usable question: {len(bad)} line(s) are not four words "
            f"'a b c d'{first}"
        )
    _report_skipped(path, bad, "four words 'a b c d'")
    return sections, len(bad)


def _unit_rows(wv: WordVectors, rows: np.ndarray, safe: np.ndarray) -> np.ndarray:
    return wv.vectors[rows] / safe[rows][:, None]


def _query_means(wv: WordVectors, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                 safe: np.ndarray) -> np.ndarray:
    """Unit ``(b + c - a) / 3`` per question, in the same operation order as gensim."""
    mean = _unit_rows(wv, b, safe) + _unit_rows(wv, c, safe)
    mean -= _unit_rows(wv, a, safe)
    m64 = mean.astype(np.float64) / 3.0
    norms = np.linalg.norm(m64, axis=1)
    norms[norms == 0] = 1.0
    return (m64 * (1.0 / norms)[:, None]).astype(np.float32)


def _cosmul_top(wv: WordVectors, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                limit: int, safe: np.ndarray, k: int) -> np.ndarray:
    """Top-k rows by 3CosMul for each question (question words excluded)."""
    rows = wv.vectors[:limit]
    norms = safe[:limit]
    n = a.shape[0]
    out = np.full((n, k), -1, dtype=np.int64)
    step = max(1, _BLOCK_CELLS // (3 * max(limit, 1)))
    for start in range(0, n, step):
        sl = slice(start, min(n, start + step))

        def shifted(idx: np.ndarray) -> np.ndarray:
            s = _unit_rows(wv, idx, safe) @ rows.T
            s /= norms
            return (1 + s) / 2

        scores = shifted(b[sl])
        scores *= shifted(c[sl])
        scores /= shifted(a[sl]) + _COSMUL_EPS
        r = np.arange(scores.shape[0])
        for col in (a[sl], b[sl], c[sl]):
            scores[r, col] = -np.inf
        best, vals = top_indices_rows(scores, min(k, limit))
        best[vals == -np.inf] = -1
        out[sl, : best.shape[1]] = best
    return out


def evaluate_analogies(
    wv: WordVectors,
    path: str | Path,
    restrict_vocab: int | None = 30000,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    dummy4unknown: bool = False,
) -> AnalogyResult:
    """Accuracy on an analogy file, per section, semantic/syntactic and overall.

    Equals gensim's ``wv.evaluate_word_analogies(path, restrict_vocab=...,
    case_insensitive=...)`` for ``method="3cosadd"``. ``dummy4unknown=True``
    counts questions with unknown words as wrong instead of skipping them.
    Example::

        r = evaluate_analogies(wv, "questions-words.txt")
        print(format_results([r]))
    """
    if method not in ("3cosadd", "3cosmul"):
        raise ConfigError(f"unknown analogy method {method!r}: use '3cosadd' or '3cosmul'")
    t0 = time.perf_counter()
    sections_in, skipped = read_analogies(path)
    ok, canon, limit = _vocab_view(wv, restrict_vocab, case_insensitive)

    scores = [SectionScore(name) for name, _ in sections_in]
    quads: list[tuple[int, int, int, int]] = []
    owner: list[int] = []
    n_questions = 0
    oov = 0
    for s, (_, questions) in enumerate(sections_in):
        for q in questions:
            n_questions += 1
            words = [w.upper() for w in q] if case_insensitive else q
            ids = [ok.get(w, -1) for w in words]
            if min(ids) < 0:
                oov += 1
                scores[s].oov += 1
                if dummy4unknown:
                    scores[s].total += 1
                continue
            quads.append((ids[0], ids[1], ids[2], ids[3]))
            owner.append(s)

    if quads:
        q = np.array(quads, dtype=np.int64)
        a, b, c, expected = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
        wv.fill_norms()
        safe = np.where(wv.norms > 0, wv.norms, np.float32(1.0)).astype(np.float32)
        if method == "3cosadd":
            means = _query_means(wv, a, b, c, safe)
            cand, vals = wv.search(means, topn=_TOPN, exclude=q[:, :3], restrict_vocab=limit)
            cand = np.where(vals == -np.inf, -1, cand)
        else:
            cand = _cosmul_top(wv, a, b, c, limit, safe, _TOPN)
        predicted = _pick(cand, canon, a, b, c)
        hits = predicted == expected
        owners = np.array(owner)
        for s in range(len(scores)):
            mine = owners == s
            scores[s].total += int(mine.sum())
            scores[s].correct += int(hits[mine].sum())

    semantic = SectionScore("semantic")
    syntactic = SectionScore("syntactic")
    total = SectionScore("total")
    for sc in scores:
        group = syntactic if sc.name.lower().startswith("gram") else semantic
        for agg in (group, total):
            agg.correct += sc.correct
            agg.total += sc.total
            agg.oov += sc.oov
    result = AnalogyResult(
        path=str(path),
        sections=scores,
        semantic=semantic,
        syntactic=syntactic,
        total=total,
        n_questions=n_questions,
        oov=oov,
        skipped_lines=skipped,
        restrict_vocab=limit,
        case_insensitive=case_insensitive,
        method=method,
        seconds=time.perf_counter() - t0,
    )
    logger.info(
        "analogies %s: %.1f%% (%d/%d), %d of %d questions skipped for unknown words",
        path, 100 * result.accuracy, total.correct, total.total, oov, n_questions,
    )
    return result


def _pick(cand: np.ndarray, canon: np.ndarray, a: np.ndarray, b: np.ndarray,
          c: np.ndarray) -> np.ndarray:
    """gensim's choice among the 5 best: the first that is no casing of a question word,
    else the last one; -1 when there is no candidate."""
    valid = cand >= 0
    cc = np.where(valid, canon[np.where(valid, cand, 0)], -1)
    good = valid & (cc != a[:, None]) & (cc != b[:, None]) & (cc != c[:, None])
    rows = np.arange(cand.shape[0])
    first_good = np.argmax(good, axis=1)
    n_valid = valid.sum(axis=1)
    last = np.maximum(n_valid - 1, 0)
    return np.where(
        good.any(axis=1),
        cc[rows, first_good],
        np.where(n_valid > 0, cc[rows, last], -1),
    )


def evaluate_pairs(
    wv: WordVectors,
    path: str | Path,
    delimiter: str = "\t",
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    encoding: str = "utf-8",
) -> PairsResult:
    """Pearson and Spearman correlation with human similarity scores.

    Equals gensim's ``wv.evaluate_word_pairs(path, ...)`` with the same
    arguments (``restrict_vocab`` defaults to gensim's 300,000).
    ``dummy4unknown=True`` scores unknown pairs as similarity 0 instead of
    skipping them.
    """
    from scipy import stats

    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{path}: no such word-pair file")
    ok, _, limit = _vocab_view(wv, restrict_vocab, case_insensitive)
    gold: list[float] = []
    model: list[Any] = []
    oov = 0
    n_pairs = 0
    bad: list[tuple[int, str]] = []
    with open(path, encoding=encoding, errors="strict") as f:
        try:
            for lineno, line in enumerate(f, start=1):
                if not line or line.startswith("#"):
                    continue
                parts = line.split(delimiter)
                if case_insensitive:
                    parts = [p.upper() for p in parts]
                try:
                    a, b, sim_text = parts
                    sim = float(sim_text)
                except ValueError:
                    if line.strip():
                        bad.append((lineno, line.strip()))
                        logger.debug("%s: skipping line %d (not 'word1 word2 score'): %r",
                                     path, lineno, line.strip()[:80])
                    continue
                n_pairs += 1
                if a not in ok or b not in ok:
                    oov += 1
                    if dummy4unknown:
                        gold.append(sim)
                        model.append(0.0)
                    continue
                gold.append(sim)
                va, vb = wv.vectors[ok[a]], wv.vectors[ok[b]]
                model.append(np.dot(unit_vector(va), unit_vector(vb)))
        except UnicodeDecodeError as exc:
            raise FormatError(f"{path}: not {encoding} text ({exc.reason})") from exc
    if n_pairs == 0:
        first = f" (line {bad[0][0]}: {bad[0][1][:40]!r})" if bad else ""
        raise FormatError(
            f"{path}: no 'word1{delimiter!r}word2{delimiter!r}score' lines found{first}; "
            "check the file and the delimiter"
        )
    _report_skipped(path, bad, f"'word1{delimiter!r}word2{delimiter!r}score'")
    skipped = len(bad)
    _check_correlation_defined(path, gold, model, n_pairs)
    spearman = stats.spearmanr(gold, model)
    pearson = stats.pearsonr(gold, model)
    denom = len(gold) if dummy4unknown else len(gold) + oov
    result = PairsResult(
        path=str(path),
        pearson=float(pearson[0]),
        pearson_pvalue=float(pearson[1]),
        spearman=float(spearman[0]),
        spearman_pvalue=float(spearman[1]),
        n_pairs=n_pairs,
        used=len(gold),
        oov=oov,
        oov_percent=float(oov) / denom * 100,
        skipped_lines=skipped,
        restrict_vocab=limit,
        case_insensitive=case_insensitive,
    )
    logger.info("pairs %s: spearman %.4f, pearson %.4f, %.1f%% unknown",
                path, result.spearman, result.pearson, result.oov_percent)
    return result


def _check_correlation_defined(path: Path, gold: list[float], model: list[Any],
                               n_pairs: int) -> None:
    """Refuse, in one line, a pair set on which a correlation is undefined.

    A correlation needs at least two scored pairs whose scores vary on both
    sides; scipy would raise (one pair) or return NaN with a warning (constant
    scores). gensim passes both cases on to scipy.
    """
    if len(gold) < 2:
        which = "none" if not gold else "only 1"
        raise VocabError(
            f"{path}: {which} of the {n_pairs} pairs has both words in the vocabulary; "
            "a correlation needs at least 2 scored pairs"
        )
    for values, what in ((gold, "human scores"), (model, "cosine similarities")):
        if np.ptp(np.asarray(values, dtype=np.float64)) == 0:
            raise VocabError(
                f"{path}: the {what} of all {len(gold)} scored pairs are equal; "
                "the correlation is undefined"
            )


def format_results(results: Sequence[AnalogyResult | PairsResult]) -> str:
    """A plain-text report: one table per analogy file, one table for all pair files."""
    out: list[str] = []
    for r in results:
        if not isinstance(r, AnalogyResult):
            continue
        case = "case-insensitive" if r.case_insensitive else "case-sensitive"
        out.append(f"Analogies: {Path(r.path).name}  ({r.method}, top {r.restrict_vocab} "
                   f"words, {case})")
        width = max([len(s.name) for s in r.sections] + [9])
        out.append(f"  {'section':<{width}}  {'accuracy':>8}  {'correct':>8}  {'asked':>6}  "
                   f"{'unknown':>7}")
        rows = [*r.sections, None, r.semantic, r.syntactic, r.total]
        for s in rows:
            if s is None:
                out.append("  " + "-" * (width + 37))
                continue
            out.append(f"  {s.name:<{width}}  {100 * s.accuracy:>7.2f}%  {s.correct:>8}  "
                       f"{s.total:>6}  {s.oov:>7}")
        answered = r.n_questions - r.oov
        out.append(f"  {r.n_questions} questions, {answered} answered, {r.oov} skipped for "
                   f"unknown words ({r.oov_percent:.1f}%), {r.seconds:.2f} s")
        out.append("")
    pairs = [r for r in results if isinstance(r, PairsResult)]
    if pairs:
        width = max([len(Path(p.path).name) for p in pairs] + [7])
        out.append("Word pairs")
        out.append(f"  {'dataset':<{width}}  {'pairs':>5}  {'used':>5}  {'unknown':>7}  "
                   f"{'Spearman':>8}  {'Pearson':>8}")
        for p in pairs:
            out.append(f"  {Path(p.path).name:<{width}}  {p.n_pairs:>5}  {p.used:>5}  "
                       f"{p.oov_percent:>6.1f}%  {p.spearman:>8.4f}  {p.pearson:>8.4f}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n" if out else ""
