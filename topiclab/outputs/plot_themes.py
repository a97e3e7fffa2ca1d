"""Figures of a run's themes: the passage map, theme sizes, documents x themes, quality.

Every ``fig_*`` function reads a :class:`~topiclab.themes.RunResult` (plain data, never
estimator internals), draws on ``ax`` when one is given or on a new
:class:`matplotlib.figure.Figure`, and returns the figure; none calls ``show()`` or
``savefig()`` (:func:`topiclab.outputs.figures.render_all` saves them). Figures are made under
:func:`topiclab.outputs.fonts.rc_params` (see :func:`topiclab.outputs.plotting.styled`):
Arabic and Chinese labels render with bundled fonts, and ``$`` or markup in titles and terms
is drawn literally. Figures of one view take ``view=`` (a key of ``result.views``).

The figures drawn from theme terms live in :mod:`topiclab.outputs.plot_terms`.

Examples
--------
>>> from topiclab.outputs import plot_themes                     # doctest: +SKIP
>>> fig = plot_themes.fig_passage_map(result)                    # doctest: +SKIP
>>> fig.savefig("map.png")                                       # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from topiclab.outputs.fonts import display_text
from topiclab.outputs.plotting import (
    LANGUAGE_NAMES,
    MAIN_VIEW,
    get_view,
    language_colors,
    language_order,
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

    from topiclab.themes import RunResult

__all__ = [
    "fig_doc_theme_heatmap",
    "fig_passage_map",
    "fig_theme_quality",
    "fig_theme_sizes",
]


# ----------------------------------------------------------------------------- figures
@register_figure("passage_map", order=10, view=MAIN_VIEW)
@styled
def fig_passage_map(
    result: RunResult,
    ax: Axes | None = None,
    *,
    view: str = MAIN_VIEW,
    max_legend: int = 20,
) -> Figure:
    """Draw the passages on the 2-D map, coloured by theme, labelled at each theme's median.

    Marker shapes tell the languages apart; the legend lists the theme labels.

    Parameters
    ----------
    result : RunResult
        Uses ``passages`` (``x``, ``y``, ``lang`` and the view's theme column) and the
        view's themes.
    ax : Axes, optional
        Draw here instead of on a new figure.
    view : str
        The view whose themes colour the passages (a key of ``result.views``).
    max_legend : int
        Themes listed in the legend at most (the largest).

    Returns
    -------
    Figure
        The figure drawn on.
    """
    from matplotlib.lines import Line2D

    v = get_view(result, view)
    column = v.column or "theme"
    fig, ax = new_axes(ax, (10.0, 7.0))
    p = result.passages
    if p is None or p.empty or not {"x", "y", column} <= set(p.columns):
        message(ax, "no passages with map coordinates")
        return fig
    themes = {t.id: t for t in v.table}
    langs = language_order(p["lang"].fillna("und")) if "lang" in p else []
    markers = dict(zip(langs, "o^sDvP*Xh<>", strict=False))
    lang_col = p["lang"].fillna("und").astype(str) if "lang" in p else None
    ids = sorted(int(t) for t in p[column].unique())
    size = float(np.clip(6000.0 / max(len(p), 1), 8.0, 60.0))
    handles = []
    anchors: list[tuple[float, float, int]] = []
    for tid in ids:
        sub = p[p[column] == tid]
        color = theme_color(tid)
        groups = [(lang, sub[lang_col[sub.index] == lang]) for lang in langs] if langs else []
        for lang, part in groups or [("und", sub)]:
            if part.empty:
                continue
            ax.scatter(
                part["x"],
                part["y"],
                s=size,
                color=color,
                marker=markers.get(lang, "o"),
                alpha=0.45 if tid < 0 else 0.75,
                linewidths=0,
                zorder=1 if tid < 0 else 2,
            )
        name = theme_name(themes.get(tid), tid, max_len=45, max_lines=2)
        handles.append((len(sub), tid, Line2D([], [], ls="", marker="o", color=color, label=name)))
        if tid >= 0:
            anchors.append((float(sub["x"].median()), float(sub["y"].median()), tid))
    ax.margins(0.08)
    shown = sorted(handles, key=lambda h: (-h[0], h[1]))[:max_legend]
    legend = ax.legend(
        handles=[h for _n, _t, h in sorted(shown, key=lambda h: h[1])],
        title="Themes",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        alignment="left",
    )
    if len(langs) > 1:
        ax.add_artist(legend)
        legend.set_clip_on(False)  # keeps it in the constrained-layout bounding box
        ax.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    ls="",
                    marker=markers[lang],
                    color="#555555",
                    label=LANGUAGE_NAMES.get(lang, lang),
                )
                for lang in langs
            ],
            title="Language",
            loc="lower left",
            bbox_to_anchor=(1.01, 0.0),
            fontsize=8,
            frameon=False,
            alignment="left",
        )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Passages by theme ({len(p)} passages, {len(ids)} themes)")
    if anchors:
        many = len(anchors) > 20
        place_labels(
            ax,
            [a[0] for a in anchors],
            [a[1] for a in anchors],
            [theme_name(themes.get(t), t, 18 if many else 24, 3) for _x, _y, t in anchors],
            points_x=p["x"].to_numpy(dtype=float),
            points_y=p["y"].to_numpy(dtype=float),
            colors=[theme_color(t) for _x, _y, t in anchors],
            fontsize=6 if many else 8,
        )
    return fig


@register_figure("theme_sizes", order=40, view=MAIN_VIEW)
@styled
def fig_theme_sizes(result: RunResult, ax: Axes | None = None, *, view: str = MAIN_VIEW) -> Figure:
    """Draw the passages per theme, as horizontal bars stacked by language.

    Parameters
    ----------
    result : RunResult
        Uses the view's themes: each theme's ``languages`` counts.
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
    n = len(table)
    fig, ax = new_axes(ax, (9.0, max(3.0, 1.2 + 0.4 * n)))
    if n == 0:
        message(ax, "no themes")
        return fig
    langs = language_order(lang for t in table for lang in t.languages)
    colors = language_colors(langs)
    ypos = np.arange(n)
    left = np.zeros(n)
    for lang in langs:
        counts = np.array([t.languages.get(lang, 0) for t in table], dtype=float)
        ax.barh(ypos, counts, left=left, color=colors[lang], label=LANGUAGE_NAMES.get(lang, lang))
        left += counts
    for y, t in zip(ypos, table, strict=True):
        ax.text(left[y], y, f" {t.size}", va="center", fontsize=8)
    ax.set_yticks(ypos, [theme_name(t, t.id, 40) for t in table])
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(left.max()), 1.0) * 1.12)
    ax.set_xlabel("passages")
    ax.legend(title="Language", loc="lower right", fontsize=8)
    what = view_heading(result, view)
    ax.set_title(f"{what}: passages per theme, by language")
    return fig


