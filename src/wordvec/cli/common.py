"""What every ``wordvec`` command shares: exit codes, the progress bar, log and warning
handling in the command line's words, output paths, vector-file options."""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wordvec.errors import ConfigError

logger = logging.getLogger("wordvec")

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention
EXIT_TERMINATED = 143  # 128 + SIGTERM

#: Analogy questions are answered among this many most frequent words (the C tool's value).
EVAL_RESTRICT_VOCAB = 30000

# --- output helpers -----------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on stderr, shown only on a terminal (drawn by tqdm, which
    follows the terminal's width and lets log lines through: see _BarAwareHandler)."""

    STEPS = 1000  # the bar counts thousandths of the run
    active: ProgressBar | None = None  # the bar log messages must clear first

    def __init__(self, enabled: bool, stream: object = None, unit: str = "words") -> None:
        self.stream = stream or sys.stderr
        self.unit = unit  # what words_per_sec counts: the reference models count examples
        self.enabled = enabled and getattr(self.stream, "isatty", lambda: False)()
        self._last = 0.0
        self._bar: Any = None  # the tqdm bar, made at the first report

    def __call__(self, p: object) -> None:
        """Draw a progress report (an object with ``fraction``, ``words_per_sec`` ...)."""
        if not self.enabled:
            return
        now = time.monotonic()
        fraction = min(max(float(getattr(p, "fraction", 0.0)), 0.0), 1.0)
        if now - self._last < 0.2 and fraction < 1.0:
            return
        self._last = now
        parts = []
        epoch = getattr(p, "epoch", None)
        epochs = getattr(p, "epochs", None)
        if epoch is not None and epochs:
            parts.append(f"epoch {epoch}/{epochs}")
        wps = getattr(p, "words_per_sec", None)
        if wps:
            parts.append(f"{_fmt_rate(wps)} {self.unit}/s")
        lr = getattr(p, "alpha", None)
        if lr is not None:
            parts.append(f"lr {lr:.5f}")
        loss = getattr(p, "loss", None)
        if loss is not None and loss == loss:
            parts.append(f"loss {loss:.4f}")
        eta = getattr(p, "eta", None)
        # no ETA before any word is done (the rate is 0, the engine's ETA infinite)
        if eta is not None and eta == eta and eta != float("inf"):
            parts.append(f"ETA {_fmt_seconds(eta)}")  # the engine's estimate, not tqdm's
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=self.STEPS, file=self.stream, ascii="-#", leave=True,
                             bar_format="[{bar:30}] {percentage:5.1f}%  {desc}",
                             ncols=self._columns(), mininterval=0, miniters=0,
                             # one bar, on the last line: a terminal that reports no
                             # size (a fresh pseudo-terminal) must not make tqdm hide it,
                             # and a bar left open elsewhere in this process must not
                             # push it down a line (tqdm stacks its open bars)
                             nrows=24, position=0)
            ProgressBar.active = self
        self._bar.set_description_str("  ".join(parts), refresh=False)
        self._bar.n = round(self.STEPS * fraction)
        self._bar.refresh()

    def _columns(self) -> int:
        """The terminal's width, or 119 when it reports none (a fresh pseudo-terminal)."""
        try:
            cols = os.get_terminal_size(self.stream.fileno()).columns  # type: ignore[attr-defined]
        except (AttributeError, OSError, ValueError):
            cols = 0
        return cols if cols > 0 else 119

    def close(self) -> None:
        """End the bar's line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if ProgressBar.active is self:
            ProgressBar.active = None


def _fmt_rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"


def _fmt_seconds(s: float) -> str:
    s = int(max(s, 0))
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class _BarAwareHandler(logging.StreamHandler):
    """Log to stderr, first clearing a progress bar drawn on the same line."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record on a line of its own, then redraw the bar under it."""
        bar = ProgressBar.active
        if bar is None or bar._bar is None:
            super().emit(record)
            return
        from tqdm import tqdm

        with tqdm.external_write_mode(file=bar.stream):
            super().emit(record)


