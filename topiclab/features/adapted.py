"""Corpus-adapted fast embeddings: a seeded sample embedded by the teacher, the rest mapped.

MiniLM embeds about 17-20 texts/s on two CPU cores; a static model thousands, but its
themes are much weaker (a mean of word vectors loses what the transformer reads from
context). :class:`AdaptedEmbedder` spends the transformer's time on a small seeded sample
of the corpus only (by default 2 % of the distinct texts, at least 200 and at most
2,000) and learns, on that sample, a linear map from cheap features of a text into the
transformer's space:

* the static vectors distilled from the same transformer (:mod:`topiclab.features.static`),
* hashed TF-IDF of the text's words and word pairs (the corpus's own vocabulary: the
  words that name its themes, which a general model may barely separate).

The map is kernel ridge regression with a linear kernel on both feature blocks; its
penalty is chosen by generalised cross-validation on the sample (closed form, no refit),
and it is stored in primal form (one 384-dimensional vector per static dimension and per
hashed term seen in the sample), so new texts are mapped without the sample's features.
Sampled texts keep their true teacher vectors.

With ``corpus_components`` the output also carries the corpus's own latent semantic
directions: a truncated SVD of the same hashed TF-IDF (terms in at least
:data:`CORPUS_MIN_DF` texts), appended with weight ``corpus_weight`` to the mapped vector
(both parts of unit length). The map can only learn what its small sample shows; the
SVD sees every text. With 100 components, k-means on the fast-mode passages of three
labelled English corpora gained label ARI: 20 Newsgroups 0.252 to 0.268, AG News 0.580
to 0.615, HuffPost 0.080 to 0.102 (mean of two seeds;
``benchmarks/results/corpus_components.txt``).

With ``sample_chars`` the teacher also reads
the shortest other texts, shortest first, until that many characters are spent: a static
vector averages few words on a short text and is least reliable there, and the teacher
reads a short text fastest. On 3,000 multilingual_news items, with USE reading 10, 25 and
50 % of their characters, the themes kept 66.6, 73.8 and 88.6 % of USE's label ARI, and
63.6, 74.0 and 83.0 % when the same characters went to a random sample
(``benchmarks/results/multilingual_budget_news3000.txt``). A sample of more than 4,000
texts mapped from static vectors alone is fitted in primal form (:func:`ridge_primal_gcv`),
whose cost grows linearly with the sample. Teacher and static vectors go through
:class:`~topiclab.features.embed.SentenceEmbedder` and its on-disk cache, so no text is
embedded twice by either model.

The fitted map is plain arrays (:meth:`AdaptedEmbedder.get_state`), saved without pickle
with the rest of a model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "ADAPTED_MODEL",
    "CORPUS_MIN_DF",
    "MULTILINGUAL_ADAPTED_MODEL",
    "AdaptedEmbedder",
    "budget_sample",
    "choose_sample_size",
    "corpus_lsa",
    "ridge_gcv",
    "ridge_primal_gcv",
]

logger = logging.getLogger(__name__)

#: The built-in name of the corpus-adapted model (teacher MiniLM, static MiniLM features).
ADAPTED_MODEL = "minilm-adapted"
#: The same with USE multilingual as the teacher and its static model as the features.
MULTILINGUAL_ADAPTED_MODEL = "use-adapted"
_ALPHAS = tuple(float(a) for a in np.logspace(-3, 2, 11))
_FEATURES = ("both", "static", "tfidf")


def choose_sample_size(n_texts: int, fraction: float, min_size: int, max_size: int) -> int:
    """Return how many distinct texts the teacher embeds.

    ``fraction`` of the texts, at least ``min_size`` and at most ``max_size``, never more
    than the texts there are.

    Examples
    --------
    >>> choose_sample_size(100_000, 0.02, 200, 2_000)
    2000
    >>> choose_sample_size(5_000, 0.02, 200, 2_000), choose_sample_size(50, 0.02, 200, 2_000)
    (200, 50)
    """
    want = round(float(fraction) * int(n_texts))
    return int(min(int(n_texts), max(int(min_size), min(int(max_size), want))))


def _text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16]


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32, copy=False)


def ridge_gcv(
    K: np.ndarray, Y: np.ndarray, alphas: Sequence[float], *, return_loo: bool = False
) -> tuple[Any, ...]:
    """Solve kernel ridge ``(K + a I) A = Y`` with ``a`` chosen by leave-one-out error.

    The leave-one-out residuals of kernel ridge have a closed form from one eigen
    decomposition of ``K``, so every penalty is scored without refitting.

    Parameters
    ----------
    K : ndarray of shape (m, m)
        Kernel matrix of the sample (symmetric, positive semi-definite).
    Y : ndarray of shape (m, d)
        Targets (already centred).
    alphas : sequence of float
        Candidate penalties, relative to the mean of the kernel's diagonal.
    return_loo : bool, default False
        Also return the leave-one-out predictions at the chosen penalty.

    Returns
    -------
    A : ndarray of shape (m, d)
        Dual coefficients.
    alpha : float
        The chosen penalty (absolute).
    loo : float
        Its mean squared leave-one-out residual.
    loo_pred : ndarray of shape (m, d)
        Each row predicted without itself (only with ``return_loo``).
    """
    K = np.asarray(K, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    lam, Q = np.linalg.eigh((K + K.T) / 2.0)
    lam = np.clip(lam, 0.0, None)
    QtY = Q.T @ Y
    scale = float(np.mean(np.diag(K))) or 1.0
    best = (np.inf, 0.0)
    for rel in alphas:
        a = float(rel) * scale
        h = (Q**2) @ (lam / (lam + a))  # diagonal of the hat matrix
        resid = Y - Q @ ((lam / (lam + a))[:, None] * QtY)
        loo = float(np.mean((resid / np.maximum(1.0 - h, 1e-9)[:, None]) ** 2))
        if loo < best[0]:
            best = (loo, a)
    loo, a = best
    A = Q @ (QtY / (lam + a)[:, None])
    if not return_loo:
        return A, a, loo
    h = (Q**2) @ (lam / (lam + a))
    resid = Y - Q @ ((lam / (lam + a))[:, None] * QtY)
    return A, a, loo, Y - resid / np.maximum(1.0 - h, 1e-9)[:, None]


def ridge_primal_gcv(
    F: np.ndarray,
    Y: np.ndarray,
    alphas: Sequence[float],
    *,
    score_rows: np.ndarray | None = None,
) -> tuple[np.ndarray, float, float, np.ndarray, np.ndarray]:
    """Solve ridge ``(F'F + a I) W = F'Y`` with ``a`` chosen by leave-one-out error.

    The same fit as :func:`ridge_gcv` on the linear kernel ``F F'`` (``W = F' A``), from
    one eigen decomposition of the features' Gram matrix, so its cost grows with the rows
    only linearly: for samples of many more texts than feature dimensions.

    Parameters
    ----------
    F : ndarray of shape (m, p)
        Features of the sample.
    Y : ndarray of shape (m, d)
        Targets (already centred).
    alphas : sequence of float
        Candidate penalties, relative to the mean squared norm of the rows of ``F`` (the
        mean diagonal of ``F F'``, as in :func:`ridge_gcv`).
    score_rows : ndarray of int, optional
        Rows whose leave-one-out residuals score the penalties (default: all).

    Returns
    -------
    W : ndarray of shape (p, d)
        Primal coefficients.
    alpha : float
        The chosen penalty (absolute).
    loo : float
        Its mean squared leave-one-out residual on the scored rows.
    loo_pred : ndarray of shape (len(score_rows), d)
        The scored rows predicted without themselves.
    rows : ndarray of int
        The scored rows.
    """
    F = np.asarray(F, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    rows = np.arange(len(F)) if score_rows is None else np.asarray(score_rows, dtype=np.int64)
    lam, V = np.linalg.eigh(F.T @ F)
    lam = np.clip(lam, 0.0, None)
    B = V.T @ (F.T @ Y)  # the targets in the eigenbasis
    P = F[rows] @ V  # the scored rows in the eigenbasis
    scale = float(np.mean(np.sum(F * F, axis=1))) or 1.0
    best = (np.inf, 0.0)
    for rel in alphas:
        a = float(rel) * scale
        h = (P**2) @ (1.0 / (lam + a))  # diagonal of the hat matrix on the scored rows
        resid = Y[rows] - P @ (B / (lam + a)[:, None])
        loo = float(np.mean((resid / np.maximum(1.0 - h, 1e-9)[:, None]) ** 2))
        if loo < best[0]:
            best = (loo, a)
    loo, a = best
    W = V @ (B / (lam + a)[:, None])
    h = (P**2) @ (1.0 / (lam + a))
    resid = Y[rows] - F[rows] @ W
    return W, a, loo, Y[rows] - resid / np.maximum(1.0 - h, 1e-9)[:, None], rows


def budget_sample(
    lengths: np.ndarray, pick: np.ndarray, budget: int | None, max_size: int | None = None
) -> np.ndarray:
    """Add the shortest texts not in ``pick`` while their characters fit the budget.

    Parameters
    ----------
    lengths : ndarray of int
        Characters of each distinct text.
    pick : ndarray of int
        The random sample (always kept).
    budget : int or None
        Characters the teacher reads in all, the random sample's included (``None``: the
        random sample only).
    max_size : int, optional
        Texts in the sample at most (the random sample is kept whole).

    Returns
    -------
    ndarray of int
        Sorted indices of the sample.

    Examples
    --------
    >>> budget_sample(np.array([50, 3, 9, 4, 30]), np.array([0]), 62).tolist()
    [0, 1, 3]
    >>> budget_sample(np.array([50, 3, 9, 4, 30]), np.array([0]), 66).tolist()
    [0, 1, 2, 3]
    >>> budget_sample(np.array([50, 3, 9, 4, 30]), np.array([0]), 66, max_size=2).tolist()
    [0, 1]
    """
    pick = np.asarray(pick, dtype=np.int64)
    if budget is None:
        return np.sort(pick)
    lengths = np.asarray(lengths, dtype=np.int64)
    left = int(budget) - int(lengths[pick].sum())
    rest = np.setdiff1d(np.arange(len(lengths)), pick)
    rest = rest[np.argsort(lengths[rest], kind="stable")]  # shortest first, then by index
    take = rest[np.cumsum(lengths[rest]) <= left]
    if max_size is not None:
        take = take[: max(0, int(max_size) - len(pick))]
    return np.sort(np.concatenate([pick, take]))


#: Texts a hashed term must appear in to be one of the corpus components' columns ...
CORPUS_MIN_DF = 5
#: ... and the most frequent terms kept at most (the components are dense over them).
CORPUS_MAX_TERMS = 50_000


def corpus_lsa(
    counts: Any,
    n_components: int,
    *,
    min_df: int = CORPUS_MIN_DF,
    max_terms: int = CORPUS_MAX_TERMS,
    random_state: Any = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit latent semantic directions of a corpus on its hashed term counts.

    Parameters
    ----------
    counts : sparse matrix of shape (n_texts, n_columns)
        Term counts of the corpus's distinct texts.
    n_components : int
        Directions wanted (fewer when the corpus has fewer texts or terms).
    min_df : int, default :data:`CORPUS_MIN_DF`
        Texts a column must appear in (relaxed to 1 for a corpus too small for it).
    max_terms : int, default :data:`CORPUS_MAX_TERMS`
        Most frequent columns kept at most.
    random_state : int, RandomState or None, default 0
        Seed of the randomised SVD.

    Returns
    -------
    columns : ndarray of int64
        The columns kept, ascending.
    idf : ndarray of float32
        Their inverse document frequencies (smoothed, as scikit-learn's).
    components : ndarray of float32, shape (k, len(columns))
        The directions, in the space of unit-length sublinear TF-IDF rows; none (``k=0``)
        for fewer than three texts or terms.

    Examples
    --------
    >>> from scipy.sparse import csr_matrix
    >>> counts = csr_matrix(np.array([[2, 1, 0, 0], [1, 2, 0, 0], [0, 0, 3, 1], [0, 0, 1, 2]]))
    >>> cols, idf, comp = corpus_lsa(counts, 2, min_df=2)
    >>> cols.tolist(), comp.shape
    ([0, 1, 2, 3], (2, 4))
    """
    from sklearn.decomposition import TruncatedSVD

    counts = counts.tocsr()
    n_texts, n_columns = counts.shape
    df = np.bincount(counts.indices, minlength=n_columns)  # rows hold a column once
    if int((df >= min_df).sum()) < 2:
        min_df = 1
    cols = np.flatnonzero(df >= min_df)
    if len(cols) > max_terms:  # the most frequent; ties by column
        order = np.lexsort((cols, -df[cols]))
        cols = np.sort(cols[order[:max_terms]])
    idf = (np.log((1.0 + n_texts) / (1.0 + df[cols])) + 1.0).astype(np.float32)
    k = min(int(n_components), n_texts - 1, len(cols) - 1)
    if k < 1:  # too few texts or terms for a direction: none
        return cols.astype(np.int64), idf, np.zeros((0, len(cols)), dtype=np.float32)
    X = _sublinear_rows(counts[:, cols], idf)
    svd = TruncatedSVD(k, algorithm="randomized", random_state=random_state).fit(X)
    return cols.astype(np.int64), idf, svd.components_.astype(np.float32)


