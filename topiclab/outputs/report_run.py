"""The report's Run section as plain HTML tables: parameters, timings, inputs, notes.

Rendered on the server side, so the section reads without JavaScript: the parameters of
the run, how long each stage took (the stages add up to the total; time outside the
stages is shown as its own row), the files the articles were read from with their
sha256, and notes a reader must know (such as the languages LDA cannot join).
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["TIMING_NAMES", "run_section_html", "timing_rows"]

#: Stage timing keys -> what the report calls them, in pipeline order.
TIMING_NAMES = {
    "ingest_s": "read and clean the articles",
    "prepare_s": "passages",
    "vectorize_s": "tokenise and count",
    "embed_s": "sentence embeddings",
    "cluster_s": "embedding themes",
    "lda_s": "LDA topics",
    "score_s": "coherence and diversity",
    "map_s": "passage map",
    "assemble_s": "tables",
}


def timing_rows(timings: dict[str, Any]) -> list[tuple[str, float, float]]:
    """Return ``(step, seconds, share of total)`` rows that add up to the total.

    Steps come in pipeline order (unknown ones after); time the total holds beyond the
    steps is one more row, "other (between steps)", so the column sums to the total.

    Parameters
    ----------
    timings : dict
        ``<stage>_s`` -> seconds, with ``total_s``.

    Returns
    -------
    list of tuple

    Examples
    --------
    >>> [(s, round(t, 1)) for s, t, _ in timing_rows({"embed_s": 2.0, "total_s": 3.0})]
    [('sentence embeddings', 2.0), ('other (between steps)', 1.0), ('total', 3.0)]
    """
    known = [k for k in TIMING_NAMES if k in timings]
    extra = sorted(k for k in timings if k.endswith("_s") and k not in TIMING_NAMES)
    extra = [k for k in extra if k != "total_s"]
    parts = [(k, float(timings[k])) for k in [*known, *extra]]
    summed = sum(v for _k, v in parts)
    total = float(timings.get("total_s", summed))
    total = max(total, summed)
    rows = [(TIMING_NAMES.get(k, k.removesuffix("_s")), v) for k, v in parts]
    if total - summed > 0.0005:
        rows.append(("other (between steps)", total - summed))
    rows.append(("total", total))
    return [(name, v, (v / total if total > 0 else 0.0)) for name, v in rows]


def _table(head: list[str], rows: list[list[str]], cls: str = "compact") -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v) or "—"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) or "—"
    if v is None:
        return "—"
    return str(v)


def run_section_html(result: Any) -> str:
    """Return the HTML of the report's Run section tables (escaped, no script needed).

    Parameters
    ----------
    result : RunResult

    Returns
    -------
    str
    """
    meta = result.meta or {}
    parts: list[str] = []
    notes = [
        str(v.metrics["language_note"])
        for v in result.views.values()
        if isinstance(v.metrics, dict) and v.metrics.get("language_note")
    ]
    if notes:
        parts.append("<h3>Notes</h3>")
        parts.extend(f'<p class="note">{html.escape(n)}</p>' for n in dict.fromkeys(notes))
    config = result.config or {}
    if config:
        rows = [[str(k), _value(v)] for k, v in sorted(config.items())]
        parts.append("<h3>Parameters</h3>" + _table(["parameter", "value"], rows))
    timings = meta.get("timings") or {}
    if timings:
        rows = [[n, f"{s:.2f}", f"{100 * sh:.0f} %"] for n, s, sh in timing_rows(timings)]
        parts.append("<h3>Timings</h3>" + _table(["step", "seconds", "share"], rows))
    inputs = meta.get("inputs") or {}
    if inputs:
        rows = [[str(name), str(digest)[:16] + "…"] for name, digest in sorted(inputs.items())]
        parts.append("<h3>Inputs</h3>" + _table(["file", "sha256"], rows))
    facts = [
        ["documents", _value(meta.get("n_documents"))],
        ["passages", _value(meta.get("n_passages"))],
        ["languages", _value(meta.get("languages"))],
        ["embedding model", _value(meta.get("embedding_model"))],
        ["corpus fingerprint", _value(meta.get("corpus_fingerprint"))],
    ]
    parts.append("<h3>Corpus</h3>" + _table(["", ""], facts))
    return "\n".join(parts)
