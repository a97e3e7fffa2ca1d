"""The clustering's UMAP neighbourhood: its own setting, chosen by corpus size; the map keeps 15."""

from __future__ import annotations

import numpy as np
import pytest


def _sphere_blobs(sizes: tuple[int, ...], dim: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    X = np.vstack(
        [c + 0.3 * rng.normal(size=(m, dim)) for c, m in zip(centres, sizes, strict=True)]
    )
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def test_the_neighbourhood_grows_with_the_samples_within_bounds():
    from topiclab.models.reduce import (
        CLUSTER_NEIGHBORS_MAX,
        CLUSTER_NEIGHBORS_MIN,
        cluster_neighbors,
    )

    sizes = [10, 200, 500, 1000, 2000, 5000, 100_000]
    chosen = [cluster_neighbors(n) for n in sizes]
    assert chosen == sorted(chosen)
    assert chosen[0] == CLUSTER_NEIGHBORS_MIN and chosen[-1] == CLUSTER_NEIGHBORS_MAX
    assert CLUSTER_NEIGHBORS_MIN < cluster_neighbors(1000) < CLUSTER_NEIGHBORS_MAX


def test_the_clusterer_hands_its_neighbourhood_to_umap():
    from topiclab.models import EmbeddingClusterer
    from topiclab.models.reduce import cluster_neighbors

    X = _sphere_blobs((300, 300, 300))
    auto = EmbeddingClusterer(n_clusters=3, random_state=0).fit(X)
    assert auto.reduction_ == "umap"
    assert auto.reducer_.n_neighbors == auto.n_neighbors_ == cluster_neighbors(len(X)) != 15
    # HDBSCAN (no k given, 200 samples or more) keeps UMAP's usual 15
    assert EmbeddingClusterer(random_state=0).fit(X).n_neighbors_ == 15
    given = EmbeddingClusterer(n_clusters=3, n_neighbors=12, random_state=0).fit(X)
    assert given.reducer_.n_neighbors == given.n_neighbors_ == 12
    with pytest.raises(ValueError, match="n_neighbors"):
        EmbeddingClusterer(n_clusters=3, n_neighbors="wide").fit(X)


def test_the_map_searches_its_own_neighbours_rather_than_take_a_wider_graph():
    from topiclab.models import reduce_2d

    X = _sphere_blobs((30, 30, 30), seed=3)
    sims = X @ X.T
    order = np.argsort(-sims, axis=1, kind="stable")[:, :40]  # each row first, as UMAP's
    dists = np.take_along_axis(1.0 - sims, order, axis=1).clip(min=0.0).astype(np.float32)
    # a graph wider than the map's 15 neighbours (the clustering's, say) is not used
    np.testing.assert_array_equal(
        reduce_2d(X, random_state=0, precomputed_knn=(order, dists, None)),
        reduce_2d(X, random_state=0),
    )


def test_the_setting_reaches_the_clustering_and_leaves_the_map(seed_corpus, monkeypatch):
    import umap
    from conftest import HashEncoder

    from topiclab.config import ConfigError, RunConfig
    from topiclab.pipeline import Pipeline
    from topiclab.pipeline.base import RunState

    calls: list[tuple[int, int]] = []

    class Recording(umap.UMAP):
        def fit(self, X, *args, **kwargs):
            calls.append((int(self.n_components), int(self.n_neighbors)))
            return super().fit(X, *args, **kwargs)

    monkeypatch.setattr(umap, "UMAP", Recording)
    wanted = ("prepare", "vectorize", "embed", "cluster", "map")
    maps, used = [], []
    for neighbours in (4, 6):
        # HDBSCAN reduces with UMAP whatever the number of passages
        config = RunConfig(
            seed=0, progress=False, cluster_method="hdbscan", cluster_neighbors=neighbours
        )
        pipe = Pipeline.from_config(config, embedder=HashEncoder())
        pipe = Pipeline([pipe[name] for name in wanted])
        calls.clear()
        state = pipe.fit(RunState(texts=[], langs=[], doc_ids=[], corpus=seed_corpus))
        assert state.views["embedding"].metrics["umap_neighbors"] == neighbours
        used.append(dict(calls))  # UMAP dimensions -> neighbours
        maps.append(state.extras["xy"])
    assert [u[5] for u in used] == [4, 6]  # the clustering's reduction
    assert used[0][2] == used[1][2] not in (4, 6)  # the map's own neighbourhood
    np.testing.assert_array_equal(maps[0], maps[1])
    with pytest.raises(ConfigError, match="cluster_neighbors"):
        RunConfig(cluster_neighbors=0)


@pytest.mark.parametrize("speed", [None, "best", "fast"])
def test_fast_mode_keeps_umaps_own_neighbourhood(speed, monkeypatch):
    import topiclab.models
    from topiclab.config import RunConfig
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.embedding_view import EmbeddingViewStage

    asked = []

    class Stop(Exception):
        pass

    class Recording(topiclab.models.EmbeddingClusterer):
        def fit(self, X, y=None, **kwargs):
            asked.append(self.n_neighbors)
            raise Stop

    monkeypatch.setattr(topiclab.models, "EmbeddingClusterer", Recording)
    X = _sphere_blobs((30, 30), seed=1)
    state = RunState(
        texts=[""] * len(X), langs=["en"] * len(X), doc_ids=[str(i) for i in range(len(X))]
    )
    state.embeddings = X
    for given in (None, 40):
        config = RunConfig(progress=False, n_themes=2, speed=speed, cluster_neighbors=given)
        with pytest.raises(Stop):
            EmbeddingViewStage(config.section("cluster")).fit(state)
    # the layout's time grows with the neighbourhood: fast mode does not widen it by size,
    # and a value given by the user wins in every mode
    assert asked == [15 if speed == "fast" else "auto", 40]