def _pick_documents(weights: np.ndarray, doc_ids: list[str], max_docs: int) -> np.ndarray:
    """Rows to show, grouped by dominant theme; at most ``max_docs``, shared out fairly."""
    dominant = weights.argmax(axis=1)
    strength = weights.max(axis=1)
    order = np.lexsort((np.asarray(doc_ids, dtype=object).astype(str), -strength, dominant))
    if len(order) <= max_docs:
        return order
    queues = {int(k): [i for i in order if dominant[i] == k] for k in np.unique(dominant)}
    chosen: list[int] = []
    while len(chosen) < max_docs:
        for k in sorted(queues):
            if queues[k] and len(chosen) < max_docs:
                chosen.append(int(queues[k].pop(0)))
    rank = {int(i): r for r, i in enumerate(order)}
    return np.array(sorted(chosen, key=rank.__getitem__), dtype=int)


@register_figure("doc_theme_heatmap", order=30, view=MAIN_VIEW)
@styled
def fig_doc_theme_heatmap(
    result: RunResult,
    ax: Axes | None = None,
    *,
    view: str = MAIN_VIEW,
    max_docs: int = 40,
    title_len: int = 45,
) -> Figure:
    """Draw documents x themes: each document's share of each theme, titles as row labels.

    Documents are grouped by their dominant theme, strongest first; with more than
    ``max_docs`` documents, the strongest of each theme are kept in turn.

    Parameters
    ----------
    result : RunResult
        Uses the view's document mixture and themes, and ``documents`` (``title``).
    ax : Axes, optional
        Draw here instead of on a new figure.
    view : str
        The view drawn (a key of ``result.views``: ``"embedding"``, ``"lda"``, ...).
    max_docs : int
        Rows shown at most.
    title_len : int
        Columns of each title kept (a Chinese character counts two); titles are shortened
        at a word boundary, or between Chinese characters, before Arabic is shaped.

    Returns
    -------
    Figure
        The figure drawn on.
    """
    mix = view_mixture(result, view)
    table = view_table(result, view)
    n_rows = 0 if mix is None else min(len(mix), max_docs)
    n_cols = 0 if mix is None else mix.shape[1]
    fig, ax = new_axes(ax, (max(7.0, 4.5 + 0.55 * n_cols), max(4.0, 2.2 + 0.26 * n_rows)))
    if mix is None or mix.empty or n_cols == 0:
        message(ax, "no document mixtures")
        return fig
    weights = mix.to_numpy(dtype=float)
    doc_ids = [str(d) for d in mix.index]
    rows = _pick_documents(weights, doc_ids, max_docs)
    titles: dict[str, Any] = {}
    docs = result.documents
    if docs is not None and {"doc_id", "title"} <= set(docs.columns):
        column = "display_title" if "display_title" in docs.columns else "title"
        titles = dict(zip(docs["doc_id"].astype(str), docs[column], strict=False))
    labels = []
    for i in rows:
        title = titles.get(doc_ids[i])
        if title is None or (isinstance(title, float) and title != title) or not str(title).strip():
            title = doc_ids[i]
        # shortened by whole words (two columns per Chinese character), then shaped
        labels.append(display_text(wrap_text(str(title), title_len, 1)))
    image = ax.imshow(
        weights[rows], aspect="auto", cmap="YlGnBu", vmin=0.0, vmax=1.0, interpolation="nearest"
    )
    themes = {t.id: t for t in table}
    cols = [int(c) if str(c).lstrip("-").isdigit() else i for i, c in enumerate(mix.columns)]
    ax.set_xticks(np.arange(n_cols), [theme_name(themes.get(c), c, 24) for c in cols])
    ax.tick_params(axis="x", labelrotation=40, labelsize=8)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
        label.set_rotation_mode("anchor")
    ax.set_yticks(np.arange(len(rows)), labels)
    ax.tick_params(axis="y", labelsize=8)
    fig.colorbar(image, ax=ax, label="share of the document", shrink=0.8)
    what = view_heading(result, view, lower=True)
    shown = f"{len(rows)} of {len(mix)}" if len(rows) < len(mix) else f"{len(mix)}"
    ax.set_title(f"Documents x {what} ({shown} documents)")
    return fig


