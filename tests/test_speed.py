"""Speed modes: configuration, the choice by corpus size, granularity, the static model."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topiclab.config import RunConfig
from topiclab.errors import ConfigError
from topiclab.ingest.segment import merge_short_documents
from topiclab.pipeline.speed import SPEEDS, choose_speed, speed_settings
from topiclab.pipeline.stages import EmbedStage, coherence_reference


def test_config_accepts_speeds_and_rejects_others():
    for speed in (*SPEEDS, None):
        cfg = RunConfig(speed=speed)
        assert RunConfig.from_dict(cfg.to_dict()).speed == speed
        for name in ("prepare", "embed", "lda", "score"):
            assert cfg.section(name).speed == speed
    with pytest.raises(ConfigError, match="speed"):
        RunConfig(speed="turbo")


def test_cli_speed_option():
    from topiclab.cli import _config_from_args, build_parser

    args = build_parser().parse_args(["run", "--speed", "fast"])
    assert _config_from_args(args).speed == "fast"
    args = build_parser().parse_args(["run"])
    assert _config_from_args(args).speed is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--speed", "turbo"])


def test_estimator_passes_speed():
    from topiclab import TopicLab

    assert TopicLab(speed="balanced")._config().speed == "balanced"
    assert TopicLab().get_params()["speed"] is None


def test_choice_grows_with_corpus_size():
    sizes = (10, 1_000, 5_000, 50_000, 500_000)
    order = [SPEEDS.index(choose_speed(n, True)[0]) for n in sizes]
    assert order == sorted(order, reverse=True)
    assert choose_speed(10)[0] == "best" and choose_speed(500_000, True)[0] == "fast"
    speed, reason = choose_speed(500_000, static_available=False)
    assert speed == "balanced" and "model2vec" in reason
    assert all(str(n) in choose_speed(n)[1].replace(",", "") for n in (10, 50_000))


def test_fast_mode_does_less_than_best():
    fast, best = speed_settings("fast"), speed_settings("best")
    assert best.whole_doc_words == 0 and fast.whole_doc_words > 0
    assert fast.coherence_max_docs is not None and best.coherence_max_docs is None
    with pytest.raises(ConfigError):
        speed_settings("turbo")


def _passages(sizes: dict[str, list[int]]) -> pd.DataFrame:
    rows = []
    for doc, parts in sizes.items():
        for i, n in enumerate(parts):
            words = " ".join(f"{doc}{i}w{j}" for j in range(n))
            rows.append({"passage_id": f"{doc}-{i}", "doc_id": doc, "lang": "en", "text": words})
    return pd.DataFrame(rows)


def test_short_documents_become_one_passage_long_ones_keep_theirs():
    p = _passages({"a": [30, 40], "b": [200, 250, 100], "c": [10], "d": [5, 5, 5]})
    out = merge_short_documents(p, 100)
    assert out["doc_id"].tolist() == ["a", "b", "b", "b", "c", "d"]  # order kept
    merged_a = out.loc[out["doc_id"] == "a", "text"].item()
    assert merged_a == "\n\n".join(p.loc[p["doc_id"] == "a", "text"])
    assert out.loc[out["doc_id"] == "a", "passage_id"].item() == "a-0"
    assert out.loc[out["doc_id"] == "b", "text"].tolist() == p.loc[2:4, "text"].tolist()
    assert list(out.columns) == list(p.columns)
    # every word survives, none is duplicated
    assert sorted(" ".join(out["text"]).split()) == sorted(" ".join(p["text"]).split())


def test_no_merge_leaves_the_table_alone():
    p = _passages({"a": [30, 40], "b": [20]})
    assert merge_short_documents(p, 0) is p
    assert merge_short_documents(p, 50) is p  # "a" has 70 words, "b" one passage


def test_coherence_reference_is_a_seeded_sample():
    tokens = [[f"w{i}", "x"] for i in range(100)]
    ref, note = coherence_reference(tokens, 30)
    again, _ = coherence_reference(tokens, 30)
    assert len(ref) == 30 and ref == again and "30 of the 100" in note
    assert len({tuple(t) for t in ref}) == 30
    whole, note = coherence_reference(tokens, None)
    assert whole is tokens and "all 100" in note


@pytest.mark.parametrize(
    ("speed", "langs", "model"),
    [
        ("fast", ["en", "en"], "minilm-adapted"),
        ("best", ["en"], "minilm"),
        (None, ["en"], "minilm"),
        ("fast", ["en", "ar"], "use-adapted"),
        ("fast", ["zh"], "use-adapted"),
        ("balanced", ["en", "ar"], "use-multilingual"),
        (None, ["en", "zh"], "use-multilingual"),
    ],
)
def test_embedding_model_follows_speed(speed, langs, model):
    stage = EmbedStage(RunConfig(speed=speed).section("embed"))
    assert stage._make(langs).model == model  # the model is only named, not loaded


def test_explicit_model_wins_over_speed():
    stage = EmbedStage(RunConfig(speed="fast", embedding_model="minilm").section("embed"))
    assert stage._make(["en"]).model == "minilm"


def test_explicit_multilingual_model_wins_over_fast_mode():
    config = RunConfig(speed="fast", embedding_model="use-multilingual")
    assert EmbedStage(config.section("embed"))._make(["en", "ar"]).model == "use-multilingual"
    forced_en = RunConfig(speed="fast", lang_mode="en").section("embed")
    assert EmbedStage(forced_en)._make(["en", "ar"]).model == "minilm-adapted"


def test_fast_mode_maps_multilingual_corpora_from_their_static_model():
    stage = EmbedStage(RunConfig(speed="fast", seed=3).section("embed"))
    emb = stage._make(["ar", "zh", "en"])
    assert (emb.teacher, emb.static, emb.features) == ("use-multilingual", "use-static", "static")
    assert emb.random_state == stage._make(["ar"]).random_state
    # an engine that cannot fit on the corpus gets the static model alone
    assert stage._make(["ar", "en"], adapt=False).model == "use-static"


def test_fast_mode_keeps_use_for_every_passage_of_a_small_multilingual_corpus(monkeypatch, caplog):
    import topiclab.pipeline.speed as speed

    stage = EmbedStage(RunConfig(speed="fast").section("embed"))
    texts = [
        "中国新能源汽车出口增长",
        "Battery makers expand storage plants",
        "中国新能源汽车出口增长",
    ]
    n_chars = len(texts[0]) + len(texts[1])  # distinct texts only
    with caplog.at_level("INFO", logger="topiclab.pipeline.stages"):
        small = stage._make(["zh", "en", "zh"], texts=texts)
    assert small.model == "use-multilingual"
    assert f"their {n_chars:,} characters" in caplog.text
    monkeypatch.setattr(speed, "FAST_MULTILINGUAL_WHOLE_CHARS", n_chars - 1)
    large = stage._make(["zh", "en", "zh"], texts=texts)
    assert (large.teacher, large.static) == ("use-multilingual", "use-static")
    # above the limit USE still reads as many characters, shortest passages after the sample
    assert large.sample_chars == n_chars - 1 and large.features == "static"
    # English corpora keep fast mode's map whatever their size
    assert stage._make(["en"], texts=texts[1:2]).model == "minilm-adapted"


def test_fast_choice_names_the_multilingual_static_model():
    _, english = choose_speed(100_000, static_available=True, languages=["en", "und"])
    speed, mixed = choose_speed(100_000, static_available=True, languages=["en", "ar", "zh"])
    assert speed == "fast" and "use-adapted" in mixed and "ar, en, zh" in mixed
    assert "use-adapted" not in english


def test_distilled_once_into_the_cache(tmp_path, monkeypatch):
    import topiclab.features.static as static

    calls = []

    class FakeModel:
        def save_pretrained(self, folder):
            from pathlib import Path

            Path(folder).mkdir(parents=True)
            (Path(folder) / "model.safetensors").write_bytes(b"weights")

    def fake_distill(model_name, pca_dims):
        calls.append((model_name, pca_dims))
        return FakeModel()

    distill_mod = types.ModuleType("model2vec.distill")
    distill_mod.distill = fake_distill
    monkeypatch.setitem(sys.modules, "model2vec.distill", distill_mod)
    folder = static.static_model_dir(tmp_path, pca_dims=64)
    assert folder.parent == tmp_path / "static-models" and "pca64" in folder.name
    out = static.distill_static(folder, pca_dims=64)
    assert out == folder and (folder / "model.safetensors").read_bytes() == b"weights"
    assert json.loads((folder / static._MARKER).read_text())["pca_dims"] == 64
    assert static.distill_static(folder, pca_dims=64) == folder
    assert len(calls) == 1  # the second call found the model
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temporary left


def test_a_failed_distillation_leaves_nothing(tmp_path, monkeypatch):
    import topiclab.features.static as static

    def broken(model_name, pca_dims):
        raise RuntimeError("interrupted")

    distill_mod = types.ModuleType("model2vec.distill")
    distill_mod.distill = broken
    monkeypatch.setitem(sys.modules, "model2vec.distill", distill_mod)
    folder = tmp_path / "static-models" / "m"
    with pytest.raises(RuntimeError):
        static.distill_static(folder)
    assert not folder.exists()
    assert not folder.parent.exists() or list(folder.parent.iterdir()) == []


def test_a_model_failing_half_written_leaves_nothing(tmp_path):
    import topiclab.features.static as static

    class HalfWritten:
        def save_pretrained(self, path):
            Path(path).mkdir(parents=True)
            (Path(path) / "model.safetensors").write_bytes(b"partial")
            raise OSError("disk full")

    folder = tmp_path / "static-models" / "m"
    with pytest.raises(OSError, match="disk full"):
        static.publish_model(HalfWritten(), folder, {"teacher": "t"})
    assert not folder.exists() and list(folder.parent.iterdir()) == []


@pytest.mark.slow
def test_static_model_embeds_like_its_teacher_ranks(tmp_path):
    """The distilled model (from the cache; distilled here when absent) ranks a paraphrase
    above an unrelated text, and its vectors are cached like any other model's."""
    pytest.importorskip("model2vec")
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.features.static import static_model_dir

    if not (static_model_dir() / "topiclab-distilled.json").is_file():
        pytest.skip("the static model has not been distilled on this machine")
    emb = SentenceEmbedder("minilm-static", cache_dir=tmp_path, progress=False).fit()
    texts = [
        "The central bank raised interest rates to fight inflation.",
        "Interest rates went up as the central bank acts against rising prices.",
        "The goalkeeper saved a penalty in the final minute of the match.",
    ]
    X = emb.transform(texts)
    assert X.shape == (3, emb.dim_) and np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
    assert X[0] @ X[1] > X[0] @ X[2]
    assert emb.identity_["window"] is None and "static" in emb.model_id_
    assert np.array_equal(emb.transform(texts), X)  # served from the cache


