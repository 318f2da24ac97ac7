"""Loss curves and word maps: real image files, readable labels, clear errors."""

import subprocess
import sys

import numpy as np
import pytest

from wordvec import plot
from wordvec.errors import ConfigError, VocabError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    data = path.read_bytes()
    return data.startswith(PNG_MAGIC) and data.rstrip().endswith(b"IEND\xaeB`\x82")


def _is_svg(path):
    text = path.read_text(encoding="utf-8")
    return text.startswith("<?xml") and "<svg" in text and text.rstrip().endswith("</svg>")


def _fake_training(epochs=8, chunks=12, seed=0):
    rng = np.random.default_rng(seed)
    means = 2.0 + 3.0 * np.exp(-np.arange(1, epochs + 1) / 2.0)
    per_chunk = [m + rng.normal(0, 0.1, chunks) for m in means]
    accuracy = [None] + list(np.linspace(0.1, 0.8, epochs - 1))
    return means, per_chunk, accuracy


# ---------------------------------------------------------------- loss curve


def test_loss_plot_is_a_png_with_everything_drawn(tmp_path):
    losses, chunks, accuracy = _fake_training()
    bare = plot.plot_loss(losses, tmp_path / "bare.png")
    full = plot.plot_loss(losses, tmp_path / "full.png", title="skip-gram", chunk_losses=chunks,
                          accuracy=accuracy)
    for path in (bare, full):
        assert path.exists() and _is_png(path)
        assert path.stat().st_size > 10_000
    # the extra series and the second axis make a visibly different picture
    assert full.read_bytes() != bare.read_bytes()


def test_loss_plot_as_svg_keeps_text(tmp_path):
    losses, chunks, _ = _fake_training()
    path = plot.plot_loss(losses, tmp_path / "loss.svg", title="my run",
                          chunk_losses=np.ravel(chunks))
    assert _is_svg(path) and path.stat().st_size > 5_000
    text = path.read_text(encoding="utf-8")
    assert "my run" in text and "epoch" in text


def test_loss_plot_defaults_to_png_and_creates_folders(tmp_path):
    path = plot.plot_loss([3.0, 2.0], tmp_path / "runs" / "a" / "loss")
    assert path == tmp_path / "runs" / "a" / "loss.png"
    assert _is_png(path)


def test_loss_plot_of_one_epoch_and_a_diverged_epoch(tmp_path):
    assert _is_png(plot.plot_loss([4.2], tmp_path / "one.png", accuracy=[0.3]))
    assert _is_png(plot.plot_loss([4.2, 3.0, float("nan")], tmp_path / "nan.png"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"losses": []}, "empty"),
        ({"losses": [float("nan")] * 3}, "diverge"),
        ({"losses": [1.0, "x"]}, r"losses\[1\]"),
        ({"losses": [2.0, 1.0], "accuracy": [0.5]}, "one accuracy per epoch"),
        ({"losses": [2.0, 1.0], "chunk_losses": [[1.0], [1.0], [1.0]]}, "per-epoch"),
    ],
)
def test_loss_plot_rejects_bad_input(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        plot.plot_loss(path=tmp_path / "x.png", **kwargs)
    assert not (tmp_path / "x.png").exists()


def test_unsupported_image_format_is_refused_before_drawing(tmp_path):
    with pytest.raises(ConfigError, match=r"'\.jpg'.*\.png"):
        plot.plot_loss([1.0, 0.5], tmp_path / "loss.jpg")
    with pytest.raises(ConfigError, match=r"'\.txt'"):
        plot.plot_words(["a", "b"], np.eye(2), tmp_path / "map.txt")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ word maps


def _clustered_vectors(n_clusters=4, per_cluster=15, dim=20, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_clusters, dim)) * 3
    noise = rng.normal(size=(n_clusters * per_cluster, dim))
    vectors = np.repeat(centres, per_cluster, axis=0) + noise
    words = [f"w{c}x{i}" for c in range(n_clusters) for i in range(per_cluster)]
    return words, vectors.astype(np.float32)


def test_word_map_png_and_svg_show_every_label(tmp_path):
    words, vectors = _clustered_vectors()
    png = plot.plot_words(words, vectors, tmp_path / "map.png", title="clusters",
                          highlight=words[:3])
    assert _is_png(png) and png.stat().st_size > 20_000
    svg = plot.plot_words(words, vectors, tmp_path / "map.svg")
    assert _is_svg(svg)
    text = svg.read_text(encoding="utf-8")
    assert all(f">{w}<" in text for w in words)


