"""The corpus-adapted embedder: a seeded sample embedded by the teacher, the rest mapped."""

from __future__ import annotations

import io

import numpy as np
import pytest

from topiclab.errors import ConfigError
from topiclab.features.adapted import AdaptedEmbedder, choose_sample_size, ridge_gcv

TOPICS = {
    "sport": "match goal team league coach player season striker keeper penalty",
    "money": "bank rates inflation market shares investor bond central prices economy",
    "space": "rocket orbit launch satellite nasa moon mission astronaut station crater",
}


class CountingTeacher:
    """A deterministic bag-of-words teacher that counts the texts it embeds."""

    dim = 64

    def __init__(self, model_id: str = "test-counting-teacher") -> None:
        self.model_id = model_id
        self.seen: list[str] = []

    def encode(self, texts):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.seen.extend(texts)
        X = HashingVectorizer(n_features=64, alternate_sign=False).transform(list(texts))
        return X.toarray().astype(np.float32) + 1e-3


def _corpus(n: int = 90, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = list(TOPICS)[i % len(TOPICS)]
        words = rng.choice(TOPICS[label].split(), size=8).tolist()
        texts.append(f"item {i}: " + " ".join(words))
        labels.append(label)
    return texts, labels


def _embedder(teacher, tmp_path, **kw) -> AdaptedEmbedder:
    params = dict(
        teacher=teacher,
        static=None,
        features="tfidf",
        sample_fraction=0.25,
        min_sample=10,
        max_sample=40,
        n_hash=2**12,
        cache_dir=tmp_path,
        progress=False,
    )
    params.update(kw)
    return AdaptedEmbedder(**params)


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_sample_size_rule():
    assert choose_sample_size(1000, 0.1, 20, 50) == 50
    assert choose_sample_size(300, 0.1, 20, 50) == 30
    assert choose_sample_size(100, 0.1, 20, 50) == 20
    assert choose_sample_size(5, 0.1, 20, 50) == 5


def test_shape_sample_vectors_kept_and_unit_rows(tmp_path):
    texts, _ = _corpus()
    teacher = CountingTeacher()
    emb = _embedder(teacher, tmp_path)
    X = emb.fit_transform(texts)
    assert X.shape == (len(texts), 64) and X.dtype == np.float32
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    assert emb.sample_size_ == 22 == len(teacher.seen)  # 25 % of 90 texts
    truth = _unit(CountingTeacher().encode(texts))
    sampled = [texts.index(t) for t in teacher.seen]
    assert np.allclose(X[sampled], truth[sampled], atol=1e-6)
    others = np.setdiff1d(np.arange(len(texts)), sampled)
    assert not np.allclose(X[others], truth[others], atol=1e-3)  # the rest is mapped


def test_mapped_texts_land_near_their_teacher_vectors(tmp_path):
    texts, _ = _corpus()
    emb = _embedder(CountingTeacher(), tmp_path)
    X = emb.fit_transform(texts)
    truth = _unit(CountingTeacher().encode(texts))
    own = np.sum(X * truth, axis=1)
    other = np.sum(X * np.roll(truth, 1, axis=0), axis=1)  # a text of another theme
    assert own.mean() > other.mean() + 0.2
    assert 0.0 < emb.loo_cosine_ <= 1.0 and emb.alpha_ > 0


def test_seeded_deterministic_and_fit_transform_equals_transform(tmp_path):
    texts, _ = _corpus()
    a = _embedder(CountingTeacher(), tmp_path, random_state=3)
    Xa = a.fit_transform(texts)
    b = _embedder(CountingTeacher(), tmp_path, random_state=3).fit(texts)
    assert np.array_equal(Xa, b.transform(texts))
    assert np.array_equal(a.transform(texts), Xa)
    c = _embedder(CountingTeacher(), tmp_path, random_state=4).fit(texts)
    assert not np.array_equal(c.sample_keys_, a.sample_keys_)


def test_the_teacher_never_embeds_a_text_twice(tmp_path):
    texts, _ = _corpus()
    texts = texts + texts[:30]  # repeated texts are embedded once
    first = CountingTeacher()
    emb = _embedder(first, tmp_path).fit(texts)
    assert len(first.seen) == len(set(first.seen)) == emb.sample_size_
    again = CountingTeacher()
    _embedder(again, tmp_path).fit_transform(texts)
    assert again.seen == []  # the sample's vectors came from the cache


def test_state_round_trip_without_pickle(tmp_path):
    texts, _ = _corpus()
    emb = _embedder("test-unused-name", tmp_path)
    emb.teacher = CountingTeacher()
    emb.fit(texts)
    state, arrays = emb.get_state()
    assert state["params"]["teacher"] == "test-counting-teacher"  # an object is named
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as npz:
        loaded = AdaptedEmbedder.from_state(state, {k: npz[k] for k in npz.files})
    new = ["a penalty in the last minute", texts[0]]
    assert np.array_equal(loaded.transform(new), emb.transform(new))
    assert loaded.model_id_ == emb.model_id_ and loaded.identity_ is None


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("features", "words"),
        ("sample_fraction", 0.0),
        ("min_sample", 1),
        ("max_sample", 5),
    ],
)
def test_bad_parameters_are_named(tmp_path, param, value):
    texts, _ = _corpus(12)
    with pytest.raises(ConfigError, match=param):
        _embedder(CountingTeacher(), tmp_path, **{param: value}).fit(texts)