def test_batches_cover_every_text_within_the_token_budget():
    from topiclab.features.sorted_encode import plan_batches

    lengths = np.random.default_rng(0).integers(1, 300, size=500)
    batches = plan_batches(lengths, batch_tokens=4096, max_batch=64)
    assert sorted(np.concatenate(batches).tolist()) == list(range(500))
    for b in batches:
        assert len(b) <= 64 and (len(b) == 1 or len(b) * lengths[b].max() <= 4096)
    longest = [lengths[b].max() for b in batches]
    assert longest == sorted(longest, reverse=True)  # longest first, similar lengths together


@pytest.mark.slow
def test_sorted_encode_matches_sentence_transformers_on_cpu():
    """The accelerator loop gives encode()'s vectors (fp32 on the CPU here)."""
    from topiclab.features.embed import _load_backend
    from topiclab.features.sorted_encode import sorted_mean_pool_encode, supports_sorted_encode

    model = _load_backend("minilm", "cpu", None).model
    assert supports_sorted_encode(model)
    texts = [
        "Short one.",
        "A much longer text about batteries and the grid. " * 12,
        "Mid text here.",
    ]
    ours = sorted_mean_pool_encode(model, texts, batch_tokens=64, max_batch=2)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    ref = model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    assert np.min(np.sum(ours * ref, axis=1)) > 0.9999


