"""Figures of the derived tables: themes over time, themes by class, stability.

Each reads ``result.analyses`` (or ``result.run_metrics``) and is left out of runs
without the table it draws. Importing this module does not import matplotlib.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from topiclab.outputs.plotting import message, styled, theme_color
from topiclab.outputs.registry import register_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from topiclab.themes import RunResult

logger = logging.getLogger(__name__)

__all__ = ["fig_themes_by_class", "fig_themes_over_time"]

#: Themes drawn as lines in the top panel of the time figure (all go in the heatmap).
MAX_LINES = 8


def _short(label: str, n: int = 34) -> str:
    label = str(label)
    return label if len(label) <= n else label[: n - 1] + "…"


def _missing(name: str) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 2.0), layout="constrained")
    message(fig.add_subplot(), f"this run has no {name} table")
    return fig


def _spread(values: dict[Any, float], gap: float, top: float) -> dict[Any, float]:
    """Return label heights near ``values``, at least ``gap`` apart and at most ``top``."""
    order = sorted(values, key=lambda k: values[k])
    out: dict[Any, float] = {}
    last = -np.inf
    for k in order:
        out[k] = max(values[k], last + gap)
        last = out[k]
    if order and out[order[-1]] > top:  # too high: stack down from the top instead
        for i, k in enumerate(reversed(order)):
            out[k] = min(out[k], top - i * gap)
    return out


def _matrix(frame: pd.DataFrame, group: str, order: list[Any]) -> pd.DataFrame:
    """Themes x groups of shares."""
    m = frame.pivot_table(index="theme", columns=group, values="share", aggfunc="first")
    return m.reindex(columns=order).fillna(0.0)


def _heatmap(ax: Axes, m: pd.DataFrame, labels: dict[int, str], xlabels: list[str]) -> None:
    im = ax.imshow(m.to_numpy(), aspect="auto", cmap="Blues", vmin=0.0, interpolation="nearest")
    ax.set_yticks(range(len(m.index)))
    ax.set_yticklabels([f"{t} {_short(labels.get(int(t), ''))}" for t in m.index], fontsize=7)
    step = max(1, len(xlabels) // 16)
    ax.set_xticks(range(0, len(xlabels), step))
    ax.set_xticklabels(
        [xlabels[i] for i in range(0, len(xlabels), step)], rotation=45, ha="right", fontsize=7
    )
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label="share of documents")


@register_figure("themes_over_time", order=90, analysis="themes_over_time")
@styled
def fig_themes_over_time(result: RunResult) -> Figure:
    """Draw each theme's share of the documents per period.

    Top: the themes whose share moves most, one line each (up to eight), labelled at
    their last period. Bottom: every theme x period as a heatmap, readable with 30 themes.

    Parameters
    ----------
    result : RunResult
        A run with a ``themes_over_time`` table.

    Returns
    -------
    Figure
    """
    from matplotlib.figure import Figure

    a = getattr(result, "analyses", {}).get("themes_over_time")
    if a is None:
        return _missing("themes_over_time")
    frame = a.frame
    periods = list(dict.fromkeys(frame["period"].astype(str)))
    n_themes = int(frame["theme"].nunique()) if len(frame) else 0
    fig = Figure(figsize=(10.0, 4.0 + 0.22 * max(n_themes, 5)), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[1.0, max(0.6, 0.08 * n_themes)])
    info = a.info
    undated = info.get("undated", 0)
    fig.suptitle(
        f"Themes over time ({info.get('bin', '?')}; {info.get('dated', '?')} dated documents"
        + (f", {undated} undated left out" if undated else "")
        + ")",
        fontsize=11,
    )
    if frame.empty:
        message(top, "no dated document")
        message(bottom, "")
        return fig
    frame = frame.assign(period=frame["period"].astype(str))
    m = _matrix(frame, "period", periods)
    labels = dict(zip(frame["theme"].astype(int), frame["label"].astype(str), strict=False))
    spread = (m.max(axis=1) - m.min(axis=1)) + m.mean(axis=1)
    chosen = list(spread.sort_values(ascending=False).index[:MAX_LINES])
    x = np.arange(len(periods))
    ymax = max(0.05, float(m.to_numpy().max()) * 1.1)
    ends = {t: float(m.loc[t].to_numpy()[-1]) for t in chosen}
    placed = _spread(ends, gap=ymax * 0.06, top=ymax * 0.97)
    for t in chosen:
        y = m.loc[t].to_numpy()
        color = theme_color(int(t))
        top.plot(x, y, marker="o" if len(x) < 30 else None, ms=3, lw=1.6, color=color)
        top.annotate(
            f"{t} {_short(labels.get(int(t), ''), 26)}",
            (x[-1], y[-1]),
            xytext=(x[-1] + 0.3, placed[t]),
            textcoords="data",
            fontsize=7,
            color=color,
            va="center",
            arrowprops={"arrowstyle": "-", "color": color, "lw": 0.5},
        )
    top.set_xlim(-0.3, len(x) - 1 + max(1.5, 0.25 * len(x)))
    top.set_ylim(0, ymax)
    top.set_ylabel("share of documents")
    step = max(1, len(periods) // 16)
    top.set_xticks(x[::step])
    top.set_xticklabels(periods[::step], rotation=45, ha="right", fontsize=7)
    top.set_title(f"{len(chosen)} themes that change most", fontsize=9, loc="left")
    n_docs = frame.drop_duplicates("period").set_index("period")["n_documents"]
    counts = ", ".join(f"{p}: {int(n_docs.get(p, 0))}" for p in periods[:6])
    bottom.set_title(
        "every theme (documents per period: " + counts + (" …" if len(periods) > 6 else "") + ")",
        fontsize=9,
        loc="left",
    )
    _heatmap(bottom, m, labels, periods)
    return fig


@register_figure("themes_by_class", order=91, analysis="themes_by_")
@styled
def fig_themes_by_class(result: RunResult) -> Figure:
    """Draw each theme's share of the documents of every class (one panel per column).

    Parameters
    ----------
    result : RunResult
        A run with one or more ``themes_by_<column>`` tables (the first three are drawn).

    Returns
    -------
    Figure
    """
    from matplotlib.figure import Figure

    found = getattr(result, "analyses", {}).items()
    tables = [a for name, a in found if name.startswith("themes_by_")][:3]
    if not tables:
        return _missing("themes_by_<column>")
    n_themes = max((int(a.frame["theme"].nunique()) for a in tables if len(a.frame)), default=5)
    fig = Figure(
        figsize=(4.0 + 3.2 * len(tables), 2.0 + 0.24 * max(n_themes, 5)), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(1, len(tables)))
    for ax, a in zip(axes, tables, strict=True):
        column = a.info.get("class_column") or a.info.get("column", a.name[len("themes_by_") :])
        frame = a.frame
        if frame.empty:
            message(ax, f"no value in {column}")
            continue
        classes = list(dict.fromkeys(frame[column].astype(str)))[:25]
        frame = frame.assign(**{column: frame[column].astype(str)})
        m = _matrix(frame, column, classes)
        labels = dict(zip(frame["theme"].astype(int), frame["label"].astype(str), strict=False))
        sizes = frame.drop_duplicates(column).set_index(column)["n_documents"]
        _heatmap(ax, m, labels, [f"{c} ({int(sizes.get(c, 0))})" for c in classes])
        ax.set_title(f"by {a.info.get('column', column)}", fontsize=10, loc="left")
        if a.info.get("n_classes", 2) == 1:
            ax.set_xlabel("one value only: shares equal the overall shares", fontsize=8)
    return fig


@register_figure("stability", order=92, analysis="stability")
@styled
def fig_stability(result: RunResult) -> Figure:
    """Draw each theme's reappearance across seeds, one panel per view, with the mean ARI.

    Parameters
    ----------
    result : RunResult
        A run fitted with ``stability`` >= 2.

    Returns
    -------
    Figure
    """
    from matplotlib.figure import Figure

    a = getattr(result, "analyses", {}).get("stability")
    if a is None:
        return _missing("stability")
    frame = a.frame
    views = list(dict.fromkeys(frame["view"])) if len(frame) else []
    n = max((int((frame["view"] == v).sum()) for v in views), default=3)
    fig = Figure(figsize=(6.5 * max(1, len(views)), 1.8 + 0.3 * n), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(1, len(views))))
    if not views:
        message(axes[0], "no stability measured")
        return fig
    for ax, name in zip(axes, views, strict=True):
        rows = frame[frame["view"] == name]
        y = np.arange(len(rows))
        colors = [
            theme_color(int(t)) if s else "#b0b0b0"
            for t, s in zip(rows["theme"], rows["stable"], strict=True)
        ]
        ax.barh(y, rows["reappearance"], color=colors)
        for yi, value in zip(y, rows["reappearance"], strict=True):
            ax.text(min(float(value), 0.9) + 0.01, yi, f"{value:.0%}", va="center", fontsize=7)
        ax.axvline(a.info.get("reappear_min", 0.5), color="#c44e52", lw=1, ls="--")
        ax.set_yticks(y)
        ax.set_yticklabels(
            [
                f"{t} {'[unstable] ' if not ok else ''}{_short(str(lbl).replace(' [unstable]', ''), 34)}"
                for t, lbl, ok in zip(rows["theme"], rows["label"], rows["stable"], strict=True)
            ],
            fontsize=7,
        )
        ax.invert_yaxis()
        ax.set_xlim(0, 1.02)
        ax.set_xlabel(
            f"reappears in this share of the other seeds (Jaccard >= {a.info.get('jaccard_match', 0.5)})",
            fontsize=8,
        )
        ari = (
            result.views[name].metrics.get("stability", {}).get("ari_mean")
            if name in result.views
            else None
        )
        title = result.views[name].title if name in result.views else name
        runs = len(a.info.get("seeds", []))
        heading = (
            f"{title}\nmean pairwise ARI {ari:.2f} over {runs} seeds" if ari is not None else title
        )
        ax.set_title(heading, fontsize=9, loc="left")
    return fig


@register_figure("k_selection", order=93, analysis="k_selection")
@styled
def fig_k_selection(result: RunResult) -> Figure:
    """Draw coherence, diversity, stability and their combined score against K, per view.

    Parameters
    ----------
    result : RunResult
        A run made with ``--choose-k``.

    Returns
    -------
    Figure
    """
    from matplotlib.figure import Figure

    a = getattr(result, "analyses", {}).get("k_selection")
    if a is None:
        return _missing("k_selection")
    frame = a.frame
    views = list(dict.fromkeys(frame["view"])) if len(frame) else []
    fig = Figure(figsize=(5.5 * max(1, len(views)), 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(1, len(views))))
    if not views:
        message(axes[0], "no K was tried")
        return fig
    styles = {
        "npmi": ("NPMI", "#4c72b0", "o"),
        "diversity": ("diversity", "#55a868", "s"),
        "stability": ("stability (ARI)", "#dd8452", "^"),
        "score": ("combined score (scaled)", "#222222", "D"),
    }
    for ax, name in zip(axes, views, strict=True):
        rows = frame[frame["view"] == name].sort_values("k")
        for col, (label, color, marker) in styles.items():
            ax.plot(
                rows["k"],
                rows[col],
                marker=marker,
                ms=4,
                color=color,
                label=label,
                lw=2.2 if col == "score" else 1.2,
            )
        chosen = rows.loc[rows["chosen"], "k"]
        used = rows.loc[rows["used"], "k"]
        if len(chosen):
            ax.axvline(int(chosen.iloc[0]), color="#222222", ls="--", lw=1)
        if len(used) and (not len(chosen) or int(used.iloc[0]) != int(chosen.iloc[0])):
            ax.axvline(int(used.iloc[0]), color="#c44e52", ls=":", lw=1.5, label="used (override)")
        title = result.views[name].title if name in result.views else name
        pick = f"chosen K = {int(chosen.iloc[0])}" if len(chosen) else ""
        ax.set_title(f"{title}: {pick}", fontsize=9, loc="left")
        ax.set_xlabel(f"K (coherence on {a.info.get('coherence_on', '?')})", fontsize=8)
        ax.set_xticks(rows["k"])
        ax.legend(fontsize=7, loc="best")
    return fig
