"""Speed modes on Spark: the in-memory engine's choice by corpus size, short documents whole.

The Spark engine honours the settings of :mod:`topiclab.pipeline.speed` that map onto its
stages, so that both engines cut the same passages for the same input and mode:

* the mode is chosen as in memory, from the number of passages the ingest cut
  (:func:`choose_run_speed`), and logged in the same one line;
* documents of up to ``whole_doc_words`` words are embedded as one passage
  (:func:`merge_short_documents`, the Spark twin of
  :func:`topiclab.ingest.segment.merge_short_documents`);
* the LDA restarts cap, the online optimizer's passes cap, the K candidates of the K
  search and the coherence reference cap apply in the LDA and score stages.

What does not map: fast mode's corpus-adapted English embedder is fitted on the corpus in
memory, so on Spark fast mode embeds English passages with the static model; the Gibbs
sampler's sweeps have no counterpart in MLlib's EM iterations.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["choose_run_speed", "merge_short_documents", "merged_count", "with_doc_sizes"]


def choose_run_speed(config: Any, corpus: Any) -> tuple[Any, dict[str, str]]:
    """Return ``config`` with a speed mode, chosen by corpus size when it has none.

    Parameters
    ----------
    config : RunConfig
    corpus : SparkCorpus
        The ingested corpus; its passages are counted (one Spark job, which runs the
        lazy ingest) only when the mode has to be chosen.

    Returns
    -------
    config : RunConfig
        With ``speed`` set.
    choice : dict of str to str
        ``mode`` and ``chosen`` (the reason, or ``"given"``), for ``meta.json``.
    """
    if config.speed is not None:
        return config, {"mode": str(config.speed), "chosen": "given"}
    from topiclab.pipeline.speed import BALANCED_MAX_PASSAGES, choose_speed

    corpus.passages.sparkSession.sparkContext.setJobDescription("topiclab ingest")
    n = int(corpus.passages.count())
    speed, reason = choose_speed(n)
    if speed == "fast":  # the adapted embedder is fitted in memory: not on Spark
        reason = (
            f"{n:,} passages > {BALANCED_MAX_PASSAGES:,}: short documents embedded whole, "
            "a shorter LDA search, English passages embedded with the static model (the "
            "Spark engine does not fit fast mode's adapted map)"
        )
    logger.info("speed=%s chosen: %s (set --speed / speed= to override)", speed, reason)
    return config.replace(speed=speed), {"mode": speed, "chosen": reason}


def _sizes(frames: Any) -> Any:
    from topiclab.ingest._lines import size

    for pdf in frames:
        pdf["_size"] = [size(str(t)) for t in pdf["text"]]
        yield pdf


def with_doc_sizes(passages: Any) -> Any:
    """Return ``passages`` with ``_doc_size`` and ``_n_parts`` (computed when missing).

    The ingest cuts passages with both columns; a :class:`SparkCorpus` built otherwise
    gets them here (one pass and a window over the documents).
    """
    if {"_doc_size", "_n_parts"} <= set(passages.columns):
        return passages
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from topiclab.engines.spark.frames import map_in_pandas
    from topiclab.engines.spark.stages import _schema_plus

    sized = map_in_pandas(passages, _sizes, _schema_plus(passages.schema, "_size:double"))
    w = Window.partitionBy("doc_id")
    return (
        sized.withColumn("_doc_size", F.sum("_size").over(w))
        .withColumn("_n_parts", F.count("*").over(w).cast("int"))
        .drop("_size")
    )


def _short(max_words: float) -> Any:
    from pyspark.sql import functions as F

    return F.coalesce(
        (F.col("_doc_size") <= F.lit(float(max_words))) & (F.col("_n_parts") > 1), F.lit(False)
    )


def merge_short_documents(passages: Any, max_words: float) -> Any:
    """Join the passages of every document of at most ``max_words`` into one passage.

    The rule of :func:`topiclab.ingest.segment.merge_short_documents`, as Spark
    operations: a document of several passages whose size (word units, the sum over its
    passages) is at most ``max_words`` becomes one passage with its first passage's id,
    language and place, its passages' texts joined by a blank line. Only the merged
    documents' passages are shuffled.

    Parameters
    ----------
    passages : pyspark.sql.DataFrame
        ``passage_id, doc_id, lang, text, _order`` plus ``_doc_size`` and ``_n_parts``
        (as :func:`topiclab.engines.spark.ingest.ingest` cuts them).
    max_words : float
        0 or less leaves the passages as they are.

    Returns
    -------
    pyspark.sql.DataFrame
        ``passage_id, doc_id, lang, text, _order``.
    """
    from pyspark.sql import functions as F

    cols = ["passage_id", "doc_id", "lang", "text", "_order"]
    if max_words <= 0:
        return passages.select(*cols)
    short = _short(max_words)
    kept = passages.filter(~short).select(*cols)
    parts = F.sort_array(F.collect_list(F.struct("_order", "passage_id", "lang", "text")))
    merged = (
        passages.filter(short)
        .groupBy("doc_id")
        .agg(parts.alias("_p"))
        .select(
            F.col("_p")[0]["passage_id"].alias("passage_id"),
            "doc_id",
            F.col("_p")[0]["lang"].alias("lang"),
            F.concat_ws("\n\n", F.transform("_p", lambda p: p["text"])).alias("text"),
            F.col("_p")[0]["_order"].alias("_order"),
        )
    )
    return kept.unionByName(merged)


def merged_count(passages: Any, max_words: float) -> int:
    """Return how many passages :func:`merge_short_documents` leaves (one aggregation)."""
    from pyspark.sql import functions as F

    if max_words <= 0:
        return int(passages.count())
    short = _short(max_words)
    row = passages.agg(
        F.count("*").alias("n"),
        F.sum(short.cast("long")).alias("joined"),
        F.countDistinct(F.when(short, F.col("doc_id"))).alias("docs"),
    ).first()
    return int(row["n"]) - int(row["joined"] or 0) + int(row["docs"] or 0)
