"""Execution engines: the same stages run somewhere other than in one Python process.

:mod:`topiclab.engines.spark` runs the pipeline on Apache Spark.
"""
