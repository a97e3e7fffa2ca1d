"""Layouts fitted on a sample: the hashed sample, placement, common directions, clustering."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from topiclab.models import EmbeddingClusterer
from topiclab.models.layout import (
    SamplePlacement,
    direction_moments,
    directions_from_moments,
    hash_order,
    remove_directions,
    sample_mask,
)


def test_sample_mask_is_a_hash_of_each_key_alone():
    keys = [f"post{i}:p{i % 3}" for i in range(5000)]
    mask = sample_mask(keys, 1000)
    assert 850 <= mask.sum() <= 1150
    # one key's membership depends on the key and the fraction only, not on its neighbours
    order = np.random.default_rng(0).permutation(len(keys))
    again = sample_mask([keys[i] for i in order], 1000)
    assert np.array_equal(again, mask[order])
    # written out: the first 32 bits of the MD5 digest below the fraction
    first = int(hashlib.md5(keys[0].encode()).hexdigest()[:8], 16) / 2**32
    assert mask[0] == (first < 1000 / 5000)
    assert sample_mask(keys, 5000).all() and sample_mask(keys, None).all()


def test_placement_keeps_sample_coordinates_and_follows_neighbours():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 8))
    coords = rng.normal(size=(40, 2))
    place = SamplePlacement(n_neighbors=1).fit(X, coords)
    np.testing.assert_allclose(place.transform(X), coords, atol=1e-6)
    near = X[7] + 1e-3 * rng.normal(size=8)  # closest to sample row 7
    np.testing.assert_allclose(place.transform(near[None])[0], coords[7])
    wide = SamplePlacement(n_neighbors=40).fit(X, coords).transform(near[None])[0]
    assert np.all(wide >= coords.min(axis=0)) and np.all(wide <= coords.max(axis=0))


def test_directions_from_moments_add_up_across_chunks():
    rng = np.random.default_rng(2)
    X = 3.0 + rng.normal(size=(300, 12))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    parts = [direction_moments(X[a : a + 70]) for a in range(0, 300, 70)]
    total = sum(p[0] for p in parts)
    gram = sum(p[1] for p in parts)
    n = sum(p[2] for p in parts)
    mean, top = directions_from_moments(total, gram, n, 2)
    np.testing.assert_allclose(mean, X.mean(axis=0))
    # the principal directions by a singular value decomposition of the centred rows
    _, _, vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    for got, want in zip(top, vt[:2], strict=True):
        assert abs(abs(got @ want) - 1.0) < 1e-8
    S = remove_directions(X, mean, top)
    np.testing.assert_allclose(np.linalg.norm(S, axis=1), 1.0)
    assert np.abs(S @ top.T).max() < 0.5  # little left along the removed directions


@pytest.fixture(scope="module")
def big_blobs():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(5, 24))
    truth = rng.integers(5, size=1500)
    X = centres[truth] + 0.7 * rng.normal(size=(1500, 24))
    return X, truth


def test_clusterer_fits_the_layout_on_a_sample_and_places_the_rest(big_blobs):
    from topiclab.pipeline.embedding_view import neighbour_graph

    X, truth = big_blobs
    keys = [f"d{i}" for i in range(len(X))]
    model = EmbeddingClusterer(n_clusters=5, layout_sample=400, random_state=0)
    model.fit(X, sample_keys=keys)
    mask = sample_mask(keys, 400)
    assert model.layout_sample_ == int(mask.sum())
    assert model.reducer_.embedding_.shape[0] == int(mask.sum())  # UMAP saw the sample only
    rows = model.layout_rows_  # the sample, in the order of the keys' hashes
    assert sorted(rows.tolist()) == np.flatnonzero(mask).tolist()
    np.testing.assert_allclose(model.embedding_[rows], model.reducer_.embedding_)
    assert model.embedding_.shape == (len(X), 5)
    assert adjusted_rand_score(truth, model.labels_) >= 0.9
    assert np.array_equal(model.predict(X), model.labels_)
    assert neighbour_graph(model) is None  # the map cannot reuse a graph of the sample
    again = EmbeddingClusterer(n_clusters=5, layout_sample=400, random_state=0)
    assert np.array_equal(again.fit(X, sample_keys=keys).labels_, model.labels_)


def test_clusterer_layout_sample_only_above_its_size(big_blobs):
    X, _ = big_blobs
    model = EmbeddingClusterer(n_clusters=5, layout_sample=5000, random_state=0).fit(X)
    assert model.layout_sample_ is None
    assert model.reducer_.embedding_.shape[0] == len(X)
    with pytest.raises(ValueError, match="sample_keys"):
        EmbeddingClusterer(n_clusters=5, layout_sample=400).fit(X, sample_keys=["a"])
    with pytest.raises(ValueError, match="layout_sample"):
        EmbeddingClusterer(n_clusters=5, layout_sample=0).fit(X)


def test_hdbscan_on_a_sampled_layout_gives_every_row_a_theme(big_blobs):
    X, truth = big_blobs
    model = EmbeddingClusterer(layout_sample=600, random_state=0).fit(X)
    assert model.method_ == "hdbscan" and model.layout_sample_ is not None
    assert (model.labels_ >= 0).all()
    assert adjusted_rand_score(truth, model.labels_) >= 0.8


def test_map_lays_out_a_sample_and_places_the_rest(big_blobs):
    from topiclab.models import reduce_2d

    X, truth = big_blobs
    keys = [f"d{i}" for i in range(len(X))]
    mask = sample_mask(keys, 300)
    xy = reduce_2d(X, random_state=0, layout_sample=300, sample_keys=keys)
    assert xy.shape == (len(X), 2) and np.isfinite(xy).all()
    rows = hash_order(keys)
    rows = rows[mask[rows]]
    np.testing.assert_allclose(xy[rows], reduce_2d(X[rows], random_state=0))
    # a placed passage lands among the sample passages of its own group
    centres = np.asarray([xy[mask & (truth == g)].mean(axis=0) for g in range(5)])
    nearest = ((xy[~mask, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert (nearest == truth[~mask]).mean() >= 0.9
    full = reduce_2d(X, random_state=0, layout_sample=5000)
    assert full.shape == (len(X), 2)


def test_a_map_sample_of_a_large_corpus_gets_the_epochs_of_the_whole(big_blobs, monkeypatch):
    import umap

    from topiclab.models import reduce as red

    real, seen = umap.UMAP, []

    def spy(**kwargs):
        seen.append(kwargs.get("n_epochs"))
        return real(**kwargs)

    monkeypatch.setattr(umap, "UMAP", spy)
    X, _ = big_blobs
    keys = [f"d{i}" for i in range(len(X))]
    monkeypatch.setattr(red, "UMAP_LARGE_ROWS", len(X) - 1)  # X stands for a large corpus
    red.reduce_2d(X, random_state=0, layout_sample=300, sample_keys=keys)
    red.reduce_2d(X[:400], random_state=0, layout_sample=300, sample_keys=keys[:400])
    red.reduce_2d(X, random_state=0, sample_keys=keys)  # every row laid out: umap's choice
    assert seen == [red.UMAP_LARGE_EPOCHS, None, None]


@pytest.mark.parametrize("layout_sample", [None, 400])
def test_themes_do_not_depend_on_the_order_of_the_input(big_blobs, layout_sample):
    """UMAP and k-means++ see the rows in the order of the keys' hashes, whatever the input."""
    X, _ = big_blobs
    keys = np.asarray([f"d{i}" for i in range(len(X))])
    perm = np.random.default_rng(4).permutation(len(X))
    fits = []
    for order in (np.arange(len(X)), perm):
        model = EmbeddingClusterer(n_clusters=5, layout_sample=layout_sample, random_state=0)
        model.fit(X[order], sample_keys=keys[order].tolist())
        labels = np.empty(len(X), dtype=int)
        labels[order] = model.labels_
        fits.append(labels)
    np.testing.assert_array_equal(fits[0], fits[1])


