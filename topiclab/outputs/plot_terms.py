"""Figures drawn from theme terms: terms per language, topic-word weights, distances, hierarchy.

The conventions of :mod:`topiclab.outputs.plot_themes` hold here too: every ``fig_*``
function reads a :class:`~topiclab.themes.RunResult`, returns a matplotlib ``Figure``, and
figures of one view take ``view=`` (a key of ``result.views``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from topiclab.outputs.fonts import display_text
from topiclab.outputs.plotting import (
    LANGUAGE_NAMES,
    MAIN_VIEW,
    MAP_LABELS,
    language_order,
    legend_columns,
    message,
    new_axes,
    place_labels,
    styled,
    theme_color,
    theme_name,
    view_heading,
    view_mixture,
    view_table,
    wrap_text,
)
from topiclab.outputs.registry import register_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from topiclab.themes import RunResult, ThemeTable

__all__ = [
    "classical_mds",
    "fig_intertopic_distance",
    "fig_lda_topic_words",
    "fig_theme_dendrogram",
    "fig_theme_terms",
    "term_distances",
    "theme_distances",
]


# --------------------------------------------------------------------------- distances
def term_distances(table: ThemeTable) -> np.ndarray:
    """Return Jensen-Shannon distances (base 2, in [0, 1]) between theme term distributions.

    Each theme's distribution is its ``"all"`` term weights (or the weights of every
    language summed when ``"all"`` is absent) over the union vocabulary of the top
    terms of every theme, normalised to sum to one.

    Parameters
    ----------
    table : ThemeTable
        The themes.

    Returns
    -------
    ndarray
        Symmetric ``n x n`` distances, zero on the diagonal.
    """
    from scipy.spatial.distance import jensenshannon

    weights: list[dict[str, float]] = []
    for theme in table:
        pool = theme.terms.get("all")
        items = pool if pool else [tw for v in theme.terms.values() for tw in v]
        w: dict[str, float] = {}
        for term, value in items:
            w[term] = w.get(term, 0.0) + max(float(value), 0.0)
        weights.append(w)
    vocab = sorted({t for w in weights for t in w})
    n = len(weights)
    if not vocab:
        return np.zeros((n, n))
    index = {t: i for i, t in enumerate(vocab)}
    p = np.zeros((n, len(vocab)))
    for i, w in enumerate(weights):
        for term, value in w.items():
            p[i, index[term]] = value
    sums = p.sum(axis=1, keepdims=True)
    p = np.where(sums > 0, p / np.where(sums > 0, sums, 1.0), 1.0 / len(vocab))
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = float(jensenshannon(p[i], p[j], base=2))
    return np.nan_to_num(d, nan=1.0)


def theme_distances(result: RunResult, view: str = MAIN_VIEW) -> np.ndarray:
    """Return distances between the themes of a view: term distributions and co-occurrence.

    The mean of :func:`term_distances` and the cosine distance between the themes'
    columns of the view's document mixture: two themes are close when they use the same
    words and appear in the same documents. The mixture part is left out when it does
    not match the themes.

    Parameters
    ----------
    result : RunResult
        The run.
    view : str
        The view (a key of ``result.views``).

    Returns
    -------
    ndarray
        Symmetric ``n x n`` distances in [0, 1], zero on the diagonal.

    Raises
    ------
    ValueError
        When the run has no such view.
    """
    table = view_table(result, view)
    recorded = recorded_distances(result, view)
    if recorded is not None:
        return recorded[0]
    d = term_distances(table)
    mix = view_mixture(result, view)
    n = len(table)
    if mix is None or mix.shape[1] != n or mix.shape[0] < 2:
        return d
    cols = np.asarray(mix.to_numpy(dtype=float)).T
    norms = np.linalg.norm(cols, axis=1)
    if np.any(norms == 0):
        return d
    unit = cols / norms[:, None]
    cos = np.clip(1.0 - unit @ unit.T, 0.0, 1.0)
    out = (d + cos) / 2.0
    np.fill_diagonal(out, 0.0)
    return (out + out.T) / 2.0


def recorded_distances(result: RunResult, view: str = MAIN_VIEW) -> tuple[np.ndarray, str] | None:
    """Return the distances between themes that the view recorded when fitted, and their name.

    The embedding view records the cosine distance between theme centres in the embedding
    space, the LDA view the Hellinger distance between topic-word distributions (both in
    the view's metrics as ``theme_distances``). Runs saved without them give ``None``.

    Parameters
    ----------
    result : RunResult
    view : str

    Returns
    -------
    tuple of (ndarray, str) or None
    """
    from topiclab.outputs.plotting import get_view

    v = get_view(result, view)
    rec = v.metrics.get("theme_distances") if isinstance(v.metrics, dict) else None
    if not isinstance(rec, dict) or "values" not in rec:
        return None
    d = np.asarray(rec["values"], dtype=float)
    n = len(v.table)
    if d.shape != (n, n) or not np.all(np.isfinite(d)):
        return None
    d = (d + d.T) / 2.0
    np.fill_diagonal(d, 0.0)
    return np.clip(d, 0.0, None), str(rec.get("measure", "distance"))


def classical_mds(distances: np.ndarray, n_components: int = 2) -> np.ndarray:
    """Place points by classical (Torgerson) MDS of a distance matrix, deterministically.

    Axis signs are fixed so that the largest coordinate of each axis is positive.

    Parameters
    ----------
    distances : ndarray
        Symmetric ``n x n`` distances.
    n_components : int
        Coordinates per point.

    Returns
    -------
    ndarray
        ``n x n_components`` coordinates; axes without positive eigenvalue stay zero.
    """
    d = np.asarray(distances, dtype=float)
    n = d.shape[0]
    out = np.zeros((n, n_components))
    if n < 2:
        return out
    j = np.eye(n) - np.full((n, n), 1.0 / n)
    b = -0.5 * j @ (d**2) @ j
    values, vectors = np.linalg.eigh((b + b.T) / 2.0)
    order = np.argsort(-values, kind="stable")[:n_components]
    for k, idx in enumerate(order):
        if values[idx] <= 1e-12:
            continue
        col = vectors[:, idx] * np.sqrt(values[idx])
        if col[np.argmax(np.abs(col))] < 0:
            col = -col
        out[:, k] = col
    return out


@register_figure("intertopic_distance", order=60, view=MAIN_VIEW)
@styled
def fig_intertopic_distance(
    result: RunResult, ax: Axes | None = None, *, view: str = MAIN_VIEW
) -> Figure:
    """Draw the themes placed by classical MDS of their distances; bubble area = passages.

    The distances are those the view recorded (cosine between theme centres, Hellinger
    between LDA topics), else :func:`theme_distances`. Bubbles are large enough to see
    and never overlap: where MDS puts two themes closer than their bubbles allow, they are
    pushed apart just enough (:func:`_separate`). Up to
    :data:`~topiclab.outputs.plotting.MAP_LABELS` themes, full labels are placed beside
    the bubbles; with more, each bubble carries its id and a legend in columns names them.

    Parameters
    ----------
    result : RunResult
        Uses the view's themes (terms, sizes) and document mixture.
    ax : Axes, optional
        Draw here instead of on a new figure.
    view : str
        The view drawn (a key of ``result.views``: ``"embedding"``, ``"lda"``, ...).

    Returns
    -------
    Figure
        The figure drawn on.
    """
    table = view_table(result, view)
    many = len(table) > MAP_LABELS
    n_cols = legend_columns(len(table)) if many else 1
    fig, ax = new_axes(ax, (8.0 + 4.3 * n_cols, 7.5) if many else (8.0, 7.0))
    if len(table) == 0:
        message(ax, "no themes")
        return fig
    coords = classical_mds(theme_distances(result, view))
    sizes = np.array([max(t.size, 0) for t in table], dtype=float)
    coords, radii = _separate(coords, sizes)
    colors = [theme_color(t.id) for t in table]
    ax.axhline(0.0, color="#dddddd", lw=0.8, zorder=0)
    ax.axvline(0.0, color="#dddddd", lw=0.8, zorder=0)
    from matplotlib.patches import Circle

    for (x, y), r, c in zip(coords, radii, colors, strict=True):
        ax.add_patch(Circle((x, y), r, facecolor=c, alpha=0.5, edgecolor="#333333", lw=0.8))
    lo = (coords - radii[:, None]).min(axis=0)
    hi = (coords + radii[:, None]).max(axis=0)
    pad = 0.25 * float(max(hi - lo)) if float(max(hi - lo)) > 0 else 1.0
    ax.set_xlim(lo[0] - pad, hi[0] + pad)
    ax.set_ylim(lo[1] - pad, hi[1] + pad)
    ax.set_aspect("equal", adjustable="box")
    # labels avoid every bubble: its centre and points around its rim
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    rim_x = np.concatenate(
        [x + r * np.cos(angles) for (x, _y), r in zip(coords, radii, strict=True)]
    )
    rim_y = np.concatenate(
        [y + r * np.sin(angles) for (_x, y), r in zip(coords, radii, strict=True)]
    )
    what = view_heading(result, view)
    rec = recorded_distances(result, view)
    measure = rec[1] if rec is not None else "term and document distance"
    ax.set_title(f"{what}: intertopic distance (bubble area = passages)")
    ax.set_xlabel(f"MDS 1 of the {measure}", fontsize=9)
    ax.set_ylabel("MDS 2")
    if not many:
        place_labels(
            ax,
            coords[:, 0],
            coords[:, 1],
            [theme_name(t, t.id, 24, 3) for t in table],
            points_x=np.concatenate([coords[:, 0], rim_x]),
            points_y=np.concatenate([coords[:, 1], rim_y]),
            colors=colors,
            fontsize=8,
            max_distance=0.15,
        )
    else:  # each bubble carries its id at its centre: no leader line, no overlap
        for t, (x, y) in zip(table, coords, strict=True):
            ax.text(x, y, str(t.id), ha="center", va="center", fontsize=7, color="#111111")
        from matplotlib.lines import Line2D

        ax.legend(
            handles=[
                Line2D(
                    [], [], ls="", marker="o", color=c, alpha=0.6, label=theme_name(t, t.id, 38, 2)
                )
                for t, c in zip(table, colors, strict=True)
            ],
            title="Themes",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=7,
            frameon=False,
            ncols=n_cols,
            handletextpad=0.3,
            columnspacing=1.0,
            labelspacing=0.35,
            alignment="left",
        )
    return fig


#: Radius of the largest bubble, as a share of the map's span.
BUBBLE_SCALE = 0.09


def _separate(coords: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return centres and radii of bubbles that are visible and do not overlap.

    Radii have area proportional to size, the largest :data:`BUBBLE_SCALE` of the span
    (a one-passage theme at least a quarter of that). Overlapping bubbles are pushed
    apart along the line joining their centres, a little at a time, until no two
    overlap (at most 400 rounds): the map keeps MDS's arrangement, only spread where
    bubbles would hide each other. Deterministic.
    """
    coords = np.asarray(coords, dtype=float).copy()
    n = len(sizes)
    rel = np.sqrt(np.where(sizes > 0, sizes, 0.0) / max(float(sizes.max()) if n else 1.0, 1.0))
    rel = np.maximum(rel, 0.25)
    span = float(np.ptp(coords, axis=0).max()) if n > 1 else 1.0
    radii = rel * BUBBLE_SCALE * (span if span > 0 else 1.0)
    if n < 2:
        return coords, radii
    need = 1.03 * (radii[:, None] + radii[None, :])
    for _ in range(400):
        diff = coords[:, None, :] - coords[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        over = np.clip(need - dist, 0.0, None)
        np.fill_diagonal(over, 0.0)
        if not over.any():
            break
        same = dist < 1e-12  # identical centres: split them along a fixed direction
        unit = np.where(
            same[..., None], np.array([1.0, 0.0]), diff / np.where(same, 1.0, dist)[..., None]
        )
        unit = np.where(np.triu(same)[..., None], -unit, unit)
        coords += 0.5 * (unit * over[..., None]).sum(axis=1)
    return coords, radii


@register_figure("theme_dendrogram", order=70, view=MAIN_VIEW)
@styled
def fig_theme_dendrogram(
    result: RunResult, ax: Axes | None = None, *, view: str = MAIN_VIEW
) -> Figure:
    """Draw the hierarchy of themes (average linkage over :func:`theme_distances`).

    Parameters
    ----------
    result : RunResult
        Uses the view's themes (terms, labels) and document mixture.
    ax : Axes, optional
        Draw here instead of on a new figure.
    view : str
        The view drawn (a key of ``result.views``: ``"embedding"``, ``"lda"``, ...).

    Returns
    -------
    Figure
        The figure drawn on.
    """
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    table = view_table(result, view)
    n = len(table)
    fig, ax = new_axes(ax, (9.0, max(3.5, 1.5 + 0.42 * n)))
    if n < 2:
        message(ax, "a hierarchy needs two themes or more")
        return fig
    d = theme_distances(result, view)
    rec = recorded_distances(result, view)
    z = linkage(squareform(d, checks=False), method="average")
    dendrogram(
        z,
        labels=[theme_name(t, t.id, 60, 1) for t in table],
        orientation="left",
        ax=ax,
        color_threshold=0.7 * float(z[:, 2].max()),
        above_threshold_color="#888888",
        leaf_font_size=9,
    )
    ax.set_xlabel(
        rec[1] if rec is not None else "distance (mean of term Jensen-Shannon and document cosine)"
    )
    what = view_heading(result, view)
    ax.set_title(f"{what}: hierarchy")
    return fig


# ------------------------------------------------------------------------------- terms
def _term_bars(ax: Axes, terms: list[tuple[str, float]], color: str, theme: Any = None) -> None:
    """Draw horizontal bars of ``(term, weight)`` in descending weight, as written.

    The bars are sorted by the weight they show, so the order read top to bottom is the
    ranking and the bar lengths agree with it.
    """
    from matplotlib.ticker import MaxNLocator

    terms = sorted(terms, key=lambda tw: -float(tw[1]))
    weights = np.array([max(float(w), 0.0) for _t, w in terms])
    ypos = np.arange(len(terms))
    ax.barh(ypos, weights, color=color, height=0.7)
    shown = [theme.shown(t) if theme is not None else t.replace("_", " ") for t, _w in terms]
    ax.set_yticks(ypos, [display_text(wrap_text(t, 34, 2)) for t in shown])
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8, length=0)
    ax.tick_params(axis="x", labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_xlim(0, float(weights.max()) * 1.08 if weights.size and weights.max() > 0 else 1.0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


@register_figure("theme_terms", order=20, view=MAIN_VIEW)
@styled
def fig_theme_terms(
    result: RunResult,
    *,
    view: str = MAIN_VIEW,
    n_terms: int = 8,
    max_themes: int = 12,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Draw the top terms of each theme, one panel per language the theme has passages in.

    Rows are themes. A theme has a panel for each language of its passages (English,
    Arabic, Chinese, ...), led by an "all languages" panel when there are several; no
    panel is drawn for a language the theme lacks. Terms are shown as written and in
    the order of their weights.

    Parameters
    ----------
    result : RunResult
        Uses the view's themes: each theme's ``terms`` per language.
    view : str
        The view drawn (a key of ``result.views``: ``"embedding"``, ``"lda"``, ...).
    n_terms : int
        Terms per panel.
    max_themes : int
        Rows at most (the largest themes, shown in id order).
    figsize : tuple of float, optional
        Figure size in inches (default grows with the grid).

    Returns
    -------
    Figure
        The figure drawn on.
    """
    from matplotlib.figure import Figure

    table = view_table(result, view)
    themes = sorted(table, key=lambda t: (-t.size, t.id))[:max_themes]
    themes.sort(key=lambda t: t.id)

    def panels(theme: Any) -> list[str]:
        own = language_order(lang for lang in theme.terms if theme.languages.get(lang))
        if len(own) > 1 and theme.terms.get("all"):
            return ["all", *own]
        return own or (["all"] if theme.terms.get("all") else [])

    layout = [(t, panels(t)) for t in themes]
    cols = max((len(p) for _t, p in layout), default=1) or 1
    rows = max(len(themes), 1)
    fig = Figure(figsize=figsize or (0.6 + 3.6 * cols, 0.9 + 2.2 * rows), layout="constrained")
    if not themes or not any(p for _t, p in layout):
        message(fig.add_subplot(), "no theme terms")
        return fig
    subfigs = fig.subfigures(rows, 1, squeeze=False)[:, 0]
    for subfig, (theme, langs) in zip(subfigs, layout, strict=True):
        subfig.suptitle(
            theme_name(theme, theme.id, 28 * max(len(langs), 1), 2),
            x=0.01,
            ha="left",
            fontsize=10,
        )
        if not langs:
            continue
        axes = subfig.subplots(1, cols, squeeze=False)[0]
        for ax, lang in zip(axes, langs, strict=False):
            n = theme.languages.get(lang, theme.size if lang == "all" else 0)
            ax.set_title(f"{LANGUAGE_NAMES.get(lang, lang)} ({n} passages)", loc="left", fontsize=8)
            _term_bars(ax, theme.terms.get(lang, [])[:n_terms], theme_color(theme.id), theme)
        for ax in axes[len(langs) :]:
            ax.set_axis_off()
    what = view_heading(result, view, lower=True)
    shown = f" (largest {len(themes)} of {len(table)})" if len(themes) < len(table) else ""
    fig.suptitle(f"Top terms of the {what}, by language of their passages{shown}", fontsize=12)
    return fig


_SCRIPT_LANGS = (("ar", re.compile("[\u0600-\u06ff]")), ("zh", re.compile("[\u4e00-\u9fff]")))


def _label_in_script_of(topic: Any, terms: list[Any]) -> Any:
    """Return ``topic`` titled with its label in the language its drawn words are written in.

    A cross-lingual topic has a label per language; its main label is the English one,
    but its most probable words may all be Arabic, and a panel titled in English over
    Arabic bars would contradict itself.
    """
    if not topic.labels or not terms:
        return topic
    votes: dict[str, int] = {}
    for term, *_ in terms:
        lang = next((code for code, rx in _SCRIPT_LANGS if rx.search(str(term))), "latin")
        votes[lang] = votes.get(lang, 0) + 1
    lang = max(votes, key=lambda c: (votes[c], c == "latin"))
    if lang == "latin" or lang not in topic.labels:
        return topic
    return dataclasses.replace(topic, label=topic.labels[lang])


@register_figure("lda_topic_words", order=50, view="lda")
@styled
def fig_lda_topic_words(
    result: RunResult,
    *,
    view: str = "lda",
    n_terms: int = 10,
    ncols: int = 4,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Draw the topic-word weights of a view's topics, one small panel per topic.

    Parameters
    ----------
    result : RunResult
        Uses the view's themes: the ``"all"`` terms of each (for LDA, the topic-word
        probabilities).
    view : str
        The view drawn (a key of ``result.views``; the LDA topics by default).
    n_terms : int
        Words per topic: the whole keyword list by default (``top_n_terms``, 10), the
        words the topic's title is made from.
    ncols : int
        Panels per row.
    figsize : tuple of float, optional
        Figure size in inches (default grows with the grid).

    Returns
    -------
    Figure
        The figure drawn on.
    """
    from matplotlib.figure import Figure

    topics = list(view_table(result, view))
    what = view_heading(result, view)
    k = len(topics)
    cols = max(1, min(ncols, k))
    rows = max(1, math.ceil(k / cols))
    fig = Figure(figsize=figsize or (0.4 + 3.4 * cols, 0.6 + 2.8 * rows), layout="constrained")
    if k == 0:
        message(fig.add_subplot(), f"no {view_heading(result, view, lower=True)}")
        return fig
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, topic in zip(axes, topics, strict=False):
        terms = topic.terms.get("all") or next(iter(topic.terms.values()), [])
        shown = _label_in_script_of(topic, terms[:n_terms])
        ax.set_title(theme_name(shown, topic.id, 28, 3), loc="left", fontsize=9)
        if not terms:
            message(ax, "no words")
            continue
        _term_bars(ax, terms[:n_terms], theme_color(topic.id), topic)
    for ax in axes[k:]:
        ax.set_axis_off()
    for ax in axes[(rows - 1) * cols : k]:
        ax.set_xlabel("P(word | topic)", fontsize=8)
    fig.suptitle(f"{what}: top words ({k} topics)", fontsize=12)
    return fig
