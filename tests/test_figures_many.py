"""Figures at 50 themes: every theme named, labels apart and off the points, bubbles apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topiclab.themes import RunResult, Theme, ThemeTable

WORDS = (
    "energy storage system battery grid trade visit canada china steel motor space hockey "
    "baseball windows graphics medicine encryption religion guns"
).split()


def make_many(n_themes: int = 50, per: int = 20, seed: int = 0) -> RunResult:
    """A map with a dense centre, as UMAP draws one: 50 themes of 20 passages."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(n_themes, 2))
    rows = []
    for t, c in enumerate(centres):
        for j in range(per):
            x, y = c + rng.normal(0, 0.7, 2)
            rows.append(
                {
                    "passage_id": f"t{t}-{j}",
                    "doc_id": f"d{t}-{j // 5}",
                    "lang": "en",
                    "text": "x",
                    "theme": t,
                    "x": x,
                    "y": y,
                }
            )
    passages = pd.DataFrame(rows)
    themes = []
    for t in range(n_themes):
        ws = [str(w) for w in rng.choice(WORDS, 4, replace=False)]
        themes.append(
            Theme(
                id=t,
                label=" ".join(ws[:3]).capitalize() + " and " + ws[3],
                size=per + t % 7,
                terms={"all": [(w, 1.0 / (i + 1)) for i, w in enumerate(ws)]},
                languages={"en": per},
            )
        )
    docs = passages.groupby("doc_id").size().reset_index(name="n_passages")
    docs["title"], docs["lang"] = docs["doc_id"], "en"
    mix = pd.crosstab(passages["doc_id"], passages["theme"]).astype(float)
    mix = mix.div(mix.sum(axis=1), axis=0)
    return RunResult(
        config={},
        documents=docs,
        passages=passages,
        themes=ThemeTable("embedding", themes),
        topics=ThemeTable("lda", []),
        doc_themes=mix,
        doc_topics=pd.DataFrame(),
        metrics={},
        meta={},
    )


@pytest.fixture(scope="module")
def many() -> RunResult:
    return make_many()


def _legend_texts(ax) -> list[str]:
    return [t.get_text().lstrip("\u200e\u200f") for lg in [ax.get_legend()] for t in lg.get_texts()]


def test_passage_map_names_every_theme_without_covering_points(many: RunResult) -> None:
    from topiclab.outputs.plot_themes import fig_passage_map
    from topiclab.outputs.plotting import label_overlaps

    fig = fig_passage_map(many)
    ax = fig.get_axes()[0]
    legend = _legend_texts(ax)
    assert len(legend) == len(many.themes)  # every theme, not the largest 20
    for theme in many.themes:
        assert any(t.startswith(f"{theme.id}: ") for t in legend), theme.id
    ids = sorted(int(t.get_text()) for t in ax.texts)  # the map carries every id
    assert ids == [t.id for t in many.themes]
    p = many.passages
    counts = label_overlaps(ax, ax.texts, p["x"], p["y"])
    assert counts == {"label_pairs": 0, "points_covered": 0}
    # leader lines stay short: each id within a tenth of the axes of its theme's median
    fig.canvas.draw()
    inv = ax.transAxes.inverted()
    medians = p.groupby("theme")[["x", "y"]].median()
    renderer = fig.canvas.get_renderer()
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        centre = inv.transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        anchor = inv.transform(ax.transData.transform(medians.loc[int(text.get_text())]))
        assert np.hypot(*(centre - anchor)) < 0.13, text.get_text()


def test_intertopic_map_at_50_themes(many: RunResult) -> None:
    from matplotlib.patches import Circle

    from topiclab.outputs.plot_terms import fig_intertopic_distance
    from topiclab.outputs.plotting import label_overlaps

    fig = fig_intertopic_distance(many)
    ax = fig.get_axes()[0]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == len(many.themes)
    centres = np.array([c.center for c in circles])
    radii = np.array([c.radius for c in circles])
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    need = radii[:, None] + radii[None, :]
    off = ~np.eye(len(circles), dtype=bool)
    assert (gaps[off] >= need[off]).all()  # no bubble hides another
    span = np.ptp(centres, axis=0).max()
    assert radii.min() > 0.015 * span  # and the smallest is still visible
    assert label_overlaps(ax, ax.texts, [], [])["label_pairs"] == 0
    assert len(_legend_texts(ax)) == len(many.themes)
    # each id sits inside its own bubble: no leader line needed
    for text, (x, y), r in zip(ax.texts, centres, radii, strict=True):
        assert np.hypot(*(np.array(text.get_position()) - (x, y))) < r


def test_arabic_titles_put_the_id_where_reading_starts(monkeypatch) -> None:
    from topiclab.outputs import fonts
    from topiclab.outputs.plotting import theme_name

    arabic = Theme(id=3, label="تويوتا والصين", size=1, terms={}, languages={"ar": 1})
    english = Theme(id=3, label="Toyota and China", size=1, terms={}, languages={"en": 1})
    # laid out by matplotlib (3.11+): a right-to-left paragraph for the Arabic title
    monkeypatch.setattr(fonts, "native_bidi", lambda: True)
    assert theme_name(arabic, 3).startswith("\u200f3: ")
    assert theme_name(english, 3).startswith("3: ")  # left to right: the id on the left
    # put into visual order here (older matplotlib): the id is drawn at the right end
    monkeypatch.setattr(fonts, "native_bidi", lambda: False)
    shown = theme_name(arabic, 3)
    assert shown.endswith("3") and shown.rstrip("3").rstrip().endswith(":")
    assert theme_name(english, 3).startswith("3: ")


def test_titles_are_shortened_by_the_rules_of_their_script() -> None:
    from topiclab.outputs.plotting import text_width, wrap_text

    arabic = "أعلنت شركة تويوتا موتور عن تعاون استراتيجي مع حكومة بلدية شنغهاي لدعم التنمية الخضراء"
    short = wrap_text(arabic, 30, 1)
    assert short.endswith("…") and len(short) <= 31
    assert set(short.rstrip("…").split()) <= set(arabic.split())  # whole words only
    chinese = "中国国际进口博览会储能系统亮相并吸引观众"
    short = wrap_text(chinese, 12, 1)
    assert short.endswith("…") and text_width(short) <= 13  # two columns per character
    assert chinese.startswith(short.rstrip("…"))
