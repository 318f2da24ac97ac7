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
import contextlib
import logging
import os
import re
import secrets
import shlex
import signal
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wordvec.errors import ConfigError, CorpusError, WordvecError, missing_path_reason
from wordvec.wording import counted

logger = logging.getLogger("wordvec")

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention
EXIT_TERMINATED = 143  # 128 + SIGTERM

#: Analogy questions are answered among this many most frequent words (the C tool's value).
EVAL_RESTRICT_VOCAB = 30000


# --- output helpers -----------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on stderr, shown only on a terminal."""

    WIDTH = 119
    active: ProgressBar | None = None  # the bar log messages must clear first

    def __init__(self, enabled: bool, stream: object = None, unit: str = "words") -> None:
        self.stream = stream or sys.stderr
        self.unit = unit  # what words_per_sec counts: the reference models count examples
        self.enabled = enabled and getattr(self.stream, "isatty", lambda: False)()
        self._last = 0.0
        self._shown = False

    def __call__(self, p: object) -> None:
        """Draw a progress report (an object with ``fraction``, ``words_per_sec`` ...)."""
        if not self.enabled:
            return
        now = time.monotonic()
        fraction = float(getattr(p, "fraction", 0.0))
        if now - self._last < 0.2 and fraction < 1.0:
            return
        self._last = now
        width = 30
        filled = int(round(width * min(max(fraction, 0.0), 1.0)))
        bar = "#" * filled + "-" * (width - filled)
        parts = [f"[{bar}] {100 * fraction:5.1f}%"]
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
            parts.append(f"ETA {_fmt_seconds(eta)}")
        line = "  ".join(parts)
        self.stream.write("\r" + line[: self.WIDTH].ljust(self.WIDTH))
        self.stream.flush()
        self._shown = True
        ProgressBar.active = self

    def close(self) -> None:
        """End the bar's line."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
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
        """Write the record on a line of its own; the bar redraws on its next update."""
        bar = ProgressBar.active
        if bar is not None and bar._shown:
            bar.stream.write("\r" + " " * ProgressBar.WIDTH + "\r")
            bar._shown = False
        super().emit(record)


def _setup_logging(quiet: bool, verbose: bool, flags: frozenset[str] = frozenset()) -> None:
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


class _WarningsToLog:
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


def _output_option(text: str, fmt: str | None, flag: str) -> tuple[Path, str | None]:
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


# --- commands -------------------------------------------------------------------------


def _print_neighbours(pairs: Sequence[tuple[str, float]]) -> None:
    for word, score in pairs:
        print(f"{word}\t{score:.4f}")


# The settings each way of training takes, as wordvec.settings declares them: the train
# options are generated from these, and a setting given to a method that does not take
# it is refused.
def _train_settings() -> tuple[dict, dict, dict]:
    """(word2vec, PPMI-SVD, softmax reference) settings that have a flag."""
    from wordvec.settings import PPMI_SVD, REFERENCE, WORD2VEC, with_flags

    return with_flags(WORD2VEC), with_flags(PPMI_SVD), with_flags(REFERENCE)


def _flags_of(settings: dict[str, Any]) -> dict[str, str]:
    return {s.dest: s.flag for s in settings.values()}


# Options of `wordvec train` that are the command line's own (not settings of an estimator).
_METHOD_OPTIONS = {"method": "--method", "loss": "--loss", "no_normalize": "--no-normalize"}
_COUNTS_OPTIONS = {"save_counts": "--save-counts", "from_counts": "--from-counts"}
# Only the compiled word2vec engine supports these.
_ENGINE_OPTIONS = {
    "checkpoint": "--checkpoint", "checkpoint_every": "--checkpoint-every",
    "eval_analogies": "--eval-analogies", "workers": "--workers",
}


def _given(args: argparse.Namespace, names: dict[str, str]) -> list[str]:
    """The flags among ``names`` that the user gave (unset options are None or False)."""
    given = []
    for key, flag in names.items():
        value = getattr(args, key, None)
        if value is not None and value is not False:  # 0 counts as given (--hs 0)
            given.append(flag)
    return given


def _refuse(flags: list[str], why: str) -> None:
    if flags:
        raise ConfigError(f"{', '.join(flags)} {'does' if len(flags) == 1 else 'do'} not "
                          f"apply {why}")


def _check_train_options(args: argparse.Namespace) -> None:
    """Refuse bad values and contradictory or meaningless combinations before any work."""
    w2v, svd, ref = _train_settings()
    every = {**_flags_of(w2v), **_flags_of(svd)}
    for setting in {**w2v, **svd}.values():  # each given value by its own check, named by flag
        value = getattr(args, setting.dest, None)
        if value is not None and setting.switch is None:
            setting.check(setting.flag, value)
    if args.resume:
        _refuse(_given(args, every) + _given(args, {k: v for k, v in _METHOD_OPTIONS.items()
                                                    if k != "no_normalize"})
                + _given(args, _COUNTS_OPTIONS),
                "with --resume: training continues with the checkpoint's settings")
        return
    args.method = args.method or "word2vec"
    if args.method == "svd":
        only_w2v = {k: v for k, v in _flags_of(w2v).items() if v not in _flags_of(svd).values()}
        _refuse(_given(args, only_w2v) + _given(args, {"loss": "--loss"})
                + _given(args, {k: v for k, v in _ENGINE_OPTIONS.items() if k != "workers"}),
                "to --method svd (count-based PPMI-SVD); drop them or use --method word2vec")
        if args.from_counts and args.corpus is not None:
            raise ConfigError("give either a corpus or --from-counts, not both")
        return
    args.loss = args.loss or "ns"
    only_svd = {k: v for k, v in _flags_of(svd).items() if v not in _flags_of(w2v).values()}
    _refuse(_given(args, only_svd) + _given(args, _COUNTS_OPTIONS),
            "to --method word2vec; they belong to --method svd")
    if args.loss == "softmax":
        takes = {*_flags_of(ref).values(), "--model"}  # --model picks skip-gram or CBOW
        _refuse(_given(args, {k: v for k, v in every.items() if v not in takes})
                + _given(args, _ENGINE_OPTIONS),
                "to --loss softmax (the plain NumPy reference model)")
    if args.loss == "hs" and args.hs == 0:
        raise ConfigError("--loss hs and --hs 0 contradict each other: --loss hs trains "
                          "with hierarchical softmax; for negative sampling alone use "
                          "--loss ns")
    model = args.model or w2v["model"].default
    if model != "cbow" and args.cbow_mean is not None:
        raise ConfigError("--cbow-mean applies to --model cbow only")
    if model == "cbow" and args.per_pair:
        raise ConfigError("--per-pair applies to --model sg only (CBOW makes one update "
                          "per window either way)")


def parse_every(text: str) -> tuple[int | None, float | None]:
    """``--checkpoint-every``: ``N`` epochs, ``Nm`` minutes or ``Ns`` seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([ms]?)\s*", text or "")
    if not m:
        raise ConfigError(
            f"--checkpoint-every {text!r}: give a number of epochs (2), minutes (30m) "
            "or seconds (90s)"
        )
    value, unit = float(m.group(1)), m.group(2)
    if not unit:
        if value != int(value) or value < 1:
            raise ConfigError(f"--checkpoint-every {text!r}: a whole number of epochs >= 1")
        return int(value), None
    seconds = value * (60.0 if unit == "m" else 1.0)
    if seconds <= 0:
        raise ConfigError(f"--checkpoint-every {text!r}: the interval must be positive")
    return None, seconds


