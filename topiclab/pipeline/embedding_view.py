"""The embedding view: passages read in their document's context, clustered into themes.

:class:`EmbeddingViewStage` blends each passage embedding with its document's
(:func:`~topiclab.models.crosslingual.blend_document_context`), clusters the result
(:class:`~topiclab.models.EmbeddingClusterer`), dissolves clusters made only of a minority
language (:func:`~topiclab.models.crosslingual.merge_language_clusters`), and describes
each theme with terms overall and per language
(:func:`~topiclab.themes.terms.embedding_theme_terms`: from 100 documents, passages
summed per document and theme, words weighed by how much of a theme they cover,
re-ranked for co-occurrence).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from topiclab.pipeline.base import RunState, Stage, ViewState

logger = logging.getLogger(__name__)

__all__ = ["EmbeddingViewStage", "centre_distances", "display_function", "neighbour_graph"]

VIEW = "embedding"


def centre_distances(centres: Any) -> dict[str, Any]:
    """Cosine distances between theme centres in the embedding space (0 same, 1 unrelated).

    Parameters
    ----------
    centres : array-like of shape (n_themes, dim)

    Returns
    -------
    dict
        ``measure`` (what the numbers are) and ``values`` (a nested list, 4 decimals).
    """
    c = np.asarray(centres, dtype=float)
    norms = np.linalg.norm(c, axis=1, keepdims=True)
    unit = c / np.where(norms > 0, norms, 1.0)
    d = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(d, 0.0)
    return {
        "measure": "cosine distance between theme centres in the embedding space",
        "values": np.round(d, 4).tolist(),
    }


def _static_embeddings(state: RunState) -> bool:
    """Whether the passages were embedded with the static model (averaged word vectors)."""
    from topiclab.features.static import STATIC_MODEL

    embedder = state.embedder
    if getattr(embedder, "fits_corpus", False):  # mapped into its teacher's space
        return False
    return STATIC_MODEL in str(getattr(embedder, "model", "")) or "static" in str(
        getattr(embedder, "model_id_", "")
    )


def _strip_directions(state: RunState) -> int:
    """Return how many common directions to remove: 1 for static vectors, 2 multilingual.

    The static model distilled from USE multilingual keeps a second direction that tells
    the languages apart; without it, parallel sentences share clusters and SIB-200's ARI
    rose from 0.210 to 0.369 (``benchmarks/results/multilingual_static_sib200_strip.txt``).
    """
    if not _static_embeddings(state):
        return 0
    from topiclab.features.static_multilingual import MULTILINGUAL_STATIC_MODEL

    embedder = state.embedder
    multilingual = MULTILINGUAL_STATIC_MODEL in str(getattr(embedder, "model", "")) or (
        "use-multilingual-v3 static" in str(getattr(embedder, "model_id_", ""))
    )
    return 2 if multilingual else 1


def neighbour_graph(clusterer: Any) -> tuple[Any, Any, Any] | None:
    """Return the UMAP neighbour graph of a fitted clusterer, or ``None``.

    ``(indices, distances, search index)`` of the cosine neighbours of the clustered
    vectors, as UMAP's ``precomputed_knn`` takes it; ``None`` when the clusterer did not
    run UMAP or UMAP computed exact distances (small inputs) instead of a graph.
    """
    model = getattr(clusterer, "reducer_", None)
    if getattr(clusterer, "layout_sample_", None) is not None:  # a graph of the sample only
        return None
    if getattr(clusterer, "reduction_", None) != "umap" or getattr(model, "metric", None) != (
        "cosine"
    ):
        return None
    idx = getattr(model, "_knn_indices", None)
    dists = getattr(model, "_knn_dists", None)
    if idx is None or dists is None or getattr(model, "_small_data", True):
        return None
    rows = getattr(clusterer, "layout_rows_", None)
    if rows is None:
        return idx, dists, getattr(model, "_knn_search_index", None)
    # the layout saw the rows in hash order: give the graph back in the rows' own order
    rows = np.asarray(rows)
    indices, distances = np.empty_like(idx), np.empty_like(dists)
    indices[rows], distances[rows] = rows[idx], dists
    return indices, distances, None


def display_function(vectorizer: Any) -> Any:
    """Return the vectoriser's ``display_names`` (terms as written), or ``None``."""
    show = getattr(vectorizer, "display_names", None)
    return show if callable(show) else None


