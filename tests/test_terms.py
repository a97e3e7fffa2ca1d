"""Term selection of the embedding view: weights, co-occurrence shrinkage, planted themes."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topiclab.themes.terms import (
    coverage_weights,
    document_npmi,
    document_units,
    embedding_theme_terms,
    select_terms,
    theme_term_selection,
)


def _planted(seed: int = 0):
    """Two themes of 40 documents: 6 common words each, plus rare names and shared filler."""
    rng = np.random.default_rng(seed)
    n_per, common, rare = 40, 6, 30
    n_terms = 2 * common + 2 * rare + 1  # the last column appears everywhere
    rows = []
    for theme in range(2):
        for i in range(n_per):
            row = np.zeros(n_terms, dtype=int)
            core = theme * common + rng.choice(common, size=4, replace=False)
            row[core] = rng.integers(1, 3, size=4)
            # one rare name per document, used in this document only (and a twin once)
            name = 2 * common + theme * rare + (i % rare)
            row[name] = 5  # frequent within its document: a high c-TF-IDF weight
            row[-1] = 1
            rows.append(row)
    labels = np.repeat([0, 1], n_per)
    return sp.csr_matrix(np.array(rows)), labels, common


def test_coverage_weights_prefer_words_most_of_a_theme_uses():
    X, labels, common = _planted()
    w = coverage_weights(X, labels, 2)
    # every theme's heaviest terms are its common words, not its one-document names
    for theme in range(2):
        top = set(np.argsort(-w[theme])[:common].tolist())
        assert top == set(range(theme * common, (theme + 1) * common))
    # a term as common in the theme as in the corpus weighs nothing
    assert np.all(w[:, -1] == 0)
    assert np.all(w >= 0)


def test_theme_term_selection_picks_each_themes_own_words():
    X, labels, common = _planted()
    scores, picks = theme_term_selection(X, labels, 2, topn=common)
    assert scores.shape == (2, X.shape[1])
    for theme in range(2):
        assert set(picks[theme]) == set(range(theme * common, (theme + 1) * common))
    # no term describes both themes
    assert not set(picks[0]) & set(picks[1])


def test_shrinkage_lowers_pairs_seen_together_in_few_documents():
    # columns 0/1 together in one document only; columns 2/3 together in twenty
    X = np.zeros((100, 4), dtype=int)
    X[0, [0, 1]] = 1
    X[:20, 2] = 1
    X[:20, 3] = 1
    X[20:40, 2] = 1
    plain = document_npmi(sp.csr_matrix(X), [0, 1, 2, 3])
    shrunk = document_npmi(sp.csr_matrix(X), [0, 1, 2, 3], shrinkage=5.0)
    assert plain[0, 1] > plain[2, 3]  # raw NPMI trusts the one-document pair most
    assert shrunk[0, 1] < shrunk[2, 3]  # shrunk, the well-attested pair wins
    assert np.allclose(np.diag(shrunk), 1.0)
    assert np.all(np.abs(shrunk) <= np.abs(plain) + 1e-12)


def test_select_terms_with_shrinkage_prefers_well_attested_pairs():
    # the first word (0) is in 10 of 100 documents; word 1 is in one of them only,
    # word 2 in 30 documents, 6 of them with word 0
    X = np.zeros((100, 3), dtype=int)
    X[:10, 0] = 1
    X[0, 1] = 1
    X[4:34, 2] = 1
    X = sp.csr_matrix(X)
    scores = np.array([[1.0, 0.5, 0.5]])
    raw = select_terms(scores, X, topn=2, coherence_weight=1.0)
    shrunk = select_terms(scores, X, topn=2, coherence_weight=1.0, npmi_shrinkage=5.0)
    assert raw[0] == [0, 1]  # one shared document: raw NPMI 0.5 against 0.25
    assert shrunk[0] == [0, 2]


def test_theme_term_selection_spread_from_other_units():
    X, labels, _ = _planted()
    # one language's rows only: spread terms still decided on all rows
    rows = np.arange(0, 80, 2)
    scores, _ = theme_term_selection(X[rows], labels[rows], 2, spread_from=(X, labels))
    assert np.all(scores[:, -1] == 0)


@pytest.mark.parametrize("seed", [0, 3])
def test_theme_term_selection_is_deterministic(seed):
    X, labels, _ = _planted(seed)
    a = theme_term_selection(X, labels, 2)
    b = theme_term_selection(X, labels, 2)
    assert a[1] == b[1]
    assert np.array_equal(a[0], b[0])


def test_one_language_in_one_theme_still_has_terms():
    # an "Arabic" block of 5 units, all in theme 1, words 10..12 used only there
    X, labels, _ = _planted()
    ar = np.zeros((5, X.shape[1]), dtype=int)
    ar[:, -1] = 1
    ar[:3, 1] = 1  # one of theme 0's words, borrowed
    extra = np.zeros((X.shape[0] + 5, 3), dtype=int)
    extra[-5:, 0] = 1
    extra[-5:-2, 1] = 1
    extra[-2:, 2] = 1
    full = sp.hstack([sp.vstack([X, sp.csr_matrix(ar)]), sp.csr_matrix(extra)]).tocsr()
    full_labels = np.concatenate([labels, np.ones(5, dtype=int)])
    rows = np.arange(X.shape[0], X.shape[0] + 5)
    alone = coverage_weights(full[rows], full_labels[rows], 2)
    assert not alone.any()  # against its own rows only, nothing is typical of the theme
    _, picks = theme_term_selection(
        full[rows], full_labels[rows], 2, spread_from=(full, full_labels)
    )
    words = set(picks[1])
    assert {X.shape[1], X.shape[1] + 1} <= words
    assert picks[0] == []


def test_document_units_sum_passages_of_one_document_and_theme():
    X = sp.csr_matrix(np.array([[1, 0, 2], [0, 1, 0], [1, 1, 0], [0, 0, 1]]))
    units, labels, unit_of = document_units(X, [0, 0, 1, 0], ["a", "a", "a", "b"])
    assert units.shape == (3, 3)
    assert labels.tolist() == [0, 1, 0]
    assert unit_of.tolist() == [0, 0, 1, 2]
    assert units.toarray().tolist() == [[1, 1, 2], [1, 1, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match="groups"):
        document_units(X, [0, 0, 1, 0], ["a"])


def test_embedding_theme_terms_per_language_and_over_documents():
    X, labels, common = _planted()
    # cut every document in two passages: its common words and its name apart
    names = np.zeros_like(X.toarray())
    names[:, 2 * common :] = X.toarray()[:, 2 * common :]
    words = X.toarray() - names
    passages = sp.csr_matrix(np.vstack([words, names]))
    plabels = np.concatenate([labels, labels])
    doc_ids = [str(i) for i in range(X.shape[0])] * 2
    langs = ["en"] * X.shape[0] * 2
    scores, picks = embedding_theme_terms(
        passages, plabels, 2, langs, doc_ids, topn=common, min_documents=10
    )
    assert set(scores) == {"all", "en"}
    for theme in range(2):
        assert set(picks["all"][theme]) == set(range(theme * common, (theme + 1) * common))
    # over documents the weights are those of the whole documents
    whole, _ = theme_term_selection(X, labels, 2, topn=common)
    assert np.allclose(scores["all"], whole)


def test_unknown_language_gets_no_list_beside_languages():
    X, labels, common = _planted()
    langs = ["en"] * X.shape[0]
    langs[3] = langs[50] = "und"  # two passages too short to tell
    scores, picks = embedding_theme_terms(X, labels, 2, langs, topn=common)
    assert set(scores) == set(picks) == {"all", "en"}
    scores, _ = embedding_theme_terms(X, labels, 2, ["und"] * X.shape[0], topn=common)
    assert set(scores) == {"all", "und"}  # no language found anywhere: the one list


def test_embedding_theme_terms_keeps_passages_for_few_documents():
    X, labels, common = _planted()
    doc_ids = [str(i // 20) for i in range(X.shape[0])]  # 4 documents of 20 passages
    langs = ["en"] * X.shape[0]
    few, _ = embedding_theme_terms(X, labels, 2, langs, doc_ids, topn=common)
    ctfidf, _ = theme_term_selection(X, labels, 2, topn=common, weighting="ctfidf")
    # below 100 documents: passages are the units, weighed by c-TF-IDF
    assert np.allclose(few["all"], ctfidf)
    grouped, _ = embedding_theme_terms(X, labels, 2, langs, doc_ids, min_documents=2)
    assert not np.allclose(grouped["all"], ctfidf)
    with pytest.raises(ValueError, match="weighting"):
        theme_term_selection(X, labels, 2, weighting="bm25")


def test_select_terms_counts_cooccurrence_in_the_units_given():
    # ten documents hold words 0, 1 and 2; within them, 0 shares a passage with 2, never 1
    docs = np.zeros((40, 3), dtype=int)
    docs[:10] = 1
    passages = np.zeros((80, 3), dtype=int)
    passages[0:20:2, [0, 2]] = 1
    passages[1:20:2, 1] = 1
    scores = np.array([[1.0, 0.5, 0.5]])
    D, P = sp.csr_matrix(docs), sp.csr_matrix(passages)
    by_documents = select_terms(scores, D, topn=2, coherence_weight=1.0)
    together = sp.vstack([D, P]).tocsr()
    by_both = select_terms(scores, D, topn=2, coherence_weight=1.0, cooccurrence=together)
    assert by_documents[0] == [0, 1]  # a tie over documents: the first candidate wins
    assert by_both[0] == [0, 2]  # the passages separate the pairs


def test_embedding_theme_terms_count_cooccurrence_over_documents_and_passages(monkeypatch):
    import topiclab.themes.terms as terms

    X, labels, common = _planted()
    names = np.zeros_like(X.toarray())
    names[:, 2 * common :] = X.toarray()[:, 2 * common :]
    passages = sp.csr_matrix(np.vstack([X.toarray() - names, names]))
    n_docs = X.shape[0]
    plabels = np.concatenate([labels, labels])
    doc_ids = [str(i) for i in range(n_docs)] * 2
    langs = ["en" if i % 4 else "fr" for i in range(n_docs)] * 2
    seen = []
    real = terms.select_terms

    def spy(scores, counts, **kw):
        co = kw["cooccurrence"]
        seen.append((counts.shape[0], None if co is None else co.shape[0]))
        return real(scores, counts, **kw)

    monkeypatch.setattr(terms, "select_terms", spy)
    embedding_theme_terms(passages, plabels, 2, langs, doc_ids, topn=common, min_documents=10)
    n_fr = sum(1 for i in range(n_docs) if i % 4 == 0)
    # all units, then each language's (en, fr): documents plus that language's passages
    assert seen == [
        (n_docs, 3 * n_docs),
        (n_docs - n_fr, 3 * (n_docs - n_fr)),
        (n_fr, 3 * n_fr),
    ]
    seen.clear()  # one passage per document: the documents alone
    embedding_theme_terms(X, labels, 2, langs[:n_docs], doc_ids[:n_docs], min_documents=10)
    assert seen == [(n_docs, None), (n_docs - n_fr, None), (n_fr, None)]
    seen.clear()  # below 100 documents passages are the units, and counted alone
    embedding_theme_terms(passages, plabels, 2, langs, doc_ids, topn=common)
    assert seen == [(2 * n_docs, None), (2 * (n_docs - n_fr), None), (2 * n_fr, None)]