class _Terminated(KeyboardInterrupt):
    """SIGTERM outside training: unwinds like Ctrl-C, so working files and locks go
    (the CLI then exits with 143)."""


class _UnwindOnSignal:
    """While active, SIGTERM raises :class:`_Terminated` and SIGINT KeyboardInterrupt, once.

    Without it SIGTERM kills the process on the spot, leaving the encoded
    corpus (gigabytes for a long corpus) and the lock files behind. Only
    signals still at their default disposition are taken (an ignored SIGINT,
    as in ``nohup``, stays ignored), and only in the main thread. Training
    installs its own handlers on top (:class:`_StopOnSignal`). After the
    first signal, later ones are ignored so that the clean-up runs to its end.

    Python runs handlers in the main thread between bytecodes, and a
    blocking read that a signal does not interrupt (the signal landed on
    another thread, or between two ``read`` calls inside a buffered read of
    a quiet pipe such as ``/dev/stdin``) would delay the handler until data
    arrives, perhaps forever. A watcher thread, woken through
    ``signal.set_wakeup_fd``, re-sends the signal to the main thread until
    the handler has run.
    """

    _SIGNALS = ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler))

    def __enter__(self) -> _UnwindOnSignal:
        self._old: dict[int, Any] = {}
        self._fired = False
        self._done = False
        self._pipe: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig, default in self._SIGNALS:
            if signal.getsignal(sig) == default:
                self._old[sig] = signal.signal(sig, self._handle)
        if not self._old:
            return self
        r, w = os.pipe()
        os.set_blocking(w, False)
        previous = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        if previous != -1:  # someone else listens to signals this way: leave it to them
            signal.set_wakeup_fd(previous)
            os.close(r)
            os.close(w)
            return self
        self._pipe = (r, w)
        self._thread = threading.Thread(target=self._watch, args=(threading.main_thread().ident,),
                                        name="wordvec-signal-watch", daemon=True)
        self._thread.start()
        return self

    def _handle(self, signum: int, frame: object) -> None:
        if self._fired:
            return
        self._fired = True
        raise _Terminated if signum == signal.SIGTERM else KeyboardInterrupt

    def _watch(self, main: int) -> None:
        r = self._pipe[0]  # type: ignore[index]
        while True:
            try:
                data = os.read(r, 64)
            except OSError:
                return
            if not data:
                return
            ours = [sig for sig in self._old if sig in data]
            if not ours:
                continue
            for _ in range(40):  # ~10 s
                time.sleep(0.25)
                if self._fired or self._done or signal.getsignal(ours[0]) != self._handle:
                    break  # handled, over, or training's handlers took over
                try:
                    signal.pthread_kill(main, ours[0])
                except (OSError, ValueError):
                    return

    def __exit__(self, *exc: object) -> None:
        self._done = True
        if self._pipe is not None:
            signal.set_wakeup_fd(-1)
            os.close(self._pipe[1])  # the watcher reads end-of-file and returns
            if self._thread is not None:
                self._thread.join(1.0)
            os.close(self._pipe[0])
        for sig, old in self._old.items():
            signal.signal(sig, old)


