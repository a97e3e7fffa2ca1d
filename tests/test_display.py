"""Rich display in Jupyter: results, theme tables and themes render as escaped HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from test_report import XSS_TEXT, XSS_TITLE, synthetic_result

from topiclab.themes import Theme, ThemeTable
from topiclab.themes.display import MAX_ROWS


class _Tags(HTMLParser):
    """Collect start tags with their attributes and the text of the fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(fragment: str) -> _Tags:
    p = _Tags()
    p.feed(fragment)
    p.close()
    return p


def _hostile_theme(i: int = 0) -> Theme:
    return Theme(
        id=i,
        label=XSS_TITLE,
        size=5,
        terms={"en": [("<b>x</b>", 1.0)], "ar": [("الطاقة", 1.0)], "zh": [("电池", 1.0)]},
        languages={"en": 3, "ar": 1, "zh": 1},
        representative=[{"doc_id": "d<1>", "lang": "en", "text": XSS_TEXT, "score": 1.0}],
        coherence={"npmi": 0.25},
    )


def test_every_text_is_escaped() -> None:
    html = (
        _hostile_theme()._repr_html_() + ThemeTable("embedding", [_hostile_theme()])._repr_html_()
    )
    tags = {t for t, _ in _parse(html).tags}
    assert not tags & {"script", "img", "iframe"}
    assert "<script>" not in html and "<img" not in html
    text = "".join(_parse(html).text)
    assert XSS_TITLE in text and "<b>x</b>" in text


def test_languages_carry_their_direction() -> None:
    tags = _parse(_hostile_theme()._repr_html_()).tags
    by_lang = {a.get("lang"): a.get("dir") for t, a in tags if a.get("lang")}
    assert by_lang["ar"] == "rtl"
    assert by_lang["zh"] == "ltr" and by_lang["en"] == "ltr"


def test_table_shows_every_theme_and_folds_long_tables() -> None:
    themes = [_hostile_theme(i) for i in range(MAX_ROWS + 7)]
    for i, t in enumerate(themes):
        t.label = f"theme label {i}"
    html = ThemeTable("embedding", themes)._repr_html_()
    text = "".join(_parse(html).text)
    assert all(f"theme label {i}" in text for i in range(len(themes)))
    before, after = html.split("<details>", 1)
    assert f"theme label {MAX_ROWS - 1}<" in before and f"theme label {MAX_ROWS}<" in after
    assert "7 more themes" in after
    short = ThemeTable("embedding", themes[:3])._repr_html_()
    assert "<details>" not in short


def test_result_shows_each_view_with_labels_sizes_and_coherence() -> None:
    result = synthetic_result()
    html = result._repr_html_()
    text = "".join(_parse(html).text)
    assert f"{len(result.documents)} documents" in text
    for view in result.views.values():
        assert view.title in text
        for t in view.table:
            assert t.label in text
    t = result.themes[1]
    row = html.split(f"<b>{t.label}</b>", 1)[1].split("</tr>", 1)[0]
    assert f">{t.size}<" in row
    assert f"{t.coherence['npmi']:.3f}" in row
    assert t.representative[0]["text"][:20] in row
