"""Training on a Dask cluster: a LocalCluster of 2 worker processes, 1 thread each."""

import gzip
import os
import signal
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from test_word2vec import analogy_accuracy  # noqa: E402

from wordvec import cli  # noqa: E402
from wordvec.demo import DEMO_SETTINGS  # noqa: E402
from wordvec.errors import ConfigError, CorpusError, TrainingError  # noqa: E402
from wordvec.synthetic import generate_sentences, write_analogies, write_corpus  # noqa: E402,E501
from wordvec.text.encoded import encode_corpus  # noqa: E402
from wordvec.train.cluster import (  # noqa: E402
    SyncPlan,
    cluster_vocab,
)
from wordvec.train.config import Word2VecConfig  # noqa: E402
from wordvec.train.word2vec import Word2Vec  # noqa: E402
from wordvec.vectors.formats import load_vectors  # noqa: E402

SETTINGS = {**DEMO_SETTINGS, "workers": 1, "epochs": 5}  # d 50: the demo's compiled kernel


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    client = distributed.Client(cluster)
    yield client, cluster
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def planted_file(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("cluster") / "planted.txt", 300_000, seed=0)


def test_sync_plan_tiers():
    plan = SyncPlan(n_rows=10_000, hot=1000)
    assert plan.tiers()[:3] == [(0, 1000), (1000, 2000), (2000, 4000)]
    assert plan.ranges(1) == [(0, 1000)]
    assert plan.ranges(2) == [(0, 2000)]
    assert plan.ranges(4) == [(0, 4000)]
    assert plan.ranges(0) == [(0, 10_000)]


def test_vocabulary_equals_single_machine(dask_client, tmp_path):
    client, _ = dask_client
    sents = generate_sentences(40_000, seed=5)
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(" ".join(s) for s in sents[:300]) + "\n")
    # the one-line text8 form, then a compressed file that cannot be cut
    (folder / "b.txt").write_text(" ".join(w for s in sents[300:] for w in s))
    (folder / "c.txt.gz").write_bytes(gzip.compress(b"Hello, world: kings and queens!\n" * 40))
    single = encode_corpus(folder, min_count=3)
    config = Word2VecConfig(min_count=3)
    vocab, corpus, _, _ = cluster_vocab(client, [str(folder / "*.txt"), folder / "c.txt.gz"],
                                        config)
    assert vocab.words == single.vocab.words
    assert np.array_equal(vocab.counts, single.vocab.counts)
    assert corpus.n_tokens == single.n_tokens


def test_planted_analogies_and_replicas_agree(dask_client, planted_file):
    client, _ = dask_client
    # 128 hot rows of 796: the rarer rows go in tiers synchronised every 2, 4, 8 rounds;
    # rounds of 10,000 words per replica do not depend on timing (one machine: 0.949)
    reports = []
    m = Word2Vec(**SETTINGS).fit(str(planted_file), client=client, round_words=10_000,
                                 hot_rows=128, progress=reports.append)
    last = reports[-1]
    assert last.words_done == last.words_total == SETTINGS["epochs"] * m.corpus.n_tokens
    assert all(a.words_done <= b.words_done for a, b in zip(reports, reports[1:], strict=False))
    stats = m.cluster_stats
    assert stats.rows_moved > 0 and stats.rounds > 2 * SETTINGS["epochs"]
    replicas, _ = m.cluster_replicas
    first, second = (r.weights().result() for r in replicas)
    for name in ("syn0", "syn1neg"):
        assert np.array_equal(first[name], second[name])  # the final full sync
    assert np.array_equal(first["syn0"], m.syn0)
    assert analogy_accuracy(m.wv) >= 0.9
    assert m.losses[-1] < m.losses[0]


def test_fast_replicas_still_synchronise_often(dask_client, planted_file):
    """Rounds the clock would let run for a whole epoch end after 1/64 of it.

    Ended by the clock only, fast replicas on a small corpus synchronised a few
    times per epoch and the sum of their long independent changes left the
    vectors nearly parallel. Measured here, 3 epochs of one round each: planted
    analogies 0.39 and mean cosine between words 0.76, against 0.62 / 0.42 with
    the cap (195 rounds) and 0.64 / 0.43 on one machine."""
    client, _ = dask_client
    m = Word2Vec(**{**SETTINGS, "epochs": 3}).fit(str(planted_file), client=client,
                                                  round_seconds=600)
    assert m.cluster_stats.rounds >= 3 * 64
    unit = m.wv.vectors / np.linalg.norm(m.wv.vectors, axis=1, keepdims=True)
    n = len(unit)
    mean_cosine = ((unit @ unit.T).sum() - n) / (n * (n - 1))
    assert mean_cosine < 0.55
    assert analogy_accuracy(m.wv) >= 0.55
    with pytest.raises(ConfigError, match="min_rounds must be at least 1"):
        Word2Vec(**SETTINGS).fit(str(planted_file), client=client, min_rounds=0)