def test_word_map_of_the_synthetic_corpus(tmp_path):
    # the real use: query words plus neighbours from vectors learned on the built-in corpus
    from wordvec import synthetic

    words, vectors = _svd_of_synthetic(n_words=60_000)
    chosen, chosen_vectors = plot.select_words(words, vectors, words=synthetic.demo_words(),
                                               neighbours=6)
    path = plot.plot_words(chosen, chosen_vectors, tmp_path / "demo.png",
                           highlight=synthetic.demo_words())
    assert _is_png(path) and path.stat().st_size > 30_000


@pytest.mark.parametrize("method", ["umap", "", None, "PCA "])
def test_bad_projection_method_is_a_config_error(tmp_path, method):
    with pytest.raises(ConfigError, match="method"):
        plot.plot_words(["a", "b", "c"], np.eye(3), tmp_path / "m.png", method=method)


def test_tsne_without_scikit_learn_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import of sklearn now fails
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)
    words, vectors = _clustered_vectors()
    with pytest.raises(ConfigError, match="pip install scikit-learn"):
        plot.plot_words(words, vectors, tmp_path / "m.png", method="tsne")
    assert not (tmp_path / "m.png").exists()


def test_tsne_map_when_scikit_learn_is_installed(tmp_path):
    pytest.importorskip("sklearn")
    words, vectors = _clustered_vectors(per_cluster=10)
    path = plot.plot_words(words, vectors, tmp_path / "t.png", method="tsne")
    assert _is_png(path)


