"""The Spark engine: clear errors without Spark, the seed corpus end to end, same answers.

Spark tests share one ``local[2]`` session; they skip (with the reason) where pyspark or a
Java runtime is missing, except in CI (``CI`` set), where ``.ci/run`` installs Java and a
missing runtime is a failure.
"""

from __future__ import annotations

import gzip
import json
import os
import sys

import numpy as np
import pytest
from conftest import HashEncoder

from topiclab.errors import EngineUnavailableError, TopiclabError


def _spark_or_skip():
    from topiclab.engines.spark import get_session

    try:
        return get_session("local[2]", conf={"spark.sql.shuffle.partitions": "4"})
    except EngineUnavailableError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Spark tests: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def spark():
    session = _spark_or_skip()
    yield session
    session.stop()


class LSAEncoder:
    """Deterministic per-text vectors (TF-IDF + SVD fitted once), shipped to the executors."""

    model_id = "test-lsa-encoder"

    def __init__(self, texts, dim=64, seed=0):
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True, stop_words="english").fit(texts)
        self.svd = TruncatedSVD(dim, random_state=seed).fit(self.tfidf.transform(texts))

    def encode(self, texts):
        X = self.svd.transform(self.tfidf.transform(list(texts)))
        X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        return X.astype(np.float32)


# --------------------------------------------------------------------------- no Spark needed
def test_missing_pyspark_names_what_to_install(monkeypatch):
    from topiclab.engines.spark import require_spark

    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(EngineUnavailableError, match=r"topiclab\[spark\]") as info:
        require_spark()
    assert isinstance(info.value, TopiclabError) and isinstance(info.value, ImportError)


def test_missing_java_names_what_to_install(monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    from topiclab.engines.spark import require_spark

    monkeypatch.setenv("JAVA_HOME", str(tmp_path))  # no bin/java there
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailableError, match="openjdk-17-jre-headless"):
        require_spark()


def test_cli_reports_missing_engine(monkeypatch, tmp_path, capsys):
    from topiclab.cli import main

    monkeypatch.setitem(sys.modules, "pyspark", None)
    rc = main(["-q", "run", "corpus/", "--engine", "spark", "--out", str(tmp_path / "r")])
    assert rc == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("field", "value"), [("by", ("source",)), ("stability", 3), ("date_field", "date")]
)
def test_analyses_not_on_spark_are_refused_by_name(field, value):
    from topiclab.config import RunConfig
    from topiclab.engines.spark import run_spark
    from topiclab.errors import ConfigError

    with pytest.raises(ConfigError, match=field):
        run_spark("corpus/", RunConfig(**{field: value}))


def test_frames_leave_mapinpandas_as_plain_arrow_arrays():
    """Columns pyarrow would hand to Spark as chunked arrays become plain ones."""
    pytest.importorskip("pyspark")
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql.conversion import PandasToArrowConversion
    from pyspark.sql.types import ArrayType, DoubleType, StringType, StructField, StructType

    from topiclab.engines.spark.frames import arrow_ready

    schema = StructType(
        [
            StructField("outlet", StringType()),  # empty in the whole batch: float64 NaN
            StructField("text", StringType()),  # pandas' Arrow-backed strings, two chunks
            StructField("tokens", ArrayType(StringType())),
            StructField("score", DoubleType()),
        ]
    )
    table = pa.Table.from_batches(
        [
            pa.record_batch({"text": ["one", None]}),
            pa.record_batch({"text": ["three", "four"]}),
        ]
    )
    pdf = pd.DataFrame(
        {
            "outlet": [np.nan] * 4,
            "text": table.to_pandas()["text"],
            "tokens": [["a"], [], ["b", "c"], None],
            "score": [0.5, np.nan, 1.0, 2.0],
        }
    )
    ready = arrow_ready(pdf, {"outlet", "text"})
    batch = PandasToArrowConversion.convert(ready, schema)
    assert batch.num_rows == 4
    assert batch.column("outlet").to_pylist() == [None] * 4
    assert batch.column("text").to_pylist() == ["one", None, "three", "four"]
    assert batch.column("tokens").to_pylist() == [["a"], [], ["b", "c"], None]
    assert batch.column("score").to_pylist()[2:] == [1.0, 2.0]


