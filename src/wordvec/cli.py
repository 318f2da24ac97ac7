"""The ``wordvec`` command line: parse, call the library, print.

Every sub-command is a thin wrapper. User mistakes arrive as
:class:`~wordvec.errors.WordvecError` and are printed as one line on stderr,
with no traceback, and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from wordvec.errors import ConfigError, WordvecError

logger = logging.getLogger("wordvec")

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


# --- output helpers -----------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on stderr, shown only on a terminal."""

    def __init__(self, enabled: bool, stream: object = None) -> None:
        self.stream = stream or sys.stderr
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
            parts.append(f"{wps / 1e6:.2f}M words/s")
        lr = getattr(p, "alpha", None)
        if lr is not None:
            parts.append(f"lr {lr:.5f}")
        loss = getattr(p, "loss", None)
        if loss is not None and loss == loss:
            parts.append(f"loss {loss:.4f}")
        eta = getattr(p, "eta", None)
        if eta is not None and eta == eta:
            parts.append(f"ETA {_fmt_seconds(eta)}")
        line = "  ".join(parts)
        self.stream.write("\r" + line[:119].ljust(119))
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the bar's line."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _fmt_seconds(s: float) -> str:
    s = int(max(s, 0))
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def _setup_logging(quiet: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wordvec: %(message)s"))
    root = logging.getLogger("wordvec")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO))