def setup_logging(quiet: bool, verbose: bool, flags: frozenset[str] = frozenset()) -> None:
    handler = _BarAwareHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wordvec: %(message)s"))
    handler.addFilter(_CliWording(flags))
    root = logging.getLogger("wordvec")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO))


# --- the library's words, the command line's words ----------------------------------

# Library messages name Python parameters (``min_count``, ``format='glove'``); on the
# command line the user needs the flag. A parameter is rewritten only when the command
# in hand has the flag (``--min-count``); the special cases below say what to do instead.
def _py_flags() -> dict[str, str]:
    from wordvec.settings import SETTINGS

    flags = {name: s.flag for name, s in SETTINGS.items() if s.flag is not None}
    return {**flags, "format": "--input-format", "n_iter": "--epochs"}


_PY_FLAGS = _py_flags()
_PHRASES = (
    # no flag on most commands: 'wordvec convert' can repair such a file
    (re.compile(r"pass unicode_errors='(\w+)' \(or '(\w+)'\) to load it anyway"),
     lambda m, flags: (f"give --unicode-errors {m[1]} (or {m[2]}) to load it anyway"
                       if "--unicode-errors" in flags else
                       f"load it anyway by repairing a copy: wordvec convert FILE COPY.txt "
                       f"--unicode-errors {m[1]}")),
    (re.compile(r"or without format=\)?"),
     lambda m, flags: "or without --input-format" + (")" if m[0].endswith(")") else "")),
    (re.compile(r" \(MAX_SOFTMAX_VOCAB in wordvec\.train\.reference\)"), lambda m, flags: ""),
    (re.compile(r"train with wordvec\.Word2Vec using negative sampling \(negative=5\) or "
                r"hierarchical softmax \(hs=1\)"),
     lambda m, flags: "train with negative sampling (--loss ns) or hierarchical softmax "
                      "(--loss hs)"),
)
_ASSIGNMENT = re.compile(r"\b([a-z][a-z0-9_]*)=('([^']*)'|\"([^\"]*)\"|[\w.+-]+)?")
_BARE = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")


def cli_wording(message: str, flags: frozenset[str] | set[str] = frozenset()) -> str:
    """Say a library message in the command line's terms.

    ``flags`` are the option strings of the command that runs. Python keyword
    arguments the command has a flag for become that flag (``min_count=5`` ->
    ``--min-count 5``, ``method='pca'`` -> ``--method pca``); a few messages
    that point to Python-only options get CLI advice instead.
    """
    for pattern, replace in _PHRASES:
        message = pattern.sub(lambda m, r=replace: r(m, flags), message)

    def flag_of(name: str) -> str | None:
        flag = _PY_FLAGS.get(name) or "--" + name.replace("_", "-")
        return flag if flag in flags else None

    def assignment(m: re.Match) -> str:
        flag = flag_of(m[1])
        if flag is None:
            return m[0]
        value = m[3] if m[3] is not None else m[4] if m[4] is not None else m[2]
        return f"{flag} {value}" if value else flag

    message = _ASSIGNMENT.sub(assignment, message)
    return _BARE.sub(lambda m: flag_of(m[1]) or m[0], message)


