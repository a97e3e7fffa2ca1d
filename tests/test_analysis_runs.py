"""Analyses on real runs: the seed corpus (search, new articles, CLI) and dated news."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from topiclab.analysis._groups import AnalysisError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def saved_seed_run(seed_run, tmp_path_factory):
    from topiclab.storage.runs import save_run

    result, model = seed_run
    out = tmp_path_factory.mktemp("analysis") / "run"
    save_run(out, result, model)
    return out


def test_the_default_run_has_its_derived_tables(seed_run):
    result, _ = seed_run
    a = result.analyses["themes_over_time"]
    # the seed corpus: three articles carry a date (2023, 2024, 2025), three do not
    assert a.info["dated"] == 3 and a.info["undated"] == 3
    assert a.info["first"].startswith("2023") and a.info["last"].startswith("2025")
    assert "theme_tree" in result.analyses
    assert 0 < result.views["embedding"].metrics["novelty_threshold"] < 1


def test_saved_run_loads_its_tables(seed_run, saved_seed_run):
    import topiclab

    tl = topiclab.load(saved_seed_run)
    for name, a in seed_run[0].analyses.items():
        pd.testing.assert_frame_equal(tl.result_.analyses[name].frame, a.frame, check_dtype=False)


def test_find_themes_by_the_runs_own_embedder(seed_run):
    from topiclab.analysis.search import find_themes

    result, model = seed_run
    hits = find_themes(model, "battery storage for the grid", top_n=3)
    assert len(hits) == 3 and hits["similarity"].is_monotonic_decreasing
    top = result.themes[int(hits["theme"].iloc[0])]
    assert "storage" in " ".join(top.top_words("all", 10)).lower()
    for query in ("تخزين الطاقة بالبطاريات", "电池储能"):  # Arabic, Chinese
        other = find_themes(model, query, top_n=10)
        assert len(other) == len(result.themes) and np.isfinite(other["similarity"]).all()
    with pytest.raises(AnalysisError, match="non-empty"):
        find_themes(model, "   ")


def test_new_articles_equal_transform_and_far_ones_are_flagged(seed_run, corpus_dir):
    from topiclab.analysis.assign import assign_new

    _result, model = seed_run
    a = assign_new(model, corpus_dir)
    p = a.passages
    expected = model.transform(p["text"].tolist(), p["lang"].tolist(), doc_ids=p["doc_id"].tolist())
    np.testing.assert_array_equal(a.membership, expected)
    # the fit's own articles: at most about 5 % of passages are beyond the 95th percentile
    assert a.info["n_new_passages"] <= max(1, int(np.ceil(0.05 * len(p))))
    recipe = (
        "Whisk the eggs with sugar and butter, fold in the flour and a pinch of salt, "
        "pour the batter into a tin and bake the sponge cake for forty minutes. "
        "Serve the cake warm with cream, strawberries and a cup of tea."
    )
    b = assign_new(model, [recipe])
    assert bool(b.passages["new"].all()) and bool(b.documents["new"].all())
    assert {"cake", "flour"} & set(b.info["new_terms"])


def test_empty_new_articles_folder_is_a_clear_error(seed_run, tmp_path):
    from topiclab.analysis.assign import assign_new
    from topiclab.errors import TopiclabError

    with pytest.raises(TopiclabError, match=str(tmp_path.name)):
        assign_new(seed_run[1], tmp_path)


def test_cli_search_reduce_assign(saved_seed_run, corpus_dir, tmp_path, capsys):
    import topiclab
    from topiclab.cli import main

    assert main(["-q", "search", str(saved_seed_run), "battery storage for the grid"]) == 0
    assert "storage" in capsys.readouterr().out
    out = tmp_path / "reduced"
    rc = main(
        [
            "-q",
            "reduce",
            str(saved_seed_run),
            "--n-themes",
            "2",
            "--out",
            str(out),
            "--no-figures",
            "--no-report",
        ]
    )
    assert rc == 0
    reduced = topiclab.load(out).result_
    original = topiclab.load(saved_seed_run).result_
    assert len(reduced.themes) == 2 and len(original.themes) > 2
    assert np.allclose(reduced.doc_themes.sum(axis=1), 1.0)
    assert (
        main(["-q", "assign", str(saved_seed_run), str(corpus_dir), "--out", str(tmp_path / "new")])
        == 0
    )
    assigned = pd.read_parquet(tmp_path / "new" / "passages.parquet")
    assert {"theme", "distance", "new"} <= set(assigned.columns)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (
        main(["-q", "assign", str(saved_seed_run), str(empty), "--out", str(tmp_path / "x")]) == 1
    )
    assert (
        main(
            ["-q", "reduce", str(saved_seed_run), "--n-themes", "99", "--out", str(tmp_path / "y")]
        )
        == 1
    )


HUFFPOST = "dated_news/huffpost_news_category_2018_2022.jsonl.gz"


@pytest.fixture(scope="module")
def dated_run(shared_corpora, tmp_path_factory):
    """Three HuffPost categories, 2018-2022: all of SPORTS and FOOD & DRINK, 60
    POLITICS headlines a year as a steady background (623 articles, embedded once and
    cached)."""
    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run

    rows, per = [], {}
    with gzip.open(shared_corpora / HUFFPOST, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            cap = {"SPORTS": None, "FOOD & DRINK": None, "POLITICS": 60}.get(r["label"], 0)
            key = (r["label"], r["date"][:4])
            if cap == 0 or (cap is not None and per.get(key, 0) >= cap):
                continue
            per[key] = per.get(key, 0) + 1
            rows.append(r)
    path = tmp_path_factory.mktemp("dated") / "slice.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    config = RunConfig(
        seed=0, progress=False, n_themes=3, n_topics=3, lda_passes=5, time_bin="year", by=("label",)
    )
    return run(load(path), config)


def test_theme_shares_over_years_follow_the_category_shares(dated_run):
    result, _ = dated_run
    a = result.analyses["themes_over_time"]
    assert a.info["bin"] == "year" and a.info["undated"] == 0
    frame = a.frame
    docs = result.documents.assign(year=result.documents["date"].str[:4])
    for category in ("SPORTS", "FOOD & DRINK", "POLITICS"):
        from_labels = docs.groupby("year")["label"].apply(lambda s, c=category: (s == c).mean())
        theme = docs.loc[docs["label"] == category, "theme"].value_counts().idxmax()
        shares = frame[frame["theme"] == theme].set_index("period")["share"]
        r = np.corrcoef(from_labels.to_numpy(), shares.reindex(from_labels.index).to_numpy())[0, 1]
        assert r > 0.8, (category, r)
    by_label = result.analyses["themes_by_label"].frame
    assert np.allclose(by_label.groupby("label_class")["share"].sum(), 1.0)


def test_stability_marks_themes_and_is_saved(seed_corpus, tmp_path):
    from topiclab.analysis.stability import UNSTABLE_MARK
    from topiclab.config import RunConfig
    from topiclab.pipeline import run
    from topiclab.storage.runs import load_result, save_run

    result, model = run(seed_corpus, RunConfig(seed=0, progress=False, stability=3))
    table = result.analyses["stability"].frame
    for name, view in result.views.items():
        s = view.metrics["stability"]
        assert s["n_runs"] == 3 and len(s["ari_pairs"]) == 3
        assert -1 <= s["ari_mean"] <= 1
        rows = table[table["view"] == name]
        assert len(rows) == len(view.table)
        for t in view.table:
            unstable = t.id in s["unstable"]
            assert t.label.endswith(UNSTABLE_MARK) == unstable
            assert (s["reappearance"][str(t.id)] < 0.5) == unstable
    save_run(tmp_path / "run", result, model)
    back = load_result(tmp_path / "run")
    assert back.metrics["embedding"]["stability"]["n_runs"] == 3
    assert "stability" in back.analyses


def test_choose_k_curve_and_override(seed_corpus):
    from topiclab.analysis.kselect import choose_k, k_selection_analysis, parse_k_range
    from topiclab.config import RunConfig

    assert parse_k_range("3:7:2") == [3, 5, 7] and parse_k_range("4,3") == [3, 4]
    for bad in ("x", "1:4", ""):
        with pytest.raises(AnalysisError):
            parse_k_range(bad)
    curves = choose_k(seed_corpus, RunConfig(seed=0, progress=False), [3, 4], n_seeds=2)
    for name in ("embedding", "lda"):
        c = curves[name]
        assert c["k"] == [3, 4] and c["chosen"] in (3, 4)
        best = int(np.argmax(c["score"]))
        assert c["chosen"] == c["k"][best]
        assert all(0.0 <= s <= 1.0 for s in c["score"])
    assert curves["coherence_on"] == "fitted documents"  # six documents: none held out
    a = k_selection_analysis(curves, {"embedding": 4, "lda": None})
    assert a.frame.loc[a.frame["used"], "k"].tolist() == [4]
    with pytest.raises(AnalysisError, match="exceed"):
        choose_k(seed_corpus, RunConfig(seed=0, progress=False), [3, 500], n_seeds=2)


def test_a_reduced_run_assigns_new_texts_to_the_merged_themes(seed_run, saved_seed_run, tmp_path):
    import topiclab
    from topiclab.analysis.search import find_themes
    from topiclab.cli import main

    out = tmp_path / "reduced"
    assert (
        main(
            [
                "-q",
                "reduce",
                str(saved_seed_run),
                "--n-themes",
                "3",
                "--out",
                str(out),
                "--no-figures",
                "--no-report",
            ]
        )
        == 0
    )
    original, reduced = topiclab.load(saved_seed_run), topiclab.load(out)
    merged = reduced.result_.views["embedding"].metrics["merged_from"]
    texts = ["Battery storage for the power grid", "Canada and China discuss trade"]
    before, after = original.transform(texts), reduced.transform(texts)
    assert after.shape == (2, 3)
    for new, old in merged.items():
        np.testing.assert_allclose(after[:, int(new)], before[:, old].sum(axis=1))
    hits = find_themes(reduced.model_, "battery storage for the grid", top_n=3)
    assert sorted(hits["theme"]) == [0, 1, 2]
    # merging the reduced run again maps back to the fitted themes
    twice = reduced.merge_themes([[0, 1]])
    flat = sorted(
        i for ids in twice.views["embedding"].metrics["merged_from"].values() for i in ids
    )
    assert flat == list(range(len(seed_run[0].themes)))


def test_cli_run_with_time_bin_and_by(corpus_dir, tmp_path):
    import topiclab
    from topiclab.cli import main

    out = tmp_path / "run"
    rc = main(
        [
            "-q",
            "run",
            str(corpus_dir),
            "--out",
            str(out),
            "--time-bin",
            "year",
            "--by",
            "lang",
            "--by",
            "source",
            "--no-figures",
            "--no-report",
        ]
    )
    assert rc == 0
    for name in ("themes_over_time", "themes_by_lang", "themes_by_source", "theme_tree"):
        assert (out / f"{name}.parquet").is_file(), name
    result = topiclab.load(out).result_
    assert result.analyses["themes_over_time"].info["bin"] == "year"
    assert set(result.analyses["themes_by_lang"].frame["lang"]) == {"en", "ar"}
    bad = main(
        [
            "-q",
            "run",
            str(corpus_dir),
            "--out",
            str(tmp_path / "x"),
            "--by",
            "outlet",
            "--no-figures",
            "--no-report",
        ]
    )
    assert bad == 1 and not (tmp_path / "x").exists()
