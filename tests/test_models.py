"""Behaviour of the models on planted-theme synthetic data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import make_pipeline

from topiclab.models import LDA, EmbeddingClusterer, class_tfidf, reduce_2d, top_terms

N_TOPICS = 4
WORDS_PER_TOPIC = 30
N_SHARED = 20


# ---------------------------------------------------------------------- helpers
def planted_counts(
    n_docs: int = 200, doc_len: int = 60, seed: int = 0
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Documents drawn from N_TOPICS topics with disjoint vocabularies plus shared words."""
    rng = np.random.default_rng(seed)
    n_terms = N_TOPICS * WORDS_PER_TOPIC + N_SHARED
    labels = rng.integers(N_TOPICS, size=n_docs)
    X = np.zeros((n_docs, n_terms))
    for i, topic in enumerate(labels):
        p = np.zeros(n_terms)
        p[topic * WORDS_PER_TOPIC : (topic + 1) * WORDS_PER_TOPIC] = 0.85 / WORDS_PER_TOPIC
        p[N_TOPICS * WORDS_PER_TOPIC :] = 0.15 / N_SHARED
        X[i] = rng.multinomial(doc_len, p)
    return sp.csr_matrix(X), labels


def planted_vocabulary(topic: int) -> set[int]:
    return set(range(topic * WORDS_PER_TOPIC, (topic + 1) * WORDS_PER_TOPIC))