class _CliWording(logging.Filter):
    """Rewrite log messages with :func:`cli_wording` before they are shown."""

    def __init__(self, flags: frozenset[str]) -> None:
        super().__init__()
        self.flags = flags

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its command-line wording (always shown)."""
        text = cli_wording(record.getMessage(), self.flags)
        record.msg, record.args = text, None
        return True


class WarningsToLog:
    """``warnings.showwarning`` for the CLI: one log line per condition, in our words.

    Python prints a warning as two lines (the message, then the source line that
    raised it) and once per place it comes from; here a condition is shown once
    per run, whichever place raises it.
    """

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, message: Warning | str, category: type[Warning], filename: str,
                 lineno: int, file: object = None, line: str | None = None) -> None:
        """Log the warning unless the same condition was already shown."""
        key, text = _describe_warning(str(message), category)
        if key in self.seen:
            return
        self.seen.add(key)
        logger.warning("warning: %s", text)


def _describe_warning(text: str, category: type[Warning]) -> tuple[tuple[str, str], str]:
    """A key naming the condition behind a warning, and one line saying it for the user."""
    first = text.strip().splitlines()[0] if text.strip() else category.__name__
    name = category.__name__
    if name == "ConstantInputWarning":
        return (name, ""), ("a correlation is undefined because one side is constant "
                            "(all scores equal); it is reported as nan")
    if issubclass(category, UserWarning) and re.match(r"Glyph \d+ .*missing from font", first):
        font = re.search(r"missing from font\(s\) (.*?)\.?$", first)
        where = f" the font {font[1]}" if font else " the font"
        return ("glyph", ""), (f"some labels hold characters{where} lacks; they are drawn as "
                               "boxes (install a font that has them, e.g. Noto Sans CJK)")
    if issubclass(category, RuntimeWarning) and "encountered in" in first:
        # numpy says it once per operation (multiply, dot, divide...): one condition
        return (name, "floating point"), (
            f"floating-point trouble ({first}): some results may be nan, infinite or "
            "meaningless; vectors with huge values overflow float32")
    return (name, first), first


def check_output_path(path: str | os.PathLike) -> Path:
    """Refuse, before any work, an output path that cannot be written.

    Regular files (and new ones) are checked by really creating a file in the
    folder the write will happen in (a symbolic link's target's folder);
    character devices, FIFOs and ``/dev/stdout`` need no probe (they are
    written straight through); folders, sockets and block devices are refused.
    """
    from wordvec.outputs import resolve_output

    p = Path(path)
    target = resolve_output(p)
    if not target.is_file:
        if target.fd is None and not os.access(target.path, os.W_OK):
            raise ConfigError(f"cannot write {p}: permission denied")
        return p
    real = target.path
    parent = real.parent
    where = f" (the target of the link {p})" if os.path.islink(p) else ""
    if not parent.exists():
        raise ConfigError(f"cannot write {p}: folder {parent} does not exist{where}")
    if not parent.is_dir():
        raise ConfigError(f"cannot write {p}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write {p}: no write permission in {parent}")
    if real.exists() and not os.access(real, os.W_OK):
        raise ConfigError(f"cannot write {p}: file is read-only")
    # os.access answers for the permission bits only (root passes it everywhere,
    # read-only mounts and quotas fool it): really create a file beside the target
    probe = parent / f".{real.name}.{secrets.token_hex(4)}.probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write {p}: {exc.strerror or exc} in {parent}") from None
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return p


def output_option(text: str, fmt: str | None, flag: str) -> tuple[Path, str | None]:
    """``-`` means standard output: word2vec text unless ``--format`` says otherwise.

    Binary formats are refused when standard output is a terminal.
    """
    if text != "-":
        return check_output_path(text), fmt
    fmt = fmt or "word2vec-text"
    if fmt in ("native", "word2vec-binary") and sys.stdout.isatty():
        raise ConfigError(
            f"{flag} -: not writing {fmt} (binary) data to a terminal; redirect the "
            "output (> file, | program) or use --format word2vec-text or glove"
        )
    return Path("/dev/stdout"), fmt


# --- printing -------------------------------------------------------------------------


def print_neighbours(pairs: Sequence[tuple[str, float]]) -> None:
    for word, score in pairs:
        print(f"{word}\t{score:.4f}")


# The settings each way of training takes, as wordvec.settings declares them: the train
# options are generated from these, and a setting given to a method that does not take


VECTOR_FORMATS = ["native", "word2vec-text", "word2vec-binary", "glove"]


def add_input_options(p: argparse.ArgumentParser, input_format: bool = True) -> None:
    """--input-format and --allow-nonfinite, for the commands that load a vector file."""
    if input_format:
        p.add_argument("--input-format", choices=VECTOR_FORMATS,
                       help="format of the vector file (default: detected from its content)")
    p.add_argument("--allow-nonfinite", action="store_true",
                   help="load a vector file holding NaN or infinite values (refused by "
                   "default: such vectors rank first in every query)")


def load_input(args: argparse.Namespace, path: str, **kw: Any) -> Any:
    from wordvec.vectors.formats import load_vectors

    return load_vectors(path, format=getattr(args, "input_format", None),
                        allow_nonfinite=args.allow_nonfinite, **kw)




def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