def cmd_train(args: argparse.Namespace) -> int:
    """Train vectors on a corpus and save them."""
    _check_train_options(args)
    if args.tmp_dir is not None:
        from wordvec.outputs import work_base

        work_base(args.tmp_dir)  # a wrong folder fails now, not after reading the corpus
    with _UnwindOnSignal(), contextlib.ExitStack() as locks:
        if args.resume:
            return _resume_training(args, locks)
        return _train(args, locks)


def _lock(locks: contextlib.ExitStack, path: Path | None, what: str) -> None:
    """Hold ``PATH.lock`` until the command ends: a second run on the same file is refused."""
    from wordvec.outputs import OutputLock

    if path is not None:
        locks.enter_context(OutputLock(path, what))


def _train(args: argparse.Namespace, locks: contextlib.ExitStack) -> int:
    if args.from_counts and args.method != "svd":
        raise ConfigError("--from-counts only applies to --method svd")
    if args.corpus is None and not args.from_counts:
        raise ConfigError("give a corpus to train on: wordvec train CORPUS -o OUTPUT "
                          "('-' reads standard input; or --from-counts with --method svd)")
    corpus = _corpus_path(args.corpus) if args.corpus is not None else None
    if args.output is None:
        raise ConfigError("give an output file with -o/--output")
    out, args.format = _output_option(args.output, args.format, "-o")
    if args.save_counts:
        check_output_path(args.save_counts)
    if args.method == "word2vec" and args.loss != "softmax":
        return _train_word2vec(args, corpus, out, locks)
    _lock(locks, out, "output")
    if args.save_counts:
        _lock(locks, Path(args.save_counts), "--save-counts file")
    t0 = time.perf_counter()
    if args.method == "svd":
        model = _train_svd(args, corpus)
    else:
        from wordvec.text.corpus import iter_sentences
        from wordvec.train.reference import CBOWSoftmax, SkipGramSoftmax

        _, _, ref = _train_settings()
        model_name = args.model or _train_settings()[0]["model"].default
        cls = SkipGramSoftmax if model_name == "sg" else CBOWSoftmax
        # the word2vec defaults of these settings, not the tutorials' toy ones
        model = cls(**{name: (s.default if getattr(args, s.dest) is None
                              else getattr(args, s.dest)) for name, s in ref.items()})
        bar = ProgressBar(enabled=not args.quiet, unit="examples")
        try:
            model.fit(list(iter_sentences(corpus, _tokenizer(args))), progress=bar)
        finally:
            bar.close()
    _save_output(model.wv, out, args.format, t0)
    return 0


def _corpus_path(name: str) -> Path:
    """The corpus path of ``wordvec train``: ``-`` is standard input; it must exist."""
    if name == "-":
        stdin = Path("/dev/stdin")
        if not stdin.exists():
            raise CorpusError("'-' (standard input) cannot be read as a file on this system; "
                              "save the text to a file and give its path")
        if sys.stdin is not None and sys.stdin.isatty():
            logger.warning("reading the corpus from the terminal; end it with Ctrl-D")
        return stdin
    corpus = Path(name)
    if not corpus.exists():
        raise CorpusError(f"corpus path {missing_path_reason(corpus)}: {corpus}")
    return corpus


def _save_output(wv: Any, out: Path, fmt: str | None, t0: float) -> None:
    from wordvec.vectors.formats import save_vectors

    save_vectors(wv, out, format=fmt)
    logger.info(
        "saved %s of size %d to %s (%.1f s)",
        counted(len(wv), "vector"), wv.vector_size, out, time.perf_counter() - t0,
    )


def _checkpoint_plan(args: argparse.Namespace, out: Path, saved: dict) -> dict:
    """Where and how often to checkpoint: from the options, else from the checkpoint.

    The default is ``OUTPUT.ckpt``; an output that is not a regular file
    (``-``, ``/dev/null``, a FIFO) has no default checkpoint: give
    ``--checkpoint PATH`` to be able to resume such a run.
    """
    from wordvec.outputs import resolve_output

    path = args.checkpoint or saved.get("checkpoint")
    if path is None and resolve_output(out).is_file:
        path = f"{out}.ckpt"
    every = args.checkpoint_every if args.checkpoint_every is not None else saved.get(
        "checkpoint_every")
    epochs, seconds = parse_every(every) if every is not None else (None, None)
    if path is None:
        if every is not None:
            raise ConfigError(
                f"--checkpoint-every needs --checkpoint PATH here: the output {out} is not a "
                "regular file, so there is no default OUTPUT.ckpt"
            )
        return {"path": None, "every": None, "epochs": None, "seconds": None}
    ckpt = check_output_path(path)
    if resolve_output(ckpt).path == resolve_output(out).path:
        raise ConfigError(f"--checkpoint {ckpt} is the output file itself; give another path")
    return {"path": ckpt, "every": every, "epochs": epochs, "seconds": seconds}


def _abs(path: Path | None) -> str | None:
    """An absolute path for the checkpoint's record, links kept (``/dev/stdout`` stays)."""
    return None if path is None else os.path.abspath(path)


