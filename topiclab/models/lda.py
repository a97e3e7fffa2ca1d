"""Latent Dirichlet allocation on a document-term count matrix, trained with gensim.

The estimator follows the scikit-learn contract: the constructor only stores its
arguments, :meth:`LDA.fit` validates them and trains a :class:`gensim.models.LdaModel`
on the sparse count matrix (without densifying it), and :meth:`LDA.transform` infers
document-topic distributions with a deterministic variational E-step, so that the output
is a pure function of the fitted model and the input rows.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import psi
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_non_negative, validate_data

from topiclab._state import plain_params

logger = logging.getLogger(__name__)

__all__ = ["LDA"]

_ALPHA_STRINGS = ("symmetric", "asymmetric", "auto")
_MAX_SEED = np.iinfo(np.int32).max
#: pseudo-count per token of the documents that start the topics with ``init="documents"``
INIT_DOCUMENT_WEIGHT = 5.0


def _dirichlet_expectation(alpha: np.ndarray) -> np.ndarray:
    """E[log theta] for theta ~ Dir(alpha), row-wise for a 2-D ``alpha``."""
    return psi(alpha) - psi(alpha.sum(axis=1, keepdims=True))


def _e_step(
    X: sp.csr_matrix,
    alpha: np.ndarray,
    exp_elog_beta: np.ndarray,
    max_iter: int,
    tol: float,
) -> np.ndarray:
    """Variational document-topic parameters ``gamma`` for the rows of ``X``.

    The update is the one of Hoffman et al.'s online LDA (and gensim's
    ``LdaModel.inference``), vectorised over documents. ``gamma`` starts at one for every
    topic instead of a random draw, and each document stops updating once its mean
    absolute change falls below ``tol``, so every row depends only on that row of ``X``.
    Empty rows are left at their starting value.
    """
    n_samples, n_topics = X.shape[0], exp_elog_beta.shape[0]
    gamma = np.ones((n_samples, n_topics))
    exp_elog_theta = np.exp(_dirichlet_expectation(gamma))
    beta_t = np.ascontiguousarray(exp_elog_beta.T)
    eps = np.finfo(np.float64).eps
    active = np.flatnonzero(np.diff(X.indptr) > 0)
    Xa = X[active]
    for _ in range(max_iter):
        if active.size == 0:
            break
        rows = np.repeat(np.arange(active.size), np.diff(Xa.indptr))
        theta_a = exp_elog_theta[active]
        phinorm = (theta_a[rows] * beta_t[Xa.indices]).sum(axis=1) + eps
        ratio = sp.csr_matrix((Xa.data / phinorm, Xa.indices, Xa.indptr), shape=Xa.shape)
        new_gamma = alpha + theta_a * np.asarray(ratio @ beta_t)
        change = np.abs(new_gamma - gamma[active]).mean(axis=1)
        gamma[active] = new_gamma
        exp_elog_theta[active] = np.exp(_dirichlet_expectation(new_gamma))
        keep = change >= tol
        active, Xa = active[keep], Xa[keep]
    return gamma


class LDA(TransformerMixin, BaseEstimator):
    """Latent Dirichlet allocation backed by :class:`gensim.models.LdaModel`.

    Parameters
    ----------
    n_components : int, default=10
        Number of topics ``K``.
    alpha : {"symmetric", "asymmetric", "auto"} or float, default="symmetric"
        Document-topic prior, as in gensim. ``"auto"`` learns an asymmetric prior and is
        only available with ``workers=1``.
    eta : float or None, default=None
        Topic-word prior; ``None`` means ``1 / n_components``. With ``seed_topics`` it is
        the base value of the prior matrix.
    passes : int, default=10
        Passes over the corpus during training.
    iterations : int, default=100
        Maximum variational iterations per document (training and :meth:`transform`).
    chunksize : int, default=2000
        Documents per training chunk; also the row batch used by :meth:`transform`.
    workers : int, default=1
        ``1`` trains with :class:`gensim.models.LdaModel` in this process and is
        deterministic for a given ``random_state``. ``workers > 1`` uses
        :class:`gensim.models.LdaMulticore` with that many worker processes; gensim
        distributes chunks to workers as they become free, so repeated fits may differ
        slightly even with the same seed (they are reproducible when the corpus fits in one
        chunk, ``chunksize >= n_samples``).
    seed_topics : sequence of sequences of int, optional
        Guided topics: ``seed_topics[k]`` lists column indices of terms that should anchor
        topic ``k``. At most ``n_components`` lists.
    seed_confidence : float in [0, 1], default=0.8
        Strength of the guidance. For a seed term ``w`` of topic ``k`` the topic-word prior
        becomes ``eta + seed_confidence * count(w)`` in topic ``k`` (``count(w)`` being the
        term's total count in the training matrix) and ``eta * (1 - seed_confidence)`` in
        every other topic.
    random_state : int, RandomState instance or None, default=None
        Seed for training; derived seeds are handed to gensim.
    init : {"documents", "random"}, default="documents"
        Initial topic-word state. ``"random"`` is gensim's near-uniform random start.
        ``"documents"`` adds to it the term counts (times ``INIT_DOCUMENT_WEIGHT``) of one
        training document per topic, chosen by k-means++ sampling on cosine distance, so
        that the first pass starts from distinct themes; this makes merged topics (a
        common local optimum of online LDA) much rarer. Guided topics are always started
        from their seed terms.
    minimum_probability : float, default=0.0
        Topic probabilities below this value are set to zero in :meth:`transform` (and the
        row renormalised); also passed to gensim's ``get_document_topics``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Topic-word probabilities; each row sums to one.
    exp_dirichlet_component_ : ndarray of shape (n_components, n_features)
        ``exp(E[log beta])``, used by the E-step of :meth:`transform`.
    alpha_ : ndarray of shape (n_components,)
        The document-topic prior after training (learned when ``alpha="auto"``).
    eta_ : ndarray of shape (n_components, n_features)
        The topic-word prior matrix used for training.
    model_ : gensim.models.LdaModel
        The trained gensim model.
    gamma_threshold_ : float
        Convergence threshold of the per-document E-step in :meth:`transform`.
    n_features_in_ : int
        Number of terms (columns) seen in :meth:`fit`.

    Notes
    -----
    :meth:`transform` does not use gensim's randomly initialised inference: it starts every
    document from the same variational state and runs the same fixed-point update, so its
    output is reproducible and each row depends only on that row of the input. Empty
    documents get the uniform distribution.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> counts = sp.csr_matrix(np.random.default_rng(0).poisson(1.0, size=(20, 30)))
    >>> lda = LDA(n_components=3, passes=2, random_state=0).fit(counts)
    >>> lda.components_.shape
    (3, 30)
    >>> theta = lda.transform(counts)
    >>> bool(np.allclose(theta.sum(axis=1), 1.0))
    True
    """

    def __init__(
        self,
        n_components: int = 10,
        *,
        alpha: str | float = "symmetric",
        eta: float | None = None,
        passes: int = 10,
        iterations: int = 100,
        chunksize: int = 2000,
        workers: int = 1,
        seed_topics: Sequence[Sequence[int]] | None = None,
        seed_confidence: float = 0.8,
        random_state: int | np.random.RandomState | None = None,
        init: str = "documents",
        minimum_probability: float = 0.0,
    ) -> None:
        self.n_components = n_components
        self.alpha = alpha
        self.eta = eta
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.workers = workers
        self.seed_topics = seed_topics
        self.seed_confidence = seed_confidence
        self.random_state = random_state
        self.init = init
        self.minimum_probability = minimum_probability

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.requires_fit = True
        return tags

    # ------------------------------------------------------------------ helpers
    def _check_params(self) -> None:
        def positive_int(name: str, value: Any) -> None:
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")

        positive_int("n_components", self.n_components)
        positive_int("passes", self.passes)
        positive_int("iterations", self.iterations)
        positive_int("chunksize", self.chunksize)
        positive_int("workers", self.workers)
        if isinstance(self.alpha, str):
            if self.alpha not in _ALPHA_STRINGS:
                raise ValueError(
                    f"alpha must be one of {_ALPHA_STRINGS} or a float, got {self.alpha!r}"
                )
            if self.alpha == "auto" and self.workers > 1:
                raise ValueError(
                    "alpha='auto' is not supported with workers > 1 (gensim LdaMulticore)"
                )
        elif not isinstance(self.alpha, numbers.Real) or self.alpha <= 0:
            raise ValueError(f"alpha must be a positive float or a string, got {self.alpha!r}")
        if self.eta is not None and (not isinstance(self.eta, numbers.Real) or self.eta <= 0):
            raise ValueError(f"eta must be None or a positive float, got {self.eta!r}")
        if self.init not in ("documents", "random"):
            raise ValueError(f"init must be 'documents' or 'random', got {self.init!r}")
        if not 0.0 <= float(self.seed_confidence) <= 1.0:
            raise ValueError(f"seed_confidence must lie in [0, 1], got {self.seed_confidence!r}")
        if not 0.0 <= float(self.minimum_probability) < 1.0:
            raise ValueError(
                f"minimum_probability must lie in [0, 1), got {self.minimum_probability!r}"
            )

    def _seed_lists(self, n_features: int) -> list[np.ndarray]:
        if self.seed_topics is None:
            return []
        seeds = [np.asarray(list(terms), dtype=np.int64) for terms in self.seed_topics]
        if len(seeds) > self.n_components:
            raise ValueError(f"{len(seeds)} seed topics given but n_components={self.n_components}")
        for k, terms in enumerate(seeds):
            if terms.size and (terms.min() < 0 or terms.max() >= n_features):
                raise ValueError(f"seed_topics[{k}] holds a term index outside [0, {n_features})")
        return seeds

    def _prior_matrix(self, X: sp.csr_matrix, seeds: list[np.ndarray]) -> np.ndarray:
        """Return the (K, V) topic-word prior with guided topics boosted on their seed terms."""
        base = 1.0 / self.n_components if self.eta is None else float(self.eta)
        eta = np.full((self.n_components, X.shape[1]), base)
        confidence = float(self.seed_confidence)
        term_counts = np.asarray(X.sum(axis=0)).ravel()
        all_seeds = np.unique(np.concatenate(seeds)) if seeds else np.empty(0, dtype=np.int64)
        eta[:, all_seeds] = base * (1.0 - confidence)
        # a floor keeps the prior strictly positive, as a Dirichlet parameter must be
        np.maximum(eta, 1e-12, out=eta)
        for k, terms in enumerate(seeds):
            eta[k, terms] = base + confidence * np.maximum(term_counts[terms], 1.0)
        return eta

    def _document_initial_state(
        self, model: Any, X: sp.csr_matrix, topics: range, seed: int
    ) -> None:
        """Add one training document per topic in ``topics`` to the initial state.

        The documents are drawn by k-means++ sampling: the first uniformly, each next one
        with probability proportional to its squared cosine distance to the nearest
        document already drawn.
        """
        n = X.shape[0]
        if n == 0 or len(topics) == 0:
            return
        rng = check_random_state(seed)
        Xn = normalize(X, norm="l2", axis=1)

        def distance_to(i: int) -> np.ndarray:
            return np.maximum(1.0 - np.asarray((Xn @ Xn[i].T).todense()).ravel(), 0.0)

        n_trials = 2 + int(np.log(max(len(topics), 1)))
        sstats = model.state.sstats
        chosen = int(rng.randint(n))
        closest = distance_to(chosen)
        for k in topics:
            row = X[chosen]
            sstats[k, row.indices] += INIT_DOCUMENT_WEIGHT * row.data
            weights = closest**2
            total = weights.sum()
            if total <= 0:
                chosen = int(rng.randint(n))
                continue
            # greedy k-means++: of a few candidates, keep the one that lowers the potential most
            candidates = rng.choice(n, size=n_trials, p=weights / total)
            best = None
            for c in candidates:
                updated = np.minimum(closest, distance_to(int(c)))
                potential = float((updated**2).sum())
                if best is None or potential < best[0]:
                    best = (potential, int(c), updated)
            _, chosen, closest = best
        model.expElogbeta = np.exp(model.state.get_Elogbeta())

    def _seed_initial_state(self, model: Any, X: sp.csr_matrix, seeds: list[np.ndarray]) -> None:
        """Start each guided topic with pseudo-counts on its seed terms.

        The prior alone reaches the topic-word parameters only after the first E-step,
        which runs on the random initial state; placing the same boost in the initial
        sufficient statistics lets the first E-step already route documents that use a
        topic's seed terms to that topic.
        """
        confidence = float(self.seed_confidence)
        term_counts = np.asarray(X.sum(axis=0)).ravel()
        sstats = model.state.sstats
        all_seeds = np.unique(np.concatenate(seeds))
        sstats[:, all_seeds] *= 1.0 - confidence
        for k, terms in enumerate(seeds):
            sstats[k, terms] += confidence * np.maximum(term_counts[terms], 1.0)
        model.expElogbeta = np.exp(model.state.get_Elogbeta())

    # ---------------------------------------------------------------- estimator
    def fit(self, X: Any, y: None = None) -> LDA:
        """Train the topic model on a document-term count matrix.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative term counts, one row per document.
        y : None
            Ignored.

        Returns
        -------
        self : LDA
        """
        self._check_params()
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=True)
        X = sp.csr_matrix(X)
        check_non_negative(X, f"{type(self).__name__}.fit")
        seeds = self._seed_lists(X.shape[1])

        try:
            from gensim.matutils import Sparse2Corpus
            from gensim.models import LdaModel, LdaMulticore
            from gensim.utils import FakeDict
        except ImportError as exc:  # pragma: no cover - gensim is a hard dependency
            raise ImportError("LDA needs gensim: pip install gensim") from exc

        rng = check_random_state(self.random_state)
        train_seed, init_seed = (int(v) for v in rng.randint(_MAX_SEED, size=2))

        eta = self._prior_matrix(X, seeds)
        corpus = Sparse2Corpus(X, documents_columns=False)
        common: dict[str, Any] = {
            "num_topics": int(self.n_components),
            "id2word": FakeDict(X.shape[1]),
            "chunksize": int(self.chunksize),
            "passes": int(self.passes),
            "alpha": self.alpha if isinstance(self.alpha, str) else float(self.alpha),
            "eta": eta,
            "iterations": int(self.iterations),
            "eval_every": None,
            "random_state": train_seed,
            "minimum_probability": float(self.minimum_probability),
            "dtype": np.float64,
        }
        logger.info(
            "training LDA: %d documents, %d terms, %d topics, %d passes",
            X.shape[0],
            X.shape[1],
            self.n_components,
            self.passes,
        )
        if self.workers > 1:
            model = LdaMulticore(workers=int(self.workers), **common)
        else:
            model = LdaModel(**common)
        if seeds:
            self._seed_initial_state(model, X, seeds)
        if self.init == "documents":
            self._document_initial_state(model, X, range(len(seeds), self.n_components), init_seed)
        if X.shape[0] > 0:
            model.update(corpus)

        lam = np.asarray(model.state.get_lambda(), dtype=np.float64)
        self.model_ = model
        self.components_ = lam / lam.sum(axis=1, keepdims=True)
        self.exp_dirichlet_component_ = np.exp(_dirichlet_expectation(lam))
        self.alpha_ = np.asarray(model.alpha, dtype=np.float64).copy()
        self.eta_ = eta
        self.gamma_threshold_ = float(model.gamma_threshold)
        return self

    _STATE_ARRAYS = ("components_", "exp_dirichlet_component_", "alpha_", "eta_")

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Return the fitted state: JSON-able data and arrays (see :meth:`from_state`).

        Returns
        -------
        state : dict
            Parameters (an integer ``random_state`` kept, others dropped), guided topics,
            the inference threshold and the input width.
        arrays : dict of str to ndarray
            ``components_``, ``exp_dirichlet_component_``, ``alpha_`` and ``eta_``.
        """
        check_is_fitted(self, "components_")
        arrays = {n: np.asarray(getattr(self, n), dtype=np.float64) for n in self._STATE_ARRAYS}
        seeds = self.seed_topics
        state = {
            "estimator": type(self).__name__,
            "params": plain_params(self, drop=("seed_topics", "random_state")),
            "random_state": self.random_state if isinstance(self.random_state, int) else None,
            "seed_topics": None if seeds is None else [[int(i) for i in s] for s in seeds],
            "gamma_threshold": float(self.gamma_threshold_),
            "n_features_in_": int(self.n_features_in_),
        }
        return state, arrays

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> LDA:
        """Rebuild a fitted model from :meth:`get_state` output.

        Raises
        ------
        ValueError
            When the arrays' shapes do not fit together.
        """
        kind = state.get("estimator", "LDA")
        if kind != cls.__name__:
            from topiclab.models.lda_gibbs import GibbsLDA

            if kind != "GibbsLDA":
                raise ValueError(f"unknown LDA estimator {kind!r} in saved state")
            return GibbsLDA.from_state(state, arrays)
        lda = cls(
            **state["params"], random_state=state["random_state"], seed_topics=state["seed_topics"]
        )
        for name in cls._STATE_ARRAYS:
            setattr(lda, name, np.asarray(arrays[name], dtype=np.float64))
        lda.gamma_threshold_ = float(state["gamma_threshold"])
        lda.n_features_in_ = int(state["n_features_in_"])
        k, v = lda.components_.shape
        if lda.exp_dirichlet_component_.shape != (k, v) or lda.alpha_.shape != (k,):
            raise ValueError("LDA arrays have inconsistent shapes")
        return lda

    def _inference_iterations(self) -> int:
        """Maximum E-step iterations per document in :meth:`transform`."""
        return int(self.iterations)

    def transform(self, X: Any) -> np.ndarray:
        """Infer the topic distribution of each document.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative term counts over the vocabulary seen in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            Document-topic probabilities; rows sum to one. Empty documents get the
            uniform distribution.
        """
        check_is_fitted(self, "components_")
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=False)
        X = sp.csr_matrix(X)
        check_non_negative(X, f"{type(self).__name__}.transform")
        n_samples = X.shape[0]
        theta = np.empty((n_samples, self.n_components))
        for start in range(0, max(n_samples, 1), int(self.chunksize)):
            stop = min(start + int(self.chunksize), n_samples)
            if stop <= start:
                break
            gamma = _e_step(
                X[start:stop],
                self.alpha_,
                self.exp_dirichlet_component_,
                self._inference_iterations(),
                self.gamma_threshold_,
            )
            theta[start:stop] = gamma / gamma.sum(axis=1, keepdims=True)
        empty = np.diff(X.indptr) == 0
        theta[empty] = 1.0 / self.n_components
        if self.minimum_probability > 0:
            kept = np.where(theta >= self.minimum_probability, theta, 0.0)
            totals = kept.sum(axis=1, keepdims=True)
            theta = np.where(totals > 0, kept / np.where(totals > 0, totals, 1.0), theta)
        return theta

    def fit_transform(self, X: Any, y: None = None, **fit_params: Any) -> np.ndarray:
        """Fit the model and return the topic distribution of the training documents.

        Exactly ``self.fit(X).transform(X)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative term counts.
        y : None
            Ignored.
        **fit_params : dict
            Unused; accepted for scikit-learn compatibility.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        return self.fit(X).transform(X)

    def top_terms(self, k: int = 10) -> np.ndarray:
        """Column indices of the ``k`` most probable terms of each topic.

        Parameters
        ----------
        k : int, default=10

        Returns
        -------
        ndarray of shape (n_components, min(k, n_features))
            Term indices, most probable first.
        """
        check_is_fitted(self, "components_")
        order = np.argsort(-self.components_, axis=1, kind="stable")
        return order[:, :k]
