"""The pipeline's stages on Spark DataFrames, behind the same :class:`Stage` contract.

Each stage reads and extends one Spark DataFrame of passages (``state.extras["sdf"]``): the
vectorise stage adds ``tokens`` and ``counts``, the embed stage ``emb``, the embedding view
``ctx``, ``theme``, ``theme_score`` and ``theme_m`` (memberships), the LDA view
``lda_topic``, ``lda_topic_score`` and ``lda_topic_m``. Every per-passage computation runs on
the executors with topiclab's own code (tokeniser, embedder, the fitted clusterer's and LDA
model's ``transform``), so a Spark run's model is an ordinary :class:`ThemeModel`.

What the driver sees is small: the vocabulary, the class-term counts of each theme (per
language), the representative passages, and a deterministic sample of passages
(``_sample``: the MD5 hash of the passage text below ``SparkOptions.sample_size / n``, the
rule of :func:`topiclab.models.layout.sample_mask`) on which
phrases are learnt, the reducer is fitted, K is searched (when not given), coherence and
silhouette are scored and the map is drawn. ``metrics.json`` says which numbers come from
the sample.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from topiclab.engines.spark.frames import map_in_pandas
from topiclab.engines.spark.session import ensure_checkpoint_dir
from topiclab.errors import ConfigError, CorpusError
from topiclab.models.layout import HASH_SCALE, SamplePlacement, remove_directions
from topiclab.models.reduce import l2_normalize
from topiclab.pipeline.base import RunState, Stage, ViewState

logger = logging.getLogger(__name__)

__all__ = [
    "SamplePlacement",
    "SparkAssembleStage",
    "SparkClusterStage",
    "SparkEmbedStage",
    "SparkLDAStage",
    "SparkMapStage",
    "SparkOptions",
    "SparkPrepareStage",
    "SparkScoreStage",
    "SparkSectionStage",
    "SparkVectorizeStage",
    "spark_stages",
]

_MAX_SEED = np.iinfo(np.int32).max
#: Priors of the EM optimizer: the in-memory Gibbs sampler's alpha and eta.
EM_ALPHA, EM_ETA = 0.1, 0.01


@dataclass(frozen=True)
class SparkOptions:
    """Settings of the Spark engine (beside the run configuration).

    Attributes
    ----------
    master : str or None
        Spark master (``local[*]``, ``spark://host:7077``, ``yarn``); ``None``: the active
        session's or ``spark-submit``'s.
    sample_size : int
        Passages in the driver-side sample (phrases, reducer, K search, coherence, map).
    reducer : {"auto", "umap", "pca", "none"}
        Reduction before MLlib KMeans, fitted on the sample and applied on the executors;
        ``"auto"``: UMAP from 200 passages on, as in memory.
    kmeans : {"kmeans", "bisecting"}
        MLlib ``KMeans`` or ``BisectingKMeans``.
    lda_optimizer : {"em", "online"}
        MLlib LDA's optimizer. ``"em"`` (MAP expectation-maximisation with the in-memory
        Gibbs sampler's priors, alpha 0.1 and eta 0.01) reached the in-memory engine's
        NPMI on 20 Newsgroups; ``"online"`` (variational Bayes on mini-batches) visits a
        fraction of the rows per iteration but scored far lower there (see
        ``docs/scale.md``). EM needs a checkpoint folder (:func:`ensure_checkpoint_dir`).
    lda_em_iterations : int
        Iterations of the EM optimizer.
    lda_restarts : int or None
        MLlib LDA fits from different seeds, the best kept by the in-memory rule (NPMI +
        0.5 x diversity + 0.5 x agreement with the other fits, on the sample); ``None``:
        the LDA section's ``lda_restarts``, capped by the speed mode (fast: 1).
    lda_max_iter : int
        Most iterations of MLlib's online LDA (each sees a mini-batch of
        ``max(5%, 2,000 rows)``; the run takes ``lda_passes`` passes, capped by the speed
        mode, when this allows).
    kmeans_restarts : int
        MLlib ``BisectingKMeans`` fits from different seeds; the lowest cost is kept.
        (``KMeans`` starts from the sample's in-memory KMeans, 10 starts, and is refined
        once on every passage.)
    parallel_fits : int
        MLlib LDA restarts fitted at the same time (from driver threads, as Spark's own
        ``CrossValidator(parallelism=...)`` fits models), for clusters with idle cores:
        each fit is many small Spark jobs whose scheduling gaps the others can fill; the
        results are those of fitting them one after the other, but each fit holds its own
        graph in memory. 1 (default): one at a time (on a busy 2-core ``local[2]`` three
        at a time were no faster and took 470 MiB more JVM heap; ``docs/scale.md``).
    """

    master: str | None = None
    sample_size: int = 20_000
    reducer: str = "auto"
    kmeans: str = "kmeans"
    lda_max_iter: int = 200
    kmeans_restarts: int = 3
    lda_optimizer: str = "em"
    lda_em_iterations: int = 50
    lda_restarts: int | None = None
    parallel_fits: int = 1

    def __post_init__(self) -> None:
        if self.lda_optimizer not in ("em", "online"):
            raise ConfigError(f"lda_optimizer must be 'em' or 'online', got {self.lda_optimizer!r}")


def _key_hash() -> Any:
    """Return a Spark column: the passage text's hash (:func:`topiclab.models.layout.key_hashes`)."""
    from pyspark.sql import functions as F

    digest = F.conv(F.substring(F.md5(F.col("text").cast("string")), 1, 8), 16, 10)
    return digest.cast("double")


def _in_sample(fraction: float) -> Any:
    """Return a Spark column: whether a passage is in a sample of ``fraction`` of them.

    The rule of :func:`topiclab.models.layout.sample_mask` (the first 32 bits of the MD5
    digest of the passage text, over 2**32, below the fraction), so both engines sample the
    same passages.
    """
    from pyspark.sql import functions as F

    if fraction >= 1:
        return F.lit(True)
    return _key_hash() / F.lit(HASH_SCALE) < F.lit(float(fraction))


def _sample_rows(state: RunState, *cols: str, flag: str = "_sample", by_hash: bool = False) -> Any:
    """Return the rows of a sample (pandas; ``flag``: its column), in passage order.

    ``by_hash``: in the order of the passage texts' hashes instead
    (:func:`topiclab.models.layout.hash_order`), the order the layout is fitted in.
    """
    sdf = state.extras["sdf"].filter(flag)
    if by_hash:
        return sdf.orderBy(_key_hash(), "text", "passage_id").select(*cols).toPandas()
    return sdf.orderBy("_order").select(*cols).toPandas()


def _materialise(sdf: Any) -> Any:
    """Compute ``sdf`` once into executor storage and cut its lineage (a local checkpoint).

    Each stage extends the passage frame, often joining it with a frame derived from itself;
    without the cut the query plan doubles with every such join and planning it (or printing
    it) soon takes longer, and more driver memory, than the work.
    """
    from pyspark import StorageLevel

    return sdf.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


def _describe(state: RunState, stage: str) -> None:
    """Name the Spark jobs that follow after the stage (Spark's UI and event log show it)."""
    spark = state.extras.get("spark")
    if spark is not None:
        spark.sparkContext.setJobDescription(f"topiclab {stage}")


def _persist(state: RunState, sdf: Any) -> Any:
    """Materialise the new passage frame and make it the state's ``sdf``."""
    sdf = _materialise(sdf)
    state.extras["sdf"] = sdf
    return sdf


