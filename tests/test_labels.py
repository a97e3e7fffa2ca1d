"""Labels a reader understands: titles from the terms, terms as written, honest charts."""

from __future__ import annotations

import numpy as np
import pytest

from topiclab.themes.labels import label_names, make_title, title_items, words_of
from topiclab.themes.tables import build_theme_table

# Subjects of the bundled articles, written by hand from corpus/README.md and the article
# texts (not from any output): document title words -> subject name.
SEED_SUBJECTS = {  # most specific first: the Arabic article also names Toyota in Latin
    "تويوتا": "Toyota and the Shanghai government: Lexus electric vehicles and battery "
    "research centre",
    "traditional industries": "traditional industries upgrading: steel, copper and soft "
    "magnetic materials at the World Manufacturing Convention",
    "Canadian": "Canadian Prime Minister Mark Carney's visit to China; Canada-China trade",
    "Sino-German": "Sino-German cooperation on smart new energy vehicles; the auto industry "
    "in Beijing",
    "Toyota": "Toyota energy storage system at the China International Import Expo (CIIE); "
    "new quality productive forces",
    "Energy Storage": "International Energy Storage conference in Shanghai; energy storage "
    "industry",
}


def _subject(title: str) -> str | None:
    for key, name in SEED_SUBJECTS.items():
        if key.lower() in str(title).lower():
            return name
    return None


def test_title_leads_with_a_phrase_and_drops_filler():
    title = make_title(["support", "motor", "silicon steel", "Toyota", "development"])
    assert title.startswith("Silicon steel")
    assert "support" not in title and "development" not in title
    assert "Toyota" in title  # names keep their capitals


def test_title_skips_words_already_in_a_phrase():
    title = make_title(["energy storage system", "storage", "battery"])
    assert title == "Energy storage system and battery"


def test_title_per_script():
    assert "、" in make_title(["储能", "进博会"], lang="zh")
    arabic = make_title(["تنمية خضراء", "تويوتا"], lang="ar")
    assert "،" not in arabic and " و" in arabic  # two items: joined with "و"


def test_words_of_splits_phrases_and_hyphens():
    assert words_of("Sino-German energy_storage") == {"sino", "german", "energy", "storage"}


def test_table_orders_terms_by_weight_and_mixes_languages_by_share():
    import pandas as pd

    names = ["power", "grid", "toyota", "بطارية", "صين"]
    labels = np.array([0, 0, 0, 0, 0])
    langs = ["en", "en", "en", "ar", "en"]
    passages = pd.DataFrame(
        {
            "passage_id": [f"p{i}" for i in range(5)],
            "doc_id": ["d"] * 5,
            "lang": langs,
            "text": ["x"] * 5,
        }
    )
    scores = {
        "all": np.array([[0.1, 0.2, 0.3, 0.9, 0.8]]),
        "en": np.array([[0.5, 0.2, 0.9, 0.0, 0.0]]),
        "ar": np.array([[0.0, 0.0, 0.0, 0.9, 0.7]]),
    }
    sel = {"en": [[1, 0, 2]], "ar": [[4, 3]], "all": [[0, 1, 2, 3, 4]]}
    table = build_theme_table("embedding", labels, scores, names, passages, selections=sel)
    theme = table[0]
    for lang, terms in theme.terms.items():
        weights = [w for _t, w in terms]
        assert weights == sorted(weights, reverse=True), lang
    # four English passages, one Arabic: the mixed list starts with English terms
    assert theme.terms["all"][0][0] == "toyota"
    assert set(theme.labels) == {"en", "ar"}
    assert theme.label == theme.labels["en"]


@pytest.mark.slow
def test_seed_labels_name_their_subjects(seed_run):
    result, _model = seed_run
    docs = result.documents.set_index("doc_id")
    p = result.passages
    for view in ("embedding", "lda"):
        table = result.views[view].table
        column = result.views[view].column
        hits = []
        for theme in table:
            members = p[p[column] == theme.id]
            if members.empty:
                continue
            doc = members["doc_id"].value_counts().index[0]
            title = docs.loc[doc, "title"]
            head = title if isinstance(title, str) and title else str(docs.loc[doc, "text"])[:300]
            subject = _subject(head)
            assert subject is not None, head
            hits.append(label_names(theme.label, subject))
        share = float(np.mean(hits))
        assert share >= 0.6, (view, share, table.labels())