@pytest.mark.parametrize(
    ("gib", "expected"), [(1, "2g"), (7, "2g"), (23, "5g"), (64, "16g"), (512, "16g")]
)
def test_local_driver_memory_is_a_quarter_of_the_machine(monkeypatch, gib, expected):
    from topiclab.engines.spark import session

    sizes = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": gib * 2**30 // 4096}
    monkeypatch.setattr(session.os, "sysconf", lambda name: sizes[name])
    assert session.local_driver_memory() == expected


def test_unknown_lda_optimizer_is_refused_by_name():
    from topiclab.engines.spark import SparkOptions
    from topiclab.errors import ConfigError

    with pytest.raises(ConfigError, match="lda_optimizer"):
        SparkOptions(lda_optimizer="gibbs")


def test_cli_spark_lda_optimizer_shows_its_default(capsys):
    from topiclab.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--spark-lda-optimizer {em,online}" in text
    assert "(default: em)" in text.split("--spark-lda-optimizer {em,online}")[-1]


def test_cli_refuses_spark_lda_optimizer_without_spark(tmp_path, capsys):
    from topiclab.cli import main

    out = tmp_path / "r"
    rc = main(["run", "corpus/", "--spark-lda-optimizer", "online", "--out", str(out)])
    assert rc == 1
    err = capsys.readouterr().err
    assert "--spark-lda-optimizer" in err and "--engine spark" in err
    assert not out.exists()


@pytest.mark.parametrize(("flag", "expected"), [([], "em"), (["online"], "online")])
def test_cli_passes_the_lda_optimizer_to_the_spark_engine(monkeypatch, tmp_path, flag, expected):
    import topiclab.engines.spark as engine
    from topiclab.cli import main
    from topiclab.errors import ConfigError

    seen = {}

    def fake_run_spark(source, config, *, options, **kwargs):
        seen["options"] = options
        raise ConfigError("stopped before any work")

    monkeypatch.setattr(engine, "run_spark", fake_run_spark)
    words = ["--spark-lda-optimizer", *flag] if flag else []
    args = ["-q", "run", "corpus/", "--engine", "spark", *words, "--out", str(tmp_path / "r")]
    assert main(args) == 1
    assert seen["options"].lda_optimizer == expected


# --------------------------------------------------------------------------- on local[2]
@pytest.mark.spark
@pytest.mark.slow
def test_seed_corpus_runs_on_spark_and_loads(spark, corpus_dir, seed_corpus, tmp_path):
    import topiclab
    from topiclab.config import RunConfig
    from topiclab.storage.runs import save_run

    config = RunConfig(seed=0, n_themes=3, n_topics=3, progress=False)
    result, model = topiclab.run(
        corpus_dir, config, engine="spark", spark=spark, embedder=HashEncoder()
    )
    out = save_run(tmp_path / "run", result, model, figures=False, report=True)

    # the same passages as the in-memory ingest (ids come from the same file names)
    loaded = topiclab.load(out)
    passages = loaded.result.passages
    assert sorted(passages["passage_id"]) == sorted(seed_corpus.passages["passage_id"])
    assert (out / "passages.parquet").is_dir()  # a partitioned dataset
    sums = json.loads((out / "checksums.json").read_text())
    assert any(k.startswith("passages.parquet/part-") for k in sums)
    assert (out / "cleaning_log.jsonl").is_dir() and loaded.result.cleaning_log

    # every passage has a theme and a topic; sizes in themes.json are the exact counts
    assert set(loaded.result.views) == {"embedding", "lda"}
    for name, column in (("embedding", "theme"), ("lda", "lda_topic")):
        counts = passages[column].value_counts()
        table = loaded.result.views[name].table
        assert {t.id: t.size for t in table} == {int(k): int(v) for k, v in counts.items()} | {
            t.id: 0 for t in table if t.id not in counts.index
        }
        assert all(t.terms.get("all") for t in table if t.size)
    mix = loaded.result.views["embedding"].mixture
    assert np.allclose(mix.sum(axis=1), 1.0)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["embedding"]["sampled_scores"]["scored_on"] == "sample"
    assert metrics["lda"]["optimizer"] == "mllib-em"  # the default optimizer, as it ran
    engine = json.loads((out / "meta.json").read_text())["engine"]
    assert engine["name"] == "spark" and engine["lda_optimizer"] == "em"
    # 34 passages: the full pipeline, chosen as in memory and recorded with the reason
    assert engine["speed"]["mode"] == "best" and "34 passages" in engine["speed"]["chosen"]

    # the fitted model assigns the fit's passages as the run did (one code path)
    sub = passages.head(12)
    pred = model.predict(sub["text"].tolist(), doc_ids=sub["doc_id"].tolist())
    full = passages[passages["doc_id"].isin(set(sub["doc_id"]))]
    pred_full = model.predict(full["text"].tolist(), doc_ids=full["doc_id"].tolist())
    assert (pred_full["theme"].to_numpy() == full["theme"].to_numpy()).all()
    assert len(pred) == 12
    assert set(pred["theme"]) <= {t.id for t in loaded.result.views["embedding"].table}


