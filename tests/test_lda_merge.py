"""LDA topics below the minimum size: the view refits with fewer topics (or only flags them)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from topiclab.config import RunConfig
from topiclab.ingest import from_texts
from topiclab.pipeline import Pipeline
from topiclab.pipeline.base import RunState
from topiclab.pipeline.stages import default_stages


def _texts() -> list[str]:
    rng = np.random.default_rng(0)
    subjects = {
        "a": "battery storage grid power energy",
        "b": "hockey team goal season player",
        "c": "church god faith prayer bible",
    }
    texts = []
    for key, words in subjects.items():
        for i in range(8):
            texts.append(" ".join(rng.choice(words.split(), 12)) + f" word{i} other{key}")
    return texts


def _fit(merge: bool):
    config = RunConfig(
        seed=0,
        n_topics=7,  # too many for three subjects: some topics hold a passage or none
        lda_merge_small=merge,
        lda_restarts=1,
        lda_unit="passages",
        lda_backend="gensim",
        progress=False,
    )
    stages = [s for s in default_stages(config) if s.name in ("prepare", "vectorize", "lda")]
    state = RunState(texts=[], langs=[], doc_ids=[], corpus=from_texts(_texts()))
    state = Pipeline(stages, progress=False).fit(state)
    return state, stages[-1]


@pytest.fixture(scope="module")
def flagged():
    return _fit(False)


@pytest.fixture(scope="module")
def merged():
    return _fit(True)


def test_without_merging_small_topics_are_flagged(flagged):
    state, stage = flagged
    view = state.views["lda"]
    sizes = np.bincount(view.labels, minlength=7)
    assert stage.lda_.n_components == 7
    small = [int(t) for t in np.flatnonzero(sizes < view.metrics["min_topic_size"])]
    assert small and view.metrics["small_topics"] == small
    assert view.metrics["small_topic_rule"] == "flagged only"
    assert "small_topic_refit" not in view.metrics


def test_small_topics_are_merged_by_a_refit_with_fewer(flagged, merged):
    before = flagged[0].views["lda"].metrics["small_topics"]
    state, stage = merged
    view = state.views["lda"]
    refits = view.metrics["small_topic_refit"]
    assert refits[0]["from"] == 7 and refits[0]["to"] == 7 - len(before)
    assert refits[0]["small_topics"] == before
    for a, b in itertools.pairwise(refits):
        assert b["from"] == a["to"] and b["to"] < b["from"]
    k = refits[-1]["to"]
    assert stage.lda_.n_components == k == len(view.table) < 7
    assert view.metrics["small_topic_rule"] == "refit with fewer topics"
    sizes = np.bincount(view.labels, minlength=k)
    assert (sizes >= view.metrics["min_topic_size"]).all()
    assert view.metrics["small_topics"] == []
    # the passages are assigned by the refitted model's own transform
    labels = view.labels.copy()
    again = stage.transform(state)
    assert np.array_equal(again.views["lda"].labels, labels)