def check_output_path(path: str | os.PathLike) -> Path:
    """Refuse, before any work, an output path that cannot be written."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise ConfigError(f"cannot write {p}: folder {parent} does not exist")
    if not parent.is_dir():
        raise ConfigError(f"cannot write {p}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write {p}: no write permission in {parent}")
    if p.is_dir():
        raise ConfigError(f"cannot write {p}: it is a folder")
    if p.exists() and not os.access(p, os.W_OK):
        raise ConfigError(f"cannot write {p}: file is read-only")
    return p


# --- commands -------------------------------------------------------------------------


def _print_neighbours(pairs: Sequence[tuple[str, float]]) -> None:
    for word, score in pairs:
        print(f"{word}\t{score:.4f}")


def cmd_train(args: argparse.Namespace) -> int:
    """Train vectors on a corpus and save them."""
    from wordvec.formats import save_vectors

    out = check_output_path(args.output)
    if args.save_counts:
        check_output_path(args.save_counts)
    if args.from_counts and args.method != "svd":
        raise ConfigError("--from-counts only applies to --method svd")
    if args.corpus is None and not args.from_counts:
        raise ConfigError("give a corpus to train on (or --from-counts with --method svd)")
    corpus = Path(args.corpus) if args.corpus is not None else None
    if corpus is not None and not corpus.exists():
        raise WordvecError(f"corpus path not found: {corpus}")
    bar = ProgressBar(enabled=not args.quiet)
    t0 = time.perf_counter()
    try:
        if args.method == "svd":
            model = _train_svd(args, corpus)
        elif args.loss == "softmax":
            from wordvec.corpus import iter_sentences
            from wordvec.reference import CBOWSoftmax, SkipGramSoftmax

            cls = SkipGramSoftmax if args.model == "sg" else CBOWSoftmax
            model = cls(
                vector_size=args.size,
                window=args.window if args.window is not None else 5,
                epochs=args.epochs if args.epochs is not None else 5,
                min_count=args.min_count,
                seed=args.seed,
            )
            model.fit(list(iter_sentences(corpus)))
        else:
            from wordvec.word2vec import Word2Vec

            params = _w2v_params(args)
            model = Word2Vec(**params)
            model.fit(corpus, progress=bar)
    finally:
        bar.close()
    wv = model.wv
    save_vectors(wv, out, format=args.format)
    logger.info(
        "saved %d vectors of size %d to %s (%.1f s)",
        len(wv), wv.vector_size, out, time.perf_counter() - t0,
    )
    return 0


def _train_svd(args: argparse.Namespace, corpus: Path | None) -> object:
    """PPMI-SVD: count co-occurrences (or reuse saved counts), then factorise."""
    from wordvec.counting import PPMISVD

    opts = {
        "vector_size": args.size, "window": args.window, "min_count": args.min_count,
        "sample": args.sample, "seed": args.seed, "weighting": args.weighting,
        "boundaries": args.boundaries or None, "cds_alpha": args.cds_alpha,
        "shift": args.shift, "eig": args.eig, "add_context": args.add_context or None,
        "solver": args.svd_solver,
    }
    opts = {k: v for k, v in opts.items() if v is not None}
    if args.from_counts:
        # counting options (window, weighting, ...) come from the counts file
        for key in ("window", "min_count", "sample", "weighting", "boundaries"):
            opts.pop(key, None)
        model = PPMISVD.load_counts(args.from_counts, **opts)
    else:
        model = PPMISVD(**opts).fit(corpus)
    if args.save_counts:
        model.save_counts(args.save_counts)
        logger.info("saved co-occurrence counts to %s", args.save_counts)
    return model


def _w2v_params(args: argparse.Namespace) -> dict:
    params: dict = {
        "sg": 1 if args.model == "sg" else 0,
        "vector_size": args.size,
        "min_count": args.min_count,
        "seed": args.seed,
    }
    if args.window is not None:
        params["window"] = args.window
    if args.epochs is not None:
        params["epochs"] = args.epochs
    if args.loss == "hs":
        params["hs"] = 1
        params["negative"] = args.negative if args.negative is not None else 0
    else:
        params["negative"] = args.negative if args.negative is not None else 5
        params["hs"] = args.hs if args.hs is not None else 0
    if args.cbow_mean is not None:
        params["cbow_mean"] = args.cbow_mean
    for name in ("sample", "alpha", "min_alpha"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    if args.workers is not None:
        params["workers"] = args.workers
    if args.per_pair:
        params["shared_negatives"] = False
    return params


def cmd_similar(args: argparse.Namespace) -> int:
    """Print the nearest neighbours of a word."""
    from wordvec.formats import load_vectors

    wv = load_vectors(args.vectors, mmap=True)
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
    from wordvec.formats import load_vectors

    wv = load_vectors(args.vectors, mmap=True)
    a, b, c = (_lookup_word(wv, w) for w in (args.a, args.b, args.c))
    print(f"{a} : {b} :: {c} : ?")
    _print_neighbours(wv.most_similar(positive=[b, c], negative=[a], topn=args.topn))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score vectors on analogy and word-pair benchmarks."""
    import json

    from wordvec.evaluate import evaluate_analogies, evaluate_pairs, format_results
    from wordvec.formats import load_vectors

    if not args.analogies and not args.pairs:
        raise ConfigError("give at least one benchmark: --analogies FILE and/or --pairs FILE")
    wv = load_vectors(args.vectors, mmap=True)
    results: list = []
    for path in args.analogies or []:
        results.append(
            evaluate_analogies(wv, path, restrict_vocab=args.restrict_vocab or None,
                               method=args.method)
        )
    for path in args.pairs or []:
        results.append(evaluate_pairs(wv, path))
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        print(format_results(results))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Convert vectors between file formats."""
    from wordvec.formats import load_vectors, save_vectors

    out = check_output_path(args.output)
    wv = load_vectors(args.input, format=args.input_format, limit=args.limit)
    save_vectors(wv, out, format=args.format)
    logger.info("wrote %d vectors of size %d to %s", len(wv), wv.vector_size, out)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Describe a vector or model file."""
    import json

    from wordvec.formats import detect_format, load_vectors

    fmt = detect_format(args.file)
    wv = load_vectors(args.file, mmap=True)
    print(f"file:        {args.file}")
    print(f"format:      {fmt}")
    print(f"words:       {len(wv):,}")
    print(f"dimensions:  {wv.vector_size}")
    if len(wv):
        head = ", ".join(wv.index_to_key[:10])
        print(f"most frequent: {head}{', ...' if len(wv) > 10 else ''}")
    meta = getattr(wv, "meta", None) or {}
    if meta:
        print("training:")
        for key, value in meta.items():
            if key in ("losses",):
                value = ", ".join(f"{x:.4f}" for x in value)
            print(f"  {key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw a loss curve or a 2-D map of words."""
    from wordvec.formats import load_vectors

    out = check_output_path(args.output)
    if args.what == "loss":
        from wordvec.plot import plot_loss

        wv = load_vectors(args.file, mmap=True)
        losses = (getattr(wv, "meta", None) or {}).get("losses")
        if not losses:
            raise ConfigError(
                f"{args.file} records no training loss; plot the loss of a file written "
                "by 'wordvec train' in the native format (no .txt/.bin extension)"
            )
        meta = wv.meta
        path = plot_loss(losses, out, title=args.title or f"training loss: {args.file}",
                         accuracy=meta.get("epoch_accuracy"))
    else:
        from wordvec.plot import plot_words, select_words

        wv = load_vectors(args.file, mmap=True)
        words = [w if w in wv else w.lower() for w in args.words] if args.words else None
        chosen, vecs = select_words(wv.index_to_key, wv.vectors, words=words, topn=args.topn,
                                    neighbours=args.neighbours)
        path = plot_words(chosen, vecs, out, method=args.method, title=args.title,
                          highlight=words)
    print(path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Train on the built-in synthetic corpus and show what the vectors learned."""
    from wordvec.demo import run_demo

    run_demo(out_dir=Path(args.out), quiet=args.quiet, workers=args.workers)
    return 0


# --- argument parsing -------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wordvec`` command."""
    parser = argparse.ArgumentParser(
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

    t = sub.add_parser("train", parents=[common], help="train word vectors on a corpus",
                       description="Train word vectors on a text corpus (a file, a folder, "
                       ".gz/.bz2/.xz; one sentence per line or one huge text8-style line).")
    t.add_argument("corpus", nargs="?", help="text file or folder of text files")
    t.add_argument("-o", "--output", required=True,
                   help="output file: .bin word2vec binary, .txt/.vec word2vec text, "
                   "anything else the native format")
    t.add_argument("--format", choices=["native", "word2vec-text", "word2vec-binary", "glove"],
                   help="override the format chosen from the extension")
    t.add_argument("--method", choices=["word2vec", "svd"], default="word2vec",
                   help="predictive word2vec (default) or count-based PPMI-SVD")
    t.add_argument("--model", choices=["sg", "cbow"], default="sg",
                   help="skip-gram (default) or CBOW")
    t.add_argument("--loss", choices=["ns", "hs", "softmax"], default="ns",
                   help="negative sampling (default), hierarchical softmax, or full softmax "
                   "(the NumPy reference model, small vocabularies only)")
    t.add_argument("--size", "-size", type=_positive_int, default=100, help="vector size")
    t.add_argument("--window", "-window", type=_positive_int, help="context window (default 5)")
    t.add_argument("--min-count", "-min-count", type=_positive_int, default=5,
                   help="ignore words seen fewer times (default 5)")
    t.add_argument("--epochs", "--iter", "-iter", type=_positive_int,
                   help="passes over the corpus (default 5)")
    t.add_argument("--negative", "-negative", type=int, help="noise words per example (default 5)")
    t.add_argument("--hs", "-hs", type=int, choices=[0, 1], help="also use hierarchical softmax")
    t.add_argument("--cbow-mean", type=int, choices=[0, 1],
                   help="CBOW: 1 averages context vectors (default), 0 sums them")
    t.add_argument("--sample", "-sample", type=float,
                   help="subsampling threshold for frequent words (default 1e-3)")
    t.add_argument("--alpha", "-alpha", type=float, help="starting learning rate")
    t.add_argument("--min-alpha", type=float, help="final learning rate")
    t.add_argument("--workers", "--threads", "-threads", type=_positive_int,
                   help="training threads (default: all cores)")
    t.add_argument("--per-pair", action="store_true",
                   help="skip-gram: the C tool's update, fresh noise words for every "
                   "(word, context) pair (about 3x slower) instead of noise words shared "
                   "across a window")
    t.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    g = t.add_argument_group("PPMI-SVD (--method svd)")
    g.add_argument("--weighting", choices=["none", "harmonic", "linear"],
                   help="weight co-occurrences by 1/distance (harmonic, default) or "
                   "(window-d+1)/window (linear), or not at all")
    g.add_argument("--boundaries", action="store_true",
                   help="count sentence start/end tokens as in the tutorial")
    g.add_argument("--cds-alpha", type=float, help="context-distribution smoothing (0.75)")
    g.add_argument("--shift", type=float, help="shifted PPMI: subtract log k (default 1: none)")
    g.add_argument("--eig", type=float, choices=[0.0, 0.5, 1.0],
                   help="eigenvalue weighting p in U*S^p (default 0.5)")
    g.add_argument("--add-context", action="store_true", help="use word + context vectors")
    g.add_argument("--svd-solver", choices=["arpack", "randomized"])
    g.add_argument("--save-counts", metavar="PATH", help="also save the co-occurrence counts")
    g.add_argument("--from-counts", metavar="PATH",
                   help="reuse counts saved with --save-counts instead of reading a corpus")
    t.set_defaults(func=cmd_train)

    s = sub.add_parser("similar", parents=[common], help="nearest neighbours of a word")
    s.add_argument("vectors", help="vector file (any supported format)")
    s.add_argument("word")
    s.add_argument("-n", "--topn", type=_positive_int, default=10)
    s.set_defaults(func=cmd_similar)

    a = sub.add_parser("analogy", parents=[common], help="a : b :: c : ?  (b - a + c)")
    a.add_argument("vectors", help="vector file (any supported format)")
    a.add_argument("a")
    a.add_argument("b")
    a.add_argument("c")
    a.add_argument("-n", "--topn", type=_positive_int, default=5)
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
    e.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=cmd_evaluate)

    c = sub.add_parser("convert", parents=[common], help="convert vectors between formats")
    c.add_argument("input")
    c.add_argument("output", help="format from the extension: .bin, .txt/.vec, other: native")
    c.add_argument("--format", choices=["native", "word2vec-text", "word2vec-binary", "glove"],
                   help="output format (overrides the extension)")
    c.add_argument("--input-format",
                   choices=["native", "word2vec-text", "word2vec-binary", "glove"],
                   help="input format (default: detected from the content)")
    c.add_argument("--limit", type=_positive_int, help="keep only the first N words")
    c.set_defaults(func=cmd_convert)

    i = sub.add_parser("info", parents=[common], help="describe a vector or model file")
    i.add_argument("file")
    i.set_defaults(func=cmd_info)

    p = sub.add_parser("plot", parents=[common], help="plot a loss curve or a map of words")
    psub = p.add_subparsers(dest="what", metavar="WHAT")
    psub.required = True
    pl = psub.add_parser("loss", parents=[common], help="training loss per epoch")
    pl.add_argument("file", help="native vector/model file written by 'wordvec train'")
    pl.add_argument("-o", "--output", default="loss.png", help="PNG (default) or .svg")
    pl.add_argument("--title")
    pl.set_defaults(func=cmd_plot)
    pw = psub.add_parser("words", parents=[common], help="2-D map of words")
    pw.add_argument("file", help="vector file (any supported format)")
    pw.add_argument("words", nargs="*", help="words to show with their neighbours "
                    "(default: the most frequent --topn words)")
    pw.add_argument("-o", "--output", default="words.png", help="PNG (default) or .svg")
    pw.add_argument("--method", choices=["pca", "tsne"], default="pca")
    pw.add_argument("--topn", type=_positive_int, default=200)
    pw.add_argument("--neighbours", type=int, default=10)
    pw.add_argument("--title")
    pw.set_defaults(func=cmd_plot)

    d = sub.add_parser("demo", parents=[common],
                       help="train on the built-in synthetic corpus and show the results")
    d.add_argument("--out", default="demo-output", help="folder for the demo's files")
    d.add_argument("--workers", type=_positive_int, help="training threads (default: all)")
    d.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wordvec`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    quiet = bool(getattr(args, "quiet", False))
    _setup_logging(quiet, args.verbose)
    args.quiet = quiet
    try:
        return int(args.func(args) or 0)
    except WordvecError as exc:
        print(f"wordvec: error: {exc}", file=sys.stderr)
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
    except KeyboardInterrupt:
        print("wordvec: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
