"""Language identification on a text's first 250 characters first: agreement and ingest CPU.

``topiclab.ingest.lang.detect_with_confidence`` judges a long text on its first
``_QUICK`` characters and reads its full sample (1,000 characters of a document, 400 of a
passage) only when that answer is below ``_QUICK_CONFIDENCE``. This script ingests the
same texts both ways in one process (one job; the long reading alone by setting the
threshold above 1), prints the documents and passages whose language changed, with the
first of them, and the CPU seconds of each ingest::

    PYTHONPATH=. python benchmarks/language_quick.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import time

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--multilingual", type=int, default=6000, help="multilingual_news records")
    args = p.parse_args()
    from end_to_end import CORPORA, load_corpus

    import topiclab.ingest.lang as lang
    from topiclab.ingest import from_texts

    quick = lang._QUICK_CONFIDENCE
    sets = {}
    texts, _, _ = load_corpus("20ng", None, 0)
    sets["20ng (fitted half)"] = texts[: len(texts) // 2]
    path = CORPORA / "multilingual_news" / "docs.jsonl.gz"
    rows = [json.loads(x) for x in gzip.open(path, "rt")]
    order = np.random.default_rng(0).permutation(len(rows))[: args.multilingual]
    sets[f"multilingual_news ({args.multilingual} records)"] = [rows[i]["text"] for i in order]
    print(
        f"# python benchmarks/language_quick.py; first {lang._QUICK} characters, confidence {quick}"
    )
    for name, texts in sets.items():
        got = {}
        for label, threshold in (("full sample", 2.0), ("quick first", quick)):
            lang._QUICK_CONFIDENCE = threshold
            t0 = time.process_time()
            got[label] = (from_texts(texts, n_jobs=1), time.process_time() - t0)
        lang._QUICK_CONFIDENCE = quick
        (old, t_old), (new, t_new) = got["full sample"], got["quick first"]
        d = old.documents["lang"].to_numpy() != new.documents["lang"].to_numpy()
        q = old.passages["lang"].to_numpy() != new.passages["lang"].to_numpy()
        print(
            f"{name}: {len(d)} documents, {int(d.sum())} changed; {len(q)} passages, "
            f"{int(q.sum())} changed; ingest CPU s {t_old:.1f} (full sample) -> {t_new:.1f}"
        )
        for i in np.flatnonzero(d)[:3]:
            was, now = old.documents["lang"].iat[i], new.documents["lang"].iat[i]
            print(f"  document {was} -> {now}: {old.documents['text'].iat[i][:100]!r}")


if __name__ == "__main__":
    main()