@pytest.mark.spark
def test_ingest_keeps_a_column_empty_in_every_record(spark, tmp_path):
    """A metadata column that no record fills survives ingest (all null, as read)."""
    from topiclab.engines.spark.ingest import ingest

    text = (
        "The city council voted on the budget for new school buildings downtown. "
        "The mayor spoke at length about taxes, roads and the bus network."
    )
    rows = [{"id": f"a{i}", "text": f"Report {i}. {text}", "outlet": None} for i in range(4)]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    corpus = ingest(spark, str(path))
    docs = corpus.documents.toPandas().sort_values("doc_id")
    assert docs["doc_id"].tolist() == ["a0", "a1", "a2", "a3"]
    assert docs["outlet"].isna().all()
    assert corpus.passages.count() >= 4


@pytest.mark.spark
def test_mllib_kmeans_keeps_the_in_memory_partition_of_unit_vectors(spark):
    """Unit vectors made on the executors; MLlib started from scikit-learn's centres keeps them."""
    from pyspark import cloudpickle
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from topiclab.engines.spark.stages import (
        _apply_partitions,
        _map_with,
        _mllib_kmeans,
        _Prepared,
        _sample_centers,
    )

    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 0.4, (30, 4)) + 2 * np.eye(4)[j] for j in range(4)])
    X[0] = 0.0  # a zero row stays zero
    rows = [(f"p{i:03d}", [float(v) for v in x]) for i, x in enumerate(X)]
    df = spark.createDataFrame(rows, "passage_id string, ctx array<float>")
    payload = cloudpickle.dumps(_Prepared(None, None, None))
    df = _map_with(df, _apply_partitions(payload, "reduce", "ctx", "z"), "z:array<double>")
    got = df.orderBy("passage_id").toPandas()
    Z = np.vstack(got["z"].to_numpy())
    X32 = X.astype(np.float32).astype(np.float64)
    unit = X32 / np.maximum(np.linalg.norm(X32, axis=1, keepdims=True), 1e-12)
    np.testing.assert_allclose(Z, unit, atol=1e-6)
    expected = KMeans(n_clusters=4, n_init=10, random_state=3).fit(Z).labels_
    raw = _mllib_kmeans(df, "z", _sample_centers(Z, 4, 3)).toPandas()
    labels = raw.set_index("passage_id").loc[got["passage_id"], "_raw"].to_numpy()
    assert adjusted_rand_score(expected, labels) == 1.0


@pytest.mark.spark
def test_spark_samples_the_passages_the_in_memory_rule_samples(spark):
    """The MD5 rule in Spark SQL marks exactly the passages :func:`sample_mask` marks.

    It hashes the passage text, Arabic and Chinese included (UTF-8 bytes in both).
    """
    from topiclab.engines.spark.stages import _in_sample
    from topiclab.models.layout import sample_mask

    texts = [f"Passage {i} of doc{i % 7}." for i in range(3000)] + ["نص المقال", "文章的段落"]
    rows = [(f"p{i}", t) for i, t in enumerate(texts)]
    df = spark.createDataFrame(rows, "passage_id string, text string")
    got = df.withColumn("_s", _in_sample(500 / len(texts))).toPandas()
    flags = dict(zip(got["text"], got["_s"], strict=True))
    expected = sample_mask(texts, 500)
    assert [bool(flags[t]) for t in texts] == expected.tolist()
    assert 400 <= expected.sum() <= 600


@pytest.mark.spark
def test_spark_removes_the_common_directions_of_every_passage(spark):
    """Moments summed over partitions give the in-memory engine's directions."""
    from topiclab.engines.spark.stages import _common_directions
    from topiclab.models.cluster import strip_common_directions
    from topiclab.models.layout import remove_directions

    rng = np.random.RandomState(1)
    X = (2.0 + rng.normal(size=(200, 6))).astype(np.float32)
    df = spark.createDataFrame(
        [(f"p{i}", [float(v) for v in x]) for i, x in enumerate(X)],
        "passage_id string, ctx array<float>",
    ).repartition(3)
    mean, top = _common_directions(df, "ctx", 1)
    Xn = X.astype(np.float64) / np.linalg.norm(X.astype(np.float64), axis=1, keepdims=True)
    np.testing.assert_allclose(
        remove_directions(Xn, mean, top), strip_common_directions(Xn, 1), atol=1e-8
    )


