"""The engine as a public unit: a driver of our own trains through it, and the estimator does too.

Only names the modules export are used here (no ``_private`` ones): what these
tests do, a cluster replica or a GPU driver can do.
"""

import numpy as np
import pytest

from wordvec.errors import TrainingError
from wordvec.synthetic import analogy_questions, generate_sentences
from wordvec.text.encoded import EncodedCorpus
from wordvec.train.config import Word2VecConfig
from wordvec.train.engine import (
    ChunkPlan,
    Engine,
    EpochState,
    HierarchicalSoftmax,
    NegativeSampling,
    RunState,
    Schedule,
    initial_vectors,
    make_chunks,
    objective_classes,
    objectives_for,
)
from wordvec.train.word2vec import Word2Vec

CFG = dict(model="sg", vector_size=32, negative=5, min_count=2, workers=1, seed=7,
           chunk_words=5_000)


@pytest.fixture(scope="module")
def planted():
    return EncodedCorpus.from_sentences(generate_sentences(300_000, seed=0), min_count=2)


def accuracy(words, vectors):
    index = {w: i for i, w in enumerate(words)}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    hits = total = 0
    for qs in analogy_questions().values():
        for a, b, c, d in qs:
            q = unit[index[b]] - unit[index[a]] + unit[index[c]]
            scores = unit @ q
            scores[[index[a], index[b], index[c]]] = -np.inf
            hits += words[int(np.argmax(scores))] == d
            total += 1
    return hits / total


def test_two_replicas_on_two_halves_averaged_learn_the_planted_analogies(planted):
    """A custom driver: model averaging of two replicas, each on its half of the corpus.

    Averaging two replicas that trained on different text halves each one's
    update, so the driver doubles the learning rate (0.05 instead of 0.025):
    4 epochs then reach ~0.89 of the planted analogies (one model at 0.025: ~0.84;
    averaging at 0.025: ~0.47).
    """
    config = Word2VecConfig(**CFG, alpha=0.05)
    vocab = planted.vocab
    plan = ChunkPlan.for_corpus(planted, config.chunk_words)
    halves = [plan.shard(range(0, len(plan), 2)), plan.shard(range(1, len(plan), 2))]
    assert sum(h.n_words for h in halves) == planted.n_tokens
    epochs = 4
    syn0 = initial_vectors(len(vocab), config.vector_size, config.seed)
    outputs = {o.output_name: o.output for o in objectives_for(config, vocab)}
    for epoch in range(epochs):
        replicas = []
        for half in halves:
            w = syn0.copy()
            objs = objectives_for(config, vocab, {k: v.copy() for k, v in outputs.items()})
            engine = Engine(config, planted, w, objs, plan=half, epochs=epochs)
            state = engine.new_state()
            assert engine.run_epoch(epoch, state) is True
            assert state.finished and state.words == half.n_words
            report = state.report()
            assert report.examples > 0 and np.isfinite(report.loss)
            replicas.append((w, {o.output_name: o.output for o in objs}))
        # the replicas really trained apart before averaging
        assert not np.array_equal(replicas[0][0], replicas[1][0])
        syn0 = (replicas[0][0] + replicas[1][0]) / 2
        outputs = {k: (replicas[0][1][k] + replicas[1][1][k]) / 2 for k in outputs}
    assert accuracy(vocab.words, syn0) >= 0.8
    # a control: the same driver with the replicas never trained is at chance
    untrained = initial_vectors(len(vocab), config.vector_size, config.seed)
    assert accuracy(vocab.words, untrained) < 0.05


def test_the_estimator_trains_through_the_engine_bit_identically(planted):
    """One engine epoch driven by hand equals Word2Vec's own epoch (workers=1, same seed)."""
    config = Word2VecConfig(**CFG, epochs=1)
    model = Word2Vec(config).fit(planted)
    syn0 = initial_vectors(len(planted.vocab), config.vector_size, config.seed)
    objs = objectives_for(config, planted.vocab)
    engine = Engine(config, planted, syn0, objs, epochs=1)
    st = engine.new_state()
    engine.run_epoch(0, st)
    np.testing.assert_array_equal(syn0, model.syn0)
    np.testing.assert_array_equal(objs[0].output, model.syn1neg)
    assert st.mean_loss == model.losses[0]


def test_model_engine_shares_the_model_weights(planted):
    m = Word2Vec(**CFG, epochs=1).build_vocab(planted)
    before = m.syn0.copy()
    eng = m.engine(epochs=1)
    assert eng.syn0 is m.syn0
    st = eng.new_state()
    eng.run_epoch(0, st, pause=lambda: st.next_chunk >= 2)  # a slice: two chunks
    assert st.next_chunk == 2 and not st.finished
    assert not np.array_equal(before, m.syn0)


def test_pause_stops_between_chunks_and_a_rebuilt_state_goes_on(planted):
    config = Word2VecConfig(**CFG, epochs=1)
    whole = Word2Vec(config).fit(planted)
    syn0 = initial_vectors(len(planted.vocab), config.vector_size, config.seed)
    objs = objectives_for(config, planted.vocab)
    engine = Engine(config, planted, syn0, objs, epochs=1)
    st = engine.new_state()
    assert engine.run_epoch(0, st, pause=lambda: st.next_chunk >= 5) is False
    assert st.next_chunk == 5
    # what a checkpoint keeps, rebuilt in a fresh state object
    again = EpochState.from_position(st.to_position(), st.chunk_loss, st.chunk_examples)
    assert engine.run_epoch(0, again) is True
    np.testing.assert_array_equal(syn0, whole.syn0)
    assert again.mean_loss == pytest.approx(whole.losses[0], rel=1e-12)