def sphere_blobs(
    sizes: tuple[int, ...], dim: int = 50, noise: int = 0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian blobs around random directions on the unit sphere (plus uniform noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    parts = [c + 0.1 * rng.normal(size=(m, dim)) for c, m in zip(centres, sizes, strict=True)]
    labels = [np.full(m, i) for i, m in enumerate(sizes)]
    if noise:
        parts.append(rng.normal(size=(noise, dim)))
        labels.append(np.full(noise, -1))
    X = np.vstack(parts)
    return X / np.linalg.norm(X, axis=1, keepdims=True), np.concatenate(labels), centres


def match(pred: np.ndarray, truth: np.ndarray) -> dict[int, int]:
    """Hungarian matching: planted label -> predicted label."""
    t_ids, p_ids = np.unique(truth), np.unique(pred)
    table = np.array([[np.sum((truth == t) & (pred == p)) for p in p_ids] for t in t_ids])
    rows, cols = linear_sum_assignment(table, maximize=True)
    return {int(t_ids[r]): int(p_ids[c]) for r, c in zip(rows, cols, strict=True)}


# --------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def corpus() -> tuple[sp.csr_matrix, np.ndarray]:
    return planted_counts()


@pytest.fixture(scope="module")
def lda(corpus) -> LDA:
    return LDA(N_TOPICS, random_state=0).fit(corpus[0])


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return sphere_blobs((40, 40, 40, 40))


@pytest.fixture(scope="module")
def noisy_blobs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return sphere_blobs((100, 100, 100), noise=20, seed=1)


# -------------------------------------------------------------------------- LDA
def test_lda_recovers_planted_topics(corpus, lda):
    X, truth = corpus
    theta = lda.transform(X)
    pred = theta.argmax(axis=1)
    assert adjusted_rand_score(truth, pred) >= 0.8
    assert lda.components_.shape == (N_TOPICS, X.shape[1])
    np.testing.assert_allclose(lda.components_.sum(axis=1), 1.0)
    top = lda.top_terms(10)
    for planted, found in match(pred, truth).items():
        assert len(set(top[found]) & planted_vocabulary(planted)) >= 9


def test_lda_same_seed_is_identical_and_other_seeds_recover(corpus, lda):
    X, truth = corpus
    again = LDA(N_TOPICS, random_state=0).fit(X)
    assert np.array_equal(again.components_, lda.components_)
    assert np.array_equal(again.transform(X), lda.transform(X))
    other = LDA(N_TOPICS, random_state=1).fit(X)
    assert adjusted_rand_score(truth, other.transform(X).argmax(axis=1)) >= 0.8


def test_lda_transform_rows_are_independent_of_the_batch(corpus, lda):
    X, _ = corpus
    full = lda.transform(X)
    idx = np.array([5, 3, 150, 0, 77])
    assert np.array_equal(lda.transform(X[idx]), full[idx])
    # chunksize also sets the row batches of transform
    rebatched = clone(lda).set_params(chunksize=7)
    rebatched.__dict__.update({k: v for k, v in vars(lda).items() if k.endswith("_")})
    np.testing.assert_allclose(rebatched.transform(X), full, atol=1e-12)


def test_lda_transform_agrees_with_gensim_inference(corpus, lda):
    from gensim.matutils import Sparse2Corpus

    X, _ = corpus
    gamma, _ = lda.model_.inference(list(Sparse2Corpus(X[:20], documents_columns=False)))
    gensim_theta = gamma / gamma.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(lda.transform(X[:20]), gensim_theta, atol=1e-3)


def test_lda_empty_document_gets_uniform_distribution(corpus, lda):
    X, _ = corpus
    with_empty = sp.vstack([X[:3], sp.csr_matrix((2, X.shape[1]))]).tocsr()
    theta = lda.transform(with_empty)
    np.testing.assert_allclose(theta[3:], 1.0 / N_TOPICS)
    assert not np.allclose(theta[:3], 1.0 / N_TOPICS)


def test_lda_guided_topics_land_in_requested_index(corpus):
    X, truth = corpus
    # topic 0 should hold planted theme 2 and topic 1 planted theme 0
    seeds = [[60, 61, 62, 63, 64], [0, 1, 2, 3, 4]]
    model = LDA(N_TOPICS, seed_topics=seeds, random_state=3).fit(X)
    pred = model.transform(X).argmax(axis=1)
    assert np.mean(pred[truth == 2] == 0) >= 0.95
    assert np.mean(pred[truth == 0] == 1) >= 0.95
    assert adjusted_rand_score(truth, pred) >= 0.8
    top = model.top_terms(10)
    assert len(set(top[0]) & planted_vocabulary(2)) >= 9
    assert len(set(top[1]) & planted_vocabulary(0)) >= 9
    assert model.eta_[0, 60] > model.eta_[1, 60]


def test_lda_minimum_probability_zeroes_small_weights(corpus):
    X, _ = corpus
    model = LDA(N_TOPICS, random_state=0, minimum_probability=0.2).fit(X)
    theta = model.transform(X)
    assert ((theta == 0) | (theta >= 0.2)).all()
    assert (theta == 0).any()
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)


def test_lda_multicore_recovers_planted_topics(corpus):
    X, truth = corpus
    model = LDA(N_TOPICS, workers=2, chunksize=50, passes=5, random_state=0).fit(X)
    assert type(model.model_).__name__ == "LdaMulticore"
    assert adjusted_rand_score(truth, model.transform(X).argmax(axis=1)) >= 0.8
    # with a single chunk there is nothing to schedule, so the fit is reproducible
    one_chunk = LDA(N_TOPICS, workers=2, passes=3, random_state=0)
    assert np.array_equal(one_chunk.fit(X).components_, clone(one_chunk).fit(X).components_)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"seed_topics": [[0], [1], [2], [3], [4]]}, "seed topics"),
        ({"seed_topics": [[10_000]]}, "outside"),
        ({"alpha": "auto", "workers": 2}, "auto"),
        ({"alpha": "flat"}, "alpha"),
        ({"seed_confidence": 1.5}, "seed_confidence"),
    ],
)
def test_lda_rejects_bad_parameters(corpus, params, message):
    with pytest.raises(ValueError, match=message):
        LDA(N_TOPICS, **params).fit(corpus[0])


