"""The engines' agreement at their default settings on the test slice (LSA vectors, no model).

Usage::

    python benchmarks/spark_agreement_slice.py [--neighbors N] [--master local[2]]

The slice and the vectors are those of ``tests/test_spark_engine.py``: 50 posts of each of
six 20 Newsgroups groups and a TF-IDF + SVD encoder fitted on the slice's passages (the
same vectors on the driver and the executors). The in-memory engine runs with seeds 0
and 1, the Spark engine with seed 0, K = 6 themes and topics; ``--neighbors`` sets the
clustering's UMAP neighbourhood of every run (default: each engine's own rule).

Printed: ARI between the in-memory seeds and between the engines, each run's ARI against
the labels, the LDA NPMI and the Spark engine's clustering settings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
CORPUS = ROOT.parent / "shared" / "corpora" / "20newsgroups" / "docs.jsonl.gz"
GROUPS = {
    "rec.sport.hockey",
    "sci.space",
    "comp.graphics",
    "talk.politics.mideast",
    "rec.autos",
    "sci.med",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--neighbors", type=int, default=None)
    p.add_argument("--master", default="local[2]")
    args = p.parse_args(argv)

    from sklearn.metrics import adjusted_rand_score as ari
    from test_spark_engine import LSAEncoder

    import topiclab
    from topiclab.config import RunConfig
    from topiclab.engines.spark import get_session
    from topiclab.ingest import load

    rows, seen = [], dict.fromkeys(GROUPS, 0)
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            label = rec.get("label") or rec.get("group")
            if label in seen and seen[label] < 50:
                seen[label] += 1
                rows.append({"id": rec["id"], "text": rec["text"], "label": label})
    path = Path(tempfile.mkdtemp()) / "slice.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    corpus = load(path)
    encoder = LSAEncoder(corpus.passages["text"].tolist())
    labels = corpus.documents.set_index("doc_id")["label"]

    def config(seed: int) -> RunConfig:
        return RunConfig(
            seed=seed, n_themes=6, n_topics=6, cluster_neighbors=args.neighbors, progress=False
        )

    runs = {}
    for name, seed in (("memory 0", 0), ("memory 1", 1)):
        t0 = time.perf_counter()
        runs[name], _ = topiclab.run(corpus, config(seed), embedder=encoder)
        print(f"{name}: {time.perf_counter() - t0:.1f}s wall", flush=True)
    spark = get_session(args.master, conf={"spark.sql.shuffle.partitions": "4"})
    t0 = time.perf_counter()
    runs["spark 0"], _ = topiclab.run(
        path, config(0), engine="spark", spark=spark, embedder=encoder
    )
    print(f"spark 0: {time.perf_counter() - t0:.1f}s wall", flush=True)
    m0, m1, s = (
        runs[k].passages.set_index("passage_id") for k in ("memory 0", "memory 1", "spark 0")
    )
    common = m0.index.intersection(s.index)
    truth = labels.loc[m0.loc[common, "doc_id"]].to_numpy()
    out = {
        "passages": [len(common), len(m0)],
        "seed_ari_memory": ari(m0.loc[common, "theme"], m1.loc[common, "theme"]),
        "engine_ari": ari(m0.loc[common, "theme"], s.loc[common, "theme"]),
        "label_ari": {
            k: ari(truth, r.passages.set_index("passage_id").loc[common, "theme"])
            for k, r in runs.items()
        },
        "lda_npmi": {k: r.metrics["lda"]["npmi"] for k, r in runs.items()},
        "spark_clustering": runs["spark 0"].metrics["embedding"]["clustering"],
    }
    print(json.dumps(out, indent=1, default=str))
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
