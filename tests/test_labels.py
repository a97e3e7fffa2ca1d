"""Labels a reader understands: titles from the terms, terms as written, honest charts."""

from __future__ import annotations

import numpy as np
import pytest

from topiclab.themes.labels import label_names, make_title, words_of
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
