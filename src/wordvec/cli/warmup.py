"""``wordvec warmup``: compile the training kernels now, so later runs start at once."""

from __future__ import annotations

import argparse
import time
from typing import Any

from wordvec.cli.common import positive_int
from wordvec.errors import ConfigError


def _int_list(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}")\
            from None


def cmd_warmup(args: argparse.Namespace) -> int:
    """Compile the kernels of the shapes asked for; print one line per shape."""
    from wordvec.train.warmup import shapes, warm_up

    losses = [x.strip() for x in args.loss.split(",") if x.strip()]
    todo = shapes(args.size, args.negative, losses)
    if not todo:
        raise ConfigError("nothing to compile: give --size and --loss")
    t0 = time.perf_counter()
    done = warm_up(todo, jobs=args.jobs)
    for w in done:
        how = f"compiled in {w.seconds:.1f} s" if w.compiled else "already compiled"
        print(f"{w.shape}: {how}")
    print(f"ready in {time.perf_counter() - t0:.1f} s: runs with these shapes start at once")
    return 0


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``wordvec warmup``."""
    wp = sub.add_parser(
        "warmup", parents=[common], help="compile the training kernels ahead of time",
        description="Compile the compiled training kernels (one per vector size, number of "
        "noise words and loss) and the corpus reader's, several at once, into the disk "
        "cache, so that the runs that follow do not wait for them (about 5 s each on a "
        "2-core machine). Useful after installing and before a sweep over sizes. Skip-gram "
        "and CBOW share a kernel.")
    wp.add_argument("--size", type=_int_list, default=[100], metavar="N[,N...]",
                    help="vector sizes (default 100)")
    wp.add_argument("--negative", type=_int_list, default=[5], metavar="K[,K...]",
                    help="noise words per example, for --loss ns (default 5)")
    wp.add_argument("--loss", default="ns", metavar="ns|hs|ns,hs",
                    help="negative sampling, hierarchical softmax or both (default ns)")
    wp.add_argument("--jobs", type=positive_int, default=None,
                    help="processes compiling at once (default: the number of cores)")
    wp.set_defaults(func=cmd_warmup)
