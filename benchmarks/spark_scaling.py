"""Both engines on multilingual_news (or a slice of it): wall time, driver RSS, executor memory.

Usage::

    python benchmarks/spark_scaling.py [--limit N] [--engines memory,spark] [--master local[2]]
        [--embedder hash|default] [--speed fast|balanced|best]

``--limit N`` takes N records spread evenly over the file (all four sources appear).
``--speed`` sets the speed mode of both engines (default: each chooses by corpus size, as
``topiclab run`` does); the printout gives the mode each engine ran and its passages.

Each engine runs in a fresh child process so that its peak RSS is its own. The driver's
peak RSS is ``ru_maxrss`` of that process (for Spark, the Python driver; the JVM and the
Python workers are separate processes and are reported from Spark's own executor
metrics: peak JVM heap and Python worker memory). ``--embedder hash`` uses a cheap
hashing encoder so that the engines' own costs are measured, not the embedding model's
(MiniLM on these CPUs embeds ~17 texts/s).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpora" / "multilingual_news" / "docs.jsonl.gz"


class HashEncoder:
    model_id = "bench-hash-encoder-256"

    def encode(self, texts):
        import numpy as np
        from sklearn.feature_extraction.text import HashingVectorizer

        X = HashingVectorizer(
            n_features=256, alternate_sign=False, analyzer="char_wb", ngram_range=(2, 3)
        ).transform(list(texts))
        return X.toarray().astype(np.float32) + 1e-3


def _slice(src: Path, limit: int | None, out: Path) -> int:
    """Write ``limit`` records spread evenly over ``src`` (every source appears), or all."""
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    if limit is not None and limit < len(lines):
        step = len(lines) / limit
        lines = [lines[int(i * step)] for i in range(limit)]
    with open(out, "w", encoding="utf-8") as dst:
        dst.writelines(lines)
    return len(lines)


def _child(
    engine: str,
    path: str,
    master: str,
    embedder: str,
    out: str,
    event_log: str | None = None,
    speed: str | None = None,
) -> None:
    sys.path.insert(0, str(ROOT))
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("topiclab.pipeline.base").setLevel(logging.INFO)  # stage timings
    for name in ("topiclab.pipeline.run", "topiclab.engines.spark.speed"):
        logging.getLogger(name).setLevel(logging.INFO)  # the speed mode each engine chose
    for name in ("topiclab.pipeline.stages", "topiclab.engines.spark.stages"):
        logging.getLogger(name).setLevel(logging.INFO)  # short documents embedded whole
    import topiclab
    from topiclab.config import RunConfig
    from topiclab.storage.runs import save_run

    emb = HashEncoder() if embedder == "hash" else None
    config = RunConfig(seed=0, n_themes=20, n_topics=20, progress=False, speed=speed)
    t0, c0 = time.perf_counter(), time.process_time()
    extra = {}
    if engine == "spark":
        from topiclab.engines.spark import get_session

        conf = {  # executor memory metrics, Python workers included
            "spark.executor.processTreeMetrics.enabled": "true",
            "spark.executor.metrics.pollingInterval": "1s",
        }
        if event_log:  # Spark's event log: every job's time, for spark_jobs.py
            os.makedirs(event_log, exist_ok=True)
            conf["spark.eventLog.enabled"] = "true"
            conf["spark.eventLog.dir"] = Path(event_log).resolve().as_uri()
            conf["spark.eventLog.compress"] = "false"
        extra["spark"] = get_session(master, conf=conf)
    result, model = topiclab.run(path, config, engine=engine, embedder=emb, **extra)
    save_run(out, result, model, figures=False, report=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    row = {
        "engine": engine,
        "wall_s": round(wall, 1),
        "driver_cpu_s": round(cpu, 1),
        "driver_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "speed": result.config.get("speed"),
        "n_passages": result.meta["n_passages"],
        "n_documents": result.meta["n_documents"],
        "timings": {k: round(v, 1) for k, v in result.meta["timings"].items()},
    }
    if engine == "spark":
        row["executors"] = _executor_memory(master)
        extra["spark"].stop()
    print("RESULT " + json.dumps(row), flush=True)


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and all its descendants (``/proc``).

    Live processes count their own time; finished ones that were waited for count in
    their parent's ``cutime``/``cstime``. On ``local[...]`` the JVM's tree holds the
    executor: its task threads and the Python workers.
    """
    tick = os.sysconf("SC_CLK_TCK")
    stats, children = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state; ppid, utime, stime, cutime, cstime follow at 1, 11-14
        stats[int(entry)] = sum(int(x) for x in fields[11:15]) / tick
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += stats.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


