"""The clustering's UMAP neighbourhood in a whole run: time of the cluster and map stages, ARI/NMI.

Runs topiclab's stages on the fitted half of a labelled slice (``end_to_end.py``'s
shuffle and split, so passages embedded by earlier runs come from the embedding cache):
prepare, vectorise and embed once, then, for each ``--neighbours`` setting (an int, or
``auto`` for the default rule), the embedding view (``cluster``) and the passage map
(``map``) on a copy of that state. For each setting it prints the neighbourhood UMAP
used, the wall and CPU seconds of the two stages, whether the map reused the clustering's
neighbour graph (only for 4,096 passages or more, where UMAP searches approximately, and
only a graph of the map's own 15 neighbours), and
ARI/NMI of each document's theme (the argmax of its passage mixture) against its label.
Then how far the maps of the settings are apart (largest coordinate difference) and, with
``--recall``, how many of every passage's 15 exact cosine neighbours each map's neighbour
graph holds (for the map that searched its own: a 15-neighbour search timed here), plus
the time of a whole map without a reused graph.

Usage::

    python benchmarks/cluster_neighbours.py --corpus 20ng --limit 1200 --speed best --k 20
    python benchmarks/cluster_neighbours.py --corpus 20ng --limit 16000 --speed fast --recall
"""

from __future__ import annotations

import argparse
import copy
import logging
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import load_corpus


def exact_neighbours(X: np.ndarray, k: int, chunk: int = 1000) -> np.ndarray:
    """Indices of each row's ``k`` nearest other rows by cosine similarity."""
    from topiclab.models.reduce import l2_normalize

    Xn = l2_normalize(X).astype(np.float32)
    out = np.empty((len(Xn), k), dtype=np.int64)
    for start in range(0, len(Xn), chunk):
        sims = Xn[start : start + chunk] @ Xn.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf
        out[start : start + chunk] = np.argpartition(-sims, k, axis=1)[:, :k]
    return out


