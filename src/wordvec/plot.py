"""Pictures of training and of the learned space: loss curves and 2-D word maps.

Everything here draws on a :class:`matplotlib.figure.Figure` with the Agg
(file-only) canvas and never touches ``matplotlib.pyplot``: no window ever
opens, nothing waits for a display, and the caller's own pyplot backend (a
notebook's inline backend, say) is left exactly as it was.

The output format follows the file name: ``.png`` (the default when the name
has no extension), ``.svg`` or ``.pdf``.

>>> import numpy as np, tempfile, os
>>> out = tempfile.mkdtemp()
>>> plot_loss([3.1, 2.4, 2.2], os.path.join(out, "loss.png")).name
'loss.png'
>>> words, vecs = select_words(["a", "b", "c"], np.eye(3, dtype=np.float32), topn=3)
>>> plot_words(words, vecs, os.path.join(out, "map.svg")).suffix
'.svg'
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from wordvec.errors import ConfigError, VocabError
from wordvec.outputs import atomic_write
from wordvec.vectors.keyed import unit_rows

__all__ = ["draw_loss", "draw_words", "label_fonts", "plot_loss", "plot_words", "project_2d",
           "select_words"]

logger = logging.getLogger("wordvec")

FORMATS = (".png", ".svg", ".pdf")
METHODS = ("pca", "tsne")

_LOSS_COLOUR = "#1f5fa8"
_CHUNK_COLOUR = "#7fa7d6"
_ACC_COLOUR = "#c8553d"
_POINT_COLOUR = "#4a6fa5"
_HIGHLIGHT_COLOUR = "#c8553d"


# ---------------------------------------------------------------------------
# Loss curve
# ---------------------------------------------------------------------------


def plot_loss(
    losses: Sequence[float],
    path: str | Path,
    title: str | None = None,
    chunk_losses: Sequence[float] | Sequence[Sequence[float]] | None = None,
    accuracy: Sequence[float | None] | None = None,
) -> Path:
    """Plot the mean training loss of each epoch and save it to ``path``.

    Parameters
    ----------
    losses:
        Mean loss of epoch 1, 2, ... (one value per epoch). NaN or infinite
        values (a diverged epoch) leave a gap.
    path:
        Output file; ``.png`` (default), ``.svg`` or ``.pdf``.
    title:
        Figure title; defaults to ``"Training loss"``.
    chunk_losses:
        Optional finer-grained losses drawn as small points: either one flat
        sequence spread evenly over all epochs, or one sequence per epoch.
    accuracy:
        Optional analogy accuracy after each epoch (fractions 0-1, or percents
        0-100), drawn on a second y-axis; ``None``/NaN for epochs not evaluated.

    Returns the path written (with ``.png`` appended when it had no extension).
    """
    path = _output_path(path)
    return _save(draw_loss(losses, title, chunk_losses, accuracy), path)


def draw_loss(
    losses: Sequence[float],
    title: str | None = None,
    chunk_losses: Sequence[float] | Sequence[Sequence[float]] | None = None,
    accuracy: Sequence[float | None] | None = None,
) -> Figure:
    """The figure :func:`plot_loss` saves, to show or change before saving.

    Axis 0 holds the loss; axis 1, when ``accuracy`` is given, the accuracy,
    scaled to the values drawn (with headroom above the best), not fixed at 100%.
    """
    with _fonts_for([title or ""]):
        return _draw_loss(losses, title, chunk_losses, accuracy)


def _draw_loss(
    losses: Sequence[float],
    title: str | None,
    chunk_losses: Sequence[float] | Sequence[Sequence[float]] | None,
    accuracy: Sequence[float | None] | None,
) -> Figure:
    y = _as_series(losses, "losses")
    if not np.isfinite(y).any():
        raise ConfigError("losses holds no finite value: nothing to plot (did training diverge?)")
    epochs = np.arange(1, len(y) + 1)

    fig = _new_figure((7.0, 4.2))
    ax = fig.add_subplot()
    handles = []
    if chunk_losses is not None:
        cx, cy = _chunk_points(chunk_losses, len(y))
        handles.append(
            ax.scatter(cx, cy, s=6, color=_CHUNK_COLOUR, alpha=0.55, linewidths=0,
                       label="per chunk", zorder=2)
        )
    (line,) = ax.plot(epochs, y, marker="o", markersize=4, linewidth=1.8, color=_LOSS_COLOUR,
                      label="epoch mean", zorder=3)
    handles.insert(0, line)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0 if chunk_losses is not None else 0.75, len(y) + 0.25)
    ax.grid(True, alpha=0.3, linewidth=0.6)

    if accuracy is not None:
        acc = _as_series(accuracy, "accuracy", allow_none=True)
        if len(acc) != len(y):
            raise ConfigError(
                f"accuracy has {len(acc)} values but losses has {len(y)}: give one accuracy "
                "per epoch (None for epochs that were not evaluated)"
            )
        scale = 100.0 if np.nanmax(acc, initial=0.0) > 1.0 else 1.0
        ax2 = ax.twinx()
        keep = np.isfinite(acc)
        (acc_line,) = ax2.plot(epochs[keep], acc[keep], marker="s", markersize=4, linewidth=1.4,
                               linestyle="--", color=_ACC_COLOUR, label="analogy accuracy")
        ax2.set_ylim(0, _accuracy_top(acc[keep], scale))
        ax2.yaxis.set_major_formatter(PercentFormatter(xmax=scale, decimals=None))
        ax2.set_ylabel("analogy accuracy", color=_ACC_COLOUR)
        ax2.tick_params(axis="y", colors=_ACC_COLOUR)
        handles.append(acc_line)

    # below the axes, where it can never hide a curve
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               frameon=False)
    ax.set_title(title if title is not None else "Training loss")
    return fig


def _accuracy_top(values: np.ndarray, scale: float) -> float:
    """Top of the accuracy axis: a fifth above the best value, at least 1 point, at most
    100% (plus a sliver so a perfect score's marker is not cut)."""
    best = float(values.max()) if len(values) else 0.0
    return min(max(best * 1.2, 0.01 * scale), scale * 1.02)


# ---------------------------------------------------------------------------
# Word maps
# ---------------------------------------------------------------------------


def select_words(
    wv_words: Sequence[str],
    vectors: np.ndarray,
    words: Sequence[str] | None = None,
    topn: int = 200,
    neighbours: int = 10,
) -> tuple[list[str], np.ndarray]:
    """Choose which words to put on a map.

    ``wv_words`` is the vocabulary in row order (most frequent first, as in
    every wordvec model) and ``vectors`` its ``(V, d)`` matrix. Without
    ``words``, the ``topn`` most frequent words are chosen. With ``words``,
    each of them is followed by its ``neighbours`` nearest words by cosine
    similarity (duplicates dropped, first occurrence kept).

    Returns the chosen words and their vectors (float32 rows, in that order).
    Raises :class:`~wordvec.errors.VocabError` naming any word that is not in
    the vocabulary.
    """
    matrix = _as_matrix(vectors, len(wv_words), "vectors")
    if isinstance(topn, bool) or not isinstance(topn, int) or topn < 1:
        raise ConfigError(f"topn must be a positive integer, got {topn!r}")
    if isinstance(neighbours, bool) or not isinstance(neighbours, int) or neighbours < 0:
        raise ConfigError(f"neighbours must be a non-negative integer, got {neighbours!r}")

    if words is None:
        chosen = list(range(min(topn, len(wv_words))))
    else:
        if isinstance(words, str):
            words = [words]
        index: dict[str, int] = {}
        for i, w in enumerate(wv_words):
            index.setdefault(w, i)
        missing = [w for w in words if w not in index]
        if missing:
            shown = ", ".join(repr(w) for w in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise VocabError(
                f"not in the vocabulary: {shown}{more}; check the spelling and case, or train "
                "with a lower min_count so the word is kept"
            )
        unit = unit_rows(matrix)
        chosen = []
        for w in words:
            i = index[w]
            chosen.append(i)
            if neighbours:
                sims = unit @ unit[i]
                sims[i] = -np.inf
                chosen.extend(int(j) for j in np.argsort(-sims, kind="stable")[:neighbours])
        chosen = list(dict.fromkeys(chosen))
    return [wv_words[i] for i in chosen], np.ascontiguousarray(matrix[chosen], dtype=np.float32)


def project_2d(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Project ``(n, d)`` vectors to ``(n, 2)`` coordinates.

    ``"pca"``: the first two principal components (SVD of the centred rows;
    deterministic up to sign, which is fixed so the largest loading is
    positive). ``"tsne"``: scikit-learn's t-SNE with cosine distances, which
    keeps neighbourhoods but not global distances; it needs scikit-learn.
    """
    method = _check_method(method)
    x = _as_matrix(vectors, None, "vectors").astype(np.float64)
    n = len(x)
    if method == "pca":
        centred = x - x.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        comps = vt[:2]
        # deterministic orientation: largest-magnitude loading of each axis positive
        signs = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)])
        coords = centred @ (comps * signs[:, None]).T
        if coords.shape[1] < 2:
            coords = np.hstack([coords, np.zeros((n, 2 - coords.shape[1]))])
        return coords
    tsne_cls = _tsne_class()
    perplexity = float(max(1.0, min(30.0, (n - 1) / 3)))
    tsne = tsne_cls(n_components=2, perplexity=perplexity, init="pca", metric="cosine",
                    random_state=seed)
    return np.asarray(tsne.fit_transform(x), dtype=np.float64)


def plot_words(
    words: Sequence[str],
    vectors: np.ndarray,
    path: str | Path,
    method: str = "pca",
    title: str | None = None,
    highlight: Sequence[str] | None = None,
    normalize: bool = True,
    seed: int = 0,
) -> Path:
    """Draw a labelled 2-D map of ``words`` (row ``i`` of ``vectors`` is word ``i``).

    ``method`` is ``"pca"`` (default, numpy only) or ``"tsne"`` (needs
    scikit-learn). With ``normalize`` (default) every vector is scaled to unit
    length first, so the map shows directions, as cosine similarity does.
    Words in ``highlight`` (for example the query words of
    :func:`select_words`) are drawn in a contrasting colour. Labels are nudged
    apart so they do not overlap; a thin line joins a label that had to move
    far to its point. Labels in scripts the default font lacks (Chinese, say)
    are drawn with an installed font that has them (see :func:`label_fonts`).
    Returns the path written.
    """
    path = _output_path(path)
    return _save(draw_words(words, vectors, method=method, title=title, highlight=highlight,
                            normalize=normalize, seed=seed), path)


def draw_words(
    words: Sequence[str],
    vectors: np.ndarray,
    method: str = "pca",
    title: str | None = None,
    highlight: Sequence[str] | None = None,
    normalize: bool = True,
    seed: int = 0,
) -> Figure:
    """The figure :func:`plot_words` saves, to show or change before saving."""
    method = _check_method(method)
    if method == "tsne":
        _tsne_class()  # a missing scikit-learn is the one thing to say, before any font news
    words = [str(w) for w in words]
    with _fonts_for([*words, title or ""]):
        return _draw_words(words, vectors, method, title, highlight, normalize, seed)


def _draw_words(
    words: list[str],
    vectors: np.ndarray,
    method: str,
    title: str | None,
    highlight: Sequence[str] | None,
    normalize: bool,
    seed: int,
) -> Figure:
    x = _as_matrix(vectors, len(words), "vectors")
    if len(words) < 2:
        raise ConfigError(f"a word map needs at least 2 words, got {len(words)}")
    if normalize:
        x = unit_rows(x)
    coords = project_2d(x, method=method, seed=seed)
    marked = set(highlight or ())

    n = len(words)
    fontsize = 9 if n <= 40 else 8 if n <= 100 else 7 if n <= 250 else 6
    size = (8.0, 6.5) if n <= 100 else (11.0, 9.0)
    fig = _new_figure(size)
    ax = fig.add_subplot()
    colours = [_HIGHLIGHT_COLOUR if w in marked else _POINT_COLOUR for w in words]
    ax.scatter(coords[:, 0], coords[:, 1], s=10 if n <= 250 else 6, c=colours, alpha=0.8,
               linewidths=0, zorder=2)
    _set_limits(ax, coords)
    if method == "pca":
        ax.set_xlabel("first principal component")
        ax.set_ylabel("second principal component")
    else:
        ax.set_xlabel("t-SNE 1")
        ax.set_ylabel("t-SNE 2")
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.2, linewidth=0.5)
    name = {"pca": "PCA", "tsne": "t-SNE"}[method]
    ax.set_title(title if title is not None else f"Word vectors ({name}, {n} words)")
    _place_labels(fig, ax, coords, words, marked, fontsize)
    return fig


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _new_figure(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size, dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@contextlib.contextmanager
def _fonts_for(texts: Sequence[str]) -> Iterator[None]:
    """Make text objects with fonts that have the characters of ``texts``.

    Text objects take their fonts from rcParams when they are made, so the
    fallback list holds for what is drawn inside, and nowhere else. Missing
    glyphs were reported once by :func:`label_fonts`; matplotlib's own warning
    (one per glyph and per drawing) is not repeated.
    """
    families, _ = label_fonts(texts)
    with matplotlib.rc_context({"font.family": families}), _no_glyph_warnings():
        yield


@contextlib.contextmanager
def _no_glyph_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


# Families known to cover Chinese, Japanese and Korean, tried first when the
# default font lacks a character; any other installed font covering it comes next.
_PREFERRED_FONTS = (
    "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Source Han Sans", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Droid Sans Fallback", "Noto Sans", "Arial Unicode MS",
)
# fonts that "have" every character only to draw a placeholder box for it
_PLACEHOLDER_FONTS = ("Last Resort", "LastResort")
_warned_missing: set[str] = set()


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


def label_fonts(texts: Sequence[str]) -> tuple[list[str], set[str]]:
    """Font families to draw ``texts`` with, and the characters no installed font has.

    The first family is matplotlib's default font (from rcParams); when it lacks
    characters of ``texts``, installed fonts that have them follow (families
    known for CJK coverage first), and matplotlib falls back to them glyph by
    glyph. Characters no installed font has are drawn as boxes; a warning
    naming them is logged once per process.
    """
    from matplotlib import font_manager

    default_path = font_manager.findfont(font_manager.FontProperties())
    default = font_manager.get_font(default_path).family_name
    chars = {ord(c) for text in texts for c in str(text) if not c.isspace()}
    missing = chars - _charmap(default_path)
    families = [default]
    if not missing:
        return families, set()
    by_family: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.name.startswith(_PLACEHOLDER_FONTS):
            continue
        by_family.setdefault(entry.name, entry.fname)
    order = [f for f in _PREFERRED_FONTS if f in by_family]
    order += sorted(f for f in by_family if f not in order and f != default)
    for family in order:
        covered = missing & _charmap(by_family[family])
        if covered:
            families.append(family)
            missing -= covered
        if not missing:
            break
    lost = {chr(c) for c in missing}
    new = lost - _warned_missing
    if new:
        _warned_missing.update(lost)
        shown = "".join(sorted(lost)[:10]) + ("..." if len(lost) > 10 else "")
        logger.warning(
            "no installed font has the characters %s: they are drawn as boxes; install a "
            "font that covers them (for Chinese, Japanese, Korean: Noto Sans CJK, e.g. the "
            "fonts-noto-cjk package)", shown,
        )
    return families, lost


def _output_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix == "":
        path = path.with_name(path.name + ".png")
    if path.suffix.lower() not in FORMATS:
        raise ConfigError(
            f"cannot write a plot as {path.suffix!r} ({path}): use a file name ending in "
            + ", ".join(FORMATS)
        )
    return path


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # SVG keeps text as text (searchable, editable, smaller) instead of glyph outlines;
    # written through a temporary file, so that a failed write keeps the old plot
    with matplotlib.rc_context({"svg.fonttype": "none"}), _no_glyph_warnings(), \
            atomic_write(path, "wb") as f:
        fig.savefig(f, format=path.suffix.lower()[1:], dpi=150)
    logger.info("wrote plot %s", path)
    return path


def _check_method(method: str) -> str:
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ConfigError(f"unknown projection method {method!r}: use one of {', '.join(METHODS)}")
    return method.lower()


def _tsne_class() -> type:
    try:
        from sklearn.manifold import TSNE
    except ImportError:
        raise ConfigError(
            "method='tsne' needs scikit-learn, which is not installed: run "
            "`pip install scikit-learn`, or use method='pca'"
        ) from None
    return TSNE


def _as_series(values: Sequence[float | None], name: str, allow_none: bool = False) -> np.ndarray:
    try:
        items = list(values)
    except TypeError:
        raise ConfigError(
            f"{name} must be a sequence of numbers, got {type(values).__name__}"
        ) from None
    if not items:
        raise ConfigError(f"{name} is empty: nothing to plot")
    out = np.empty(len(items), dtype=np.float64)
    for i, v in enumerate(items):
        if v is None and allow_none:
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}[{i}] is {v!r}, not a number") from None
    return out


def _chunk_points(
    chunk_losses: Sequence[float] | Sequence[Sequence[float]], n_epochs: int
) -> tuple[np.ndarray, np.ndarray]:
    """x positions (in epochs) of chunk losses: the end of each chunk's share of its epoch."""
    items = list(chunk_losses)
    if items and all(isinstance(c, Sequence | np.ndarray) for c in items):
        if len(items) != n_epochs:
            raise ConfigError(
                f"chunk_losses has {len(items)} per-epoch lists but losses has {n_epochs} epochs"
            )
        xs, ys = [], []
        for e, chunk in enumerate(items):
            values = _as_series(chunk, f"chunk_losses[{e}]") if len(chunk) else np.empty(0)
            xs.append(e + np.arange(1, len(values) + 1) / max(len(values), 1))
            ys.append(values)
        return np.concatenate(xs), np.concatenate(ys)
    y = _as_series(items, "chunk_losses")
    return np.arange(1, len(y) + 1) * n_epochs / len(y), y


def _as_matrix(vectors: np.ndarray, n_rows: int | None, name: str) -> np.ndarray:
    try:
        x = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a numeric (n, d) array") from None
    if x.ndim != 2 or x.shape[1] < 1:
        raise ConfigError(f"{name} must be a 2-D (n, d) array, got shape {x.shape}")
    if n_rows is not None and x.shape[0] != n_rows:
        raise ConfigError(f"{name} has {x.shape[0]} rows but there are {n_rows} words")
    if not np.isfinite(x).all():
        raise ConfigError(f"{name} holds NaN or infinite values; the model may have diverged")
    return x



def _set_limits(ax: object, coords: np.ndarray) -> None:
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    ax.set_xlim(lo[0] - 0.06 * span[0], hi[0] + 0.14 * span[0])  # room for labels on the right
    ax.set_ylim(lo[1] - 0.06 * span[1], hi[1] + 0.08 * span[1])


def _place_labels(
    fig: Figure, ax: object, coords: np.ndarray, words: list[str], marked: set[str],
    fontsize: float,
) -> None:
    """Label each point so that labels neither overlap each other nor hide points.

    Works in display pixels: every label is measured once with the Agg
    renderer, then placed greedily in the order given (so query words and
    frequent words get the best spots) at the first free spot among candidates
    circling its point at growing distance, starting just right of it. When no
    spot is free the one overlapping least is taken. A thin line joins a label
    that had to move away from its point.
    """
    fig.canvas.draw()  # fixes the layout so data -> pixel transforms are final
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData
    anchors = to_px.transform(coords)
    texts = [
        ax.text(c[0], c[1], w, fontsize=fontsize, ha="center", va="center", zorder=3,
                color=_HIGHLIGHT_COLOUR if w in marked else "#222222",
                fontweight="bold" if w in marked else "normal", in_layout=False,
                # a faint backing so leader lines passing behind a label do not cut it
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.6, "pad": 0.2})
        for c, w in zip(coords, words, strict=True)
    ]
    extents = [t.get_window_extent(renderer) for t in texts]
    # a few pixels of air between neighbouring labels, more side by side than stacked
    half = np.array([[b.width, b.height] for b in extents]) / 2 + [3.0, 1.0]
    box = ax.get_window_extent(renderer)
    bounds = np.array([[box.x0, box.y0], [box.x1, box.y1]])
    pad = fontsize * 0.4
    pos, far = _place_boxes(anchors, half, bounds, pad)
    data_pos = to_px.inverted().transform(pos)
    for t, p in zip(texts, data_pos, strict=True):
        t.set_position(p)
    for i in np.flatnonzero(far):
        near = _box_edge_point(pos[i], half[i], anchors[i])
        seg = to_px.inverted().transform(np.array([anchors[i], near]))
        ax.plot(seg[:, 0], seg[:, 1], color="#9a9a9a", linewidth=0.5, zorder=1, in_layout=False)


def _candidate_offsets(half: np.ndarray, pad: float, rings: int) -> np.ndarray:
    """Offsets from a point to label centres, nearest first: right of the
    point, then above/below-right, above, below, left..., on growing rings."""
    angles = np.deg2rad([0, 30, -30, 60, -60, 90, -90, 120, -120, 150, -150, 180])
    step = 2.2 * half[1]  # one label height (half already has the air)
    out = []
    for k in range(rings + 1):
        gap = pad + k * step
        for a in angles:
            c, s = np.cos(a), np.sin(a)
            # place the box just outside the point in direction a, then push outward by gap
            ox = c * (half[0] + gap) if abs(c) > 1e-9 else 0.0
            oy = s * (half[1] + gap) if abs(s) > 1e-9 else 0.0
            out.append((ox, oy))
    return np.array(out)


def _place_boxes(
    anchors: np.ndarray, half: np.ndarray, bounds: np.ndarray, pad: float, rings: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy label placement in pixel space.

    Returns label centres and a mask of labels placed beyond the first ring
    (those get a leader line). Cost of a spot: overlap area with labels
    already placed, plus a third of the overlap with other points' markers.
    """
    n = len(anchors)
    dot = np.full(2, 3.0)  # half size of a point marker, in pixels
    pos = np.empty_like(anchors)
    far = np.zeros(n, dtype=bool)
    per_ring = len(_candidate_offsets(half[0], pad, 0))
    for i in range(n):
        offsets = _candidate_offsets(half[i], pad, rings)
        cand = anchors[i] + offsets
        inside = np.all((cand - half[i] >= bounds[0]) & (cand + half[i] <= bounds[1]), axis=1)
        cost = _overlap_area(cand, half[i], pos[:i], half[:i])
        others = np.delete(anchors, i, axis=0)
        cost += _overlap_area(cand, half[i], others, np.broadcast_to(dot, others.shape)) / 3
        cost = np.where(inside, cost, np.inf)
        free = np.flatnonzero(cost <= 0)
        if len(free):
            best = int(free[0])
        elif np.isfinite(cost).any():
            # nothing free: least overlap, mildly preferring nearer rings
            best = int(np.argmin(cost * (1 + 0.05 * (np.arange(len(cost)) // per_ring))))
        else:
            best = 0  # the point sits where no spot fits inside the axes
        pos[i] = cand[best]
        far[i] = best >= per_ring
    return pos, far


def _overlap_area(cand: np.ndarray, half: np.ndarray, other: np.ndarray,
                  other_half: np.ndarray) -> np.ndarray:
    """Total overlap area of a box (half size ``half``) at each candidate centre
    with a set of other boxes."""
    if len(other) == 0:
        return np.zeros(len(cand))
    d = np.abs(cand[:, None, :] - other[None, :, :])
    depth = np.clip(half[None, None, :] + other_half[None, :, :] - d, 0, None)
    return (depth[..., 0] * depth[..., 1]).sum(axis=1)


def _box_edge_point(centre: np.ndarray, half: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Where the segment from a label's centre toward ``target`` leaves the label box."""
    d = target - centre
    sx = half[0] / abs(d[0]) if d[0] else math.inf
    sy = half[1] / abs(d[1]) if d[1] else math.inf
    return centre + d * min(sx, sy, 1.0)
