"""Find pyspark and a Java runtime, and start (or reuse) a Spark session.

Nothing here imports pyspark at module import time; :func:`require_spark` says plainly what
to install when pyspark or Java is missing.
"""

from __future__ import annotations

import logging
import os
import shutil
from typing import Any

from topiclab.errors import EngineUnavailableError

logger = logging.getLogger(__name__)

__all__ = ["ensure_checkpoint_dir", "get_session", "java_available", "require_spark"]

#: Spark settings every topiclab session gets unless the caller sets them.
DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "2000",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}
#: Extra settings of a session topiclab starts itself on a ``local[...]`` master (the
#: driver's JVM then also runs the tasks; spark-submit's settings win on a cluster).
LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "4",
}


def local_driver_memory() -> str:
    """JVM heap of a ``local[...]`` session: a quarter of the machine's memory, 2 to 16 GiB.

    On a local master the driver's JVM also runs the tasks: on all 96,532 records of
    ``multilingual_news`` its heap peaked at 4.9 GiB (``benchmarks/spark_scaling.py``).
    ``spark.driver.memory`` in ``conf`` (or spark-submit's ``--driver-memory``) wins.
    """
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: keep Spark's usual 2 GiB
        return "2g"
    return f"{min(16, max(2, int(total / 2**30) // 4))}g"


def java_available() -> bool:
    """Whether a Java runtime can be found (``JAVA_HOME`` or ``java`` on the ``PATH``)."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def require_spark() -> Any:
    """Import pyspark after checking that it and a Java runtime are installed.

    Returns
    -------
    module
        The ``pyspark`` module.

    Raises
    ------
    EngineUnavailableError
        Naming what to install: ``pip install "topiclab[spark]"`` for pyspark, a Java
        runtime (e.g. Debian's ``openjdk-17-jre-headless``) for Java.
    """
    try:
        import pyspark
    except ImportError as exc:
        raise EngineUnavailableError(
            'the Spark engine needs pyspark: pip install "topiclab[spark]" (or pip install pyspark)'
        ) from exc
    if not java_available():
        raise EngineUnavailableError(
            "the Spark engine needs a Java runtime (17 or later): install one, e.g. "
            "apt-get install openjdk-17-jre-headless, or set JAVA_HOME"
        )
    return pyspark


def get_session(
    master: str | None = None, *, app_name: str = "topiclab", conf: dict[str, str] | None = None
) -> Any:
    """Return the active Spark session, or start one on ``master``.

    Parameters
    ----------
    master : str, optional
        ``local[*]``, ``local[2]``, ``spark://host:7077``, ``yarn``, ...; default: the
        active session's, else ``local[*]`` (``spark-submit`` sets it for you).
    app_name : str, default="topiclab"
    conf : dict of str to str, optional
        Extra Spark settings.

    Returns
    -------
    pyspark.sql.SparkSession
    """
    require_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName(app_name)
    if master is not None:  # otherwise spark-submit's master, or pyspark's local[*]
        builder = builder.master(master)
    settings = dict(DEFAULT_CONF)
    if master is not None and master.startswith("local"):
        settings.update(LOCAL_CONF)
        settings["spark.driver.memory"] = local_driver_memory()
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if spark.sparkContext.master.startswith("local") and not os.environ.get("PYSPARK_PYTHON"):
        import sys

        # local workers run this interpreter (with topiclab's environment), not "python3"
        spark.sparkContext.pythonExec = sys.executable
    logger.info("Spark %s session on %s", spark.version, spark.sparkContext.master)
    return spark


def ensure_checkpoint_dir(spark: Any) -> str:
    """Return the session's checkpoint folder, setting one when there is none.

    MLlib's EM LDA checkpoints its graph every few iterations (without that its lineage
    grows until the JVM's stack overflows). The folder is, in order: the one already set,
    ``spark.checkpoint.dir``, or on a ``local[...]`` master a temporary folder (removed when
    the process exits).

    Raises
    ------
    ConfigError
        On a cluster without a checkpoint folder, naming the setting.
    """
    from topiclab.errors import ConfigError

    sc = spark.sparkContext
    current = sc._jsc.sc().getCheckpointDir()
    if current.isDefined():
        return str(current.get())
    folder = sc.getConf().get("spark.checkpoint.dir", None)
    if not folder:
        if not sc.master.startswith("local"):
            raise ConfigError(
                "the Spark engine's LDA (MLlib EM) needs a checkpoint folder every executor "
                "can reach: set spark.checkpoint.dir (e.g. an hdfs:// path), or use "
                'SparkOptions(lda_optimizer="online")'
            )
        import atexit
        import tempfile

        folder = tempfile.mkdtemp(prefix="topiclab-spark-checkpoints-")
        atexit.register(shutil.rmtree, folder, True)
    sc.setCheckpointDir(folder)
    return folder