def _records(n: int) -> list[dict]:
    rng = np.random.default_rng(5)
    topics = [
        "council budget school taxes roads mayor vote",
        "league match coach goal striker season fans",
        "battery solar wind energy storage grid power",
        "court judge verdict police trial lawyer case",
    ]
    rows = []
    for i in range(n):
        words = topics[i % 4].split()
        text = " ".join(rng.choice(words, size=30)) + f". Item {i}."
        rows.append({"id": f"item{i:04d}", "text": text})
    return rows


def test_a_run_finds_the_same_themes_whatever_the_order_of_the_records(tmp_path):
    """Records read in another order get the same embedding themes (passages hashed by text)."""
    import json

    from conftest import HashEncoder

    import topiclab
    from topiclab.config import RunConfig

    rows = _records(500)  # UMAP lays out about 260 of them (at least 200 are needed)
    config = RunConfig(seed=0, n_themes=4, n_topics=4, progress=False, layout_sample=260)
    themes = []
    for name, order in (("a", rows), ("b", rows[::-1])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in order), encoding="utf-8")
        result, _ = topiclab.run(path, config, embedder=HashEncoder())
        assert result.metrics["embedding"]["layout_sample"] is not None
        themes.append(result.passages.set_index("passage_id")["theme"].sort_index())
    assert themes[0].index.equals(themes[1].index)
    np.testing.assert_array_equal(themes[0].to_numpy(), themes[1].to_numpy())


def test_layout_sample_follows_the_speed_mode_unless_set():
    from types import SimpleNamespace

    from topiclab.config import RunConfig
    from topiclab.errors import ConfigError
    from topiclab.pipeline.speed import layout_sample, speed_settings

    for speed in (None, "best", "balanced", "fast"):
        section = RunConfig(speed=speed).section("cluster")
        assert layout_sample(section) == speed_settings(speed).layout_sample
        assert layout_sample(RunConfig(speed=speed).section("map")) == layout_sample(section)
    assert layout_sample(SimpleNamespace(layout_sample=0, speed=None)) is None
    assert layout_sample(RunConfig(layout_sample=777).section("cluster")) == 777
    for bad in (-1, 2.5, True):
        with pytest.raises(ConfigError, match="layout_sample"):
            RunConfig(layout_sample=bad)


