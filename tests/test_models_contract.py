"""The contract every topiclab model keeps: scikit-learn's checks plus our own rules."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from topiclab.models import LDA, EmbeddingClusterer, GibbsLDA

# No check is expected to fail: LDA declares ``positive_only`` and ``sparse`` input tags,
# so scikit-learn feeds it non-negative data and checks that negative data is refused.
SKLEARN_ESTIMATORS = [
    LDA(n_components=3, passes=2, random_state=0),
    GibbsLDA(n_components=3, iterations=20, random_state=0),
    EmbeddingClusterer(random_state=0),
    EmbeddingClusterer(n_clusters=3, reducer="pca", random_state=0),
]


@parametrize_with_checks(SKLEARN_ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _counts(seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    return sp.csr_matrix(rng.poisson(0.6, size=(60, 40)).astype(float))


def _embeddings(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16))
    return np.repeat(centres, 20, axis=0) + 0.3 * rng.normal(size=(60, 16))


CASES = [
    pytest.param(LDA(n_components=4, passes=3, random_state=7), _counts, id="lda"),
    pytest.param(GibbsLDA(n_components=4, iterations=30, random_state=7), _counts, id="gibbs"),
    pytest.param(EmbeddingClusterer(reducer="pca", random_state=7), _embeddings, id="cluster-auto"),
    pytest.param(
        EmbeddingClusterer(n_clusters=3, reducer=None, random_state=7),
        _embeddings,
        id="cluster-k",
    ),
]


@pytest.mark.parametrize(("estimator", "make_data"), CASES)
def test_fit_transform_equals_fit_then_transform(estimator, make_data):
    X = make_data()
    a = clone(estimator).fit_transform(X)
    b = clone(estimator).fit(X).transform(X)
    assert isinstance(a, np.ndarray)
    assert a.ndim == 2
    assert np.array_equal(a, b)


@pytest.mark.parametrize(("estimator", "make_data"), CASES)
def test_transform_is_a_distribution(estimator, make_data):
    X = make_data()
    theta = clone(estimator).fit(X).transform(X)
    assert theta.dtype == np.float64
    assert (theta >= 0).all()
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize(("estimator", "make_data"), CASES)
def test_same_seed_same_output(estimator, make_data):
    X = make_data()
    first = clone(estimator).fit(X)
    second = clone(estimator).fit(X)
    assert np.array_equal(first.transform(X), second.transform(X))


@pytest.mark.parametrize(("estimator", "make_data"), CASES)
def test_pickle_round_trip_keeps_transform(estimator, make_data):
    X = make_data()
    fitted = clone(estimator).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(restored.transform(X), fitted.transform(X))


@pytest.mark.parametrize(("estimator", "make_data"), CASES)
def test_unfitted_model_refuses_transform(estimator, make_data):
    with pytest.raises(NotFittedError):
        clone(estimator).transform(make_data())


@pytest.mark.parametrize(("estimator", "make_data"), CASES)
def test_constructor_only_stores(estimator, make_data):
    fresh = clone(estimator)
    assert not [k for k in vars(fresh) if k.endswith("_") and not k.startswith("_")]
    assert fresh.get_params() == estimator.get_params()


def test_importing_models_loads_no_heavy_dependency():
    code = (
        "import sys, topiclab.models\n"
        "heavy = [m for m in ('gensim', 'umap', 'torch', 'matplotlib', 'numba') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