@pytest.mark.slow
def test_seed_terms_shown_as_written(seed_run):
    result, _model = seed_run
    for view in result.views.values():
        for theme in view.table:
            shown = [w for lang in theme.terms for w in theme.keywords(lang)]
            assert not any("_" in w for w in shown), shown
            for lang, text in theme.labels.items():
                assert text, lang
    arabic = [w for t in result.themes for w in t.keywords("ar")]
    assert arabic, "the seed corpus has an Arabic article"
    # Arabic shown in its own spelling: some term keeps a ة (normalised to ه for counting)
    assert any("ة" in w for w in arabic), arabic


# ------------------------------------------------------------------ headline-like titles
def test_headline_takes_the_span_of_a_headline_that_names_two_keywords():
    from topiclab.themes.headlines import make_headline

    title = make_headline(
        ["Canada", "trade", "Carney", "visit"],
        ["Carney's visit paves way for Canada–China trade ties"],
    )
    assert title == "Canada–China trade"  # as written: the dash and the capitals kept
    # no span covers two keywords: no headline (the caller keeps the keyword title)
    assert make_headline(["Canada", "trade"], ["Hockey night in Toronto"]) == ""


def test_headline_from_a_passage_is_a_phrase_not_a_clause():
    from topiclab.themes.headlines import make_headline

    text = (
        "Toyota is capturing attention with its exhibit. "
        "It showed energy storage systems at the CIIE in Shanghai."
    )
    title = make_headline(["energy storage system", "CIIE", "Toyota", "exhibit"], [], [text])
    assert title == "Energy storage systems at the CIIE"
    # words of a clause ("is capturing attention with its") never sit inside a span
    clause = make_headline(
        ["Toyota", "exhibit"], [], ["Toyota is capturing attention with its exhibit."]
    )
    assert clause == ""


def test_headline_must_name_the_anchor_terms():
    from topiclab.themes.headlines import make_headline

    text = ["Motor performance gets better with thinner silicon steel sheets."]
    keywords = ["silicon steel", "soft magnetic materials", "motor", "performance"]
    # the keyword title would name silicon steel, soft magnetic materials and motor
    anchors = title_items(keywords)
    assert make_headline(keywords, [], text, anchors=anchors) == ""
    assert make_headline(keywords, [], ["Silicon steel for the motor of an EV"], anchors=anchors)


def test_headline_in_arabic_and_chinese():
    from topiclab.themes.headlines import make_headline, word_key

    assert word_key("والصين", "ar") == word_key("الصين", "ar") == "صين"
    ar = make_headline(
        ["تويوتا", "الصين", "التنمية الخضراء"],
        ["تويوتا تدعم التنمية الخضراء في الصين"],
        lang="ar",
    )
    assert ar.startswith("تويوتا") and "الصين" in ar
    zh = make_headline(["储能", "进博会", "丰田"], ["丰田储能系统亮相进博会，吸引观众"], lang="zh")
    assert zh == "丰田储能系统亮相进博会"


def test_table_labels_come_from_the_typical_headline():
    import pandas as pd

    names = ["canada", "trade", "carney", "hockey"]
    labels = np.array([0, 0, 0, 1, 1])
    passages = pd.DataFrame(
        {
            "passage_id": [f"p{i}" for i in range(5)],
            "doc_id": ["a", "a", "b", "c", "c"],
            "lang": ["en"] * 5,
            "text": ["Canada and trade.", "Carney.", "Trade.", "Hockey.", "Hockey night."],
        }
    )
    scores = {"all": np.array([[0.9, 0.8, 0.5, 0.0], [0.0, 0.0, 0.0, 0.9]])}
    display = lambda terms: [t.capitalize() if t != "trade" else t for t in terms]  # noqa: E731
    titles = {"a": "Carney visit opens Canada–China trade talks", "c": "Hockey night"}
    with_titles = build_theme_table(
        "embedding", labels, scores, names, passages, display=display, titles=titles
    )
    plain = build_theme_table("embedding", labels, scores, names, passages, display=display)
    label = with_titles[0].label
    assert label in titles["a"] and "Canada–China trade" in label  # a span, as written
    assert plain[0].label == make_title(["Canada", "trade", "Carney"])
    # the keyword list stays beside the title, and passages are named by their article
    assert with_titles[0].keywords("all")[:2] == ["Canada", "trade"]
    assert with_titles[0].representative[0]["title"] == titles["a"]
    assert with_titles[1].label == plain[1].label  # one keyword: no headline


def test_label_check_can_count_the_keyword_list():
    assert not label_names("Team, Gretzky and playoffs", "rec.sport.hockey")
    assert label_names("Team, Gretzky and playoffs", "rec.sport.hockey", ["NHL", "Hockey"])
    assert not label_names("Team, Gretzky and playoffs", "rec.sport.hockey", ["NHL", "ice"])
