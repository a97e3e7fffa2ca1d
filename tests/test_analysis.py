"""Themes over time and by class, the theme tree, merging, search and new articles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topiclab.analysis._groups import AnalysisError
from topiclab.analysis.by_class import themes_by_class
from topiclab.analysis.dates import DateError, choose_bin, parse_dates
from topiclab.analysis.over_time import themes_over_time
from topiclab.themes import RunResult, Theme, ThemeTable, View

WORDS = {
    0: "battery storage grid lithium capacity",
    1: "tariff trade export customs deal",
    2: "football match goal league coach",
}


def _result(dates, *, n_themes=3, sources=None, seed=0):
    """A small hand-made run: one passage per document, planted words per theme."""
    rng = np.random.default_rng(seed)
    n = len(dates)
    themes_of = np.arange(n) % n_themes
    doc_ids = [f"d{i:03d}" for i in range(n)]
    words = {k: WORDS.get(k, f"word{k}a word{k}b word{k}c") for k in range(n_themes)}
    texts = [f"{words[k]} {words[k]} report" for k in themes_of]
    mix = rng.dirichlet(np.ones(n_themes) * 0.2, size=n) * 0.2
    mix[np.arange(n), themes_of] += 0.8
    mix /= mix.sum(axis=1, keepdims=True)
    documents = pd.DataFrame(
        {
            "doc_id": doc_ids,
            "date": list(dates),
            "source": sources if sources is not None else ["a"] * n,
            "lang": "en",
            "text": texts,
            "theme": themes_of,
        }
    )
    passages = pd.DataFrame(
        {
            "passage_id": [f"{d}-p000" for d in doc_ids],
            "doc_id": doc_ids,
            "lang": "en",
            "text": texts,
            "theme": themes_of,
            "theme_label": [f"t{k}" for k in themes_of],
        }
    )
    table = ThemeTable(
        "embedding",
        [
            Theme(
                k,
                f"t{k}",
                int((themes_of == k).sum()),
                {"all": [(w, 1.0 / (j + 1)) for j, w in enumerate(words[k].split())]},
                {"en": int((themes_of == k).sum())},
            )
            for k in range(n_themes)
        ],
    )
    mixture = pd.DataFrame(mix, index=pd.Index(doc_ids, name="doc_id"), columns=range(n_themes))
    view = View.builtin("embedding", table, mixture)
    return RunResult({"seed": 0}, documents, passages, {"embedding": view})


# ------------------------------------------------------------------ dates
def test_parse_dates_counts_missing_and_malformed():
    dates, counts = parse_dates(
        ["2024-01-05", "2024-01-05T10:00:00+02:00", "", None, "n/a", "5 March 2023"]
    )
    assert counts == {"dated": 3, "missing": 2, "malformed": 1}
    assert dates[1].tz is not None and dates[5].year == 2023


def test_choose_bin_follows_the_range():
    def bin_of(*values):
        return choose_bin(parse_dates(values)[0])

    assert bin_of("2024-01-01", "2024-01-20") == "day"
    assert bin_of("2024-01-01", "2024-06-20") == "week"
    assert bin_of("2023-01-01", "2025-06-20") == "month"
    assert bin_of("2015-01-01", "2023-06-20") == "quarter"
    assert bin_of("1990-01-01", "2023-06-20") == "year"


# ------------------------------------------------------------------ over time
def test_shares_per_period_sum_to_one_and_follow_the_mixture():
    dates = ["2021-03-01", "2021-07-01", "2022-02-01", "2022-05-01", "2023-01-01", "2023-09-01"] * 3
    r = _result(dates)
    f = themes_over_time(r, bin="year")
    assert list(dict.fromkeys(f["period"])) == ["2021", "2022", "2023"]
    assert np.allclose(f.groupby("period")["share"].sum(), 1.0)
    mix = r.doc_themes
    in_2022 = [d for d, x in zip(r.documents.doc_id, dates, strict=True) if x.startswith("2022")]
    row = f[(f.period == "2022") & (f.theme == 1)].iloc[0]
    assert row["share"] == pytest.approx(mix.loc[in_2022, 1].mean())
    assert row["n_documents"] == len(in_2022)
    # per-period terms are the theme's own planted words
    terms = f[(f.period == "2021") & (f.theme == 0)]["terms"].iloc[0]
    assert "battery" in terms and "tariff" not in terms
    assert f.attrs["undated"] == 0 and f.attrs["bin"] == "year"


def test_no_dates_at_all_is_a_clear_error():
    r = _result([None] * 6)
    with pytest.raises(DateError, match="no document has a readable date in column 'date'"):
        themes_over_time(r)


def test_one_date_gives_one_period_and_counts_the_undated():
    r = _result(["2024-05-01", None, None, "", None, None])
    f = themes_over_time(r)
    assert f["period"].nunique() == 1 and f.attrs["bin"] == "day"
    assert f.attrs["dated"] == 1 and f.attrs["undated"] == 5
    assert f["share"].sum() == pytest.approx(1.0)


def test_malformed_dates_are_counted_not_dropped_silently(caplog):
    r = _result(
        ["2024-05-01", "not a date", "31/31/2024", "2024-07-01", "2024-13-45", "2024-09-01"]
    )
    with caplog.at_level("WARNING"):
        f = themes_over_time(r, bin="month")
    assert f.attrs["malformed"] == 3 and f.attrs["dated"] == 3
    assert "3 of 6 documents have no readable" in caplog.text


def test_named_date_column_and_bad_parameters():
    r = _result([None] * 6)
    r.documents["published"] = ["2020-01-01", "2020-02-01", "2020-03-01"] * 2
    f = themes_over_time(r, date_column="published", bin="month")
    assert f.attrs["date_column"] == "published" and f["period"].nunique() == 3
    # found without naming it when "date" is empty
    assert themes_over_time(r).attrs["date_column"] == "published"
    with pytest.raises(DateError, match="date_column='pubdate'"):
        themes_over_time(r, date_column="pubdate")
    with pytest.raises(DateError, match="bin must be"):
        themes_over_time(r, bin="fortnight")


# ------------------------------------------------------------------ by class
def test_themes_by_class_shares_and_lift():
    r = _result(["2024-01-01"] * 9, sources=["x", "x", "x", "y", "y", "y", "y", "z", None])
    f = themes_by_class(r, "source")
    assert list(dict.fromkeys(f["source"])) == ["y", "x", "z"]  # largest class first
    assert np.allclose(f.groupby("source")["share"].sum(), 1.0)
    assert f.attrs["missing"] == 1 and f.attrs["n_classes"] == 3
    row = f[(f.source == "y") & (f.theme == 0)].iloc[0]
    assert row["lift"] == pytest.approx(row["share"] / row["overall_share"])


def test_class_column_with_one_value_and_bad_columns():
    r = _result(["2024-01-01"] * 6)
    f = themes_by_class(r, "source")
    assert f["source"].nunique() == 1
    assert np.allclose(f["share"], f["overall_share"]) and np.allclose(f["lift"], 1.0)
    with pytest.raises(AnalysisError, match="by='outlet': no such document column"):
        themes_by_class(r, "outlet")
    r.documents["empty"] = None
    with pytest.raises(AnalysisError, match="holds no value"):
        themes_by_class(r, "empty")


# ------------------------------------------------------------------ merge / reduce
def test_merge_themes_returns_a_new_result_and_leaves_the_old_one():
    from topiclab.analysis.hierarchy import merge_themes

    r = _result(["2024-01-01", "2024-02-01", "2024-03-01"] * 4, n_themes=4)
    before = r.doc_themes.copy()
    labels_before = r.themes.labels()
    m = merge_themes(r, [[1, 3]])
    assert len(m.themes) == 3 and len(r.themes) == 4
    assert r.themes.labels() == labels_before
    pd.testing.assert_frame_equal(r.doc_themes, before)
    assert np.allclose(m.doc_themes[1], before[1] + before[3])
    assert np.allclose(m.doc_themes.sum(axis=1), 1.0)
    assert m.themes[1].size == r.themes[1].size + r.themes[3].size
    assert set(m.passages["theme"]) == {0, 1, 2}
    assert m.views["embedding"].metrics["merged_from"]["1"] == [1, 3]
    merged_terms = m.themes[1].top_words("all", 20)
    assert "battery" not in merged_terms and "tariff" in merged_terms
    for bad in ([[0, 9]], [[0, 1], [1, 2]], [[]]):
        with pytest.raises(AnalysisError):
            merge_themes(r, bad)


def test_reduce_themes_follows_the_tree():
    from topiclab.analysis.hierarchy import reduce_themes, theme_tree

    r = _result(["2024-01-01"] * 12, n_themes=4)
    tree = theme_tree(r)
    assert len(tree) == 3 and tree["distance"].is_monotonic_increasing
    assert tree.iloc[-1]["size"] == 4 and tree["basis"].iloc[0] == "terms"
    two = reduce_themes(r, 2)
    assert len(two.themes) == 2 and sum(t.size for t in two.themes) == 12
    with pytest.raises(AnalysisError, match="between 1 and 4"):
        reduce_themes(r, 5)


# ------------------------------------------------------------------ storage
def test_analyses_are_saved_atomically_and_load_back(tmp_path):
    from topiclab.analysis.attach import with_analyses
    from topiclab.storage.runs import load_result, save_run

    r = _result(["2024-01-01", "2024-02-01", None] * 3, sources=list("aabbbcccc"))
    r = with_analyses(r, by=["source"])
    assert set(r.analyses) == {"themes_over_time", "themes_by_source", "theme_tree"}
    save_run(tmp_path / "run", r)
    assert (tmp_path / "run" / "themes_over_time.parquet").is_file()
    back = load_result(tmp_path / "run")
    for name, a in r.analyses.items():
        pd.testing.assert_frame_equal(back.analyses[name].frame, a.frame, check_dtype=False)
    assert back.metrics["analyses"]["themes_over_time"]["undated"] == 3


def test_a_run_without_dates_records_why(tmp_path):
    from topiclab.analysis.attach import with_analyses

    r = with_analyses(_result([None] * 6))
    assert "themes_over_time" not in r.analyses
    assert "no document has a readable date" in r.run_metrics["themes_over_time"]["skipped"]
    with pytest.raises(DateError):
        with_analyses(_result([None] * 6), over_time=True)


# ------------------------------------------------------------------ figures and report
@pytest.mark.parametrize("n_themes", [5, 30])
def test_figures_of_the_derived_tables(tmp_path, n_themes):
    from topiclab.analysis.attach import with_analyses
    from topiclab.outputs.figures import render_all

    dates = pd.date_range("2019-01-01", "2023-12-01", periods=4 * n_themes).strftime("%Y-%m-%d")
    r = with_analyses(
        _result(list(dates), n_themes=n_themes, sources=list("abcd") * n_themes), by=["source"]
    )
    files = render_all(r, tmp_path, names=["themes_over_time", "themes_by_class"], formats=("png",))
    assert {f.name for f in files} >= {"themes_over_time.png", "themes_by_class.png"}
    bare = _result(list(dates), n_themes=n_themes)
    files = render_all(bare, tmp_path / "bare", names=["themes_over_time"], formats=("png",))
    assert not any(f.name == "themes_over_time.png" for f in files)


def test_report_has_sections_and_a_term_index():
    from topiclab.analysis.attach import with_analyses
    from topiclab.outputs.report import render_report, report_data

    r = with_analyses(_result(["2024-01-01", "2024-06-01"] * 3), by=["source"])
    data = report_data(r)
    names = [a["name"] for a in data["analyses"]]
    assert names == ["themes_over_time", "themes_by_source", "theme_tree"]
    heat = data["analyses"][0]
    assert heat["kind"] == "heat" and heat["groups"] == ["2024-W01", "2024-W22"]  # auto: weeks
    assert [t for t, _ in data["term_index"]["battery"]] == [0]
    page = render_report(r)
    assert 'id="theme-search"' in page and "http://" not in page.split("<script")[0]


def test_config_carries_the_analysis_options(tmp_path):
    from topiclab.config import RunConfig
    from topiclab.errors import ConfigError

    c = RunConfig(by=("source", "lang"), time_bin="year", date_field="published", stability=3)
    path = tmp_path / "config.toml"
    path.write_text(c.to_toml(), encoding="utf-8")
    back = RunConfig.from_toml(path)
    assert back == c and back.by == ("source", "lang")
    assert c.section("analyze").by == ("source", "lang")
    for bad in ({"time_bin": "fortnight"}, {"stability": -1}, {"stability": True}):
        with pytest.raises(ConfigError):
            RunConfig(**bad)


def test_merged_themes_are_labelled_as_in_a_run():
    from topiclab.analysis.hierarchy import merge_themes
    from topiclab.themes import make_label

    r = _result(["2024-01-01"] * 12, n_themes=4)
    headline = "Customs chiefs say the tariff deal will lift export trade"
    r.documents["title"] = [headline if k == 1 else None for k in r.documents["theme"]]
    for theme in r.themes:
        rows = r.passages[r.passages["theme"] == theme.id]
        theme.representative = [
            {**row, "score": 1.0 - 0.1 * j}
            for j, row in enumerate(
                rows[["passage_id", "doc_id", "lang", "text"]].to_dict("records")
            )
        ]
    merged = merge_themes(r, [[1, 3]]).themes[1]
    # a span of the typical article's headline, as in a run, not the keyword title
    assert merged.label.lower() in headline.lower() and len(merged.label.split()) >= 2
    assert merged.label != make_label(merged.terms)
    without = r.documents.drop(columns="title")
    plain = merge_themes(r.replace(documents=without), [[1, 3]]).themes[1]
    assert plain.label.lower() not in headline.lower()  # no headline: the keywords
    assert set(plain.label.replace(",", "").lower().split()) - {"and"} <= {
        w for w, _ in plain.terms["all"]
    }
