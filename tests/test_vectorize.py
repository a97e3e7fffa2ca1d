"""Tests for phrase learning and the text vectorisers (topiclab.features.vectorize)."""

from __future__ import annotations

import pickle
import random
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from topiclab.features.tokenize import Tokenizer
from topiclab.features.vectorize import PhraseModel, TextVectorizer, resolve_langs

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def seed_paragraphs() -> tuple[list[str], list[str]]:
    """The seed articles split into non-empty paragraphs, with language codes."""
    texts, langs = [], []
    for path in sorted(CORPUS.glob("*.txt")):
        lang = "ar" if path.name.startswith("001_") else "en"
        for para in path.read_text(encoding="utf-8").split("\n"):
            if para.strip():
                texts.append(para)
                langs.append(lang)
    return texts, langs


def _planted_corpus(n_docs: int = 120, seed: int = 0) -> list[str]:
    """Documents mixing filler words with three recurring phrases."""
    rng = random.Random(seed)
    filler = (
        "market growth plant battery policy price export factory city region "
        "company investment product customer design sensor chip road"
    ).split()
    phrases = ["energy storage", "new quality productive forces", "smart driving"]
    docs = []
    for _ in range(n_docs):
        words = rng.choices(filler, k=12)
        for phrase in rng.sample(phrases, 2):
            words.insert(rng.randrange(len(words) + 1), phrase)
        docs.append(" ".join(words))
    return docs


# --------------------------------------------------------------------------- PhraseModel


def test_phrases_on_seed_articles(seed_paragraphs):
    texts, langs = seed_paragraphs
    docs = Tokenizer().tokenize_many(texts, langs)
    model = PhraseModel().fit(docs)
    assert model.min_count_ == 2
    assert "energy_storage" in model.phrases_
    assert "new_quality_productive_force" in model.phrases_
    merged = [t for doc in model.transform(docs) for t in doc]
    assert "energy_storage" in merged


def test_phrases_on_seed_without_lemmatisation(seed_paragraphs):
    texts, langs = seed_paragraphs
    docs = Tokenizer(lemmatize=False).tokenize_many(texts, langs)
    assert "new_quality_productive_forces" in PhraseModel().fit(docs).phrases_


def test_phrases_on_recurring_corpus():
    docs = Tokenizer().tokenize_many(_planted_corpus())
    model = PhraseModel().fit(docs)
    assert {"energy_storage", "smart_driving", "new_quality_productive_force"} <= set(
        model.phrases_
    )
    assert not any(p.startswith(("market_", "plant_")) for p in model.phrases_)
    one = PhraseModel(passes=1).fit(docs)
    assert "new_quality_productive_force" not in one.phrases_


def test_phrase_model_params_and_errors():
    model = PhraseModel(min_count=3, threshold=0.7)
    assert model.get_params()["min_count"] == 3 and not hasattr(model, "phrases_")
    with pytest.raises(ValueError, match="min_count"):
        PhraseModel(min_count=0).fit([["a", "b"]])
    with pytest.raises(ValueError, match="scoring"):
        PhraseModel(scoring="bogus").fit([["a", "b"]])


def test_chinese_phrases_joined_without_connector():
    docs = [["新能源", "汽车", "销量"], ["新能源", "汽车", "出口"], ["电池", "价格"]] * 4
    model = PhraseModel(min_count=2).fit(docs)
    assert model.transform([["新能源", "汽车"]]) == [["新能源汽车"]]


# --------------------------------------------------------------------------- TextVectorizer


def test_vectorizer_shape_vocab_and_feature_names():
    texts = _planted_corpus(60)
    vec = TextVectorizer(kind="count")
    X = vec.fit_transform(texts)
    names = vec.get_feature_names_out()
    assert sp.isspmatrix_csr(X) and X.shape == (60, len(names)) == (60, vec.n_features_out_)
    assert {"energy_storage", "smart_driving", "battery"} <= set(vec.vocabulary_)
    assert all(names[i] == term for term, i in vec.vocabulary_.items())
    assert X.dtype.kind == "i" and X.sum() > 0


def test_fit_transform_equals_fit_then_transform(seed_paragraphs):
    texts, langs = seed_paragraphs
    for kind in ("count", "tfidf"):
        a = TextVectorizer(kind=kind).fit_transform(texts, langs=langs)
        b = TextVectorizer(kind=kind).fit(texts, langs=langs).transform(texts, langs=langs)
        assert a.shape == b.shape
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
        assert np.array_equal(a.data, b.data)


