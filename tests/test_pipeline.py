"""The main job on the bundled corpus: themes a reader can trust, reproducible and saved.

The subject of each anchor passage comes from ``tests/data/seed_subjects.json``, written
by reading the articles; the assertions check structure (distinct themes, languages
mixed), never exact floats or theme numbers.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
import pytest
from conftest import ROOT
from sklearn.metrics import adjusted_rand_score

import topiclab
from topiclab.config import RunConfig
from topiclab.pipeline import run
from topiclab.storage.runs import load_result, save_run

pytestmark = pytest.mark.slow

SUBJECTS = json.loads((ROOT / "tests" / "data" / "seed_subjects.json").read_text("utf-8"))
ARABIC = re.compile(r"[\u0600-\u06FF]")


def _anchor_rows(passages):
    rows = {}
    for subject, snippets in SUBJECTS["subjects"].items():
        hits = set()
        for snippet in snippets:
            found = [i for i, t in enumerate(passages["text"]) if snippet in t]
            assert found, f"anchor {snippet!r} is in no passage"
            hits.update(found)
        rows[subject] = sorted(hits)
    return rows


def _majority(labels, rows):
    return Counter(labels[rows]).most_common(1)[0]


def test_named_subjects_land_in_distinct_themes(seed_run):
    result, _ = seed_run
    labels = result.passages["theme"].to_numpy()
    rows = _anchor_rows(result.passages)
    majority = {s: _majority(labels, r) for s, r in rows.items()}
    themes = {s: t for s, (t, _) in majority.items()}
    assert len(set(themes.values())) == len(themes), themes
    # the subjects whose anchors all sit in one article are each kept whole
    for subject in ("nev_smart_driving", "industrial_upgrading", "trade_visit"):
        _theme, count = majority[subject]
        assert count == len(rows[subject]), (subject, labels[rows[subject]])


def test_arabic_article_shares_themes_with_english_passages(seed_run):
    result, _ = seed_run
    p = result.passages
    labels = p["theme"].to_numpy()
    langs = p["lang"].to_numpy()
    arabic = np.flatnonzero(langs == "ar")
    assert arabic.size >= 3
    for t in set(labels[arabic]):
        members = langs[labels == t]
        assert (members == "en").any(), f"theme {t} is Arabic only"
    # the themes holding the Arabic article speak of vehicles or Toyota in English too
    english_terms = {w for t in set(labels[arabic]) for w in result.themes[t].top_words("en", 15)}
    assert english_terms & {"toyota", "vehicle", "battery", "automotive", "auto", "nev"}


def test_no_theme_is_boilerplate_or_a_language_alone(seed_run):
    result, _ = seed_run
    boiler = {"facebook", "skip", "content", "recommended", "updated", "follow", "تابعونا"}
    for theme in result.themes:
        words = set(theme.top_words("all", 10))
        assert not words & boiler, theme.label
        if theme.size:
            assert "en" in theme.languages, theme.languages


def test_terms_are_listed_per_language(seed_run):
    result, _ = seed_run
    mixed = [t for t in result.themes if "ar" in t.terms]
    assert mixed, "no theme has Arabic terms"
    for theme in mixed:
        assert all(ARABIC.search(w) for w in theme.top_words("ar")), theme.terms["ar"]
        assert not any(ARABIC.search(w) for w in theme.top_words("en")), theme.terms["en"]


def test_metrics_and_tables_are_complete(seed_run):
    result, _ = seed_run
    for view in ("embedding", "lda"):
        m = result.metrics[view]
        assert m["n_themes"] >= 2
        assert 0 < m["diversity"] <= 1
        assert np.isfinite(m["npmi"]) and np.isfinite(m["c_v"])
    assert {"theme", "theme_label", "lda_topic", "x", "y"} <= set(result.passages.columns)
    mix = result.doc_themes.to_numpy()
    np.testing.assert_allclose(mix.sum(axis=1), 1.0, atol=1e-9)
    assert len(result.doc_themes) == len(result.documents) == 6


def test_same_seed_gives_identical_themes(seed_corpus, seed_run):
    first, _ = seed_run
    again, _ = run(seed_corpus, RunConfig(seed=0, progress=False))
    assert first.passages["theme"].tolist() == again.passages["theme"].tolist()
    assert first.passages["lda_topic"].tolist() == again.passages["lda_topic"].tolist()
    assert first.themes.to_dict() == again.themes.to_dict()
    assert first.topics.to_dict() == again.topics.to_dict()
    np.testing.assert_array_equal(first.doc_themes.to_numpy(), again.doc_themes.to_numpy())
    np.testing.assert_array_equal(first.passages[["x", "y"]], again.passages[["x", "y"]])


def test_themes_are_stable_across_seeds(seed_corpus, seed_run):
    base, _ = seed_run
    for seed in (1, 2):
        other, _ = run(seed_corpus, RunConfig(seed=seed, progress=False))
        ari = adjusted_rand_score(base.passages["theme"], other.passages["theme"])
        assert ari >= 0.8, (seed, ari)


def test_saved_run_loads_and_assigns_like_the_fit(seed_run, tmp_path):
    result, model = seed_run
    out = save_run(tmp_path / "run", result, model)
    for name in ("documents.parquet", "passages.parquet", "themes.json", "metrics.json"):
        assert (out / name).is_file(), name
    loaded = topiclab.load(out)
    p = result.passages
    texts, docs, langs = p["text"].tolist(), p["doc_id"].tolist(), p["lang"].tolist()
    assert loaded.predict(texts, doc_ids=docs)["theme"].tolist() == p["theme"].tolist()
    assert loaded.transform_lda(texts, langs).argmax(axis=1).tolist() == p["lda_topic"].tolist()
    np.testing.assert_allclose(
        loaded.transform(texts, doc_ids=docs), model.transform(texts, doc_ids=docs)
    )
    back = load_result(out)
    assert back.themes.to_dict() == result.themes.to_dict()
    assert back.passages["theme"].tolist() == p["theme"].tolist()


def test_guided_themes_steer_the_embedding_view(seed_corpus):
    from topiclab.config import GuidedTheme

    cfg = RunConfig(
        seed=0,
        progress=False,
        n_topics=4,
        guided=(
            GuidedTheme.parse("energy storage: battery, energy storage, grid, power station"),
            GuidedTheme.parse("trade: canada, trade, export, minister"),
        ),
    )
    result, _ = run(seed_corpus, cfg)
    rows = _anchor_rows(result.passages)
    labels = result.passages["theme"].to_numpy()
    assert _majority(labels, rows["trade_visit"])[0] == 1
    assert _majority(labels, rows["energy_storage"])[0] == 0


def test_lda_on_a_capped_vocabulary_saves_and_loads(seed_corpus, tmp_path):
    cfg = RunConfig(seed=0, progress=False, n_topics=4, lda_max_features=200)
    result, model = run(seed_corpus, cfg)
    assert model.lda.components_.shape == (4, 200)
    n_terms = len(model.vectorizer.get_feature_names_out())
    assert n_terms > 200 and model.lda_columns.shape == (200,)
    kept = set(np.asarray(model.vectorizer.get_feature_names_out())[model.lda_columns])
    for topic in result.topics:  # LDA terms come from its own vocabulary
        assert set(topic.top_words("all")) <= kept
    loaded = topiclab.load(save_run(tmp_path / "run", result, model))
    p = result.passages
    theta = loaded.transform_lda(p["text"].tolist(), p["lang"].tolist())
    assert theta.argmax(axis=1).tolist() == p["lda_topic"].tolist()
