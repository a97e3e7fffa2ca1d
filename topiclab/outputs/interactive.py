"""Interactive charts for notebooks, drawn with plotly and fully offline.

Each chart is the interactive twin of a registered static figure and reads the same
plain data (:class:`~topiclab.themes.RunResult`): :func:`passage_map` (``passage_map``),
:func:`term_bars` (``theme_terms``), :func:`theme_sizes` (``theme_sizes``) and
:func:`theme_hierarchy` (``theme_dendrogram``). They return ``plotly.graph_objects.Figure``
objects: leave one as the last expression of a cell, call ``.show()``, or write a
standalone page with :func:`write_html`.

Why plotly. The passage map has to stay smooth at 100,000 points and work with no network
at view time. plotly's ``Scattergl`` draws with WebGL; its JavaScript (``plotly.min.js``,
about 4.6 MB) ships inside the PyPI wheel, JupyterLab renders figures through the
``jupyterlab-plotly`` extension that the same wheel installs, the classic notebook renderer
embeds the script instead of linking a CDN, and the package needs only ``narwhals`` and
``packaging``. datamapplot draws beautiful maps but its interactive pages load deck.gl,
d3, jQuery and Apache Arrow from unpkg and other CDNs (its offline mode downloads them
once, which needs the network) and it pulls in datashader, numba, dask and scikit-image.
bokeh embeds offline (``bokeh.min.js`` + ``bokeh-gl.min.js``, about 1.5 MB) but its
notebook output needs the ``jupyter_bokeh`` extension in JupyterLab and brings tornado,
pillow, jinja2 and contourpy.

plotly is a main dependency, so the notebooks run after the plain install.

Examples
--------
>>> from topiclab.outputs import interactive
>>> interactive.passage_map(result, search="battery")        # doctest: +SKIP
>>> interactive.term_bars(result, theme=0)                    # doctest: +SKIP
>>> interactive.write_html(interactive.theme_sizes(result), "sizes.html")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from topiclab.outputs.plotting import (
    LANGUAGE_NAMES,
    MAIN_VIEW,
    OUTLIER_COLOR,
    get_view,
    language_colors,
    language_order,
    theme_color,
    view_heading,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from topiclab.themes import RunResult

logger = logging.getLogger(__name__)

__all__ = [
    "HOVER_CHARS",
    "LARGE_MAP",
    "passage_map",
    "term_bars",
    "theme_hierarchy",
    "theme_sizes",
    "write_html",
]

#: Characters of a passage shown on hover.
HOVER_CHARS = 300
#: Above this many passages, hover text keeps 120 characters so the figure stays small.
LARGE_MAP = 20_000


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("interactive charts need plotly: pip install plotly") from exc
    return go


def _wrap(text: str, width: int = 60) -> str:
    """Escape ``text`` for a plotly hover label and break it into lines of ``width``."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return "<br>".join(html.escape(x) for x in lines)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def passage_map(
    result: RunResult,
    *,
    view: str = MAIN_VIEW,
    search: str | None = None,
    hover_chars: int | None = None,
    height: int = 640,
) -> go.Figure:
    """Draw every passage on the 2-D map, coloured by theme, with its text on hover.

    One WebGL trace per theme: click a legend entry to hide a theme, double-click to show
    it alone; drag to zoom, double-click the plot to zoom out. Every passage is drawn.

    Parameters
    ----------
    result : RunResult
        Uses ``result.passages`` (``x``, ``y``, ``text``, ``lang``, ``doc_id`` and the
        view's theme column) and the view's theme labels.
    view : str, default "embedding"
        The view whose themes colour the map.
    search : str, optional
        Highlight the passages whose text contains this string (case-insensitive): they
        are drawn on top with a black outline and the rest fade; the title gives the count.
    hover_chars : int, optional
        Characters of each passage shown on hover (default :data:`HOVER_CHARS`, or 120
        above :data:`LARGE_MAP` passages).
    height : int, default 640
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        The map.

    Raises
    ------
    ValueError
        When the run has no such view or its passages have no map coordinates.
    """
    go = _plotly()
    v = get_view(result, view)
    passages = result.passages
    if not {"x", "y"} <= set(passages.columns):
        raise ValueError("the passages of this run have no map coordinates (columns x, y)")
    n = len(passages)
    chars = hover_chars or (HOVER_CHARS if n <= LARGE_MAP else 120)
    column = v.column or "theme"
    themes = (
        passages[column].fillna(-1).astype(int).to_numpy()
        if column in passages.columns
        else np.full(n, -1)
    )
    texts = passages["text"].fillna("").astype(str).tolist() if "text" in passages else [""] * n
    langs = passages["lang"].fillna("und").astype(str).tolist() if "lang" in passages else [""] * n
    docs = passages["doc_id"].fillna("").astype(str).tolist() if "doc_id" in passages else [""] * n
    labels = {t.id: t.label for t in v.table}
    x = passages["x"].to_numpy(dtype=float)
    y = passages["y"].to_numpy(dtype=float)
    hover = [
        f"{html.escape(d)} · {html.escape(LANGUAGE_NAMES.get(lang, lang))}<br>"
        f"{_wrap(_clip(' '.join(t.split()), chars))}"
        for t, lang, d in zip(texts, langs, docs, strict=True)
    ]
    matches = np.zeros(n, dtype=bool)
    if search:
        q = search.lower()
        matches = np.array([q in t.lower() for t in texts], dtype=bool)
    size = 3 if n > LARGE_MAP else (5 if n > 2000 else 7)
    order = sorted(set(themes.tolist()), key=lambda t: (t < 0, t))
    fig = go.Figure()
    for tid in order:
        idx = np.flatnonzero(themes == tid)
        name = "outliers" if tid < 0 else f"{tid}: {labels.get(tid, '')}"
        fig.add_trace(
            go.Scattergl(
                x=x[idx],
                y=y[idx],
                mode="markers",
                name=_clip(name, 48),
                marker={
                    "size": size,
                    "color": OUTLIER_COLOR if tid < 0 else theme_color(tid),
                    "opacity": 0.25 if search else (0.5 if tid < 0 else 0.85),
                },
                hovertext=[hover[i] for i in idx],
                hoverinfo="text",
                hoverlabel={"namelength": -1},
                customdata=idx,
            )
        )
    title = f"{view_heading(result, view)}: {n:,} passages"
    if search:
        idx = np.flatnonzero(matches)
        fig.add_trace(
            go.Scattergl(
                x=x[idx],
                y=y[idx],
                mode="markers",
                name=f"contains “{_clip(search, 30)}” ({len(idx)})",
                marker={
                    "size": size + 4,
                    "color": [theme_color(int(themes[i])) for i in idx],
                    "line": {"width": 1.5, "color": "#000000"},
                },
                hovertext=[hover[i] for i in idx],
                hoverinfo="text",
                customdata=idx,
            )
        )
        title += f" · {len(idx):,} contain “{html.escape(_clip(search, 30))}”"
    fig.update_layout(
        title=title,
        height=height,
        template="plotly_white",
        legend={"title": {"text": "theme (click to hide)"}, "itemsizing": "constant"},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        hovermode="closest",
        dragmode="zoom",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def term_bars(
    result: RunResult, theme: int, *, view: str = MAIN_VIEW, n_terms: int = 10
) -> go.Figure:
    """Draw the best terms of one theme as bars, one panel per language.

    Parameters
    ----------
    result : RunResult
        Uses the view's theme table (terms per language).
    theme : int
        The theme's id.
    view : str, default "embedding"
        The view the theme belongs to.
    n_terms : int, default 10
        Terms per language.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar panel per language (all languages together when the theme has
        no per-language terms).

    Raises
    ------
    ValueError
        When the view has no theme ``theme``.
    """
    go = _plotly()
    from plotly.subplots import make_subplots

    table = get_view(result, view).table
    found = [t for t in table if t.id == theme]
    if not found:
        raise ValueError(f"view {view!r} has no theme {theme}; ids: {[t.id for t in table]}")
    t = found[0]
    langs = language_order(t.terms) or (["all"] if "all" in t.terms else [])
    colors = language_colors(langs)
    fig = make_subplots(
        rows=1,
        cols=max(1, len(langs)),
        subplot_titles=[LANGUAGE_NAMES.get(lang, lang) for lang in langs],
        horizontal_spacing=0.12,
    )
    for i, lang in enumerate(langs, start=1):
        terms = t.terms.get(lang, [])[:n_terms]
        fig.add_trace(
            go.Bar(
                x=[float(w) for _w, w in terms],
                y=[w.replace("_", " ") for w, _ in terms],
                orientation="h",
                marker_color=colors.get(lang, theme_color(t.id)),
                name=LANGUAGE_NAMES.get(lang, lang),
                hovertemplate="%{y}: %{x:.4f}<extra></extra>",
            ),
            row=1,
            col=i,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=i)
    fig.update_layout(
        title=f"{view_heading(result, view)} #{t.id}: {t.label} ({t.size} passages)",
        showlegend=False,
        template="plotly_white",
        height=max(320, 60 + 28 * n_terms),
        margin={"l": 10, "r": 10, "t": 70, "b": 30},
    )
    return fig


def theme_sizes(result: RunResult, *, view: str = MAIN_VIEW, by: str = "lang") -> go.Figure:
    """Draw the passages of each theme as bars stacked by language or by source.

    Parameters
    ----------
    result : RunResult
        Uses the view's theme table (``by="lang"``) or the passages joined with the
        documents' ``source`` column (``by="source"``).
    view : str, default "embedding"
        The view drawn.
    by : {"lang", "source"}
        What the stacks are.

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal stacked bars, one per theme; click a legend entry to hide a stack.

    Raises
    ------
    ValueError
        When ``by`` is neither ``"lang"`` nor ``"source"``, or the run has no such view.
    """
    go = _plotly()
    v = get_view(result, view)
    table = v.table
    names = [f"{t.id}: {_clip(t.label, 40)}" for t in table]
    fig = go.Figure()
    if by == "lang":
        langs = language_order(lang for t in table for lang in t.languages)
        colors = language_colors(langs)
        for lang in langs:
            fig.add_trace(
                go.Bar(
                    x=[t.languages.get(lang, 0) for t in table],
                    y=names,
                    orientation="h",
                    name=LANGUAGE_NAMES.get(lang, lang),
                    marker_color=colors[lang],
                )
            )
    elif by == "source":
        passages = result.passages
        column = v.column or "theme"
        sources = (
            result.documents.set_index("doc_id")["source"]
            if "source" in (result.documents.columns)
            else None
        )
        if sources is None or column not in passages.columns:
            raise ValueError("this run has no document sources or no theme column to count")
        frame = passages[["doc_id", column]].copy()
        frame["source"] = frame["doc_id"].map(sources).fillna("unknown").astype(str)
        frame.loc[frame["source"].str.strip() == "", "source"] = "unknown"
        counts = frame.groupby([column, "source"]).size().unstack(fill_value=0)
        top = counts.sum().sort_values(ascending=False).index.tolist()
        for src in top:
            fig.add_trace(
                go.Bar(
                    x=[int(counts.at[t.id, src]) if t.id in counts.index else 0 for t in table],
                    y=names,
                    orientation="h",
                    name=_clip(src, 30),
                )
            )
    else:
        raise ValueError(f"by must be 'lang' or 'source', not {by!r}")
    what = "language" if by == "lang" else "source"
    fig.update_layout(
        barmode="stack",
        title=f"{view_heading(result, view)}: passages per theme, by {what}",
        template="plotly_white",
        yaxis={"autorange": "reversed"},
        xaxis={"title": {"text": "passages"}},
        height=max(320, 120 + 32 * len(table)),
        legend={"title": {"text": what}},
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig


def theme_hierarchy(result: RunResult, *, view: str = MAIN_VIEW) -> go.Figure:
    """Draw the hierarchy of themes as a dendrogram (average linkage).

    The distances are those of the static ``theme_dendrogram`` figure
    (:func:`topiclab.outputs.plot_terms.theme_distances`: the mean of the term
    Jensen-Shannon distance and the document-mixture cosine distance).

    Parameters
    ----------
    result : RunResult
        Uses the view's theme table and document mixture.
    view : str, default "embedding"
        The view drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        The dendrogram, leaves labelled ``"id: label"``.

    Raises
    ------
    ValueError
        When the view has fewer than two themes.
    """
    _plotly()
    import plotly.figure_factory as ff
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    from topiclab.outputs.plot_terms import theme_distances

    table = get_view(result, view).table
    if len(table) < 2:
        raise ValueError("a hierarchy needs two themes or more")
    condensed = squareform(theme_distances(result, view), checks=False)
    labels = [f"{t.id}: {_clip(t.label, 40)}" for t in table]
    fig = ff.create_dendrogram(
        np.arange(len(table), dtype=float)[:, None],
        orientation="left",
        labels=labels,
        distfun=lambda _x: condensed,
        linkagefun=lambda d: linkage(d, method="average"),
    )
    fig.update_layout(
        title=f"{view_heading(result, view)}: hierarchy",
        autosize=True,
        width=None,
        template="plotly_white",
        height=max(320, 100 + 30 * len(table)),
        xaxis={"title": {"text": "distance (term Jensen-Shannon and document cosine)"}},
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig


# A search box above the chart: typing selects (and so highlights) the points whose hover
# text contains the query, in every trace; an empty box shows all points again.
_SEARCH_SCRIPT = """
(function () {
  var gd = document.getElementById('{plot_id}');
  var box = document.createElement('input');
  box.type = 'search';
  box.className = 'topiclab-search';
  box.placeholder = 'Search passages…';
  box.setAttribute('aria-label', 'Search passages');
  box.style.width = '24em';
  box.style.margin = '8px';
  gd.parentNode.insertBefore(box, gd);
  box.addEventListener('input', function () {
    var q = box.value.trim().toLowerCase();
    var sel = gd.data.map(function (t) {
      if (!q) { return null; }
      var out = [];
      (t.hovertext || []).forEach(function (h, i) {
        if (String(h).toLowerCase().indexOf(q) >= 0) { out.push(i); }
      });
      return out;
    });
    Plotly.restyle(gd, {selectedpoints: sel});
    gd.setAttribute('data-matches', String(sel.reduce(function (n, s) {
      return n + (s ? s.length : 0);
    }, 0)));
  });
})();
"""


def write_html(fig: go.Figure, path: str | os.PathLike[str], *, search_box: bool = False) -> Path:
    """Write ``fig`` as one self-contained HTML page (plotly.js inline, no CDN), atomically.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A chart of this module (or any plotly figure).
    path : str or path-like
        The file to write; parent folders are created.
    search_box : bool, default False
        Add a search box above the chart that highlights the points whose hover text
        contains what is typed (for :func:`passage_map`: the passage text).

    Returns
    -------
    Path
        The written file.
    """
    from topiclab.storage.atomic import write_text

    page = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        config={"scrollZoom": True, "displaylogo": False},
        post_script=_SEARCH_SCRIPT if search_box else None,
    )
    target = Path(path)
    write_text(target, page)
    logger.info("interactive chart written to %s (%.1f MB)", target, len(page) / 1e6)
    return target