# ----------------------------------------------------------------------------- prepare
class SparkPrepareStage(Stage):
    """Take the Spark corpus's passages, mark the driver sample, check K against them.

    In the ``balanced`` and ``fast`` speed modes, documents of up to the mode's
    ``whole_doc_words`` are first joined into one passage, as the in-memory prepare stage
    does (:mod:`topiclab.engines.spark.speed`).

    Parameters
    ----------
    section : PrepareSection
    options : SparkOptions
    """

    name = "prepare"

    def __init__(self, section: Any, options: SparkOptions | None = None) -> None:
        self.section = section
        self.options = options

    def fit(self, state: RunState) -> RunState:
        """Set ``state.extras["sdf"]`` (passages with ``_sample``) and ``["n_passages"]``."""
        _describe(state, self.name)
        from pyspark.sql import functions as F

        from topiclab.engines.spark.speed import (
            merge_short_documents,
            merged_count,
            with_doc_sizes,
        )
        from topiclab.pipeline.speed import speed_settings

        opts = self.options or SparkOptions()
        corpus = state.extras["spark_corpus"]
        whole = speed_settings(getattr(self.section, "speed", None)).whole_doc_words
        # ingest is lazy: clean, deduplicate and cut passages once, here
        passages = corpus.passages if not whole else with_doc_sizes(corpus.passages)
        corpus.passages = _materialise(passages)
        corpus.documents = _materialise(corpus.documents)
        corpus.log = _materialise(corpus.log)
        n = corpus.passages.count()
        if whole:  # the in-memory speed modes: short documents embedded whole
            before = n
            n = merged_count(corpus.passages, whole)
            logger.info(
                "Documents of up to %d words embedded whole: %d passages -> %d",
                whole,
                before,
                n,
            )
        if n < 3:
            raise CorpusError(
                f"the corpus has {n} passage(s); at least 3 are needed to find themes"
            )
        for name in ("n_topics", "n_themes"):
            k = getattr(self.section, name)
            if k is not None and k > n:
                raise CorpusError(
                    f"{name}={k} exceeds the {n} passages of the corpus; choose at most {n}"
                )
        fraction = min(1.0, opts.sample_size / n)
        sdf = merge_short_documents(corpus.passages, whole)
        sdf = sdf.withColumn("lang", F.coalesce("lang", F.lit("und"))).withColumn(
            "_sample", _in_sample(fraction)
        )
        _persist(state, sdf)
        state.extras["n_passages"] = n
        state.extras["sample_fraction"] = fraction
        state.extras["n_sample"] = int(state.extras["sdf"].filter("_sample").count())
        langs = corpus.languages()
        state.extras["corpus_languages"] = langs
        state.langs = list(langs)  # the languages present (for the embedding model choice)
        return state


# ----------------------------------------------------------------------------- vectorize
def _tokenize_partitions(payload: bytes) -> Any:
    def tokenize(frames: Iterator[Any]) -> Iterator[Any]:
        import pickle

        vec = pickle.loads(payload)
        for pdf in frames:
            pdf["tokens"] = vec.tokenize_documents(
                pdf["text"].astype(str).tolist(), pdf["lang"].tolist()
            )
            yield pdf

    return tokenize


