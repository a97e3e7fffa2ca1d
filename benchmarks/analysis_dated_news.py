"""Themes over time on dated news: do theme shares per year follow the category shares?

Takes every SPORTS and FOOD & DRINK article of the HuffPost News Category slice in
``../shared/corpora/dated_news`` (2018-2022) and 60 POLITICS articles a year, fits three
embedding themes, and prints, per category, the Pearson correlation between its yearly
share (from the labels) and the yearly share of the theme holding most of its articles.
Prints wall and CPU time (embeddings are cached, so only the first run embeds).

Usage: ``python benchmarks/analysis_dated_news.py [--seed 0]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/dated_news"
FILE = "huffpost_news_category_2018_2022.jsonl.gz"
CAPS = {"SPORTS": None, "FOOD & DRINK": None, "POLITICS": 60}


def main() -> None:
    """Run the check and print the numbers."""
    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run

    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    rows, per = [], {}
    with gzip.open(args.corpus / FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["label"] not in CAPS:
                continue
            key = (r["label"], r["date"][:4])
            cap = CAPS[r["label"]]
            if cap is not None and per.get(key, 0) >= cap:
                continue
            per[key] = per.get(key, 0) + 1
            rows.append(r)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "slice.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        wall, cpu = time.perf_counter(), time.process_time()
        config = RunConfig(
            seed=args.seed, progress=False, n_themes=3, n_topics=3, lda_passes=5, time_bin="year"
        )
        result, _model = run(load(path), config)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    a = result.analyses["themes_over_time"]
    frame = a.frame
    docs = result.documents.assign(year=result.documents["date"].str[:4])
    print(f"{len(docs)} articles, bin {a.info['bin']}, undated {a.info['undated']}")
    print(f"run (ingest, embed, both views, analyses): wall {wall:.1f} s, CPU {cpu:.1f} s")
    for category in CAPS:
        from_labels = docs.groupby("year")["label"].apply(lambda s, c=category: (s == c).mean())
        theme = docs.loc[docs["label"] == category, "theme"].value_counts().idxmax()
        shares = frame[frame["theme"] == theme].set_index("period")["share"]
        shares = shares.reindex(from_labels.index)
        r = np.corrcoef(from_labels.to_numpy(), shares.to_numpy())[0, 1]
        print(
            f"{category:13s} theme {theme} '{result.themes[int(theme)].label}': r = {r:.3f}; "
            f"labels {np.round(from_labels.to_numpy(), 3).tolist()} "
            f"theme {np.round(shares.to_numpy(), 3).tolist()}"
        )


if __name__ == "__main__":
    main()
