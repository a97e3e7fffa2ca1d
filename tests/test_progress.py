"""Progress bars: shown for large work when progress is on, silent otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from topiclab import progress
from topiclab.models import EmbeddingClusterer, Reducer, reduce_2d


def _blobs(n: int, dim: int = 12, k: int = 3) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(k, dim)) * 4
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, dim))


@pytest.mark.parametrize(
    ("enabled", "size", "shown"),
    [(True, 5_000, True), (True, 50, False), (False, 5_000, False), (True, None, True)],
)
def test_show_progress_threshold(enabled, size, shown):
    assert progress.show_progress(enabled, size) is shown


def test_bar_prints_rate_and_time_left_above_threshold(capsys):
    with progress.progress_bar(total=3, desc="Work", unit="step", size=10_000) as bar:
        bar.update(3)
    err = capsys.readouterr().err
    assert "Work" in err and "3/3" in err and "step/s" in err and "<" in err

    with progress.progress_bar(total=3, desc="Small", unit="step", size=10) as bar:
        bar.update(3)
    assert "Small" not in capsys.readouterr().err


def test_streamed_bar_waits_before_it_appears(capsys):
    # an iterator of unknown length: the bar only appears after STREAM_DELAY_S seconds
    assert list(progress.progress_bar(iter(range(5)), desc="Stream", enabled=True)) == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert "Stream" not in capsys.readouterr().err


@pytest.fixture
def low_threshold(monkeypatch):
    monkeypatch.setattr(progress, "MIN_ITEMS", 50)


def test_umap_bar_above_threshold_only(capsys, low_threshold):
    X = _blobs(80)
    Reducer(n_components=2, random_state=0, progress=True).fit(X)
    assert "UMAP layout" in capsys.readouterr().err
    Reducer(n_components=2, random_state=0, progress=False).fit(X)
    assert "UMAP" not in capsys.readouterr().err
    reduce_2d(X[:40], random_state=0, progress=True)  # below the threshold
    assert "UMAP" not in capsys.readouterr().err


def test_progress_leaves_results_unchanged(low_threshold, capsys):
    X = _blobs(80)
    quiet = EmbeddingClusterer(method="kmeans", reducer="pca", random_state=0).fit(X)
    shown = EmbeddingClusterer(method="kmeans", reducer="pca", random_state=0, progress=True)
    shown.fit(X)
    assert "silhouette" in capsys.readouterr().err
    np.testing.assert_array_equal(quiet.labels_, shown.labels_)
    assert "progress" not in shown.get_state()[0]["params"]
