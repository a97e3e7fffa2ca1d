"""What fitting the clustering's layout on a sample costs in themes, and what it saves in time.

All of 20 Newsgroups (or ``--groups`` x ``--per-group`` posts), cut into passages as the
``best`` speed mode cuts them, embedded with ``--model`` through topiclab's cache, blended
with their documents (``context_weight`` 0.5) and clustered by
:class:`topiclab.models.EmbeddingClusterer` with K = the number of groups:

* the layout fitted on every passage, seeds 0 and 1 (how much the partition moves by
  itself);
* the layout fitted on a hashed sample of each ``--sizes`` passages (``layout_sample``,
  seed 0; hashed by passage text, as the pipeline does), the other passages placed from
  their nearest sample passages;
* the full layout, seed 0, with the passages shuffled and no ids given, so UMAP and
  k-means++ see them in another order (how much the partition moves with the order of
  the input when the rows are not put in the order of their texts' hashes).

Printed per run: wall and CPU seconds of the fit, ARI against the newsgroup labels (each
passage takes its post's group) and ARI against the full layout's partition (seed 0).

Usage::

    python benchmarks/layout_sample.py [--model minilm-static] [--sizes 20000 10000 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--groups", type=int, default=20)
    p.add_argument("--per-group", type=int, default=100_000)
    p.add_argument("--model", default="minilm-static")
    p.add_argument("--sizes", type=int, nargs="+", default=[20_000, 10_000, 5_000])
    p.add_argument("--no-second-seed", action="store_true", help="skip the full layout's seed 1")
    args = p.parse_args(argv)

    from sklearn.metrics import adjusted_rand_score as ari
    from spark_agreement import CORPUS, _slice

    from topiclab.features.embed import SentenceEmbedder
    from topiclab.ingest import load
    from topiclab.models import EmbeddingClusterer
    from topiclab.models.crosslingual import blend_document_context

    groups = _groups(CORPUS)[: args.groups]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "slice.jsonl"
        n_docs = _slice(CORPUS, groups, args.per_group, data)
        t0 = time.perf_counter()
        corpus = load(data, progress=False)
        ingest_s = time.perf_counter() - t0
    passages = corpus.passages
    t0 = time.perf_counter()
    emb = SentenceEmbedder(args.model, progress=False).fit()
    X = np.asarray(emb.transform(passages["text"].tolist()), dtype=np.float64)
    embed_s = time.perf_counter() - t0
    ctx = blend_document_context(X, passages["doc_id"].tolist(), 0.5)
    keys = passages["text"].astype(str).tolist()  # the pipeline's keys: the passage texts
    labels = corpus.documents.set_index("doc_id")["label"]
    truth = labels.loc[passages["doc_id"]].to_numpy()
    strip = 1 if "static" in args.model else 0
    k = len(groups)
    print(
        f"20 Newsgroups: {n_docs} posts of {k} groups, {len(passages)} passages "
        f"(ingest {ingest_s:.0f}s, embedding {embed_s:.0f}s); model {args.model}; K={k}; "
        f"common directions removed: {strip}; {os.cpu_count()} CPUs (shared machine)",
        flush=True,
    )

    perm = np.random.default_rng(0).permutation(len(ctx))

    def fit(size: int | None, seed: int) -> tuple[np.ndarray, float, float, int | None]:
        t0, c0 = time.perf_counter(), time.process_time()
        model = EmbeddingClusterer(
            n_clusters=k, layout_sample=size, strip_directions=strip, random_state=seed
        )
        if size == "shuffled":  # another order, no keys: the order UMAP sees changes
            model.set_params(layout_sample=None).fit(ctx[perm])
            labels = np.empty(len(ctx), dtype=int)
            labels[perm] = model.labels_
        else:
            labels = np.asarray(model.fit(ctx, sample_keys=keys).labels_)
        return (
            labels,
            time.perf_counter() - t0,
            time.process_time() - c0,
            model.layout_sample_,
        )

    runs = [(None, 0)] + ([] if args.no_second_seed else [(None, 1)])
    runs += [(s, 0) for s in args.sizes] + [("shuffled", 0)]
    reference = None
    print(f"{'layout':>22} {'seed':>4} {'wall s':>7} {'CPU s':>7} {'label ARI':>9} {'vs full':>7}")
    for size, seed in runs:
        got, wall, cpu, laid = fit(size, seed)
        if reference is None:
            reference = got
        name = "every passage" if laid is None else f"sample of {laid}"
        if size == "shuffled":
            name = "shuffled, no keys"
        print(
            f"{name:>22} {seed:>4} {wall:7.1f} {cpu:7.1f} {ari(truth, got):9.3f} "
            f"{ari(reference, got):7.3f}",
            flush=True,
        )
    return 0


def _groups(path: Path) -> list[str]:
    import gzip
    import json

    seen: dict[str, None] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            seen.setdefault(rec.get("label") or rec.get("group"), None)
    return sorted(seen)


if __name__ == "__main__":
    raise SystemExit(main())
