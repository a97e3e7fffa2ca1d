"""Dimension reduction of embeddings: UMAP (or PCA for few samples) before clustering, and 2-D maps.

:class:`Reducer` is a scikit-learn transformer, so one reduction can be fitted once and
reused (e.g. to cluster the same reduced points for several K); :func:`reduce_2d` gives
the 2-D coordinates of the passage map. umap-learn is imported only when UMAP runs.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from topiclab.progress import umap_tqdm_kwds

logger = logging.getLogger(__name__)

__all__ = [
    "CLUSTER_NEIGHBORS_MAX",
    "CLUSTER_NEIGHBORS_MIN",
    "EXACT_NEIGHBOURS_MAX",
    "UMAP_MIN_SAMPLES",
    "Reducer",
    "cache_umap_kernels",
    "cluster_neighbors",
    "exact_neighbours",
    "l2_normalize",
    "reduce_2d",
]

_MAX_SEED = np.iinfo(np.int32).max
#: below this many samples UMAP is replaced by PCA
UMAP_MIN_SAMPLES = 10
#: the clustering's UMAP neighbourhood chosen by :func:`cluster_neighbors`: at least this
CLUSTER_NEIGHBORS_MIN = 15
#: ... and at most this many neighbours
CLUSTER_NEIGHBORS_MAX = 100
#: UMAP searches neighbours exactly below this many samples, approximately (NN-descent)
#: from it on (umap-learn's own threshold)
UMAP_EXACT_BELOW = 4_096
#: From UMAP_EXACT_BELOW up to this many samples the cosine neighbours are searched here,
#: exactly (scikit-learn, brute force in float32), and handed to UMAP: in a new process
#: UMAP's NN-descent first compiles for about 35 s, the search itself takes 0.3 s for
#: 5,000 passages and 4.7 s for 19,508 (384 dimensions, 2 cores)
EXACT_NEIGHBOURS_MAX = 20_000


def cluster_neighbors(n_samples: int) -> int:
    """Return the UMAP neighbourhood KMeans clustering uses for ``n_samples`` samples.

    A tenth of the samples less 50, at least ``CLUSTER_NEIGHBORS_MIN`` (15, UMAP's
    default) and at most ``CLUSTER_NEIGHBORS_MAX`` (100): 15 up to 650 samples, 50 at
    1,000, 100 from 1,500 (the best of those tried on 500, 1,000 and 2,011 labelled
    posts). A wider neighbourhood keeps more of the corpus's global structure in the
    reduced space, which separated labelled classes better for KMeans (the README's
    embedding-themes section gives the measurements); HDBSCAN keeps 15 (wider
    neighbourhoods merged its clusters), and the 2-D passage map keeps its own 15.

    Examples
    --------
    >>> cluster_neighbors(500), cluster_neighbors(1000), cluster_neighbors(50_000)
    (15, 50, 100)
    """
    wanted = int(n_samples) // 10 - 50
    return int(min(CLUSTER_NEIGHBORS_MAX, max(CLUSTER_NEIGHBORS_MIN, wanted)))


def l2_normalize(X: np.ndarray) -> np.ndarray:
    """Rows of ``X`` scaled to unit length (zero rows stay zero).

    Examples
    --------
    >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1.0)


def exact_neighbours(X: np.ndarray, n_neighbors: int) -> tuple[np.ndarray, np.ndarray, None]:
    """Return the exact cosine neighbours of the rows of ``X``, as UMAP's ``precomputed_knn``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_dims)
    n_neighbors : int
        Neighbours per row, the row itself first (as UMAP counts them).

    Returns
    -------
    indices : ndarray of shape (n_samples, n_neighbors)
    distances : ndarray of shape (n_samples, n_neighbors)
        Cosine distances (1 - cosine similarity).
    None
        No search index (UMAP's ``transform`` is not available on such a model).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> exact_neighbours(X, 2)[0].tolist()
    [[0, 1], [1, 0], [2, 3], [3, 2]]
    """
    from sklearn.neighbors import NearestNeighbors

    Xf = l2_normalize(np.asarray(X, dtype=np.float32))
    nn = NearestNeighbors(n_neighbors=int(n_neighbors), metric="cosine", algorithm="brute")
    dist, idx = nn.fit(Xf).kneighbors(Xf)
    return idx, np.maximum(dist, 0.0).astype(np.float32), None


def _umap_neighbours(X: np.ndarray, n_neighbors: int, metric: str) -> dict[str, Any]:
    """UMAP's ``precomputed_knn`` argument where the exact search here is cheaper, else {}."""
    n = X.shape[0]
    if metric != "cosine" or not UMAP_EXACT_BELOW <= n <= EXACT_NEIGHBOURS_MAX:
        return {}
    return {"precomputed_knn": exact_neighbours(X, n_neighbors)}