class SparkVectorizeStage(Stage):
    """Tokenise every passage on the executors; vocabulary and counts as Spark aggregations.

    Phrases are learnt on the sample (exact when the corpus fits in it); the vocabulary
    applies the same document-frequency bounds as in memory to document frequencies counted
    over every passage; counts come from MLlib's ``CountVectorizerModel`` on topiclab's
    tokens.

    Parameters
    ----------
    section : VectorizeSection
    """

    name = "vectorize"

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Add ``tokens`` and ``counts`` to the passages; set the fitted vectoriser."""
        _describe(state, self.name)
        from pyspark import cloudpickle
        from pyspark.sql import functions as F

        from topiclab.features.vectorize import TextVectorizer, _auto_min_df

        s = self.section
        n = int(state.extras["n_passages"])
        sample = _sample_rows(state, "text", "lang")
        kwargs: dict[str, Any] = {"kind": "count", "phrases": True}
        if s.min_df is not None:
            kwargs["min_df"] = s.min_df
        if s.max_df is not None:
            kwargs["max_df"] = s.max_df
        vec = TextVectorizer(**kwargs)
        try:
            vec.fit(sample["text"].tolist(), langs=sample["lang"].tolist())
        except ValueError as exc:
            raise CorpusError(f"cannot vectorise the corpus: {exc}") from exc
        sdf = state.extras["sdf"]
        # tokenised once: the document frequencies and every later stage read these
        tokens = _persist(
            state,
            map_in_pandas(
                sdf,
                _tokenize_partitions(cloudpickle.dumps(vec)),
                _schema_plus(sdf.schema, "tokens:array<string>"),
            ),
        )

        min_df = _auto_min_df(n) if s.min_df in (None, "auto") else s.min_df
        max_df = (0.95 if n >= 20 else 1.0) if s.max_df in (None, "auto") else s.max_df
        lo = min_df if isinstance(min_df, int) else float(min_df) * n
        hi = max_df if isinstance(max_df, int) else float(max_df) * n
        df = (
            tokens.select(F.explode(F.array_distinct("tokens")).alias("term"))
            .groupBy("term")
            .count()
        )
        rows = df.filter((F.col("count") >= lo) & (F.col("count") <= hi)).collect()
        if not rows:
            rows = df.collect()  # the bounds left no term: relax them, as in memory
        if not rows:
            raise CorpusError("cannot vectorise the corpus: empty vocabulary")
        terms = sorted(str(r["term"]) for r in rows)
        doc_freq = {str(r["term"]): int(r["count"]) for r in rows}
        vstate, arrays = vec.get_state()
        vstate["features"] = terms
        vstate["min_df_"], vstate["max_df_"] = min_df, max_df
        final = TextVectorizer.from_state(vstate, arrays)
        self.vectorizer_ = final
        state.vectorizer = final
        state.feature_names = terms
        state.extras["doc_freq"] = np.asarray([doc_freq[t] for t in terms], dtype=np.int64)
        logger.info("Spark vectorise: %d passages, %d terms", n, len(terms))
        return state


# ----------------------------------------------------------------------------- embed
class SparkEmbedStage(Stage):
    """Embed every passage on the executors (pandas UDF, one model per executor process).

    Parameters
    ----------
    section : EmbedSection
    embedder : object, optional
        As for :class:`~topiclab.pipeline.stages.EmbedStage`: a SentenceEmbedder or any
        object with ``encode()``; it is shipped to the executors.
    """

    name = "embed"

    def __init__(self, section: Any, embedder: Any = None) -> None:
        self.section = section
        self.embedder = embedder

    def fit(self, state: RunState) -> RunState:
        """Add ``emb`` (array<float>) to the passages."""
        _describe(state, self.name)
        from topiclab.engines.spark.embed import embedding_udf
        from topiclab.pipeline.stages import EmbedStage

        embedder = EmbedStage(self.section, embedder=self.embedder)._make(state.langs, adapt=False)
        embedder.fit()  # the driver resolves the model id (for provenance and the saved model)
        self.embedder_ = embedder
        state.embedder = embedder
        sdf = state.extras["sdf"]
        _persist(state, sdf.withColumn("emb", embedding_udf(embedder)("text")))
        first = state.extras["sdf"].select("emb").first()
        state.extras["embedding_dim"] = len(first["emb"])
        return state


# ----------------------------------------------------------------------------- views
def _rows_to_matrix(values: Any) -> np.ndarray:
    return np.asarray([np.asarray(v, dtype=np.float64) for v in values])


def _context_partitions(weight: float) -> Any:
    def blend(frames: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from topiclab.models.crosslingual import blend_document_context

        parts = list(frames)  # a partition holds whole documents (repartitioned by doc_id)
        if not parts:
            return
        pdf = pd.concat(parts, ignore_index=True)
        if len(pdf):
            ctx = blend_document_context(
                _rows_to_matrix(pdf["emb"]), pdf["doc_id"].tolist(), weight
            )
            pdf["ctx"] = list(ctx.astype(np.float32))
        else:
            pdf["ctx"] = []
        yield pdf

    return blend


def _apply_partitions(payload: bytes, kind: str, in_col: str, prefix: str) -> Any:
    """mapInPandas: memberships from a fitted clusterer/LDA (its own ``transform``)."""

    def apply(frames: Iterator[Any]) -> Iterator[Any]:
        import pickle

        import scipy.sparse as sp

        model = pickle.loads(payload)
        for pdf in frames:
            if kind == "reduce":
                X = _rows_to_matrix(pdf[in_col]) if len(pdf) else np.zeros((0, 1))
                pdf[prefix] = (
                    list(np.asarray(model.transform(X), dtype=np.float64)) if len(pdf) else []
                )
                yield pdf
                continue
            if kind == "lda":
                lda, names = model
                vocab = {t: i for i, t in enumerate(names)}
                indptr, indices = [0], []
                for toks in pdf[in_col]:
                    indices.extend(vocab[t] for t in toks if t in vocab)
                    indptr.append(len(indices))
                X = sp.csr_matrix(
                    (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), indptr),
                    shape=(len(pdf), len(names)),
                )
                X.sum_duplicates()
                m = lda.transform(X) if len(pdf) else np.zeros((0, lda.n_components))
                central = m.max(axis=1) if len(pdf) else np.zeros(0)
            else:
                X = (
                    _rows_to_matrix(pdf[in_col])
                    if len(pdf)
                    else np.zeros((0, model.n_features_in_))
                )
                m = model.transform(X) if len(pdf) else np.zeros((0, model.n_clusters_))
                labels = m.argmax(axis=1) if len(pdf) else np.zeros(0, dtype=int)
                Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
                central = (
                    np.einsum("ij,ij->i", Xn, model.cluster_centers_[labels])
                    if len(pdf)
                    else np.zeros(0)
                )
            pdf[prefix] = (
                m.argmax(axis=1).astype(np.int32) if len(pdf) else np.zeros(0, dtype=np.int32)
            )
            pdf[f"{prefix}_score"] = m.max(axis=1) if len(pdf) else np.zeros(0)
            pdf[f"{prefix}_central"] = central
            pdf[f"{prefix}_m"] = list(m)
            yield pdf

    return apply


def _schema_plus(schema: Any, extra: str) -> Any:
    """Return ``schema`` with the fields of ``extra`` (``"name:type,..."``) appended."""
    from pyspark.sql.types import StructType, _parse_datatype_string

    added = _parse_datatype_string(f"struct<{extra}>")
    return StructType([*schema.fields, *added.fields])


def _map_with(sdf: Any, fn: Any, extra: str) -> Any:
    return map_in_pandas(sdf, fn, _schema_plus(sdf.schema, extra))


def _class_counts(
    sdf: Any, label: str, k: int, names: list[str], langs: list[str]
) -> dict[str, np.ndarray]:
    """Sum term counts per theme, overall and per language (a Spark aggregation)."""
    from pyspark.sql import functions as F

    spark = sdf.sparkSession
    vocab = spark.createDataFrame([(t, i) for i, t in enumerate(names)], "term string, col int")
    rows = (
        sdf.select(label, "lang", F.explode("tokens").alias("term"))
        .join(F.broadcast(vocab), "term")
        .groupBy(label, "lang", "col")
        .count()
        .collect()
    )
    n_terms = len(names)
    out = {lang: np.zeros((k, n_terms)) for lang in langs}
    for r in rows:
        t = int(r[label])
        if 0 <= t < k:
            out.setdefault(str(r["lang"]), np.zeros((k, n_terms)))[t, int(r["col"])] += r["count"]
    out["all"] = sum((m for m in out.values()), np.zeros((k, n_terms)))
    return out


def _candidates(sdf: Any, label: str, n_rep: int) -> Any:
    """Return the most central passages of each theme overall and per language (pandas)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    score = f"{label}_central"
    w_all = Window.partitionBy(label).orderBy(F.desc(score), "_order")
    w_lang = Window.partitionBy(label, "lang").orderBy(F.desc(score), "_order")
    cand = (
        sdf.select("passage_id", "doc_id", "lang", "text", "_order", label, score)
        .withColumn("_ra", F.row_number().over(w_all))
        .withColumn("_rl", F.row_number().over(w_lang))
        .filter((F.col("_ra") <= max(n_rep, 1)) | (F.col("_rl") == 1))
    )
    return cand.orderBy("_order").toPandas()


def _theme_table(
    view: str,
    state: RunState,
    label: str,
    term_scores: dict,
    selections: dict,
    k: int,
    section: Any,
) -> Any:
    """Build the view's table from the candidates, then set exact sizes and languages."""
    from pyspark.sql import functions as F

    from topiclab.themes import build_theme_table

    sdf = state.extras["sdf"]
    cand = _candidates(sdf, label, int(section.n_representative))
    table = build_theme_table(
        view,
        cand[label].to_numpy(),
        term_scores,
        state.feature_names,
        cand.reset_index(drop=True),
        scores=cand[f"{label}_central"].to_numpy(),
        top_n=section.top_n_terms,
        n_representative=section.n_representative,
        n_themes=k,
        selections=selections,
    )
    sizes: dict[int, dict[str, int]] = {}
    for r in sdf.groupBy(label, "lang").agg(F.count("*").alias("n")).collect():
        sizes.setdefault(int(r[label]), {})[str(r["lang"])] = int(r["n"])
    for theme in table:
        langs = sizes.get(theme.id, {})
        theme.size = int(sum(langs.values()))
        theme.languages = dict(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])))
    return table


def _sample_view(state: RunState, label: str, features: str | None = None) -> ViewState:
    cols = [label, f"{label}_m", *([features] if features else [])]
    pdf = _sample_rows(state, *cols)
    return ViewState(
        labels=pdf[label].to_numpy().astype(int),
        membership=_rows_to_matrix(pdf[f"{label}_m"]),
        features=_rows_to_matrix(pdf[features]) if features else None,
    )


def _cluster_neighbors(section: Any) -> int | None:
    """Return the clustering's UMAP neighbourhood when fixed (set, or the speed mode's).

    ``None`` means the in-memory rule by size
    (:func:`topiclab.models.reduce.cluster_neighbors` of the corpus's passage count, when
    KMeans finds the themes), which the cluster stage applies to the whole corpus's count,
    as the in-memory engine does, not to the sample's.
    """
    neighbors = getattr(section, "cluster_neighbors", None)
    if neighbors is None:
        from topiclab.pipeline.speed import speed_settings

        neighbors = speed_settings(getattr(section, "speed", None)).cluster_neighbors
    return None if neighbors is None else int(neighbors)


class _Prepared:
    """A reducer (or none) applied to unit vectors without the common directions."""

    def __init__(self, reducer: Any, mean: np.ndarray | None, top: np.ndarray | None) -> None:
        self.reducer, self.mean, self.top = reducer, mean, top

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = l2_normalize(np.asarray(X, dtype=np.float64))
        if self.mean is not None:
            X = remove_directions(X, self.mean, self.top)
        return X if self.reducer is None else self.reducer.transform(X)


