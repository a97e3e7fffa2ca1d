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
    ],
)
def test_bad_vocabulary_option_is_a_config_error(name, value):
    from topiclab.config import RunConfig
    from topiclab.errors import ConfigError

    with pytest.raises(ConfigError, match=name):
        RunConfig(**{name: value})