def test_static_features_need_a_static_model(tmp_path):
    with pytest.raises(ConfigError, match="static"):
        _embedder(CountingTeacher(), tmp_path, features="both").fit(_corpus(12)[0])


def test_ridge_penalty_is_chosen_by_left_out_error():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(60, 5))
    Y = F @ rng.normal(size=(5, 3))
    A, alpha, loo = ridge_gcv(F @ F.T, Y, [1e-6, 1e-3, 1.0, 100.0])
    assert alpha == pytest.approx(1e-6 * np.mean(np.diag(F @ F.T)))  # noiseless: least penalty
    assert np.allclose(F @ F.T @ A, Y, atol=1e-3) and loo < 1e-6
    noisy = Y + rng.normal(scale=3.0, size=Y.shape)
    assert ridge_gcv(F @ F.T, noisy, [1e-6, 1e-3, 1.0, 100.0])[1] > alpha


def test_the_embed_stage_fits_it_on_the_passages_and_a_model_saves_it(tmp_path):
    from topiclab.config import RunConfig
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.stages import EmbedStage
    from topiclab.storage.model_state import _embedder_state, _load_embedder

    texts, _ = _corpus()
    teacher = CountingTeacher()
    stage = EmbedStage(
        RunConfig(speed="fast").section("embed"), embedder=_embedder(teacher, tmp_path)
    )
    state = stage.fit(RunState.for_texts(texts))
    assert state.embeddings.shape == (len(texts), 64) and len(teacher.seen) == 22
    assert stage.embedder_.sample_size_ == 22  # fitted on every passage, not on one
    arrays: dict[str, np.ndarray] = {}
    saved = _embedder_state(stage.embedder_, arrays)
    assert arrays and all(k.startswith("embedder_") for k in arrays)
    loaded = _load_embedder(saved, arrays)
    assert np.array_equal(loaded.transform(texts[:5]), state.embeddings[:5])


def test_fast_mode_seeds_its_sample_from_the_run_seed():
    from topiclab.config import RunConfig
    from topiclab.pipeline.stages import EmbedStage

    a = EmbedStage(RunConfig(speed="fast", seed=1).section("embed"))._make(["en"])
    b = EmbedStage(RunConfig(speed="fast", seed=2).section("embed"))._make(["en"])
    assert isinstance(a, AdaptedEmbedder) and a.random_state != b.random_state
    spark = EmbedStage(RunConfig(speed="fast").section("embed"))._make(["en"], adapt=False)
    assert spark.model == "minilm-static"  # an engine that cannot fit on the corpus


def test_the_sentence_embedder_points_to_the_adapted_one():
    from topiclab.errors import ModelNotAvailableError
    from topiclab.features.embed import SentenceEmbedder

    with pytest.raises(ModelNotAvailableError, match="AdaptedEmbedder"):
        SentenceEmbedder("minilm-adapted").fit()


