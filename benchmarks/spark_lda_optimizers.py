"""MLlib LDA optimizers and priors against the in-memory LDA view, on the same counts.

Usage::

    python benchmarks/spark_lda_optimizers.py memory
    python benchmarks/spark_lda_optimizers.py spark '[{"optimizer": "em", "maxIter": 50}, ...]'

The 20 Newsgroups slice of ``benchmarks/spark_agreement.py`` (60 posts of each of six
groups) is ingested and vectorised in memory once (cached in ``--cache``); LDA is fitted on
the documents' summed passage counts with K = 6 (in memory: the LDA view's own fit with
restarts; on Spark: one MLlib fit per configuration, ``local[2]``). Each model's topics are
described as the LDA view describes them (``select_terms`` on the topic-word weights) and
scored by NPMI of the top 10 terms on every passage's tokens.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _data(cache: Path):
    from benchmarks.spark_agreement import CORPUS, GROUPS, _slice
    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.stages import VectorizeStage

    if cache.exists():
        return pickle.loads(cache.read_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "slice.jsonl"
        _slice(CORPUS, GROUPS[:6], 60, p)
        corpus = load(p, progress=False)
    cfg = RunConfig(seed=0, n_themes=6, n_topics=6, progress=False)
    st = RunState(
        texts=corpus.passages["text"].tolist(),
        langs=corpus.passages["lang"].tolist(),
        doc_ids=corpus.passages["doc_id"].tolist(),
    )
    st = VectorizeStage(cfg.section("vectorize")).fit(st)
    out = (st.tokens, st.counts, list(st.feature_names), st.doc_ids)
    cache.write_bytes(pickle.dumps(out))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=["memory", "spark"])
    p.add_argument("configs", nargs="?", default="[]", help="JSON list of MLlib LDA params")
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "lda_opt.pkl")
    args = p.parse_args(argv)

    from topiclab.config import RunConfig
    from topiclab.evaluate import coherence
    from topiclab.pipeline.lda_view import document_counts, fit_lda
    from topiclab.themes.terms import select_terms

    tokens, counts, names, doc_ids = _data(args.cache)
    D = document_counts(counts, doc_ids)
    print("passages", counts.shape, "docs", D.shape, flush=True)

    def npmi_of(components):
        tops = [[names[j] for j in c] for c in select_terms(components, counts, topn=10)]
        v, _ = coherence(tops, tokens, measure="c_npmi", topn=10)
        return v, tops

    if args.what == "memory":
        s = RunConfig(seed=0, n_topics=6).section("lda")
        s = dataclasses.replace(s, lda_unit="documents", lda_backend="gibbs")
        t = time.time()
        lda, _ = fit_lda(counts, tokens, names, s, 0, None, D)
        v, tops = npmi_of(np.asarray(lda.components_))
        print("memory gibbs", round(v, 4), round(time.time() - t, 1), "s")
        for top in tops:
            print(" ", top[:8])
        return 0

    from pyspark.ml.clustering import LDA as MLlibLDA
    from pyspark.ml.linalg import Vectors

    from topiclab.engines.spark import get_session
    from topiclab.engines.spark.session import ensure_checkpoint_dir

    spark = get_session("local[2]")
    ensure_checkpoint_dir(spark)  # EM's lineage overflows the JVM stack without one
    Dc = D.tocsr()
    Dc.sort_indices()
    rows = [
        (Vectors.sparse(Dc.shape[1], Dc[i].indices.tolist(), Dc[i].data.astype(float).tolist()),)
        for i in range(Dc.shape[0])
    ]
    df = spark.createDataFrame(rows, ["features"]).cache()
    df.count()
    for c in json.loads(args.configs):
        t = time.time()
        m = MLlibLDA(k=6, **{"seed": 0, **c}).fit(df)
        lam = np.asarray(m.topicsMatrix().toArray(), dtype=np.float64).T
        v, tops = npmi_of(lam / lam.sum(axis=1, keepdims=True))
        print(json.dumps(c), "NPMI", round(v, 4), round(time.time() - t, 1), "s", flush=True)
        for top in tops:
            print("   ", " ".join(top[:8]))
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
