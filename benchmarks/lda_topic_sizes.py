"""Each LDA topic's held-out and in-sample NPMI, learned alpha and documents, one fit.

Shows which topics a vocabulary choice changes: one collapsed-Gibbs fit
(:class:`topiclab.models.GibbsLDA`, 1,000 sweeps) on the whole documents of the fitted
half of ``lda_quality.py``'s split (same tokens), with the terms found in at least
``--min-documents`` documents and each term counted at most ``--max-term-count`` times
per document (0: no limit). Per topic: gensim ``c_npmi`` of its top-10 words on the
held-out and on the fitted half, its learned alpha, the fitted documents whose most
likely topic it is, and the words.

Usage::

    python benchmarks/lda_topic_sizes.py 20ng --k 20 --seed 0 --cache .cache/20ng_4000.pkl
    python benchmarks/lda_topic_sizes.py 20ng --k 20 --min-documents 3 --max-term-count 10
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lda_quality as q


def main(argv: list[str] | None = None) -> int:
    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.models.lda_gibbs import GibbsLDA
    from topiclab.pipeline.lda_view import lda_vocabulary

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", choices=sorted(q.SOURCES))
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--min-documents", type=int, default=1)
    ap.add_argument("--max-term-count", type=int, default=0)
    ap.add_argument("--cache", type=Path, help="pickle of the prepared halves")
    a = ap.parse_args(argv)
    sys.modules["__main__"].Half = q.Half  # caches written by lda_quality.py pickle its Half
    fit, out, vec = q.prepare(a.corpus, a.limit, 0, a.cache)
    names = np.asarray(vec.get_feature_names_out(), dtype=object)
    X = fit.doc_counts.tocsr()
    cols = lda_vocabulary(X, None, min_documents=a.min_documents)
    cols = np.arange(X.shape[1]) if cols is None else cols
    t = time.process_time()
    lda = GibbsLDA(
        n_components=a.k, random_state=a.seed, max_term_count=a.max_term_count or None
    ).fit(X[:, cols])
    labels = lda.transform(X[:, cols]).argmax(axis=1)
    cpu = time.process_time() - t
    tops = [[str(names[cols[j]]) for j in row] for row in lda.top_terms(10)]
    mean_out, per_out = coherence(tops, out.doc_tokens, measure="c_npmi", topn=10)
    mean_in, per_in = coherence(tops, fit.doc_tokens, measure="c_npmi", topn=10)
    sizes = np.bincount(labels, minlength=a.k)
    print(
        f"{a.corpus}: {X.shape[0]} fitted documents, {cols.size} of {X.shape[1]} terms "
        f"(in >= {a.min_documents} documents), at most {a.max_term_count or 'any'} counts "
        f"of a term per document, K={a.k}, seed {a.seed} ({cpu:.1f}s CPU)"
    )
    print(f"{'NPMI out':>8} {'NPMI in':>8} {'alpha':>6} {'docs':>5}  top-10 words")
    for i in np.argsort(-sizes, kind="stable"):
        print(
            f"{per_out[i]:>8.3f} {per_in[i]:>8.3f} {lda.alpha_[i]:>6.3f} {sizes[i]:>5d}  "
            + " ".join(tops[i])
        )
    print(
        f"mean NPMI held out {mean_out:.3f}, fitted {mean_in:.3f}, diversity "
        f"{topic_diversity(tops, topk=10):.3f}; largest topic {sizes.max()} documents "
        "(shared 2-core machine)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