@pytest.fixture(scope="session")
def news_slice(shared_corpora, tmp_path_factory):
    """300 posts of 6 well-separated 20 Newsgroups groups (with their ids), as JSON lines."""
    groups = {
        "rec.sport.hockey",
        "sci.space",
        "comp.graphics",
        "talk.politics.mideast",
        "rec.autos",
        "sci.med",
    }
    path = shared_corpora / "20newsgroups" / "docs.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    rows, seen = [], {g: 0 for g in groups}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            label = rec.get("label") or rec.get("group")
            if label in seen and seen[label] < 50:
                seen[label] += 1
                rows.append({"id": rec["id"], "text": rec["text"], "label": label})
    out = tmp_path_factory.mktemp("news") / "slice.jsonl"
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return out


def _compare_engines(spark, news_slice, **changes):
    """Themes of the in-memory engine (seeds 0 and 1) and the Spark engine, same vectors."""
    from sklearn.metrics import adjusted_rand_score as ari

    import topiclab
    from topiclab.config import RunConfig
    from topiclab.ingest import load

    corpus = load(news_slice)
    encoder = LSAEncoder(corpus.passages["text"].tolist())
    labels = corpus.documents.set_index("doc_id")["label"]

    def config(seed):  # the default settings (UMAP neighbourhood by the size rule)
        return RunConfig(seed=seed, n_themes=6, n_topics=6, progress=False, **changes)

    mem_result, _ = topiclab.run(corpus, config(0), embedder=encoder)
    mem1, _ = topiclab.run(corpus, config(1), embedder=encoder)
    result, _ = topiclab.run(news_slice, config(0), engine="spark", spark=spark, embedder=encoder)
    m0 = mem_result.passages.set_index("passage_id")
    m1 = mem1.passages.set_index("passage_id")
    s = result.passages.set_index("passage_id")  # the sample: every passage at this size
    common = m0.index.intersection(s.index)
    truth = labels.loc[m0.loc[common, "doc_id"]].to_numpy()
    return {
        "n_common": len(common),
        "n_memory": len(m0),
        "spark_doc_ids": set(s["doc_id"]),
        "labels": labels,
        "seed_ari": ari(m0.loc[common, "theme"], m1.loc[common, "theme"]),
        "engine_ari": ari(m0.loc[common, "theme"], s.loc[common, "theme"]),
        "memory_label_ari": ari(truth, m0.loc[common, "theme"]),
        "spark_label_ari": ari(truth, s.loc[common, "theme"]),
        "memory_npmi": mem_result.metrics["lda"]["npmi"],
        "spark_npmi": result.metrics["lda"]["npmi"],
        "spark_clustering": result.metrics["embedding"]["clustering"],
    }


@pytest.fixture(scope="module")
def both_engines(spark, news_slice):
    return _compare_engines(spark, news_slice)


