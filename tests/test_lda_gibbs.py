"""The collapsed-Gibbs LDA backend and the LDA view's fitting options."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from topiclab.models import LDA, GibbsLDA

pytest.importorskip("tomotopy")

N_TOPICS, WORDS_PER_TOPIC, N_SHARED = 4, 30, 20


def planted_counts(n_docs: int, doc_len: int, seed: int):
    """Documents drawn from N_TOPICS topics with disjoint vocabularies plus shared words."""
    import scipy.sparse as sp

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


@pytest.fixture(scope="module")
def planted():
    return planted_counts(n_docs=160, doc_len=50, seed=3)


def test_gibbs_recovers_planted_topics(planted):
    X, labels = planted
    lda = GibbsLDA(n_components=N_TOPICS, iterations=200, random_state=0).fit(X)
    assert adjusted_rand_score(labels, lda.transform(X).argmax(axis=1)) > 0.9
    top = lda.top_terms(10)
    overlap = np.array(
        [[len(set(top[k]) & planted_vocabulary(t)) for t in range(N_TOPICS)] for k in range(4)]
    )
    rows, cols = linear_sum_assignment(-overlap)
    assert overlap[rows, cols].min() >= 8


def test_gibbs_same_seed_same_topics_and_other_seed_differs(planted):
    X, _ = planted
    a = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=1).fit(X)
    b = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=1).fit(X)
    c = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=2).fit(X)
    assert np.array_equal(a.components_, b.components_)
    assert not np.array_equal(a.components_, c.components_)


def test_gibbs_state_round_trips_through_the_lda_loader(planted):
    X, _ = planted
    lda = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=0).fit(X)
    state, arrays = lda.get_state()
    restored = LDA.from_state(json.loads(json.dumps(state)), arrays)
    assert isinstance(restored, GibbsLDA)
    assert restored.get_params() == lda.get_params()
    assert np.array_equal(restored.transform(X), lda.transform(X))


def test_gibbs_term_count_cap_applies_to_fit_and_transform(planted):
    X, _ = planted
    burst = X.tolil(copy=True)
    burst[0, 0] = 500  # one document repeats one word
    burst = burst.tocsr()
    capped = burst.copy()
    capped.data = np.minimum(capped.data, 3)
    lda = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=0, max_term_count=3)
    lda.fit(burst)
    plain = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=0).fit(capped)
    assert np.array_equal(lda.components_, plain.components_)  # fitted on capped counts
    assert np.array_equal(lda.transform(burst), plain.transform(capped))
    uncapped = GibbsLDA(n_components=N_TOPICS, iterations=50, random_state=0).fit(burst)
    assert not np.array_equal(uncapped.components_, lda.components_)
    state, arrays = lda.get_state()
    restored = LDA.from_state(json.loads(json.dumps(state)), arrays)
    assert restored.max_term_count == 3
    assert np.array_equal(restored.transform(burst), lda.transform(burst))
    with pytest.raises(ValueError, match="max_term_count"):
        GibbsLDA(max_term_count=0).fit(X)
    with pytest.raises(ValueError, match="term_weight"):
        GibbsLDA(term_weight="tfidf").fit(X)


def test_gibbs_guided_topic_collects_its_seed_terms(planted):
    X, _ = planted
    seeds = [sorted(planted_vocabulary(2))[:3]]
    lda = GibbsLDA(n_components=N_TOPICS, iterations=100, seed_topics=seeds, random_state=0)
    lda.fit(X)
    assert set(lda.top_terms(10)[0]) <= planted_vocabulary(2)


def test_gibbs_rejects_bad_parameters(planted):
    X, _ = planted
    with pytest.raises(ValueError, match="alpha"):
        GibbsLDA(alpha="auto").fit(X)
    with pytest.raises(ValueError, match="iterations"):
        GibbsLDA(iterations=0).fit(X)


def test_document_mixture_reads_each_document_from_all_its_words(planted):
    import scipy.sparse as sp

    from topiclab.pipeline.lda_view import document_mixture

    X, labels = planted
    lda = GibbsLDA(n_components=N_TOPICS, iterations=100, random_state=0).fit(X)
    long_doc = 0
    other = int(np.flatnonzero(labels != labels[long_doc])[0])
    topic_long = int(lda.transform(X[long_doc]).argmax())
    topic_other = int(lda.transform(X[other]).argmax())
    assert topic_long != topic_other
    # document "d": one long passage of one topic and two two-word passages of another
    word = int(np.argmax(lda.components_[topic_other]))
    short = sp.csr_matrix(([2.0], ([0], [word])), shape=(1, X.shape[1]))
    passages = sp.vstack([X[long_doc], short, short]).tocsr()
    per_passage = lda.transform(passages).argmax(axis=1)
    assert per_passage.tolist() == [topic_long, topic_other, topic_other]
    mix = document_mixture(lda, passages, ["d", "d", "d"])
    assert mix.index.tolist() == ["d"] and mix.shape == (1, N_TOPICS)
    np.testing.assert_allclose(mix.to_numpy().sum(axis=1), 1.0)
    assert int(mix.to_numpy().argmax()) == topic_long  # all the words decide, not a vote


def test_document_counts_sum_passages_of_a_document():
    import scipy.sparse as sp

    from topiclab.pipeline.lda_view import document_counts

    X = sp.csr_matrix(np.array([[1, 0, 2], [0, 1, 0], [3, 0, 0], [0, 0, 5]]))
    D = document_counts(X, ["b", "a", "b", "c"]).toarray()
    assert D.tolist() == [[4, 0, 2], [0, 1, 0], [0, 0, 5]]


@pytest.mark.slow
@pytest.mark.parametrize(
    "options",
    [
        {"lda_backend": "gibbs", "lda_unit": "documents", "lda_restarts": 3},
        {"lda_backend": "gensim", "lda_unit": "passages", "lda_restarts": 2},
        {
            "lda_backend": "gibbs",
            "lda_unit": "documents",
            "lda_restarts": 1,
            "lda_seed_themes": True,
        },
    ],
)
def test_lda_view_options_keep_fit_predict_identity(seed_corpus, options):
    from topiclab.config import RunConfig
    from topiclab.pipeline import run

    result, model = run(seed_corpus, RunConfig(seed=0, progress=False, n_topics=4, **options))
    p = result.passages
    lda = model.transform_lda(p["text"].tolist(), p["lang"].tolist())
    assert lda.argmax(axis=1).tolist() == p["lda_topic"].tolist()
    selection = result.views["lda"].metrics["k_selection"]
    assert selection["backend"] == options["lda_backend"]
    vocabulary = selection["vocabulary"]  # the seed corpus: too few documents for a minimum
    assert vocabulary["min_documents"] == 1
    assert vocabulary["max_term_count"] == (10 if options["lda_backend"] == "gibbs" else None)
    assert selection["unit"] == options["lda_unit"]
    stability = result.views["lda"].metrics["seed_stability"]
    assert stability["n_runs"] == options["lda_restarts"]
    if options["lda_restarts"] > 1:
        assert -1.0 <= stability["mean_ari"] <= 1.0
    else:
        assert stability["mean_ari"] is None
    mixture = result.views["lda"].mixture
    assert mixture.index.tolist() == result.documents["doc_id"].tolist()
    np.testing.assert_allclose(mixture.to_numpy().sum(axis=1), 1.0, atol=1e-9)
    if options.get("lda_seed_themes"):  # one seeded topic per embedding theme at least
        assert len(result.topics) >= len(result.themes)


@pytest.mark.parametrize("name", ["n_topics", "n_themes"])
def test_more_topics_than_passages_is_refused_before_fitting(seed_corpus, name):
    from topiclab.config import RunConfig
    from topiclab.errors import CorpusError
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.stages import PrepareStage

    n = len(seed_corpus.passages)
    state = RunState(texts=[], langs=[], doc_ids=[], corpus=seed_corpus)
    with pytest.raises(CorpusError, match=f"{name}={n + 1} exceeds the {n} passages"):
        PrepareStage(RunConfig(**{name: n + 1}).section("prepare")).fit(state)
