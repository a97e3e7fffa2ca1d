"""The report's data for the derived tables and the theme search box.

Kept apart from :mod:`topiclab.outputs.report`, which adds :func:`analysis_sections` and
:func:`search_index` to the page data. Everything returned is JSON-ready plain data; the
page script inserts it with ``textContent`` only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["analysis_sections", "search_index"]

#: Most groups (periods, classes) shown as columns of a heat table.
MAX_GROUPS = 60
#: Most rows of a plain table.
MAX_ROWS = 400

_HINTS = {
    "themes_over_time": (
        "Each cell is a theme's share of the dated documents of a period (mean mixture "
        "weight); hover a cell for the theme's terms in that period (c-TF-IDF among the "
        "themes of the period)."
    ),
    "themes_by_": (
        "Each cell is a theme's share of the documents with that value (mean mixture "
        "weight); hover a cell for the theme's terms there."
    ),
    "theme_tree": (
        "How the themes merge, closest pair first: topiclab reduce RUN --n-themes N cuts this tree."
    ),
}


def search_index(result: Any) -> dict[str, list]:
    """Return the term -> themes index of the main view (see :func:`term_index`)."""
    from topiclab.analysis.search import term_index

    return term_index(result, "embedding") if "embedding" in result.views else {}


def analysis_sections(result: Any) -> list[dict[str, Any]]:
    """Return one report section per derived table in ``result.analyses``."""
    out = []
    for name, a in getattr(result, "analyses", {}).items():
        anchor = "analysis-" + name.replace("_", "-")
        base = {
            "name": name,
            "title": a.title or name.replace("_", " ").capitalize(),
            "anchor": anchor,
            "hint": _HINTS.get(name)
            or _HINTS.get("themes_by_" if name.startswith("themes_by_") else "", ""),
            "facts": _facts(a.info),
        }
        if name == "themes_over_time" and len(a.frame):
            out.append({**base, **_heat(a.frame, "period")})
        elif name.startswith("themes_by_") and len(a.frame):
            out.append(
                {**base, **_heat(a.frame, str(a.info.get("class_column") or a.info.get("column")))}
            )
        else:
            out.append({**base, **_table(a.frame)})
    return out


def _facts(info: dict[str, Any]) -> list[list[Any]]:
    keep = []
    for k, v in info.items():
        if isinstance(v, bool | int | float | str) and not (
            isinstance(v, float) and not np.isfinite(v)
        ):
            keep.append([str(k), v])
    return keep


def _heat(frame: pd.DataFrame, group: str) -> dict[str, Any]:
    groups = list(dict.fromkeys(frame[group].astype(str)))[:MAX_GROUPS]
    frame = frame.assign(**{group: frame[group].astype(str)})
    frame = frame[frame[group].isin(groups)]
    themes = (
        frame.drop_duplicates("theme")
        .sort_values("theme")[["theme", "label"]]
        .itertuples(index=False)
    )
    themes = [[int(t), str(lbl)] for t, lbl in themes]
    share = frame.pivot_table(index="theme", columns=group, values="share", aggfunc="first")
    share = share.reindex(index=[t for t, _ in themes], columns=groups).fillna(0.0)
    terms = frame.pivot_table(index="theme", columns=group, values="terms", aggfunc="first")
    terms = terms.reindex(index=[t for t, _ in themes], columns=groups).fillna("")
    sizes = frame.drop_duplicates(group).set_index(group)["n_documents"]
    return {
        "kind": "heat",
        "group": group,
        "groups": groups,
        "group_sizes": [int(sizes.get(g, 0)) for g in groups],
        "themes": themes,
        "share": [[round(float(x), 4) for x in row] for row in share.to_numpy()],
        "terms": [[str(x) for x in row] for row in terms.to_numpy()],
    }


def _table(frame: pd.DataFrame) -> dict[str, Any]:
    rows = []
    for row in frame.head(MAX_ROWS).itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float | np.floating):
                cells.append(round(float(v), 4) if np.isfinite(v) else None)
            elif isinstance(v, np.integer):
                cells.append(int(v))
            else:
                cells.append(v if isinstance(v, int | str | bool) or v is None else str(v))
        rows.append(cells)
    return {"kind": "table", "columns": [str(c) for c in frame.columns], "rows": rows}