def recall(graph: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of the exact neighbours found in ``graph`` (self-loops ignored)."""
    k = exact.shape[1]
    hits = [
        len(set(g[g != i][:k].tolist()) & set(e.tolist()))
        for i, (g, e) in enumerate(zip(graph, exact, strict=True))
    ]
    return float(np.mean(hits)) / k


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from topiclab.config import RunConfig
    from topiclab.ingest import from_texts
    from topiclab.models import reduce_2d
    from topiclab.models.reduce import l2_normalize
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.embedding_view import EmbeddingViewStage
    from topiclab.pipeline.stages import EmbedStage, MapStage, PrepareStage, VectorizeStage
    from topiclab.themes import theme_mixture

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["20ng", "multilingual"], default="20ng")
    p.add_argument("--limit", type=int, default=1200, help="documents before the split")
    p.add_argument("--k", type=int, default=20, help="themes (0: chosen by the view)")
    p.add_argument("--speed", choices=["fast", "balanced", "best"], default="best")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--neighbours", nargs="+", default=["15", "auto"])
    p.add_argument("--recall", action="store_true", help="neighbour recall of the maps' graphs")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    texts, labels, langs = load_corpus(a.corpus, a.limit, a.seed)
    half = len(texts) // 2
    texts, labels = texts[:half], labels[:half]
    t0, c0 = time.perf_counter(), time.process_time()
    corpus = from_texts(texts, progress=False)
    base = RunConfig(
        seed=a.seed,
        n_themes=a.k or None,
        speed=a.speed,
        progress=False,
        lang_mode="en" if set(langs[:half]) == {"en"} else "auto",
    )
    state = RunState(texts=[], langs=[], doc_ids=[], corpus=corpus)
    for stage in (
        PrepareStage(base.section("prepare")),
        VectorizeStage(base.section("vectorize")),
        EmbedStage(base.section("embed")),
    ):
        state = stage.fit(state)
    n = len(state.texts)
    print(
        f"{a.corpus}: {len(corpus.documents)} documents ({half} fitted texts), {n} passages, "
        f"speed {a.speed}, K={a.k or 'chosen'}, seed {a.seed}; prepare+vectorise+embed "
        f"{time.perf_counter() - t0:.0f}s wall, {time.process_time() - c0:.0f}s CPU "
        "(embeddings from the cache where embedded before); 2 CPU cores shared with other jobs",
        flush=True,
    )
    label_of = {f"text:{i}": lab for i, lab in enumerate(labels)}
    docs = state.corpus.documents
    doc_label = dict(
        zip(docs["doc_id"].astype(str), docs["source_file"].map(label_of), strict=True)
    )
    print(
        f"{'neighbours':>10} {'used':>5} {'cluster wall':>12} {'CPU':>6} {'map wall':>9} "
        f"{'CPU':>6} {'graph':>6} {'ARI':>6} {'NMI':>6} {'themes':>6}",
        flush=True,
    )
    maps, graphs = {}, {}
    for setting in a.neighbours:
        nn = None if setting == "auto" else int(setting)
        config = base.replace(cluster_neighbors=nn)
        s = copy.deepcopy(state)
        cluster, mapper = (
            EmbeddingViewStage(config.section("cluster")),
            MapStage(config.section("map")),
        )
        t, c = time.perf_counter(), time.process_time()
        s = cluster.fit(s)
        cw, cc = time.perf_counter() - t, time.process_time() - c
        knn = s.extras.get("knn")
        if knn is not None and knn[0].shape[1] != 15:
            knn = None  # the map takes only a graph of its own 15 neighbours
        graphs[setting] = knn
        t, c = time.perf_counter(), time.process_time()
        s = mapper.fit(s)
        mw, mc = time.perf_counter() - t, time.process_time() - c
        maps[setting] = s.extras["xy"]
        view = s.views["embedding"]
        passages = s.passages.assign(doc_id=s.passages["doc_id"].astype(str))
        mix = theme_mixture(passages, view.membership, list(doc_label))
        kept = mix.to_numpy().sum(axis=1) > 0  # documents with passages
        theme = dict(zip(mix.index[kept], mix.to_numpy()[kept].argmax(axis=1), strict=True))
        truth = [doc_label[d] for d in theme]
        found = [theme[d] for d in theme]
        ari = adjusted_rand_score(truth, found)
        nmi = normalized_mutual_info_score(truth, found)
        used = cluster.clusterer_.n_neighbors_
        print(
            f"{setting:>10} {used!s:>5} {cw:>12.1f} {cc:>6.1f} {mw:>9.1f} {mc:>6.1f} "
            f"{'reused' if knn is not None else 'own':>6} {ari:>6.3f} {nmi:>6.3f} "
            f"{cluster.clusterer_.n_clusters_:>6}",
            flush=True,
        )
        features = view.features
    names = list(maps)
    for other in names[1:]:
        diff = float(np.abs(maps[other] - maps[names[0]]).max())
        print(f"map {other} vs {names[0]}: largest coordinate difference {diff:.4g}")
    if a.recall:
        exact = exact_neighbours(features, 15)
        for setting, knn in graphs.items():
            if knn is not None:
                print(
                    f"map graph with {setting}: recall of the 15 exact neighbours {recall(knn[0][:, :15], exact):.4f}"
                )
        from umap.umap_ import nearest_neighbors

        t, c = time.perf_counter(), time.process_time()
        idx, _, _ = nearest_neighbors(
            l2_normalize(features), 15, "cosine", {}, False, np.random.RandomState(0), n_jobs=1
        )
        print(
            f"the map searching its own 15 neighbours: {time.perf_counter() - t:.1f}s wall, "
            f"{time.process_time() - c:.1f}s CPU; recall {recall(idx, exact):.4f}"
        )
        t, c = time.perf_counter(), time.process_time()
        reduce_2d(features, random_state=0)
        print(
            f"whole map without a reused graph: {time.perf_counter() - t:.1f}s wall, "
            f"{time.process_time() - c:.1f}s CPU"
        )
    print(
        f"total {time.perf_counter() - t0:.0f}s wall, {time.process_time() - c0:.0f}s CPU, "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