def test_lda_rejects_negative_counts():
    with pytest.raises(ValueError, match="Negative"):
        LDA(2).fit(sp.csr_matrix(np.array([[1.0, -1.0], [0.0, 2.0]])))


def test_lda_in_a_pipeline_with_a_vectoriser():
    rng = np.random.default_rng(4)
    vocab = [["goal", "match", "league", "coach"], ["vote", "party", "election", "senate"]]
    docs, truth = [], []
    for i in range(60):
        theme = i % 2
        docs.append(" ".join(rng.choice(vocab[theme], size=12)))
        truth.append(theme)
    pipe = make_pipeline(CountVectorizer(), LDA(2, random_state=0))
    theta = pipe.fit_transform(docs)
    assert theta.shape == (60, 2)
    assert adjusted_rand_score(truth, theta.argmax(axis=1)) == 1.0


# -------------------------------------------------------------------- clusterer
@pytest.mark.parametrize("reducer", ["umap", "pca", None])
def test_clusterer_chooses_k_by_silhouette(blobs, reducer):
    X, truth, _ = blobs
    model = EmbeddingClusterer(reducer=reducer, random_state=0).fit(X)
    assert model.method_ == "silhouette"
    assert model.n_clusters_ == 4
    assert max(model.selection_scores_, key=model.selection_scores_.get) == 4
    assert adjusted_rand_score(truth, model.labels_) >= 0.9
    assert model.cluster_centers_.shape == (4, X.shape[1])
    np.testing.assert_allclose(np.linalg.norm(model.cluster_centers_, axis=1), 1.0)
    # below REDUCE_MIN_SAMPLES the silhouette search skips UMAP (PCA is still honoured)
    assert model.reduction_ == ("pca" if reducer == "pca" else "none")


def test_clusterer_with_given_k(blobs):
    X, truth, _ = blobs
    model = EmbeddingClusterer(n_clusters=4, random_state=0).fit(X)
    assert model.method_ == "kmeans"
    assert model.embedding_.shape == X.shape  # fewer than REDUCE_MIN_SAMPLES: no UMAP
    reduced = EmbeddingClusterer(n_clusters=4, reducer="pca", random_state=0).fit(X)
    assert reduced.embedding_.shape == (X.shape[0], 5)
    assert adjusted_rand_score(truth, reduced.labels_) >= 0.9
    assert adjusted_rand_score(truth, model.labels_) >= 0.9
    assert np.array_equal(model.predict(X), model.labels_)


def test_clusterer_labels_are_numbered_by_size():
    X, _, _ = sphere_blobs((15, 50, 30), seed=5)
    model = EmbeddingClusterer(n_clusters=3, reducer=None, random_state=0).fit(X)
    assert np.bincount(model.labels_).tolist() == [50, 30, 15]


def test_clusterer_hdbscan_path_on_larger_data(noisy_blobs):
    X, truth, _ = noisy_blobs
    model = EmbeddingClusterer(random_state=0).fit(X)
    assert model.method_ == "hdbscan"
    assert model.reduction_ == "umap"
    planted = truth >= 0
    assert adjusted_rand_score(truth[planted], model.labels_[planted]) >= 0.8
    assert (model.labels_ >= 0).all()
    assert np.array_equal(model.predict(X), model.labels_)


def test_clusterer_reassigns_outliers_to_nearest_centroid(noisy_blobs):
    X, truth, _ = noisy_blobs
    model = EmbeddingClusterer(method="hdbscan", reducer=None, random_state=0).fit(X)
    assert model.outliers_.sum() >= 10
    assert model.outliers_[truth < 0].mean() >= 0.75
    assert model.outliers_[truth >= 0].mean() <= 0.05
    assert (model.labels_ >= 0).all()
    sims = X[model.outliers_] @ model.cluster_centers_.T
    assert np.array_equal(model.labels_[model.outliers_], sims.argmax(axis=1))
    assert np.array_equal(model.predict(X), model.labels_)


