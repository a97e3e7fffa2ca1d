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
