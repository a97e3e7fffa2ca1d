"""Clustering of sentence embeddings: reduce (UMAP or PCA), then HDBSCAN or KMeans.

:class:`EmbeddingClusterer` is a scikit-learn clusterer and transformer over a dense
``(n_samples, n_dims)`` embedding matrix. Whatever algorithm finds the clusters, the fitted
model is summarised by one L2-normalised centroid per cluster in the original embedding
space; the final labels are the nearest centroid by cosine similarity, so
``predict(X_fit)`` reproduces ``labels_`` exactly.
"""

from __future__ import annotations

import logging
import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin, clone
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import silhouette_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from topiclab._state import plain_params
from topiclab.models.layout import (
    SamplePlacement,
    direction_moments,
    directions_from_moments,
    hash_order,
    remove_directions,
    sample_mask,
)
from topiclab.models.reduce import Reducer, cluster_neighbors
from topiclab.models.reduce import l2_normalize as _l2_normalize

logger = logging.getLogger(__name__)

__all__ = ["EmbeddingClusterer"]

_MAX_SEED = np.iinfo(np.int32).max
#: with ``method="auto"`` and no ``n_clusters``, HDBSCAN is used from this many samples
HDBSCAN_MIN_SAMPLES = 200
#: largest number of clusters tried by the silhouette search
SILHOUETTE_MAX_K = 12
#: the silhouette score is computed on at most this many samples
SILHOUETTE_SAMPLE_SIZE = 2000
#: below this many samples a reducer is only applied when asked for explicitly: the
#: silhouette search runs KMeans in the normalised embedding space itself (a UMAP graph of
#: a few dozen points distorts more than it helps)
REDUCE_MIN_SAMPLES = 200


def _kmeans_plus_plus_extend(
    X: np.ndarray, centers: np.ndarray, n_total: int, rng: np.random.RandomState
) -> np.ndarray:
    """Add centres to ``centers`` by k-means++ (D^2) sampling until there are ``n_total``."""
    centers = list(centers)
    sq = (X**2).sum(axis=1)
    C = np.asarray(centers)
    d2 = np.maximum(sq[:, None] + (C**2).sum(axis=1)[None, :] - 2.0 * X @ C.T, 0.0).min(axis=1)
    while len(centers) < n_total:
        total = d2.sum()
        idx = (
            int(rng.choice(X.shape[0], p=d2 / total)) if total > 0 else int(rng.randint(X.shape[0]))
        )
        centers.append(X[idx])
        d2 = np.minimum(d2, ((X - X[idx]) ** 2).sum(axis=1))
    return np.asarray(centers)


def _silhouette_kmeans(
    Z: np.ndarray, seed: int, max_k: int = SILHOUETTE_MAX_K, progress: bool = False
) -> tuple[np.ndarray, dict[int, float]]:
    """KMeans labels for the k in ``2..min(max_k, n-1)`` with the best silhouette score."""
    from topiclab.progress import progress_bar

    n = Z.shape[0]
    scores: dict[int, float] = {}
    best_labels = np.zeros(n, dtype=np.intp)
    best = -np.inf
    ks = range(2, min(max_k, n - 1) + 1)
    for k in progress_bar(
        ks, desc="Clustering (k by silhouette)", unit="k", enabled=progress, size=n
    ):
        # small inputs are cheap: more restarts make the chosen k stable across seeds
        n_init = 20 if n <= 1000 else 4
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(Z).labels_
        if np.unique(labels).size < 2:
            continue
        sample = SILHOUETTE_SAMPLE_SIZE if n > SILHOUETTE_SAMPLE_SIZE else None
        score = float(silhouette_score(Z, labels, sample_size=sample, random_state=seed))
        scores[k] = score
        if score > best:
            best, best_labels = score, labels
    return best_labels, scores


