"""What embedding short documents whole costs on the seed corpus.

Runs the bundled ``corpus/`` three ways with the same seed: the full pipeline (``best``:
paragraph passages, MiniLM), the fast mode's granularity with MiniLM (short documents
whole), and the fast mode (short documents whole, static embeddings). Prints the passages,
the agreement (ARI) of the anchor passages' themes with their subjects
(``tests/data/seed_subjects.json``), NPMI/diversity of the embedding themes and the time.
The same comparison on 20 Newsgroups is ``end_to_end.py --methods topiclab-best
topiclab-balanced``.

Usage::

    python benchmarks/granularity.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from topiclab.config import RunConfig
    from topiclab.evaluate import label_agreement
    from topiclab.pipeline import run

    subjects = json.loads((ROOT / "tests" / "data" / "seed_subjects.json").read_text("utf-8"))
    variants = {
        "best (passages, MiniLM)": RunConfig(seed=0, progress=False, speed="best"),
        "short docs whole, MiniLM": RunConfig(
            seed=0, progress=False, speed="fast", embedding_model="minilm"
        ),
        "fast (short docs whole, static)": RunConfig(seed=0, progress=False, speed="fast"),
    }
    print(f"{'variant':<34} {'passages':>8} {'anchor ARI':>10} {'NPMI':>7} {'div':>5} {'s':>6}")
    for name, config in variants.items():
        t = time.perf_counter()
        result, _ = run(ROOT / "corpus", config)
        took = time.perf_counter() - t
        passages = result.passages
        truth, pred = [], []
        for subject, snippets in subjects["subjects"].items():
            rows = {i for s in snippets for i, x in enumerate(passages["text"]) if s in x}
            for i in sorted(rows):
                truth.append(subject)
                pred.append(int(passages["theme"].iloc[i]))
        m = result.metrics["embedding"]
        ari = label_agreement(truth, pred)["ari"]
        print(
            f"{name:<34} {len(passages):>8} {ari:>10.3f} {m['npmi']:>7.3f} "
            f"{m['diversity']:>5.2f} {took:>6.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