def test_deterministic_and_picklable(seed_paragraphs):
    texts, langs = seed_paragraphs
    vec = TextVectorizer().fit(texts, langs=langs)
    again = TextVectorizer().fit(texts, langs=langs)
    assert vec.vocabulary_ == again.vocabulary_ and vec.phrases_ == again.phrases_
    clone = pickle.loads(pickle.dumps(vec))
    assert (clone.transform(texts, langs=langs) != vec.transform(texts, langs=langs)).nnz == 0


def test_tfidf_rows_l2_normalised():
    X = TextVectorizer(kind="tfidf").fit_transform(_planted_corpus(40))
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)
    assert np.all(X.data > 0)


def test_languages_route_to_their_tokenisers():
    texts = ["Energy storage batteries", "البطاريات والسيارات الكهربائية", "新能源汽车智能驾驶"]
    vec = TextVectorizer(kind="count", phrases=False)
    X = vec.fit_transform(texts, langs=["en", "ar", "zh"])
    vocab = set(vec.vocabulary_)
    assert {"بطاريات", "سيارات"} <= vocab and {"新能源", "驾驶"} <= vocab
    row = X[1].toarray().ravel()
    assert row[vec.vocabulary_["سيارات"]] == 1 and row[vec.vocabulary_["battery"]] == 0
    # Without language codes the Arabic text is not stemmed and Chinese is not segmented.
    plain = TextVectorizer(kind="count", phrases=False).fit(texts)
    assert "بطاريات" not in plain.vocabulary_ and "新能源" not in plain.vocabulary_


def test_tiny_corpus_never_has_empty_vocabulary():
    texts = ["battery storage", "battery storage", "battery storage"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vec = TextVectorizer(kind="count").fit(texts)  # auto bounds keep every term
    assert len(vec.vocabulary_) >= 1
    with pytest.warns(UserWarning, match="left no terms"):
        strict = TextVectorizer(kind="count", min_df=5, max_df=0.5).fit(texts)
    assert len(strict.vocabulary_) >= 1 and strict.min_df_ == 1


def test_auto_bounds_adapt_to_corpus_size():
    small = TextVectorizer(kind="count", phrases=False).fit(_planted_corpus(10))
    large = TextVectorizer(kind="count", phrases=False).fit(_planted_corpus(60))
    assert (small.min_df_, small.max_df_) == (1, 1.0)
    assert (large.min_df_, large.max_df_) == (2, 0.95)


def test_only_stop_words_raises_clear_error():
    with pytest.raises(ValueError, match="empty vocabulary"):
        TextVectorizer().fit(["the and of", "said he"])


def test_tokenize_documents_matches_matrix(seed_paragraphs):
    texts, langs = seed_paragraphs
    vec = TextVectorizer(kind="count").fit(texts, langs=langs)
    docs = vec.tokenize_documents(texts, langs, in_vocabulary=True)
    X = vec.transform(texts, langs=langs)
    assert [len(d) for d in docs] == np.asarray(X.sum(axis=1)).ravel().tolist()
    assert any("energy_storage" in d for d in docs)


def test_options_and_validation():
    texts = _planted_corpus(30)
    vec = TextVectorizer(kind="count", max_features=5, phrases=False).fit(texts)
    assert len(vec.vocabulary_) == 5 and vec.phrases_ == {}
    with pytest.raises(ValueError, match="kind"):
        TextVectorizer(kind="bogus").fit(texts)
    with pytest.raises(TypeError):
        TextVectorizer().fit("a single string")
    with pytest.raises(ValueError, match="language codes"):
        resolve_langs(["en"], 2)


def test_import_does_not_load_gensim_or_jieba():
    import subprocess
    import sys

    code = (
        "import sys, topiclab.features.vectorize; "
        "print(sorted(m for m in ('gensim', 'jieba', 'torch') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_languages_without_a_tokeniser_are_named_in_one_warning(monkeypatch, caplog):
    import logging

    from topiclab.features import tokenize

    monkeypatch.setattr(tokenize, "_WARNED", set())
    texts = ["Le conseil a voté.", "De raad stemde.", "La loi passe.", "The council voted."] * 3
    langs = ["fr", "nl", "fr", "en"] * 3
    vec = TextVectorizer(kind="count", phrases=False)
    with caplog.at_level(logging.WARNING, logger="topiclab.features.tokenize"):
        tokens = vec.analyze(texts, langs)
        vec.analyze(texts[:2], langs[:2])  # named already: not again
    lines = [r.getMessage() for r in caplog.records if "no tokeniser" in r.getMessage()]
    assert lines == [
        "no tokeniser for 2 language(s); a generic word tokeniser without stop words reads "
        "their 9 texts: fr (6), nl (3)"
    ]
    assert tokens[0] == ["le", "conseil", "voté"]  # read, without stop words