@pytest.fixture(scope="module")
def sampled_engines(spark, news_slice):
    """Both engines laying out a sample of about 500 of the slice's passages."""
    return _compare_engines(spark, news_slice, layout_sample=500)


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.shared
def test_spark_agrees_with_memory_on_20_newsgroups(both_engines):
    r = both_engines
    assert r["n_common"] >= 0.95 * r["n_memory"]  # the same passages
    assert r["spark_doc_ids"] <= set(r["labels"].index)  # the records' own ids, as in memory
    assert r["engine_ari"] >= r["seed_ari"] - 0.05, (r["engine_ari"], r["seed_ari"])


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.shared
def test_spark_widens_the_umap_neighbourhood_by_the_in_memory_rule(both_engines):
    """The size rule on the whole corpus's passage count, as the in-memory engine applies it."""
    from topiclab.models.reduce import cluster_neighbors

    clustering = both_engines["spark_clustering"]
    assert clustering["n_neighbors"] == cluster_neighbors(both_engines["n_memory"])
    assert clustering["n_neighbors"] > 15  # the slice is large enough to widen it


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.shared
def test_spark_lda_reaches_the_memory_npmi_on_20_newsgroups(both_engines):
    """MLlib's EM LDA with the Gibbs sampler's priors: coherence comparable to in memory."""
    r = both_engines
    assert np.isfinite(r["spark_npmi"])
    assert r["spark_npmi"] >= r["memory_npmi"] - 0.05, (r["spark_npmi"], r["memory_npmi"])


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.shared
def test_spark_matches_memory_label_ari_on_20_newsgroups(both_engines):
    r = both_engines
    assert r["spark_label_ari"] >= r["memory_label_ari"] - 0.03, (
        r["spark_label_ari"],
        r["memory_label_ari"],
    )


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.shared
def test_spark_agrees_with_memory_when_both_lay_out_a_sample(sampled_engines):
    """Both engines fit UMAP on the same hashed sample, in the same order, and place the rest."""
    r = sampled_engines
    assert r["n_common"] >= 0.95 * r["n_memory"]
    assert r["n_memory"] > 2 * 500  # the layout saw fewer than half of the passages
    assert r["spark_clustering"]["reducer_fitted_on"] < 0.6 * r["n_memory"]
    assert r["engine_ari"] >= r["seed_ari"] - 0.05, (r["engine_ari"], r["seed_ari"])
    assert r["spark_label_ari"] >= r["memory_label_ari"] - 0.03


# --------------------------------------------------------------------------- speed modes
_WORDS = (
    "council budget school harbour union contract river bridge farmers market prices rain "
    "season hospital doctors patients vaccine league match coach goal striker election "
    "voters ballot minister parliament tax reform train station tunnel engineers museum "
    "painting artist concert orchestra festival village mountain snow road traffic police "
    "court judge verdict factory workers wages energy solar wind battery export import"
).split()
_ARABIC = (
    "المدينة المجلس الميزانية المدرسة الميناء النقابة العقد النهر الجسر المزارعين السوق "
    "الأسعار المطر المستشفى الأطباء المرضى اللقاح الدوري المباراة المدرب الهدف الانتخابات"
).split()
_CHINESE = "城市议会预算学校港口工会合同河流桥梁农民市场价格雨季医院医生病人疫苗联赛比赛教练"


def _paragraph(rng, n, words, sep=" "):
    out = []
    for i in range(n):
        out.append(rng.choice(words))
        if sep == " " and i % 11 == 10:
            out[-1] += "."
    return sep.join(out) + ("." if sep == " " else "。")


@pytest.fixture(scope="module")
def speed_slice(tmp_path_factory):
    """Articles whose sizes straddle the speed modes' whole-document limits (200 and 400).

    Documents of several passages of 110-150 words (merged in balanced and fast), of 300
    words (merged in fast only), of 600 words and of one passage (never merged), in
    English, Arabic and Chinese (a Chinese character counts half a word).
    """
    import random

    rng = random.Random(0)
    shapes = {
        "short2": (_WORDS, [50, 60]),
        "short3": (_WORDS, [45, 45, 45]),
        "mid": (_WORDS, [100, 100, 100]),
        "long": (_WORDS, [120] * 5),
        "single": (_WORDS, [80]),
        "ar_short": (_ARABIC, [50, 55]),
        "ar_mid": (_ARABIC, [110, 110, 110]),
        "zh_short": (list(_CHINESE), [100, 110]),
    }
    rows = []
    for i in range(2):
        for name, (words, sizes) in shapes.items():
            sep = "" if words is not _WORDS and words is not _ARABIC else " "
            text = "\n\n".join(_paragraph(rng, n, words, sep) for n in sizes)
            rows.append({"id": f"{name}-{i}", "title": f"{name} report {i}", "text": text})
    path = tmp_path_factory.mktemp("speed") / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="module")
def speed_corpora(spark, speed_slice):
    """The slice ingested by both engines (once)."""
    from topiclab.engines.spark.ingest import ingest
    from topiclab.ingest import load

    return load(speed_slice), ingest(spark, str(speed_slice))


def _memory_passages(corpus, speed):
    from topiclab.config import PrepareSection
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.stages import PrepareStage

    state = RunState(texts=[], langs=[], doc_ids=[], corpus=corpus)
    return PrepareStage(PrepareSection(speed=speed)).fit(state).passages


