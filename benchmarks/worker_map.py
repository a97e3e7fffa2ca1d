"""Stages fitted in forked workers after UMAP: does the map stage stay in its worker?

Runs :func:`topiclab.pipeline.run` with its defaults (``n_jobs``: the machine's cores;
best mode; K=5) on a JSON Lines file and prints the fit's wall time, the stages fitted in a
worker process and the map stage's start and end (seconds into the fit). numba's GNU
OpenMP threading layer stops a process forked after UMAP ran in its parent; the pipeline
then fits that stage again in the main process, which the printed worker list shows.

Usage::

    zcat ../shared/corpora/multilingual_news/docs.jsonl.gz | head -300 > /tmp/ml300.jsonl
    python benchmarks/worker_map.py /tmp/ml300.jsonl
"""

from __future__ import annotations

import argparse
import logging


def main(argv: list[str] | None = None) -> int:
    from topiclab.config import RunConfig
    from topiclab.pipeline import run

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", help="a JSON Lines corpus")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
    result, _ = run(args.path, RunConfig(seed=0, n_themes=5, n_topics=5, progress=False))
    c = result.meta["concurrency"]
    print(
        f"fit wall {c['fit_wall_s']:.1f} s; stages in a worker: {sorted(c['workers'])}; "
        f"map {c['stages']['map']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
