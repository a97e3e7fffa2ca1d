"""Theme tables from model outputs: per-language terms, labels, representatives, JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from topiclab.themes import ThemeTable, build_theme_table, make_label


def _inputs():
    passages = pd.DataFrame(
        {
            "passage_id": [f"p{i}" for i in range(6)],
            "doc_id": ["d0", "d0", "d1", "d2", "d2", "d3"],
            "lang": ["en", "en", "ar", "en", "en", "ar"],
            "text": ["battery grid", "energy storage", "بطارية", "trade visit", "canada", "كندا"],
        }
    )
    labels = np.array([0, 0, 0, 1, 1, 1])
    names = ["battery", "energy_storage", "بطاري", "trade", "canada", "كندا"]
    all_scores = np.array([[0.9, 0.8, 0.7, 0, 0, 0], [0, 0, 0, 0.9, 0.8, 0.6]])
    en = np.array([[0.9, 0.8, 0, 0, 0, 0], [0, 0, 0, 0.9, 0.8, 0]])
    ar = np.array([[0, 0, 0.7, 0, 0, 0], [0, 0, 0, 0, 0, 0.6]])
    return passages, labels, names, {"all": all_scores, "en": en, "ar": ar}


def test_terms_are_kept_per_language():
    passages, labels, names, scores = _inputs()
    table = build_theme_table("embedding", labels, scores, names, passages)
    t0 = table[0]
    assert t0.top_words("ar") == ["بطاري"]
    assert "بطاري" not in t0.top_words("en")
    assert t0.languages == {"en": 2, "ar": 1}
    assert t0.size == 3


def test_representatives_cover_each_language_and_follow_scores():
    passages, labels, names, scores = _inputs()
    centrality = np.array([0.2, 0.9, 0.1, 0.5, 0.4, 0.3])
    table = build_theme_table(
        "embedding", labels, scores, names, passages, scores=centrality, n_representative=2
    )
    reps = table[0].representative
    assert [r["passage_id"] for r in reps] == ["p1", "p2"]  # best English + the Arabic one
    assert {r["lang"] for r in reps} == {"en", "ar"}


def test_a_passage_of_no_language_is_not_shown_for_its_language():
    passages, labels, names, scores = _inputs()
    passages.loc[2, ["lang", "text"]] = ["und", "2015"]  # the theme's least central passage
    centrality = np.array([0.2, 0.9, 0.1, 0.5, 0.4, 0.3])
    table = build_theme_table(
        "embedding", labels, scores, names, passages, scores=centrality, n_representative=2
    )
    assert [r["passage_id"] for r in table[0].representative] == ["p1", "p0"]


def test_label_prefers_phrases_and_english_terms():
    label = make_label(
        {"ar": [("بطاري", 1.0)], "en": [("battery", 0.9), ("energy_storage", 0.5), ("grid", 0.4)]}
    )
    assert label.startswith("Energy storage")  # a title in natural case, phrase first
    assert "بطاري" not in label


def test_json_round_trip_keeps_everything():
    passages, labels, names, scores = _inputs()
    table = build_theme_table("lda", labels, scores, names, passages, n_representative=1)
    back = ThemeTable.from_dict(json.loads(table.to_json()))
    assert back.to_dict() == table.to_dict()
    frame = table.to_frame()
    assert list(frame["theme"]) == [0, 1] and "terms_ar" in frame.columns


def test_empty_theme_is_represented():
    passages, labels, names, scores = _inputs()
    scores = {k: np.vstack([v, np.zeros(len(names))]) for k, v in scores.items()}
    table = build_theme_table("embedding", labels, scores, names, passages, n_themes=3)
    assert len(table) == 3 and table[2].size == 0
    assert table[2].terms == {} and table[2].label == "(empty)"
