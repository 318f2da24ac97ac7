"""``wordvec info``, ``plot``, ``serve`` and ``demo``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from wordvec.cli.common import add_input_options, check_output_path, load_input, positive_int
from wordvec.errors import ConfigError
from wordvec.wording import counted

logger = logging.getLogger("wordvec")



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
        wv = load_input(args, args.file, mmap=True)
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

        wv = load_input(args, args.file, mmap=True)
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




def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the info, plot, serve and demo sub-commands."""

    i = sub.add_parser("info", parents=[common], help="describe a vector or model file")
    i.add_argument("file", help="vector, model or checkpoint file")
    add_input_options(i)
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
    add_input_options(pl, input_format=False)
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
    pw.add_argument("--topn", type=positive_int, default=200,
                    help="without WORDS: map the N most frequent words (default 200)")
    pw.add_argument("--neighbours", type=int, default=10,
                    help="with WORDS: also show each word's N nearest words (default 10)")
    pw.add_argument("--title", help="figure title")
    add_input_options(pw)
    pw.set_defaults(func=cmd_plot)

    _add_serve_parser(sub, common)
    d = sub.add_parser("demo", parents=[common],
                       help="train on the built-in synthetic corpus and show the results")
    d.add_argument("--out", default="demo-output", help="folder for the demo's files")
    d.add_argument("--workers", type=positive_int, help="training threads (default: all)")
    d.set_defaults(func=cmd_demo)
