"""Cross-lingual LDA units: passages joined with their nearest passages in other languages."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topiclab.pipeline.lda_align import crosslingual_counts, crosslingual_neighbours

N_SUBJECTS, WORDS = 3, 15


def bilingual(n_per_subject: int, seed: int):
    """Sentences on N_SUBJECTS subjects, each written in 'en' and translated into 'ar'.

    The two languages have disjoint vocabularies (words of subject s in language l are
    their own columns); the embeddings place a sentence and its translation together.
    """
    rng = np.random.default_rng(seed)
    n_terms = 2 * N_SUBJECTS * WORDS
    rows, langs, subjects, embeddings = [], [], [], []
    for s in range(N_SUBJECTS):
        for _ in range(n_per_subject):
            point = np.eye(N_SUBJECTS)[s] + rng.normal(0, 0.3, N_SUBJECTS)
            for li, lang in enumerate(("en", "ar")):
                p = np.zeros(n_terms)
                lo = (li * N_SUBJECTS + s) * WORDS
                p[lo : lo + WORDS] = 1.0 / WORDS
                rows.append(rng.multinomial(12, p))
                langs.append(lang)
                subjects.append(s)
                embeddings.append(point + rng.normal(0, 0.01, N_SUBJECTS))
    return sp.csr_matrix(np.array(rows)), langs, np.array(subjects), np.array(embeddings)


def test_neighbours_are_the_translations_and_skip_the_own_language():
    X, langs, _, E = bilingual(10, seed=0)
    idx = crosslingual_neighbours(E, langs, 1)
    assert idx.shape == (X.shape[0], 1)
    # sentence i in 'en' sits at 2i, its translation at 2i + 1
    assert idx[0::2, 0].tolist() == list(range(1, X.shape[0], 2))
    assert idx[1::2, 0].tolist() == list(range(0, X.shape[0], 2))


def test_a_language_below_the_minimum_share_takes_no_part():
    E = np.random.default_rng(1).normal(size=(41, 4))
    langs = ["en"] * 40 + ["fr"]
    assert crosslingual_neighbours(E, langs, 2).shape == (41, 0)
    X = sp.csr_matrix(np.random.default_rng(2).poisson(1.0, size=(41, 6)))
    assert (crosslingual_counts(X, E, langs, 2) != X).nnz == 0


def test_one_language_or_no_embeddings_leaves_counts_unchanged():
    X, langs, _, E = bilingual(4, seed=3)
    assert crosslingual_counts(X, None, langs, 1) is X
    assert crosslingual_counts(X, E, ["en"] * len(langs), 1) is X
    assert crosslingual_counts(X, E, langs, 0) is X


def test_mutual_neighbours_do_not_lend_a_small_language_to_everyone():
    rng = np.random.default_rng(4)
    E = np.vstack([rng.normal(size=(20, 5)), rng.normal(size=(2, 5))])
    langs = ["en"] * 20 + ["ar"] * 2
    X = sp.csr_matrix(np.eye(22, dtype=np.int64))
    one_way = crosslingual_counts(X, E, langs, 1, mutual=False)
    mutual = crosslingual_counts(X, E, langs, 1)
    # one-way: every English row borrows an Arabic row; mutual: at most one per Arabic row
    assert (one_way[:20, 20:].sum(axis=1) > 0).all()
    assert int((mutual[:20, 20:].sum(axis=1) > 0).sum()) <= 2


def test_crosslingual_units_put_translations_in_one_topic():
    from topiclab.models import GibbsLDA

    pytest.importorskip("tomotopy")
    X, langs, _, E = bilingual(12, seed=5)
    joined = crosslingual_counts(X, E, langs, 1)
    lda = GibbsLDA(n_components=N_SUBJECTS, iterations=200, random_state=0).fit(joined)
    topics = lda.transform(joined).argmax(axis=1)
    assert (topics[0::2] == topics[1::2]).all()  # a sentence and its translation
    assert len(set(topics.tolist())) == N_SUBJECTS
    # plain LDA on the same counts cannot join the languages: no shared words
    plain = GibbsLDA(n_components=N_SUBJECTS, iterations=200, random_state=0).fit(X)
    plain_topics = plain.transform(X).argmax(axis=1)
    assert (plain_topics[0::2] == plain_topics[1::2]).mean() < 1.0


@pytest.mark.slow
def test_lda_view_with_neighbours_keeps_fit_predict_identity_and_saves_it(seed_corpus, tmp_path):
    from topiclab.config import RunConfig
    from topiclab.pipeline import run
    from topiclab.storage.model_state import load_model, save_model

    pytest.importorskip("tomotopy")
    config = RunConfig(seed=0, progress=False, n_topics=4)  # lda_neighbours=1 by default
    result, model = run(seed_corpus, config)
    p = result.passages
    assert "lda_neighbours" in result.views["lda"].metrics["language_note"]
    mixtures = model.transform_lda(p["text"].tolist(), p["lang"].tolist())
    assert mixtures.argmax(axis=1).tolist() == p["lda_topic"].tolist()
    if p["lang"].nunique() > 1:  # some passage shares its topic with another language
        langs_per_topic = p.groupby("lda_topic")["lang"].nunique()
        assert (langs_per_topic > 1).any()
    loaded = load_model(save_model(model, tmp_path / "model"))
    again = loaded.transform_lda(p["text"].tolist(), p["lang"].tolist())
    np.testing.assert_allclose(again, mixtures)


def test_lda_options_are_checked_and_reach_the_estimator():
    from topiclab.config import RunConfig
    from topiclab.errors import ConfigError
    from topiclab.pipeline.lda_view import make_lda

    for bad in ({"lda_neighbours": -1}, {"lda_eta": 0.0}, {"lda_restart_criterion": "best"}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            RunConfig(**bad)
    section = RunConfig(lda_backend="gibbs", lda_eta=0.05).section("lda")
    assert make_lda(section, 3, 0, None).eta == 0.05
    assert make_lda(RunConfig(lda_backend="gibbs").section("lda"), 3, 0, None).eta == 0.01


def test_top_columns_match_a_full_stable_sort_with_ties() -> None:
    """The partial selection gives what a full sort with ties by index gives."""
    from topiclab.pipeline.lda_align import _top_columns

    rng = np.random.default_rng(3)
    # few distinct values: most rows tie at the cut
    sim = rng.integers(0, 4, size=(300, 50)).astype(np.float32)
    for take in (1, 3, 8, 10, 50):
        want = np.argsort(-sim, axis=1, kind="stable")[:, :take]
        np.testing.assert_array_equal(_top_columns(sim, take), want)
    # distinct values: no fallback needed
    sim = rng.normal(size=(200, 80))
    want = np.argsort(-sim, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(_top_columns(sim, 5), want)
