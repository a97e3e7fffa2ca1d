r"""A self-contained HTML report of a run.

:func:`write_report` writes one HTML file that needs nothing but a browser: the styles and
the script are inline, the run's data travels inside the page as a JSON block, and a strict
Content-Security-Policy forbids every network request. The page shows

* a passage map (the 2-D coordinates of every passage, coloured by theme; hover a point to
  read the passage, click a point or a legend entry to filter the page to that theme;
  scroll to zoom, drag to pan). It is drawn on a canvas and every passage is drawn, none
  sampled away: the level of detail changes with the count (discs with a rim up to 3,000
  points, plain discs up to 20,000, small squares written straight into an image buffer
  above), and above 20,000 passages the
  tooltip text is clipped to 160 characters instead of 400,
* one card per theme of the main view, the embedding themes (label, size, terms per
  language, representative passages, coherence),
* one section per other view of ``result.views`` (the LDA topics, and any view a stage
  adds), with its metrics and one card per theme,
* a searchable, sortable table of documents with their main-view theme mixture, shown
  100 rows a page,
* the cleaning summary (counts per step and action, and every record), and the run's
  metrics and provenance.

Every section is also rendered as static HTML on the server
(:mod:`topiclab.outputs.report_static`: the map as a PNG, tables for the rest), so the page
reads without JavaScript; the script replaces each section with its interactive version.
Representative passages are named by their article's title, date and source
(:func:`citations`), not by file.

Corpus text is never parsed as HTML in the page script: it is escaped inside the JSON block (``<``, ``>``,
``&``, U+2028 and U+2029 become ``\uXXXX``) and the page script inserts it with
``textContent`` only; the static sections HTML-escape it.

Examples
--------
>>> from topiclab.outputs.report import write_report
>>> write_report(result, "runs/demo/report.html", title="Demo run")  # doctest: +SKIP
PosixPath('runs/demo/report.html')
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import json
import logging
import math
import os
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topiclab.outputs.plotting import MAIN_VIEW
from topiclab.outputs.report_run import run_section_html
from topiclab.storage.atomic import write_text
from topiclab.themes import RunResult, Theme, View

log = logging.getLogger(__name__)

__all__ = ["citations", "render_report", "report_data", "script_json", "write_report"]

#: Characters of a passage kept for the map tooltip.
TOOLTIP_CHARS = 400
#: Above this many passages the tooltip keeps only ``LARGE_MAP_TOOLTIP_CHARS`` characters,
#: so that a 100,000-passage page stays a few tens of megabytes and loads in seconds.
LARGE_MAP_PASSAGES = 20_000
LARGE_MAP_TOOLTIP_CHARS = 160
#: Characters of a document kept for the search box (title is always searched in full).
DOC_TEXT_CHARS = 2000
#: Characters of a representative passage shown on a theme card.
REPRESENTATIVE_CHARS = 1500
#: Cleaning-log records carried into the page (the counts always cover every record).
CLEANING_RECORDS = 5000
#: Smallest share of a theme kept in a document's mixture bar.
MIX_MIN_SHARE = 0.005

_ASSETS = "report_assets"
_SLOT = re.compile(r"\{\{(\w+)\}\}")
# Characters that could end the data block or start markup, and the two JavaScript line
# terminators that are legal in JSON strings.
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def write_report(
    result: RunResult, path: str | os.PathLike[str], *, title: str | None = None
) -> Path:
    """Write the HTML report of ``result`` to ``path`` atomically.

    Parameters
    ----------
    result : RunResult
        The run to report.
    path : str or path-like
        Destination file; parent folders are created. An existing file is replaced only
        once the new report is complete.
    title : str, optional
        Page title (default: ``result.meta["title"]`` or ``"topiclab report"``).

    Returns
    -------
    Path
        The written file.
    """
    page = render_report(result, title=title)
    target = Path(path)
    write_text(target, page)
    log.debug("report written to %s (%.1f kB)", target, len(page.encode("utf-8")) / 1024)
    return target


def render_report(result: RunResult, *, title: str | None = None) -> str:
    """Return the report of ``result`` as one HTML string (see :func:`write_report`).

    Parameters
    ----------
    result : RunResult
        The run to report.
    title : str, optional
        Page title (default: ``result.meta["title"]`` or ``"topiclab report"``).

    Returns
    -------
    str
        The whole page.

    Raises
    ------
    ValueError
        When a bundled style or script asset would close its own element.
    """
    if title is None:
        title = str(result.meta.get("title") or "topiclab report")
    data = report_data(result)
    css = _asset("report.css")
    js = _asset("report.js")
    for text, tag in ((css, "</style"), (js, "</script")):
        if tag in text.lower():
            raise ValueError(f"report asset contains {tag!r}")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src '{_sha256(js)}'",
            f"style-src '{_sha256(css)}'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    slots = {
        "title": html.escape(title),
        "subtitle": html.escape(_subtitle(data["summary"])),
        "csp": html.escape(csp),
        "css": css,
        "js": js,
        "data": script_json(data),
        "run": run_section_html(result),
    }
    from topiclab.outputs.report_static import map_image, static_slots

    slots.update(static_slots(data, map_image(data)))
    template = _asset("report.html")
    # one pass: text put into a slot is never searched for further slots
    return _SLOT.sub(lambda m: slots[m.group(1)], template)


def script_json(obj: Any) -> str:
    r"""Return JSON text that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\uXXXX`` escapes, so no string
    in ``obj`` can close the element or be read as markup; ``json.loads`` gives ``obj`` back.

    Parameters
    ----------
    obj : object
        JSON-ready data (finite numbers only).

    Returns
    -------
    str
        Compact JSON text.

    Examples
    --------
    >>> script_json({"t": "</script>"})
    '{"t":"\\u003c/script\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def report_data(result: RunResult) -> dict[str, Any]:
    """Return the plain data the page renders: JSON-ready, every value finite or ``None``.

    Parameters
    ----------
    result : RunResult
        The run to report.

    Returns
    -------
    dict
        ``summary``; ``themes``, the cards of the main view (the embedding themes, or
        the first view of a run without them);
        ``points``, the passage map coloured by the main view; ``documents`` with their
        main-view mixture; ``views``, one entry per view of ``result.views`` in order
        (``name``, ``title``, ``anchor``, ``main``, ``n_themes``, ``metrics`` and
        ``themes``, its cards: label, size, terms, languages, coherence and
        representative passages); ``cleaning``, ``metrics`` and ``meta``.
    """
    main = _main_view(result)
    anchors = _anchors(list(result.views))
    cites = citations(result.documents)
    views = [
        _view(view, anchor=anchors[name], main=view is main, cites=cites)
        for name, view in result.views.items()
    ]
    themes = next((v["themes"] for v in views if v["main"]), [])
    labels = {t["id"]: t["label"] for t in themes}
    mixture = main.mixture if main is not None else pd.DataFrame()
    data = {
        "summary": _summary(result, main),
        "themes": themes,
        "points": _points(result.passages, _theme_column(main)),
        "documents": _documents(result.documents, mixture, labels),
        "views": views,
        "cleaning": _cleaning(result.cleaning_log),
        "metrics": _flatten(result.metrics),
        # timings and inputs are tables of the Run section (report_run)
        "meta": _flatten(
            {k: v for k, v in result.meta.items() if k not in ("title", "timings", "inputs")}
        ),
    }
    from topiclab.outputs.report_analysis import analysis_sections, search_index

    data["analyses"] = analysis_sections(result)
    data["term_index"] = search_index(result)
    return _plain(data)


