"""What every figure shares: colours, styling, empty panels, names and view lookup.

The figure modules (:mod:`topiclab.outputs.plot_themes`, :mod:`topiclab.outputs.plot_terms`)
build on these helpers. Every figure is made under :func:`topiclab.outputs.fonts.rc_params`
(see :func:`styled`): Arabic and Chinese labels render with bundled fonts, and ``$`` or
markup in titles and terms is drawn literally.

Importing this module does not import matplotlib.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from topiclab.outputs.fonts import display_text, rc_params, script_families

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from topiclab.themes import RunResult, Theme, ThemeTable, View

__all__ = [
    "EXTRA_COLORS",
    "LANGUAGE_COLORS",
    "LANGUAGE_NAMES",
    "MAIN_VIEW",
    "OUTLIER_COLOR",
    "THEME_COLORS",
    "apply_script_fonts",
    "get_view",
    "label_overlaps",
    "language_colors",
    "language_order",
    "message",
    "new_axes",
    "place_labels",
    "styled",
    "text_width",
    "theme_color",
    "theme_name",
    "view_heading",
    "view_mixture",
    "view_table",
    "wrap_text",
]

#: The view whose themes are "the themes" of a run: the passage map's colours, the
#: report's theme cards and document mixtures.
MAIN_VIEW = "embedding"

#: Language codes -> names shown in legends and panel titles.
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "zh": "Chinese",
    "all": "All languages",
    "und": "Undetermined",
}
#: Fixed colours of the main languages.
LANGUAGE_COLORS = {"en": "#4c72b0", "ar": "#55a868", "zh": "#c44e52", "und": "#8c8c8c"}
#: Colours of other languages, in turn.
EXTRA_COLORS = ("#8172b3", "#937860", "#da8bc3", "#ccb974", "#64b5cd", "#dd8452")
#: Colour of passages no theme holds.
OUTLIER_COLOR = "#b0b0b0"
#: Theme colours, by theme id (repeating).
THEME_COLORS = (
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


# ------------------------------------------------------------------------------ styling
def styled(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Make a figure function draw under the topiclab rcParams, Arabic in its own font.

    Parameters
    ----------
    func : callable
        A function returning a matplotlib ``Figure``.

    Returns
    -------
    callable
        The wrapped function: it runs ``func`` inside
        ``matplotlib.rc_context(rc_params())`` (global rcParams are left alone) and then
        applies :func:`apply_script_fonts` to the figure.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        import matplotlib as mpl

        with mpl.rc_context(rc_params()):
            fig = func(*args, **kwargs)
            apply_script_fonts(fig)
        return fig

    return wrapper


def apply_script_fonts(fig: Figure) -> None:
    """Give every text artist of ``fig`` holding Arabic the Arabic-first family list.

    Parameters
    ----------
    fig : Figure
        The figure whose texts are set.
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        families = script_families(text.get_text())
        if families:
            text.set_fontfamily(families)


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``ax`` and its figure, or a new constrained-layout figure with one axes.

    Parameters
    ----------
    ax : Axes or None
        Axes to draw on; None makes a new figure.
    figsize : tuple of float
        Size in inches of a new figure.

    Returns
    -------
    tuple of (Figure, Axes)
        The figure and the axes to draw on.
    """
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def message(ax: Axes, text: str) -> None:
    """Turn ``ax`` into an empty panel that says why it is empty.

    Parameters
    ----------
    ax : Axes
        The panel.
    text : str
        The reason, drawn in the middle.
    """
    ax.text(0.5, 0.5, text, ha="center", va="center", color="#666666", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


# ------------------------------------------------------------------------------ colours
def theme_color(theme_id: int) -> str:
    """Return the fixed colour of a theme (grey for outliers, ``-1``).

    Parameters
    ----------
    theme_id : int
        Theme number within its view.

    Returns
    -------
    str
        A ``#rrggbb`` colour.
    """
    if theme_id < 0:
        return OUTLIER_COLOR
    return THEME_COLORS[theme_id % len(THEME_COLORS)]


def language_colors(langs: list[str]) -> dict[str, str]:
    """Return fixed colours for language codes (en, ar, zh, und fixed; others in turn).

    Parameters
    ----------
    langs : list of str
        Language codes, in the order the other languages take their colours.

    Returns
    -------
    dict of str to str
        Language code -> ``#rrggbb`` colour.
    """
    out = {}
    extra = iter(EXTRA_COLORS * (1 + len(langs) // len(EXTRA_COLORS)))
    for lang in langs:
        out[lang] = LANGUAGE_COLORS.get(lang) or next(extra)
    return out


def language_order(langs: Iterable[Any]) -> list[str]:
    """Return the language codes en, ar, zh first, then the rest sorted; ``all`` dropped.

    Parameters
    ----------
    langs : iterable
        Language codes, repeats allowed.

    Returns
    -------
    list of str
        Each code once.
    """
    present = {str(x) for x in langs if str(x) != "all"}
    first = [lang for lang in ("en", "ar", "zh") if lang in present]
    return first + sorted(present - set(first))


def text_width(text: str) -> int:
    """Return the width of ``text`` in columns: Chinese, Japanese, Korean characters count 2.

    Examples
    --------
    >>> text_width("energy"), text_width("储能系统")
    (6, 8)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


