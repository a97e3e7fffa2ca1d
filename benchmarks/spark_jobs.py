"""Where a Spark run's time went: its jobs grouped by the line of topiclab that started them.

Usage::

    python benchmarks/spark_jobs.py EVENT_LOG [--top 30]

``EVENT_LOG`` is a file or folder Spark wrote with ``spark.eventLog.enabled`` (for example
``benchmarks/spark_scaling.py --event-log DIR``; uncompressed or ``.zstd`` with the
``zstd`` program on the PATH). Printed: the number of jobs, the seconds the jobs ran, the
driver's seconds between jobs (work on the driver: fits on the sample, planning), and per
call site (with the pipeline stage that ran it, Spark's job description) the jobs, their
seconds and their tasks, most time first, and the same per pipeline stage.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import defaultdict
from pathlib import Path


def _lines(path: Path):
    files = (
        sorted(p for p in path.iterdir() if p.name.startswith("events"))
        if path.is_dir()
        else [path]
    )
    for f in files:
        if f.suffix == ".zstd":
            text = subprocess.run(["zstd", "-dc", str(f)], capture_output=True, check=True).stdout
            yield from text.decode("utf-8").splitlines()
        else:
            with open(f, encoding="utf-8") as fh:
                yield from fh


def summarise(path: Path) -> dict:
    """Return jobs per call site, job seconds and driver seconds of an event log."""
    jobs: dict[int, dict] = {}
    start = end = None
    for line in _lines(path):
        e = json.loads(line)
        kind = e["Event"]
        if kind == "SparkListenerApplicationStart":
            start = e["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            end = e["Timestamp"]
        elif kind == "SparkListenerJobStart":
            props = e.get("Properties") or {}
            site = props.get("callSite.short") or "(MLlib, checkpoint or count)"
            stage = props.get("spark.job.description") or "-"
            site = f"[{stage}] {site}"
            tasks = sum(s["Number of Tasks"] for s in e["Stage Infos"])
            jobs[e["Job ID"]] = {
                "t0": e["Submission Time"],
                "t1": None,
                "site": site,
                "tasks": tasks,
            }
        elif kind == "SparkListenerJobEnd" and e["Job ID"] in jobs:
            jobs[e["Job ID"]]["t1"] = e["Completion Time"]
    by_site: dict[str, list] = defaultdict(lambda: [0, 0.0, 0])
    busy, last = 0.0, start
    for job in sorted(jobs.values(), key=lambda j: j["t0"]):
        t1 = job["t1"] or job["t0"]
        row = by_site[job["site"]]
        row[0] += 1
        row[1] += (t1 - job["t0"]) / 1000
        row[2] += job["tasks"]
        if last is None or t1 > last:  # time covered by jobs (jobs may overlap)
            busy += (t1 - max(job["t0"], last or job["t0"])) / 1000
            last = t1
    total = ((end or last or 0) - (start or 0)) / 1000
    return {"n_jobs": len(jobs), "app_s": total, "jobs_s": busy, "by_site": dict(by_site)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("event_log", type=Path)
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args(argv)
    s = summarise(args.event_log)
    print(
        f"{s['n_jobs']} jobs; application {s['app_s']:.1f}s, jobs running {s['jobs_s']:.1f}s, "
        f"driver alone (start, fits on the sample, planning) {s['app_s'] - s['jobs_s']:.1f}s"
    )
    print(f"{'seconds':>8} {'jobs':>5} {'tasks':>6}  call site")
    stages: dict[str, list] = defaultdict(lambda: [0, 0.0, 0])
    for site, row in s["by_site"].items():
        total = stages[site.split("]")[0].lstrip("[")]
        for i in range(3):
            total[i] += row[i]
    for name, (n, sec, tasks) in sorted(stages.items(), key=lambda kv: -kv[1][1]):
        print(f"{sec:8.1f} {n:5d} {tasks:6d}  stage {name}")
    print()
    rows = sorted(s["by_site"].items(), key=lambda kv: -kv[1][1])
    for site, (n, sec, tasks) in rows[: args.top]:
        print(f"{sec:8.1f} {n:5d} {tasks:6d}  {site.replace(str(Path.cwd()) + '/', '')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