def test_left_out_predictions_match_refits_without_each_row():
    rng = np.random.default_rng(1)
    F = rng.normal(size=(12, 4))
    Y = F @ rng.normal(size=(4, 2)) + rng.normal(scale=0.1, size=(12, 2))
    K = F @ F.T
    _, alpha, _, loo = ridge_gcv(K, Y, [0.1], return_loo=True)
    for i in (0, 5):
        keep = np.delete(np.arange(12), i)
        A = np.linalg.solve(K[np.ix_(keep, keep)] + alpha * np.eye(11), Y[keep])
        assert np.allclose(K[i, keep] @ A, loo[i], atol=1e-8)


def test_a_refit_with_fewer_features_drops_the_old_map(tmp_path):
    texts, _ = _corpus()
    emb = _embedder(CountingTeacher(), tmp_path).fit(texts)
    assert hasattr(emb, "idf_")
    emb.set_params(features="static", static=CountingTeacher("test-static"))
    emb.fit(texts)
    assert not hasattr(emb, "idf_") and not hasattr(emb, "term_map_")
    assert emb.get_state()[0]["params"]["static"] == "test-static"


def test_primal_fit_equals_the_kernel_fit():
    from topiclab.features.adapted import ridge_primal_gcv

    rng = np.random.default_rng(2)
    F = rng.normal(size=(40, 6))
    Y = F @ rng.normal(size=(6, 3)) + rng.normal(scale=0.5, size=(40, 3))
    alphas = [1e-3, 0.1, 1.0, 10.0]
    A, alpha, loo, loo_pred = ridge_gcv(F @ F.T, Y, alphas, return_loo=True)
    W, alpha_p, loo_p, loo_pred_p, rows = ridge_primal_gcv(F, Y, alphas)
    assert rows.tolist() == list(range(40))
    assert alpha_p == pytest.approx(alpha) and loo_p == pytest.approx(loo)
    assert np.allclose(W, F.T @ A, atol=1e-8) and np.allclose(loo_pred_p, loo_pred, atol=1e-8)
    some = np.array([3, 17, 30])
    *_, pred_some, rows_some = ridge_primal_gcv(
        F, Y, [alpha / np.mean(np.sum(F * F, axis=1))], score_rows=some
    )
    assert rows_some.tolist() == [3, 17, 30] and np.allclose(pred_some, loo_pred[some], atol=1e-8)


def test_budget_sample_adds_the_shortest_texts_within_the_budget():
    from topiclab.features.adapted import budget_sample

    lengths = np.array([40, 5, 12, 5, 100, 7, 30])
    assert budget_sample(lengths, np.array([4]), None).tolist() == [4]
    got = budget_sample(lengths, np.array([4, 0]), 160)  # 20 left: 5, 5 and 7 fit, 12 not
    assert got.tolist() == [0, 1, 3, 4, 5]
    assert lengths[got].sum() <= 160
    assert budget_sample(lengths, np.array([4]), 10**6).tolist() == list(range(7))
    assert budget_sample(lengths, np.array([4]), 50).tolist() == [4]  # over already: no more


def _short_and_long(n: int = 120) -> list[str]:
    texts, _ = _corpus(n)
    return [t if i % 2 else t + " " + " ".join(texts[:3]) for i, t in enumerate(texts)]


def _budgeted(teacher, tmp_path, budget, **kw):
    """An embedder on static features, a random ten and then ``budget`` characters."""
    params = dict(static=CountingTeacher("test-static"), features="static", min_sample=10)
    return _embedder(teacher, tmp_path, sample_chars=budget, max_sample=10, **{**params, **kw})


