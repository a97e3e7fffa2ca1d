"""Interactive charts: built from the plain-data result, every passage drawn, offline pages."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from test_report import XSS_TEXT, synthetic_result

pytest.importorskip("plotly", reason="plotly is not installed")

from topiclab.outputs import interactive


@pytest.fixture(scope="module")
def result():
    return synthetic_result()


def test_map_draws_every_passage_once_per_theme(result) -> None:
    fig = interactive.passage_map(result)
    themes = result.passages["theme"].to_numpy()
    assert len(fig.data) == len(set(themes.tolist()))
    assert all(tr.type == "scattergl" for tr in fig.data)
    drawn = np.concatenate([np.asarray(tr.customdata) for tr in fig.data])
    assert sorted(drawn.tolist()) == list(range(len(result.passages)))
    for tr in fig.data:
        tid = -1 if tr.name == "outliers" else int(tr.name.split(":")[0])
        assert set(themes[np.asarray(tr.customdata)].tolist()) == {tid}
    labels = {f"{t.id}: {t.label}" for t in result.themes}
    assert labels <= {tr.name for tr in fig.data}


def test_hover_text_is_escaped(result) -> None:
    fig = interactive.passage_map(result)
    hover = [h for tr in fig.data for h in tr.hovertext]
    hostile = [h for h in hover if "onerror" in h]
    assert hostile, "the hostile passage is on the map"
    for h in hostile:
        assert "<img" not in h and "<script" not in h
        assert "&lt;img" in h or "&lt;script" in h
    assert html.escape(XSS_TEXT[:10]) in " ".join(hover)


def test_search_highlights_the_matching_passages(result) -> None:
    fig = interactive.passage_map(result, search="Battery")
    expected = [i for i, t in enumerate(result.passages["text"]) if "battery" in t.lower()]
    highlight = fig.data[-1]
    assert 0 < len(expected) < len(result.passages)
    assert sorted(np.asarray(highlight.customdata).tolist()) == expected
    assert f"{len(expected)} contain" in fig.layout.title.text


def test_term_bars_one_panel_per_language(result) -> None:
    theme = result.themes[1]
    fig = interactive.term_bars(result, theme.id, n_terms=5)
    assert [tr.name for tr in fig.data] == ["English", "Arabic", "Chinese"]
    ar = fig.data[1]
    assert list(ar.y) == [t for t, _ in theme.terms["ar"][:5]]
    with pytest.raises(ValueError, match="no theme 99"):
        interactive.term_bars(result, 99)


def test_theme_sizes_add_up(result) -> None:
    fig = interactive.theme_sizes(result)
    totals = np.sum([np.asarray(tr.x, dtype=float) for tr in fig.data], axis=0)
    assert totals.tolist() == [sum(t.languages.values()) for t in result.themes]
    by_source = interactive.theme_sizes(result, by="source")
    col = result.passages["theme"]
    expected = [int((col == t.id).sum()) for t in result.themes]
    assert np.sum([np.asarray(tr.x) for tr in by_source.data], axis=0).tolist() == expected
    with pytest.raises(ValueError, match="by must be"):
        interactive.theme_sizes(result, by="colour")


def test_hierarchy_has_every_theme_as_a_leaf(result) -> None:
    fig = interactive.theme_hierarchy(result)
    leaves = list(fig.layout.yaxis.ticktext)
    assert sorted(leaves) == sorted(f"{t.id}: {t.label}" for t in result.themes)


def test_written_page_needs_no_network(result, tmp_path) -> None:
    path = interactive.write_html(interactive.passage_map(result), tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    # outside plotly.js itself (which names tile servers for map charts it never loads
    # here), nothing in the page points to the network
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    library = max(scripts, key=len)
    rest = page.replace(library, "")
    assert "plotly.js" in library[:2000] or len(library) > 1_000_000
    assert not re.search(r"https?://", rest)
    assert len(page) > 1_000_000  # plotly.js travels inside the page