def test_chunk_plan_shards_keep_their_keys_and_cover_the_corpus(planted):
    plan = ChunkPlan.for_corpus(planted, 5_000)
    chunks = make_chunks(planted.offsets, 5_000)
    assert len(plan) == len(chunks) and plan.n_words == planted.n_tokens
    assert sorted(a for a, _, _ in plan.chunks) == [a for a, _, _ in chunks]
    assert plan.chunks[1][0] > plan.chunks[0][1]  # interleaved: the 2nd chunk is far away
    shard = plan.shard([3, 1])
    assert list(shard.keys) == [3, 1]
    assert shard.seq_start[0] == 0 and shard.seq_start[1] == plan.chunks[3][1] - plan.chunks[3][0]
    assert shard.max_chunk <= plan.max_chunk


def test_schedule_falls_linearly_and_stops_at_the_floor():
    s = Schedule(0.025, 0.0001, 1000.0)
    assert s.alpha_at(0) == 0.025
    assert s.alpha_at(500) == pytest.approx((0.025 + 0.0001) / 2)
    assert s.alpha_at(1000) == pytest.approx(0.0001)
    assert s.alpha_at(5000) == pytest.approx(0.0001)


def test_objectives_are_chosen_in_one_place_and_own_their_output(planted):
    v, d = len(planted.vocab), 16
    both = Word2VecConfig(vector_size=d, hs=1, negative=3)
    assert objective_classes(both) == [NegativeSampling, HierarchicalSoftmax]
    assert objective_classes(Word2VecConfig(hs=1, negative=0)) == [HierarchicalSoftmax]
    ns, hs = objectives_for(both, planted.vocab)
    assert ns.output.shape == (v, d) and hs.output.shape == (v - 1, d)
    assert ns.negative == 3 and ns.alias_p.shape == (v,)
    assert hs.lengths.max() > 0
    given = np.ones((v, d), np.float32)
    assert objectives_for(both, planted.vocab, {"syn1neg": given})[0].output is given


def test_engine_refuses_outputs_of_the_wrong_shape(planted):
    config = Word2VecConfig(vector_size=16, min_count=2)
    syn0 = initial_vectors(len(planted.vocab), 16, 0)
    wrong = NegativeSampling(planted.vocab, 5, 0.75, np.zeros((3, 16), np.float32))
    with pytest.raises(TrainingError, match="syn1neg"):
        Engine(config, planted, syn0, [wrong])
    with pytest.raises(TrainingError, match="objective"):
        Engine(config, planted, syn0, [])


def test_run_state_spans_epochs():
    r = RunState(first_epoch=3, epochs=2)
    assert r.last_epoch == 5 and r.state is None


# --- the recipe "add an objective" in docs/architecture.md --------------------------------
class UniformNoise(NegativeSampling):
    """Negative sampling with noise words drawn uniformly instead of by frequency^0.75."""

    def __init__(self, vocab, negative, exponent, output):
        super().__init__(vocab, negative, 0.0, output)  # exponent 0: every word equally likely


def test_recipe_add_an_objective_uniform_noise(planted):
    config = Word2VecConfig(**CFG, epochs=1)
    vocab = planted.vocab
    objective = UniformNoise.from_config(config, vocab)
    # its own table: draws are uniform over the vocabulary
    from wordvec.train.kernels import alias_sample

    draws = alias_sample(objective.alias_p, objective.alias_i, 5, 200_000)
    share_of_top = np.mean(draws < len(vocab) // 10)
    assert 0.08 < share_of_top < 0.12  # frequency^0.75 would give the top tenth far more
    syn0 = initial_vectors(len(vocab), config.vector_size, config.seed)
    engine = Engine(config, planted, syn0, [objective], epochs=1)
    st = engine.new_state()
    engine.run_epoch(0, st)
    assert st.report().examples > 0 and np.isfinite(st.mean_loss)
    plain = Word2Vec(config).fit(planted)
    assert not np.array_equal(syn0, plain.syn0)  # it trained differently from the default


def test_big_matrices_are_drawn_in_blocks_on_threads_the_same_for_any_core_count(monkeypatch):
    from wordvec.train import config as config_module
    from wordvec.train import engine as engine_module

    monkeypatch.setattr(engine_module, "PARALLEL_INIT_FLOATS", 1000)
    monkeypatch.setattr(engine_module, "_INIT_BLOCK_FLOATS", 640)  # 10 rows of 64 a block
    draws = {}
    for cores in (1, 3):
        monkeypatch.setattr(config_module, "default_workers", lambda c=cores: c)
        draws[cores] = initial_vectors(95, 64, [7, 0, 95], half_width=1.0)
    np.testing.assert_array_equal(draws[1], draws[3])
    m = draws[1]
    assert m.dtype == np.float32 and m.shape == (95, 64)
    assert m.min() >= -1 / 64 and m.max() < 1 / 64 and abs(m.mean()) < 1e-3
    assert np.abs(m).max() > 0.9 / 64  # the whole range, not half of it
    assert not np.allclose(m[:10], m[10:20])  # each block its own stream
    second = np.random.SeedSequence([7, 0, 95]).spawn(10)[1]  # block 2: rows 10-19
    want = (np.random.default_rng(second).random((10, 64), dtype=np.float32) - 0.5) * (2 / 64)
    np.testing.assert_allclose(m[10:20], want, atol=1e-7)
    other = initial_vectors(95, 64, [8, 0, 95], half_width=1.0)
    assert not np.allclose(m, other)