def _executor_memory(master: str) -> dict:
    """Peak executor memory from Spark's status store (JVM heap, Python workers)."""
    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession()
    sc = spark.sparkContext
    out = {
        "master": sc.master,
        "executor_memory_setting": sc.getConf().get("spark.executor.memory", "1g"),
        "driver_memory_setting": sc.getConf().get("spark.driver.memory", "1g"),
    }
    try:  # on local[...] the driver's JVM is the executor: its peak RSS from /proc
        pid = int(sc._jvm.java.lang.ProcessHandle.current().pid())
        with open(f"/proc/{pid}/status") as fh:
            hwm = next(ln for ln in fh if ln.startswith("VmHWM:")).split()[1]
        out["jvm_peak_rss_mib"] = round(int(hwm) / 1024, 1)
        out["jvm_tree_cpu_s"] = round(_tree_cpu_s(pid), 1)  # executor tasks, Python workers
    except Exception as exc:
        out["jvm_peak_rss_error"] = repr(exc)
    try:
        import urllib.request  # noqa: F401 - the UI is off; use the JVM status store instead

        store = sc._jsc.sc().statusStore()
        execs = store.executorList(True)
        peaks = []
        for i in range(execs.size()):
            e = execs.apply(i)
            m = e.peakMemoryMetrics()
            if m.isDefined():
                pm = m.get()
                peaks.append(
                    {
                        "id": e.id(),
                        "jvm_heap_mib": round(pm.getMetricValue("JVMHeapMemory") / 2**20, 1),
                        "python_rss_mib": round(
                            pm.getMetricValue("ProcessTreePythonRSSMemory") / 2**20, 1
                        ),
                    }
                )
            else:
                peaks.append({"id": e.id(), "max_memory_mib": round(e.maxMemory() / 2**20, 1)})
        out["peaks"] = peaks
    except Exception as exc:  # the status store API is internal; report what failed
        out["peaks_error"] = repr(exc)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=DEFAULT)
    p.add_argument("--limit", type=int, default=None, help="N records spread over the file")
    p.add_argument("--engines", default="memory,spark")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--embedder", choices=["hash", "default"], default="hash")
    p.add_argument(
        "--event-log", default=None, help="write Spark's event log here (Spark runs only)"
    )
    p.add_argument(
        "--speed",
        choices=["fast", "balanced", "best"],
        default=None,
        help="speed mode of both engines (default: chosen by corpus size)",
    )
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        engine, path, embedder, out = args.child
        _child(engine, path, args.master, embedder, out, args.event_log, args.speed)
        return 0
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "slice.jsonl"
        n = _slice(args.corpus, args.limit, data)
        print(
            f"corpus {args.corpus.name}: {n} records; master {args.master}; "
            f"embedder {args.embedder}; speed {args.speed or 'chosen by corpus size'}; "
            f"{os.cpu_count()} CPUs (shared machine)"
        )
        for engine in args.engines.split(","):
            cmd = [
                sys.executable,
                __file__,
                "--master",
                args.master,
                *(["--event-log", args.event_log] if args.event_log else []),
                *(["--speed", args.speed] if args.speed else []),
                "--child",
                engine,
                str(data),
                args.embedder,
                str(Path(tmp) / f"run-{engine}"),
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # stderr: progress
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode or not lines:
                print(
                    f"{engine}: failed (rc {proc.returncode}) after {time.perf_counter() - t0:.0f}s"
                )
                continue
            row = json.loads(lines[-1][len("RESULT ") :])
            row["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
            print(json.dumps(row, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