def _check_analogy_file(path: str | None) -> str | None:
    if path is None:
        return None
    from wordvec.vectors.evaluate import read_analogies

    sections, _ = read_analogies(path)  # a bad file fails now, not after the first epoch
    if not any(questions for _, questions in sections):
        raise ConfigError(f"--eval-analogies {path}: the file holds no questions")
    return str(Path(path).resolve())


def _train_word2vec(args: argparse.Namespace, corpus: Path, out: Path,
                    locks: contextlib.ExitStack) -> int:
    from wordvec.train.word2vec import Word2Vec

    t0 = time.perf_counter()
    plan = _checkpoint_plan(args, out, {})
    eval_path = _check_analogy_file(args.eval_analogies)
    _lock(locks, out, "output")
    _lock(locks, plan["path"], "checkpoint")
    model = Word2Vec(**_w2v_params(args))
    model.build_vocab(corpus, tokenizer=_tokenizer(args), tmp_dir=args.tmp_dir)
    model.checkpoint_meta = {
        "output": _abs(out), "format": args.format,
        "checkpoint": _abs(plan["path"]), "checkpoint_every": plan["every"],
        "eval_analogies": eval_path,
    }
    if args.no_normalize:
        model.checkpoint_meta["normalize"] = False  # --resume reads the corpus the same way
    return _run_training(model, args, out, plan, eval_path, t0)


def _resume_training(args: argparse.Namespace, locks: contextlib.ExitStack) -> int:
    from wordvec.train.checkpoint import load_checkpoint
    from wordvec.train.word2vec import Word2Vec

    t0 = time.perf_counter()
    if not os.path.lexists(args.resume):
        raise ConfigError(
            f"cannot resume from {args.resume}: no such file. A checkpoint is written every "
            "--checkpoint-every interval and when training is stopped by Ctrl-C or SIGTERM; a "
            "run that finished first wrote its vectors to its output instead"
        )
    ck = load_checkpoint(args.resume)
    saved = ck.extra
    output = args.output or saved.get("output")
    if output is None:
        raise ConfigError(f"{args.resume} does not record an output file; give one with -o")
    fmt = args.format if args.format is not None else saved.get("format")
    out, fmt = _output_option(output, fmt, "-o")
    plan = _checkpoint_plan(args, out, saved)
    eval_path = _check_analogy_file(args.eval_analogies or saved.get("eval_analogies"))
    corpus = args.corpus
    if corpus is None and ck.source is not None and not Path(ck.source).exists():
        raise CorpusError(
            f"corpus path not found: {ck.source} (recorded in {args.resume}); give the "
            f"corpus's new location: wordvec train CORPUS --resume {shlex.quote(args.resume)}"
        )
    if corpus is not None and not Path(corpus).exists():
        raise CorpusError(f"corpus path not found: {corpus}")
    tokenizer = None
    if saved.get("normalize") is False:
        from wordvec.text.corpus import Tokenizer

        tokenizer = Tokenizer(normalize=False)
    _lock(locks, out, "output")
    _lock(locks, plan["path"], "checkpoint")
    model = Word2Vec.resume(args.resume, source=corpus, workers=args.workers,
                            tokenizer=tokenizer, tmp_dir=args.tmp_dir)
    model.checkpoint_meta = {
        **saved, "output": _abs(out), "format": fmt,
        "checkpoint": _abs(plan["path"]), "checkpoint_every": plan["every"],
        "eval_analogies": eval_path,
    }
    args.format = fmt
    if not model.interrupted:
        logger.info("the checkpoint's training was complete; writing its vectors")
        _save_output(model.wv, out, fmt, t0)
        return 0
    return _run_training(model, args, out, plan, eval_path, t0)


