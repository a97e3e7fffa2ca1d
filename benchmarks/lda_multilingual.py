"""Do LDA topics split a subject by language? The LDA view with and without theme seeds.

Runs the main job twice on one corpus, with ``lda_seed_themes`` off (plain LDA on the
counts) and on (one LDA topic seeded per embedding theme with that theme's terms in every
language), and prints, for each LDA topic, its passages per language; a topic is
*single-language* when one language holds at least 90 % of its passages (only counted in
corpora with more than one language), and for each language the passages that share
their topic with passages of another language. With ``--corpus sib200`` (the same 1,004 sentences
in Arabic, Chinese and English, 7 labels), it also prints the ARI of each passage's LDA
topic and embedding theme against the labels, and how often the three translations of a
sentence share their LDA topic.

Usage::

    python benchmarks/lda_multilingual.py --corpus seed
    python benchmarks/lda_multilingual.py --corpus sib200 --k 7
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIB200 = ROOT.parent / "shared" / "corpora" / "sib200_ar_zh_en" / "docs.jsonl.gz"


def cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["seed", "sib200"], default="seed")
    p.add_argument("--k", type=int, default=None, help="LDA topics and embedding themes")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from sklearn.metrics import adjusted_rand_score

    from topiclab.config import RunConfig
    from topiclab.ingest import from_texts, load
    from topiclab.pipeline import run

    labels = parallel = None
    if args.corpus == "seed":
        corpus = load(ROOT / "corpus")
    else:
        recs = [json.loads(line) for line in gzip.open(SIB200, "rt", encoding="utf-8")]
        corpus = from_texts([r["text"] for r in recs], ids=[r["id"] for r in recs])
        by_id = {r["id"]: r for r in recs}
        docs = corpus.documents
        source = dict(zip(docs["doc_id"].astype(str), docs["source_file"], strict=True))
        labels = {d: by_id[s]["label"] for d, s in source.items()}
        parallel = {d: by_id[s]["parallel_id"] for d, s in source.items()}
    print(
        f"{args.corpus}: {len(corpus.documents)} documents, {len(corpus.passages)} passages, "
        f"languages {corpus.passages['lang'].value_counts().to_dict()}",
        flush=True,
    )
    for seeded in (False, True):
        t, c = time.perf_counter(), cpu_s()
        config = RunConfig(
            seed=args.seed,
            progress=False,
            n_topics=args.k,
            n_themes=args.k,
            lang_mode="multilingual",
            lda_seed_themes=seeded,
        )
        result, _ = run(corpus, config)
        passages = result.passages
        name = "LDA seeded from embedding themes" if seeded else "LDA (today's view)"
        print(
            f"\n== {name}: {len(result.topics)} topics "
            f"({time.perf_counter() - t:.0f}s wall, {cpu_s() - c:.0f}s CPU)",
            flush=True,
        )
        table = passages.groupby(["lda_topic", "lang"]).size().unstack(fill_value=0)
        print(table.to_string())
        shares = table.div(table.sum(axis=1), axis=0)
        single = int((shares.max(axis=1) >= 0.9).sum()) if table.shape[1] > 1 else 0
        print(f"single-language topics (>= 90% one language): {single} of {len(table)}")
        for lang in table.columns:
            others = table.drop(columns=[lang]).sum(axis=1) > 0
            mixed = int(table.loc[others, lang].sum())
            print(
                f"{lang} passages in topics shared with another language: "
                f"{mixed} of {int(table[lang].sum())}"
            )
        for topic in result.topics:
            print(f"  topic {topic.id}: {', '.join(topic.top_words('all', 8))}")
        if labels is not None:
            doc = passages["doc_id"].astype(str)
            truth = doc.map(labels).to_numpy()
            print(
                f"ARI vs labels: LDA {adjusted_rand_score(truth, passages['lda_topic']):.3f}, "
                f"embedding themes {adjusted_rand_score(truth, passages['theme']):.3f}"
            )
            group = doc.map(parallel)
            same = passages.groupby(group.to_numpy())["lda_topic"].nunique()
            print(
                "translations of one sentence in one LDA topic: "
                f"{float((same == 1).mean()):.3f} of {len(same)} sentences"
            )
    print(f"\n(shared 2-core machine; seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
