"""Evaluation metrics on hand-made cases whose answers are known independently."""

from __future__ import annotations

import math

import numpy as np
import pytest

from topiclab.evaluate import (
    coherence,
    label_agreement,
    seed_stability,
    silhouette,
    topic_diversity,
)


def test_topic_diversity_counts_unique_words():
    assert topic_diversity([["a", "b", "c"], ["a", "b", "c"]], topk=3) == pytest.approx(0.5)
    assert topic_diversity([["a", "b"], ["c", "d"]], topk=2) == pytest.approx(1.0)
    assert math.isnan(topic_diversity([], topk=10))


def _planted_docs(seed=0):
    rng = np.random.default_rng(seed)
    a = ["battery", "storage", "grid", "energy", "lithium"]
    b = ["canada", "trade", "visit", "minister", "export"]
    docs = [list(rng.choice(a, 8)) for _ in range(40)] + [list(rng.choice(b, 8)) for _ in range(40)]
    return a, b, docs


def test_npmi_prefers_coherent_topics():
    a, b, docs = _planted_docs()
    good, good_each = coherence([a, b], docs, measure="c_npmi", topn=5)
    mixed, _ = coherence([a[:3] + b[:2], b[:3] + a[:2]], docs, measure="c_npmi", topn=5)
    assert good > 0.1
    assert good > mixed
    assert len(good_each) == 2 and all(np.isfinite(good_each))


def test_coherence_skips_unknown_words_and_flags_unscorable_topics():
    a, _b, docs = _planted_docs()
    mean, each = coherence([a, ["zzz", "yyy"]], docs, measure="c_npmi")
    assert np.isfinite(each[0])
    assert math.isnan(each[1])
    assert mean == pytest.approx(each[0])


def test_silhouette_and_agreement():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.05, (20, 5)) + 1, rng.normal(0, 0.05, (20, 5)) - 1])
    labels = np.array([0] * 20 + [1] * 20)
    assert silhouette(x, labels, metric="euclidean") > 0.9
    assert math.isnan(silhouette(x, np.zeros(40, dtype=int)))
    perfect = label_agreement(labels, 1 - labels)
    assert perfect["ari"] == pytest.approx(1.0) and perfect["nmi"] == pytest.approx(1.0)
    assert label_agreement(labels, rng.integers(0, 2, 40))["ari"] < 0.5


def test_seed_stability():
    same = seed_stability([[0, 0, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1]])
    assert same["mean_ari"] == pytest.approx(1.0) and same["n_runs"] == 3
    diff = seed_stability([[0, 0, 1, 1], [0, 1, 0, 1]])
    assert diff["min_ari"] < 0.5


def test_silhouette_of_many_rows_is_estimated_on_a_seeded_sample():
    rng = np.random.default_rng(0)
    labels = rng.integers(3, size=600)
    x = rng.normal(size=(3, 5))[labels] * 3 + rng.normal(size=(600, 5))
    full = silhouette(x, labels, metric="euclidean", max_samples=None)
    drawn = silhouette(x, labels, metric="euclidean", max_samples=200)
    assert drawn == silhouette(x, labels, metric="euclidean", max_samples=200)
    assert drawn != full and abs(drawn - full) < 0.05


def test_silhouette_in_single_precision_matches_double():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(1)
    labels = rng.integers(4, size=300)
    x = rng.normal(size=(4, 64))[labels] + rng.normal(size=(300, 64))
    got = silhouette(x, labels, metric="cosine")
    assert got == pytest.approx(silhouette_score(x, labels, metric="cosine"), abs=1e-5)


def _random_texts(rng: np.random.Generator, n_texts: int, vocab: int, max_len: int) -> list:
    words = [f"w{i}" for i in range(vocab)]
    # a skewed draw, so words repeat inside a window as real text does
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    return [
        [words[j] for j in rng.choice(vocab, size=int(rng.integers(0, max_len)), p=p)]
        for _ in range(n_texts)
    ]


@pytest.mark.parametrize("block", [3, 4096])
def test_window_counts_equal_gensims_own_accumulator(block, monkeypatch):
    from gensim.corpora import Dictionary
    from gensim.topic_coherence.text_analysis import WordOccurrenceAccumulator

    from topiclab import _cooccur
    from topiclab._cooccur import window_accumulator

    monkeypatch.setattr(_cooccur, "BLOCK_TEXTS", block)  # texts counted a few at a time

    rng = np.random.default_rng(0)
    for _ in range(60):
        texts = _random_texts(rng, int(rng.integers(1, 10)), int(rng.integers(2, 15)), 40)
        d = Dictionary(texts)
        if not len(d):
            continue
        ids = sorted(d.token2id.values())
        relevant = set(rng.choice(ids, size=int(rng.integers(1, len(ids) + 1)), replace=False))
        w = int(rng.integers(1, 15))
        ours = window_accumulator(relevant, d, texts, w)
        theirs = WordOccurrenceAccumulator(relevant, d).accumulate(texts, w)
        assert ours.num_docs == theirs.num_docs
        for a in relevant:
            assert ours[a] == theirs[a]
            for b in relevant:
                assert ours[(a, b)] == theirs[(a, b)], (texts, relevant, w, a, b)


@pytest.mark.parametrize("measure", ["c_npmi", "c_v", "c_uci"])
def test_coherence_equals_gensims_coherence_model(measure):
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    rng = np.random.default_rng(1)
    texts = [t for t in _random_texts(rng, 300, 60, 150) if t]
    topics = [
        list(rng.choice([f"w{i}" for i in range(60)], size=10, replace=False)) for _ in range(8)
    ]
    _, ours = coherence(topics, texts, measure=measure)
    d = Dictionary(texts)
    theirs = CoherenceModel(
        topics=topics, texts=texts, dictionary=d, coherence=measure, topn=10, processes=1
    ).get_coherence_per_topic()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
