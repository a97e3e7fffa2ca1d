"""Which terms the LDA view is fitted on."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topiclab.pipeline.lda_view import lda_vocabulary


def bursty_counts() -> tuple[sp.csr_matrix, list[str]]:
    """Ten documents of two passages; term 3 is repeated 200 times by document d0 only."""
    rng = np.random.default_rng(0)
    rows, doc_ids = [], []
    for d in range(10):
        for _ in range(2):
            row = np.zeros(6)
            row[:3] = rng.integers(1, 3, size=3)  # common terms, every passage
            rows.append(row)
            doc_ids.append(f"d{d}")
    rows[0][3] = rows[1][3] = 100  # one document's burst, over both its passages
    rows[2][4] = rows[4][4] = rows[6][4] = 1  # term 4: three documents, once each
    rows[8][5] = rows[9][5] = 1  # term 5: two passages of one document
    return sp.csr_matrix(np.array(rows)), doc_ids


def test_terms_of_too_few_documents_are_left_out():
    X, doc_ids = bursty_counts()
    assert lda_vocabulary(X, None) is None
    kept = lda_vocabulary(X, None, min_documents=3, doc_ids=doc_ids)
    assert kept.tolist() == [0, 1, 2, 4]
    # counted over passages, every term (5: one document, two passages) is in two
    assert lda_vocabulary(X, None, min_documents=2) is None
    assert 5 not in lda_vocabulary(X, None, min_documents=2, doc_ids=doc_ids).tolist()


def test_terms_of_too_many_documents_are_left_out():
    X, doc_ids = bursty_counts()
    # terms 0-2 are in all ten documents, term 4 in three, terms 3 and 5 in one
    assert lda_vocabulary(X, None, max_document_share=0.5, doc_ids=doc_ids).tolist() == [3, 4, 5]
    kept = lda_vocabulary(X, None, min_documents=3, doc_ids=doc_ids, max_document_share=0.5)
    assert kept.tolist() == [0, 1, 2, 4]  # only term 4 would be left: bound not applied
    assert lda_vocabulary(X, None, max_document_share=1.0, doc_ids=doc_ids) is None


def _common_word_corpus():
    """120 documents of four subjects; every other one also says ``report``.

    A subject has 25 words and a document takes the next 8 of its subject's in turn, so
    each subject word is in 9 or 10 of the 120 documents and ``report`` in 60.
    """
    from topiclab.ingest import from_texts

    stems = ("energy", "hockey", "church", "market")
    subjects = [[f"{s}{a}{b}" for a in "klmnp" for b in "aeiou"] for s in stems]
    texts = []
    for i in range(120):
        words = subjects[i % 4]
        text = " ".join(words[(i // 4 * 8 + t) % 25] for t in range(8))
        texts.append(text + (" report" if i % 2 else ""))
    return from_texts(texts)


def _fit_lda_view(**options):
    from topiclab.config import RunConfig
    from topiclab.pipeline import Pipeline
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.stages import default_stages

    config = RunConfig(
        seed=0, lang_mode="en", n_topics=4, lda_restarts=1, progress=False, **options
    )
    stages = [s for s in default_stages(config) if s.name in ("prepare", "vectorize", "lda")]
    state = RunState(texts=[], langs=[], doc_ids=[], corpus=_common_word_corpus())
    state = Pipeline(stages, progress=False).fit(state)
    stage = stages[-1]
    names = list(state.feature_names)
    lda_names = names if stage.columns_ is None else [names[j] for j in stage.columns_]
    return lda_names, stage.selection_["vocabulary"], names


def test_lda_view_leaves_out_a_word_of_half_the_documents_by_default():
    from topiclab.config import LDA_MAX_DOCUMENT_SHARE

    lda_names, vocabulary, names = _fit_lda_view()
    assert "report" in names  # the run's vocabulary keeps it; only LDA leaves it out
    assert "report" not in lda_names
    assert vocabulary["max_document_share"] == LDA_MAX_DOCUMENT_SHARE
    assert vocabulary["common_terms_dropped"] == ["report"]
    assert vocabulary["terms"] == len(lda_names)


def test_lda_view_keeps_common_words_when_asked():
    lda_names, vocabulary, _ = _fit_lda_view(lda_max_document_share=1.0)
    assert "report" in lda_names
    assert vocabulary["max_document_share"] == 1.0
    assert vocabulary["common_terms_dropped"] == []


def test_minimum_and_cap_combine_and_a_tiny_vocabulary_is_kept():
    X, doc_ids = bursty_counts()
    capped = lda_vocabulary(X, 3, min_documents=3, doc_ids=doc_ids)
    assert capped.tolist() == [0, 1, 2]  # term 4 is in fewest passages of those left
    # fewer than two terms would be left: the minimum is not applied
    assert lda_vocabulary(X[:, 3:], None, min_documents=3, doc_ids=doc_ids) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lda_min_documents", 0),
        ("lda_min_documents", 2.5),
        ("lda_min_documents", True),
        ("lda_max_term_count", -1),
        ("lda_max_term_count", 1.5),
        ("lda_max_document_share", 0),
        ("lda_max_document_share", 1.5),
        ("lda_max_document_share", True),
    ],
)
def test_bad_vocabulary_option_is_a_config_error(name, value):
    from topiclab.config import RunConfig
    from topiclab.errors import ConfigError

    with pytest.raises(ConfigError, match=name):
        RunConfig(**{name: value})


def test_restart_criterion_prefers_diverse_topics_to_slightly_more_coherent_ones():
    from topiclab.pipeline.lda_view import restart_score

    # generic words shared by several topics raise in-sample NPMI a little and cost
    # diversity: 0.02 of NPMI does not buy 0.03 of diversity
    coherent = restart_score(npmi=0.03, diversity=0.87, agreement=0.3)
    diverse = restart_score(npmi=0.01, diversity=0.90, agreement=0.3)
    assert diverse > coherent
    # agreement still counts, and an undefined NPMI scores as -1
    assert restart_score(0.01, 0.90, 0.4) > diverse
    assert restart_score(float("nan"), 0.90, 0.3) == restart_score(-1.0, 0.90, 0.3)
