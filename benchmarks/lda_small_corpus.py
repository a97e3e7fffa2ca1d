"""LDA backends on a corpus of a few documents: the bundled seed articles.

For seeds 0-2 and each backend (fitted on passages, as ``lda_unit="auto"`` does below 100
documents), prints the number of topics, in-sample NPMI and the share of topics whose
label shares a word with the hand-written subject of the topic's main article (the check
of ``tests/test_labels.py``).

Usage::

    python benchmarks/lda_small_corpus.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    from test_labels import _subject, label_names

    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run

    corpus = load(ROOT / "corpus")
    print(f"{'backend':<8} {'seed':>4} {'topics':>6} {'NPMI':>7} {'label share':>11} {'CPU s':>6}")
    for backend in ("gibbs", "gensim"):
        for seed in (0, 1, 2):
            t = time.process_time()
            config = RunConfig(seed=seed, progress=False, lda_backend=backend, lda_unit="passages")
            result, _ = run(corpus, config)
            docs = result.documents.set_index("doc_id")
            p = result.passages
            view = result.views["lda"]
            hits = []
            for theme in view.table:
                members = p[p[view.column] == theme.id]
                if members.empty:
                    continue
                doc = members["doc_id"].value_counts().index[0]
                title = docs.loc[doc, "title"]
                head = title if isinstance(title, str) and title else str(docs.loc[doc, "text"])
                hits.append(label_names(theme.label, _subject(head[:300])))
            print(
                f"{backend:<8} {seed:>4} {len(view.table):>6} {view.metrics['npmi']:>7.3f} "
                f"{np.mean(hits):>11.2f} {time.process_time() - t:>6.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