@pytest.mark.parametrize(
    ("words", "vectors", "message"),
    [
        (["a", "b", "c"], np.eye(2), "3 words"),
        (["a"], np.ones((1, 3)), "at least 2"),
        (["a", "b"], np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN"),
        (["a", "b"], np.ones(2), "2-D"),
    ],
)
def test_word_map_rejects_bad_input(tmp_path, words, vectors, message):
    with pytest.raises(ConfigError, match=message):
        plot.plot_words(words, vectors, tmp_path / "m.png")


def test_pca_keeps_the_shape_of_planar_data():
    # points on a 2-D plane hidden in 30-D: PCA must give back the same picture
    rng = np.random.default_rng(1)
    flat = rng.normal(size=(40, 2)) * [5.0, 1.0]
    basis, _ = np.linalg.qr(rng.normal(size=(30, 2)))
    coords = plot.project_2d(flat @ basis.T + 7.0, method="pca")

    def distances(x):
        return np.linalg.norm(x[:, None] - x[None], axis=-1)

    np.testing.assert_allclose(distances(coords), distances(flat), atol=1e-3)
    assert np.var(coords[:, 0]) > np.var(coords[:, 1])  # first axis carries most variance


def test_labels_do_not_overlap_in_a_crowded_map():
    # 60 labels around 3 tight clumps in a roomy axes: every label finds a free spot
    rng = np.random.default_rng(2)
    anchors = np.repeat([[200.0, 200.0], [500.0, 300.0], [350.0, 500.0]], 20, axis=0)
    anchors += rng.normal(0, 6, anchors.shape)
    half = np.column_stack([rng.uniform(12, 40, 60), np.full(60, 6.0)])
    bounds = np.array([[0.0, 0.0], [800.0, 700.0]])
    pos, far = plot._place_boxes(anchors, half, bounds, pad=3.0)
    gap = np.abs(pos[:, None] - pos[None])
    overlapping = np.all(gap < half[:, None] + half[None], axis=-1)
    np.fill_diagonal(overlapping, False)
    assert not overlapping.any()
    assert np.all(pos - half >= bounds[0]) and np.all(pos + half <= bounds[1])
    # labels stay near their points (a few label heights at most)
    assert np.all(np.linalg.norm(pos - anchors, axis=1) < 150)
    assert far.any() and not far.all()


def test_plotting_never_loads_pyplot():
    # the caller's pyplot backend (say, a notebook's) must stay untouched
    code = (
        "import sys, tempfile, os, numpy as np\n"
        "from wordvec import plot\n"
        "d = tempfile.mkdtemp()\n"
        "plot.plot_loss([2.0, 1.0], os.path.join(d, 'l.png'))\n"
        "plot.plot_words(['a', 'b', 'c'], np.eye(3), os.path.join(d, 'w.png'))\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------- select_words


def test_select_words_defaults_to_the_most_frequent():
    words = [f"w{i}" for i in range(500)]
    vectors = np.random.default_rng(0).normal(size=(500, 8))
    chosen, chosen_vectors = plot.select_words(words, vectors)
    assert chosen == words[:200]
    np.testing.assert_array_equal(chosen_vectors, vectors[:200].astype(np.float32))
    assert chosen_vectors.dtype == np.float32 and chosen_vectors.flags.c_contiguous
    assert plot.select_words(words[:50], vectors[:50], topn=80)[0] == words[:50]


def test_select_words_adds_cosine_neighbours():
    # "far" points the same way as "king" but is long: cosine, not distance, decides
    words = ["king", "queen", "far", "apple", "pear", "zero"]
    vectors = np.array(
        [[1.0, 0.1, 0], [0.9, 0.3, 0], [10.0, 0.5, 0], [0, 0, 1.0], [0, 0.2, 1.0], [0, 0, 0]]
    )
    chosen, chosen_vectors = plot.select_words(words, vectors, words=["king", "apple"],
                                               neighbours=2)
    # apple's second neighbour is a tie at cosine 0; the first such word, king, is already there
    assert chosen == ["king", "far", "queen", "apple", "pear"]
    np.testing.assert_array_equal(chosen_vectors[3], vectors[3].astype(np.float32))
    # overlapping neighbourhoods are listed once
    chosen, _ = plot.select_words(words, vectors, words=["king", "queen"], neighbours=2)
    assert len(chosen) == len(set(chosen)) == 3
    assert plot.select_words(words, vectors, words=["pear"], neighbours=0)[0] == ["pear"]


def test_select_words_names_unknown_words():
    with pytest.raises(VocabError, match="'kign'"):
        plot.select_words(["king", "queen"], np.eye(2), words=["king", "kign"])


@pytest.mark.parametrize("kwargs", [{"topn": 0}, {"neighbours": -1}, {"topn": 2.5}])
def test_select_words_rejects_bad_sizes(kwargs):
    with pytest.raises(ConfigError):
        plot.select_words(["a", "b"], np.eye(2), **kwargs)


def _svd_of_synthetic(n_words):
    """Word vectors without the word2vec engine: SVD of PPMI window counts."""
    from collections import Counter

    from wordvec import synthetic

    sentences = synthetic.generate_sentences(n_words, seed=0)
    counts = Counter(w for s in sentences for w in s)
    words = [w for w, _ in counts.most_common()]
    index = {w: i for i, w in enumerate(words)}
    ids = np.array([index[w] for s in sentences for w in s])
    sentence_of = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    v = len(words)
    m = np.zeros(v * v)
    for k in range(1, 6):
        same = sentence_of[:-k] == sentence_of[k:]
        m += np.bincount(ids[:-k][same] * v + ids[k:][same], minlength=v * v)
    m = m.reshape(v, v)
    m += m.T
    pmi = np.log(np.maximum(m, 1e-12) * m.sum() / np.outer(m.sum(1), m.sum(0)))
    u, s, _ = np.linalg.svd(np.maximum(pmi, 0), full_matrices=False)
    return words, (u[:, :50] * np.sqrt(s[:50])).astype(np.float32)


# ---------------------------------------------------------------- what is drawn


def test_accuracy_axis_is_scaled_to_the_data():
    # small accuracies used to lie flat at the bottom of a 0-100% axis
    fig = plot.draw_loss([3.0, 2.5, 2.2, 2.1], accuracy=[None, 0.01, 0.02, 0.03])
    loss_ax, acc_ax = fig.axes
    low, high = acc_ax.get_ylim()
    assert low == 0 and 0.03 < high <= 0.05  # the best value near the top, with headroom
    (line,) = acc_ax.get_lines()
    assert list(line.get_ydata()) == [0.01, 0.02, 0.03]  # epochs not evaluated are left out
    assert list(loss_ax.get_lines()[0].get_ydata()) == [3.0, 2.5, 2.2, 2.1]
    # a perfect score is not cut off, percents are recognised, all zeros still get an axis
    assert plot.draw_loss([2.0, 1.0], accuracy=[0.5, 1.0]).axes[1].get_ylim()[1] > 1.0
    assert 99 < plot.draw_loss([2.0, 1.0], accuracy=[40, 99]).axes[1].get_ylim()[1] <= 102
    assert plot.draw_loss([2.0, 1.0], accuracy=[0.0, 0.0]).axes[1].get_ylim()[1] > 0


def test_labels_use_an_installed_font_that_has_their_characters():
    from matplotlib import font_manager

    default = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    have = set(default.get_charmap())
    # a character the default font lacks but some other installed font has
    for entry in font_manager.fontManager.ttflist:
        if entry.name.startswith("Last Resort"):
            continue
        extra = [c for c in font_manager.get_font(entry.fname).get_charmap()
                 if c > 0x2000 and c not in have and chr(c).isprintable()]
        if extra:
            char = chr(extra[0])
            break
    else:
        pytest.skip("no installed font has a character the default font lacks")
    fig = plot.draw_words([f"x{char}", "plain"], np.eye(2, dtype=np.float32))
    families = fig.axes[0].texts[0].get_fontfamily()
    assert families[0] == default.family_name and len(families) >= 2
    assert any(ord(char) in font_manager.get_font(font_manager.findfont(
        font_manager.FontProperties(family=[f]))).get_charmap() for f in families[1:])


def test_characters_no_font_has_are_reported_once(caplog):
    families, lost = plot.label_fonts(["\U0010fff0"])  # private use: no real font has it
    assert "\U0010fff0" in lost
    caplog.clear()
    with caplog.at_level("WARNING", logger="wordvec"):
        plot.draw_words(["\U0010fff1a", "\U0010fff1b"], np.eye(2, dtype=np.float32))
        plot.draw_words(["\U0010fff1a", "b"], np.eye(2, dtype=np.float32))
    lines = [r.getMessage() for r in caplog.records if "drawn as boxes" in r.getMessage()]
    assert len(lines) == 1 and "\U0010fff1" in lines[0]


def test_loss_figure_draws_the_losses_in_epoch_order():
    # what is drawn, not only that an image exists: epoch means at 1..n in order,
    # chunk losses spread inside their epoch, accuracy on the second axis
    fig = plot.draw_loss([3.0, 2.5, 2.2, 2.1],
                         chunk_losses=[[3.2, 2.8], [2.6, 2.4], [2.3, 2.1], [2.15, 2.05]],
                         accuracy=[None, 0.01, 0.02, 0.03])
    loss_ax, acc_ax = fig.axes
    (line,) = [x for x in loss_ax.lines if x.get_label() == "epoch mean"]
    np.testing.assert_array_equal(line.get_xydata(), [[1, 3.0], [2, 2.5], [3, 2.2], [4, 2.1]])
    (chunks,) = [c for c in loss_ax.collections if c.get_label() == "per chunk"]
    np.testing.assert_allclose(chunks.get_offsets(),
                               [[0.5, 3.2], [1.0, 2.8], [1.5, 2.6], [2.0, 2.4], [2.5, 2.3],
                                [3.0, 2.1], [3.5, 2.15], [4.0, 2.05]])
    (acc,) = acc_ax.lines
    np.testing.assert_allclose(acc.get_xydata(), [[2, 0.01], [3, 0.02], [4, 0.03]])
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "training loss"


def test_word_map_draws_the_projection_and_labels_each_point():
    # four far-apart words: each label sits beside its own point, nearer to it than
    # to any other, and the points are the PCA projection of the unit vectors
    words = ["north", "south", "east", "west"]
    vectors = np.array([[0, 3, 0.1], [0, -2, 0.2], [4, 0, -0.1], [-5, 0, 0]], np.float32)
    fig = plot.draw_words(words, vectors)
    ax = fig.axes[0]
    (points,) = ax.collections
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    expected = plot.project_2d(unit, method="pca")
    np.testing.assert_allclose(points.get_offsets(), expected, atol=1e-6)
    labels = {t.get_text(): np.array(t.get_position()) for t in ax.texts}
    assert set(labels) == set(words)
    to_px = ax.transData.transform
    anchors = to_px(expected)
    for i, w in enumerate(words):
        d = np.linalg.norm(anchors - to_px(labels[w]), axis=1)
        assert d.argmin() == i and d[i] < 60, (w, d)
