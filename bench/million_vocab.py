"""A corpus with a vocabulary of about a million words, for the big-vocabulary row.

Usage (from the repository root)::

    .venv/bin/python bench/million_vocab.py       # writes bench/.cache/text8like-x2-1m.txt
    .venv/bin/python bench/speed.py --corpus bench/.cache/text8like-x2-1m.txt \\
        --min-count 1 --hs 1 --negative 0 --model sg --only wordvec,gensim-file

No corpus in ``../shared/data`` has more than 321,631 distinct words (parts 1+2
of the main corpus), so this one pads them: 700,000 synthetic rare words
(``zq0``, ``zq1``, ...; 1 to 3 uses each, drawn with a fixed seed) in extra
lines spread evenly through the doubled corpus, one after each of its lines
of 10,000 words. With ``min_count 1`` that is 1,021,631 words. The real text
is unchanged, so analogy and similarity scores still mean something.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from speed import DEFAULT_DATA, ROOT, prepare_corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--cache", default=str(ROOT / "bench" / ".cache"))
    ap.add_argument("--new-words", type=int, default=700_000)
    args = ap.parse_args()
    lines_path = Path(prepare_corpus(Path(args.data), Path(args.cache), double=True)["lines"])
    out = Path(args.cache) / "text8like-x2-1m.txt"
    rng = np.random.default_rng(7)
    uses = rng.integers(1, 4, args.new_words)
    tokens = np.repeat(np.arange(args.new_words), uses)
    rng.shuffle(tokens)
    lines = [line for line in lines_path.read_bytes().split(b"\n") if line]
    per = len(tokens) // len(lines) + 1
    tmp = out.with_suffix(".tmp")
    pos = 0
    with open(tmp, "wb") as f:
        for line in lines:
            f.write(line + b"\n")
            if pos < len(tokens):
                f.write(b" ".join(b"zq%d" % t for t in tokens[pos:pos + per]) + b"\n")
                pos += per
    tmp.replace(out)
    print(f"{out}: {len(lines)} lines of text, {len(tokens):,} synthetic tokens of "
          f"{args.new_words:,} new words")


if __name__ == "__main__":
    main()