def _common_directions(sdf: Any, col: str, n_directions: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and principal directions of every unit row of ``col``.

    Each partition sums its rows and their outer products
    (:func:`topiclab.models.layout.direction_moments`); the driver adds the sums, so no
    row is collected.
    """
    from topiclab.models.layout import direction_moments, directions_from_moments

    def moments(frames: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        total = gram = None
        count = 0
        for pdf in frames:
            if not len(pdf):
                continue
            t, g, c = direction_moments(l2_normalize(_rows_to_matrix(pdf[col])))
            total = t if total is None else total + t
            gram = g if gram is None else gram + g
            count += c
        if total is not None:
            yield pd.DataFrame(
                {"n": [count], "total": [total.tolist()], "gram": [gram.ravel().tolist()]}
            )

    schema = "n long, total array<double>, gram array<double>"
    rows = map_in_pandas(sdf.select(col), moments, schema).collect()
    total = np.sum([np.asarray(r["total"]) for r in rows], axis=0)
    dim = total.shape[0]
    gram = np.sum([np.asarray(r["gram"]).reshape(dim, dim) for r in rows], axis=0)
    return directions_from_moments(total, gram, int(sum(r["n"] for r in rows)), n_directions)


def _sample_centers(Z: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Return KMeans centres of the sample's coordinates: the in-memory engine's KMeans.

    scikit-learn's k-means++ with 10 starts, the one the in-memory clusterer runs, so a
    corpus that fits in the sample starts MLlib from the in-memory engine's answer (a fixed
    point of Lloyd's iterations, which MLlib then keeps), and a larger one from the
    sample's best partition rather than from MLlib's own k-means|| seeding.
    """
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(Z).cluster_centers_


def _mllib_kmeans(sdf: Any, col: str, centers: np.ndarray) -> Any:
    """Refine ``centers`` with MLlib KMeans on every passage; return ``passage_id, _raw``.

    MLlib's ``spark.ml`` KMeans takes no initial centres, so this is the RDD-based
    ``pyspark.mllib.clustering.KMeans`` with ``initialModel``; each passage then takes its
    nearest refined centre (Euclidean, as MLlib's ``predict``) on the executors.
    """
    from pyspark.mllib.clustering import KMeans, KMeansModel

    points = sdf.select(col).rdd.map(lambda r: np.asarray(r[0], dtype=np.float64))
    model = KMeans.train(
        points,
        k=len(centers),
        maxIterations=100,
        initialModel=KMeansModel([np.asarray(c, dtype=np.float64) for c in centers]),
    )
    refined = np.asarray(model.clusterCenters, dtype=np.float64)

    def nearest(frames: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for pdf in frames:
            Z = _rows_to_matrix(pdf[col]) if len(pdf) else np.zeros((0, refined.shape[1]))
            d = (Z * Z).sum(axis=1)[:, None] - 2 * Z @ refined.T + (refined * refined).sum(axis=1)
            yield pd.DataFrame(
                {"passage_id": pdf["passage_id"], "_raw": d.argmin(axis=1).astype(np.int32)}
            )

    from pyspark.sql.types import IntegerType, StringType, StructField, StructType

    schema = StructType(
        [StructField("passage_id", StringType()), StructField("_raw", IntegerType())]
    )
    return map_in_pandas(sdf.select("passage_id", col), nearest, schema)


class SparkClusterStage(Stage):
    """The embedding view on Spark: context blend, reducer, MLlib (Bisecting)KMeans.

    The reducer (UMAP or PCA) is fitted on the sample on the driver and applied on the
    executors; MLlib clusters the reduced vectors; each cluster's centroid is the normalised
    mean of its members' context vectors (a Spark aggregation), followed by the same
    nearest-centroid step as :class:`~topiclab.models.EmbeddingClusterer`, whose fitted
    form (centroids) assigns every passage on the executors and new texts later.

    Parameters
    ----------
    section : ClusterSection
    options : SparkOptions
    """

    name = "cluster"
    view = "embedding"
    requires = ("embed",)

    def __init__(self, section: Any, options: SparkOptions | None = None) -> None:
        self.section = section
        self.options = options

    def fit(self, state: RunState) -> RunState:
        """Cluster the passages and fill ``state.views["embedding"]`` (sample arrays)."""
        _describe(state, self.name)
        from pyspark import cloudpickle
        from pyspark.ml.clustering import BisectingKMeans
        from pyspark.ml.functions import array_to_vector
        from pyspark.ml.stat import Summarizer
        from pyspark.sql import functions as F

        from topiclab.models import EmbeddingClusterer, Reducer, class_tfidf
        from topiclab.models.cluster import HDBSCAN_MIN_SAMPLES, REDUCE_MIN_SAMPLES
        from topiclab.models.reduce import cluster_neighbors
        from topiclab.pipeline.embedding_view import _strip_directions
        from topiclab.themes.terms import select_terms

        s, opts = self.section, self.options or SparkOptions()
        if s.guided:
            raise ConfigError(
                "guided themes are not supported by the Spark engine yet; use the in-memory engine"
            )
        n = int(state.extras["n_passages"])
        rng = np.random.RandomState(s.seed)
        reduce_seed, cluster_seed = (int(x) for x in rng.randint(_MAX_SEED, size=2))

        sdf = state.extras["sdf"]
        blended = _map_with(
            sdf.repartition("doc_id"),
            _context_partitions(float(s.context_weight)),
            "ctx:array<float>",
        )
        sdf = _persist(state, blended)
        sdf, flag = self._layout_rows(state, sdf, n)
        # in the order of the texts' hashes, as in memory: the layout depends on the order
        Zs = _rows_to_matrix(_sample_rows(state, "ctx", flag=flag, by_hash=True)["ctx"])

        k = s.n_themes
        selection: dict[str, Any] = {}
        neighbors = _cluster_neighbors(s)
        if k is None:  # choose K on the sample with the in-memory rule
            probe = EmbeddingClusterer(
                method=s.cluster_method,
                n_neighbors=neighbors if neighbors is not None else "auto",
                random_state=s.seed,
            ).fit(Zs)
            k = int(probe.n_clusters_)
            selection = {"k_chosen_on_sample": len(Zs), "method": probe.method_}
        if neighbors is None:  # the in-memory rule, from the whole corpus's passage count
            kmeans_finds = s.n_themes is not None or s.cluster_method == "kmeans"
            kmeans_finds = kmeans_finds or (s.cluster_method == "auto" and n < HDBSCAN_MIN_SAMPLES)
            neighbors = cluster_neighbors(n) if kmeans_finds else 15
        reducer, components = opts.reducer, 5
        if reducer == "auto":  # the in-memory engine's reduction (PCA in fast mode)
            from topiclab.pipeline.speed import cluster_reduction

            reducer, components = cluster_reduction(s, n)
            reducer = reducer if n >= REDUCE_MIN_SAMPLES else "none"
        # static vectors: the in-memory engine's common directions, from every passage
        strip = _strip_directions(state)
        mean, top = _common_directions(sdf, "ctx", strip) if strip else (None, None)
        Xs = l2_normalize(Zs) if mean is None else remove_directions(l2_normalize(Zs), mean, top)
        if reducer in ("umap", "pca"):
            red = Reducer(
                method=reducer,
                n_components=components,
                n_neighbors=neighbors,
                metric="cosine",
                random_state=reduce_seed,
            )
            red.fit(Xs)
            Zr = np.asarray(red.embedding_, dtype=np.float64)  # the sample's coordinates
            if reducer == "umap":  # the sample's UMAP coordinates, placed by neighbours
                red = SamplePlacement().fit(Zs, red.embedding_, mean=mean, directions=top)
            else:
                red = _Prepared(red, mean, top)
        else:  # no reduction: KMeans on unit vectors, as in memory
            Zr = Xs
            red = _Prepared(None, mean, top)
        sdf = _persist(
            state,
            _map_with(
                sdf,
                _apply_partitions(cloudpickle.dumps(red), "reduce", "ctx", "z"),
                "z:array<double>",
            ),
        )
        col = "z"
        if opts.kmeans == "bisecting":
            vec = _materialise(sdf.select("passage_id", array_to_vector(col).alias("_v")))
            best_fit, best_cost = None, np.inf
            extra_seeds = rng.randint(_MAX_SEED, size=max(0, opts.kmeans_restarts - 1))
            for seed in [cluster_seed, *extra_seeds]:
                fit = BisectingKMeans(
                    k=int(k), seed=int(seed), featuresCol="_v", predictionCol="_raw", maxIter=100
                ).fit(vec)
                cost = float(fit.summary.trainingCost)
                if cost < best_cost:  # the best of a few starts
                    best_fit, best_cost = fit, cost
            raw = best_fit.transform(vec).select("passage_id", "_raw")
        else:
            raw = _mllib_kmeans(sdf, col, _sample_centers(Zr, int(k), cluster_seed))
        sdf = _persist(state, sdf.join(raw, "passage_id"))
        sums = (
            sdf.withColumn("_c", array_to_vector("ctx"))
            .groupBy("_raw")
            .agg(Summarizer.sum(F.col("_c")).alias("s"))
            .collect()
        )
        dim = len(sums[0]["s"])
        centers = np.asarray([r["s"].toArray() for r in sorted(sums, key=lambda r: r["_raw"])])
        centers = centers / np.maximum(np.linalg.norm(centers, axis=1, keepdims=True), 1e-12)
        # the nearest-centroid step of EmbeddingClusterer, counted on the executors
        while True:
            fitted = self._clusterer(centers, dim, s)
            payload = cloudpickle.dumps(fitted)
            probe = _map_with(
                sdf.select("passage_id", "ctx", "_order"),
                _apply_partitions(payload, "cluster", "ctx", "theme"),
                "theme:int,theme_score:double,theme_central:double,theme_m:array<double>",
            )
            counts = dict(probe.groupBy("theme").count().collect())
            sizes = np.asarray([counts.get(j, 0) for j in range(len(centers))])
            if (sizes > 0).all():
                break
            centers = centers[sizes > 0]
        order = np.lexsort((np.arange(len(centers)), -sizes))
        self.clusterer_ = self._clusterer(centers[order], dim, s)
        self.merges_: list[dict[str, Any]] = []
        self.method_ = f"mllib-{opts.kmeans}"
        state.extras["embedding_selection"] = selection
        state.extras["reduction"] = reducer

        state = self.transform(state)
        k = int(self.clusterer_.n_clusters_)
        langs = sorted(state.extras["corpus_languages"])
        class_counts = _class_counts(state.extras["sdf"], "theme", k, state.feature_names, langs)
        sample = _sample_rows(state, "tokens", "lang")
        S = state.vectorizer.count_tokens([list(t) for t in sample["tokens"]])
        slang = sample["lang"].to_numpy()
        term_scores, selections = {}, {}
        for lang, cc in class_counts.items():
            scores = class_tfidf(cc, np.arange(k), n_classes=k)
            term_scores[lang] = scores
            rows = np.arange(S.shape[0]) if lang == "all" else np.flatnonzero(slang == lang)
            selections[lang] = select_terms(scores, S[rows], topn=s.top_n_terms)
        view = _sample_view(state, "theme", "ctx")
        view.table = _theme_table("embedding", state, "theme", term_scores, selections, k, s)
        view.metrics = {
            "language_merges": [],
            "outlier_share": 0.0,
            "clustering": {
                "engine": "spark",
                "algorithm": self.method_,
                "reduction": reducer,
                "reducer_fitted_on": len(Zs),
                "common_directions_removed": int(strip),
                "n_neighbors": int(neighbors),
                "initial_centres": (
                    "the sample's scikit-learn KMeans (k-means++, 10 starts), refined by MLlib"
                    if opts.kmeans == "kmeans"
                    else f"MLlib BisectingKMeans, best of {opts.kmeans_restarts} seeds"
                ),
                **(
                    {"placement": "passages outside the sample: 15 nearest sample passages"}
                    if reducer == "umap" and len(Zs) < n
                    else {}
                ),
                **selection,
            },
        }
        state.views["embedding"] = view
        return state

    def _layout_rows(self, state: RunState, sdf: Any, n: int) -> tuple[Any, str]:
        """Mark the passages the layout is fitted on; return the frame and the flag column.

        The section's ``layout_sample`` chooses them by the in-memory rule
        (:func:`topiclab.models.layout.sample_mask`; every passage when the corpus has at
        most that many, or when the sample would be too small to cluster); without it, the
        driver sample.
        """
        from topiclab.models.cluster import REDUCE_MIN_SAMPLES
        from topiclab.pipeline.speed import layout_sample

        size = layout_sample(self.section)
        if size is None:  # every passage (collected on the driver: mind its memory)
            sdf = _persist(state, sdf.withColumn("_layout", _in_sample(1.0)))
            return sdf, "_layout"
        fraction = min(1.0, int(size) / n)
        sdf = _persist(state, sdf.withColumn("_layout", _in_sample(fraction)))
        wanted = max(REDUCE_MIN_SAMPLES, 3 * int(self.section.n_themes or 2))
        if fraction < 1 and sdf.filter("_layout").count() < wanted:
            sdf = _persist(state, sdf.withColumn("_layout", _in_sample(1.0)))
        return sdf, "_layout"

    @staticmethod
    def _clusterer(centers: np.ndarray, dim: int, s: Any) -> Any:
        from topiclab._state import plain_params
        from topiclab.models import EmbeddingClusterer

        proto = EmbeddingClusterer(n_clusters=len(centers), method="kmeans", random_state=s.seed)

        state = {
            "params": plain_params(proto, drop=("seed_embeddings", "random_state", "algorithm")),
            "random_state": int(s.seed),
            "n_features_in_": int(dim),
            "method_": "kmeans",
        }
        return EmbeddingClusterer.from_state(
            state, {"centers_": np.asarray(centers, dtype=np.float64)}
        )

    def transform(self, state: RunState) -> RunState:
        """Theme memberships of every passage, on the executors (the clusterer's transform)."""
        from pyspark import cloudpickle

        sdf = state.extras["sdf"].drop(
            *[
                c
                for c in ("theme", "theme_score", "theme_central", "theme_m", "_raw", "z")
                if c in state.extras["sdf"].columns
            ]
        )
        _persist(
            state,
            _map_with(
                sdf,
                _apply_partitions(cloudpickle.dumps(self.clusterer_), "cluster", "ctx", "theme"),
                "theme:int,theme_score:double,theme_central:double,theme_m:array<double>",
            ),
        )
        return state


def _concurrently(spark: Any, fn: Any, items: list[Any], parallelism: int) -> list[Any]:
    """Return ``[fn(x) for x in items]``, up to ``parallelism`` at a time from driver threads.

    Spark schedules jobs from several driver threads at once (its ``CrossValidator``
    fits models this way); each thread inherits the caller's job description.
    """
    if parallelism <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    from multiprocessing.pool import ThreadPool

    from pyspark import inheritable_thread_target

    with ThreadPool(processes=min(int(parallelism), len(items))) as pool:
        target = inheritable_thread_target(spark)(lambda x: fn(x))
        return pool.map(target, items)


class SparkLDAStage(Stage):
    """The LDA view on Spark: MLlib's LDA (EM by default) on ``CountVectorizer`` counts.

    The vocabulary is capped at the ``lda_max_features`` terms in most passages (document
    frequencies counted on Spark). The MLlib model becomes a :class:`~topiclab.models.LDA`
    (topic-word variational parameters, alpha, eta) whose deterministic E-step assigns
    every passage on the executors and new texts later. K, when not given, is chosen on the
    sample by the in-memory rule and model (NPMI + 0.5 x diversity), then MLlib fits that K
    on every passage.

    Parameters
    ----------
    section : LDASection
    options : SparkOptions
    """

    name = "lda"
    view = "lda"
    requires = ("vectorize",)

    def __init__(self, section: Any, options: SparkOptions | None = None) -> None:
        self.section = section
        self.options = options

    def fit(self, state: RunState) -> RunState:
        """Fit MLlib LDA, convert it, assign the passages; fill ``state.views["lda"]``."""
        _describe(state, self.name)
        from pyspark.ml.clustering import LDA as MLlibLDA
        from pyspark.ml.feature import CountVectorizerModel

        from topiclab.evaluate import coherence, topic_diversity
        from topiclab.themes.terms import select_terms

        s, opts = self.section, self.options or SparkOptions()
        if s.guided:
            raise ConfigError(
                "guided topics are not supported by the Spark engine yet; use the in-memory engine"
            )
        names = state.feature_names
        df = state.extras["doc_freq"]
        if s.lda_max_features is not None and len(names) > s.lda_max_features:
            order = np.lexsort((np.arange(df.size), -df))
            self.columns_ = np.sort(order[: s.lda_max_features]).astype(np.intp)
        else:
            self.columns_ = None
        lda_names = names if self.columns_ is None else [names[j] for j in self.columns_]
        counter = CountVectorizerModel.from_vocabulary(
            lda_names, inputCol="tokens", outputCol="features"
        )
        from pyspark.sql import functions as F

        from topiclab.config import LDA_DOCUMENT_MIN

        sdf = state.extras["sdf"]
        unit = getattr(s, "lda_unit", "passages")
        n_docs = int(sdf.select("doc_id").distinct().count())
        if unit == "auto":  # as in memory: whole documents once there are enough of them
            unit = "documents" if n_docs >= LDA_DOCUMENT_MIN else "passages"
        rows = sdf.select("tokens")
        if unit == "documents":
            rows = sdf.groupBy("doc_id").agg(F.flatten(F.collect_list("tokens")).alias("tokens"))
        docs = _materialise(counter.transform(rows).select("features"))
        n_train = n_docs if unit == "documents" else int(state.extras["n_passages"])
        sample = _sample_rows(state, "tokens")
        tokens = [list(t) for t in sample["tokens"]]
        Sfull = state.vectorizer.count_tokens(tokens)
        S = Sfull if self.columns_ is None else Sfull[:, self.columns_]
        selection: dict[str, Any] = {}
        k = s.n_topics
        if k is None:  # choose K on the sample with the in-memory rule and model
            from topiclab.pipeline.lda_view import fit_lda

            _probe, selection = fit_lda(S, tokens, lda_names, s, int(s.seed))
            k = int(selection["chosen"])
            selection["chosen_on"] = f"the sample ({len(tokens)} passages), in memory"
        from topiclab.pipeline.speed import speed_settings
        from topiclab.pipeline.stages import coherence_reference

        spark = state.extras["spark"]
        fast = speed_settings(getattr(s, "speed", None))
        restarts = max(1, int(opts.lda_restarts or getattr(s, "lda_restarts", 1) or 1))
        if opts.lda_restarts is None and fast.max_lda_restarts is not None:
            restarts = max(1, min(restarts, fast.max_lda_restarts))  # the mode's cap
        reference, reference_note = coherence_reference(tokens, fast.coherence_max_docs)
        seeds = [int(s.seed)]
        if restarts > 1:  # the in-memory restarts' seeds
            seeds = [int(x) for x in np.random.SeedSequence(int(s.seed)).generate_state(restarts)]
            seeds = [x % (2**31 - 1) for x in seeds]
        em = opts.lda_optimizer == "em"
        rate = None
        if em:
            # MAP EM with the in-memory Gibbs sampler's priors (MLlib takes 1 + the prior)
            ensure_checkpoint_dir(spark)
            eta = float(s.lda_eta) if getattr(s, "lda_eta", None) is not None else EM_ETA
            max_iter = int(opts.lda_em_iterations)
            params: dict[str, Any] = {
                "optimizer": "em",
                "docConcentration": [1.0 + EM_ALPHA],
                "topicConcentration": 1.0 + eta,
                "keepLastCheckpoint": False,
            }
        else:
            # the in-memory passes over the corpus as online mini-batches of up to 2,000
            # rows (at least 50 updates: the online optimizer needs them), capped
            rate = min(1.0, max(0.05, 2000.0 / max(n_train, 1)))
            passes = int(s.lda_passes)
            if fast.max_lda_passes is not None:  # the speed mode's cap on passes
                passes = min(passes, fast.max_lda_passes)
            max_iter = int(min(opts.lda_max_iter, max(50, np.ceil(passes / rate))))
            params = {
                "optimizer": "online",
                "subsamplingRate": rate,
                "learningOffset": 1.0,  # the gensim schedule: rho_t = (1 + t) ** -0.5
                "learningDecay": 0.5,
                "optimizeDocConcentration": True,
            }

        def fit_one(seed: int) -> Any:
            model = MLlibLDA(k=int(k), maxIter=max_iter, seed=seed, **params).fit(docs)
            return self._convert(model, em)

        models = _concurrently(spark, fit_one, seeds, opts.parallel_fits)
        fits = []
        for lda in models:
            sel = select_terms(lda.components_, S, topn=10)
            tops = [[str(lda_names[j]) for j in c] for c in sel]
            npmi, _ = coherence(tops, reference, measure="c_npmi", topn=10)
            div = topic_diversity(tops, topk=10)
            fits.append((lda, npmi, div, lda.transform(S).argmax(axis=1)))
        # the in-memory rule: NPMI + 0.5 x diversity + 0.5 x agreement with the other restarts
        agreement = np.zeros(len(fits))
        if len(fits) > 1:
            from sklearn.metrics import adjusted_rand_score

            for i, a in enumerate(fits):
                agreement[i] = np.mean(
                    [adjusted_rand_score(a[3], b[3]) for j, b in enumerate(fits) if j != i]
                )
        scores = [
            (npmi if np.isfinite(npmi) else -1.0) + 0.5 * div + 0.5 * agree
            for (_, npmi, div, _), agree in zip(fits, agreement, strict=True)
        ]
        chosen = int(np.argmax(scores))
        best, npmi, div, _ = fits[chosen]
        selection.update(
            mllib={
                "k": int(k),
                "unit": unit,
                "optimizer": params["optimizer"],
                "iterations": max_iter,
                **({"subsampling_rate": rate} if rate is not None else {}),
                **(
                    {
                        "doc_concentration": EM_ALPHA,
                        "topic_concentration": params["topicConcentration"] - 1,
                    }
                    if em
                    else {}
                ),
                "restarts": len(fits),
                "speed": getattr(s, "speed", None),
                "coherence_reference": reference_note,
                "restart_scores": [float(x) for x in scores],
                "restart_npmi_sample": [float(f[1]) for f in fits],
                "restart_agreement": [float(x) for x in agreement] if len(fits) > 1 else None,
                "rule": "NPMI + 0.5 * diversity of the top-10 terms on the sample "
                "+ 0.5 * mean ARI to the other restarts (the in-memory rule)",
                "npmi_sample": npmi,
                "diversity": div,
            }
        )
        logger.info(
            "Spark LDA (%s) K=%d: NPMI %.3f (sample), diversity %.3f, restart %d of %d",
            params["optimizer"],
            k,
            npmi,
            div,
            chosen + 1,
            len(fits),
        )
        docs.unpersist()
        selection["chosen"] = int(best.n_components)
        self.lda_, self.selection_ = best, selection

        state = self.transform(state)
        topic_word = np.asarray(self.lda_.components_)
        if self.columns_ is not None:
            full = np.zeros((topic_word.shape[0], len(names)))
            full[:, self.columns_] = topic_word
            topic_word = full
        view = _sample_view(state, "lda_topic")
        view.table = _theme_table(
            "lda",
            state,
            "lda_topic",
            {"all": topic_word},
            {"all": select_terms(topic_word, Sfull, topn=s.top_n_terms)},
            int(self.lda_.n_components),
            s,
        )
        view.metrics = {"k_selection": selection, "optimizer": f"mllib-{opts.lda_optimizer}"}
        state.views["lda"] = view
        return state

    def _convert(self, model: Any, em: bool = False) -> Any:
        """Return the MLlib model as topiclab's :class:`~topiclab.models.LDA` (for ``transform``).

        Online: MLlib's topic-word variational parameters and alpha. EM: the MAP topic-term
        counts plus the prior's pseudo-counts (``topicConcentration - 1``) and
        ``docConcentration - 1`` as alpha, as the Gibbs sampler's counts plus its priors.
        """
        from scipy.special import psi

        from topiclab._state import plain_params
        from topiclab.models import LDA

        lam = np.asarray(model.topicsMatrix().toArray(), dtype=np.float64).T
        k, v = lam.shape
        alpha = np.asarray(model.estimatedDocConcentration().toArray(), dtype=np.float64)
        if alpha.size == 1:
            alpha = np.full(k, float(alpha[0]))
        if em:
            eta = float(model.getOrDefault("topicConcentration")) - 1.0
            alpha = np.maximum(alpha - 1.0, 1e-3)
            lam = lam + eta
        else:
            eta = (
                float(model.getOrDefault("topicConcentration") or 1.0 / k)
                if model.isSet("topicConcentration")
                else 1.0 / k
            )
        proto = LDA(n_components=int(k), random_state=int(self.section.seed))
        state = {
            "params": plain_params(proto, drop=("seed_topics", "random_state")),
            "random_state": int(self.section.seed),
            "seed_topics": None,
            "gamma_threshold": 0.001,
            "n_features_in_": int(v),
        }
        arrays = {
            "components_": lam / lam.sum(axis=1, keepdims=True),
            "exp_dirichlet_component_": np.exp(psi(lam) - psi(lam.sum(axis=1, keepdims=True))),
            "alpha_": alpha,
            "eta_": np.full(v, eta),
        }
        return LDA.from_state(state, arrays)

    def transform(self, state: RunState) -> RunState:
        """Topic mixtures of every passage, on the executors (the LDA model's E-step)."""
        from pyspark import cloudpickle

        sdf = state.extras["sdf"]
        drop = ("lda_topic", "lda_topic_score", "lda_topic_central", "lda_topic_m")
        sdf = sdf.drop(*[c for c in drop if c in sdf.columns])
        names = self._names(state.feature_names)
        payload = cloudpickle.dumps((self.lda_, names))
        _persist(
            state,
            _map_with(
                sdf,
                _apply_partitions(payload, "lda", "tokens", "lda_topic"),
                "lda_topic:int,lda_topic_score:double,lda_topic_central:double,"
                "lda_topic_m:array<double>",
            ),
        )
        return state

    def _names(self, names: list[str]) -> list[str]:
        return list(names) if self.columns_ is None else [names[j] for j in self.columns_]


# ----------------------------------------------------------------------------- score / map
class SparkScoreStage(Stage):
    """Coherence, diversity and silhouette of every view, on the driver sample.

    Parameters
    ----------
    section : ScoreSection
    """

    name = "score"

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Score every view on the sample's tokens (the in-memory score stage's code)."""
        _describe(state, self.name)
        from topiclab.pipeline.stages import ScoreStage

        sample = _sample_rows(state, "tokens")
        state.tokens = [list(t) for t in sample["tokens"]]
        state = ScoreStage(self.section).fit(state)
        note = {
            "scored_on": "sample",
            "n_sample_passages": int(state.extras["n_sample"]),
            "n_passages": int(state.extras["n_passages"]),
        }
        for view in state.views.values():
            view.metrics["sampled_scores"] = note
        return state


class SparkMapStage(Stage):
    """Two-dimensional coordinates of the sample's passages (the map draws the sample).

    Parameters
    ----------
    section : MapSection
    """

    name = "map"

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Set ``state.extras["xy"]`` for the sample's passages."""
        _describe(state, self.name)
        from topiclab.models import reduce_2d

        view = state.views.get("embedding")
        state.extras["xy"] = reduce_2d(view.features, random_state=self.section.seed)
        return state


# ----------------------------------------------------------------------------- assemble
def _argmax_col(cols: list[str]) -> Any:
    from pyspark.sql import functions as F

    best = F.array_max(
        F.array(*[F.struct(F.col(c).alias("v"), F.lit(-i).alias("i")) for i, c in enumerate(cols)])
    )
    return (-best["i"]).cast("int")


def _mixture_table(sdf: Any, documents: Any, label: str, k: int) -> Any:
    """Length-weighted mean membership of each document's passages (all documents)."""
    from pyspark.sql import functions as F

    weighted = sdf.select(
        "doc_id",
        F.posexplode(f"{label}_m").alias("pos", "m"),
        F.greatest(F.length("text"), F.lit(1)).cast("double").alias("w"),
    ).withColumn("v", F.col("m") * F.col("w"))
    wide = weighted.groupBy("doc_id").pivot("pos", list(range(k))).agg(F.sum("v"))
    cols = [str(j) for j in range(k)]
    for c in cols:
        if c not in wide.columns:
            wide = wide.withColumn(c, F.lit(0.0))
    wide = documents.select("doc_id").join(wide, "doc_id", "left").fillna(0.0, subset=cols)
    total = sum((F.col(c) for c in cols), F.lit(0.0))
    total = F.when(total == 0, F.lit(1.0)).otherwise(total)
    return wide.select("doc_id", *[(F.col(c) / total).alias(c) for c in cols])


def _label_map(table: Any) -> Any:
    from itertools import chain

    from pyspark.sql import functions as F

    pairs = list(chain.from_iterable((F.lit(int(t.id)), F.lit(t.label)) for t in table))
    return F.create_map(*pairs)


def _titles(frames: Iterator[Any]) -> Iterator[Any]:
    from topiclab.themes import display_title

    for pdf in frames:
        pdf["display_title"] = [
            display_title(t, x) for t, x in zip(pdf["title"], pdf["text"], strict=True)
        ]
        yield pdf


class SparkSectionStage(Stage):
    """Give every theme its news section, from the driver sample's embeddings.

    The in-memory rule (:func:`topiclab.pipeline.stages.set_sections`): each theme's
    vector is the mean of its sampled passages' normalised embeddings.

    Parameters
    ----------
    section : SectionsSection
    """

    name = "sections"

    def __init__(self, section: Any) -> None:
        self.section = section

    def fit(self, state: RunState) -> RunState:
        """Set ``section`` and ``section_score`` of each theme in ``state.views``."""
        if not self.section.sections or state.embedder is None or not state.views:
            return state
        _describe(state, self.name)
        from topiclab.pipeline.stages import set_sections

        sample = _sample_rows(state, "emb")
        if sample.empty:
            return state
        embeddings = np.vstack([np.asarray(e, dtype=np.float64) for e in sample["emb"]])
        set_sections(state.views.values(), embeddings, state.embedder)
        return state


class SparkAssembleStage(Stage):
    """Put the result together: full tables as Spark DataFrames, a sample for figures.

    ``state.extras["engine_tables"]`` maps run-folder names (``documents.parquet``,
    ``passages.parquet``, one mixture table per view, ``cleaning_log.jsonl``) to the
    Spark DataFrames the run folder stores as partitioned datasets; the
    :class:`~topiclab.themes.RunResult` holds the sample's passages and documents (for the
    figures and the report), the views and the provenance.

    Parameters
    ----------
    section : AssembleSection
    options : SparkOptions
    """

    name = "assemble"

    def __init__(self, section: Any, options: SparkOptions | None = None) -> None:
        self.section = section
        self.options = options

    def fit(self, state: RunState) -> RunState:
        """Set ``state.extras["result"]`` and ``state.extras["engine_tables"]``."""
        _describe(state, self.name)
        from pyspark.sql import functions as F

        from topiclab.pipeline.stages import _versions
        from topiclab.themes import RunResult, View

        spark = state.extras["spark"]
        corpus = state.extras["spark_corpus"]
        sdf = state.extras["sdf"]
        documents = corpus.documents
        documents = _map_with(documents, _titles, "display_title:string")

        sample = sdf.filter("_sample").orderBy("_order")
        pcols = ["passage_id", "doc_id", "lang", "text"]
        xy = state.extras.get("xy")
        ids = sample.select("passage_id").toPandas()["passage_id"]
        xy_df = spark.createDataFrame(  # from rows: small, and no Arrow round trip
            [(str(p), float(a), float(b)) for p, a, b in zip(ids, xy[:, 0], xy[:, 1], strict=True)],
            "passage_id string, x double, y double",
        )
        full = sdf.select(
            *pcols,
            "_order",
            *[
                c
                for c in sdf.columns
                if c in ("theme", "theme_score", "lda_topic", "lda_topic_score")
            ],
        )
        views, tables = {}, {}
        for name, vs in state.views.items():
            view = View.builtin(name, vs.table, metrics=vs.metrics)
            col = view.column
            full = full.withColumn(view.label_column, _label_map(vs.table)[F.col(col)])
            # computed once: the sample's rows below and the run folder read it
            mix = _materialise(_mixture_table(sdf, documents, col, len(vs.table)))
            tables[view.mixture_file] = mix
            kcols = [str(j) for j in range(len(vs.table))]
            documents = documents.join(
                mix.select("doc_id", _argmax_col(kcols).alias(col)), "doc_id", "left"
            )
            views[name] = view
        full = _materialise(full.join(xy_df, "passage_id", "left"))
        documents = _materialise(documents)
        order = [*pcols]
        for view in views.values():
            order += [view.column, view.label_column, f"{view.column}_score"]
        passages_full = full.orderBy("_order").select(*order, "x", "y")
        documents_full = documents.orderBy("_order").drop("_order")
        tables["documents.parquet"] = documents_full
        tables["passages.parquet"] = passages_full
        tables["cleaning_log.jsonl"] = corpus.log.orderBy("_order").select("value")

        passages = passages_full.join(sample.select("passage_id"), "passage_id").toPandas()
        passages = passages.set_index("passage_id", drop=False).loc[ids].reset_index(drop=True)
        sample_docs = passages["doc_id"].drop_duplicates()
        docs_sample = documents_full.join(
            spark.createDataFrame([(str(d),) for d in sample_docs], "doc_id string"), "doc_id"
        ).toPandas()
        for view in views.values():
            mix = (
                tables[view.mixture_file]
                .join(
                    spark.createDataFrame([(str(d),) for d in sample_docs], "doc_id string"),
                    "doc_id",
                )
                .toPandas()
                .set_index("doc_id")
            )
            mix.columns = [int(c) for c in mix.columns]
            view.mixture = mix.reindex(docs_sample["doc_id"]).fillna(0.0)
        opts = self.options or SparkOptions()
        sc = spark.sparkContext
        meta = {
            "corpus_fingerprint": corpus.fingerprint(),
            "embedding_model": getattr(state.embedder, "model_id_", None),
            "embedding_dim": state.extras.get("embedding_dim"),
            "seeds": state.extras.get("seeds", {}),
            "n_documents": int(documents_full.count()),
            "n_passages": int(state.extras["n_passages"]),
            "languages": state.extras["corpus_languages"],
            "timings": state.timings,
            "versions": {**_versions(), "pyspark": spark.version},
            "engine": {
                "name": "spark",
                "master": sc.master,
                "default_parallelism": int(sc.defaultParallelism),
                "executor_memory": sc.getConf().get("spark.executor.memory", "1g"),
                "driver_memory": sc.getConf().get("spark.driver.memory", "1g"),
                "sample_size": int(opts.sample_size),
                "lda_optimizer": opts.lda_optimizer,
                "speed": state.extras.get("speed_choice"),
                "n_sample_passages": int(state.extras["n_sample"]),
                "sampled": [
                    "phrases",
                    "reducer fit",
                    "K search (when K is not given)",
                    "coherence, diversity, silhouette",
                    "map coordinates",
                    "passages and documents shown in figures and the report",
                ],
                "exact": [
                    "vocabulary and document frequencies",
                    "embeddings",
                    "clustering and LDA fits",
                    "every passage's theme and topic",
                    "class-based TF-IDF terms",
                    "theme sizes and languages",
                    "representative passages",
                    "document mixtures",
                ],
            },
        }
        state.extras["engine_tables"] = tables
        log = corpus.log.orderBy("_order").limit(2000).select("value").toPandas()["value"]
        import json

        state.extras["result"] = RunResult(
            config=state.extras.get("config", {}),
            documents=docs_sample,
            passages=passages,
            views=views,
            meta=meta,
            cleaning_log=[json.loads(v) for v in log],
        )
        return state


def spark_stages(
    config: Any, options: SparkOptions | None = None, *, embedder: Any = None
) -> list[Stage]:
    """Build the Spark engine's stages in the default order, each from its own section.

    Parameters
    ----------
    config : RunConfig
    options : SparkOptions, optional
    embedder : object, optional
        Replaces the embedding model (shipped to the executors).

    Returns
    -------
    list of Stage
        prepare, vectorize, embed, cluster, lda, score, map, sections, assemble: the names
        of the in-memory stages, so ``Pipeline.replace`` works the same way.
    """
    options = options or SparkOptions()
    return [
        SparkPrepareStage(config.section("prepare"), options),
        SparkVectorizeStage(config.section("vectorize")),
        SparkEmbedStage(config.section("embed"), embedder=embedder),
        SparkClusterStage(config.section("cluster"), options),
        SparkLDAStage(config.section("lda"), options),
        SparkScoreStage(config.section("score")),
        SparkMapStage(config.section("map")),
        SparkSectionStage(config.section("sections")),
        SparkAssembleStage(config.section("assemble"), options),
    ]