def test_clusterer_can_keep_outliers(noisy_blobs):
    X, truth, _ = noisy_blobs
    model = EmbeddingClusterer(
        method="hdbscan", reducer=None, reassign_outliers=False, random_state=0
    ).fit(X)
    assert (model.labels_[model.outliers_] == -1).all()
    assert (model.labels_[~model.outliers_] >= 0).all()
    kept = ~model.outliers_
    assert np.array_equal(model.predict(X)[kept], model.labels_[kept])
    planted = truth >= 0
    assert adjusted_rand_score(truth[planted & kept], model.labels_[planted & kept]) >= 0.9


def test_clusterer_same_seed_identical_other_seed_recovers(blobs):
    X, truth, _ = blobs
    a = EmbeddingClusterer(random_state=3).fit(X)
    b = EmbeddingClusterer(random_state=3).fit(X)
    assert np.array_equal(a.labels_, b.labels_)
    assert np.array_equal(a.embedding_, b.embedding_)
    assert np.array_equal(a.cluster_centers_, b.cluster_centers_)
    assert np.array_equal(a.transform(X), b.transform(X))
    c = EmbeddingClusterer(random_state=11).fit(X)
    assert adjusted_rand_score(truth, c.labels_) >= 0.9


def test_clusterer_transform_is_soft_membership(blobs):
    X, _, _ = blobs
    sharp = EmbeddingClusterer(n_clusters=4, reducer=None, random_state=0).fit(X)
    soft = EmbeddingClusterer(n_clusters=4, reducer=None, temperature=1.0, random_state=0).fit(X)
    p_sharp, p_soft = sharp.transform(X), soft.transform(X)
    np.testing.assert_allclose(p_sharp.sum(axis=1), 1.0)
    assert np.array_equal(p_sharp.argmax(axis=1), sharp.predict(X))
    assert p_sharp.max(axis=1).mean() > p_soft.max(axis=1).mean()
    assert np.array_equal(sharp.fit_transform(X), sharp.fit(X).transform(X))


@pytest.mark.parametrize("n_clusters", [None, 5])
def test_clusterer_guided_seeds_land_in_requested_index(noisy_blobs, n_clusters):
    X, truth, centres = noisy_blobs
    order = [2, 0, 1] if n_clusters is None else [2, 0]
    model = EmbeddingClusterer(
        n_clusters=n_clusters, seed_embeddings=centres[order], random_state=0
    ).fit(X)
    assert model.method_ == "guided"
    for index, planted in enumerate(order):
        assert np.mean(model.labels_[truth == planted] == index) >= 0.95
    assert model.n_clusters_ == (3 if n_clusters is None else 5)


def test_clusterer_small_inputs():
    X, _, _ = sphere_blobs((3, 3), seed=2)
    model = EmbeddingClusterer(random_state=0).fit(X)
    assert model.reduction_ == "none"
    assert EmbeddingClusterer(method="hdbscan", random_state=0).fit(X).reduction_ == "pca"
    assert model.labels_.shape == (6,)
    assert np.array_equal(model.predict(X), model.labels_)
    single = EmbeddingClusterer(random_state=0).fit(X[:1])
    assert single.n_clusters_ == 1
    assert single.labels_.tolist() == [0]
    with pytest.raises(ValueError, match="n_clusters"):
        EmbeddingClusterer(n_clusters=10).fit(X)


def test_clusterer_rejects_seeds_of_the_wrong_width(blobs):
    X, _, _ = blobs
    with pytest.raises(ValueError, match="dimensions"):
        EmbeddingClusterer(seed_embeddings=np.ones((2, 3))).fit(X)


def test_reduce_2d_shapes_and_determinism(blobs):
    X, _, _ = blobs
    a = reduce_2d(X[:60], random_state=0)
    assert a.shape == (60, 2)
    assert np.array_equal(a, reduce_2d(X[:60], random_state=0))
    assert np.isfinite(a).all()
    assert reduce_2d(X[:5], random_state=0).shape == (5, 2)
    assert np.array_equal(reduce_2d(X[:1]), np.zeros((1, 2)))


