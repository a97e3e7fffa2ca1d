"""Do the Spark and in-memory engines find the same themes? 20 Newsgroups, same embeddings.

Usage::

    python benchmarks/spark_agreement.py [--per-group 60] [--groups 6] [--k 6]
        [--model minilm] [--master local[2]] [--sample-size N] [--layout-sample N]

A slice of 20 Newsgroups (``--per-group`` posts of each of ``--groups`` groups) is
ingested once in memory; every passage is embedded once with ``--model`` through
topiclab's on-disk cache (``TOPICLAB_CACHE``), and both engines get those same vectors
(a lookup encoder shipped to the Spark executors). The in-memory engine runs with seeds 0
and 1, the Spark engine (``local[2]``) with seed 0, all with K themes and K LDA topics.

Printed: ARI between the in-memory seeds (how well the engine agrees with itself), ARI
between the engines, each run's ARI against the newsgroup labels, and each run's LDA NPMI
(in-memory: on its coherence reference; Spark: on its driver sample, which at this size
is every passage), and the same top words scored on one reference (every passage, as
in-memory seed 0 tokenises it). ``--sample-size`` below the slice's passage count makes the Spark
engine work as on a large corpus: its reducer and K search see the sample only, the other
passages are placed from their nearest sample passages and MLlib's KMeans is refined on
all of them. ``--layout-sample`` sets both engines' ``layout_sample`` (the passages the
clustering's UMAP layout is fitted on, chosen by the same hash of the passage ids; 0: every
passage in memory). The checks of the issue: engine ARI >= seed ARI - 0.05, label ARI
within 0.03, NPMI comparable.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "20newsgroups" / "docs.jsonl.gz"
GROUPS = [
    "rec.sport.hockey",
    "sci.space",
    "comp.graphics",
    "talk.politics.mideast",
    "rec.autos",
    "sci.med",
    "comp.sys.mac.hardware",
    "soc.religion.christian",
    "sci.crypt",
    "misc.forsale",
]


class LookupEncoder:
    """Vectors computed once on the driver, looked up by text (same vectors everywhere)."""

    def __init__(self, table: dict[str, list[float]], model_id: str) -> None:
        self.table = table
        self.model_id = model_id

    def encode(self, texts):
        import numpy as np

        dim = len(next(iter(self.table.values())))
        missing = [0.0] * (dim - 1) + [1.0]  # texts outside the slice (a dimension probe)
        return np.asarray([self.table.get(t, missing) for t in texts], dtype=np.float32)


def _slice(path: Path, groups: list[str], per_group: int, out: Path) -> int:
    seen = {g: 0 for g in groups}
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            label = rec.get("label") or rec.get("group")
            if label in seen and seen[label] < per_group:
                seen[label] += 1
                rows.append({"text": rec["text"], "label": label})
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-group", type=int, default=60)
    p.add_argument("--groups", type=int, default=6)
    p.add_argument("--k", type=int, default=6)
    p.add_argument("--model", default="minilm")
    p.add_argument("--master", default="local[2]")
    p.add_argument(
        "--sample-size", type=int, default=None, help="Spark driver sample (default: SparkOptions')"
    )
    p.add_argument(
        "--layout-sample",
        type=int,
        default=None,
        help="both engines' layout_sample (default: the speed mode's; 0: every passage)",
    )
    p.add_argument(
        "--speed",
        choices=["best", "balanced", "fast"],
        default="best",
        help="both engines' speed mode (best: the paragraph passages the vectors were "
        "looked up for; the other modes embed whole documents, which the lookup lacks)",
    )
    args = p.parse_args(argv)

    import numpy as np
    from sklearn.metrics import adjusted_rand_score as ari

    import topiclab
    from topiclab.config import RunConfig
    from topiclab.engines.spark import SparkOptions, get_session
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.ingest import load

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "slice.jsonl"
        n = _slice(CORPUS, GROUPS[: args.groups], args.per_group, data)
        corpus = load(data, progress=False)
        texts = corpus.passages["text"].tolist()
        print(
            f"20 Newsgroups: {n} posts of {args.groups} groups, {len(texts)} passages; "
            f"K={args.k}; model {args.model}; master {args.master}; "
            f"{os.cpu_count()} CPUs (shared machine); cache {os.environ.get('TOPICLAB_CACHE')}"
        )
        options = SparkOptions()
        if args.sample_size:
            options = SparkOptions(sample_size=args.sample_size)
        print(f"Spark driver sample: {options.sample_size} passages")
        t0 = time.perf_counter()
        emb = SentenceEmbedder(args.model, progress=False).fit()
        X = np.asarray(emb.transform(texts), dtype=np.float32)
        encoder = LookupEncoder(
            {t: x.tolist() for t, x in zip(texts, X, strict=True)}, f"lookup:{emb.model_id_}"
        )
        print(f"embedded {len(texts)} passages in {time.perf_counter() - t0:.1f}s (cache)")
        labels = corpus.documents.set_index("doc_id")["label"]

        layout = {}
        if args.layout_sample is not None:
            layout = {"layout_sample": args.layout_sample}
        print(f"layout sample: {args.layout_sample} (None: the speed mode's; 0: every passage)")

        def config(seed: int) -> RunConfig:
            return RunConfig(
                seed=seed,
                n_themes=args.k,
                n_topics=args.k,
                progress=False,
                speed=args.speed,
                **layout,
            )

        runs, models = {}, {}
        for seed in (0, 1):
            t0, c0 = time.perf_counter(), time.process_time()
            runs[f"memory seed {seed}"], models[f"memory seed {seed}"] = topiclab.run(
                corpus, config(seed), embedder=encoder
            )
            print(
                f"memory seed {seed}: {time.perf_counter() - t0:.1f}s wall, "
                f"{time.process_time() - c0:.1f}s CPU"
            )
        spark = get_session(args.master)
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            runs["spark seed 0"], spark_model = topiclab.run(
                data, config(0), engine="spark", spark=spark, embedder=encoder, options=options
            )
            print(
                f"spark seed 0: {time.perf_counter() - t0:.1f}s wall, "
                f"{time.process_time() - c0:.1f}s driver CPU"
            )
            # every passage's theme and topic (the result's own frame holds the sample)
            spark_full = (
                spark_model.engine_tables["passages.parquet"]
                .select("passage_id", "doc_id", "theme", "lda_topic")
                .toPandas()
            )
        finally:
            spark.stop()

        frames = {k: r.passages.set_index("passage_id") for k, r in runs.items()}
        frames["spark seed 0"] = spark_full.set_index("passage_id")
        common = frames["memory seed 0"].index
        for f in frames.values():
            common = common.intersection(f.index)
        print(f"passages in every run: {len(common)} of {len(texts)}")
        sampled = runs["spark seed 0"].meta.get("engine", {}).get("n_sample_passages")
        if sampled is not None:
            print(f"passages in the Spark driver sample: {sampled}")
        # each run's LDA NPMI is on its own reference (Spark: its driver sample); the
        # same top words scored on one reference, every passage tokenised by seed 0's run
        from topiclab.evaluate import coherence

        reference = models["memory seed 0"].vectorizer.tokenize_documents(
            texts, corpus.passages["lang"].tolist()
        )
        truth = labels.loc[frames["memory seed 0"].loc[common, "doc_id"]].to_numpy()
        m0 = frames["memory seed 0"].loc[common, "theme"]
        m1 = frames["memory seed 1"].loc[common, "theme"]
        s0 = frames["spark seed 0"].loc[common, "theme"]
        seed_ari, engine_ari = ari(m0, m1), ari(m0, s0)
        rows = {
            "seed_ari_memory": seed_ari,
            "engine_ari": engine_ari,
            "label_ari": {k: ari(truth, f.loc[common, "theme"]) for k, f in frames.items()},
            "lda_npmi": {k: r.metrics["lda"].get("npmi") for k, r in runs.items()},
            "lda_label_ari": {k: ari(truth, f.loc[common, "lda_topic"]) for k, f in frames.items()},
            "lda_npmi_common_reference": {
                k: coherence([t.top_words("all", 10) for t in r.views["lda"].table], reference)[0]
                for k, r in runs.items()
            },
        }
        print(json.dumps(rows, indent=1, default=float))
        la = rows["label_ari"]
        print(
            f"check: engine ARI {engine_ari:.3f} >= seed ARI {seed_ari:.3f} - 0.05: "
            f"{engine_ari >= seed_ari - 0.05}; label ARI spark {la['spark seed 0']:.3f} vs "
            f"memory {la['memory seed 0']:.3f} (within 0.03: "
            f"{abs(la['spark seed 0'] - la['memory seed 0']) <= 0.03})"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"driver peak RSS {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