class _StopOnSignal:
    """While active, SIGINT and SIGTERM ask the model to stop at the next chunk boundary.

    A second signal aborts at once (KeyboardInterrupt). The previous handlers
    are restored on exit. Signals can only be caught in the main thread; in
    any other thread this does nothing.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.signum: int | None = None
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        self.model.request_stop()
        # os.write, not sys.stderr: the handler may interrupt a write to that very stream
        message = (f"\nwordvec: {signal.Signals(signum).name} received: finishing the current "
                   "chunk and saving a checkpoint (send it again to quit without saving)\n")
        try:
            os.write(2, message.encode())
        except OSError:
            pass

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            # None: the previous handler was not installed from Python
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


def _epoch_accuracy(path: str) -> Any:
    """An epoch callback recording the analogy accuracy in ``model.meta["epoch_accuracy"]``."""
    from wordvec.vectors.evaluate import evaluate_analogies

    def record(model: Any, report: Any) -> None:
        result = evaluate_analogies(model.wv, path, restrict_vocab=EVAL_RESTRICT_VOCAB)
        acc = model.meta.setdefault("epoch_accuracy", [])
        del acc[len(model.losses) - 1:]  # one value per epoch, aligned with the losses
        acc.extend([None] * (len(model.losses) - 1 - len(acc)))
        if result.total.total:  # (evaluate_analogies logs the score)
            acc.append(result.accuracy)
        else:
            acc.append(None)
            logger.warning("epoch %d: no question of %s has all four words among the %d "
                           "most frequent words", report.epoch, path, EVAL_RESTRICT_VOCAB)

    return record


def _run_training(
    model: Any, args: argparse.Namespace, out: Path, plan: dict, eval_path: str | None,
    t0: float,
) -> int:
    """Train (or finish training) with checkpoints and signal handling, then save."""
    bar = ProgressBar(enabled=not args.quiet)
    callbacks = [_epoch_accuracy(eval_path)] if eval_path else []
    ckpt = plan["path"]
    try:
        with _StopOnSignal(model) as stopper:
            model.train(callbacks=callbacks, progress=bar, checkpoint=ckpt,
                        checkpoint_every=plan["epochs"], checkpoint_seconds=plan["seconds"])
    finally:
        bar.close()
    if model.interrupted:
        name = signal.Signals(stopper.signum).name if stopper.signum else "a stop request"
        pos = model.position
        inside = (f" after {pos['chunk']} of {pos['chunks']} chunks" if pos["chunk"] else "")
        stopped = (f"wordvec: training stopped by {name} in epoch {pos['epoch']} of "
                   f"{pos['epochs']}{inside}")
        if ckpt is None:
            print(f"{stopped}; the training state was not saved (the output is not a regular "
                  "file, so there is no default checkpoint: give --checkpoint PATH)",
                  file=sys.stderr)
        elif model.checkpoint_error is not None:
            print(f"{stopped}; the training state could NOT be saved ({model.checkpoint_error})",
                  file=sys.stderr)
        else:
            print(f"{stopped}; the training state is saved in {ckpt}", file=sys.stderr)
            print(f"wordvec: to continue: wordvec train --resume {shlex.quote(str(ckpt))}",
                  file=sys.stderr)
        return EXIT_TERMINATED if stopper.signum == signal.SIGTERM else EXIT_INTERRUPTED
    _save_output(model.wv, out, args.format, t0)
    return 0


def _train_svd(args: argparse.Namespace, corpus: Path | None) -> object:
    """PPMI-SVD: count co-occurrences (or reuse saved counts), then factorise."""
    from wordvec.train.ppmi_svd import PPMISVD

    _, svd, _ = _train_settings()
    opts = _given_settings(args, svd)
    opts = {k: v for k, v in opts.items() if v is not None}
    if args.from_counts:
        # counting options (window, weighting, ...) come from the counts file
        for key in ("window", "min_count", "sample", "weighting", "boundaries",
                    "max_vocab_size"):
            opts.pop(key, None)
        model = PPMISVD.load_counts(args.from_counts, **opts)
    else:
        model = PPMISVD(**opts).fit(corpus, tokenizer=_tokenizer(args), tmp_dir=args.tmp_dir)
    if args.save_counts:
        model.save_counts(args.save_counts)
        logger.info("saved co-occurrence counts to %s", args.save_counts)
    return model


def _tokenizer(args: argparse.Namespace) -> Any:
    """The tokenizer the options ask for (None: the default one)."""
    if not getattr(args, "no_normalize", False):
        return None
    from wordvec.text.corpus import Tokenizer

    return Tokenizer(normalize=False)


def _given_settings(args: argparse.Namespace, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings given on the command line, by their Python names."""
    params = {}
    for name, s in settings.items():
        value = getattr(args, s.dest, None)
        if value is not None:
            params[name] = s.switch if s.switch is not None else value
    return params


def _w2v_params(args: argparse.Namespace) -> dict:
    """Word2Vec's settings from the options; unset ones keep wordvec.settings' defaults."""
    w2v, _, _ = _train_settings()
    params = _given_settings(args, w2v)
    if args.loss == "hs":  # hierarchical softmax alone unless --negative is given too
        params["hs"] = 1
        params.setdefault("negative", 0)
    return params


_VECTOR_FORMATS = ["native", "word2vec-text", "word2vec-binary", "glove"]


def _add_input_options(p: argparse.ArgumentParser, input_format: bool = True) -> None:
    """--input-format and --allow-nonfinite, for the commands that load a vector file."""
    if input_format:
        p.add_argument("--input-format", choices=_VECTOR_FORMATS,
                       help="format of the vector file (default: detected from its content)")
    p.add_argument("--allow-nonfinite", action="store_true",
                   help="load a vector file holding NaN or infinite values (refused by "
                   "default: such vectors rank first in every query)")


def _load_input(args: argparse.Namespace, path: str, **kw: Any) -> Any:
    from wordvec.vectors.formats import load_vectors

    return load_vectors(path, format=getattr(args, "input_format", None),
                        allow_nonfinite=args.allow_nonfinite, **kw)


