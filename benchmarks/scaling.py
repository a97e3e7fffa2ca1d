"""Scaling: a whole ``topiclab run`` in fast mode on growing slices of multilingual_news.

Each size runs in its own child process (ingest from a jsonl file, every stage, the saved
run without figures), so wall time, CPU time and peak RSS are that run's own. Prints one
row per size with the per-stage timings and plots wall time, time per item and peak RSS
against the number of items (``benchmarks/results/scaling.png``).

Usage::

    python benchmarks/scaling.py --sizes 10000 30000 96532
    python benchmarks/scaling.py --sizes 2000 10000 --embedding-model minilm-static
    python benchmarks/scaling.py --from-json a.json b.json   # table and plot of earlier runs
    python benchmarks/scaling.py --sizes 10000 --jobs 1      # stages one after another

CPU time counts the run's worker processes too (stages fitted beside each other with
``--jobs`` above 1); "RSS MB" is the main process's peak. A worker's peak RSS is printed
below it with its own (private) memory: the pages it only reads are shared with the main
process, so the run's peak is at most the main process's peak plus the worker's own.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "multilingual_news" / "docs.jsonl.gz"
RESULTS = ROOT / "benchmarks" / "results"


def child(args: argparse.Namespace) -> int:
    from topiclab.config import RunConfig
    from topiclab.pipeline import run
    from topiclab.storage.runs import save_run

    t0, c0 = time.perf_counter(), _cpu_seconds()
    config = RunConfig(
        seed=0,
        speed=args.speed,
        n_themes=args.k,
        n_topics=args.k,
        embedding_model=args.embedding_model,
        progress=False,
        n_jobs=args.jobs,
    )
    result, model = run(args.child, config)
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        save_run(Path(out) / "run", result, model, figures=False, report=False)
        save_s = time.perf_counter() - t
    row = {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": _cpu_seconds() - c0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "concurrency": result.meta.get("concurrency"),
        "n_documents": int(result.meta["n_documents"]),
        "n_passages": int(result.meta["n_passages"]),
        "embedding_model": result.meta["embedding_model"],
        "timings": {**result.meta["timings"], "save_s": save_s},
        "cpu_timings": dict(result.meta.get("cpu_timings", {})),
    }
    Path(args.out_json).write_text(json.dumps(row), encoding="utf-8")
    return 0


def _cpu_seconds() -> float:
    """User and system seconds of this process and of its finished worker processes."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


HEAD = (
    f"{'items':>7} {'passages':>8} {'wall s':>8} {'CPU s':>8} {'RSS MB':>7} {'wall ms/item':>12} "
    f"{'CPU ms/item':>11}  stages (wall s)"
)


