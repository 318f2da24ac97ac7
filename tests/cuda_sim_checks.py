"""Checks of the GPU engine that run its kernels under Numba's CUDA simulator.

Numba reads NUMBA_ENABLE_CUDASIM when it is first imported, so tests/test_cuda.py
runs this file in a subprocess with the variable set (the CPU tests in the main
process keep the real numba.cuda). Usage: python cuda_sim_checks.py CHECK [ARGS].
Each check raises AssertionError on failure and prints one line on success.
"""

from __future__ import annotations

import os
import sys

import numpy as np


def window_update(model: str) -> None:
    """One sentence with the CPU kernel's own draws: the GPU update equals the CPU's."""
    from wordvec.text.vocab import Vocab
    from wordvec.train import cuda, kernels
    from wordvec.train.config import Word2VecConfig
    from wordvec.train.engine import NegativeSampling, initial_vectors

    assert cuda.simulator_enabled()
    V, D, K, window, n, seed, alpha = 12, 8, 4, 3, 9, 7, 0.1
    vocab = Vocab([f"w{i}" for i in range(V)], np.arange(3 * V, 0, -3))
    rng = np.random.default_rng(5)
    ids = rng.integers(0, V, n).astype(np.int32)
    syn0 = initial_vectors(V, D, 3) * 20  # larger than the C tool's start: visible updates
    out = ((rng.random((V, D), dtype=np.float32) - 0.5) * 0.5).astype(np.float32)
    keep = np.ones(V, np.float32)
    cfg = Word2VecConfig(model=model, vector_size=D, window=window, negative=K, sample=0,
                         min_count=1, cbow_mean=1, device="cuda")

    # the CPU kernel: constant learning rate, no subsampling (so no draws for it)
    cpu0, cpu = syn0.copy(), NegativeSampling(vocab, K, 0.75, out.copy())
    stats = np.zeros(3)
    kernels.chunk_kernel(D, K)(
        ids, np.array([0, n], np.int64), cpu0, keep, cpu.kernel_tables(), None,
        kernels.Rules(model == "sg", True, True, window), kernels.Rate(alpha, alpha, 0.0, 1.0),
        seed, stats)
    # its draws: K noise words one window ahead, then the shrink of each window
    N = (n + 1) * (K + 1)
    draws = kernels.alias_sample(cpu.alias_p, cpu.alias_i, seed, N)
    u = kernels.uniform_stream(seed, N)
    noise = np.array([draws[i * (K + 1): i * (K + 1) + K] for i in range(n)], np.int32)
    b = np.array([int(float(u[(i + 1) * (K + 1) - 1]) * window) for i in range(n)], np.int32)
    assert (noise == ids[:, None]).any(), "the case should include a noise word == centre"
    assert (b > 0).any(), "the case should include a shrunk window"

    gpu0, gpu = syn0.copy(), NegativeSampling(vocab, K, 0.75, out.copy())
    gst = cuda.train_segments(cfg, ids, np.array([0]), np.array([n]), gpu0, gpu, keep,
                              alpha=alpha, draws=(b, noise))
    moved = np.abs(cpu0 - syn0).max()
    assert moved > 1e-3, moved
    np.testing.assert_allclose(gpu0, cpu0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gpu.output, cpu.output, rtol=1e-5, atol=1e-6)
    assert gst[0, 1] == stats[1] and gst[0, 2] == n, (gst, stats)
    assert abs(gst[0, 0] - stats[0]) <= 1e-5 * abs(stats[0]), (gst[0, 0], stats[0])
    print(f"{model}: max |gpu - cpu| = {np.abs(gpu0 - cpu0).max():.2e} (update {moved:.3f}), "
          f"loss {gst[0, 0]:.6f} vs {stats[0]:.6f}")


def falling_loss(model: str) -> None:
    """A few thousand synthetic words train to a falling loss, close to the CPU engine's."""
    from wordvec import Word2Vec
    from wordvec.synthetic import generate_sentences

    sents = generate_sentences(800, seed=1)
    kw = dict(model=model, vector_size=8, window=2, negative=3, min_count=1, epochs=3, alpha=0.1,
              sample=0, seed=1, chunk_words=400, workers=1)
    start = Word2Vec(device="cuda", **kw)
    start.build_vocab(sents)
    gpu = Word2Vec(device="cuda", **kw).fit(sents)
    assert np.abs(gpu.syn0 - start.syn0).max() > 0.05, "the trained vectors came back"
    cpu = Word2Vec(**kw).fit(sents)
    g, c = gpu.losses, cpu.losses
    assert len(g) == 3 and all(np.isfinite(g)), g
    assert g[0] > g[1] > g[2], g
    assert abs(g[-1] - c[-1]) < 0.1 * c[-1], (g, c)
    assert len(gpu.chunk_losses[0]) == len(cpu.chunk_losses[0])
    print(f"{model}: GPU losses {[round(x, 4) for x in g]}, CPU {[round(x, 4) for x in c]}")


def resume_identical(workdir: str) -> None:
    """Stopped inside an epoch, checkpointed and resumed: the same vectors and losses.

    The simulator runs the blocks one after the other, so a GPU run is
    deterministic there and the comparison can be exact.
    """
    from pathlib import Path

    from wordvec import Word2Vec
    from wordvec.synthetic import write_corpus

    corpus = write_corpus(Path(workdir) / "c.txt", n_words=400, seed=2)
    kw = dict(model="cbow", vector_size=8, window=2, negative=3, min_count=1, epochs=2,
              seed=3, chunk_words=60, device="cuda")
    whole = Word2Vec(**kw).fit(str(corpus))
    part = Word2Vec(**kw)
    part.build_vocab(str(corpus))
    calls = []

    def progress(p) -> None:  # noqa: ANN001
        calls.append(p.words_done)
        if len(calls) == 2:
            part.request_stop()

    ckpt = Path(workdir) / "run.ckpt"
    part.train(progress=progress, progress_every=0, checkpoint=ckpt)
    pos = part.position
    assert part.interrupted and pos["epoch"] == 1 and 0 < pos["chunk"] < pos["chunks"], pos
    assert calls == sorted(calls) and len(set(calls)) == len(calls), calls
    resumed = Word2Vec.resume(ckpt).train()
    assert resumed.losses == whole.losses, (pos, resumed.losses, whole.losses)
    assert np.array_equal(resumed.syn0, whole.syn0)
    assert np.array_equal(resumed.syn1neg, whole.syn1neg)
    print(f"stopped at chunk {pos['chunk']} of {pos['chunks']}; resumed losses {resumed.losses}")


if __name__ == "__main__":
    if os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
        sys.exit("run with NUMBA_ENABLE_CUDASIM=1")
    globals()[sys.argv[1]](*sys.argv[2:])