def cmd_similar(args: argparse.Namespace) -> int:
    """Print the nearest neighbours of a word."""
    wv = _load_input(args, args.vectors, mmap=True)
    word = _lookup_word(wv, args.word)
    _print_neighbours(wv.most_similar(positive=[word], topn=args.topn))
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
    wv = _load_input(args, args.vectors, mmap=True)
    a, b, c = (_lookup_word(wv, w) for w in (args.a, args.b, args.c))
    print(f"{a} : {b} :: {c} : ?")
    _print_neighbours(wv.most_similar(positive=[b, c], negative=[a], topn=args.topn))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score vectors on analogy and word-pair benchmarks."""
    import json

    from wordvec.errors import VocabError
    from wordvec.vectors.evaluate import evaluate_analogies, evaluate_pairs, format_results

    if not args.analogies and not args.pairs:
        raise ConfigError("give at least one benchmark: --analogies FILE and/or --pairs FILE")
    wv = _load_input(args, args.vectors, mmap=True)
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

    out, fmt = _output_option(args.output, args.format, "output")
    wv = load_vectors(args.input, format=args.input_format, limit=args.limit,
                      allow_nonfinite=args.allow_nonfinite,
                      unicode_errors=args.unicode_errors)
    save_vectors(wv, out, format=fmt)
    logger.info("wrote %d vectors of size %d to %s", len(wv), wv.vector_size, out)
    return 0


_CORPUS_LABELS = (
    ("source", "source"), ("tokens", "tokens (in vocabulary)"), ("sentences", "sentences"),
    ("raw_tokens", "raw tokens"), ("vocab_size", "vocabulary"),
    ("invalid_bytes", "invalid UTF-8 bytes"),
)
# shown in their own sections, or too long to list
_INFO_SPECIAL = {"losses", "chunk_losses", "epoch_accuracy", "corpus", "checkpoint", "updates"}


def _fmt_value(value: object) -> str:
    import json

    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def cmd_info(args: argparse.Namespace) -> int:
    """Describe a vector, model or checkpoint file."""
    from wordvec.vectors.formats import describe_native, detect_format, normalize_format

    fmt = normalize_format(args.input_format) if args.input_format else detect_format(args.file)
    if fmt == "native":  # the headers only: the arrays are neither read nor inflated
        n_words, dims, first, meta = describe_native(args.file, n_words=10)
    else:
        wv = _load_input(args, args.file, mmap=True)
        n_words, dims, first = len(wv), wv.vector_size, wv.index_to_key[:10]
        meta = dict(getattr(wv, "meta", None) or {})
    print(f"file:        {args.file}")
    print(f"format:      {fmt}")
    print(f"words:       {n_words:,}")
    print(f"dimensions:  {dims}")
    if n_words:
        print(f"most frequent: {', '.join(first)}{', ...' if n_words > 10 else ''}")
    corpus = meta.get("corpus")
    if isinstance(corpus, dict) and corpus:
        print("corpus:")
        for key, label in _CORPUS_LABELS:
            if key in corpus:
                print(f"  {label}: {_fmt_value(corpus[key])}")
    config = {k: v for k, v in meta.items() if k not in _INFO_SPECIAL}
    if config:
        print("training:")
        for key, value in config.items():
            print(f"  {key}: {_fmt_value(value)}")
    losses = meta.get("losses")
    if losses:
        print(f"  losses (per epoch): {', '.join(f'{x:.4f}' for x in losses)}")
    chunks = meta.get("chunk_losses")
    if chunks:
        n = sum(len(c) for c in chunks) if isinstance(chunks[0], list) else len(chunks)
        print(f"  chunk losses: {counted(n, 'point')} (draw them with 'wordvec plot loss')")
    acc = meta.get("epoch_accuracy")
    if acc:
        shown = ", ".join("-" if a is None else f"{100 * a:.1f}%" for a in acc)
        print(f"  analogy accuracy (per epoch): {shown}")
    for update in meta.get("updates") or []:
        if isinstance(update, dict):
            print(f"  vocabulary update after epoch {update.get('after_epoch')}: "
                  f"{update.get('new_words')} new words from {update.get('source')}")
    state = meta.get("checkpoint")
    if isinstance(state, dict):
        run = state.get("run")
        if run:
            pos = state.get("position") or {}
            epoch = int(state.get("epochs_done", 0)) - int(run.get("first_epoch", 0)) + 1
            inside = f", {pos.get('chunk')} of {pos.get('chunks')} chunks done" if pos else ""
            print(f"checkpoint: stopped in epoch {epoch} of {run.get('epochs')}{inside}; "
                  f"continue with: wordvec train --resume {args.file}")
        else:
            print("checkpoint: training complete")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw a loss curve or a 2-D map of words."""
    from wordvec.vectors.formats import load_vectors

    out = check_output_path(_plot_output(args))
    if args.what == "loss":
        from wordvec.plot import plot_loss

        wv = load_vectors(args.file, mmap=True, allow_nonfinite=args.allow_nonfinite)
        losses = (getattr(wv, "meta", None) or {}).get("losses")
        if not losses:
            raise ConfigError(
                f"{args.file} records no training loss: only word2vec training saved in the "
                "native format (no .txt/.bin extension) records one; PPMI-SVD vectors "
                "(--method svd) are computed, not trained, and have no loss"
            )
        meta = wv.meta
        accuracy = meta.get("epoch_accuracy")
        if accuracy is not None and len(accuracy) < len(losses):  # later epochs not evaluated
            accuracy = list(accuracy) + [None] * (len(losses) - len(accuracy))
        chunks = meta.get("chunk_losses")
        if chunks is not None and len(chunks) != len(losses):
            chunks = None
        path = plot_loss(losses, out, title=args.title or f"training loss: {args.file}",
                         chunk_losses=chunks, accuracy=accuracy)
    else:
        from wordvec.plot import plot_words, select_words

        wv = _load_input(args, args.file, mmap=True)
        words = [w if w in wv else w.lower() for w in args.words] if args.words else None
        chosen, vecs = select_words(wv.index_to_key, wv.vectors, words=words, topn=args.topn,
                                    neighbours=args.neighbours)
        path = plot_words(chosen, vecs, out, method=args.method, title=args.title,
                          highlight=words)
    print(path)
    return 0


