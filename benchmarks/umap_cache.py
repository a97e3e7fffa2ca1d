"""UMAP in a new process, with and without umap-learn's numba kernels in the disk cache.

Every row is a new Python process that lays out the same passage vectors in 2-D with
:func:`topiclab.models.reduce.reduce_2d` and prints its wall time. ``off`` keeps
umap-learn as it ships (its kernels compiled in every process); ``on`` is topiclab's
default (:func:`topiclab.models.reduce.cache_umap_kernels`), whose first process fills a
fresh cache folder and whose later ones load from it. The coordinates must not change.

Usage::

    python benchmarks/umap_cache.py --rows 6000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
import numpy as np
import topiclab.models.reduce as reduce
if sys.argv[1] == "off":
    reduce._umap_kernels_cached = True  # as if already done: umap-learn as it ships
rows = int(sys.argv[2])
X = np.random.default_rng(0).normal(size=(rows, 384)).astype(np.float32)
t0 = time.perf_counter()
xy = reduce.reduce_2d(X, random_state=0)
print(json.dumps({"s": time.perf_counter() - t0, "xy": float(np.abs(xy).sum())}))
"""


def main(argv: list[str] | None = None) -> int:
    """Print one row per process."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=6000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"{args.rows} random 384-d rows, 2-D UMAP map (reduce_2d), {os.cpu_count()} CPUs")
    print(f"{'kernels cached':<16}{'process':>8}{'wall s':>8}  coordinates (sum of |xy|)")
    for mode in ("off", "on"):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "NUMBA_CACHE_DIR": folder, "PYTHONPATH": str(ROOT)}
            for run in range(1, args.runs + 1):
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, mode, str(args.rows)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                row = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{mode:<16}{run:>8}{row['s']:>8.1f}  {row['xy']:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
