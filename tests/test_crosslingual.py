"""Cross-lingual theme steps: document context, language-only clusters, real parallel text."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from topiclab.models.crosslingual import blend_document_context, merge_language_clusters


def test_context_pulls_passages_towards_their_document():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(6, 16))
    docs = ["a", "a", "a", "b", "b", "b"]
    plain = blend_document_context(e, docs, weight=0.0)
    mixed = blend_document_context(e, docs, weight=1.0)
    np.testing.assert_allclose(np.linalg.norm(mixed, axis=1), 1.0, rtol=1e-5)
    within = lambda x: float(np.mean(x[:3] @ x[:3].T))  # noqa: E731
    assert within(mixed) > within(plain)
    single = blend_document_context(e[:1], ["z"], weight=3.0)
    np.testing.assert_allclose(single, plain[:1], rtol=1e-5)  # own document: unchanged
    with pytest.raises(ValueError):
        blend_document_context(e, docs, weight=-1)


def _clusters(n_per=10, seed=0):
    """Three subjects; subject 0 in English and Arabic (Arabic offset by a language shift)."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3, 12) * 3
    shift = np.zeros(12)
    shift[11] = 2.5  # the "language signal" of Arabic
    rows, labels, langs = [], [], []
    for c in range(3):
        for _ in range(n_per):
            rows.append(centres[c] + rng.normal(0, 0.3, 12))
            labels.append(c)
            langs.append("en")
    for _ in range(4):
        rows.append(centres[0] + shift + rng.normal(0, 0.3, 12))
        labels.append(3)  # clustered apart by language
        langs.append("ar")
    return np.asarray(rows), np.asarray(labels), langs


def test_minority_language_cluster_joins_its_subject():
    x, labels, langs = _clusters()
    merged, merges = merge_language_clusters(x, labels, langs)
    assert len(merges) == 1 and merges[0]["lang"] == "ar" and merges[0]["size"] == 4
    assert set(merged[-4:]) == {0}
    assert np.array_equal(merged[:-4], labels[:-4])


def test_distant_language_cluster_is_kept():
    x, labels, langs = _clusters()
    x[-4:] = np.eye(1, 12, 10) * -6 + np.random.default_rng(1).normal(0, 0.3, (4, 12))
    merged, merges = merge_language_clusters(x, labels, langs)
    assert merges == [] and np.array_equal(merged, labels)


def test_single_language_corpus_is_untouched():
    x, labels, _ = _clusters()
    merged, merges = merge_language_clusters(x, labels, ["en"] * len(labels))
    assert merges == [] and np.array_equal(merged, labels)


@pytest.mark.slow
@pytest.mark.shared
def test_parallel_sentences_form_mixed_language_themes(shared_corpora, tmp_path):
    """SIB-200: the same sentences in ar/zh/en must share themes, not split by language."""
    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run

    records = [
        json.loads(x) for x in gzip.open(shared_corpora / "sib200_ar_zh_en" / "docs.jsonl.gz", "rt")
    ]
    keep = sorted({r["parallel_id"] for r in records})[:80]
    chosen = [r for r in records if r["parallel_id"] in set(keep)]
    path = tmp_path / "sib.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in chosen), "utf-8")
    corpus = load(path)
    assert set(corpus.passages["lang"]) == {"ar", "zh", "en"}
    result, _ = run(corpus, RunConfig(seed=0, progress=False, n_topics=7))
    themes = [t for t in result.themes if t.size]
    mixed = [t for t in themes if len(t.languages) == 3]
    assert len(mixed) >= 0.8 * len(themes), [t.languages for t in themes]
    # translations of one sentence mostly share a theme
    p = result.passages.merge(corpus.documents[["doc_id", "parallel_id"]], on="doc_id", how="left")
    agree = p.groupby("parallel_id")["theme"].nunique().eq(1).mean()
    assert agree >= 0.6, agree


@pytest.mark.slow
@pytest.mark.shared
def test_real_multilingual_news_sample_runs_end_to_end(shared_corpora, tmp_path):
    """Arabic articles, Chinese headlines and English news: HDBSCAN path, merges, outputs."""
    import random

    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run
    from topiclab.storage.runs import load_result, save_run

    by_source: dict[str, list[dict]] = {}
    with gzip.open(shared_corpora / "multilingual_news" / "docs.jsonl.gz", "rt") as fh:
        for line in fh:
            rec = json.loads(line)
            by_source.setdefault(rec["source"], []).append(rec)
    rng = random.Random(0)
    sample = [r for src in sorted(by_source) for r in rng.sample(by_source[src], 100)]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample), "utf-8")
    corpus = load(path)
    assert {"ar", "zh", "en"} <= set(corpus.passages["lang"])
    result, model = run(corpus, RunConfig(seed=0, progress=False))
    k = len(result.themes)
    assert k >= 2 and result.passages["theme"].between(0, k - 1).all()
    for merge in result.metrics["embedding"]["language_merges"]:
        assert all(0 <= t < k for t in merge["into"]), merge
        assert sum(merge["into"].values()) == merge["size"]
    assert any(len(t.languages) >= 2 for t in result.themes)
    back = load_result(save_run(tmp_path / "run", result, model))
    assert back.passages["theme"].tolist() == result.passages["theme"].tolist()


def test_language_cluster_from_many_documents_is_kept():
    x, labels, langs = _clusters()
    docs = [f"d{i}" for i in range(len(labels))]
    merged, merges = merge_language_clusters(x, labels, langs, doc_ids=docs, max_documents=4)
    assert merges == [] and np.array_equal(merged, labels)  # 4 Arabic articles: a real theme
    one_article = docs[:-4] + ["ar-article"] * 4
    merged, merges = merge_language_clusters(x, labels, langs, doc_ids=one_article, max_documents=4)
    assert len(merges) == 1 and set(merged[-4:]) == {0}
