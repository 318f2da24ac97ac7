"""The ``wordvec`` command line: parse, call the library, print.

Every sub-command is a thin wrapper. User mistakes arrive as
:class:`~wordvec.errors.WordvecError` and are printed as one line on stderr,
with no traceback, and a non-zero exit status (2); so are usage errors.
Output paths (vectors, checkpoints, plots, counts) are checked by really
creating a file beside them before any work starts.

``wordvec train`` with the word2vec engine installs SIGINT and SIGTERM
handlers while it trains (and restores the previous ones after): the first
signal finishes the chunks in hand, writes a checkpoint (``OUTPUT.ckpt`` by
default), prints the command that resumes it and exits with 130 (SIGINT) or
143 (SIGTERM); a second signal quits at once without saving. Before and after
training (reading the corpus, saving), SIGTERM unwinds like Ctrl-C, so the
working folder and the lock files are removed, and exits with 143.

``wordvec train`` locks its output and its checkpoint (``PATH.lock``, holding
the PID) for its whole run: a second run writing either is refused. ``-o -``
(and ``convert IN -``) writes to standard output, word2vec text by default;
binary formats are refused when standard output is a terminal.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Sequence

from wordvec.cli import phrases, query, show, train, warmup
from wordvec.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USER_ERROR,
    WarningsToLog,
    cli_wording,
    setup_logging,
)
from wordvec.cli.train import Terminated
from wordvec.errors import WordvecError

__all__ = ["build_parser", "main"]

logger = logging.getLogger("wordvec")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, like every other error of the command."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # the sub-command is worth naming ('wordvec train: ...'), the bare program is not
        where = self.prog.removeprefix("wordvec").strip()
        sys.stderr.write(f"wordvec: error: {where + ': ' if where else ''}{message} "
                         f"(see '{self.prog} --help')\n")
        self.exit(EXIT_USER_ERROR)




def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wordvec`` command."""
    parser = _Parser(
        prog="wordvec",
        description="Learn word vectors from raw text, then query, evaluate and plot them.",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="only warnings and errors")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                        help="only warnings and errors")
    common.add_argument("--verbose", "-v", action="store_true", default=argparse.SUPPRESS,
                        help="debug messages")

    train.add_parser(sub, common)
    phrases.add_parsers(sub, common)
    query.add_parsers(sub, common)
    show.add_parsers(sub, common)
    warmup.add_parsers(sub, common)
    _record_flags(parser)
    return parser


def _record_flags(parser: argparse.ArgumentParser) -> None:
    """Give each (sub-)command's namespace ``cli_flags``: the option strings it accepts.

    Messages from the library are reworded with them (see :func:`cli_wording`).
    """
    flags = frozenset(opt for action in parser._actions for opt in action.option_strings)
    parser.set_defaults(cli_flags=flags)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _record_flags(child)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wordvec`` command; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported in one line
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    quiet = bool(getattr(args, "quiet", False))
    verbose = bool(getattr(args, "verbose", False))
    setup_logging(quiet, verbose, flags=getattr(args, "cli_flags", frozenset()))
    args.quiet, args.verbose = quiet, verbose
    with warnings.catch_warnings():
        # every warning passes through the log, once per condition, on one line
        warnings.simplefilter("always")
        warnings.showwarning = WarningsToLog()
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    flags = getattr(args, "cli_flags", frozenset())
    try:
        rc = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that went away shows up here, not at exit
        return rc
    except BrokenPipeError:
        # `wordvec similar ... | head`: the reader has what it wanted. (Caught before
        # OSError, of which it is a subclass.)
        _silence_stdout()
        return 0
    except WordvecError as exc:
        print(f"wordvec: error: {cli_wording(str(exc), flags)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyError as exc:
        # unknown words in queries: the message names the word
        msg = exc.args[0] if exc.args else str(exc)
        print(f"wordvec: error: {msg}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:
        # a full disk, a vanished folder, a permission change mid-run
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"wordvec: error:{where} {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Terminated:
        print("wordvec: terminated by SIGTERM", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("wordvec: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush has nowhere to fail."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)