def format_row(row: dict) -> str:
    """One printed line: sizes, times, memory, time per item and the stage timings."""
    size = row["items"]
    stages = " ".join(f"{k[:-2]} {v:.0f}" for k, v in row["timings"].items() if k != "total_s")
    cpu = row.get("cpu_timings") or {}
    if cpu:
        stages += "\n" + " " * 8 + "CPU s: "
        stages += " ".join(f"{k[:-2]} {v:.0f}" for k, v in cpu.items() if k != "total_s")
    conc = row.get("concurrency") or {}
    if conc:
        workers = ", ".join(
            f"{name} (peak RSS {w['peak_rss_mb']:.0f} MB, of it its own "
            f"{w.get('peak_private_mb') or float('nan'):.0f} MB)"
            for name, w in conc["workers"].items()
        )
        stages += (
            "\n" + " " * 8 + f"jobs {conc['n_jobs']}: in a worker {workers or 'none'}; "
            f"fit wall {conc['fit_wall_s']:.0f} s, stages overlapped {conc['overlap_s']:.0f} s"
        )
    return (
        f"{size:>7} {row['n_passages']:>8} {row['wall_s']:>8.1f} {row['cpu_s']:>8.1f} "
        f"{row['peak_rss_mb']:>7.0f} {1000 * row['wall_s'] / size:>12.2f} "
        f"{1000 * row['cpu_s'] / size:>11.2f}  {stages}"
    )


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.array([r["items"] for r in rows])
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), constrained_layout=True)
    axes[0].plot(n, [r["wall_s"] / 60 for r in rows], "o-", label="wall")
    axes[0].plot(n, [r["cpu_s"] / 60 for r in rows], "s--", label="CPU")
    axes[0].axhline(15, color="grey", ls="--", lw=1, label="target: 15 min")
    axes[0].set(xlabel="items", ylabel="minutes", title="Whole run")
    axes[0].legend(frameon=False)
    axes[1].plot(n, [1000 * r["wall_s"] / r["items"] for r in rows], "o-", label="wall")
    axes[1].plot(n, [1000 * r["cpu_s"] / r["items"] for r in rows], "s--", label="CPU")
    axes[1].legend(frameon=False)
    axes[1].set(xlabel="items", ylabel="ms per item", title="Time per item", ylim=(0, None))
    axes[2].plot(n, [r["peak_rss_mb"] / 1024 for r in rows], "o-")
    axes[2].axhline(8, color="grey", ls="--", lw=1, label="target: 8 GiB")
    axes[2].set(xlabel="items", ylabel="peak RSS (GiB)", title="Memory", ylim=(0, None))
    axes[2].legend(frameon=False)
    model = rows[-1]["embedding_model"].split(" (")[0]
    fig.suptitle(f"topiclab run, fast mode, multilingual_news ({model}; 2 shared CPU cores)")
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 96_532])
    p.add_argument("--speed", default="fast", choices=["fast", "balanced", "best"])
    p.add_argument("--k", type=int, default=20, help="themes and topics (no K search)")
    p.add_argument("--embedding-model", default=None, help="override the mode's model")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per size")
    p.add_argument(
        "--jobs", type=int, default=None, help="RunConfig.n_jobs (default: the machine's cores)"
    )
    p.add_argument("--plot", type=Path, default=RESULTS / "scaling.png")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--from-json", type=Path, nargs="+", help="print and plot earlier rows")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--out-json", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args)
    if args.from_json:
        rows = [r for f in args.from_json for r in json.loads(f.read_text(encoding="utf-8"))]
        rows.sort(key=lambda r: r["items"])
        print(f"rows of {', '.join(f.name for f in args.from_json)}")
        print(HEAD)
        for row in rows:
            print(format_row(row))
        print(f"embedding model: {rows[-1]['embedding_model']}")
        plot(rows, args.plot)
        print(f"plot: {args.plot}")
        return 0

    lines = gzip.open(CORPUS, "rt", encoding="utf-8").read().splitlines()
    order = np.random.default_rng(0).permutation(len(lines))
    print(
        f"multilingual_news: {len(lines)} items; speed={args.speed}, K={args.k}, model "
        f"{args.embedding_model or '(the mode default)'}; {os.cpu_count()} CPUs, shared machine; "
        f"jobs {'the cores' if args.jobs is None else args.jobs}",
        flush=True,
    )
    rows = []
    for size in args.sizes:
        size = min(size, len(lines))
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "items.jsonl"
            src.write_text("\n".join(lines[i] for i in order[:size]) + "\n", encoding="utf-8")
            out = Path(tmp) / "row.json"
            cmd = [sys.executable, __file__, "--child", str(src), "--out-json", str(out)]
            cmd += ["--speed", args.speed, "--k", str(args.k)]
            if args.jobs is not None:
                cmd += ["--jobs", str(args.jobs)]
            if args.embedding_model:
                cmd += ["--embedding-model", args.embedding_model]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{size:>7} stopped after {args.timeout:.0f} s (not finished)", flush=True)
                break
            if proc.returncode != 0 or not out.exists():
                print(f"{size:>7} failed: {proc.stderr.strip().splitlines()[-3:]}", flush=True)
                break
            row = {"items": size, **json.loads(out.read_text())}
        rows.append(row)
        if len(rows) == 1:
            print(HEAD)
        print(format_row(row), flush=True)
    if rows:
        print(f"embedding model: {rows[-1]['embedding_model']}")
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        plot(rows, args.plot)
        print(f"plot: {args.plot}")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
