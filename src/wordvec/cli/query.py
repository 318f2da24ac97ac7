"""``wordvec similar``, ``analogy``, ``evaluate`` and ``convert``."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from wordvec.cli.common import (
    add_input_options,
    load_input,
    output_option,
    positive_int,
    print_neighbours,
)
from wordvec.errors import ConfigError

logger = logging.getLogger("wordvec")



def cmd_similar(args: argparse.Namespace) -> int:
    """Print the nearest neighbours of a word."""
    wv = load_input(args, args.vectors, mmap=True)
    word = _lookup_word(wv, args.word)
    print_neighbours(wv.most_similar(positive=[word], topn=args.topn))
    return 0


def _lookup_word(wv: object, word: str) -> str:
    if word in wv:  # type: ignore[operator]
        return word
    if word.lower() in wv:  # type: ignore[operator]
        return word.lower()
    wv[word]  # type: ignore[index]  # raises KeyError naming the word (and close spellings)
    return word


def cmd_analogy(args: argparse.Namespace) -> int:
    """Solve a : b :: c : ? (b - a + c), printing the best answers."""
    wv = load_input(args, args.vectors, mmap=True)
    a, b, c = (_lookup_word(wv, w) for w in (args.a, args.b, args.c))
    print(f"{a} : {b} :: {c} : ?")
    print_neighbours(wv.most_similar(positive=[b, c], negative=[a], topn=args.topn))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score vectors on analogy and word-pair benchmarks."""
    import json

    from wordvec.errors import VocabError
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs, format_results

    if not args.analogies and not args.pairs:
        raise ConfigError("give at least one benchmark: --analogies FILE and/or --pairs FILE")
    wv = load_input(args, args.vectors, mmap=True)
    results: list = []
    for path in args.analogies or []:
        result = evaluate_analogies(wv, path, restrict_vocab=args.restrict_vocab or None,
                                    method=args.method)
        if result.total.total == 0:
            raise VocabError(
                f"{path}: none of its {result.n_questions} questions has all four words "
                f"among the {result.restrict_vocab} words searched, so there is no score; "
                "check that the vectors and questions are of the same language and casing"
                + ("" if not args.restrict_vocab else ", or search all words with "
                   "--restrict-vocab 0")
            )
        results.append(result)
    for path in args.pairs or []:
        results.append(evaluate_pairs(wv, path))
    if args.json:
        # to_dict() turns NaN into null; allow_nan=False guarantees valid JSON
        print(json.dumps([r.to_dict() for r in results], indent=2, allow_nan=False))
    else:
        print(format_results(results))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Convert vectors between file formats."""
    from wordvec.vectors.formats import load_vectors, save_vectors

    out, fmt = output_option(args.output, args.format, "output")
    wv = load_vectors(args.input, format=args.input_format, limit=args.limit,
                      allow_nonfinite=args.allow_nonfinite,
                      unicode_errors=args.unicode_errors)
    save_vectors(wv, out, format=fmt)
    logger.info("wrote %d vectors of size %d to %s", len(wv), wv.vector_size, out)
    return 0




def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the query, evaluate and convert sub-commands."""

    s = sub.add_parser("similar", parents=[common], help="nearest neighbours of a word")
    s.add_argument("vectors", help="vector file (any supported format)")
    s.add_argument("word", help="the word to find neighbours of (tried as given, then in "
                   "lower case)")
    s.add_argument("-n", "--topn", type=positive_int, default=10,
                   help="how many neighbours to print (default 10)")
    add_input_options(s)
    s.set_defaults(func=cmd_similar)

    a = sub.add_parser("analogy", parents=[common], help="a : b :: c : ?  (b - a + c)")
    a.add_argument("vectors", help="vector file (any supported format)")
    a.add_argument("a", help="a in 'a is to b as c is to ?' (e.g. man)")
    a.add_argument("b", help="b, what a becomes (e.g. king)")
    a.add_argument("c", help="c, to transform the same way (e.g. woman); the answers are the "
                   "words nearest b - a + c")
    a.add_argument("-n", "--topn", type=positive_int, default=5,
                   help="how many answers to print (default 5)")
    add_input_options(a)
    a.set_defaults(func=cmd_analogy)

    e = sub.add_parser("evaluate", parents=[common],
                       help="score vectors on analogy and word-similarity benchmarks")
    e.add_argument("vectors", help="vector file (any supported format)")
    e.add_argument("--analogies", action="append", metavar="FILE",
                   help="analogy questions in the questions-words format (repeatable)")
    e.add_argument("--pairs", action="append", metavar="FILE",
                   help="word pairs with human scores, WordSim-353/SimLex-999 style (repeatable)")
    e.add_argument("--restrict-vocab", type=int, default=30000,
                   help="analogies: answer among the N most frequent words (default 30000, "
                   "0 for all)")
    e.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd",
                   help="analogies: 3cosadd (b - a + c, default, as the C tool) or 3cosmul "
                   "(Levy & Goldberg's multiplicative objective)")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    add_input_options(e)
    e.set_defaults(func=cmd_evaluate)

    c = sub.add_parser("convert", parents=[common], help="convert vectors between formats")
    c.add_argument("input", help="vector file (any supported format)")
    c.add_argument("output", help="format from the extension: .bin, .txt/.vec, other: native; "
                   "'-' is standard output (word2vec text unless --format says otherwise)")
    c.add_argument("--format", choices=["native", "word2vec-text", "word2vec-binary", "glove"],
                   help="output format (overrides the extension)")
    c.add_argument("--input-format",
                   choices=["native", "word2vec-text", "word2vec-binary", "glove"],
                   help="input format (default: detected from the content)")
    c.add_argument("--limit", type=positive_int, help="keep only the first N words")
    c.add_argument("--unicode-errors", choices=["strict", "replace", "ignore"],
                   default="strict",
                   help="words that are not valid UTF-8: refuse the file (strict, default), "
                   "replace the bad bytes with U+FFFD, or drop them")
    add_input_options(c, input_format=False)
    c.set_defaults(func=cmd_convert)
