"""Figures of a run, one function per figure.

Every ``fig_*`` function reads a :class:`~topiclab.themes.RunResult` (plain data, never
estimator internals), draws on ``ax`` when one is given or on a new
:class:`matplotlib.figure.Figure`, and returns the figure; none calls ``show()`` or
``savefig()`` (:func:`topiclab.outputs.figures.render_all` saves them). Figures are made under
:func:`topiclab.outputs.fonts.rc_params`: Arabic and Chinese labels render with bundled fonts,
and ``$`` or markup in titles and terms is drawn literally.

The figures drawn from theme terms (``fig_theme_terms``, ``fig_lda_topic_words``,
``fig_intertopic_distance``, ``fig_theme_dendrogram``) live in :mod:`topiclab.outputs.plot_terms`
and can also be reached from this module.

Examples
--------
>>> from topiclab.outputs import plot                                  # doctest: +SKIP
>>> fig = plot.fig_passage_map(result)                           # doctest: +SKIP
>>> fig.savefig("map.png")                                       # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from topiclab.outputs.fonts import display_text, rc_params, script_families

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from topiclab.themes import RunResult, Theme, ThemeTable

__all__ = [
    "LANGUAGE_NAMES",
    "fig_doc_theme_heatmap",
    "fig_passage_map",
    "fig_theme_quality",
    "fig_theme_sizes",
]

#: Language codes -> names shown in legends and panel titles.
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "zh": "Chinese",
    "all": "All languages",
    "und": "Undetermined",
}
_LANGUAGE_COLORS = {"en": "#4c72b0", "ar": "#55a868", "zh": "#c44e52", "und": "#8c8c8c"}
_EXTRA_COLORS = ("#8172b3", "#937860", "#da8bc3", "#ccb974", "#64b5cd", "#dd8452")
_OUTLIER_COLOR = "#b0b0b0"
_THEME_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
)


# ----------------------------------------------------------------------------- helpers
def _styled(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Make the figure under the topiclab rcParams and set Arabic text in its font."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        import matplotlib as mpl

        with mpl.rc_context(rc_params()):
            fig = func(*args, **kwargs)
            _apply_script_fonts(fig)
        return fig

    return wrapper


def _apply_script_fonts(fig: Figure) -> None:
    """Give every text artist holding Arabic the Arabic-first family list."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        families = script_families(text.get_text())
        if families:
            text.set_fontfamily(families)


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _message(ax: Axes, text: str) -> None:
    """An empty panel that says why it is empty."""
    ax.text(0.5, 0.5, text, ha="center", va="center", color="#666666", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def theme_color(theme_id: int) -> str:
    """The fixed colour of a theme (grey for outliers, ``-1``)."""
    if theme_id < 0:
        return _OUTLIER_COLOR
    return _THEME_COLORS[theme_id % len(_THEME_COLORS)]


def language_colors(langs: list[str]) -> dict[str, str]:
    """Fixed colours for language codes (en, ar, zh first; others in sorted order)."""
    out = {}
    extra = iter(_EXTRA_COLORS * (1 + len(langs) // len(_EXTRA_COLORS)))
    for lang in langs:
        out[lang] = _LANGUAGE_COLORS.get(lang) or next(extra)
    return out


def language_order(langs: Any) -> list[str]:
    """Language codes en, ar, zh first, then the rest sorted; ``all`` dropped."""
    present = {str(x) for x in langs if str(x) != "all"}
    first = [lang for lang in ("en", "ar", "zh") if lang in present]
    return first + sorted(present - set(first))


def theme_name(theme: Theme | None, theme_id: int, max_len: int = 40) -> str:
    """``"id: label"`` ready to draw (Arabic shaped, truncated)."""
    if theme_id < 0:
        return "outliers"
    label = theme.label if theme is not None else ""
    text = f"{theme_id}: {label}" if label else str(theme_id)
    return display_text(text, max_len=max_len, ltr=True)


def _table(result: RunResult, view: str) -> ThemeTable:
    if view == "embedding":
        return result.themes
    if view == "lda":
        return result.topics
    raise ValueError(f"view must be 'embedding' or 'lda', got {view!r}")


def _mixture(result: RunResult, view: str) -> Any:
    return result.doc_themes if view == "embedding" else result.doc_topics


# ----------------------------------------------------------------------------- figures
@_styled
def fig_passage_map(result: RunResult, ax: Axes | None = None, *, max_legend: int = 20) -> Figure:
    """Passages on the 2-D map, coloured by theme, labelled at each theme's median.

    Marker shapes tell the languages apart; the legend lists the theme labels.

    Parameters
    ----------
    result : RunResult
        Uses ``passages`` (``x``, ``y``, ``theme``, ``lang``) and ``themes``.
    ax : Axes, optional
        Draw here instead of on a new figure.
    max_legend : int
        Themes listed in the legend at most (the largest).
    """
    from matplotlib.lines import Line2D

    fig, ax = _new_axes(ax, (10.0, 7.0))
    p = result.passages
    if p is None or p.empty or not {"x", "y", "theme"} <= set(p.columns):
        _message(ax, "no passages with map coordinates")
        return fig
    themes = {t.id: t for t in result.themes}
    langs = language_order(p["lang"].fillna("und")) if "lang" in p else []
    markers = dict(zip(langs, "o^sDvP*Xh<>", strict=False))
    lang_col = p["lang"].fillna("und").astype(str) if "lang" in p else None
    ids = sorted(int(t) for t in p["theme"].unique())
    x_lo = float(p["x"].min())
    x_span = max(float(p["x"].max()) - x_lo, 1e-12)
    size = float(np.clip(6000.0 / max(len(p), 1), 8.0, 60.0))
    handles = []
    for tid in ids:
        sub = p[p["theme"] == tid]
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
        name = theme_name(themes.get(tid), tid, max_len=45)
        handles.append((len(sub), tid, Line2D([], [], ls="", marker="o", color=color, label=name)))
        if tid >= 0:
            mx = float(sub["x"].median())
            # near the left or right edge, the label extends inwards
            where = (mx - x_lo) / x_span
            ha = "left" if where < 0.2 else "right" if where > 0.8 else "center"
            ax.text(
                mx,
                float(sub["y"].median()),
                theme_name(themes.get(tid), tid, max_len=28),
                ha=ha,
                va="center",
                fontsize=8,
                zorder=4,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": color, "alpha": 0.85},
            )
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
    ax.margins(0.08)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Passages by theme ({len(p)} passages, {len(ids)} themes)")
    return fig


@_styled
def fig_theme_sizes(
    result: RunResult, ax: Axes | None = None, *, view: str = "embedding"
) -> Figure:
    """Passages per theme, as horizontal bars stacked by language.

    Parameters
    ----------
    result : RunResult
        Uses ``themes`` (or ``topics``): each theme's ``languages`` counts.
    ax : Axes, optional
        Draw here instead of on a new figure.
    view : {"embedding", "lda"}
        Embedding themes or LDA topics.
    """
    table = _table(result, view)
    n = len(table)
    fig, ax = _new_axes(ax, (9.0, max(3.0, 1.2 + 0.4 * n)))
    if n == 0:
        _message(ax, "no themes")
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
    what = "LDA topics" if view == "lda" else "Themes"
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


@_styled
def fig_doc_theme_heatmap(
    result: RunResult,
    ax: Axes | None = None,
    *,
    view: str = "embedding",
    max_docs: int = 40,
    title_len: int = 45,
) -> Figure:
    """Documents x themes: each document's share of each theme, titles as row labels.

    Documents are grouped by their dominant theme, strongest first; with more than
    ``max_docs`` documents, the strongest of each theme are kept in turn.

    Parameters
    ----------
    result : RunResult
        Uses ``doc_themes`` (or ``doc_topics``), ``documents`` (``title``) and the themes.
    ax : Axes, optional
        Draw here instead of on a new figure.
    view : {"embedding", "lda"}
        Embedding themes or LDA topics.
    max_docs : int
        Rows shown at most.
    title_len : int
        Characters of each title kept.
    """
    mix = _mixture(result, view)
    table = _table(result, view)
    n_rows = 0 if mix is None else min(len(mix), max_docs)
    n_cols = 0 if mix is None else mix.shape[1]
    fig, ax = _new_axes(ax, (max(7.0, 4.5 + 0.55 * n_cols), max(4.0, 2.2 + 0.26 * n_rows)))
    if mix is None or mix.empty or n_cols == 0:
        _message(ax, "no document mixtures")
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
        labels.append(display_text(title, max_len=title_len))
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
    what = "LDA topics" if view == "lda" else "themes"
    shown = f"{len(rows)} of {len(mix)}" if len(rows) < len(mix) else f"{len(mix)}"
    ax.set_title(f"Documents x {what} ({shown} documents)")
    return fig


@_styled
def fig_theme_quality(result: RunResult, *, figsize: tuple[float, float] | None = None) -> Figure:
    """Coherence (NPMI, C_v) per theme for both views, with diversity annotations.

    Parameters
    ----------
    result : RunResult
        Uses each theme's ``coherence`` and ``metrics`` per view.
    figsize : tuple of float, optional
        Figure size in inches.
    """
    from matplotlib.figure import Figure

    views = [("embedding", "Embedding themes"), ("lda", "LDA topics")]
    n_max = max(len(result.themes), len(result.topics), 1)
    fig = Figure(figsize=figsize or (13.0, max(3.8, 2.0 + 0.42 * n_max)), layout="constrained")
    axes = fig.subplots(1, 2, squeeze=False)[0]
    for ax, (view, title) in zip(axes, views, strict=True):
        table = _table(result, view)
        if len(table) == 0:
            _message(ax, f"no {title.lower()}")
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
            for y, v in zip(offs, vals, strict=True):
                if not np.isfinite(v):
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
            _metrics_note(result.metrics.get(view, {})),
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


_TERM_NAMES = (
    "classical_mds",
    "fig_intertopic_distance",
    "fig_lda_topic_words",
    "fig_theme_dendrogram",
    "fig_theme_terms",
    "term_distances",
    "theme_distances",
)


def __getattr__(name: str) -> Any:
    """Reach the figures and helpers of :mod:`topiclab.outputs.plot_terms` from this module."""
    if name in _TERM_NAMES:
        from topiclab.outputs import plot_terms

        return getattr(plot_terms, name)
    raise AttributeError(f"module 'topiclab.outputs.plot' has no attribute {name!r}")
