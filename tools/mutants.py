"""Targeted mutation testing: break the program on purpose, one behaviour at a time.

Each mutant below names a file, an exact snippet of it and a replacement. The
script copies ``src/`` once to a scratch folder, and for each mutant writes the
changed file into that copy, runs the chosen tests against it (``PYTHONPATH``
points at the copy; the tests themselves come from this checkout) with
``pytest -x -q``, records whether they failed (killed) or passed (survived),
and puts the file back. The real tree is never edited.

Why a hand-written list and not mutmut: the behaviours that matter most live in
Numba-compiled kernels, where every mutant costs a recompilation (10-20 s per
specialisation), and a tool's thousands of blind mutants times a multi-minute
suite do not fit a 2-core machine. Each mutant here is a plausible bug with the
few tests that should see it. Mutants of files holding compiled code get a
fresh Numba cache (so the unmutated kernels stay cached for the others).

    python tools/mutants.py                 # all mutants (about 10-20 minutes)
    python tools/mutants.py --list          # what they are
    python tools/mutants.py kernel-window engine-schedule   # some of them
    python tools/mutants.py --module kernels --json out.json

A mutant must apply to exactly one place: when the code moves, the script says
which snippet it no longer finds (a stale mutant), and that counts as an error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Mutant:
    id: str
    file: str  # relative to src/wordvec
    original: str
    replacement: str
    tests: list[str]
    what: str
    result: str = ""
    seconds: float = 0.0
    detail: str = field(default="", repr=False)


K = "tests/test_kernels.py::"
WINDOW = [K + "test_window_is_shrunk_by_a_uniform_amount_at_every_position",
          K + "test_window_never_reaches_beyond_its_size"]
W2V = "tests/test_word2vec.py"
VOCAB = ["tests/test_vocab.py", "tests/test_kernels.py"]
PROMISES = "tests/test_promises.py::"

MUTANTS = [
    # ---- the compiled kernels (each one recompiles: keep these few) ----
    Mutant("kernel-window", "train/kernels.py",
           "b = _below(state, window)  # the C tool's reduced window",
           "b = 0  # the C tool's reduced window",
           WINDOW, "no shrunk window: always the full window"),
    Mutant("kernel-window-one-side", "train/kernels.py",
           "hi = min(n, i + window + 1 - b)", "hi = min(n, i + window + 1)",
           WINDOW, "the window shrunk on the left side only"),
    Mutant("kernel-decay", "train/kernels.py",
           "alpha = alpha0 - dalpha * (pos0 + spos[i])", "alpha = alpha0 - dalpha * spos[i]",
           [K + "test_learning_rate_falls_linearly_from_the_chunks_position_in_the_run"],
           "the learning rate ignores where the chunk starts in the run"),
    Mutant("kernel-noise-skip", "train/kernels.py",
           "if wk == centre:", "if wk == centre and False:",
           [K + "test_noise_word_equal_to_centre_is_skipped"],
           "a noise word equal to the centre word is not skipped"),
    Mutant("kernel-cbow-mean", "train/kernels.py",
           "if cbow_mean:\n                            inv",
           "if True:\n                            inv",
           [K + "test_cbow_sum_when_cbow_mean_is_0"], "cbow_mean=0 (sum) trained as the mean"),
    Mutant("kernel-padding", "train/kernels.py",
           "for m in range(MN):\n                nwf[r * MNP + m] = 1.0",
           "for m in range(MNP):\n                nwf[r * MNP + m] = 1.0",
           [K + "test_kernels_of_other_sizes_and_noise_counts_match_numpy"],
           "padded outputs (negative not 2 mod 3) trained as real ones"),
    # ---- the engine: schedule and chunk order ----
    Mutant("engine-schedule", "train/engine.py",
           "self.schedule = Schedule(config.start_alpha, config.end_alpha, "
           "float(epochs) * self.n)",
           "self.schedule = Schedule(config.start_alpha, config.start_alpha, "
           "float(epochs) * self.n)",
           [PROMISES + "test_the_rate_falls_over_all_epochs_not_each_epoch_again", W2V],
           "constant learning rate (min_alpha ignored)"),
    Mutant("engine-rate-position", "train/engine.py",
           "pos = (float(epoch) * self.n + float(self.plan.seq_start[k]) if",
           "pos = (float(self.plan.seq_start[k]) if",
           [PROMISES + "test_the_rate_falls_over_all_epochs_not_each_epoch_again", W2V],
           "every epoch restarts the learning rate at alpha"),
    Mutant("engine-rate-per-thread", "train/engine.py",
           "pos = (float(epoch) * self.n + float(self.plan.seq_start[k]) if",
           "pos = (float(epoch) * self.n + float(self.plan.seq_start[k]) / self.workers if",
           [PROMISES + "test_with_two_workers_the_rate_still_falls_all_the_way_in_one_epoch"],
           "each thread counts only its share of the words (gensim corpus_file's schedule: "
           "with 2 workers the rate stops halfway)"),
    Mutant("engine-interleave", "train/engine.py",
           "                order.append(bounds[r] + i)\n    return [items[i] for i in order]",
           "                order.append(bounds[r] + i)\n    return list(items)",
           ["tests/test_engine.py", W2V, "tests/test_checkpoint.py"],
           "chunks trained in corpus order, not interleaved over regions"),
    Mutant("engine-cbow-mean", "train/engine.py",
           "kernels.Rules(config.model == \"sg\", bool(config.cbow_mean),",
           "kernels.Rules(config.model == \"sg\", True,",
           ["tests/test_promises.py::"
            "test_loss_hs_trains_hierarchical_softmax_alone_and_cbow_mean_0_sums", W2V],
           "Word2Vec(cbow_mean=0) trains the mean"),
    # ---- sampling tables ----
    Mutant("vocab-keep-probs", "text/vocab.py",
           "p = (np.sqrt(f / t) + 1.0) * t / f", "p = np.sqrt(t / f)",
           VOCAB, "word2vec paper's sqrt(t/f), not the C tool's formula"),
    Mutant("vocab-alias", "text/vocab.py",
           "scaled[g] = (scaled[g] + scaled[s]) - 1.0", "scaled[g] = scaled[g] - 1.0",
           VOCAB, "alias table mass moved wrongly"),
    Mutant("vocab-noise-power", "text/vocab.py",
           "w = self.counts.astype(np.float64) ** power", "w = self.counts.astype(np.float64)",
           VOCAB, "noise distribution is the plain unigram"),
    Mutant("vocab-prune", "text/vocab.py",
           "counts = {w: c for w, c in counts.items() if c > min_reduce}",
           "counts = {w: c for w, c in counts.items() if c >= min_reduce}",
           ["tests/test_vocab.py"], "max_vocab_size prunes one round late"),
    Mutant("update-max-final-vocab", "train/word2vec.py",
           "            return Vocab.from_counts(merged, min_count=1)",
           "            return Vocab.from_counts(merged, min_count=1, "
           "max_final_vocab=c.max_final_vocab)",
           [PROMISES + "test_update_caveats_tables_follow_new_counts_no_max_final_vocab_rate_"
            "restarts"], "build_vocab(update=True) applies max_final_vocab again"),
    Mutant("update-counts", "train/word2vec.py",
           "merged = {w: int(n) + counts.get(w, 0) for w, n",
           "merged = {w: int(n) + 0 * counts.get(w, 0) for w, n",
           [W2V + "::test_update_adds_new_words_keeps_old_vectors_and_trains_on", PROMISES +
            "test_update_caveats_tables_follow_new_counts_no_max_final_vocab_rate_restarts"],
           "known words' counts do not grow with the new text"),
    # ---- evaluation ----
    Mutant("evaluate-restrict-default", "vectors/evaluate.py",
           "    restrict_vocab: int | None = 30000,", "    restrict_vocab: int | None = None,",
           [PROMISES + "test_analogies_answer_among_the_30000_most_frequent_words_by_default",
            "tests/test_evaluate.py"], "analogies answered among all words, not the top 30,000"),
    Mutant("evaluate-3cosmul", "vectors/evaluate.py",
           "scores /= shifted(a[sl]) + _COSMUL_EPS", "scores -= shifted(a[sl])",
           ["tests/test_evaluate.py"], "3CosMul divides by nothing"),
    Mutant("evaluate-3cosmul-shift", "vectors/evaluate.py",
           "            return (1 + s) / 2", "            return s",
           ["tests/test_evaluate.py"], "3CosMul on raw cosines, not shifted to [0, 1]"),
    # ---- formats ----
    Mutant("formats-binary", "vectors/word2vec_format.py",
           'batch.append(word.encode("utf-8") + b" " + vecs[i].tobytes() + b"\\n")',
           'batch.append(word.encode("utf-8") + b" " + vecs[i].astype(">f4").tobytes() '
           '+ b"\\n")',
           ["tests/test_formats.py"], "binary floats written big-endian"),
    Mutant("formats-text", "vectors/word2vec_format.py",
           'yield " ".join(map(str, row))', 'yield " ".join(f"{x:.4f}" for x in row)',
           ["tests/test_formats.py"], "text format rounds to 4 decimals"),
    Mutant("formats-pickle", "native.py",
           "if dtype.hasobject or dtype.kind not in _SAFE_KINDS:",
           "if False and (dtype.hasobject or dtype.kind not in _SAFE_KINDS):",
           ["tests/test_formats.py", "tests/test_bad_input.py::"
            "test_pickled_objects_in_a_native_file_are_never_executed"],
           "an object array (a pickle) inside a native file is not refused"),
    # ---- the NumPy reference models ----
    Mutant("reference-input-frozen", "train/reference.py",
           "        m = len(batch)\n        self.W_out -= lr * dW_out\n"
           "        self.W_in -= (lr * m) * dW_in\n        return loss\n\n\nclass CBOWSoftmax",
           "        m = len(batch)\n        self.W_out -= lr * dW_out\n"
           "        return loss\n\n\nclass CBOWSoftmax",
           ["tests/test_reference.py"], "skip-gram reference trains only the output layer"),
    Mutant("reference-loss-sum", "train/reference.py",
           "    loss = -float(log_probs[rows, contexts].mean())",
           "    loss = -float(log_probs[rows, contexts].sum()) / 4",
           ["tests/test_reference.py"], "skip-gram loss no longer a mean per example"),
    # ---- plots ----
    Mutant("plot-loss-reversed", "plot.py",
           "(line,) = ax.plot(epochs, y, marker", "(line,) = ax.plot(epochs, y[::-1], marker",
           ["tests/test_plot.py::test_loss_figure_draws_the_losses_in_epoch_order"],
           "the loss curve drawn in reverse"),
    Mutant("plot-labels-unplaced", "plot.py",
           "    data_pos = to_px.inverted().transform(pos)\n",
           "    data_pos = to_px.inverted().transform(pos[::-1])\n",
           ["tests/test_plot.py::test_word_map_draws_the_projection_and_labels_each_point"],
           "labels placed at another word's spot"),
    # ---- the CLI's option wiring ----
    Mutant("cli-loss-hs", "cli/train.py",
           '    if args.loss == "hs":  # hierarchical softmax alone',
           '    if False:  # hierarchical softmax alone',
           [PROMISES + "test_loss_hs_trains_hierarchical_softmax_alone_and_cbow_mean_0_sums"],
           "--loss hs quietly trains negative sampling"),
    Mutant("cli-aliases", "cli/train.py",
           "names = [setting.flag, *setting.aliases]", "names = [setting.flag]",
           [PROMISES + "test_the_c_tools_flags_reach_the_trained_model"],
           "the C tool's flags (-size ...) are refused"),
    Mutant("cli-alias-iter", "settings.py",
           '"--epochs", ("--iter", "-iter"), int)', '"--epochs", ("--iter",), int)',
           [PROMISES + "test_the_c_tools_flags_reach_the_trained_model"], "-iter is not accepted"),
    Mutant("cli-cbow-mean", "settings.py",
           '"--cbow-mean", (), int, (0, 1)),', '"--cbow-mean", (), int, (1, 1)),',
           [PROMISES + "test_loss_hs_trains_hierarchical_softmax_alone_and_cbow_mean_0_sums"],
           "--cbow-mean 0 trains the mean"),
    Mutant("cli-restrict-default", "cli/query.py",
           'e.add_argument("--restrict-vocab", type=int, default=30000,',
           'e.add_argument("--restrict-vocab", type=int, default=0,',
           [PROMISES + "test_cli_evaluate_uses_the_30000_default"],
           "wordvec evaluate answers among all words by default"),
    Mutant("cli-format", "cli/train.py",
           "    save_vectors(wv, out, format=fmt)\n    logger.info(\n        \"saved %s of size",
           "    save_vectors(wv, out)\n    logger.info(\n        \"saved %s of size",
           [PROMISES + "test_format_overrides_the_extension_and_softmax_trains_the_reference"],
           "train's --format is ignored: the extension decides"),
    Mutant("cli-second-signal", "cli/train.py",
           "        if self.signum is not None:\n            raise KeyboardInterrupt",
           "        if False:\n            raise KeyboardInterrupt",
           [PROMISES + "test_a_second_ctrl_c_quits_without_saving"],
           "a second Ctrl-C is ignored (the run still saves)"),
    Mutant("cli-progress-bar", "cli/common.py",
           '        self.enabled = enabled and getattr(self.stream, "isatty", lambda: False)()',
           "        self.enabled = False",
           [PROMISES + "test_word2vec_progress_bar_on_a_terminal"],
           "no progress bar on a terminal"),
    Mutant("svd-eig", "train/cooccurrence.py",
           "    w = u * (s**eig)[None, :]", "    w = u * (s**0.5)[None, :]",
           [PROMISES + "test_svd_eig_weights_the_singular_values"], "--eig ignored (always 0.5)"),
    Mutant("cli-every-minutes", "cli/train.py",
           'seconds = value * (60.0 if unit == "m" else 1.0)', "seconds = value",
           [PROMISES + "test_checkpoint_every_counts_epochs_minutes_or_seconds"],
           "--checkpoint-every 30m means 30 seconds"),
    Mutant("cluster-round-cap", "train/cluster.py",
           "MIN_ROUNDS_PER_EPOCH = 64", "MIN_ROUNDS_PER_EPOCH = 1",
           ["tests/test_cluster.py::test_fast_replicas_still_synchronise_often"],
           "cluster rounds ended by the clock only (a small corpus collapses)"),
    Mutant("fasttext-init", "train/fasttext.py",
           "INIT_HALF_WIDTH = 1.0", "INIT_HALF_WIDTH = 0.5",
           ["tests/test_fasttext.py::test_input_rows_start_in_fasttexts_range"],
           "fastText rows start in the C tool's range, not fastText's"),
    Mutant("fasttext-stale-input", "train/kernels.py",
           "                                hin[0, d] += din[0, d]\n",
           "                                pass\n",
           ["tests/test_fasttext.py::test_subword_skipgram_per_pair_is_fasttexts_update"],
           "fastText's update: the centre's mean ignores the window's earlier pairs"),
    Mutant("fasttext-noise-per-window", "train/kernels.py",
           "                                nxt[k], state = _draw(state, ns.alias_p, ns.alias_i)\n"
           "                                _prefetch_row(ns.output, nxt[k], D)\n"
           "                            for m in range(K + 1, smp):",
           "                                pass\n"
           "                            for m in range(K + 1, smp):",
           ["tests/test_fasttext.py::test_per_pair_noise_words_are_fresh_for_every_pair"],
           "fastText's update reuses one set of noise words for the whole window"),
    Mutant("fasttext-hot-rows-lost", "train/kernels.py",
           "                    ns.output[r, d] += priv[r, d] - snap[r, d]\n",
           "                    pass\n",
           ["tests/test_fasttext.py::test_subword_skipgram_per_pair_is_fasttexts_update"],
           "the frequent words' private output rows are never added back"),
    Mutant("fasttext-hot-rows-shared-read", "train/kernels.py",
           "        X0 = P if o0 < H else B\n        X1 = P if o1 < H else B\n"
           "        X2 = P if o2 < H else B\n        s0 = s1 = s2 = _F0",
           "        X0 = B\n        X1 = B\n        X2 = B\n        s0 = s1 = s2 = _F0",
           ["tests/test_fasttext.py::test_subword_skipgram_per_pair_is_fasttexts_update"],
           "scores read the shared rows while updates go to the private copy"),
    Mutant("fasttext-private-inputs-lost", "train/kernels.py",
           "                    syn0[sub.hot[h], d] += pin[h, d] - psnap[h, d]\n",
           "                    pass\n",
           ["tests/test_fasttext.py::"
            "test_the_most_used_input_rows_are_kept_privately_with_the_same_result"],
           "the most used input rows' private copies are never added back"),
    Mutant("fasttext-default-shared", "train/fasttext.py",
           'kwargs.setdefault("shared_negatives", False)',
           'kwargs.setdefault("shared_negatives", True)',
           ["tests/test_fasttext.py::test_fasttext_defaults_to_its_own_update_and_refuses_the_gpu"],
           "FastText trains with the (worse) shared window update by default"),
    Mutant("serve-sigint", "serve/__init__.py",
           "            raise KeyboardInterrupt\n", "            pass\n",
           ["tests/test_serve_api.py::"
            "test_ctrl_c_stops_serve_with_130_even_when_the_signal_is_not_passed_on"],
           "serve exits 0 when uvicorn's re-raised SIGINT is lost"),
    Mutant("warmup-skip", "train/warmup.py",
           "    _, err = proc.communicate()\n    if proc.returncode:",
           "    proc.kill()\n    _, err = proc.communicate()\n    if False:",
           ["tests/test_coldstart.py::test_warmup_fills_the_disk_cache"],
           "warmup reports shapes compiled without compiling them"),
    Mutant("scan-tag-only", "text/fastscan.py",
           "                if arena[a + q] != src[start + q]:",
           "                if False:",
           ["tests/test_encoded.py::test_tokens_with_equal_hashes_stay_apart"],
           "the scan takes a token with an equal hash tag for the same token"),
    Mutant("scan-prefix", "text/fastscan.py",
           "            if same and arena[a + ln] == 10:",
           "            if same:",
           ["tests/test_encoded.py::test_tokens_with_equal_hashes_stay_apart"],
           "the scan takes a longer token for its prefix"),
    Mutant("scan-resume", "text/fastscan.py",
           "            return st, k, True",
           "            return st + 1, k, True",
           ["tests/test_encoded.py::test_tables_that_grow_mid_chunk_give_the_python_result"],
           "the scan resumes one byte late after making room"),
    Mutant("hs-private-gather", "train/kernels.py",
           "                                X = hpriv if o >= hbase else hs.output\n"
           "                                o = o - hbase if o >= hbase else o\n"
           "                                for d in range(D):\n"
           "                                    hloc[m, d] = X[o, d]",
           "                                X = hs.output\n"
           "                                for d in range(D):\n"
           "                                    hloc[m, d] = X[o, d]",
           [K + "test_hierarchical_softmax_with_private_and_shared_inner_nodes"],
           "hierarchical softmax reads the shared root rows, not the chunk's private copy"),
    Mutant("hs-private-merge", "train/kernels.py",
           "hs.output[hbase + r, d] += hpriv[r, d] - hsnap[r, d]",
           "hs.output[hbase + r, d] += 0.0",
           [K + "test_hierarchical_softmax_with_private_and_shared_inner_nodes"],
           "the private root rows' changes are never added back"),
    Mutant("plot-not-atomic", "plot.py",
           'atomic_write(path, "wb") as f:',
           'open(path, "wb") as f:',
           ["tests/test_safety_writes.py::test_a_plot_that_cannot_be_written_keeps_the_old_one"],
           "a plot is written in place, so a failed redraw destroys the old one"),
    Mutant("api-checkpoint-lock", "train/word2vec.py",
           '                lock = OutputLock(checkpoint, "checkpoint").acquire()',
           "                lock = None",
           ["tests/test_safety_writes.py::"
            "test_the_api_refuses_a_checkpoint_another_process_is_writing"],
           "the API trains to a checkpoint another process is writing"),
]


def _has_compiled_code(text: str) -> bool:
    return "@njit" in text or "numba" in text


def run_one(m: Mutant, copy: Path, cache_root: Path, timeout: float) -> None:
    target = copy / "wordvec" / m.file
    original_text = target.read_text()
    stat = target.stat()
    hits = original_text.count(m.original)
    if hits != 1:
        m.result = "stale"
        m.detail = f"the snippet occurs {hits} times in {m.file} (expected once)"
        return
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    scratch = None
    if _has_compiled_code(original_text):
        scratch = tempfile.mkdtemp(prefix="numba-", dir=cache_root)
        env["NUMBA_CACHE_DIR"] = scratch
    else:
        env["NUMBA_CACHE_DIR"] = str(cache_root / "base")
    target.write_text(original_text.replace(m.original, m.replacement))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *m.tests],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        )
        m.result = "survived" if proc.returncode == 0 else "killed"
        if proc.returncode not in (0, 1):
            m.result = "killed" if proc.returncode != 5 else "error"  # 5: no tests collected
        lines = [x for x in proc.stdout.splitlines() if x.startswith(("FAILED", "ERROR"))]
        tail = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
        m.detail = "; ".join(lines[:2] or tail)
    except subprocess.TimeoutExpired:
        m.result = "killed"
        m.detail = f"timed out after {timeout:.0f} s (a hang counts as killed)"
    finally:
        target.write_text(original_text)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        m.seconds = time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("ids", nargs="*", help="mutants to run (default: all)")
    p.add_argument("--module", help="only mutants of this module (file stem, e.g. kernels)")
    p.add_argument("--list", action="store_true", help="list the mutants and exit")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--timeout", type=float, default=900, help="seconds per mutant")
    args = p.parse_args(argv)

    chosen = [m for m in MUTANTS if (not args.ids or m.id in args.ids)
              and (not args.module or Path(m.file).stem == args.module)]
    unknown = set(args.ids) - {m.id for m in MUTANTS}
    if unknown:
        p.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    if args.list:
        for m in chosen:
            print(f"{m.id:28} {m.file:22} {m.what}")
        return 0

    with tempfile.TemporaryDirectory(prefix="wordvec-mutants-") as tmp:
        tmp = Path(tmp)
        copy = tmp / "src"
        shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
        (tmp / "base").mkdir()
        for i, m in enumerate(chosen, 1):
            run_one(m, copy, tmp, args.timeout)
            print(f"[{i}/{len(chosen)}] {m.id:28} {m.result:9} {m.seconds:6.0f} s  {m.detail}",
                  flush=True)

    table: dict[str, list[int]] = {}
    for m in chosen:
        row = table.setdefault(m.file, [0, 0, 0, 0])
        row[0] += 1
        row[1] += m.result == "killed"
        row[2] += m.result == "survived"
        row[3] += m.result in ("stale", "error")
    print("\n| module | mutants | killed | survived | stale/error |")
    print("|---|---|---|---|---|")
    for name, (n, k, s, e) in table.items():
        print(f"| {name} | {n} | {k} | {s} | {e} |")
    survivors = [m.id for m in chosen if m.result == "survived"]
    if survivors:
        print("\nsurvived:", ", ".join(survivors))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(m) for m in chosen], indent=1))
    return 1 if survivors or any(m.result in ("stale", "error") for m in chosen) else 0


if __name__ == "__main__":
    sys.exit(main())