def test_fast_mode_fits_one_short_gibbs_chain_per_k():
    import scipy.sparse as sp

    from topiclab.config import LDASection
    from topiclab.pipeline.lda_view import fit_lda

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    tokens = [list(rng.choice(words[(d % 3) * 10 : (d % 3) * 10 + 10], size=12)) for d in range(60)]
    counts = sp.csr_matrix(
        np.array([[doc.count(w) for w in words] for doc in tokens], dtype=np.float64)
    )
    fits = {}
    for speed in ("fast", "best"):
        section = LDASection(n_topics=3, lda_backend="gibbs", speed=speed, progress=False)
        fits[speed] = fit_lda(counts, tokens, words, section, seed=0)
    lda, selection = fits["fast"]
    assert selection["restarts"] == 1 and lda.iterations == selection["gibbs_iterations"]
    assert lda.iterations < fits["best"][0].iterations
    assert fits["best"][1]["restarts"] == LDASection().lda_restarts


def test_the_run_tokenises_its_passages_once(seed_corpus, monkeypatch):
    from conftest import HashEncoder

    import topiclab.analysis._groups as groups
    from topiclab.config import RunConfig
    from topiclab.pipeline import run

    def tokenise_again(passages):
        raise AssertionError("the derived tables tokenised the passages a second time")

    monkeypatch.setattr(groups, "passage_tokens", tokenise_again)
    result, _ = run(seed_corpus, RunConfig(seed=0, progress=False), embedder=HashEncoder())
    assert "themes_over_time" in result.analyses
    # CPU seconds of every timed stage beside its wall seconds
    cpu, wall = result.meta["cpu_timings"], result.meta["timings"]
    assert {"ingest_s", "vectorize_s", "cluster_s", "lda_s", "map_s"} <= set(cpu)
    assert all(v >= 0.0 for v in cpu.values())
    assert sum(v for k, v in cpu.items() if k != "total_s") <= cpu["total_s"] + 1e-6
    assert set(cpu) <= set(wall) | {"total_s"}


