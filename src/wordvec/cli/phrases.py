"""``wordvec phrases``: join the phrases of a corpus (new_york) and write it out."""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from wordvec.cli.common import check_output_path, positive_int
from wordvec.cli.train import corpus_path, phrase_settings
from wordvec.wording import counted

logger = logging.getLogger("wordvec")


def cmd_phrases(args: argparse.Namespace) -> int:
    """Join the phrases of a corpus (new_york) and write it one sentence a line."""
    from wordvec.text.phrases import write_phrased

    corpus = corpus_path(args.corpus)
    out = check_output_path(args.output)
    t0 = time.perf_counter()
    phrased = write_phrased(corpus, out, **phrase_settings(args, args.threshold,
                                                           args.scoring, args.min_count))
    found = ", ".join(f"pass {k + 1}: {len(m.phrasegrams)}" for k, m in enumerate(phrased.models))
    logger.info("wrote %s with the phrases joined (%s) to %s (%.1f s)",
                counted(len(phrased), "sentence"), found, out, time.perf_counter() - t0)
    for k, m in enumerate(phrased.models):
        for phrase, score in list(m.phrasegrams.items())[: max(args.top, 0)]:
            print(f"{k + 1}\t{phrase}\t{score:.6g}")
    return 0


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``wordvec phrases``."""
    pp = sub.add_parser("phrases", parents=[common], help="join phrases (new_york) in a corpus",
                        description="Find phrases with word2phrase's score (as gensim's "
                        "Phrases) and write the corpus with them joined by '_', one sentence "
                        "a line. A pair a b is a phrase when (count(ab) - min_count) / "
                        "(count(a) count(b)) * N exceeds the threshold (N: distinct words and "
                        "pairs counted).")
    pp.add_argument("corpus", help="text file or folder of text files ('-': standard input)")
    pp.add_argument("-o", "--output", required=True, help="phrased corpus to write")
    pp.add_argument("--threshold", type=float,
                    help="score a pair must exceed (default 100; 0.5 with --scoring npmi)")
    pp.add_argument("--min-count", type=positive_int,
                    help="subtracted from each pair's count in the score; with npmi, pairs "
                    "seen fewer times never join (default 5)")
    pp.add_argument("--passes", type=positive_int, default=2,
                    help="passes; each can join a phrase with one more word (default 2)")
    pp.add_argument("--scoring", choices=["default", "npmi"],
                    help="word2phrase's score (default) or normalised PMI in [-1, 1]")
    pp.add_argument("--connectors", action="store_true",
                    help="let English connector words (of, the, ...) sit inside phrases")
    pp.add_argument("--max-candidates", dest="phrases_max_candidates", type=positive_int,
                    metavar="N", help="hold at most N distinct pairs; beyond, drop the rarest "
                    "as word2phrase does (default 40,000,000)")
    pp.add_argument("--top", type=int, default=0, metavar="K",
                    help="print the K best phrases of each pass (pass, phrase, score)")
    pp.add_argument("--no-normalize", action="store_true",
                    help="do not NFC-normalise the text before tokenising")
    pp.set_defaults(func=cmd_phrases)
