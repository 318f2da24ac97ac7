"""``wordvec train``: options generated from :mod:`wordvec.settings`, checks, training,
checkpoints, signals and locks."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from wordvec.cli.common import (
    EVAL_RESTRICT_VOCAB,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    ProgressBar,
    check_output_path,
    output_option,
    positive_int,
)
from wordvec.errors import ConfigError, CorpusError, missing_path_reason
from wordvec.wording import counted

logger = logging.getLogger("wordvec")


# The settings each way of training takes, as wordvec.settings declares them: the train
# options are generated from these, and a setting given to a method that does not take
# it is refused.
def _train_settings() -> tuple[dict, dict, dict]:
    """(word2vec, PPMI-SVD, softmax reference) settings that have a flag."""
    from wordvec.settings import PPMI_SVD, REFERENCE, WORD2VEC, with_flags

    return with_flags(WORD2VEC), with_flags(PPMI_SVD), with_flags(REFERENCE)


def _subword_settings() -> dict:
    """The settings the subword model (--method fasttext) adds to word2vec's."""
    from wordvec.settings import FASTTEXT, WORD2VEC, with_flags

    return {n: s for n, s in with_flags(FASTTEXT).items() if n not in WORD2VEC}


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
    if args.cache is not None and (args.resume or args.loss == "softmax" or args.from_counts):
        raise ConfigError("--cache applies to reading a corpus with the word2vec engine or "
                          "--method svd; not with --resume, --loss softmax or --from-counts")
    w2v, svd, ref = _train_settings()
    every = {**_flags_of(w2v), **_flags_of(svd)}
    for setting in {**w2v, **svd}.values():  # each given value by its own check, named by flag
        value = getattr(args, setting.dest, None)
        if value is not None and setting.switch is None:
            setting.check(setting.flag, value)
    sub = _subword_settings()
    if args.resume:
        _refuse(_given(args, every) + _given(args, _flags_of(sub))
                + _given(args, {"shared_negatives_on": "--shared-negatives"})
                + _given(args, {k: v for k, v in _METHOD_OPTIONS.items() if k != "no_normalize"})
                + _given(args, _COUNTS_OPTIONS),
                "with --resume: training continues with the checkpoint's settings")
        return
    args.method = args.method or "word2vec"
    for setting in sub.values():
        value = getattr(args, setting.dest, None)
        if value is not None:
            setting.check(setting.flag, value)
    if args.method != "fasttext":
        _refuse(_given(args, _flags_of(sub)), "without --method fasttext")
    else:
        if args.loss == "softmax":
            raise ConfigError("--loss softmax does not apply to --method fasttext; use ns or hs")
        from wordvec.train.fasttext import check_subword_settings

        given = {**{n: s.default for n, s in sub.items()}, **_given_settings(args, sub)}
        check_subword_settings(given["min_n"], given["max_n"], given["bucket"],
                               ("--minn", "--maxn", "--bucket"))
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
            f"to --method {args.method}; they belong to --method svd")
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
    for flag, given in (("--per-pair", args.per_pair), ("--shared-negatives",
                                                      args.shared_negatives_on)):
        if model == "cbow" and given:
            raise ConfigError(f"{flag} applies to --model sg only (CBOW makes one update "
                              "per window either way)")
    if args.per_pair and args.shared_negatives_on:
        raise ConfigError("--per-pair and --shared-negatives contradict each other: pick one "
                          "skip-gram update")


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


class Terminated(KeyboardInterrupt):
    """SIGTERM outside training: unwinds like Ctrl-C, so working files and locks go
    (the CLI then exits with 143)."""


