"""The report's sections as static HTML, so the page reads without JavaScript.

:func:`static_slots` renders, from the same plain data the page script reads
(:func:`topiclab.outputs.report.report_data`), every section of the report as HTML: the
legend, the theme cards of every view, the derived tables, the documents, the cleaning
summary, the metrics and the provenance; :func:`map_image` draws the passage map as a PNG
embedded as a ``data:`` URI. The page script replaces each of them with its interactive
version (canvas map, filters, search, sorting, paging); without it the static version stays.

The page's Content-Security-Policy forbids ``style`` attributes, so colours are classes
(``c0`` ... ``c19``, the page palette; ``h1`` ... ``h9``, heat-table shades), and every
text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

__all__ = ["PALETTE", "STATIC_DOCUMENTS", "STATIC_RECORDS", "map_image", "static_slots"]

#: Colours of the themes, in the order of the page script's palette.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#843c39",
)  # fmt: skip
NOISE = "#9aa0a6"
#: Documents listed in the static table (the script pages through all of them).
STATIC_DOCUMENTS = 300
#: Cleaning records listed in the static table.
STATIC_RECORDS = 300
#: Terms per language on a static card.
CARD_TERMS = 10
#: Characters of a representative passage on a static card.
CARD_PASSAGE = 600

_RTL = frozenset({"ar", "fa", "he", "ur", "ps", "yi"})
_LANG_NAMES = {"en": "English", "ar": "Arabic", "zh": "Chinese", "all": "All", "und": "Unknown"}
_VIEW_SCORES = (
    ("npmi", "NPMI"),
    ("c_v", "C_v"),
    ("diversity", "diversity"),
    ("silhouette", "silhouette"),
    ("outlier_share", "outliers"),
)


def _e(v: Any) -> str:
    text = html.escape("" if v is None else str(v), quote=True)
    return text.replace("\u2028", "&#x2028;").replace("\u2029", "&#x2029;")


def _dir(lang: str) -> str:
    if lang in _RTL:
        return "rtl"
    return "ltr" if lang and lang not in ("und", "all") else "auto"


def _lang_attrs(lang: str) -> str:
    attrs = f' dir="{_dir(lang)}"'
    if lang and lang not in ("und", "all"):
        attrs = f' lang="{_e(lang)}"' + attrs
    return attrs


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,}" if v.is_integer() and abs(v) < 1e15 else f"{v:.{digits}f}"
    return str(v)


def _colour_class(index: int | None) -> str:
    return "cn" if index is None or index < 0 else f"c{index % len(PALETTE)}"


def _swatch(cls: str) -> str:
    return f'<span class="swatch {cls}"></span>'


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _table(head: list[str], rows: list[str]) -> str:
    ths = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return f"<thead><tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody>"


def _kv(pairs: list[list[Any]]) -> str:
    if not pairs:
        return '<dd class="empty">none</dd>'
    out = []
    for key, value in pairs:
        text = (
            f"{value:.4f}" if isinstance(value, float) and not value.is_integer() else _fmt(value)
        )
        out.append(f'<dt>{_e(key)}</dt><dd dir="auto">{_e(text)}</dd>')
    return "".join(out)


def _card(t: dict[str, Any], cls: str, anchor: str) -> str:
    facts = [f"{_fmt(t['size'])} passages"]
    if t.get("section"):
        facts.insert(0, t["section"])
    if t["languages"]:
        facts.append(", ".join(f"{k} {v}" for k, v in t["languages"]))
    coh = [
        f"{name} {_fmt(t['coherence'][key])}"
        for key, name in (("npmi", "NPMI"), ("c_v", "C_v"))
        if key in t["coherence"]
    ]
    rows = []
    per_lang = [lt for lt in t["terms"] if lt[0] != "all"] or t["terms"]
    for lang, terms in per_lang:
        chips = "".join(
            f'<span class="chip{" phrase" if " " in term else ""}" title="weight {w:.4f}">'
            f"{_e(term)}</span>"
            for term, w in terms[:CARD_TERMS]
        )
        tag = "all" if lang == "all" else lang
        rows.append(
            f'<div class="row" data-lang="{_e(lang)}"{_lang_attrs(lang)}>'
            f'<span class="lang-tag">{_e(tag)}</span>{chips}</div>'
        )
    reps = []
    for r in t["representative"]:
        text = _clip(r["text"], CARD_PASSAGE)
        cite = r.get("cite") or r.get("doc_id", "")
        share = f" · share {r['share']:.2f}" if isinstance(r.get("share"), float) else ""
        reps.append(
            f"<li{_lang_attrs(r['lang'])}><span>{_e(text)}</span>"
            f'<span class="src" dir="ltr">{_e(cite)} · {_e(_LANG_NAMES.get(r["lang"], r["lang"]))}'
            f"{_e(share)}</span></li>"
        )
    return (
        f'<article class="card {cls}" data-theme="{_e(t["id"])}" id="{_e(anchor)}">'
        f'<h3>{_swatch(cls)}<span class="tid">#{_e(t["id"])}</span>'
        f'<span class="lbl" dir="auto">{_e(t["label"])}</span></h3>'
        f'<div class="facts">{_e(" · ".join(facts))}'
        + (f'<span class="coh"> · {_e(" · ".join(coh))}</span>' if coh else "")
        + "</div>"
        f'<div class="terms">{"".join(rows)}</div>'
        + (f'<ul class="reps">{"".join(reps)}</ul>' if reps else "")
        + "</article>"
    )


def _legend(data: dict[str, Any]) -> str:
    items = []
    for i, t in enumerate(data["themes"]):
        items.append(
            f'<div class="legend-item static" data-theme="{_e(t["id"])}">'
            f'{_swatch(_colour_class(i))}<span class="tid">#{_e(t["id"])}</span>'
            f'<span dir="auto">{_e(t["label"])}</span>'
            f'<span class="n">{_fmt(t["size"])}</span></div>'
        )
    noise = sum(1 for v in data["points"]["theme"] if v < 0)
    if noise:
        items.append(
            f'<div class="legend-item static" data-theme="-1">{_swatch("cn")}'
            f'<span>Unassigned</span><span class="n">{_fmt(noise)}</span></div>'
        )
    return "".join(items)


def _views(data: dict[str, Any]) -> str:
    out = []
    for v in data["views"]:
        if v["main"]:
            continue
        metrics = dict((k, val) for k, val in v["metrics"])
        facts = [f"{_fmt(v['n_themes'])} {'theme' if v['n_themes'] == 1 else 'themes'}"]
        facts += [
            f"{name} {_fmt(metrics[key])}"
            for key, name in _VIEW_SCORES
            if isinstance(metrics.get(key), (int, float)) and not isinstance(metrics[key], bool)
        ]
        cards = (
            "".join(
                _card(t, _colour_class(i), f"{v['anchor']}-theme-{t['id']}").replace(
                    'class="card ', 'class="card view-card ', 1
                )
                for i, t in enumerate(v["themes"])
            )
            or '<p class="empty">No themes in this view.</p>'
        )
        details = (
            '<details class="view-metrics"><summary>Every metric of this view</summary>'
            f'<dl class="kv">{_kv(v["metrics"])}</dl></details>'
            if v["metrics"]
            else ""
        )
        out.append(
            f'<section class="view" id="{_e(v["anchor"])}" data-view="{_e(v["name"])}" '
            f'aria-labelledby="{_e(v["anchor"])}-h"><h2 id="{_e(v["anchor"])}-h">{_e(v["title"])}</h2>'
            f'<p class="hint">{_e(" · ".join(facts))}</p>{details}<div class="cards">{cards}</div>'
            "</section>"
        )
    return "".join(out)


def _analyses(data: dict[str, Any]) -> str:
    out = []
    for a in data.get("analyses") or []:
        parts = [
            f'<section class="analysis" id="{_e(a["anchor"])}" aria-labelledby="{_e(a["anchor"])}-h">'
            f'<h2 id="{_e(a["anchor"])}-h">{_e(a["title"])}</h2>'
        ]
        if a.get("hint"):
            parts.append(f'<p class="hint">{_e(a["hint"])}</p>')
        if a.get("facts"):
            parts.append(
                '<details class="view-metrics"><summary>About this table</summary>'
                f'<dl class="kv">{_kv(a["facts"])}</dl></details>'
            )
        if a.get("kind") == "heat":
            head = ["theme"] + [
                f"{g} ({n})" for g, n in zip(a["groups"], a["group_sizes"], strict=False)
            ]
            top = max((v for row in a["share"] for v in row), default=0.0) or 1.0
            rows = []
            for (tid, label), shares, terms in zip(
                a["themes"], a["share"], a["terms"], strict=False
            ):
                cells = "".join(
                    f'<td class="num h{min(9, int(10 * v / top))}" title="{_e(term)}">{100 * v:.1f}%</td>'
                    for v, term in zip(shares, terms, strict=False)
                )
                rows.append(f'<tr><th scope="row">{_e(tid)} {_e(label)}</th>{cells}</tr>')
        else:
            head = [str(c) for c in a.get("columns", [])]
            rows = [
                "<tr>"
                + "".join(
                    f'<td class="{"num" if isinstance(v, (int, float)) else ""}">{_e(_fmt(v))}</td>'
                    for v in r
                )
                + "</tr>"
                for r in a.get("rows", [])
            ] or [f'<tr><td class="empty" colspan="{max(1, len(head))}">Nothing to show.</td></tr>']
        parts.append(
            f'<div class="scroll"><table class="compact heat">{_table(head, rows)}</table></div>'
        )
        parts.append("</section>")
        out.append("".join(parts))
    return "".join(out)


def _toc(data: dict[str, Any]) -> str:
    links = [(v["anchor"], v["title"]) for v in data["views"] if not v["main"]]
    links += [(a["anchor"], a["title"]) for a in data.get("analyses") or []]
    return "".join(f'<a href="#{_e(anchor)}">{_e(title)}</a>\n    ' for anchor, title in links)


def _documents(data: dict[str, Any]) -> str:
    labels = {t["id"]: t["label"] for t in data["themes"]}
    index = {t["id"]: i for i, t in enumerate(data["themes"])}
    docs = data["documents"]
    rows = []
    for d in docs[:STATIC_DOCUMENTS]:
        dom = d["dominant"]
        theme = (
            f'{_swatch(_colour_class(index.get(dom)))}<span dir="auto">{_e(labels.get(dom, dom))}</span>'
            if dom is not None
            else "—"
        )
        mix = ", ".join(f"#{tid} {round(100 * w)}%" for tid, w in d["mix"][:4])
        rows.append(
            f'<tr data-doc="{_e(d["id"])}"><td class="title"{_lang_attrs(d["lang"])} title="{_e(d["id"])}">'
            f"{_e(d['title'])}</td><td>{_e(d['lang'])}</td>"
            f'<td class="nowrap">{_e(d["date"])}</td><td dir="auto">{_e(d["source"])}</td>'
            f'<td class="theme">{theme}</td><td>{_e(mix)}</td>'
            f'<td class="num">{_fmt(d["n_passages"])}</td></tr>'
        )
    if len(docs) > STATIC_DOCUMENTS:
        rows.append(
            f'<tr><td colspan="7" class="empty">The first {STATIC_DOCUMENTS:,} of {len(docs):,} '
            "documents; the full table, its search and paging need JavaScript.</td></tr>"
        )
    head = ["Title", "Lang", "Date", "Source", "Dominant theme", "Theme mix", "Passages"]
    return _table(head, rows)


def _cleaning(data: dict[str, Any]) -> dict[str, str]:
    c = data["cleaning"]
    if not c["n_records"]:
        return {
            "cleaning_summary": "No cleaning records in this run.",
            "cleaning_counts": "",
            "cleaning_records_summary": "Every cleaning record",
            "cleaning_records": "",
        }
    counts = [
        f'<tr><td>{_e(s)}</td><td>{_e(a)}</td><td class="num">{_fmt(n)}</td></tr>'
        for s, a, n in c["counts"]
    ]
    shown = c["records"][:STATIC_RECORDS]
    records = [
        f"<tr><td>{_e(r['file'])}</td><td>{_e(r['step'])}</td><td>{_e(r['action'])}</td>"
        f'<td dir="auto">{_e(r["change"])}</td><td dir="auto">{_e(r["reason"])}</td></tr>'
        for r in shown
    ]
    of = f" of {c['n_records']:,}" if len(shown) < c["n_records"] else ""
    return {
        "cleaning_summary": _e(f"{c['n_records']:,} cleaning records over {c['n_files']:,} files."),
        "cleaning_counts": _table(["Step", "Action", "Records"], counts),
        "cleaning_records_summary": _e(f"Every cleaning record ({len(shown):,}{of})"),
        "cleaning_records": _table(["File", "Step", "Action", "Change", "Reason"], records),
    }


def static_slots(data: dict[str, Any], map_png: str | None = None) -> dict[str, str]:
    """Return the HTML of every report section, keyed by its slot in the page template.

    Parameters
    ----------
    data : dict
        The page data (:func:`topiclab.outputs.report.report_data`).
    map_png : str, optional
        The passage map as a base64 PNG (:func:`map_image`).

    Returns
    -------
    dict
        ``map``, ``legend``, ``cards``, ``views``, ``analyses``, ``toc``, ``documents``,
        ``cleaning_*``, ``metrics`` and ``meta``: escaped HTML fragments.
    """
    if map_png:
        n = sum(1 for x in data["points"]["x"] if x is not None)
        alt = f"Passage map: {n:,} passages coloured by theme (the legend names the colours)"
        image = (
            f'<img id="map-static" class="map-static" alt="{_e(alt)}" '
            f'src="data:image/png;base64,{map_png}">'
        )
    else:
        image = '<p id="map-static" class="hint">No map coordinates in this run.</p>'
    cards = (
        "".join(
            _card(t, _colour_class(i), f"theme-{t['id']}") for i, t in enumerate(data["themes"])
        )
        or '<p class="empty">No themes in this run.</p>'
    )
    return {
        "map": image,
        "legend": _legend(data),
        "cards": cards,
        "views": _views(data),
        "analyses": _analyses(data),
        "toc": _toc(data),
        "documents": _documents(data),
        **_cleaning(data),
        "metrics": _kv(data["metrics"]),
        "meta": _kv(data["meta"]),
    }


def map_image(data: dict[str, Any], *, width: int = 1000, height: int = 620) -> str | None:
    """Draw the passage map of the page data as a PNG, base64-encoded; None without points.

    Passages are coloured as in the page's legend (the theme's place in the main view,
    unassigned ones grey underneath); every passage is drawn.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    pts = data["points"]
    keep = [
        i
        for i, (x, y) in enumerate(zip(pts["x"], pts["y"], strict=True))
        if x is not None and y is not None
    ]
    if not keep:
        return None
    index = {t["id"]: i for i, t in enumerate(data["themes"])}
    x = np.array([pts["x"][i] for i in keep], dtype=float)
    y = np.array([pts["y"][i] for i in keep], dtype=float)
    theme = np.array([pts["theme"][i] for i in keep])
    colours = np.array(
        [PALETTE[index[t] % len(PALETTE)] if t in index else NOISE for t in theme.tolist()]
    )
    order = np.argsort(theme >= 0, kind="stable")  # unassigned underneath
    dpi = 100
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    size = float(np.clip(8000.0 / len(keep), 1.0, 40.0))
    ax.scatter(
        x[order], y[order], s=size, c=colours[order], alpha=0.85, linewidths=0.3,
        edgecolors="white" if len(keep) <= 3000 else "none",
    )  # fmt: skip
    ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")
