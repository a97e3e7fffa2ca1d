"""Rich display of results in Jupyter: HTML for a theme, a theme table and a run.

:class:`~topiclab.themes.result.Theme`, :class:`~topiclab.themes.result.ThemeTable` and
:class:`~topiclab.themes.result.RunResult` call these from their ``_repr_html_`` methods,
so a result left as the last expression of a notebook cell shows as a readable table:
label, size, languages, the best terms in each language (Arabic and other right-to-left
scripts laid out right to left), one representative passage and the coherence scores.
Tables longer than :data:`MAX_ROWS` show their first rows and fold the rest under a
``<details>`` element. Every piece of text is HTML-escaped; the markup uses no script and
no external resource, so it renders the same in JupyterLab, VS Code and on GitHub.

Examples
--------
>>> import topiclab
>>> tl = topiclab.TopicLab(random_state=0).fit("corpus/")  # doctest: +SKIP
>>> tl.result_          # in a notebook: one table per view   # doctest: +SKIP
>>> tl.themes_[0]       # one theme as a card                 # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from topiclab.themes.result import RunResult, Theme, ThemeTable

__all__ = ["MAX_ROWS", "result_html", "table_html", "theme_html"]

#: Rows of a theme table shown before the rest fold away.
MAX_ROWS = 20
#: Terms shown per language.
N_TERMS = 8
#: Characters of the representative passage shown.
PASSAGE_CHARS = 280

_RTL = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "ckb", "sd", "ug"})
_LANG_ORDER = {"en": 0, "ar": 1, "zh": 2, "all": 9}
_SCORE_NAMES = {"npmi": "NPMI", "c_v": "C_v"}
_STYLE = (
    "<style>"
    ".tl-display .tl-scroll{overflow-x:auto}"
    ".tl-display table.tl-table{border-collapse:collapse;font-size:0.9em;width:auto;"
    "table-layout:auto;display:table}"
    ".tl-display .tl-table td:nth-child(5){min-width:16em}"
    ".tl-display th,.tl-display td{border-bottom:1px solid #d0d7de;padding:4px 8px;"
    "vertical-align:top;text-align:start}"
    ".tl-display .tl-lang{color:#59636e;font-size:0.8em;margin-inline-end:4px}"
    ".tl-display .tl-muted{color:#59636e}"
    ".tl-display .tl-num{text-align:end;font-variant-numeric:tabular-nums}"
    ".tl-display .tl-passage{min-width:18em;max-width:32em}"
    "</style>"
)


def _e(value: Any) -> str:
    """Escape any value as HTML text (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def _dir(lang: str) -> str:
    return "rtl" if lang in _RTL else ("ltr" if lang not in ("", "und", "all") else "auto")


def _lang_attrs(lang: str) -> str:
    code = str(lang or "")
    attrs = f' dir="{_dir(code)}"'
    if code and code not in ("und", "all"):
        attrs = f' lang="{_e(code)}"' + attrs
    return attrs


def _num(value: Any, digits: int = 3) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    return f"{v:.{digits}f}" if math.isfinite(v) else "—"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _term_lines(theme: Theme, n_terms: int) -> str:
    langs = [k for k in theme.terms if k != "all"] or list(theme.terms)
    langs.sort(key=lambda k: (_LANG_ORDER.get(k, 5), k))
    lines = []
    for lang in langs:
        words = theme.keywords(lang, n_terms)
        if not words:
            continue
        lines.append(
            f'<div{_lang_attrs(lang)}><span class="tl-lang" dir="ltr">{_e(lang)}</span>'
            f"{_e(', '.join(words))}</div>"
        )
    return "".join(lines) or '<span class="tl-muted">—</span>'


def _languages(theme: Theme) -> str:
    items = sorted(theme.languages.items(), key=lambda kv: (-kv[1], kv[0]))
    return _e(", ".join(f"{k} {v}" for k, v in items)) or "—"


def _passage(theme: Theme, chars: int) -> str:
    if not theme.representative:
        return '<span class="tl-muted">—</span>'
    rep = theme.representative[0]
    lang = str(rep.get("lang") or "")
    text = _clip(" ".join(str(rep.get("text", "")).split()), chars)
    source = _e(rep.get("title") or rep.get("doc_id", ""))
    return f'<div{_lang_attrs(lang)}>{_e(text)}</div><div class="tl-muted" dir="ltr">{source}</div>'


def _row(theme: Theme, coherence: list[str]) -> str:
    cells = [
        f'<td class="tl-num">{_e(theme.id)}</td>',
        f'<td dir="auto"><b>{_e(theme.label)}</b>'
        + (f'<div class="tl-muted">{_e(theme.section)}</div>' if theme.section else "")
        + "</td>",
        f'<td class="tl-num">{_e(theme.size)}</td>',
        f"<td>{_languages(theme)}</td>",
        f"<td>{_term_lines(theme, N_TERMS)}</td>",
        f'<td class="tl-passage">{_passage(theme, PASSAGE_CHARS)}</td>',
    ]
    cells += [f'<td class="tl-num">{_num(theme.coherence.get(k))}</td>' for k in coherence]
    return "<tr>" + "".join(cells) + "</tr>"


def _coherence_keys(themes: list[Theme]) -> list[str]:
    keys: list[str] = []
    for t in themes:
        keys += [k for k in t.coherence if k not in keys]
    return keys


def _table(themes: list[Theme], coherence: list[str]) -> str:
    head = ["#", "label", "size", "languages", "top terms", "representative passage"]
    head += [_SCORE_NAMES.get(k, k) for k in coherence]
    ths = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    rows = "".join(_row(t, coherence) for t in themes)
    return (
        '<div class="tl-scroll"><table class="tl-table">'
        f"<thead><tr>{ths}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def table_html(table: ThemeTable, *, max_rows: int = MAX_ROWS, title: str | None = None) -> str:
    """Return a theme table as HTML: one row per theme, long tables folded.

    Parameters
    ----------
    table : ThemeTable
        The themes of one view.
    max_rows : int, default MAX_ROWS
        Rows shown before the remaining themes fold under a ``<details>`` element.
    title : str, optional
        Heading above the table (default: the view name and the number of themes).

    Returns
    -------
    str
        An HTML fragment with its own scoped style.
    """
    themes = list(table.themes)
    coherence = _coherence_keys(themes)
    heading = title if title is not None else f"{table.view}: {len(themes)} themes"
    parts = [f'<div class="tl-display">{_STYLE}<p><b>{_e(heading)}</b></p>']
    if not themes:
        parts.append('<p class="tl-muted">No themes.</p>')
    else:
        parts.append(_table(themes[:max_rows], coherence))
        rest = themes[max_rows:]
        if rest:
            parts.append(
                f"<details><summary>{len(rest)} more themes</summary>"
                f"{_table(rest, coherence)}</details>"
            )
    parts.append("</div>")
    return "".join(parts)


def theme_html(theme: Theme) -> str:
    """Return one theme as an HTML card: every language's terms and passages.

    Parameters
    ----------
    theme : Theme
        The theme to show.

    Returns
    -------
    str
        An HTML fragment with its own scoped style.
    """
    coherence = " · ".join(
        f"{_SCORE_NAMES.get(k, k)} {_num(v)}" for k, v in theme.coherence.items()
    )
    facts = f"{theme.size} passages · languages: {_languages(theme)}"
    if theme.section:
        facts = f"{_e(theme.section)} · {facts}"
    if coherence:
        facts += " · " + _e(coherence)
    passages = "".join(
        f"<li><div{_lang_attrs(str(r.get('lang') or ''))}>"
        f"{_e(_clip(' '.join(str(r.get('text', '')).split()), PASSAGE_CHARS * 2))}</div>"
        f'<div class="tl-muted" dir="ltr">{_e(r.get("title") or r.get("doc_id", ""))} · '
        f"{_e(r.get('lang', ''))}"
        f"</div></li>"
        for r in theme.representative
    )
    return (
        f'<div class="tl-display">{_STYLE}'
        f'<p><b>#{_e(theme.id)} <span dir="auto">{_e(theme.label)}</span></b><br>'
        f'<span class="tl-muted">{facts}</span></p>'
        f"{_term_lines(theme, 12)}"
        + (f"<p><b>Representative passages</b></p><ol>{passages}</ol>" if passages else "")
        + "</div>"
    )


_VIEW_SCORES = (("npmi", "NPMI"), ("c_v", "C_v"), ("diversity", "diversity"))


def result_html(result: RunResult, *, max_rows: int = MAX_ROWS) -> str:
    """Return a run as HTML: corpus counts, then each view's metrics and theme table.

    Parameters
    ----------
    result : RunResult
        The run to show.
    max_rows : int, default MAX_ROWS
        Rows of each theme table shown before the rest fold away.

    Returns
    -------
    str
        An HTML fragment with its own scoped style.
    """
    n_docs, n_passages = len(result.documents), len(result.passages)
    facts = [f"{n_docs} documents", f"{n_passages} passages"]
    frame = result.documents if "lang" in result.documents.columns else result.passages
    if "lang" in frame.columns and len(frame):
        counts = frame["lang"].fillna("und").astype(str).value_counts()
        facts.append("languages: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    model = result.meta.get("embedding_model")
    if model:
        facts.append(f"embedding model: {model}")
    parts = [f'<div class="tl-display">{_STYLE}<p><b>RunResult</b> · {_e(" · ".join(facts))}</p>']
    for i, (name, view) in enumerate(result.views.items()):
        scores = [
            f"{label} {_num(view.metrics[key])}"
            for key, label in _VIEW_SCORES
            if isinstance(view.metrics.get(key), (int, float))
        ]
        title = f"{view.title or name}: {len(view.table)} themes"
        if scores:
            title += " · " + ", ".join(scores)
        inner = table_html(view.table, max_rows=max_rows, title=title)
        if i == 0:
            parts.append(inner)
        else:  # every other view folds, the first one is open
            parts.append(f"<details><summary>{_e(title)}</summary>{inner}</details>")
    parts.append("</div>")
    return "".join(parts)