def test_a_character_budget_spends_the_teacher_on_the_shortest_texts(tmp_path):
    texts = _short_and_long()
    teacher = CountingTeacher()
    budget = 2_000
    emb = _budgeted(teacher, tmp_path, budget).fit(texts)
    seen = teacher.seen
    assert emb.sample_size_ == len(seen) > 10 and sum(map(len, seen)) <= budget
    unseen = [t for t in texts if t not in set(seen)]
    extra = sorted(seen, key=len)[: len(seen) - 10]  # all but (at most) the random ten
    assert max(map(len, extra)) <= min(map(len, unseen))  # shortest first
    again = _budgeted(CountingTeacher(), tmp_path, budget).fit(texts)
    assert np.array_equal(again.sample_keys_, emb.sample_keys_)
    share = budget / sum(len(t) for t in dict.fromkeys(texts))  # the same budget as a share
    as_share = _budgeted(CountingTeacher(), tmp_path, share).fit(texts)
    assert np.array_equal(as_share.sample_keys_, emb.sample_keys_)


def test_a_large_sample_is_fitted_in_primal_form_with_the_same_map(tmp_path, monkeypatch):
    from topiclab.features import adapted

    texts = _short_and_long()
    dual = _budgeted(CountingTeacher(), tmp_path, 3_000, cache=False).fit(texts)
    monkeypatch.setattr(adapted, "_DUAL_MAX", 5)
    monkeypatch.setattr(adapted, "_PRIMAL_SCORED", dual.sample_size_)  # every row scored
    primal = _budgeted(CountingTeacher(), tmp_path, 3_000, cache=False).fit(texts)
    assert primal.alpha_ == pytest.approx(dual.alpha_)
    assert np.allclose(primal.static_map_, dual.static_map_, atol=1e-4)
    assert primal.loo_cosine_ == pytest.approx(dual.loo_cosine_, abs=1e-5)
    assert np.allclose(primal.transform(texts), dual.transform(texts), atol=1e-4)


def test_a_character_budget_with_tfidf_stops_at_the_kernel_size(tmp_path, monkeypatch):
    from topiclab.features import adapted

    texts = _short_and_long()
    monkeypatch.setattr(adapted, "_DUAL_MAX", 25)
    teacher = CountingTeacher()
    emb = _embedder(teacher, tmp_path, sample_chars=10**6, min_sample=10, max_sample=10)
    emb.fit(texts)  # tfidf features: fitted in kernel form, so at most 25 texts
    assert emb.sample_size_ == 25 == len(teacher.seen)
    assert hasattr(emb, "term_map_") and not hasattr(emb, "static_map_")


def test_a_bad_character_budget_is_named(tmp_path):
    with pytest.raises(ConfigError, match="sample_chars"):
        _embedder(
            CountingTeacher(),
            tmp_path,
            static=CountingTeacher("s"),
            features="static",
            sample_chars=0,
        ).fit(_corpus(12)[0])
    with pytest.raises(ConfigError, match="sample_chars"):
        _embedder(CountingTeacher(), tmp_path, sample_chars=-0.5).fit(_corpus(12)[0])
    with pytest.raises(ConfigError, match="sample_chars"):
        _embedder(
            "minilm", tmp_path, static="minilm-context", features="static", sample_chars=100
        ).fit(_corpus(12)[0])


def test_corpus_lsa_keeps_frequent_terms_and_orthonormal_directions():
    from scipy.sparse import csr_matrix

    from topiclab.features.adapted import corpus_lsa

    rng = np.random.default_rng(3)
    dense = rng.poisson(1.0, size=(30, 12)).astype(np.float32)
    dense[:, 0] = 0
    dense[:2, 0] = 1  # in two texts only
    cols, idf, comp = corpus_lsa(csr_matrix(dense), 4, min_df=3, random_state=0)
    assert 0 not in cols and len(cols) == len(idf) == comp.shape[1] == 11
    assert comp.shape[0] == 4 and np.allclose(comp @ comp.T, np.eye(4), atol=1e-4)
    df = (dense > 0).sum(axis=0)
    top, _, _ = corpus_lsa(csr_matrix(dense), 4, min_df=1, max_terms=5, random_state=0)
    assert len(top) == 5 and df[top].min() >= np.sort(df)[-5]  # the most frequent
    again = corpus_lsa(csr_matrix(dense), 4, min_df=3, random_state=0)[2]
    assert np.array_equal(again, comp)  # seeded