def _sublinear_rows(counts: Any, idf: np.ndarray) -> Any:
    """Unit-length rows of ``(1 + log tf) * idf`` from a CSR count matrix."""
    from sklearn.preprocessing import normalize

    X = counts.astype(np.float32, copy=True)
    np.log1p(X.data, out=X.data)
    X = X.multiply(idf[None, :]).tocsr()
    return normalize(X, norm="l2", copy=False)


#: Samples up to this size are fitted in dual (kernel) form, larger ones in primal form.
_DUAL_MAX = 4_000
#: Rows of a primal fit whose left-out residuals choose its penalty.
_PRIMAL_SCORED = 4_000


class AdaptedEmbedder(TransformerMixin, BaseEstimator):
    """Embed a seeded sample with a transformer and map every other text into its space.

    Parameters
    ----------
    teacher : str, default "minilm"
        The model whose vectors are learned (any :class:`SentenceEmbedder` model name).
    static : str or None, default "minilm-static"
        Static model whose vectors are one feature block (``None``: TF-IDF only).
        ``"minilm-context"`` (teacher ``"minilm"`` only): word-piece vectors read by the
        teacher in the sample's own texts (:mod:`topiclab.features.context_tokens`).
    sample_fraction : float, default 0.02
        Share of the distinct texts the teacher embeds.
    min_sample, max_sample : int, default 200, 2000
        Bounds on the random sample's size (:func:`choose_sample_size`).
    sample_chars : int or float, optional
        Characters of distinct text the teacher reads at most: after the random sample,
        the shortest other texts join it while their characters fit
        (:func:`budget_sample`). A float in (0, 1) is a share of the distinct texts'
        characters. ``None``: the random sample only. A sample of more than
        4,000 texts is fitted in primal form, which hashed TF-IDF's million columns do not
        allow: with ``features="both"`` or ``"tfidf"`` the sample stops at 4,000 texts.
    features : {"both", "static", "tfidf"}, default "both"
        Feature blocks of the map.
    tfidf_weight : float, default 0.5
        Weight of the TF-IDF block against the static block (both rows have unit norm).
    n_hash : int, default 2**20
        Hashed TF-IDF columns (words and word pairs).
    corpus_components : int, default 0
        Latent semantic directions of the corpus's own hashed TF-IDF appended to each
        vector (:func:`corpus_lsa`); 0: none, the output is the teacher's space alone.
    corpus_weight : float, default 1.0
        Length of the appended part against the mapped vector's (both unit length).
    alphas : sequence of float, optional
        Candidate ridge penalties, relative to the kernel's mean diagonal.
    long_text : {"chunk_mean", "truncate"}, default "chunk_mean"
        How the teacher embeds texts longer than its window.
    random_state : int, RandomState or None, default 0
        Seed of the sample.
    batch_size : int, default 32
        Teacher batch size.
    precision : {"auto", "float32"}, default "auto"
        Precision of the teacher's forward passes
        (:class:`~topiclab.features.embed.SentenceEmbedder`).
    normalize : bool, default True
        L2-normalise the output rows.
    cache : bool, default True
        Use the on-disk embedding cache for the teacher's and the static model's vectors.
    cache_dir : str or path, optional
        Cache folder; defaults to :func:`topiclab.paths.cache_dir`.
    progress : bool, default True
        Progress bar while the teacher embeds the sample.
    device : str, default "auto"
        Device of the teacher.

    Attributes
    ----------
    model_id_ : str
        The teacher, the static model and the sample size.
    dim_ : int
        Output dimensions (the teacher's, plus the corpus components).
    sample_size_ : int
        Texts the teacher embedded (the random sample and, with ``sample_chars``, the
        shortest texts).
    alpha_ : float
        Ridge penalty chosen on the sample.
    loo_cosine_ : float
        Mean cosine between left-out sample vectors and their mapped prediction (about
        how close mapped texts land to where the teacher would put them); on at most
        4,000 of them in a primal fit.
    identity_ : None
        Mapped vectors depend on the fitted corpus and are not cached.

    Examples
    --------
    >>> emb = AdaptedEmbedder(sample_fraction=0.02, random_state=0)  # doctest: +SKIP
    >>> X = emb.fit_transform(passages)  # doctest: +SKIP
    """

    #: Fitted on the corpus it embeds (the embed stage calls ``fit_transform``).
    fits_corpus = True

    def __init__(
        self,
        teacher: str = "minilm",
        static: str | None = "minilm-static",
        *,
        sample_fraction: float = 0.02,
        min_sample: int = 200,
        max_sample: int = 2000,
        sample_chars: float | None = None,
        features: str = "both",
        tfidf_weight: float = 0.5,
        n_hash: int = 2**20,
        corpus_components: int = 0,
        corpus_weight: float = 1.0,
        alphas: Sequence[float] | None = None,
        long_text: str = "chunk_mean",
        random_state: Any = 0,
        batch_size: int = 32,
        precision: str = "auto",
        normalize: bool = True,
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
        device: str = "auto",
    ) -> None:
        self.teacher = teacher
        self.static = static
        self.sample_fraction = sample_fraction
        self.min_sample = min_sample
        self.max_sample = max_sample
        self.sample_chars = sample_chars
        self.features = features
        self.tfidf_weight = tfidf_weight
        self.n_hash = n_hash
        self.corpus_components = corpus_components
        self.corpus_weight = corpus_weight
        self.alphas = alphas
        self.long_text = long_text
        self.random_state = random_state
        self.batch_size = batch_size
        self.precision = precision
        self.normalize = normalize
        self.cache = cache
        self.cache_dir = cache_dir
        self.progress = progress
        self.device = device

    # -- pieces ------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """The built-in name (read by code that asks which model embedded a run)."""
        if self.teacher == "use-multilingual":
            return MULTILINGUAL_ADAPTED_MODEL
        return ADAPTED_MODEL

    def _embedder(self, name: str, *, progress: bool) -> Any:
        from topiclab.features.embed import SentenceEmbedder

        return SentenceEmbedder(
            name,
            device=self.device,
            batch_size=self.batch_size,
            cache=self.cache,
            cache_dir=self.cache_dir,
            progress=progress,
            long_text=self.long_text,
            precision=getattr(self, "precision", "auto"),
        ).fit()

    def _contextual(self) -> bool:
        from topiclab.features.context_tokens import CONTEXT_MODEL

        return self.static == CONTEXT_MODEL

    def _context(self) -> Any:
        """Return the fitted word-piece vectors (rebuilt from the saved arrays once loaded)."""
        ctx = getattr(self, "_context_model", None)
        if ctx is None:
            from topiclab.features.context_tokens import ContextTokens

            ctx = ContextTokens(cache_dir=self.cache_dir, device=self.device)
            ctx.piece_ids_ = self.context_ids_
            ctx.piece_vectors_ = self.context_vectors_
            ctx.weights_ = self.context_weights_
            self._context_model = ctx
        return ctx

    def _uses(self) -> tuple[bool, bool]:
        return self.features in ("both", "static"), self.features in ("both", "tfidf")

    def _hasher(self) -> Any:
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(
            n_features=int(self.n_hash),
            ngram_range=(1, 2),
            stop_words="english",
            alternate_sign=False,
            norm=None,
            dtype=np.float32,
        )

    def _tfidf(self, counts: Any) -> Any:
        """Sublinear TF-IDF rows with unit norm from hashed counts."""
        return _sublinear_rows(counts.tocsr(), self.idf_)

    def _features(
        self, texts: list[str], first: np.ndarray | None = None, counts: Any = None
    ) -> tuple[np.ndarray | None, Any]:
        """Return the static and TF-IDF rows of the texts.

        When fitting, ``first`` holds the rows of the distinct texts (the static vectors'
        mean is taken over them) and ``counts`` their hashed counts, already computed.
        """
        use_static, use_tfidf = self._uses()
        S = T = None
        if use_static:
            base = self._context() if self._contextual() else self._static_emb()
            S = _unit(np.asarray(base.transform(texts), dtype=np.float32))
            if first is not None:  # fitting: the corpus's common direction
                self.static_mean_ = S[first].mean(axis=0)
            S = _unit(S - self.static_mean_)
        if use_tfidf:
            T = self._tfidf(self._hasher().transform(texts) if counts is None else counts)
        return S, T

    def _static_emb(self) -> Any:
        emb = getattr(self, "_static_model", None)
        if emb is None:
            emb = self._static_model = self._embedder(self.static, progress=False)
        return emb

    def _validate(self) -> None:
        from topiclab.errors import ConfigError

        if self.features not in _FEATURES:
            raise ConfigError(f"features must be one of {_FEATURES}, got {self.features!r}")
        if self.features != "tfidf" and not self.static:
            raise ConfigError(f"features={self.features!r} needs a static model, got None")
        if self._contextual():
            from topiclab.features.embed import canonical_model_name

            if not isinstance(self.teacher, str) or canonical_model_name(self.teacher) != "minilm":
                raise ConfigError(
                    f"static={self.static!r} reads word pieces with the bundled MiniLM: "
                    f"it needs teacher='minilm', got {self.teacher!r}"
                )
        if not 0.0 < float(self.sample_fraction) <= 1.0:
            raise ConfigError(f"sample_fraction must be in (0, 1], got {self.sample_fraction!r}")
        if self.sample_chars is not None:
            share = isinstance(self.sample_chars, float) and 0 < self.sample_chars < 1
            if not share and not (self.sample_chars >= 1):
                raise ConfigError(
                    "sample_chars must be a share in (0, 1) or a number of characters >= 1, "
                    f"got {self.sample_chars!r}"
                )
            if self._contextual():
                raise ConfigError(
                    f"sample_chars does not work with static={self.static!r}: its word "
                    "pieces are read in the sample, which the budget would make large"
                )
        n_corpus = self.corpus_components
        if isinstance(n_corpus, bool) or not isinstance(n_corpus, int | np.integer) or n_corpus < 0:
            raise ConfigError(f"corpus_components must be an integer >= 0, got {n_corpus!r}")
        if not np.isfinite(float(self.corpus_weight)) or float(self.corpus_weight) <= 0:
            raise ConfigError(f"corpus_weight must be a number > 0, got {self.corpus_weight!r}")
        if int(self.min_sample) < 2 or int(self.max_sample) < int(self.min_sample):
            raise ConfigError(
                f"need 2 <= min_sample <= max_sample, got {self.min_sample!r}, {self.max_sample!r}"
            )

    # -- fitting -----------------------------------------------------------------------
    def fit(self, X: Sequence[str], y: Any = None) -> AdaptedEmbedder:
        """Embed a seeded sample of the texts with the teacher and fit the map.

        Parameters
        ----------
        X : sequence of str
            The corpus's texts (passages).
        y : ignored

        Returns
        -------
        AdaptedEmbedder
            The fitted embedder.
        """
        self._fit(X)
        return self

    def fit_transform(self, X: Sequence[str], y: Any = None, **fit_params: Any) -> np.ndarray:
        """Fit on the texts and return their vectors (features computed once).

        Equal to ``fit(X).transform(X)``.
        """
        texts, S, T, L = self._fit(X)
        return self._predict(texts, S, T, L)

    def _fit(self, X: Sequence[str]) -> tuple[list[str], np.ndarray | None, Any, Any]:
        from topiclab.features.embed import _as_texts

        self._validate()
        stale = (*self._ARRAYS, "_static_model", "_context_model")
        for name in stale:  # nothing left from an earlier fit
            self.__dict__.pop(name, None)
        texts = _as_texts(X)
        if len(texts) < 2:
            raise ValueError(f"AdaptedEmbedder needs at least 2 texts to fit, got {len(texts)}")
        t0 = time.perf_counter()
        unique = list(dict.fromkeys(texts))
        m = choose_sample_size(
            len(unique), self.sample_fraction, int(self.min_sample), int(self.max_sample)
        )
        rng = check_random_state(self.random_state)
        pick = rng.choice(len(unique), size=m, replace=False)
        if self.sample_chars is not None:
            lengths = np.fromiter((len(t) for t in unique), dtype=np.int64, count=len(unique))
            # hashed TF-IDF has too many columns for the primal form: the kernel's size caps it
            cap = _DUAL_MAX if self._uses()[1] else None
            budget = self.sample_chars
            if isinstance(budget, float) and budget < 1:
                budget = round(budget * float(lengths.sum()))
            pick = budget_sample(lengths, pick, int(budget), max_size=cap)
            m = len(pick)
        pick = np.sort(pick)
        sample = [unique[i] for i in pick]
        teacher = self._embedder(self.teacher, progress=self.progress)
        t1 = time.perf_counter()
        Y = np.asarray(teacher.transform(sample), dtype=np.float32)
        teacher_s = time.perf_counter() - t1
        self.teacher_id_ = teacher.model_id_
        use_static, use_tfidf = self._uses()
        row: dict[str, int] = {}
        for i, t in enumerate(texts):
            row.setdefault(t, i)
        counts = ucounts = None
        n_corpus = int(self.corpus_components)
        position = {t: j for j, t in enumerate(unique)}
        of_text = np.array([position[t] for t in texts], dtype=np.int64)
        if use_tfidf or n_corpus:  # hashed once, for the distinct texts
            ucounts = self._hasher().transform(unique)
        if use_tfidf:
            from sklearn.feature_extraction.text import TfidfTransformer

            # document frequencies over the distinct texts
            tr = TfidfTransformer(sublinear_tf=True).fit(ucounts)
            self.idf_ = np.asarray(tr.idf_, dtype=np.float32)
            counts = ucounts[of_text]
        first = np.fromiter(row.values(), dtype=np.int64)
        if use_static and self._contextual():  # the teacher reads the sample's pieces
            from topiclab.features.context_tokens import ContextTokens

            t2 = time.perf_counter()
            ctx = ContextTokens(
                cache_dir=self.cache_dir, device=self.device, batch_size=self.batch_size
            ).fit(sample, unique)
            self.context_ids_ = ctx.piece_ids_
            self.context_vectors_ = ctx.piece_vectors_
            self.context_weights_ = ctx.weights_
            self._context_model = ctx
            logger.info(
                "Word pieces read in context: %d kinds in the sample (%.1f s)",
                len(ctx.piece_ids_),
                time.perf_counter() - t2,
            )
        S, T = self._features(texts, first=first, counts=counts)
        rows = np.array([row[t] for t in sample], dtype=np.int64)
        self.mean_ = Y.mean(axis=0)
        if m > _DUAL_MAX and use_static and not use_tfidf:
            Ss = S[rows].astype(np.float64)
            scored = np.sort(rng.choice(m, size=_PRIMAL_SCORED, replace=False))
            W, self.alpha_, _, loo, _ = ridge_primal_gcv(
                Ss, Y - self.mean_, self.alphas or _ALPHAS, score_rows=scored
            )
            self.static_map_ = W.astype(np.float32)
            Yl = Y[scored]
        else:
            Yl = Y
            loo = self._fit_dual(S, T, rows, Y, use_static, use_tfidf)
        # each sampled text mapped by the map fitted without it: a fit diagnostic
        loo = (loo + self.mean_).astype(np.float32)
        self.loo_cosine_ = float(np.mean(np.sum(_unit(loo) * _unit(Yl), axis=1)))
        self.sample_keys_ = np.frombuffer(b"".join(_text_key(t) for t in sample), dtype=np.uint8)
        self.sample_keys_ = self.sample_keys_.reshape(m, 16).copy()
        self.sample_vectors_ = Y
        self.sample_size_ = m
        L = None
        if n_corpus:
            t3 = time.perf_counter()
            cols, self.corpus_idf_, self.corpus_vectors_ = corpus_lsa(
                ucounts, n_corpus, random_state=rng
            )
            self.corpus_columns_ = cols
            L = self._corpus_rows(ucounts)[of_text]
            logger.info(
                "Corpus components: %d directions of %d hashed terms in %.1f s",
                L.shape[1],
                len(cols),
                time.perf_counter() - t3,
            )
        self.dim_ = int(Y.shape[1]) + (0 if L is None else int(L.shape[1]))
        self.identity_ = None
        self.model_id_ = (
            f"{self.teacher_id_} adapted on {m} sampled texts ({self.features} features"
            + (", word pieces read in context" if use_static and self._contextual() else "")
            + (f", {L.shape[1]} corpus components)" if L is not None else ")")
        )
        logger.info(
            "Adapted embedding: %d of %d distinct texts embedded by %s in %.1f s; map "
            "fitted (penalty %.3g, left-out cosine %.3f) in %.1f s in all",
            m,
            len(unique),
            self.teacher_id_,
            teacher_s,
            self.alpha_,
            self.loo_cosine_,
            time.perf_counter() - t0,
        )
        return texts, S, T, L

    def _fit_dual(
        self,
        S: np.ndarray | None,
        T: Any,
        rows: np.ndarray,
        Y: np.ndarray,
        use_static: bool,
        use_tfidf: bool,
    ) -> np.ndarray:
        """Fit the map in kernel form on the sample's rows; return its left-out predictions."""
        m = len(rows)
        w = float(self.tfidf_weight)
        K = np.zeros((m, m), dtype=np.float64)
        if use_static:
            Ss = S[rows].astype(np.float64)
            K += Ss @ Ss.T
        if use_tfidf:
            Ts = T[rows]
            K += (w * w) * (Ts @ Ts.T).toarray()
        A, self.alpha_, _, loo = ridge_gcv(
            K, Y - self.mean_, self.alphas or _ALPHAS, return_loo=True
        )
        if use_static:
            self.static_map_ = (Ss.T @ A).astype(np.float32)
        if use_tfidf:
            # one row per hashed term of the sample: the others map to zero
            cols = np.unique(Ts.indices).astype(np.int64)
            self.term_columns_ = cols
            self.term_map_ = np.asarray((Ts[:, cols].T @ A) * (w * w), dtype=np.float32)
        return loo

    # -- transforming ------------------------------------------------------------------
    def _corpus_rows(self, counts: Any) -> np.ndarray:
        """Return the corpus components of texts from their hashed counts."""
        rows = _sublinear_rows(counts.tocsr()[:, self.corpus_columns_], self.corpus_idf_)
        return np.asarray(rows @ self.corpus_vectors_.T, dtype=np.float32)

    def _predict(
        self, texts: list[str], S: np.ndarray | None, T: Any, L: np.ndarray | None = None
    ) -> np.ndarray:
        out = np.tile(self.mean_.astype(np.float32), (len(texts), 1))
        if S is not None:
            out += S @ self.static_map_
        if T is not None:
            sub = T[:, self.term_columns_]
            out += np.asarray(sub @ self.term_map_, dtype=np.float32)
        keys = {bytes(k): i for i, k in enumerate(self.sample_keys_)}
        for i, t in enumerate(texts):
            j = keys.get(_text_key(t))
            if j is not None:
                out[i] = self.sample_vectors_[j]
        out = np.nan_to_num(out, copy=False)
        if L is not None:  # both parts of unit length, the corpus's weighted
            w = np.float32(self.corpus_weight)
            out = np.hstack([_unit(out), w * _unit(np.nan_to_num(L, copy=False))])
        return _unit(out) if self.normalize else out

    def transform(self, X: Sequence[str]) -> np.ndarray:
        """Map texts into the teacher's space (sampled texts get the teacher's vectors).

        Parameters
        ----------
        X : sequence of str

        Returns
        -------
        ndarray of shape (n_texts, dim_), float32
        """
        from topiclab.features.embed import _as_texts

        check_is_fitted(self, "sample_vectors_")
        texts = _as_texts(X)
        if not texts:
            return np.empty((0, self.dim_), dtype=np.float32)
        counts = L = None
        if self._uses()[1] or hasattr(self, "corpus_vectors_"):
            counts = self._hasher().transform(texts)
        S, T = self._features(texts, counts=counts)
        if hasattr(self, "corpus_vectors_"):
            L = self._corpus_rows(counts)
        return self._predict(texts, S, T, L)

    # -- state -------------------------------------------------------------------------
    _ARRAYS = (
        "mean_",
        "static_mean_",
        "sample_keys_",
        "sample_vectors_",
        "static_map_",
        "term_columns_",
        "term_map_",
        "idf_",
        "context_ids_",
        "context_vectors_",
        "context_weights_",
        "corpus_columns_",
        "corpus_idf_",
        "corpus_vectors_",
    )

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Return plain parameters and fitted values, and the fitted arrays (no pickle)."""
        from topiclab._state import plain_values

        check_is_fitted(self, "sample_vectors_")
        params = self.get_params(deep=False)
        for key in ("teacher", "static"):  # a model object is saved as its name
            if params[key] is not None and not isinstance(params[key], str):
                obj = params[key]
                params[key] = str(getattr(obj, "model_id", None) or type(obj).__qualname__)
        if params["cache_dir"] is not None:
            params["cache_dir"] = os.fspath(params["cache_dir"])
        params = plain_values(params, owner="embedder")
        fitted = {
            "dim_": self.dim_,
            "sample_size_": self.sample_size_,
            "alpha_": float(self.alpha_),
            "loo_cosine_": float(self.loo_cosine_),
            "teacher_id_": self.teacher_id_,
            "model_id_": self.model_id_,
        }
        arrays = {k: np.asarray(getattr(self, k)) for k in self._ARRAYS if hasattr(self, k)}
        return {"kind": ADAPTED_MODEL, "params": params, "fitted": fitted}, arrays

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> AdaptedEmbedder:
        """Rebuild a fitted embedder from :meth:`get_state`'s output."""
        params = dict(state["params"])
        if params.get("alphas") is not None:
            params["alphas"] = tuple(params["alphas"])
        emb = cls(**params)
        for k, v in state["fitted"].items():
            setattr(emb, k, v)
        for k in cls._ARRAYS:
            if k in arrays:
                setattr(emb, k, np.asarray(arrays[k]))
        emb.identity_ = None
        return emb

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_static_model", None)
        state.pop("_context_model", None)
        return state