def _fit_umap(model: Any, X: np.ndarray) -> np.ndarray:
    """Return ``model.fit_transform(X)``, without UMAP's note on neighbours given.

    Neighbours given without a search index leave UMAP unable to transform new data; new
    passages are placed by their neighbours among the fitted ones
    (:class:`~topiclab.models.layout.SamplePlacement`), not by UMAP.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", category=UserWarning)
        return model.fit_transform(X)


def _import_umap() -> Any:
    try:
        import umap
    except ImportError as exc:  # pragma: no cover - umap-learn is a hard dependency
        raise ImportError("UMAP reduction needs umap-learn: pip install umap-learn") from exc
    fork_safe_numba()
    cache_umap_kernels()
    return umap


def fork_safe_numba() -> str | None:
    """Run numba's parallel kernels on its ``workqueue`` threading layer.

    numba picks its OpenMP layer where the GNU OpenMP runtime is installed, and GNU OpenMP
    is not fork-safe: a process forked after UMAP or pynndescent ran in its parent stops
    itself ("Terminating: fork() called from a process already using GNU OpenMP"), so a
    stage fitted in a forked worker (``n_jobs``) after the clustering's UMAP was fitted
    again in the main process. ``workqueue`` survives a fork. Left as it is when
    ``NUMBA_THREADING_LAYER`` is set or a layer already runs in this process.

    Returns
    -------
    str or None
        The layer set, or ``None`` when it was left as it was.
    """
    import os

    if os.environ.get("NUMBA_THREADING_LAYER"):
        return None
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency of umap-learn
        return None
    try:
        numba.threading_layer()  # raises until a layer has been launched
        return None
    except ValueError:
        pass
    numba.config.THREADING_LAYER = "workqueue"
    return "workqueue"


_UMAP_MODULES = ("umap.umap_", "umap.layouts", "umap.utils", "umap.spectral", "umap.sparse")
_umap_kernels_cached = False


def cache_umap_kernels() -> int:
    """Keep umap-learn's compiled numba kernels on disk, so a process compiles them once.

    umap-learn compiles most of its kernels (the fuzzy neighbour graph, the layout's
    epochs) on first use in every process, without numba's disk cache: about 4 s of each
    UMAP fit in a fresh process, however few the points. This turns numba's cache on for
    them (``Dispatcher.enable_caching``; numba keeps the cache beside the module or, where
    that is read-only, in its user cache folder). Kernels already compiled in this
    process, or that numba cannot cache, are left as they are. The results are the same.

    Returns
    -------
    int
        How many kernels were switched to the disk cache by this call (0 after the first).
    """
    global _umap_kernels_cached
    if _umap_kernels_cached:
        return 0
    _umap_kernels_cached = True
    import importlib

    try:
        from numba.core.caching import FunctionCache
        from numba.core.registry import CPUDispatcher
    except ImportError:  # pragma: no cover - numba is a dependency of umap-learn
        return 0
    n = 0
    for name in _UMAP_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a module moved in another umap-learn
            continue
        for kernel in vars(module).values():
            if not isinstance(kernel, CPUDispatcher) or kernel.signatures:
                continue  # not a kernel, or already compiled here
            if isinstance(getattr(kernel, "_cache", None), FunctionCache):
                continue  # cached by umap-learn itself
            try:
                kernel.enable_caching()
            except Exception as exc:  # no writable cache folder: compile as before
                logger.debug("numba cannot cache %s.%s: %s", name, kernel.__name__, exc)
                continue
            n += 1
    logger.debug("numba disk cache on for %d umap-learn kernels", n)
    return n


def _reduce(
    X: np.ndarray,
    reducer: str | None,
    n_components: int,
    n_neighbors: int,
    metric: str,
    seed: int,
    progress: bool = False,
) -> tuple[np.ndarray, Any, str]:
    """Reduced coordinates, the fitted reducer (or None) and the name of what was used.

    No reduction when ``reducer`` is None or the data already have at most
    ``n_components`` dimensions. UMAP is replaced by PCA when there are fewer than
    ``UMAP_MIN_SAMPLES`` samples or no more than ``n_components + 2`` (too few for its
    neighbour graph and spectral layout), and its ``n_neighbors`` is shrunk to
    ``max(2, n // 3)`` when ``n < 3 * n_neighbors``.
    """
    n, d = X.shape
    if reducer is None or d <= n_components or n < 2:
        return X, None, "none"
    use_umap = reducer == "umap" and n >= UMAP_MIN_SAMPLES and n > n_components + 2
    if use_umap:
        umap = _import_umap()
        nn = n_neighbors if n >= 3 * n_neighbors else max(2, n // 3)
        model = umap.UMAP(
            n_neighbors=int(nn),
            n_components=int(n_components),
            metric=metric,
            min_dist=0.0,
            random_state=seed,
            n_jobs=1,
            tqdm_kwds=umap_tqdm_kwds(progress, n),
            **_umap_neighbours(X, int(nn), metric),
        )
        Z = _fit_umap(model, X)
        return np.asarray(Z, dtype=np.float64), model, "umap"
    if reducer == "umap":
        logger.info("%d samples are too few for UMAP; reducing with PCA instead", n)
    k = int(min(n_components, n - 1, d))
    model = PCA(n_components=k, random_state=seed)
    return model.fit_transform(X), model, "pca"


class Reducer(TransformerMixin, BaseEstimator):
    """Reduce embeddings before clustering: UMAP, PCA, or nothing.

    Parameters
    ----------
    method : {"umap", "pca"} or None, default="umap"
        ``None`` returns the input unchanged. UMAP falls back to PCA below
        ``UMAP_MIN_SAMPLES`` (10) samples or with no more than ``n_components + 2``.
    n_components : int, default=5
        Dimensions of the reduced space (no reduction when the input has at most this many).
    n_neighbors : int, default=15
        UMAP neighbourhood size; shrunk to ``max(2, n // 3)`` when ``n < 3 * n_neighbors``.
    metric : str, default="cosine"
        Metric of the UMAP neighbour graph.
    random_state : int or None, default=None
        Seed of UMAP / PCA.
    progress : bool, default=False
        Show a bar over UMAP's layout epochs for large inputs
        (:func:`topiclab.progress.show_progress`).

    Attributes
    ----------
    model_ : object or None
        The fitted UMAP or PCA model (None when nothing was fitted).
    reduction_ : str
        ``"umap"``, ``"pca"`` or ``"none"``: what ran.
    n_neighbors_ : int or None
        The neighbourhood UMAP used (after shrinking for small inputs); None without UMAP.
    embedding_ : ndarray of shape (n_samples, n_components)
        The reduced training samples.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(8, 6))
    >>> Reducer(method="pca", n_components=2, random_state=0).fit_transform(X).shape
    (8, 2)
    """

    def __init__(
        self,
        method: str | None = "umap",
        n_components: int = 5,
        n_neighbors: int = 15,
        metric: str = "cosine",
        random_state: int | None = None,
        progress: bool = False,
    ) -> None:
        self.method = method
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.random_state = random_state
        self.progress = progress

    def fit(self, X: Any, y: None = None) -> Reducer:
        """Fit the reduction on ``X`` of shape (n_samples, n_dims)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: None = None, **fit_params: Any) -> np.ndarray:
        """Fit on ``X`` and return the reduced training samples (``embedding_``)."""
        if self.method not in ("umap", "pca", None):
            raise ValueError(f"method must be 'umap', 'pca' or None, got {self.method!r}")
        X = check_array(X, dtype=np.float64)
        seed = self.random_state
        if seed is None or not isinstance(seed, int | np.integer):
            seed = int(check_random_state(seed).randint(_MAX_SEED))
        Z, self.model_, self.reduction_ = _reduce(
            X,
            self.method,
            int(self.n_components),
            int(self.n_neighbors),
            self.metric,
            int(seed),
            bool(getattr(self, "progress", False)),
        )
        self.n_features_in_ = X.shape[1]
        self.embedding_ = Z
        self.n_neighbors_ = int(self.model_.n_neighbors) if self.reduction_ == "umap" else None
        return Z

    def transform(self, X: Any) -> np.ndarray:
        """Reduce new samples with the fitted model."""
        check_is_fitted(self, "reduction_")
        X = check_array(X, dtype=np.float64)
        if self.model_ is None:
            return X
        return np.asarray(self.model_.transform(X), dtype=np.float64)