_WIDE_OR_WORD = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
)


def wrap_text(text: str, width: int = 24, max_lines: int = 3) -> str:
    r"""Wrap ``text`` into lines of at most ``width`` columns, by script-aware rules.

    Words of space-separated scripts (English, Arabic) are never cut; Chinese may break
    between any two characters and counts two columns per character. Text beyond
    ``max_lines`` lines ends with an ellipsis at a word or character boundary, so a
    shortened Arabic title stays whole words and shapes correctly.

    Parameters
    ----------
    text : str
    width : int, default=24
        Columns per line (a word longer than that gets a line of its own).
    max_lines : int, default=3
        Lines at most (1: shorten to one line).

    Returns
    -------
    str
        Lines joined with ``"\n"``.

    Examples
    --------
    >>> wrap_text("Energy storage system, CIIE and Toyota", 20)
    'Energy storage\nsystem, CIIE and\nToyota'
    >>> wrap_text("中国国际进口博览会储能系统", 10, max_lines=1)
    '中国国际…'
    """
    units = _WIDE_OR_WORD.findall(" ".join(str(text).split()))
    lines: list[str] = []
    line, used = "", 0
    for unit in units:
        wide = text_width(unit) == 2 and len(unit) == 1
        join = "" if (not line or wide or _last_wide(line)) else " "
        w = text_width(unit) + len(join)
        if line and used + w > width:
            lines.append(line)
            line, used = unit, text_width(unit)
        else:
            line, used = line + join + unit, used + w
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last) + 1 > width:
            cut = _WIDE_OR_WORD.findall(last)[:-1]
            last = _rejoin(cut)
        lines = [*lines[: max_lines - 1], (last + "…") if last else "…"]
    return "\n".join(lines)


def _last_wide(line: str) -> bool:
    return bool(line) and text_width(line[-1]) == 2


def _rejoin(units: list[str]) -> str:
    out = ""
    for u in units:
        wide = text_width(u) == 2 and len(u) == 1
        out += u if (not out or wide or _last_wide(out)) else " " + u
    return out


def theme_name(theme: Theme | None, theme_id: int, max_len: int = 40, max_lines: int = 3) -> str:
    """Return ``"id: label"`` ready to draw: wrapped (never cut mid-word), Arabic shaped.

    Parameters
    ----------
    theme : Theme or None
        The theme, for its label; None draws the id alone.
    theme_id : int
        Theme number; negative numbers are the outliers.
    max_len : int
        Columns per line (Chinese characters count two).
    max_lines : int
        Lines at most; a label longer than that ends with an ellipsis.

    Returns
    -------
    str
        The label to draw.
    """
    if theme_id < 0:
        return "outliers"
    label = theme.label if theme is not None else ""
    text = f"{theme_id}: {label}" if label else str(theme_id)
    return display_text(wrap_text(text, max_len, max_lines), ltr=True)