def test_exact_neighbours_are_the_cosine_nearest_rows_self_first():
    from topiclab.models.reduce import exact_neighbours

    X = np.random.default_rng(5).normal(size=(300, 16))
    idx, dist, index = exact_neighbours(X, 7)
    assert index is None and idx.shape == dist.shape == (300, 7)
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    cos = 1.0 - U @ U.T
    want = np.argsort(cos, axis=1, kind="stable")[:, :7]
    assert (idx[:, 0] == np.arange(300)).all()  # each row first, as UMAP counts it
    assert (np.sort(idx, axis=1) == np.sort(want, axis=1)).mean() > 0.99  # float32 ties
    np.testing.assert_allclose(dist, np.take_along_axis(cos, idx, axis=1), atol=1e-5)


def test_umap_gets_exact_neighbours_between_its_own_exact_search_and_the_cap(monkeypatch):
    from topiclab.models import reduce as red

    X = np.random.default_rng(0).normal(size=(50, 8))
    assert red._umap_neighbours(X, 5, "cosine") == {}  # UMAP searches small inputs exactly
    monkeypatch.setattr(red, "UMAP_EXACT_BELOW", 40)
    got = red._umap_neighbours(X, 5, "cosine")["precomputed_knn"]
    assert got[0].shape == (50, 5)
    assert red._umap_neighbours(X, 5, "euclidean") == {}
    monkeypatch.setattr(red, "EXACT_NEIGHBOURS_MAX", 49)
    assert red._umap_neighbours(X, 5, "cosine") == {}  # too many rows: UMAP's NN-descent
    monkeypatch.setattr(red, "EXACT_NEIGHBOURS_MAX", 50)
    xy = red.reduce_2d(X, random_state=0)
    assert xy.shape == (50, 2) and np.isfinite(xy).all()


def test_fast_mode_clusters_large_corpora_in_pca_and_small_ones_in_umap(monkeypatch):
    from topiclab.config import RunConfig
    from topiclab.pipeline import RunState
    from topiclab.pipeline.embedding_view import EmbeddingViewStage
    from topiclab.pipeline.speed import FAST_PCA_MIN_PASSAGES

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(6, 64))
    n = FAST_PCA_MIN_PASSAGES
    truth = rng.integers(6, size=n)
    X = (centres[truth] + 0.8 * rng.normal(size=(n, 64))).astype(np.float32)

    class Clustered(Exception):
        pass

    def stop(self, *args, **kwargs):  # the clusters are found: skip the theme tables
        raise Clustered

    monkeypatch.setattr(EmbeddingViewStage, "_table", stop)

    def fit(rows, **kw):
        state = RunState(
            texts=[f"passage {i}" for i in rows],
            langs=["en"] * len(rows),
            doc_ids=[f"d{i}" for i in rows],
            embeddings=X[rows],
        )
        stage = EmbeddingViewStage(RunConfig(speed="fast", n_themes=6, **kw).section("cluster"))
        with pytest.raises(Clustered):
            stage.fit(state)
        return stage.clusterer_

    big = fit(np.arange(n))
    assert big.reduction_ == "pca" and big.embedding_.shape[1] == 50
    assert adjusted_rand_score(truth, big.labels_) >= 0.95
    assert fit(np.arange(600)).reduction_ == "umap"
    assert fit(np.arange(n), cluster_neighbors=15).reduction_ == "umap"


_UMAP_TWICE = """
import json, sys
import numpy as np
from topiclab.models.reduce import reduce_2d
import umap.umap_
X = np.random.default_rng(0).normal(size=(60, 8))
xy = reduce_2d(X, random_state=0)
stats = umap.umap_.smooth_knn_dist.stats
print(json.dumps({"xy": np.round(xy, 6).tolist(), "path": stats.cache_path,
                  "hits": sum(stats.cache_hits.values())}))
"""


@pytest.mark.slow
def test_a_second_process_reuses_the_compiled_umap_kernels(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", _UMAP_TWICE],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        for _ in range(2)
    ]
    assert runs[0]["path"] and runs[0]["path"].startswith(str(tmp_path))
    assert runs[0]["hits"] == 0 and runs[1]["hits"] > 0  # compiled once, then loaded
    assert runs[0]["xy"] == runs[1]["xy"]  # the cached kernels give the same map


_FORK_AFTER_UMAP = """
import os
import numpy as np
from topiclab.models.reduce import reduce_2d
X = np.random.default_rng(0).normal(size=(80, 8))
reduce_2d(X, random_state=0)  # UMAP and pynndescent's parallel kernels in this process
from pynndescent import NNDescent
pid = os.fork()
if pid == 0:  # a forked stage worker running numba's parallel code again
    NNDescent(X, n_neighbors=5, random_state=1, n_jobs=2)
    os._exit(0)
print(os.waitpid(pid, 0)[1])
"""


@pytest.mark.slow
def test_a_process_forked_after_umap_can_run_numba_parallel_code():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    out = subprocess.run(
        [sys.executable, "-c", _FORK_AFTER_UMAP],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    assert "Terminating" not in out.stderr
    assert out.stdout.strip().splitlines()[-1] == "0"  # the child finished, not killed
