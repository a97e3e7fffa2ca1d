"""Run the analysis on Spark and write its run folder (large tables as partitioned parquet).

:func:`run_spark` ingests on Spark (unless given a :class:`SparkCorpus`), fits the Spark
stages (:func:`~topiclab.engines.spark.stages.spark_stages`) through the ordinary
:class:`~topiclab.pipeline.Pipeline`, and returns the same ``(RunResult, ThemeModel)`` pair
as :func:`topiclab.run`. The model carries the Spark tables (``engine_tables``), which
:func:`topiclab.storage.runs.save_run` writes with :func:`write_tables`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from topiclab.engines.spark.stages import SparkOptions, spark_stages

logger = logging.getLogger(__name__)

__all__ = ["run_spark", "write_tables"]


def run_spark(
    source: Any,
    config: Any = None,
    *,
    master: str | None = None,
    options: SparkOptions | None = None,
    embedder: Any = None,
    spark: Any = None,
    text_column: str = "text",
    pipeline: Any = None,
    **load_options: Any,
) -> tuple[Any, Any]:
    """Run the whole analysis on Spark.

    Parameters
    ----------
    source : str, os.PathLike or SparkCorpus
        Input files (a file, a folder or a URI Spark reads), or an ingested Spark corpus.
    config : RunConfig, optional
    master : str, optional
        Spark master; overrides ``options.master``.
    options : SparkOptions, optional
        Sample size, reducer, MLlib clustering algorithm, LDA iterations.
    embedder : object, optional
        A SentenceEmbedder or an object with ``encode()`` (shipped to the executors).
    spark : SparkSession, optional
        A session to use (default: the active one, or a new one on ``master``).
    text_column : str, default="text"
    pipeline : Pipeline, optional
        Spark stages to run (default: :func:`spark_stages`).
    **load_options
        Fields of :class:`topiclab.ingest.LoadOptions`.

    Returns
    -------
    result : RunResult
        Views, metrics, provenance; passages and documents of the sample.
    model : ThemeModel
        The fitted model (assigns new texts in memory); ``model.engine_tables`` holds the
        full tables as Spark DataFrames.

    Examples
    --------
    >>> from topiclab.engines.spark import run_spark
    >>> result, model = run_spark("corpus/", master="local[2]")   # doctest: +SKIP
    """
    from topiclab.config import RunConfig
    from topiclab.engines.spark.ingest import SparkCorpus, ingest
    from topiclab.engines.spark.session import get_session
    from topiclab.pipeline.base import Pipeline, RunState
    from topiclab.pipeline.model import ThemeModel

    config = config or RunConfig()
    _check_supported(config)
    options = options or SparkOptions()
    if master is not None:
        from dataclasses import replace

        options = replace(options, master=master)
    spark = spark or get_session(options.master)
    if options.lda_optimizer == "em":  # fail before the work on a cluster without one
        from topiclab.engines.spark.session import ensure_checkpoint_dir

        ensure_checkpoint_dir(spark)
    t0 = time.perf_counter()
    if isinstance(source, SparkCorpus):
        corpus = source
    else:
        corpus = ingest(spark, source, text_column=text_column, **load_options)
    from topiclab.engines.spark.speed import choose_run_speed

    config, speed_choice = choose_run_speed(config, corpus)  # as in memory, logged
    if pipeline is None:
        pipeline = Pipeline(
            spark_stages(config, options, embedder=embedder), progress=config.progress
        )
    state = RunState(texts=[], langs=[], doc_ids=[])
    state.extras.update(
        spark=spark,
        spark_corpus=corpus,
        config=config.to_dict(),
        seeds=config.seeds(),
        speed_choice=speed_choice,
    )
    # lazy: the work runs in "prepare", or here when the passages are counted for the speed
    state.timings["ingest_s"] = time.perf_counter() - t0
    state = pipeline.fit(state)
    state.timings["total_s"] = time.perf_counter() - t0
    result = state.extras["result"]
    model = ThemeModel.from_estimators(
        vectorizer=pipeline["vectorize"].vectorizer_,
        lda=pipeline["lda"].lda_,
        embedder=pipeline["embed"].embedder_,
        clusterer=pipeline["cluster"].clusterer_,
        context_weight=float(config.context_weight),
        lda_columns=pipeline["lda"].columns_,
        result=result,
    )
    model.engine_tables = state.extras["engine_tables"]
    model.spark_pipeline = pipeline
    logger.info("Spark run finished in %.1fs", state.timings["total_s"])
    return result, model


def _check_supported(config: Any) -> None:
    """Refuse the analyses the Spark engine does not run yet, naming the parameter."""
    from topiclab.errors import ConfigError

    unsupported = {
        "date_field": config.date_field,
        "by": config.by,
        "stability": config.stability if config.stability > 1 else None,
    }
    for name, value in unsupported.items():
        if value:
            raise ConfigError(
                f"{name}={value!r} is not supported by the Spark engine yet; run the analysis "
                "on the saved run (topiclab.analysis) or use the in-memory engine"
            )


def write_tables(folder: str | os.PathLike[str], tables: dict[str, Any]) -> dict[str, str]:
    """Write each Spark DataFrame of ``tables`` as a dataset folder under ``folder``.

    A ``.parquet`` name becomes a folder of parquet part files; a ``.jsonl`` name a folder
    of JSON-lines part files. A file of the same name (the sample written by the ordinary
    writer) is replaced. Spark's marker and checksum files (``_SUCCESS``, ``.crc``) are
    removed.

    Returns
    -------
    dict of str to str
        Relative path of every part file written -> its sha256.
    """
    folder = Path(folder)
    sums: dict[str, str] = {}
    for name, sdf in tables.items():
        sdf.sparkSession.sparkContext.setJobDescription(f"topiclab write {name}")
        target = folder / name
        if target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        if name.endswith(".jsonl"):
            sdf.write.text(str(target))
        else:
            sdf.write.parquet(str(target))
        for part in sorted(target.iterdir()):
            if part.name.startswith(("_", ".")):
                part.unlink()
            else:
                sums[f"{name}/{part.name}"] = _sha256(part)
    return sums


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