#: Above this many rows umap-learn lays out in ``UMAP_LARGE_EPOCHS`` epochs (500 below).
UMAP_LARGE_ROWS = 10_000
UMAP_LARGE_EPOCHS = 200


def reduce_2d(
    X: Any,
    random_state: int | np.random.RandomState | None = None,
    *,
    n_neighbors: int = 15,
    metric: str = "cosine",
    min_dist: float = 0.1,
    progress: bool = False,
    precomputed_knn: tuple[Any, Any, Any] | None = None,
    layout_sample: int | None = None,
    sample_keys: Any = None,
    n_epochs: int | None = None,
) -> np.ndarray:
    """Two-dimensional coordinates of embeddings, for maps.

    UMAP (``min_dist`` keeps points apart for readability) from ``UMAP_MIN_SAMPLES``
    samples; PCA below that; zeros for a single sample.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_dims)
    random_state : int, RandomState instance or None
        Seed for UMAP/PCA.
    n_neighbors : int, default=15
        UMAP neighbourhood size (shrunk for small inputs).
    metric : str, default="cosine"
    min_dist : float, default=0.1
    progress : bool, default=False
        Show a bar over UMAP's layout epochs for large inputs.
    precomputed_knn : tuple, optional
        ``(indices, distances, search_index)`` of the cosine neighbours of the rows of
        ``X`` (for instance the clustering's UMAP graph): UMAP skips its own neighbour
        search. Ignored unless it has one row per sample and exactly the neighbours the
        map uses: the map searches its own neighbours rather than take the nearest of a
        wider graph, so it keeps its own neighbourhood (the search cost 0.8 s of CPU for
        11,900 passages,
        ``benchmarks/results/cluster_neighbours_run_20ng_6000_fast_final.txt``).
    layout_sample : int or None, optional
        Above this many samples, UMAP lays out a hashed sample of about this many
        (:func:`topiclab.models.layout.sample_mask` of ``sample_keys``, row numbers by
        default) and the other rows are placed from their 15 most similar sample rows
        (:class:`~topiclab.models.layout.SamplePlacement`).
    sample_keys : sequence of str, optional
        One key per row (passage texts): UMAP takes the rows in the order of the keys' hashes
        (:func:`topiclab.models.layout.hash_order`), so the map does not depend on the
        order of the input; they also choose the sample of ``layout_sample``.
    n_epochs : int, optional
        UMAP's layout epochs; by default umap-learn's choice for the rows it lays out
        (500 up to 10,000, 200 above), except that a sample standing for more than
        10,000 rows is laid out with the 200 epochs of the whole (2.0 s instead of 4.7 s
        for a 5,000-passage sample of 20 Newsgroups).

    Returns
    -------
    ndarray of shape (n_samples, 2)

    Examples
    --------
    >>> import numpy as np
    >>> reduce_2d(np.random.default_rng(0).normal(size=(5, 8)), random_state=0).shape
    (5, 2)
    """
    X = check_array(X, dtype=np.float64)
    n, d = X.shape
    if sample_keys is not None or (layout_sample is not None and n > layout_sample):
        from topiclab.models.layout import SamplePlacement, hash_order, sample_mask

        keys = [str(i) for i in range(n)] if sample_keys is None else list(sample_keys)
        if len(keys) != n:
            raise ValueError(f"sample_keys has {len(keys)} entries for {n} samples")
        rows = hash_order(keys)  # the map does not depend on the input's order
        if layout_sample is not None and n > layout_sample:
            mask = sample_mask(keys, int(layout_sample))
            if int(mask.sum()) >= 2 * UMAP_MIN_SAMPLES:
                rows = rows[mask[rows]]
        knn = precomputed_knn if len(rows) == n else None
        if knn is not None:  # the graph's rows, in the new order
            where = np.empty(n, dtype=np.intp)
            where[rows] = np.arange(n)
            knn = (where[np.asarray(knn[0])[rows]], np.asarray(knn[1])[rows], None)
        if n_epochs is None and len(rows) < n and n > UMAP_LARGE_ROWS:
            n_epochs = UMAP_LARGE_EPOCHS  # what umap-learn runs for the whole corpus
        part = reduce_2d(
            X[rows],
            random_state,
            n_neighbors=n_neighbors,
            metric=metric,
            min_dist=min_dist,
            progress=progress,
            precomputed_knn=knn,
            n_epochs=n_epochs,
        )
        out = np.empty((n, 2))
        if len(rows) < n:
            out = SamplePlacement().fit(X[rows], part).transform(X)
        out[rows] = part
        return out
    seed = int(check_random_state(random_state).randint(_MAX_SEED))
    if metric == "cosine":
        X = l2_normalize(X)
    out = np.zeros((n, 2))
    if n < 2:
        return out
    if n >= UMAP_MIN_SAMPLES and n > 4:
        umap = _import_umap()
        nn = min(int(n_neighbors), n - 1) if n >= 3 * n_neighbors else max(2, n // 3)
        extra: dict[str, Any] = {}
        if (
            precomputed_knn is not None
            and metric == "cosine"
            and len(precomputed_knn[0]) == n
            and np.asarray(precomputed_knn[1]).shape[1] == nn
        ):
            extra["precomputed_knn"] = tuple(precomputed_knn)
        else:
            extra = _umap_neighbours(X, nn, metric)
        model = umap.UMAP(
            n_neighbors=nn,
            n_components=2,
            metric=metric,
            min_dist=min_dist,
            random_state=seed,
            n_jobs=1,
            n_epochs=n_epochs,
            tqdm_kwds=umap_tqdm_kwds(progress, n, desc="UMAP map"),
            **extra,
        )
        return np.asarray(_fit_umap(model, X), dtype=np.float64)
    k = min(2, n - 1, d)
    out[:, :k] = PCA(n_components=k, random_state=seed).fit_transform(X)
    return out
