"""Compare the results of two topiclab versions: same inputs, same seeds, same outputs.

``generate`` runs the main job for seeds 0, 1 and 2 on the bundled ``corpus/`` and on a
2,000-document slice of 20 Newsgroups, and writes, per run, ``themes.json``,
``metrics.json`` and the theme columns of ``passages.parquet``. ``compare`` checks that two
such folders are identical (exact JSON equality, exact column equality).

Usage::

    TOPICLAB_CACHE=/tmp/emb python benchmarks/compare_runs.py generate /tmp/before
    # ... change the code ...
    TOPICLAB_CACHE=/tmp/emb python benchmarks/compare_runs.py generate /tmp/after
    python benchmarks/compare_runs.py compare /tmp/before /tmp/after
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NG20 = ROOT.parent / "shared" / "corpora" / "20newsgroups" / "docs.jsonl.gz"
THEME_COLUMNS = [
    "passage_id",
    "doc_id",
    "theme",
    "theme_label",
    "theme_score",
    "lda_topic",
    "lda_label",
    "x",
    "y",
]
SEEDS = (0, 1, 2)


def _slice_20ng(n: int, folder: Path) -> Path:
    out = folder / "20ng_slice.jsonl"
    with gzip.open(NG20, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    return out


def _jsonable(obj):
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and obj != obj:
        return None
    return obj


def generate(out: Path, n_docs: int, corpora: list[str]) -> None:
    """Run every corpus x seed and write the compared outputs under ``out``."""
    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sources = {}
        if "seeds" in corpora:
            sources["seeds"] = ROOT / "corpus"
        if "20ng" in corpora:
            if not NG20.exists():
                print(f"skipping 20ng: {NG20} not found", file=sys.stderr)
            else:
                sources["20ng"] = _slice_20ng(n_docs, Path(tmp))
        for name, path in sources.items():
            corpus = load(path, progress=False)
            for seed in SEEDS:
                t = time.perf_counter()
                result, _ = run(corpus, RunConfig(seed=seed, progress=False))
                d = out / f"{name}_seed{seed}"
                d.mkdir(parents=True, exist_ok=True)
                (d / "themes.json").write_text(
                    json.dumps(_jsonable(result.themes_json()), ensure_ascii=False, indent=1)
                )
                (d / "metrics.json").write_text(
                    json.dumps(_jsonable(result.metrics), ensure_ascii=False, indent=1)
                )
                cols = [c for c in THEME_COLUMNS if c in result.passages.columns]
                result.passages[cols].to_parquet(d / "passages.parquet")
                print(
                    f"{name} seed {seed}: {len(result.passages)} passages, "
                    f"{len(result.themes)} themes, {len(result.topics)} topics "
                    f"({time.perf_counter() - t:.0f}s)",
                    flush=True,
                )


def compare(a: Path, b: Path) -> int:
    """Print one line per run folder; return the number of differing runs."""
    import pandas as pd

    bad = 0
    names = sorted(p.name for p in a.iterdir() if p.is_dir())
    if not names:
        print(f"{a}: no runs to compare")
        return 1
    for name in names:
        da, db = a / name, b / name
        problems = []
        if not db.is_dir():
            problems.append("missing")
        else:
            for f in ("themes.json", "metrics.json"):
                if json.loads((da / f).read_text()) != json.loads((db / f).read_text()):
                    problems.append(f)
            pa, pb = (
                pd.read_parquet(da / "passages.parquet"),
                pd.read_parquet(db / "passages.parquet"),
            )
            if list(pa.columns) != list(pb.columns) or not pa.equals(pb):
                problems.append("passages.parquet")
        print(f"{name}: {'identical' if not problems else 'DIFFERENT: ' + ', '.join(problems)}")
        bad += bool(problems)
    print(f"{len(names) - bad} identical, {bad} different")
    return bad


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="run and write the compared outputs")
    g.add_argument("out", type=Path)
    g.add_argument("--n-docs", type=int, default=2000)
    g.add_argument("--corpora", nargs="+", default=["seeds", "20ng"], choices=["seeds", "20ng"])
    c = sub.add_parser("compare", help="compare two generated folders")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.cmd == "generate":
        generate(args.out, args.n_docs, args.corpora)
        return 0
    return 1 if compare(args.a, args.b) else 0


if __name__ == "__main__":
    sys.exit(main())