class EmbeddingViewStage(Stage):
    """Cluster the passage embeddings into themes (the ``"embedding"`` view).

    Parameters
    ----------
    section : ClusterSection
        Number of themes, clustering method, outliers, context weight, language merges,
        guided themes, terms and representative passages per theme, seed.
    algorithm : scikit-learn clusterer, optional
        Replaces the built-in clustering (see
        :class:`~topiclab.models.EmbeddingClusterer`'s ``algorithm``).

    Attributes
    ----------
    clusterer_ : EmbeddingClusterer
        The fitted clusterer; its centroids assign new passages.
    merges_ : list of dict
        The language clusters dissolved during the fit.
    """

    name = "cluster"
    view = VIEW
    requires = ("embed",)
    after = ("vectorize", "embed")  # counts and vocabulary describe the themes

    def __init__(self, section: Any, algorithm: Any = None) -> None:
        self.section = section
        self.algorithm = algorithm

    def _context(self, state: RunState) -> np.ndarray:
        from topiclab.models.crosslingual import blend_document_context

        return blend_document_context(
            state.embeddings, state.doc_ids, float(self.section.context_weight)
        )

    def fit(self, state: RunState) -> RunState:
        """Cluster the passages, then assign them with :meth:`transform`'s code path."""
        from topiclab.models import EmbeddingClusterer
        from topiclab.models.crosslingual import merge_language_clusters
        from topiclab.pipeline.speed import cluster_reduction, layout_sample

        s = self.section
        seed_emb = None
        if s.guided:
            seed_emb = state.embedder.transform(
                [f"{g.name}: {', '.join(g.words)}" for g in s.guided]
            )
        neighbors = getattr(s, "cluster_neighbors", None)
        if neighbors is None:  # fast mode keeps UMAP's 15; otherwise the rule by size
            from topiclab.pipeline.speed import speed_settings

            neighbors = speed_settings(getattr(s, "speed", None)).cluster_neighbors
        reducer, components = cluster_reduction(s, len(state.texts))
        clusterer = EmbeddingClusterer(
            n_clusters=s.n_themes,
            method=s.cluster_method,
            reducer=reducer,
            n_components=components,
            n_neighbors="auto" if neighbors is None else int(neighbors),
            reassign_outliers=s.reassign_outliers,
            seed_embeddings=seed_emb,
            algorithm=self.algorithm,
            random_state=s.seed,
            progress=bool(getattr(s, "progress", False)),
            strip_directions=_strip_directions(state),
            layout_sample=layout_sample(s),
        )
        context = self._context(state)
        clusterer.fit(context, sample_keys=state.texts)  # hash order and sample of the texts
        merges: list[dict[str, Any]] = []
        if not s.language_themes and not s.guided:
            merged, merges = merge_language_clusters(
                context, clusterer.labels_, state.langs, doc_ids=state.doc_ids
            )
            if merges:
                clusterer.relabel(context, merged)
                final = np.asarray(clusterer.labels_)
                for m in merges:  # report where members went in the final theme numbering
                    ids, n = np.unique(final[m.pop("members")], return_counts=True)
                    m["into"] = {int(t): int(c) for t, c in zip(ids, n, strict=True)}
        self.clusterer_ = clusterer
        self.merges_ = merges
        state.extras["cluster_centers"] = np.asarray(clusterer.cluster_centers_)
        knn = neighbour_graph(clusterer)
        if knn is not None:  # the map of the same vectors reuses it
            state.extras["knn"] = knn

        state = self.transform(state, context=context)
        view = state.views[VIEW]
        labels = np.asarray(clusterer.labels_)  # outliers stay -1 when not reassigned
        view.labels = labels
        view.table = self._table(state, labels, context)
        outliers = getattr(clusterer, "outliers_", None)
        view.metrics = {
            "theme_distances": centre_distances(self.clusterer_.cluster_centers_),
            "language_merges": merges,
            "umap_neighbors": getattr(clusterer, "n_neighbors_", None),
            # passages the layout was fitted on (None: all of them; the rest were placed)
            "layout_sample": getattr(clusterer, "layout_sample_", None),
            "outlier_share": float(np.mean(outliers))
            if outliers is not None and len(outliers)
            else 0.0,
        }
        return state

    def transform(self, state: RunState, *, context: np.ndarray | None = None) -> RunState:
        """Soft theme membership and the most likely theme of each passage."""
        context = self._context(state) if context is None else context
        membership = self.clusterer_.transform(context)
        state.views[VIEW] = ViewState(
            labels=np.asarray(membership).argmax(axis=1),
            membership=membership,
            features=context,
        )
        return state

    def _table(self, state: RunState, labels: np.ndarray, context: np.ndarray) -> Any:
        from topiclab.themes import build_theme_table
        from topiclab.themes.tables import doc_titles
        from topiclab.themes.terms import embedding_theme_terms

        s = self.section
        counts = state.counts
        k = int(self.clusterer_.n_clusters_)
        centers = np.asarray(self.clusterer_.cluster_centers_)
        centrality = np.einsum("ij,ij->i", context, centers[np.clip(labels, 0, k - 1)])
        centrality[labels < 0] = 0.0  # outliers kept unassigned (reassign_outliers=False)
        term_scores, selections = embedding_theme_terms(
            counts, labels, k, state.langs, state.doc_ids, topn=s.top_n_terms
        )
        return build_theme_table(
            VIEW,
            labels,
            term_scores,
            state.feature_names,
            state.passages,
            scores=centrality,
            top_n=s.top_n_terms,
            n_representative=s.n_representative,
            n_themes=k,
            selections=selections,
            display=display_function(state.vectorizer),
            titles=doc_titles(getattr(state.corpus, "documents", None)),
            counts=counts,
        )

    @classmethod
    def from_fitted(cls, clusterer: Any, context_weight: float) -> EmbeddingViewStage:
        """Wrap a fitted clusterer in a fitted stage (a loaded model)."""
        from topiclab.config import ClusterSection

        stage = cls(ClusterSection(context_weight=float(context_weight)))
        stage.clusterer_ = clusterer
        stage.merges_ = []
        stage._fitted = True
        return stage