# ----------------------------------------------------------------------- c-TF-IDF
def test_class_tfidf_ranks_a_unique_term_first():
    # term 0 only in class 0, term 3 only in class 1, terms 1-2 everywhere
    counts = sp.csr_matrix(
        np.array([[3, 2, 2, 0], [2, 2, 1, 0], [0, 2, 2, 3], [0, 1, 2, 2], [0, 2, 2, 0]])
    )
    labels = np.array([0, 0, 1, 1, 2])
    scores = class_tfidf(counts, labels)
    assert scores.shape == (3, 4)
    assert scores[0].argmax() == 0
    assert scores[1].argmax() == 3
    assert top_terms(scores[1], ["a", "b", "c", "d"], k=1) == [("d", scores[1, 3])]
    for options in ({"bm25_weighting": True}, {"reduce_frequent_words": True}):
        other = class_tfidf(counts, labels, **options)
        assert other[0].argmax() == 0
        assert other[1].argmax() == 3
        assert not np.allclose(other, scores)


def test_class_tfidf_matches_the_formula():
    counts = np.array([[1, 1, 0], [0, 2, 2]])
    scores = class_tfidf(counts, [0, 1])
    tf = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    avg_words = 3.0  # (2 + 4) / 2 classes
    freq = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(scores, tf * np.log1p(avg_words / freq))


def test_class_tfidf_handles_classes_without_rows_and_outliers():
    counts = np.array([[2, 0, 1], [0, 3, 1], [5, 5, 5]])
    scores = class_tfidf(counts, [0, 2, -1], n_classes=4)
    assert scores.shape == (4, 3)
    assert np.array_equal(scores[1], np.zeros(3))
    assert np.array_equal(scores[3], np.zeros(3))
    assert top_terms(scores[1], ["x", "y", "z"]) == []
    assert scores[0].argmax() == 0
    assert scores[2].argmax() == 1
    # a subset with no rows at all still gives a (K, V) zero matrix
    empty = class_tfidf(sp.csr_matrix((0, 3)), np.array([], dtype=int), n_classes=2)
    assert np.array_equal(empty, np.zeros((2, 3)))


def test_class_tfidf_rejects_bad_input():
    with pytest.raises(ValueError, match="labels"):
        class_tfidf(np.ones((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="out of range"):
        class_tfidf(np.ones((2, 2)), [0, 3], n_classes=2)


def test_top_terms_orders_excludes_and_limits():
    scores = np.array([0.2, 0.9, 0.0, 0.9, 0.5])
    names = ["a", "b", "c", "d", "e"]
    assert [t for t, _ in top_terms(scores, names, k=3)] == ["b", "d", "e"]
    assert [t for t, _ in top_terms(scores, names, k=10, exclude={"d"})] == ["b", "e", "a"]
    with pytest.raises(ValueError):
        top_terms(scores, names[:2])


def test_stripping_common_directions_keeps_centroids_in_the_input_space():
    from topiclab.models.cluster import EmbeddingClusterer, strip_common_directions

    rng = np.random.default_rng(0)
    common = rng.normal(size=16) * 5  # a large shared component, as averaged word vectors have
    X = (
        common
        + rng.normal(size=(3, 16))[rng.integers(3, size=90)]
        + 0.3 * rng.normal(size=(90, 16))
    )
    S = strip_common_directions(X / np.linalg.norm(X, axis=1, keepdims=True), 1)
    np.testing.assert_allclose(np.linalg.norm(S, axis=1), 1.0)
    assert abs(S.mean(axis=0)).max() < 0.2
    model = EmbeddingClusterer(n_clusters=3, reducer=None, strip_directions=1, random_state=0)
    model.fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.get_state()[0]["params"]["strip_directions"] == 1