def test_the_map_takes_only_a_neighbour_graph_of_its_own_rows():
    from topiclab.models import EmbeddingClusterer, reduce_2d
    from topiclab.pipeline.embedding_view import neighbour_graph

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 8))[rng.integers(3, size=60)] * 3 + rng.normal(size=(60, 8))
    # no UMAP graph to share: PCA, or no reduction at all for a few dozen rows
    assert neighbour_graph(EmbeddingClusterer(n_clusters=3, reducer="pca").fit(X)) is None
    assert neighbour_graph(EmbeddingClusterer(n_clusters=3, random_state=0).fit(X)) is None
    other = (np.zeros((10, 15), dtype=np.int64), np.zeros((10, 15), dtype=np.float32), None)
    np.testing.assert_allclose(
        reduce_2d(X, random_state=0, precomputed_knn=other), reduce_2d(X, random_state=0)
    )


def test_only_static_vectors_lose_their_common_direction():
    from topiclab.features.adapted import AdaptedEmbedder
    from topiclab.pipeline.embedding_view import _static_embeddings

    mapped = AdaptedEmbedder(teacher="use-multilingual", static="use-static", features="static")
    mapped.model_id_ = "use-multilingual-v3 adapted on 200 sampled texts (static features)"
    static = types.SimpleNamespace(model="use-static", model_id_="use-multilingual-v3 static")
    assert not _static_embeddings(types.SimpleNamespace(embedder=mapped))
    assert _static_embeddings(types.SimpleNamespace(embedder=static))


def test_multilingual_static_vectors_lose_their_language_direction_too():
    from topiclab.pipeline.embedding_view import _strip_directions

    def state(model, model_id):
        return types.SimpleNamespace(
            embedder=types.SimpleNamespace(model=model, model_id_=model_id)
        )

    assert _strip_directions(state("use-static", "use-multilingual-v3 static, 256 dims")) == 2
    assert _strip_directions(state("minilm-static", "all-MiniLM-L6-v2 static, 256 dims")) == 1
    assert _strip_directions(state("minilm", "all-MiniLM-L6-v2")) == 0