class _UnwindOnSignal:
    """While active, SIGTERM raises :class:`Terminated` and SIGINT KeyboardInterrupt, once.

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
        raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt

    def _watch(self, main: int) -> None:
        r = self._pipe[0]  # type: ignore[index]
        while True:
            try:
                data = os.read(r, 64)
            except OSError:
                return
            if not data:
                return
            # a signal that training's own handlers took (installed now) is theirs: do not
            # re-send it later, when the unwinding has put ours back and would take it as
            # a new interrupt in the middle of the clean-up
            ours = [sig for sig in self._old if sig in data
                    and signal.getsignal(sig) == self._handle]
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
    corpora = list(args.corpus or [])  # several only on a cluster
    args.corpus = corpora[0] if len(corpora) == 1 else None
    if args.scheduler or args.dask_local:
        return _train_on_cluster(args, corpora)
    if len(corpora) > 1:
        raise ConfigError("give one corpus (a file or a folder); several files, globs and URLs "
                          "are for --scheduler/--dask-local")
    _check_train_options(args)
    _check_phrases_option(args)
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
    corpus = corpus_path(args.corpus) if args.corpus is not None else None
    if args.output is None:
        raise ConfigError("give an output file with -o/--output")
    out, args.format = output_option(args.output, args.format, "-o")
    if args.save_counts:
        check_output_path(args.save_counts)
    if args.phrases:
        corpus = _phrased_training_corpus(args, corpus, out)
    if args.method in ("word2vec", "fasttext") and args.loss != "softmax":
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
            model.fit(list(iter_sentences(corpus, tokenizer_for(args))), progress=bar)
        finally:
            bar.close()
    _save_output(model.wv, out, args.format, t0)
    return 0


def corpus_path(name: str) -> Path:
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
    eval_path = _check_analogy_file(args.eval_analogies)
    plan = _checkpoint_plan(args, out, {})
    _lock(locks, out, "output")
    _lock(locks, plan["path"], "checkpoint")
    if args.method == "fasttext":  # the subword model: the same engine and checkpoints
        from wordvec.train.fasttext import FastText

        sub = _subword_settings()
        model = FastText(**_w2v_params(args), **{**{n: s.default for n, s in sub.items()},
                                                 **_given_settings(args, sub)})
    else:
        model = Word2Vec(**_w2v_params(args))
    model.build_vocab(corpus, tokenizer=tokenizer_for(args), tmp_dir=args.tmp_dir,
                      cache=args.cache)
    model.checkpoint_meta = {
        "output": _abs(out), "format": args.format,
        "checkpoint": _abs(plan["path"]), "checkpoint_every": plan["every"],
        "eval_analogies": eval_path,
    }
    if args.no_normalize:
        model.checkpoint_meta["normalize"] = False  # --resume reads the corpus the same way
    if args.phrases:
        model.checkpoint_meta["phrases"] = True  # --resume keeps new_york whole too
    return _run_training(model, args, out, plan, eval_path, t0)


def _resume_training(args: argparse.Namespace, locks: contextlib.ExitStack) -> int:
    from wordvec.train.checkpoint import load_checkpoint
    from wordvec.train.fasttext import FastText
    from wordvec.train.word2vec import Word2Vec

    t0 = time.perf_counter()
    if not os.path.lexists(args.resume):
        raise ConfigError(
            f"cannot resume from {args.resume}: no such file. A checkpoint is written every "
            "--checkpoint-every interval and when training is stopped by Ctrl-C or SIGTERM; a "
            "run that finished first wrote its vectors to its output instead"
        )
    ck = load_checkpoint(args.resume, mmap=True)  # its header: the matrices are read by resume
    saved = ck.extra
    output = args.output or saved.get("output")
    if output is None:
        raise ConfigError(f"{args.resume} does not record an output file; give one with -o")
    fmt = args.format if args.format is not None else saved.get("format")
    out, fmt = output_option(output, fmt, "-o")
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
    if saved.get("phrases"):
        from wordvec.text.phrases import PhraseTokenizer

        tokenizer = PhraseTokenizer(normalize=saved.get("normalize") is not False)
    _lock(locks, out, "output")
    _lock(locks, plan["path"], "checkpoint")
    model_class = FastText if ck.method == "fasttext" else Word2Vec
    del ck  # (maps of the file, no more)
    model = model_class.resume(args.resume, source=corpus, workers=args.workers,
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


# --- training on a Dask cluster: --scheduler / --dask-local ---------------------------------


def _train_on_cluster(args: argparse.Namespace, corpora: list[str]) -> int:
    """``wordvec train ... --scheduler ADDR | --dask-local N`` (also with --resume)."""
    from wordvec.train.checkpoint import load_checkpoint
    from wordvec.train.cluster import fit_on_cluster, local_cluster, train_on_cluster
    from wordvec.train.word2vec import Word2Vec

    if args.scheduler and args.dask_local:
        raise ConfigError("give --scheduler or --dask-local, not both")
    _check_train_options(args)
    if args.loss == "softmax" or args.from_counts:
        raise ConfigError(f"{'--loss softmax' if args.loss == 'softmax' else '--from-counts'} "
                          "runs on one machine; drop --scheduler/--dask-local")
    if args.phrases or args.cache:
        raise ConfigError("--phrases and --cache run on one machine; drop "
                          "--scheduler/--dask-local")
    svd = args.method == "svd"
    if args.method == "fasttext":
        raise ConfigError("--method fasttext trains on one machine; drop "
                          "--scheduler/--dask-local")
    if svd and args.resume:
        raise ConfigError("--resume continues word2vec training; PPMI-SVD has no checkpoints")
    t0 = time.perf_counter()
    saved: dict = {}
    if args.resume:
        ck = load_checkpoint(args.resume, mmap=True)
        if ck.method != "word2vec":
            raise ConfigError(f"{args.resume} is a checkpoint of a fastText model, which "
                              "trains on one machine; drop --scheduler/--dask-local")
        saved = ck.extra
    output = args.output or saved.get("output")
    if output is None:
        raise ConfigError("give an output file with -o/--output")
    if not corpora and not args.resume:
        raise ConfigError("give a corpus to train on: wordvec train CORPUS... -o OUTPUT "
                          "--scheduler ADDRESS")
    out = check_output_path(output)
    plan = _checkpoint_plan(args, out, saved)
    eval_path = _check_analogy_file(args.eval_analogies or saved.get("eval_analogies"))
    where = (f"--scheduler {shlex.quote(args.scheduler)}" if args.scheduler
             else f"--dask-local {args.dask_local}")
    cluster = None
    if args.dask_local:
        cluster, client = local_cluster(args.dask_local, args.workers or 1)
    else:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs dask and distributed: "
                              "pip install 'wordvec[cluster]'") from None
        try:
            if args.scheduler.startswith("tcp://"):  # a refused connection fails at once
                import socket
                from urllib.parse import urlsplit

                where_to = urlsplit(args.scheduler)
                socket.create_connection((where_to.hostname, where_to.port or 8786), 5).close()
            client = Client(args.scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {args.scheduler}: "
                              f"{exc}") from None
    bar = ProgressBar(enabled=not args.quiet)
    callbacks = [_epoch_accuracy(eval_path)] if eval_path else []
    ckpt = plan["path"]
    options = {"checkpoint": ckpt, "checkpoint_every": plan["epochs"] or 1,
               "resume_hint": f"wordvec train --resume {shlex.quote(str(ckpt))} {where}"}
    try:
        if svd:
            if args.save_counts:
                check_output_path(args.save_counts)
            model = _svd_on_cluster(args, corpora, client)
        elif args.resume:
            model = Word2Vec.resume(args.resume, source=corpora or None, client=client)
            model.checkpoint_meta.update(output=_abs(out), checkpoint=_abs(ckpt),
                                         eval_analogies=eval_path)
            if model.run_state is not None:
                train_on_cluster(model, client, callbacks=callbacks, progress=bar, **options)
        else:
            model = Word2Vec(**_w2v_params(args))
            model.checkpoint_meta = {
                "output": _abs(out), "format": args.format,
                "checkpoint": _abs(ckpt), "checkpoint_every": plan["every"],
                "eval_analogies": eval_path}
            if args.no_normalize:
                model.checkpoint_meta["normalize"] = False
            fit_on_cluster(model, corpora, client, callbacks=callbacks, progress=bar,
                           normalize=not args.no_normalize, **options)
    finally:
        bar.close()
        try:
            client.close()
            if cluster is not None:
                cluster.close()
        except Exception:  # noqa: BLE001 - a cluster that lost a worker may close noisily
            pass
    fmt = args.format if args.format is not None else saved.get("format")
    _save_output(model.wv, out, fmt, t0)
    return 0


def _svd_on_cluster(args: argparse.Namespace, corpora: list[str], client: Any) -> Any:
    """PPMI-SVD with the counting on the cluster and the SVD here (see svd_on_cluster)."""
    from wordvec.train.cluster import svd_on_cluster

    _, svd, _ = _train_settings()
    model = svd_on_cluster(corpora, client, normalize=not args.no_normalize,
                           **_given_settings(args, svd))
    if args.save_counts:
        model.save_counts(args.save_counts)
        logger.info("saved co-occurrence counts to %s", args.save_counts)
    return model


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
        model = PPMISVD(**opts).fit(corpus, tokenizer=tokenizer_for(args), tmp_dir=args.tmp_dir,
                                    cache=args.cache)
    if args.save_counts:
        model.save_counts(args.save_counts)
        logger.info("saved co-occurrence counts to %s", args.save_counts)
    return model


# --- phrases before training: `wordvec train --phrases N` --------------------------------


def _check_phrases_option(args: argparse.Namespace) -> None:
    if args.phrases is None:
        if args.phrases_threshold is not None or args.phrases_scoring or args.connectors:
            raise ConfigError("--phrases-threshold, --phrases-scoring and --connectors apply "
                              "with --phrases N only")
        return
    if args.resume or args.from_counts:
        raise ConfigError("--phrases applies when training on a corpus, not with --resume "
                          "(the checkpoint records the phrased corpus) or --from-counts")


def _phrased_training_corpus(args: argparse.Namespace, corpus: Path, out: Path) -> Path:
    """Write the corpus with its phrases joined beside the output, and return its path.

    A file (not a stream) because training reads the corpus once per epoch, and
    --resume reads it again from the path the checkpoint records.
    """
    from wordvec.text.phrases import check_settings, write_phrased

    settings = phrase_settings(args, args.phrases_threshold, args.phrases_scoring,
                               args.min_count)
    try:
        check_settings(settings["min_count"], settings["threshold"], settings["scoring"])
    except ConfigError as exc:  # say it with the options of this command
        raise ConfigError(re.sub(r"\bthreshold\b", "--phrases-threshold",
                                 str(exc).replace("scoring='npmi'", "--phrases-scoring npmi"),
                                 count=1)) from None
    target = check_output_path(out.with_name(out.name + ".phrased.txt"))
    t0 = time.perf_counter()
    phrased = write_phrased(corpus, target, **settings)
    logger.info("joined phrases in %d pass(es) (%s) and wrote the phrased corpus to %s, "
                "which training reads (%.1f s)", len(phrased.models),
                ", ".join(str(len(m.phrasegrams)) for m in phrased.models), target,
                time.perf_counter() - t0)
    return target


def phrase_settings(args: argparse.Namespace, threshold: float | None, scoring: str | None,
                    min_count: int | None) -> dict:
    """The arguments of ``write_phrased`` from ``wordvec phrases`` or ``train --phrases``."""
    from wordvec.text.phrases import ENGLISH_CONNECTOR_WORDS

    scoring = scoring or "default"
    if threshold is None:
        threshold = 100.0 if scoring == "default" else 0.5
    return {"passes": args.passes if hasattr(args, "passes") else args.phrases,
            "threshold": threshold, "scoring": scoring,
            "min_count": 5 if min_count is None else min_count,
            "max_vocab_size": args.phrases_max_candidates or 40_000_000,
            "connector_words": ENGLISH_CONNECTOR_WORDS if args.connectors else frozenset(),
            "tokenizer": tokenizer_for(args)}


def tokenizer_for(args: argparse.Namespace) -> Any:
    """The tokenizer the options ask for (None: the default one)."""
    if getattr(args, "phrases", None) or getattr(args, "command", None) == "phrases":
        from wordvec.text.phrases import PhraseTokenizer  # phrases: keep new_york whole

        return PhraseTokenizer(normalize=not getattr(args, "no_normalize", False))
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
    if getattr(args, "shared_negatives_on", False):
        params["shared_negatives"] = True
    return params




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




def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``wordvec train`` to the sub-commands."""

    t = sub.add_parser("train", parents=[common], help="train word vectors on a corpus",
                       description="Train word vectors on a text corpus (a file, a folder, "
                       ".gz/.bz2/.xz; one sentence per line or one huge text8-style line).")
    t.add_argument("corpus", nargs="*", help="text file or folder of text files (several, and "
                   "globs or URLs, with --scheduler/--dask-local)")
    t.add_argument("-o", "--output",
                   help="output file: .bin word2vec binary (with --method fasttext: "
                   "fastText's binary model, n-grams included), .txt/.vec word2vec text, "
                   "anything else the native format (required unless --resume); '-' is "
                   "standard output (word2vec text unless --format says otherwise)")
    t.add_argument("--format", choices=["native", "word2vec-text", "word2vec-binary", "glove",
                                        "fasttext"],
                   help="override the format chosen from the extension")
    t.add_argument("--method", choices=["word2vec", "svd", "fasttext"],
                   help="predictive word2vec (default), count-based PPMI-SVD, or fastText's "
                   "subword model (vectors for unseen words from their character n-grams)")
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
    f = t.add_argument_group("fastText subword model (--method fasttext)")
    for setting in _subword_settings().values():
        _add_setting(f, setting)
    f.add_argument("--shared-negatives", dest="shared_negatives_on", action="store_true",
                   default=None,
                   help="skip-gram: noise words shared across the window, one step per "
                   "window (word2vec's default; for --method fasttext about twice as fast as "
                   "fastText's own update, which is its default, with lower analogy scores)")
    t.add_argument("--tmp-dir", metavar="DIR",
                   help="folder for the working files (the encoded corpus, about 4 bytes per "
                   "word of text, removed at the end); default $TMPDIR, else the system's "
                   "temporary folder")
    k = t.add_argument_group("watching, checkpoints and resuming (word2vec and fastText)")
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
                   help="continue the training saved in CHECKPOINT (word2vec or fastText) "
                   "with its settings (the corpus is read again from its recorded path, or "
                   "from CORPUS)")
    g = t.add_argument_group("PPMI-SVD settings (--method svd)")
    for name, setting in svd.items():
        if name not in w2v:
            _add_setting(g, setting)
    g.add_argument("--save-counts", metavar="PATH", help="also save the co-occurrence counts")
    g.add_argument("--from-counts", metavar="PATH",
                   help="reuse counts saved with --save-counts instead of reading a corpus")
    # phrases (new_york) joined before training
    ph = t.add_argument_group("phrases (new_york) before training")
    ph.add_argument("--phrases", type=positive_int, metavar="N",
                    help="join phrases (new_york) in N passes (2: also los_angeles_lakers) "
                    "before training; the phrased corpus is written beside the output as "
                    "OUTPUT.phrased.txt and training reads it (min count: --min-count)")
    ph.add_argument("--phrases-threshold", type=float, metavar="T",
                    help="score a pair must exceed (default 100; 0.5 with npmi)")
    ph.add_argument("--phrases-scoring", choices=["default", "npmi"],
                    help="word2phrase's score (default) or normalised PMI")
    ph.add_argument("--connectors", action="store_true",
                    help="let English connector words (of, the, ...) sit inside phrases")
    ph.set_defaults(phrases_max_candidates=None)
    # training on a Dask cluster (wordvec.train.cluster)
    dc = t.add_argument_group("training on a Dask cluster (pip install 'wordvec[cluster]')")
    dc.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="train on the Dask cluster of this scheduler: one replica per worker "
                    "process, with its threads; CORPUS (files, folders, globs, URLs) must be "
                    "readable by every worker")
    dc.add_argument("--dask-local", type=positive_int, metavar="N",
                    help="start a local Dask cluster of N worker processes and train on it "
                    "(--workers sets threads per process, default 1)")
    # the encoded-corpus cache (wordvec.text.cache)
    t.add_argument("--cache", metavar="DIR",
                   help="keep the encoded corpus and vocabulary counts in DIR, keyed by the "
                   "corpus's content and the reading settings; a later run on the same "
                   "corpus skips reading it (word2vec engine and svd)")
    t.set_defaults(func=cmd_train)
