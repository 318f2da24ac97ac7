"""The GPU engine (wordvec.train.cuda), tested without a GPU.

The host side (batches, segments, seeds, the double-buffer pipeline, the
schedule, the configuration) is tested here in the test process. The kernels
run under Numba's CUDA simulator in subprocesses (tests/cuda_sim_checks.py):
Numba reads NUMBA_ENABLE_CUDASIM when it is imported, and the CPU tests of this
process must keep the real compiler.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wordvec import synthetic
from wordvec.errors import ConfigError
from wordvec.train import cuda
from wordvec.train.config import Word2VecConfig
from wordvec.train.engine import ChunkPlan, Schedule, interleave, make_chunks

ROOT = Path(__file__).resolve().parents[1]
CHECKS = Path(__file__).with_name("cuda_sim_checks.py")


def _plan(regions: int = 3) -> ChunkPlan:
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 90, 60)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    return ChunkPlan(interleave(make_chunks(offsets, 200), regions))


# ----------------------------------------------------------------------------- batches
def test_batches_cover_the_chunks_in_order_within_the_budget():
    plan = _plan()
    sizes = [b - a for a, b, _ in plan.chunks]
    for first in (0, 3, len(plan) - 1):
        ranges = cuda.batch_ranges(plan, first, 500)
        assert ranges[0][0] == first and ranges[-1][1] == len(plan)
        for (a, b), (c, _) in zip(ranges, ranges[1:], strict=False):
            assert b == c and b > a  # contiguous, never empty
        for a, b in ranges:
            words = sum(sizes[a:b])
            assert b - a == 1 or words <= 500
            if b < len(plan):
                assert words + sizes[b] > 500  # as full as the budget allows
    # a chunk larger than the budget is a batch of its own
    assert cuda.batch_ranges(plan, 0, 1) == [(k, k + 1) for k in range(len(plan))]
    assert cuda.batch_ranges(plan, len(plan), 500) == []


def test_segments_tile_each_sentence_and_follow_the_schedule():
    plan = _plan()
    seg_words, epoch, n = 16, 2, plan.n_words
    lay = cuda.batch_layout(plan, 2, 7, seg_words, float(epoch * n), lambda k: 1000 + k)
    schedule = Schedule(0.025, 0.0001, 3.0 * n)
    dalpha = (schedule.alpha0 - schedule.alpha1) / schedule.total
    assert lay.words == sum(b - a for a, b, _ in plan.chunks[2:7])
    assert (lay.seg_len >= 1).all() and (lay.seg_len <= seg_words).all()
    base = 0
    for j, k in enumerate(range(2, 7)):
        start, stop, bounds = plan.chunks[k]
        mine = np.flatnonzero(lay.seg_chunk == j)
        s0 = lay.seg_start[mine].astype(np.int64) - base
        s1 = s0 + lay.seg_len[mine]
        # the segments tile the chunk, in order, and none crosses a sentence end
        assert s0[0] == 0 and s1[-1] == stop - start and (s0[1:] == s1[:-1]).all()
        sentence = np.searchsorted(bounds, s0, side="right")
        assert (s1 <= bounds[sentence]).all()
        # every sentence is cut only where it is longer than a segment
        assert len(mine) == sum(-(-int(x) // seg_words) for x in np.diff(bounds))
        # token j of a segment trains at the CPU engine's position for it
        for i, s in zip(mine, s0, strict=True):
            pos = epoch * n + plan.seq_start[k] + s + np.arange(lay.seg_len[i])
            kernel_alpha = schedule.alpha0 - dalpha * (lay.seg_pos[i] + np.arange(lay.seg_len[i]))
            assert np.allclose(kernel_alpha, [schedule.alpha_at(p) for p in pos], rtol=0,
                               atol=1e-12)
        base += stop - start


def test_segment_seeds_are_distinct_nonzero_and_reproducible():
    a = cuda.segment_seeds(12345, 1000)
    assert a.dtype == np.uint32 and (a != 0).all() and len(np.unique(a)) == 1000
    assert np.array_equal(a, cuda.segment_seeds(12345, 1000))
    assert len(np.intersect1d(a, cuda.segment_seeds(12346, 1000))) < 5


# ----------------------------------------------------------------------------- pipeline
def _pipeline(n, pause_after=None, fail_at=None, slots=2):
    log, holder, submitted = [], {}, []

    def submit(slot, batch):
        assert slot not in holder, f"slot {slot} reused before batch {holder.get(slot)} collected"
        holder[slot] = batch
        submitted.append(batch)
        log.append(("submit", batch, slot))
        return batch

    def collect(slot, handle):
        assert holder.pop(slot) == handle
        log.append(("collect", handle, slot))
        return handle != fail_at

    def pause():
        return pause_after is not None and len(submitted) >= pause_after

    ok = cuda.run_pipeline(list(range(n)), submit, collect, pause, slots)
    return ok, log


def test_pipeline_uploads_the_next_batch_while_the_previous_trains():
    ok, log = _pipeline(4)
    assert ok
    assert log == [("submit", 0, 0), ("submit", 1, 1), ("collect", 0, 0), ("submit", 2, 0),
                   ("collect", 1, 1), ("submit", 3, 1), ("collect", 2, 0), ("collect", 3, 1)]
    ok, log = _pipeline(1)
    assert ok and log == [("submit", 0, 0), ("collect", 0, 0)]


def test_pipeline_pause_and_failure_drain_the_batches_in_flight():
    ok, log = _pipeline(6, pause_after=3)
    assert not ok
    assert [b for what, b, _ in log if what == "collect"] == [0, 1, 2]
    assert [b for what, b, _ in log if what == "submit"] == [0, 1, 2]
    ok, log = _pipeline(6, fail_at=1)  # batch 1 diverged: nothing new is submitted
    assert not ok
    assert [b for what, b, _ in log if what == "collect"] == [0, 1, 2]
    assert ok is False and max(b for what, b, _ in log if what == "submit") == 2


# ----------------------------------------------------------------------------- config
@pytest.mark.parametrize("kw, needle", [
    (dict(device="gpu"), "device must be 'cpu' or 'cuda'"),
    (dict(device="cuda", hs=1), "negative sampling only"),
    (dict(device="cuda", model="sg", shared_negatives=False), "shares noise words"),
])
def test_config_refuses_what_the_gpu_engine_cannot_do(kw, needle):
    with pytest.raises(ConfigError, match=needle):
        Word2VecConfig(**kw).validate()
    Word2VecConfig(device="cuda", model="cbow", shared_negatives=False).validate()  # same update


def test_shared_memory_grows_with_window_and_size():
    assert cuda.shared_bytes(100, 5, 5) < cuda.SHARED_LIMIT
    assert cuda.shared_bytes(300, 5, 5) < cuda.SHARED_LIMIT
    assert cuda.shared_bytes(300, 20, 5) > cuda.SHARED_LIMIT


@pytest.mark.skipif(cuda.cuda_available(), reason="a CUDA device (or the simulator) is present")
def test_cli_refuses_cuda_without_a_gpu_in_one_line(tmp_path):
    corpus = synthetic.write_corpus(tmp_path / "c.txt", n_words=500, seed=1)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    p = subprocess.run([sys.executable, "-m", "wordvec.cli", "train", str(corpus), "-o",
                        str(tmp_path / "v.txt"), "--device", "cuda"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordvec: error:"), p.stderr
    assert "NVIDIA GPU" in lines[0] and "Traceback" not in p.stderr
    assert not (tmp_path / "v.txt").exists()


# ----------------------------------------------------------------------------- simulator
def _sim(*args, timeout=300):
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH")])))
    p = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                       env=env, timeout=timeout, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    return p


@pytest.mark.slow
@pytest.mark.parametrize("model", ["sg", "cbow"])
def test_simulated_window_update_equals_the_cpu_kernel(model):
    out = _sim(CHECKS, "window_update", model).stdout
    assert out.startswith(f"{model}: max |gpu - cpu|"), out


@pytest.mark.slow
def test_simulated_training_on_synthetic_text_lowers_the_loss():
    assert "GPU losses" in _sim(CHECKS, "falling_loss", "sg").stdout


@pytest.mark.slow
def test_simulated_stop_checkpoint_resume_is_exact(tmp_path):
    assert "resumed losses" in _sim(CHECKS, "resume_identical", tmp_path).stdout


@pytest.mark.slow
def test_simulated_cli_train_writes_vectors_and_refuses_too_much_shared_memory(tmp_path):
    corpus = synthetic.write_corpus(tmp_path / "c.txt", n_words=300, seed=1)
    out = tmp_path / "v.txt"
    _sim("-m", "wordvec.cli", "train", corpus, "-o", out, "--device", "cuda", "--model",
         "cbow", "--size", "8", "--epochs", "1", "--min-count", "1", "--window", "2")
    head = out.read_text().splitlines()
    assert head[0].split()[1] == "8" and len(head) == int(head[0].split()[0]) + 1
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    p = subprocess.run([sys.executable, "-m", "wordvec.cli", "-q", "train", str(corpus), "-o",
                        str(tmp_path / "w.txt"), "--device", "cuda", "--size", "300",
                        "--window", "30", "--min-count", "1"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordvec: error:"), p.stderr
    assert "shared memory" in lines[0], p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.slow
def test_gpu_bench_smoke_runs_end_to_end_under_the_simulator(tmp_path):
    out = tmp_path / "rows.json"
    _sim(ROOT / "bench" / "gpu.py", "--smoke", "--json", out)
    import json

    rows = json.loads(out.read_text())["rows"]
    assert sorted((r["device"], r["epochs"]) for r in rows) == [
        ("cpu", 1), ("cpu", 2), ("cuda", 1), ("cuda", 2)]
    assert all(r["words_per_s"] > 0 and "analogy" in r for r in rows)
    assert all(len(r["loss"]) == r["epochs"] for r in rows)


def test_bench_refuses_to_run_without_a_device(capsys):
    if cuda.cuda_available():
        pytest.skip("a CUDA device (or the simulator) is present")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import gpu as bench_gpu
    finally:
        sys.path.pop(0)
    assert bench_gpu.main(["--smoke"]) == 2
    assert "no CUDA device" in capsys.readouterr().err