def _main_view(result: RunResult) -> View | None:
    """Return the view of the map, cards and document table: ``MAIN_VIEW``, or the first.

    Every other view gets a section of its own.
    """
    if MAIN_VIEW in result.views:
        return result.views[MAIN_VIEW]
    return next(iter(result.views.values()), None)


def _theme_column(view: View | None) -> str:
    """Return the passage column holding the theme of each passage in ``view``."""
    return (view.column if view is not None else None) or "theme"


def _anchors(names: list[str]) -> dict[str, str]:
    """Return unique HTML ids for the view sections: ``view-<name>``, odd characters as ``-``."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = "view-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "x")
        anchor, k = base, 2
        while anchor in used:
            anchor, k = f"{base}-{k}", k + 1
        used.add(anchor)
        out[name] = anchor
    return out


def citations(documents: pd.DataFrame | None) -> dict[str, str]:
    """Return document id -> how a reader names it: "title · date · source".

    The article's title (or its first words when it has none), then the date and the
    source where the article's header gave them; never the file name.

    Parameters
    ----------
    documents : DataFrame or None
        The run's documents (``doc_id``, ``title``, ``display_title``, ``date``, ``source``).

    Returns
    -------
    dict
    """
    if documents is None or "doc_id" not in getattr(documents, "columns", ()):
        return {}
    n = len(documents)
    cols = {k: _column(documents, k, "", n) for k in ("title", "display_title", "date", "source")}
    out = {}
    for i, doc in enumerate(documents["doc_id"].tolist()):
        title = _text(cols["title"][i]).strip() or _text(cols["display_title"][i]).strip()
        parts = [" ".join(title.split())] if title else []
        parts += [p for p in (_date(cols["date"][i])[:10], _text(cols["source"][i]).strip()) if p]
        if parts:
            out[_text(doc)] = " · ".join(parts)
    return out


def _view(
    view: View, *, anchor: str, main: bool, cites: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "name": _text(view.name),
        "title": _text(view.title) or _text(view.name),
        "anchor": anchor,
        "main": main,
        "n_themes": len(view.table),
        "metrics": _flatten(view.metrics),
        "themes": [_theme(t, REPRESENTATIVE_CHARS, cites or {}) for t in view.table],
    }


def _asset(name: str) -> str:
    return (
        resources.files("topiclab.outputs")
        .joinpath(_ASSETS)
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _subtitle(summary: dict[str, Any]) -> str:
    parts = [
        f"{summary['n_documents']} documents",
        f"{summary['n_passages']} passages",
        f"{summary['n_themes']} themes",
    ]
    parts += [f"{n} {title}" for title, n in summary["views"]]
    if summary["languages"]:
        parts.append("languages: " + ", ".join(f"{k} {v}" for k, v in summary["languages"]))
    return " · ".join(parts)


def _summary(result: RunResult, main: View | None) -> dict[str, Any]:
    table = result.documents if "lang" in result.documents.columns else result.passages
    langs = [_lang(v) for v in _column(table, "lang", "und", len(table))]
    return {
        "n_documents": len(result.documents),
        "n_passages": len(result.passages),
        "n_themes": len(main.table) if main is not None else 0,
        "views": [
            [_text(v.title) or _text(v.name), len(v.table)]
            for v in result.views.values()
            if v is not main
        ],
        "languages": sorted(Counter(langs).items(), key=lambda kv: (-kv[1], kv[0])),
        "embedding_model": _text(result.meta.get("embedding_model", "")),
    }


def _theme(theme: Theme, max_chars: int, cites: dict[str, str] | None = None) -> dict[str, Any]:
    cites = cites or {}
    return {
        "id": int(theme.id),
        "label": _text(theme.label),
        "section": _text(theme.section),
        "size": int(theme.size),
        "terms": _ordered_terms(theme.terms, theme.shown),
        "languages": sorted(
            Counter({_lang(k): int(v) for k, v in theme.languages.items()}).items(),
            key=lambda kv: (-kv[1], kv[0]),
        ),
        "coherence": dict(theme.coherence),
        "representative": [
            {
                "passage_id": _text(r.get("passage_id", "")),
                "doc_id": _text(r.get("doc_id", "")),
                "lang": _lang(r.get("lang")),
                "text": _clip(_text(r.get("text", "")), max_chars),
                "score": r.get("score"),
                "share": r.get("share"),
                "cite": cites.get(_text(r.get("doc_id", "")), ""),
            }
            for r in theme.representative
        ],
    }


def _ordered_terms(terms: dict[str, list[tuple[str, float]]], shown: Any = None) -> list[list[Any]]:
    """``[[lang, [[term, weight], ...]], ...]``: en, ar, zh, other languages, then all.

    Terms are given as written (``shown``: stored term -> written form, e.g.
    :meth:`Theme.shown`); the stored, normalised form stays for counting only.
    """
    rank = {"en": 0, "ar": 1, "zh": 2, "all": 9}
    order = sorted(terms, key=lambda k: (rank.get(k, 5), k))
    show = shown or (lambda t: t.replace("_", " "))
    return [[lang, [[_text(show(t)), float(w)] for t, w in terms[lang]]] for lang in order]


def _points(passages: pd.DataFrame, theme_column: str) -> dict[str, list[Any]]:
    """Return the map, column by column (compact in JSON); ``theme`` from ``theme_column``."""
    n = len(passages)
    x = _floats(passages, "x", n)
    y = _floats(passages, "y", n)
    texts = _column(passages, "text", "", n)
    clip = TOOLTIP_CHARS if n <= LARGE_MAP_PASSAGES else LARGE_MAP_TOOLTIP_CHARS
    return {
        "x": [_round(v, 4) for v in x],
        "y": [_round(v, 4) for v in y],
        "theme": [_int(v, -1) for v in _column(passages, theme_column, -1, n)],
        "lang": [_lang(v) for v in _column(passages, "lang", "und", n)],
        "doc": [_text(v) for v in _column(passages, "doc_id", "", n)],
        "text": [_clip(_text(t), clip) for t in texts],
    }


def _documents(
    documents: pd.DataFrame, doc_themes: pd.DataFrame, labels: dict[int, str]
) -> list[dict[str, Any]]:
    n = len(documents)
    ids = [_text(v) for v in _column(documents, "doc_id", "", n)]
    mix = doc_themes.copy()
    mix.index = [_text(v) for v in mix.index]
    mix.columns = [_int(c, -1) for c in mix.columns]
    mix = mix[~mix.index.duplicated()]
    weights = mix.reindex(ids).fillna(0.0)
    theme_ids = list(weights.columns)
    matrix = weights.to_numpy(dtype=float)
    columns = {
        key: _column(documents, key, "", n)
        for key in (
            "title",
            "display_title",
            "lang",
            "date",
            "source",
            "text",
            "source_file",
            "n_passages",
        )
    }
    out = []
    for i, doc_id in enumerate(ids):
        row = matrix[i] if matrix.size else np.zeros(0)
        shares = [
            [theme_ids[j], round(float(row[j]), 4)]
            for j in np.argsort(-row, kind="stable")
            if row[j] >= MIX_MIN_SHARE
        ]
        dominant = shares[0][0] if shares else None
        out.append(
            {
                "id": doc_id,
                "title": _text(columns["title"][i]) or _text(columns["display_title"][i]) or doc_id,
                "lang": _lang(columns["lang"][i]),
                "date": _date(columns["date"][i]),
                "source": _text(columns["source"][i]),
                "text": _clip(_text(columns["text"][i]), DOC_TEXT_CHARS),
                "n_passages": _int(columns["n_passages"][i], 0),
                "dominant": dominant,
                "dominant_label": labels.get(dominant, "") if dominant is not None else "",
                "mix": shares,
            }
        )
    return out


def _cleaning(records: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter((_text(r.get("step", "")), _text(r.get("action", ""))) for r in records)
    files = {_text(r.get("file", "")) for r in records}
    keep = records[:CLEANING_RECORDS]
    return {
        "n_records": len(records),
        "n_files": len(files - {""}),
        "counts": [[s, a, c] for (s, a), c in sorted(counts.items())],
        "records": [
            {
                "file": _text(r.get("file", "")),
                "step": _text(r.get("step", "")),
                "action": _text(r.get("action", "")),
                "change": _change(r),
                "reason": _text(r.get("reason", "")),
            }
            for r in keep
        ],
    }


def _change(record: dict[str, Any]) -> str:
    """``before → after`` and ``removed: ...`` of one cleaning record, as text."""
    parts = []
    if "before" in record or "after" in record:
        parts.append(
            f"{_clip(_text(record.get('before', '')), 200)} → "
            f"{_clip(_text(record.get('after', '')), 200)}"
        )
    if record.get("removed") not in (None, ""):
        parts.append(f"removed: {_clip(_text(record['removed']), 300)}")
    return "; ".join(parts)


# metrics too large to read as a table row (the figures draw them)
_NOT_SHOWN = frozenset({"theme_distances", "topic_languages"})


def _flatten(tree: dict[str, Any], prefix: str = "") -> list[list[Any]]:
    """Nested dict -> ``[[dotted.key, scalar], ...]``; lists are shown as text."""
    out: list[list[Any]] = []
    for key, value in tree.items():
        if key in _NOT_SHOWN:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flatten(value, name + "."))
        elif isinstance(value, (list, tuple)):
            out.append([name, _clip(", ".join(_scalar_text(v) for v in value), 300)])
        elif isinstance(value, (bool, np.bool_)):
            out.append([name, str(bool(value)).lower()])
        elif isinstance(value, (int, float, np.integer, np.floating)):
            out.append([name, value])
        else:
            out.append([name, _clip(_text(value), 300)])
    return out


def _scalar_text(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and not isinstance(v, bool):
        return f"{float(v):.4g}"
    return _text(v)


def _column(frame: pd.DataFrame, name: str, default: Any, n: int) -> list[Any]:
    if name in frame.columns:
        return frame[name].tolist()
    return [default] * n


def _floats(frame: pd.DataFrame, name: str, n: int) -> list[float | None]:
    if name not in frame.columns:
        return [None] * n
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    return [float(v) if math.isfinite(v) else None for v in values]


def _round(v: float | None, digits: int) -> float | None:
    return None if v is None else round(v, digits)


def _int(v: Any, default: int) -> int:
    try:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return default
        return int(v)
    except (TypeError, ValueError):
        return default


def _text(v: Any) -> str:
    """Any cell as text; missing values become ``""``."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def _lang(v: Any) -> str:
    """Return a language code; missing or unknown values become ``"und"``."""
    code = _text(v).strip()
    return "und" if code.lower() in ("", "none", "nan", "null") else code


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _date(v: Any) -> str:
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        return "" if pd.isna(v) else v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return _text(v)


def _plain(obj: Any) -> Any:
    """Recursively convert to JSON-ready values: numpy scalars, non-finite floats -> None."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if obj is None or isinstance(obj, str):
        return obj
    return _text(obj)