def _plot_output(args: argparse.Namespace) -> Path:
    """The plot's file: ``-o`` as given, else ``FILE.loss.png`` / ``FILE.words.png`` beside
    the input, which is not replaced without ``--force`` (the user did not name it)."""
    if args.output is not None:
        return Path(args.output)
    src = Path(args.file)
    stem = src.name.removesuffix(src.suffix) if src.suffix else src.name
    out = src.with_name(f"{stem}.{args.what}.png")
    if out.exists() and not args.force:
        raise ConfigError(f"{out} exists; give --force to replace it, or -o to write "
                          "another file")
    return out


def cmd_demo(args: argparse.Namespace) -> int:
    """Train on the built-in synthetic corpus and show what the vectors learned."""
    from wordvec.demo import run_demo

    if not args.verbose:
        # the demo prints its own report; per-epoch log lines would interleave with it
        logging.getLogger("wordvec").setLevel(logging.WARNING)
    run_demo(out_dir=Path(args.out), quiet=args.quiet, workers=args.workers)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Explore vectors in the browser: a read-only web app on localhost."""
    from wordvec.serve import serve

    serve(args.vectors, host=args.host, port=args.port, eval_analogies=args.eval_analogies or (),
          pairs=args.pairs or (), index=args.index,
          log_level="debug" if args.verbose else "warning")
    return 0


def _add_serve_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    v = sub.add_parser("serve", parents=[common], help="explore vectors in the browser",
                       description="Serve a read-only web explorer (neighbours, analogies, "
                       "maps, two models side by side) and its JSON API on localhost.")
    v.add_argument("vectors", nargs="+", help="vector files (any supported format; up to 4)")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: a free one)")
    v.add_argument("--eval-analogies", action="append", metavar="FILE",
                   help="show scores on this analogy file (repeatable)")
    v.add_argument("--pairs", action="append", metavar="FILE",
                   help="show scores on this word-pair file (repeatable)")
    v.add_argument("--index", choices=["auto", "exact", "hnsw", "ivf"], default="auto",
                   help="neighbour search: exact, approximate (hnsw, ivf: need faiss-cpu), or "
                   "auto (default: exact below 200,000 words, ivf above)")
    v.set_defaults(func=cmd_serve)


# --- argument parsing -------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _add_setting(group: Any, setting: Any) -> None:
    """One option of ``wordvec train``, generated from a :class:`wordvec.settings.Setting`."""
    names = [setting.flag, *setting.aliases]
    if setting.switch is not None:
        group.add_argument(*names, dest=setting.dest, action="store_const", const=True,
                           default=None, help=setting.help_text())
        return
    convert = {int: _whole_number, float: _number}.get(setting.cli_type, setting.cli_type)
    group.add_argument(*names, dest=setting.dest, type=convert,
                       choices=list(setting.choices) if setting.choices else None,
                       metavar=setting.metavar, help=setting.help_text())


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

    t = sub.add_parser("train", parents=[common], help="train word vectors on a corpus",
                       description="Train word vectors on a text corpus (a file, a folder, "
                       ".gz/.bz2/.xz; one sentence per line or one huge text8-style line).")
    t.add_argument("corpus", nargs="?", help="text file or folder of text files")
    t.add_argument("-o", "--output",
                   help="output file: .bin word2vec binary, .txt/.vec word2vec text, "
                   "anything else the native format (required unless --resume); '-' is "
                   "standard output (word2vec text unless --format says otherwise)")
    t.add_argument("--format", choices=["native", "word2vec-text", "word2vec-binary", "glove"],
                   help="override the format chosen from the extension")
    t.add_argument("--method", choices=["word2vec", "svd"],
                   help="predictive word2vec (default) or count-based PPMI-SVD")
    t.add_argument("--loss", choices=["ns", "hs", "softmax"],
                   help="negative sampling (default), hierarchical softmax, or full softmax "
                   "(the NumPy reference model, small vocabularies only)")
    t.add_argument("--no-normalize", action="store_true", default=None,
                   help="do not NFC-normalise the text before tokenising (by default a "
                   "letter typed with a combining accent is the same as the precomposed one)")
    w2v, svd, _ = _train_settings()
    shared = [s for name, s in w2v.items() if name in svd]
    m = t.add_argument_group("settings of word2vec and PPMI-SVD")
    for setting in shared:
        _add_setting(m, setting)
    w = t.add_argument_group("word2vec settings")
    for name, setting in w2v.items():
        if name not in svd:
            _add_setting(w, setting)
    t.add_argument("--tmp-dir", metavar="DIR",
                   help="folder for the working files (the encoded corpus, about 4 bytes per "
                   "word of text, removed at the end); default $TMPDIR, else the system's "
                   "temporary folder")
    k = t.add_argument_group("watching, checkpoints and resuming (word2vec engine)")
    k.add_argument("--eval-analogies", metavar="FILE",
                   help="after every epoch, score analogy questions (questions-words format; "
                   f"among the {EVAL_RESTRICT_VOCAB} most frequent words) and record the "
                   "accuracy, which 'wordvec plot loss' draws beside the loss")
    k.add_argument("--checkpoint", metavar="PATH",
                   help="where to save the training state (default: OUTPUT.ckpt); also "
                   "written when training is stopped by Ctrl-C or SIGTERM")
    k.add_argument("--checkpoint-every", metavar="N|Nm|Ns",
                   help="save the training state every N epochs, or every N minutes (30m) "
                   "or seconds (90s), then also inside an epoch")
    k.add_argument("--resume", metavar="CHECKPOINT",
                   help="continue the training saved in CHECKPOINT with its settings "
                   "(the corpus is read again from its recorded path, or from CORPUS)")
    g = t.add_argument_group("PPMI-SVD settings (--method svd)")
    for name, setting in svd.items():
        if name not in w2v:
            _add_setting(g, setting)
    g.add_argument("--save-counts", metavar="PATH", help="also save the co-occurrence counts")
    g.add_argument("--from-counts", metavar="PATH",
                   help="reuse counts saved with --save-counts instead of reading a corpus")
    t.set_defaults(func=cmd_train)

    s = sub.add_parser("similar", parents=[common], help="nearest neighbours of a word")
    s.add_argument("vectors", help="vector file (any supported format)")
    s.add_argument("word", help="the word to find neighbours of (tried as given, then in "
                   "lower case)")
    s.add_argument("-n", "--topn", type=_positive_int, default=10,
                   help="how many neighbours to print (default 10)")
    _add_input_options(s)
    s.set_defaults(func=cmd_similar)

    a = sub.add_parser("analogy", parents=[common], help="a : b :: c : ?  (b - a + c)")
    a.add_argument("vectors", help="vector file (any supported format)")
    a.add_argument("a", help="a in 'a is to b as c is to ?' (e.g. man)")
    a.add_argument("b", help="b, what a becomes (e.g. king)")
    a.add_argument("c", help="c, to transform the same way (e.g. woman); the answers are the "
                   "words nearest b - a + c")
    a.add_argument("-n", "--topn", type=_positive_int, default=5,
                   help="how many answers to print (default 5)")
    _add_input_options(a)
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
    _add_input_options(e)
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
    c.add_argument("--limit", type=_positive_int, help="keep only the first N words")
    c.add_argument("--unicode-errors", choices=["strict", "replace", "ignore"],
                   default="strict",
                   help="words that are not valid UTF-8: refuse the file (strict, default), "
                   "replace the bad bytes with U+FFFD, or drop them")
    _add_input_options(c, input_format=False)
    c.set_defaults(func=cmd_convert)

    i = sub.add_parser("info", parents=[common], help="describe a vector or model file")
    i.add_argument("file", help="vector, model or checkpoint file")
    _add_input_options(i)
    i.set_defaults(func=cmd_info)

    p = sub.add_parser("plot", parents=[common], help="plot a loss curve or a map of words")
    psub = p.add_subparsers(dest="what", metavar="WHAT")
    psub.required = True
    pl = psub.add_parser("loss", parents=[common], help="training loss per epoch")
    pl.add_argument("file", help="native vector/model file written by 'wordvec train'")
    pl.add_argument("-o", "--output",
                    help="PNG, .svg or .pdf (default: FILE's name with .loss.png, beside it; "
                    "an existing file of that name is kept unless --force)")
    pl.add_argument("--force", action="store_true",
                    help="replace the default output file if it exists")
    pl.add_argument("--title", help="figure title (default: the file's name)")
    _add_input_options(pl, input_format=False)
    pl.set_defaults(func=cmd_plot)
    pw = psub.add_parser("words", parents=[common], help="2-D map of words")
    pw.add_argument("file", help="vector file (any supported format)")
    pw.add_argument("words", nargs="*", help="words to show with their neighbours "
                    "(default: the most frequent --topn words)")
    pw.add_argument("-o", "--output",
                    help="PNG, .svg or .pdf (default: FILE's name with .words.png, beside it; "
                    "an existing file of that name is kept unless --force)")
    pw.add_argument("--force", action="store_true",
                    help="replace the default output file if it exists")
    pw.add_argument("--method", choices=["pca", "tsne"], default="pca",
                    help="projection to 2-D: pca (default; keeps global directions) or tsne "
                    "(keeps neighbourhoods; needs scikit-learn)")
    pw.add_argument("--topn", type=_positive_int, default=200,
                    help="without WORDS: map the N most frequent words (default 200)")
    pw.add_argument("--neighbours", type=int, default=10,
                    help="with WORDS: also show each word's N nearest words (default 10)")
    pw.add_argument("--title", help="figure title")
    _add_input_options(pw)
    pw.set_defaults(func=cmd_plot)

    _add_serve_parser(sub, common)
    d = sub.add_parser("demo", parents=[common],
                       help="train on the built-in synthetic corpus and show the results")
    d.add_argument("--out", default="demo-output", help="folder for the demo's files")
    d.add_argument("--workers", type=_positive_int, help="training threads (default: all)")
    d.set_defaults(func=cmd_demo)
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
    _setup_logging(quiet, verbose, flags=getattr(args, "cli_flags", frozenset()))
    args.quiet, args.verbose = quiet, verbose
    with warnings.catch_warnings():
        # every warning passes through the log, once per condition, on one line
        warnings.simplefilter("always")
        warnings.showwarning = _WarningsToLog()
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
    except _Terminated:
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