@register_figure("theme_quality", order=80)
@styled
def fig_theme_quality(result: RunResult, *, figsize: tuple[float, float] | None = None) -> Figure:
    """Draw coherence (NPMI, C_v) per theme for every view, with diversity annotations.

    One panel per view of ``result.views``, in order.

    Parameters
    ----------
    result : RunResult
        Uses each theme's ``coherence`` and each view's ``metrics``.
    figsize : tuple of float, optional
        Figure size in inches (default: 6.5 inches wide per view).

    Returns
    -------
    Figure
        The figure drawn on.
    """
    from matplotlib.figure import Figure

    views = list(result.views.values())
    n_max = max([len(v.table) for v in views] + [1])
    width = 6.5 * max(len(views), 1)
    fig = Figure(figsize=figsize or (width, max(3.8, 2.0 + 0.42 * n_max)), layout="constrained")
    if not views:
        message(fig.add_subplot(), "no views")
    axes = fig.subplots(1, len(views), squeeze=False)[0] if views else []
    for ax, v in zip(axes, views, strict=True):
        table = v.table
        title = v.title or v.name
        if len(table) == 0:
            message(ax, f"no {title.lower()}")
            ax.set_title(title)
            continue
        ypos = np.arange(len(table))
        h = 0.38
        for k, (key, color, name) in enumerate(
            (("npmi", "#4c72b0", "NPMI"), ("c_v", "#dd8452", "C_v"))
        ):
            vals = np.array([t.coherence.get(key, np.nan) for t in table], dtype=float)
            offs = ypos + (k - 0.5) * h
            ax.barh(offs, np.nan_to_num(vals), height=h, color=color, label=name)
            for y, val in zip(offs, vals, strict=True):
                if not np.isfinite(val):
                    ax.text(0.01, y, "n/a", va="center", fontsize=7, color="#666666")
        ax.axvline(0.0, color="#333333", lw=0.8)
        ax.set_yticks(ypos, [theme_name(t, t.id, 32) for t in table])
        ax.invert_yaxis()
        ax.set_xlim(-1.0, 1.0)
        ax.set_xlabel("coherence per theme")
        ax.set_title(title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        ax.text(
            1.02,
            0.0,
            _metrics_note(v.metrics),
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=8,
            bbox={"boxstyle": "round", "fc": "white", "ec": "#bbbbbb"},
        )
    fig.suptitle("Theme quality: coherence per theme; topic diversity of each view")
    return fig


def _metrics_note(metrics: dict[str, Any]) -> str:
    """Mean coherence, diversity and silhouette of one view, one per line."""
    lines = []
    for key, name in (
        ("npmi", "mean NPMI"),
        ("c_v", "mean C_v"),
        ("diversity", "diversity"),
        ("silhouette", "silhouette"),
        ("outlier_share", "outliers"),
    ):
        value = metrics.get(key)
        if isinstance(value, int | float) and np.isfinite(value):
            lines.append(f"{name}: {value:.3f}")
    return "\n".join(lines) if lines else "no metrics"
