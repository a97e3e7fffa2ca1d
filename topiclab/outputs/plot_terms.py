"""Figures drawn from theme terms: terms per language, topic-word weights, distances, hierarchy.

The conventions of :mod:`topiclab.outputs.plot_themes` hold here too: every ``fig_*``
function reads a :class:`~topiclab.themes.RunResult`, returns a matplotlib ``Figure``, and
figures of one view take ``view=`` (a key of ``result.views``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from topiclab.outputs.fonts import display_text
from topiclab.outputs.plotting import (
    LANGUAGE_NAMES,
    MAIN_VIEW,
    language_order,
    message,
    new_axes,
    styled,
    theme_color,
    theme_name,
    view_heading,
    view_mixture,
    view_table,
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

    The distances are :func:`theme_distances`: Jensen-Shannon distance between the
    themes' top-term distributions, averaged with the cosine distance of their
    document-mixture columns.

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
    fig, ax = new_axes(ax, (8.0, 7.0))
    if len(table) == 0:
        message(ax, "no themes")
        return fig
    coords = classical_mds(theme_distances(result, view))
    sizes = np.array([max(t.size, 0) for t in table], dtype=float)
    area = 250.0 + 2750.0 * (sizes / sizes.max() if sizes.max() > 0 else sizes)
    colors = [theme_color(t.id) for t in table]
    ax.axhline(0.0, color="#dddddd", lw=0.8, zorder=0)
    ax.axvline(0.0, color="#dddddd", lw=0.8, zorder=0)
    ax.scatter(coords[:, 0], coords[:, 1], s=area, c=colors, alpha=0.5, edgecolors="#333333")
    span = max(float(np.abs(coords).max()), 0.05)
    for (x, y), (lx, ly), t in zip(coords, _spread_labels(coords, span), table, strict=True):
        if (lx, ly) != (x, y):
            ax.plot([x, lx], [y, ly], color="#999999", lw=0.6, zorder=1)
        ax.text(
            lx,
            ly,
            theme_name(t, t.id, 30),
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    ax.set_xlim(-1.35 * span, 1.35 * span)
    ax.set_ylim(-1.35 * span, 1.35 * span)
    ax.set_xlabel("MDS 1")
    ax.set_ylabel("MDS 2")
    what = view_heading(result, view)
    ax.set_title(f"{what}: intertopic distance (bubble area = passages)")
    return fig


def _spread_labels(coords: np.ndarray, span: float) -> list[tuple[float, float]]:
    """Return label positions at the points, moved down in steps where labels would overlap."""
    placed: list[tuple[float, float]] = []
    step = 0.08 * span
    for x, y in coords:
        lx, ly = float(x), float(y)
        while any(abs(lx - px) < 0.6 * span and abs(ly - py) < step for px, py in placed):
            ly -= step
        placed.append((lx, ly))
    return placed


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
    z = linkage(squareform(d, checks=False), method="average")
    dendrogram(
        z,
        labels=[theme_name(t, t.id, 40) for t in table],
        orientation="left",
        ax=ax,
        color_threshold=0.7 * float(z[:, 2].max()),
        above_threshold_color="#888888",
        leaf_font_size=9,
    )
    ax.set_xlabel("distance (mean of term Jensen-Shannon and document cosine)")
    what = view_heading(result, view)
    ax.set_title(f"{what}: hierarchy")
    return fig


# ------------------------------------------------------------------------------- terms
def _term_bars(ax: Axes, terms: list[tuple[str, float]], color: str) -> None:
    """Draw horizontal bars of ``(term, weight)``, best on top; phrases shown with spaces."""
    from matplotlib.ticker import MaxNLocator

    weights = np.array([max(float(w), 0.0) for _t, w in terms])
    ypos = np.arange(len(terms))
    ax.barh(ypos, weights, color=color, height=0.7)
    ax.set_yticks(ypos, [display_text(t.replace("_", " "), max_len=28) for t, _w in terms])
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
    """Draw the top terms of each theme, one column of panels per language.

    Rows are themes, columns the languages present among the themes' terms (English,
    Arabic, Chinese, ...); a theme with no passages in a language leaves that panel
    empty. Terms that are phrases are shown with spaces.

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
    langs = language_order(lang for t in themes for lang in t.terms)
    if not langs and any(t.terms.get("all") for t in themes):
        langs = ["all"]
    rows, cols = max(len(themes), 1), max(len(langs), 1)
    fig = Figure(figsize=figsize or (0.6 + 3.6 * cols, 0.7 + 2.0 * rows), layout="constrained")
    if not themes or not langs:
        message(fig.add_subplot(), "no theme terms")
        return fig
    subfigs = fig.subfigures(1, cols, squeeze=False)[0]
    for subfig, lang in zip(subfigs, langs, strict=True):
        subfig.suptitle(LANGUAGE_NAMES.get(lang, lang), fontsize=12)
        axes = subfig.subplots(rows, 1, squeeze=False)[:, 0]
        for ax, theme in zip(axes, themes, strict=True):
            terms = theme.terms.get(lang, [])[:n_terms]
            ax.set_title(theme_name(theme, theme.id, 40), loc="left", fontsize=9)
            if not terms:
                ax.set_axis_off()
                ax.text(
                    0.5,
                    0.5,
                    f"no {LANGUAGE_NAMES.get(lang, lang)} passages",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="#888888",
                    transform=ax.transAxes,
                )
                continue
            _term_bars(ax, terms, theme_color(theme.id))
    what = view_heading(result, view, lower=True)
    shown = f" (largest {len(themes)} of {len(table)})" if len(themes) < len(table) else ""
    fig.suptitle(f"Top terms of the {what} by language{shown}", fontsize=12)
    return fig


@register_figure("lda_topic_words", order=50, view="lda")
@styled
def fig_lda_topic_words(
    result: RunResult,
    *,
    view: str = "lda",
    n_terms: int = 8,
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
        Words per topic.
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
    fig = Figure(figsize=figsize or (0.4 + 3.4 * cols, 0.6 + 2.3 * rows), layout="constrained")
    if k == 0:
        message(fig.add_subplot(), f"no {view_heading(result, view, lower=True)}")
        return fig
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, topic in zip(axes, topics, strict=False):
        terms = topic.terms.get("all") or next(iter(topic.terms.values()), [])
        ax.set_title(theme_name(topic, topic.id, 34), loc="left", fontsize=9)
        if not terms:
            message(ax, "no words")
            continue
        _term_bars(ax, terms[:n_terms], theme_color(topic.id))
    for ax in axes[k:]:
        ax.set_axis_off()
    for ax in axes[(rows - 1) * cols : k]:
        ax.set_xlabel("P(word | topic)", fontsize=8)
    fig.suptitle(f"{what}: top words ({k} topics)", fontsize=12)
    return fig