def test_corpus_components_are_appended_and_separate_the_themes(tmp_path):
    texts, labels = _corpus()
    emb = _embedder(CountingTeacher(), tmp_path, corpus_components=4, corpus_weight=1.0)
    X = emb.fit_transform(texts)
    assert X.shape == (len(texts), 64 + 4) == (len(texts), emb.dim_)
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    # the two parts have equal length: unit vectors each, weight 1
    assert np.allclose(np.linalg.norm(X[:, :64], axis=1), np.linalg.norm(X[:, 64:], axis=1))
    assert "4 corpus components" in emb.model_id_
    part = _unit(X[:, 64:])
    same = np.equal.outer(labels, labels) & ~np.eye(len(texts), dtype=bool)
    cos = part @ part.T
    assert cos[same].mean() > cos[~np.equal.outer(labels, labels)].mean() + 0.3
    assert np.array_equal(emb.transform(texts), X)  # new texts go the same way
    plain = _embedder(CountingTeacher(), tmp_path).fit_transform(texts)
    assert np.allclose(_unit(X[:, :64]), plain, atol=1e-5)  # the mapped part is unchanged


def test_corpus_components_are_saved_and_dropped_by_a_refit(tmp_path):
    texts, _ = _corpus()
    emb = _embedder("test-unused-name", tmp_path, corpus_components=3)
    emb.teacher = CountingTeacher()
    emb.fit(texts)
    state, arrays = emb.get_state()
    assert {"corpus_columns_", "corpus_idf_", "corpus_vectors_"} <= set(arrays)
    loaded = AdaptedEmbedder.from_state(state, arrays)
    new = ["a late penalty decided the match", texts[3]]
    assert np.array_equal(loaded.transform(new), emb.transform(new))
    emb.set_params(corpus_components=0).fit(texts)
    assert not hasattr(emb, "corpus_vectors_") and emb.transform(new).shape == (2, 64)


@pytest.mark.parametrize(
    ("param", "value"),
    [("corpus_components", -1), ("corpus_components", 2.5), ("corpus_weight", 0)],
)
def test_bad_corpus_component_parameters_are_named(tmp_path, param, value):
    with pytest.raises(ConfigError, match=param):
        _embedder(CountingTeacher(), tmp_path, **{param: value}).fit(_corpus(12)[0])


def test_fast_mode_appends_corpus_components_to_english_passages_only():
    from topiclab.config import RunConfig
    from topiclab.pipeline.speed import FAST_CORPUS_COMPONENTS
    from topiclab.pipeline.stages import _adapted_embedder

    section = RunConfig(speed="fast").section("embed")
    assert _adapted_embedder(section).corpus_components == FAST_CORPUS_COMPONENTS > 0
    # hashed English words would tell the languages apart, not the themes
    assert _adapted_embedder(section, multilingual=True).corpus_components == 0


def test_a_model_folder_keeps_the_corpus_components(tmp_path):
    from topiclab.storage.model_state import _embedder_state, _load_embedder

    texts, _ = _corpus()
    emb = _embedder("test-unused-name", tmp_path, corpus_components=3)
    emb.teacher = CountingTeacher()
    X = emb.fit_transform(texts)
    arrays: dict[str, np.ndarray] = {}
    saved = _embedder_state(emb, arrays)
    assert "embedder_corpus_vectors_" in arrays
    loaded = _load_embedder(saved, arrays)
    assert loaded.dim_ == 67 and np.array_equal(loaded.transform(texts[:5]), X[:5])


def test_a_corpus_too_small_for_a_direction_gets_none(tmp_path):
    from scipy.sparse import csr_matrix

    from topiclab.features.adapted import corpus_lsa

    cols, _idf, comp = corpus_lsa(csr_matrix(np.ones((6, 1), dtype=np.float32)), 10)
    assert cols.tolist() == [0] and comp.shape == (0, 1)
    texts = ["goal" + "!" * i for i in range(12)]  # twelve texts, one word
    emb = _embedder(CountingTeacher(), tmp_path, corpus_components=5, min_sample=4)
    X = emb.fit_transform(texts)
    assert X.shape == (12, 64) == (12, emb.dim_) and np.isfinite(X).all()
    assert np.array_equal(emb.transform(texts), X)