def test_ppmi_svd_counts_on_the_cluster_equal_one_machine(dask_client, tmp_path):
    from wordvec.train.cluster import svd_on_cluster
    from wordvec.train.ppmi_svd import PPMISVD

    client, _ = dask_client
    path = write_corpus(tmp_path / "lines.txt", 20_000, seed=4)  # one sentence per line
    opts = dict(vector_size=8, window=3, min_count=2, sample=0.0, weighting="harmonic",
                boundaries=True)
    here = PPMISVD(**opts).fit(str(path))
    there = svd_on_cluster(str(path), client, **opts)
    assert there.cooc_words == here.cooc_words
    assert there.cooc.shape == here.cooc.shape
    assert abs(there.cooc - here.cooc).max() < 1e-3  # float32 sums in another order
    assert there.wv.most_similar("king", topn=1)
    out = tmp_path / "svd.wv"
    rc = cli.main(["train", str(path), "-o", str(out), "--method", "svd", "--size", "8",
                   "--min-count", "2", "--scheduler", dask_client[1].scheduler_address, "-q"])
    assert rc == 0 and load_vectors(out).vector_size == 8


def test_unreadable_shard_is_refused_before_training(dask_client, tmp_path):
    client, _ = dask_client
    good = tmp_path / "good.txt"
    good.write_text("the king and the queen\n" * 200)
    bad = tmp_path / "bad.txt.gz"
    data = gzip.compress(os.urandom(64) .hex().encode() * 4000)
    bad.write_bytes(data[: len(data) // 2])  # its start reads, its end is cut off
    m = Word2Vec(**SETTINGS)
    with pytest.raises(CorpusError, match=r"worker tcp://.*cannot read its shard.*bad\.txt\.gz"):
        m.fit([str(good), str(bad)], client=client)
    assert m.epochs_done == 0 and not m.losses


def test_a_worker_without_text_is_refused_before_training(dask_client, tmp_path):
    """One compressed file cannot be split: the second replica would train nothing."""
    import gzip

    client, _ = dask_client
    path = tmp_path / "one.txt.gz"
    with gzip.open(path, "wt") as f:
        f.write("the cat sat on the mat\n" * 200)
    with pytest.raises(CorpusError, match="1 worker would get no text"):
        Word2Vec(**SETTINGS).fit(str(path), client=client)


def test_cli_dask_local(tmp_path, capsys):
    small = write_corpus(tmp_path / "small.txt", 30_000, seed=1)
    out = tmp_path / "vec.wv"
    questions = write_analogies(tmp_path / "questions.txt")
    rc = cli.main(["train", str(small), "-o", str(out), "--dask-local", "2",
                   "--size", "50", "--epochs", "2", "--min-count", "2", "-q",
                   "--eval-analogies", str(questions)])
    assert rc == 0, capsys.readouterr().err
    wv = load_vectors(out)
    assert wv.meta["cluster"]["replicas"] == 2 and len(wv.meta["losses"]) == 2
    assert len(wv.meta["epoch_accuracy"]) == 2  # the epoch callback ran on the client
    assert (tmp_path / "vec.wv.ckpt").exists()  # checkpoints after each epoch


def test_lost_worker_then_resume(dask_client, planted_file, tmp_path):
    """Last: it kills one of the module's workers (its nanny starts a new one)."""
    client, cluster = dask_client
    ckpt = tmp_path / "run.ckpt"
    pids = client.run(os.getpid)

    def kill_in_epoch_two(model, report):
        if report.epoch == 1:
            victim = sorted(pids)[1]
            os.kill(pids[victim], signal.SIGKILL)

    m = Word2Vec(**{**SETTINGS, "epochs": 3})
    with pytest.raises(TrainingError) as err:
        m.fit(str(planted_file), client=client, callbacks=[kill_in_epoch_two],
              checkpoint=str(ckpt))
    msg = str(err.value)
    assert "\n" not in msg
    assert f"cluster worker {sorted(pids)[1]} was lost" in msg
    assert f"{ckpt} (1 epoch done)" in msg
    assert not list(tmp_path.glob("*.wv"))  # no output, half-written or otherwise
    assert not (tmp_path / "run.ckpt.lock").exists()  # the API's lock went with the run
    # go on with another number of workers: one
    cluster.scale(1)
    deadline = time.monotonic() + 60
    while len(client.scheduler_info()["workers"]) != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    out = tmp_path / "vec.wv"
    rc = cli.main(["train", "--resume", str(ckpt), "-o", str(out),
                   "--scheduler", cluster.scheduler_address, "-q"])
    assert rc == 0
    wv = load_vectors(out)
    assert len(wv.meta["losses"]) == 3 and wv.meta["cluster"]["replicas"] == 1
    # the CLI went on checkpointing next to its output; that checkpoint is complete
    resumed = Word2Vec.resume(tmp_path / "vec.wv.ckpt", client=client)
    assert resumed.epochs_done == 3 and resumed.run_state is None
    assert np.array_equal(resumed.syn0, wv.vectors)
