"""Coherence on 20 Newsgroups: topiclab's window counts against gensim's own loop.

Tokenises the fitted half of 20 Newsgroups (as ``end_to_end.py`` splits it) with the
English tokeniser, draws ``--topics`` topics of 10 words from the 2,000 most frequent
words (seed 0), and scores them with :func:`topiclab.evaluate.coherence` and with a plain
gensim ``CoherenceModel``; prints the seconds of each and the largest difference::

    PYTHONPATH=. python benchmarks/coherence_speed.py --topics 40
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import load_corpus


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--topics", type=int, default=40)
    p.add_argument("--measures", nargs="+", default=["c_npmi", "c_v"])
    args = p.parse_args(argv)
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    from topiclab.evaluate import coherence
    from topiclab.features.tokenize import tokenize

    texts, _labels, _langs = load_corpus("20ng", None, 0)
    texts = texts[: len(texts) // 2]
    docs = [d for d in (tokenize(t, "en") for t in texts) if d]
    dictionary = Dictionary(docs)
    rng = np.random.default_rng(0)
    common = [w for w, _ in sorted(dictionary.dfs.items(), key=lambda x: -x[1])[:2000]]
    topics = [
        [dictionary[i] for i in rng.choice(common, 10, replace=False)] for _ in range(args.topics)
    ]
    print(
        f"20 Newsgroups, fitted half: {len(docs)} texts, {sum(map(len, docs))} tokens; "
        f"{args.topics} topics of 10 words"
    )
    print(f"{'measure':8s} {'topiclab s':>11s} {'gensim s':>9s} {'max |diff|':>11s}")
    for m in args.measures:
        t = time.perf_counter()
        ours = coherence(topics, docs, measure=m, dictionary=dictionary)[1]
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        theirs = CoherenceModel(
            topics=topics, texts=docs, dictionary=dictionary, coherence=m, topn=10, processes=1
        ).get_coherence_per_topic()
        t_theirs = time.perf_counter() - t
        diff = float(np.max(np.abs(np.asarray(ours) - np.asarray(theirs))))
        print(f"{m:8s} {t_ours:11.2f} {t_theirs:9.2f} {diff:11.2e}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
