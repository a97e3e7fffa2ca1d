"""The corpus's languages as a prior for uncertain documents: languages before and after.

``topiclab.ingest`` decides again, with the corpus's languages as a prior, the language
of every document the detector answered with less than ``PRIOR_BELOW`` confidence
(``topiclab.ingest.lang.decide_with_prior``). This script ingests the same texts twice in
one process, without the prior (the threshold set to 0) and with it, and prints the
documents per language each way, the CPU seconds of each ingest, and, where the corpus
states each item's language (``multilingual_news``), how many documents were given a
language other than the stated one::

    PYTHONPATH=. python benchmarks/language_prior.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter

import numpy as np


def _jsonl(path, n=None):
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if n is not None and len(rows) >= n:
                break
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000, help="records of each corpus")
    args = p.parse_args()
    from end_to_end import CORPORA, load_corpus

    import topiclab.ingest.lang as lang
    from topiclab.ingest import from_texts

    sets: dict[str, tuple[list[str], list[str] | None]] = {}
    dated = CORPORA / "dated_news"
    for name, file in (
        ("HuffPost", "huffpost_news_category_2018_2022.jsonl.gz"),
        ("ABC headlines", "abc_headlines_sample_2003_2020.jsonl.gz"),
    ):
        sets[f"{name} (first {args.n})"] = ([r["text"] for r in _jsonl(dated / file, args.n)], None)
    rows = _jsonl(CORPORA / "multilingual_news" / "docs.jsonl.gz")
    order = np.random.default_rng(0).permutation(len(rows))[: args.n]
    sets[f"multilingual_news ({args.n} records, seed 0)"] = (
        [rows[i]["text"] for i in order],
        [rows[i]["lang"] for i in order],
    )
    texts, _, _ = load_corpus("20ng", None, 0)
    sets[f"20 Newsgroups (first {args.n // 2} of the fitted half)"] = (texts[: args.n // 2], None)
    print(f"PRIOR_BELOW = {lang.PRIOR_BELOW}, PRIOR_MIN_DOCUMENTS = {lang.PRIOR_MIN_DOCUMENTS}")
    below = lang.PRIOR_BELOW
    for name, (texts, stated) in sets.items():
        print(f"\n== {name}")
        for label, threshold in (("detector alone", 0.0), ("with the prior", below)):
            lang.PRIOR_BELOW = threshold
            t0 = time.process_time()
            corpus = from_texts(texts, n_jobs=1, dedupe=False)
            cpu = time.process_time() - t0
            docs = corpus.documents
            counts = Counter(docs["lang"]).most_common()
            shown = ", ".join(f"{k} {v}" for k, v in counts[:8])
            more = f" (+{len(counts) - 8} more languages)" if len(counts) > 8 else ""
            print(f"  {label:15s} {cpu:6.1f} CPU s  {len(docs)} documents: {shown}{more}")
            if stated is not None:
                truth = {f"text:{i}": s for i, s in enumerate(stated)}
                wrong = Counter(
                    (truth[f], got)
                    for f, got in zip(docs["source_file"], docs["lang"], strict=True)
                    if truth[f] != got
                )
                print(
                    f"  {'':15s} not the stated language: {sum(wrong.values())} "
                    f"({', '.join(f'{a}->{b} {n}' for (a, b), n in wrong.most_common(6))})"
                )
        lang.PRIOR_BELOW = below


if __name__ == "__main__":
    main()