def _spark_passages(spark, corpus, speed):
    from topiclab.config import PrepareSection
    from topiclab.engines.spark.stages import SparkOptions, SparkPrepareStage
    from topiclab.pipeline.base import RunState

    state = RunState(texts=[], langs=[], doc_ids=[])
    state.extras.update(spark=spark, spark_corpus=corpus)
    state = SparkPrepareStage(PrepareSection(speed=speed), SparkOptions()).fit(state)
    table = state.extras["sdf"].orderBy("_order").toPandas()
    assert state.extras["n_passages"] == len(table)  # the count the run records
    return table


@pytest.mark.spark
@pytest.mark.slow
def test_both_engines_cut_the_same_passages_in_every_speed_mode(spark, speed_corpora):
    memory, sparkc = speed_corpora
    counts = {}
    for speed in ("best", "balanced", "fast"):
        mem = _memory_passages(memory, speed)
        got = _spark_passages(spark, sparkc, speed)
        cols = ["passage_id", "doc_id", "lang", "text"]
        assert got[cols].to_dict("records") == mem[cols].to_dict("records"), speed
        counts[speed] = len(got)
    # the slice straddles both limits: each mode embeds more documents whole
    assert counts["best"] > counts["balanced"] > counts["fast"], counts


@pytest.mark.spark
def test_spark_chooses_the_speed_as_in_memory_and_logs_it(
    spark, speed_corpora, monkeypatch, caplog
):
    import logging

    import topiclab.pipeline.speed as speed_mod
    from topiclab.config import RunConfig
    from topiclab.engines.spark.speed import choose_run_speed

    memory, sparkc = speed_corpora
    monkeypatch.setattr(speed_mod, "BEST_MAX_PASSAGES", 10)  # the slice is then "balanced"
    expected, _ = speed_mod.choose_speed(len(memory.passages))
    assert expected == "balanced"
    log = logging.getLogger("topiclab.engines.spark.speed")
    # the CLI's logging setup may stop propagation at "topiclab": catch the line here
    log.addHandler(caplog.handler)
    monkeypatch.setattr(log, "propagate", False)
    try:
        with caplog.at_level(logging.INFO, logger=log.name):
            config, choice = choose_run_speed(RunConfig(), sparkc)
    finally:
        log.removeHandler(caplog.handler)
    assert config.speed == choice["mode"] == expected
    lines = [r.getMessage() for r in caplog.records if "chosen" in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith("speed=balanced chosen: ")
    given, choice = choose_run_speed(RunConfig(speed="fast"), sparkc)
    assert given.speed == "fast" and choice == {"mode": "fast", "chosen": "given"}


class SectionWordEncoder:
    """Counts of one word of each news section per text: section texts are one-hot."""

    model_id = "test-section-words"
    words = (
        "arts conflict crime disaster economy education environment health human labour "
        "lifestyle politics religion science society sport weather"
    ).split()

    def encode(self, texts):
        import re

        X = np.zeros((len(texts), len(self.words)), dtype=np.float32)
        for i, text in enumerate(texts):
            found = re.findall(r"[a-z]+", text.lower())
            for j, word in enumerate(self.words):
                X[i, j] = found.count(word)
        return X + 0.01


@pytest.mark.spark
@pytest.mark.slow
def test_both_engines_give_themes_their_news_section(spark, tmp_path):
    import topiclab
    from topiclab.config import RunConfig

    sport = "The sport final drew a crowd as the team won; sport fans cheered the striker."
    health = "Health officials opened a clinic; health workers treated patients with flu."
    rows = [
        {"id": f"{name}-{i}", "label": name, "text": f"{text} Report {i}.\n\n{text}"}
        for i in range(12)
        for name, text in (("sport", sport), ("health", health))
    ]
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    config = RunConfig(seed=0, n_themes=2, n_topics=2, progress=False)
    expected = {"sport": "Sport", "health": "Health"}
    for engine in ("memory", "spark"):
        kwargs = {"engine": "spark", "spark": spark} if engine == "spark" else {}
        result, _ = topiclab.run(path, config, embedder=SectionWordEncoder(), **kwargs)
        labels = result.documents.set_index("doc_id")["label"]
        for view in result.views.values():
            p = result.passages
            for theme in view.table:
                docs = p.loc[p[view.column] == theme.id, "doc_id"]
                majority = labels.loc[docs].value_counts().index[0]
                assert theme.section == expected[majority], (engine, view.name, theme)
    off, _ = topiclab.run(
        path,
        config.replace(sections=False),
        embedder=SectionWordEncoder(),
        engine="spark",
        spark=spark,
    )
    assert all(t.section == "" for v in off.views.values() for t in v.table)
