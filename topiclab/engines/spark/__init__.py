"""The Spark engine: the pipeline's stages on Spark DataFrames.

``topiclab run PATH --engine spark --spark-master local[*]`` or, from Python::

    from topiclab.engines.spark import run_spark
    result, model = run_spark("articles/", master="local[*]")

or ``topiclab.run(PATH, engine="spark")``. Needs ``pip install "topiclab[spark]"`` and a
Java runtime; :func:`require_spark` says what is missing.
"""

from __future__ import annotations

from topiclab.engines.spark.run import run_spark, write_tables
from topiclab.engines.spark.session import get_session, java_available, require_spark
from topiclab.engines.spark.stages import SparkOptions, spark_stages

__all__ = [
    "SparkOptions",
    "get_session",
    "java_available",
    "require_spark",
    "run_spark",
    "spark_stages",
    "write_tables",
]
