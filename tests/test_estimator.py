"""The estimator-style entry point: scikit-learn contract, fit on texts, save and load."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CORPUS, HashEncoder
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import topiclab
from topiclab import TopicLab


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_follows_the_scikit_learn_constructor_contract(check):
    check("TopicLab", TopicLab())


def test_constructor_only_stores():
    tl = TopicLab(n_themes=-5, lang_mode="nonsense", guided=("not a spec",))
    assert tl.get_params()["n_themes"] == -5  # nothing validated before fit
    with pytest.raises(topiclab.TopiclabError):
        tl.fit(_texts())


def test_unfitted_estimator_says_so():
    with pytest.raises(NotFittedError):
        TopicLab().predict(["text"])


@pytest.fixture(scope="module")
def fitted():
    return TopicLab(n_themes=3, n_topics=3, embedder=HashEncoder(), random_state=0).fit(_texts())


def test_fit_on_texts_sets_fitted_attributes(fitted):
    assert len(fitted.themes_) == 3 and len(fitted.topics_) == 3
    assert fitted.labels_.shape == (len(fitted.passages_),)
    assert set(fitted.result_.views) == {"embedding", "lda"}
    assert fitted.result_.documents["source_file"].str.startswith("text:").all()
    p = fitted.passages_
    pred = fitted.predict(p["text"].tolist(), doc_ids=p["doc_id"].tolist())
    assert pred["theme"].tolist() == fitted.labels_.tolist()
    assert pred["label"].tolist() == [fitted.themes_[t].label for t in fitted.labels_]
    member = fitted.transform(p["text"].tolist(), doc_ids=p["doc_id"].tolist())
    np.testing.assert_allclose(pred["score"], member.max(axis=1))
    assert (pred["score"] >= pred["second_score"]).all()
    assert fitted.predict_ids(p["text"].tolist(), doc_ids=p["doc_id"].tolist()).tolist() == (
        fitted.labels_.tolist()
    )
    lda = fitted.transform(p["text"].tolist(), view="lda", langs=p["lang"].tolist())
    assert lda.argmax(axis=1).tolist() == p["lda_topic"].tolist()


def test_fit_on_texts_equals_fit_on_the_files(fitted):
    from topiclab.ingest import load

    corpus = load(CORPUS)
    other = clone(fitted).fit(corpus)
    assert len(other.passages_) == len(fitted.passages_)
    assert other.passages_["text"].tolist() == fitted.passages_["text"].tolist()
    assert other.labels_.tolist() == fitted.labels_.tolist()


def test_same_random_state_same_themes(fitted):
    again = clone(fitted).fit(_texts())
    assert again.themes_.to_dict() == fitted.themes_.to_dict()
    assert again.topics_.to_dict() == fitted.topics_.to_dict()


def test_save_and_load_round_trip(fitted, tmp_path):
    fitted.save(tmp_path / "run")
    loaded = topiclab.load(tmp_path / "run")
    assert isinstance(loaded, TopicLab)
    assert loaded.get_params()["n_themes"] == 3 and loaded.get_params()["random_state"] == 0
    assert loaded.themes_.to_dict() == fitted.themes_.to_dict()
    p = fitted.passages_
    texts, docs = p["text"].tolist(), p["doc_id"].tolist()
    emb = fitted.embed(texts)
    # the embedding object is not saved: the loaded model says so unless given vectors
    with pytest.raises(topiclab.TopiclabError, match="not saved"):
        loaded.predict(texts, doc_ids=docs)
    np.testing.assert_array_equal(
        loaded.predict(texts, doc_ids=docs, embeddings=emb)["theme"], fitted.labels_
    )
    np.testing.assert_allclose(loaded.transform_lda(texts), fitted.transform_lda(texts))


def test_bad_input_types_are_named():
    with pytest.raises(TypeError, match="text:1"):
        TopicLab(embedder=HashEncoder()).fit(["an article", 42])