def place_labels(
    ax: Axes,
    x: Sequence[float],
    y: Sequence[float],
    labels: Sequence[str],
    *,
    points_x: Sequence[float] | None = None,
    points_y: Sequence[float] | None = None,
    colors: Sequence[str] | None = None,
    fontsize: float = 8,
) -> list[Any]:
    """Place labels beside their anchor points without covering points or each other.

    Uses ``textalloc``, chosen over ``adjustText`` on ``benchmarks/label_placement.py``
    (saved in ``benchmarks/results/label_placement.txt``): on seeded maps of 5 and 50
    themes it left no two labels overlapping and hid fewer points (87 of 1,000 at 50
    themes, against 16 overlapping pairs and 263 hidden points with adjustText), in less
    time. Each label gets a thin leader line to its anchor.

    Parameters
    ----------
    ax : Axes
        Axes already holding the points (their limits are final).
    x, y : sequence of float
        Anchor of each label.
    labels : sequence of str
        Texts, ready to draw (see :func:`theme_name`).
    points_x, points_y : sequence of float, optional
        Every point the labels must not cover (default: the anchors).
    colors : sequence of str, optional
        Leader-line colour per label.
    fontsize : float, default=8

    Returns
    -------
    list of matplotlib.text.Text
        The labels drawn.
    """
    import numpy as np
    import textalloc

    if len(labels) == 0:
        return []
    px = np.asarray(x if points_x is None else points_x, dtype=float)
    py = np.asarray(y if points_y is None else points_y, dtype=float)
    before = set(ax.texts)
    fig = ax.figure
    if getattr(fig.canvas, "get_renderer", None) is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None:  # place in the final axes size (legends outside shrink it)
        engine.execute(fig)
    textalloc.allocate(
        ax,
        np.asarray(x, dtype=float),
        np.asarray(y, dtype=float),
        list(labels),
        x_scatter=px,
        y_scatter=py,
        textsize=fontsize,
        draw_lines=True,
        linecolor=list(colors) if colors is not None else "#777777",
        linewidth=0.6,
        margin=0.01,
        min_distance=0.015,
        max_distance=0.25,
        nbr_candidates=300,
        draw_all=True,
        avoid_label_lines_overlap=True,
    )
    return [t for t in ax.texts if t not in before]


def label_overlaps(
    ax: Axes, texts: Sequence[Any], px: Sequence[float], py: Sequence[float]
) -> dict[str, int]:
    """Count label/label overlaps and points covered by labels (display coordinates).

    Parameters
    ----------
    ax : Axes
    texts : sequence of matplotlib.text.Text
    px, py : sequence of float
        Points (data coordinates).

    Returns
    -------
    dict
        ``label_pairs`` (pairs of labels whose boxes intersect) and ``points_covered``
        (points inside some label's box).
    """
    import numpy as np

    fig = ax.figure
    if getattr(fig.canvas, "get_renderer", None) is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    pairs = sum(
        1
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    )
    pts = ax.transData.transform(np.column_stack([px, py])) if len(px) else np.zeros((0, 2))
    covered = sum(1 for p in pts if any(b.contains(p[0], p[1]) for b in boxes))
    return {"label_pairs": int(pairs), "points_covered": int(covered)}


# -------------------------------------------------------------------------------- views
def get_view(result: RunResult, view: str) -> View:
    """Return the view called ``view`` of ``result``.

    Parameters
    ----------
    result : RunResult
        The run.
    view : str
        A key of ``result.views`` (``"embedding"``, ``"lda"``, ...).

    Returns
    -------
    View
        The view.

    Raises
    ------
    ValueError
        When the run has no such view; the message lists the views it has.
    """
    try:
        return result.views[view]
    except KeyError:
        raise ValueError(
            f"this run has no view {view!r}; available views: {list(result.views)}"
        ) from None


def view_table(result: RunResult, view: str) -> ThemeTable:
    """Return the themes of one view of ``result``.

    Parameters
    ----------
    result : RunResult
        The run.
    view : str
        A key of ``result.views``.

    Returns
    -------
    ThemeTable
        The view's themes.

    Raises
    ------
    ValueError
        When the run has no such view.
    """
    return get_view(result, view).table


def view_mixture(result: RunResult, view: str) -> pd.DataFrame:
    """Return the documents x themes mixture of one view of ``result``.

    Parameters
    ----------
    result : RunResult
        The run.
    view : str
        A key of ``result.views``.

    Returns
    -------
    DataFrame
        Documents x themes, indexed by ``doc_id``.

    Raises
    ------
    ValueError
        When the run has no such view.
    """
    return get_view(result, view).mixture


def view_heading(result: RunResult, view: str, *, lower: bool = False) -> str:
    """Return what a figure calls the themes of a view: "Themes", "LDA topics", ...

    The main view's themes are just "Themes"; any other view is called by its title.

    Parameters
    ----------
    result : RunResult
        The run.
    view : str
        A key of ``result.views``.
    lower : bool
        Lower-case "themes" for the main view, for use inside a sentence.

    Returns
    -------
    str
        The name.

    Raises
    ------
    ValueError
        When the run has no such view.
    """
    v = get_view(result, view)
    if v.name == MAIN_VIEW or not v.title:
        return "themes" if lower else "Themes"
    return v.title