def strip_common_directions(Xn: np.ndarray, n_directions: int) -> np.ndarray:
    """Remove the mean and the first principal directions of unit rows, then renormalise.

    Averaged word vectors (static embeddings) share a large common component that
    dominates their cosine similarities; removing it ("all but the top", Mu & Viswanath,
    ICLR 2018) leaves what tells the texts apart. The directions come from sums that add
    across chunks (:func:`topiclab.models.layout.direction_moments`), so the Spark engine
    finds the same ones without collecting the rows.
    """
    mean, top = directions_from_moments(*direction_moments(Xn), n_directions)
    return remove_directions(Xn, mean, top)


class EmbeddingClusterer(ClusterMixin, TransformerMixin, BaseEstimator):
    """Cluster document embeddings: optional reduction, then HDBSCAN or KMeans.

    Parameters
    ----------
    n_clusters : int or None, default=None
        Number of clusters. ``None`` chooses it: HDBSCAN or a silhouette search over KMeans
        (see ``method``). An int runs seeded KMeans with that many clusters.
    method : {"auto", "hdbscan", "kmeans"}, default="auto"
        How to choose the clusters when ``n_clusters`` is None. ``"auto"`` uses HDBSCAN from
        ``HDBSCAN_MIN_SAMPLES`` (200) samples and the silhouette search below that;
        ``"kmeans"`` always uses the silhouette search over ``k = 2..min(12, n - 1)``.
        When HDBSCAN finds fewer than two clusters, the silhouette search is used and a
        warning is logged; ``method_`` records what ran.
    reducer : {"umap", "pca"} or None, default="umap"
        Reduction applied before clustering. With fewer than ``REDUCE_MIN_SAMPLES`` (200)
        samples and ``method`` other than ``"hdbscan"``, ``"umap"`` means no reduction:
        KMeans runs in the normalised embedding space. UMAP is replaced by PCA for fewer
        than ``UMAP_MIN_SAMPLES`` (10) samples; no reduction is done when the embeddings
        have at most ``n_components`` dimensions.
    n_neighbors : int or "auto", default="auto"
        UMAP neighbourhood size. ``"auto"``: when KMeans finds the clusters (``n_clusters``
        given, or the silhouette search),
        :func:`~topiclab.models.reduce.cluster_neighbors` of the number of samples (a
        tenth of the samples less 50, from 15 to 100); 15 for HDBSCAN and a custom
        ``algorithm``. Shrunk to ``max(2, n // 3)`` when ``n < 3 * n_neighbors``.
    n_components : int, default=5
        Dimensions of the reduced space.
    metric : str, default="cosine"
        Metric of the UMAP neighbour graph. With ``"cosine"`` the embeddings are
        L2-normalised before reduction. Centroids and :meth:`transform` always use cosine
        similarity in the original space.
    min_cluster_size : int or None, default=None
        HDBSCAN's smallest cluster; ``None`` means ``max(5, int(sqrt(n)) // 2)``.
    reassign_outliers : bool, default=True
        Give HDBSCAN's noise points the label of the nearest centroid. When False they keep
        the label ``-1``; ``outliers_`` marks them either way.
    seed_embeddings : array-like of shape (n_seeds, n_dims), optional
        Guided clustering: KMeans in the L2-normalised original space, initialised with
        these vectors (plus k-means++ centres when ``n_clusters > n_seeds``). Cluster ``i``
        corresponds to seed ``i``; the remaining clusters follow, largest first. No
        reduction is fitted in this mode.
    temperature : float, default=0.05
        Softmax temperature of :meth:`transform` over cosine similarities.
    algorithm : scikit-learn clusterer, optional
        Any unfitted clusterer with ``fit_predict`` (``AgglomerativeClustering()``,
        ``SpectralClustering()``, ``HDBSCAN()`` ...), run on the reduced embeddings instead
        of the built-in choice; it is cloned, and given the derived seed when it takes a
        ``random_state``. Negative labels count as outliers. ``n_clusters`` and ``method``
        are then ignored; ``method_`` is the algorithm's class name.
    random_state : int, RandomState instance or None, default=None
        Seed; derived seeds go to UMAP/PCA, KMeans and the silhouette sampling.
    progress : bool, default=False
        Show bars (UMAP layout epochs, the silhouette search over k) for large inputs.
    strip_directions : int, default=0
        Before reducing and clustering, remove the mean and this many principal directions
        of the normalised embeddings (:func:`strip_common_directions`; helps static
        embeddings). The centroids, and so the final labels and every later assignment,
        stay in the original space.
    layout_sample : int or None, default=None
        Fit the UMAP layout on a deterministic sample of about this many samples when
        there are more (:func:`topiclab.models.layout.sample_mask` of the ``sample_keys``
        given to :meth:`fit`, row numbers by default), and place the others from their 15
        most similar sample vectors (:class:`~topiclab.models.layout.SamplePlacement`).
        The algorithm runs on the sample's coordinates; with KMeans its centres are then
        refined by Lloyd iterations on every sample's coordinates, and other algorithms'
        clusters take the rest by the nearest cluster mean there. The Spark engine
        clusters the same way, so both engines lay out the same sample. ``None``: the
        layout is fitted on every sample.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample: its nearest centroid (``-1`` for outliers kept
        as such). Clusters are numbered by size, largest first (seeded clusters first, in
        seed order).
    n_clusters_ : int
        Number of clusters.
    cluster_centers_ : ndarray of shape (n_clusters_, n_dims)
        L2-normalised mean of the normalised embeddings of each cluster as found by the
        clustering algorithm, in the original embedding space.
    embedding_ : ndarray of shape (n_samples, n_reduced)
        Coordinates the clustering ran on.
    reducer_ : object or None
        The fitted UMAP or PCA model, or None.
    reduction_ : str
        ``"umap"``, ``"pca"`` or ``"none"``: the reduction that ran.
    n_neighbors_ : int or None
        The UMAP neighbourhood used (None when UMAP did not run).
    method_ : str
        ``"hdbscan"``, ``"kmeans"`` (given k), ``"silhouette"`` or ``"guided"``.
    layout_sample_ : int or None
        Samples the layout was fitted on when it was fitted on a sample, else ``None``.
    layout_rows_ : ndarray of int or None
        The rows the layout was fitted on, in the order it saw them (hash order of the
        ``sample_keys``); ``None``: every row in the given order.
    outliers_ : ndarray of bool of shape (n_samples,)
        Samples HDBSCAN marked as noise (all False for the other methods).
    selection_scores_ : dict of int to float
        Silhouette score per k tried (empty when no search ran).
    n_features_in_ : int

    Notes
    -----
    The algorithm's clusters give the centroids; the final labels are one nearest-centroid
    step on them, so ``labels_ == predict(X_fit)`` holds exactly (outliers kept at ``-1``
    aside). A cluster left empty by that step is dropped (except seeded clusters).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> centres = rng.normal(size=(3, 20))
    >>> X = np.repeat(centres, 10, axis=0) + 0.1 * rng.normal(size=(30, 20))
    >>> model = EmbeddingClusterer(n_clusters=3, reducer=None, random_state=0).fit(X)
    >>> model.n_clusters_, model.transform(X).shape
    (3, (30, 3))
    """

    def __init__(
        self,
        n_clusters: int | None = None,
        *,
        method: str = "auto",
        reducer: str | None = "umap",
        n_neighbors: int | str = "auto",
        n_components: int = 5,
        metric: str = "cosine",
        min_cluster_size: int | None = None,
        reassign_outliers: bool = True,
        seed_embeddings: Any = None,
        temperature: float = 0.05,
        algorithm: Any = None,
        random_state: int | np.random.RandomState | None = None,
        progress: bool = False,
        strip_directions: int = 0,
        layout_sample: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.method = method
        self.reducer = reducer
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.metric = metric
        self.min_cluster_size = min_cluster_size
        self.reassign_outliers = reassign_outliers
        self.seed_embeddings = seed_embeddings
        self.temperature = temperature
        self.algorithm = algorithm
        self.random_state = random_state
        self.progress = progress
        self.strip_directions = strip_directions
        self.layout_sample = layout_sample

    # ------------------------------------------------------------------ helpers
    def _check_params(self, n_samples: int) -> None:
        def positive_int(name: str, value: Any) -> None:
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")

        if self.n_clusters is not None:
            positive_int("n_clusters", self.n_clusters)
            if self.n_clusters > n_samples:
                raise ValueError(f"n_clusters={self.n_clusters} must be <= n_samples={n_samples}")
        if self.algorithm is not None and not hasattr(self.algorithm, "fit_predict"):
            raise ValueError(
                f"algorithm must be a clusterer with fit_predict, got {self.algorithm!r}"
            )
        if self.method not in ("auto", "hdbscan", "kmeans"):
            raise ValueError(f"method must be 'auto', 'hdbscan' or 'kmeans', got {self.method!r}")
        if self.reducer not in ("umap", "pca", None):
            raise ValueError(f"reducer must be 'umap', 'pca' or None, got {self.reducer!r}")
        if self.n_neighbors != "auto":
            positive_int("n_neighbors", self.n_neighbors)
        positive_int("n_components", self.n_components)
        if self.min_cluster_size is not None:
            positive_int("min_cluster_size", self.min_cluster_size)
        if getattr(self, "layout_sample", None) is not None:
            positive_int("layout_sample", self.layout_sample)
        if not isinstance(self.temperature, numbers.Real) or self.temperature <= 0:
            raise ValueError(f"temperature must be a positive float, got {self.temperature!r}")

    def _kmeans_finds(self, n: int) -> bool:
        """Whether KMeans (given k or the silhouette search) finds the clusters of ``n`` samples."""
        if self.algorithm is not None:
            return False
        if self.n_clusters is not None or self.method == "kmeans":
            return True
        return self.method == "auto" and n < HDBSCAN_MIN_SAMPLES

    def _cluster_guided(self, Xn: np.ndarray, seeds: np.ndarray, seed: int) -> np.ndarray:
        n_total = seeds.shape[0] if self.n_clusters is None else int(self.n_clusters)
        if n_total < seeds.shape[0]:
            raise ValueError(
                f"n_clusters={n_total} is smaller than the {seeds.shape[0]} seed embeddings"
            )
        if n_total > Xn.shape[0]:
            raise ValueError(f"{n_total} clusters requested for {Xn.shape[0]} samples")
        init = _l2_normalize(seeds)
        if n_total > init.shape[0]:
            init = _kmeans_plus_plus_extend(Xn, init, n_total, check_random_state(seed))
        return KMeans(n_clusters=n_total, init=init, n_init=1, random_state=seed).fit(Xn).labels_

    def _cluster(self, Z: np.ndarray, seed: int) -> np.ndarray:
        n = Z.shape[0]
        self.selection_scores_: dict[int, float] = {}
        if self.algorithm is not None:
            algo = clone(self.algorithm)
            if "random_state" in algo.get_params(deep=False):
                algo.set_params(random_state=seed)
            self.method_ = type(algo).__name__
            return np.asarray(algo.fit_predict(Z), dtype=np.intp)
        if self.n_clusters is not None:
            self.method_ = "kmeans"
            return (
                KMeans(n_clusters=int(self.n_clusters), n_init=10, random_state=seed).fit(Z).labels_
            )
        method = self.method
        if method == "auto":
            method = "hdbscan" if n >= HDBSCAN_MIN_SAMPLES else "kmeans"
        if method == "hdbscan":
            size = self.min_cluster_size or max(5, int(np.sqrt(n)) // 2)
            labels = HDBSCAN(min_cluster_size=int(min(size, max(n, 2))), copy=True).fit(Z).labels_
            if np.unique(labels[labels >= 0]).size >= 2:
                self.method_ = "hdbscan"
                return labels
            logger.warning(
                "HDBSCAN found fewer than two clusters in %d samples; "
                "choosing k by silhouette with KMeans instead",
                n,
            )
        self.method_ = "silhouette"
        if n < 3:
            return np.zeros(n, dtype=np.intp)
        labels, self.selection_scores_ = _silhouette_kmeans(
            Z, seed, progress=bool(getattr(self, "progress", False))
        )
        return labels

    def _layout_rows(self, n: int, reducer: str | None, keys: Any) -> np.ndarray | None:
        """Return the rows the layout is fitted on, in hash order; ``None``: all, as given.

        With ``sample_keys`` the rows are taken in the order of their keys' hashes
        (:func:`topiclab.models.layout.hash_order`), so the themes do not depend on the
        input's order; above ``layout_sample`` rows only the hashed sample is kept (every
        row when the sample would be too small to cluster).
        """
        size = getattr(self, "layout_sample", None)
        sample = size is not None and reducer == "umap" and n > size
        if keys is None and not sample:
            return None
        if keys is None:
            keys = [str(i) for i in range(n)]
        elif len(keys) != n:
            raise ValueError(f"sample_keys has {len(keys)} entries for {n} samples")
        order = hash_order(keys)
        if sample:
            mask = sample_mask(keys, int(size))
            if int(mask.sum()) >= max(REDUCE_MIN_SAMPLES, 3 * int(self.n_clusters or 2)):
                return order[mask[order]]
        return order

    def _cluster_rows(self, rows: np.ndarray, seed: int) -> np.ndarray:
        """Cluster the layout's rows, then every row's (placed) coordinates.

        When the layout has every row, its clusters are the answer. Otherwise KMeans'
        centres on the sample start Lloyd iterations on every row, as the Spark engine's
        MLlib KMeans does, and other algorithms' clusters take the rows outside the sample
        by the nearest cluster mean.
        """
        Z = self.embedding_
        raw = np.empty(Z.shape[0], dtype=np.intp)
        raw_s = np.asarray(self._cluster(Z[rows], seed), dtype=np.intp)
        if len(rows) == Z.shape[0]:
            raw[rows] = raw_s
            return raw
        ids = np.unique(raw_s[raw_s >= 0])
        means = np.asarray([Z[rows][raw_s == c].mean(axis=0) for c in ids])
        if self.method_ in ("kmeans", "silhouette") and self.algorithm is None:
            fit = KMeans(len(means), init=means, n_init=1, max_iter=100, random_state=seed)
            return fit.fit(Z).labels_.astype(np.intp)
        d = (Z * Z).sum(axis=1)[:, None] - 2.0 * Z @ means.T + (means * means).sum(axis=1)
        raw = ids[d.argmin(axis=1)].astype(np.intp)
        raw[rows] = raw_s
        return raw

    def _similarity(self, Xn: np.ndarray, centers: np.ndarray) -> np.ndarray:
        return Xn @ centers.T

    # ---------------------------------------------------------------- estimator
    def fit(self, X: Any, y: None = None, sample_keys: Any = None) -> EmbeddingClusterer:
        """Cluster the embeddings.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_dims)
            Dense embeddings, one row per document or passage.
        y : None
            Ignored.
        sample_keys : sequence of str, optional
            One key per row (the pipeline gives the passage texts). The layout and the
            clustering then take the rows in the order of the keys' hashes
            (:func:`topiclab.models.layout.hash_order`), so the themes do not depend on
            the order of the input, and the keys choose the layout's sample when
            ``layout_sample`` applies (row numbers by default).

        Returns
        -------
        self : EmbeddingClusterer
        """
        X = validate_data(self, X, dtype=np.float64, reset=True)
        n = X.shape[0]
        self._check_params(n)
        rng = check_random_state(self.random_state)
        reduce_seed, cluster_seed = (int(s) for s in rng.randint(_MAX_SEED, size=2))
        Xn = _l2_normalize(X)

        guided = self.seed_embeddings is not None
        if guided:
            seeds = check_array(self.seed_embeddings, dtype=np.float64)
            if seeds.shape[1] != X.shape[1]:
                raise ValueError(
                    f"seed_embeddings have {seeds.shape[1]} dimensions, X has {X.shape[1]}"
                )
            n_seeds = seeds.shape[0]
            self.embedding_, self.reducer_, self.reduction_ = Xn, None, "none"
            self.layout_sample_, self.layout_rows_ = None, None
            self.n_neighbors_ = None
            self.selection_scores_ = {}
            self.method_ = "guided"
            raw = self._cluster_guided(Xn, seeds, cluster_seed)
        else:
            n_seeds = 0
            source = Xn if self.metric == "cosine" else X
            strip = int(getattr(self, "strip_directions", 0) or 0)
            if strip > 0 and self.metric == "cosine":
                source = strip_common_directions(Xn, strip)
            reducer = self.reducer
            if reducer == "umap" and n < REDUCE_MIN_SAMPLES and self.method != "hdbscan":
                reducer = None
            neighbors = self.n_neighbors
            if neighbors == "auto":
                neighbors = cluster_neighbors(n) if self._kmeans_finds(n) else 15
            red = Reducer(
                method=reducer,
                n_components=int(self.n_components),
                n_neighbors=int(neighbors),
                metric=self.metric,
                random_state=reduce_seed,
                progress=bool(getattr(self, "progress", False)),
            )
            rows = self._layout_rows(n, reducer, sample_keys)
            sampled = rows is not None and len(rows) < n
            self.layout_sample_ = len(rows) if sampled else None
            self.layout_rows_ = rows
            if rows is None:  # no keys: the rows in their given order
                self.embedding_ = red.fit_transform(source)
                raw = self._cluster(self.embedding_, cluster_seed)
            else:  # the rows in the order of their keys' hashes (the same in every engine)
                coords = red.fit_transform(source[rows])
                if sampled:
                    place = SamplePlacement().fit(source[rows], coords)
                    self.embedding_ = place.transform(source)
                else:
                    self.embedding_ = np.empty((n, coords.shape[1]))
                self.embedding_[rows] = coords
                raw = self._cluster_rows(rows, cluster_seed)
            self.reducer_, self.reduction_ = red.model_, red.reduction_
            self.n_neighbors_ = red.n_neighbors_

        self.outliers_ = raw < 0
        n_fixed = n_seeds
        ids = np.unique(raw[raw >= 0])
        if guided:
            ids = np.arange(n_seeds if self.n_clusters is None else int(self.n_clusters))
        self._set_clusters(Xn, raw, ids, n_fixed)
        logger.info(
            "%d samples -> %d clusters (%s, reduction %s, %d outliers)",
            n,
            self.n_clusters_,
            self.method_,
            self.reduction_,
            int(self.outliers_.sum()),
        )
        return self

    def _set_clusters(self, Xn: np.ndarray, raw: np.ndarray, ids: np.ndarray, n_fixed: int) -> None:
        """Centres from the ``raw`` labels, one nearest-centre step, numbering by size."""
        centers = np.zeros((ids.size, Xn.shape[1]))
        for j, c in enumerate(ids):
            members = Xn[raw == c]
            if members.shape[0]:
                centers[j] = members.mean(axis=0)
        centers = _l2_normalize(centers)

        # one nearest-centroid step; drop clusters it leaves empty (seeded ones are kept)
        while True:
            nearest = np.argmax(self._similarity(Xn, centers), axis=1)
            counts = np.bincount(nearest, minlength=centers.shape[0])
            empty = counts == 0
            empty[:n_fixed] = False
            if not empty.any():
                break
            centers = centers[~empty]

        # seeded clusters keep their order; the others are numbered by size, largest first
        rest = np.arange(n_fixed, centers.shape[0])
        rest = rest[np.lexsort((rest, -counts[rest]))]
        order = np.concatenate([np.arange(n_fixed), rest]).astype(np.intp)
        self.cluster_centers_ = centers[order]
        self.n_clusters_ = int(self.cluster_centers_.shape[0])
        labels = np.argmax(self._similarity(Xn, self.cluster_centers_), axis=1).astype(np.intp)
        if not self.reassign_outliers:
            labels[self.outliers_] = -1
        self.labels_ = labels

    def relabel(self, X: Any, labels: Any) -> EmbeddingClusterer:
        """Replace the fitted clustering of ``X`` by ``labels`` (e.g. after merging clusters).

        Centres are recomputed from ``labels``, then every sample takes its nearest centre,
        exactly as at the end of :meth:`fit`, so ``predict(X) == labels_`` still holds.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_dims)
            The embeddings the clusterer was fitted on.
        labels : array-like of int of shape (n_samples,)
            New cluster of each sample; negative values mark outliers.

        Returns
        -------
        self : EmbeddingClusterer
        """
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        raw = np.asarray(labels, dtype=np.intp)
        if raw.shape != (X.shape[0],):
            raise ValueError(f"labels must have shape ({X.shape[0]},), got {raw.shape}")
        n_fixed = 0 if self.seed_embeddings is None else len(self.seed_embeddings)
        ids = np.unique(raw[raw >= 0])
        if n_fixed:
            ids = np.union1d(np.arange(n_fixed), ids)
        self.outliers_ = raw < 0
        self._set_clusters(_l2_normalize(X), raw, ids, n_fixed)
        return self

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Return the fitted state needed to assign new samples (see :meth:`from_state`).

        The centroids decide every assignment; the reducer and the training labels are
        not kept.

        Returns
        -------
        state : dict
        arrays : dict of str to ndarray
            ``centers_`` and, for guided clustering, ``seed_embeddings``.
        """
        check_is_fitted(self, "cluster_centers_")
        arrays = {"centers_": np.asarray(self.cluster_centers_, dtype=np.float64)}
        if self.seed_embeddings is not None:
            arrays["seed_embeddings"] = np.asarray(self.seed_embeddings, dtype=np.float64)
        state = {
            "params": plain_params(
                self, drop=("seed_embeddings", "random_state", "algorithm", "progress")
            ),
            "random_state": self.random_state if isinstance(self.random_state, int) else None,
            "n_features_in_": int(self.n_features_in_),
            "method_": getattr(self, "method_", None),
        }
        return state, arrays

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> EmbeddingClusterer:
        """Rebuild a fitted clusterer from :meth:`get_state` output.

        Raises
        ------
        ValueError
            When the centroids do not match the recorded input width.
        """
        seeds = arrays.get("seed_embeddings")
        cl = cls(**state["params"], random_state=state["random_state"], seed_embeddings=seeds)
        cl.cluster_centers_ = np.asarray(arrays["centers_"], dtype=np.float64)
        cl.n_features_in_ = int(state["n_features_in_"])
        if cl.cluster_centers_.ndim != 2 or cl.cluster_centers_.shape[1] != cl.n_features_in_:
            raise ValueError("cluster centres have an inconsistent shape")
        cl.n_clusters_ = int(cl.cluster_centers_.shape[0])
        cl.method_ = state["method_"]
        return cl

    def transform(self, X: Any) -> np.ndarray:
        """Soft cluster membership.

        ``softmax(cos(x, centre_k) / temperature)`` over the clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_dims)

        Returns
        -------
        ndarray of shape (n_samples, n_clusters_)
            Membership probabilities; rows sum to one.
        """
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        logits = self._similarity(_l2_normalize(X), self.cluster_centers_) / float(self.temperature)
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Nearest centroid by cosine similarity (the argmax of :meth:`transform`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_dims)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.argmax(self._similarity(_l2_normalize(X), self.cluster_centers_), axis=1).astype(
            np.intp
        )

    def fit_transform(self, X: Any, y: None = None, **fit_params: Any) -> np.ndarray:
        """Fit and return the soft membership of the training samples.

        Exactly ``self.fit(X).transform(X)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_dims)
        y : None
            Ignored.
        **fit_params : dict
            Unused; accepted for scikit-learn compatibility.

        Returns
        -------
        ndarray of shape (n_samples, n_clusters_)
        """
        return self.fit(X).transform(X)
