"""LDA fitting choices one at a time: vocabulary bounds, the topic prior, document labels.

One collapsed-Gibbs LDA fit per seed (:class:`topiclab.models.GibbsLDA`, 1,000 sweeps,
``random_state`` = the seed) on the whole documents of the fitted half, scored like
``lda_quality.py`` (same halves and tokens): held-out and in-sample NPMI of the plain
top-10 words, diversity, ARI on both halves, and ``agree`` (mean ARI between the seeds'
labelings). A variant is a comma-separated list of:

* ``base``: a document's topic from the length-weighted average of its passages'
  mixtures; ``doclab``: from the mixture inferred from its summed counts;
* ``mindf=N``, ``maxdf=F``: keep terms in at least N and at most a share F of the fitted
  documents; ``rmtop=N``: drop the N most frequent terms;
  ``cap=N``: a term counts at most N times in a document (fit and transform);
* ``alpha=``, ``eta=``, ``iterations=``, ``tw=``: GibbsLDA parameters (``tw`` its
  ``term_weight``); ``noopt``: fixed alpha; ``idfx``: the counts given to ``transform``
  weighed by the terms' inverse document frequency; ``bg``: K + 1 topics fitted, the
  one with the largest learned alpha (the corpus-wide words) left out of the K reported;
* ``tomotopy``: ``tomotopy.LDAModel`` defaults, as in ``lda_quality.py``.

Usage::

    python benchmarks/lda_variants.py agnews --k 5 --variants tomotopy base "doclab,maxdf=0.05"
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lda_quality as q


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import adjusted_rand_score as ari

    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.models.lda_gibbs import GibbsLDA

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", choices=sorted(q.SOURCES))
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--variants", nargs="+", required=True)
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--cache", type=Path, help="pickle of the prepared halves")
    a = ap.parse_args(argv)
    sys.modules["__main__"].Half = q.Half  # caches written by lda_quality.py pickle its Half
    fit, out, vec = q.prepare(a.corpus, a.limit, 0, a.cache)
    names = np.asarray(vec.get_feature_names_out(), dtype=object)
    Xd, Xo = fit.doc_counts.tocsr(), out.doc_counts.tocsr()
    df = np.asarray((Xd > 0).sum(0)).ravel()
    n_docs = Xd.shape[0]

    def agg(half: q.Half, theta_p: np.ndarray) -> np.ndarray:
        w = np.asarray(half.counts.sum(1)).ravel()
        shape = (len(half.doc_ids), len(w))
        M = sp.csr_matrix((w, (half.passage_doc, np.arange(len(w)))), shape=shape)
        return (M @ theta_p).argmax(1)

    def score(tops: list[list[str]], lf: np.ndarray, lo: np.ndarray, ll: float) -> dict:
        no, _ = coherence(tops, out.doc_tokens, measure="c_npmi", topn=10)
        ni, _ = coherence(tops, fit.doc_tokens, measure="c_npmi", topn=10)
        return {
            "no": no,
            "ni": ni,
            "div": topic_diversity(tops, topk=10),
            "af": ari(fit.labels, lf),
            "ao": ari(out.labels, lo),
            "ll": ll,
            "lab": lf,
        }

    def run(variant: str, seed: int) -> dict:
        if variant == "tomotopy":
            r = q.run_tomotopy(fit, out, a.k, seed, 1000)
            tops = [
                [str(r["words"][j]) for j in np.argsort(-row, kind="stable")[:10]]
                for row in r["phi"]
            ]
            return score(tops, r["fit_labels"], r["out_labels"], 0.0)
        opts = dict(v.split("=") for v in variant.split(",") if "=" in v)
        keep = (df >= int(opts.get("mindf", 1))) & (df <= float(opts.get("maxdf", 1.0)) * n_docs)
        if int(opts.get("rmtop", 0)):
            cf = np.asarray(Xd.sum(0)).ravel()
            keep[np.argsort(-cf)[: int(opts["rmtop"])]] = False
        cols = np.flatnonzero(keep)
        kw: dict = {}
        for key, cast in (("alpha", float), ("eta", float), ("iterations", int)):
            if key in opts:
                kw[key] = cast(opts[key])
        if "noopt" in variant:
            kw["optimize_alpha"] = False
        if "tw" in opts:
            kw["term_weight"] = opts["tw"]
        bg = "bg" in variant.split(",")  # one topic more; the one with the largest alpha dropped
        if opts.get("cap"):
            cap_fit = float(opts["cap"])
            Xfit = Xd[:, cols].tocsr(copy=True)
            Xfit.data = np.minimum(Xfit.data, cap_fit)
        else:
            Xfit = Xd[:, cols]
        m = GibbsLDA(n_components=a.k + bg, random_state=seed, **kw).fit(Xfit)
        kept_topics = np.arange(a.k + bg)
        if bg:
            kept_topics = np.delete(kept_topics, int(np.argmax(m.alpha_)))
        w = np.ones(len(cols))
        if "idfx" in variant.split(","):  # weigh the transform's counts by idf too
            w = np.log(n_docs / np.maximum(df[cols], 1))
        W = sp.diags(w)
        cap = float(opts.get("cap", 0))

        def capped(M: sp.csr_matrix) -> sp.csr_matrix:
            if not cap:
                return M
            M = M.tocsr(copy=True)
            M.data = np.minimum(M.data, cap)
            return M

        if "doclab" in variant:
            lf = m.transform(capped(Xd[:, cols]) @ W)[:, kept_topics].argmax(1)
            lo = m.transform(capped(Xo[:, cols]) @ W)[:, kept_topics].argmax(1)
        else:
            lf = agg(fit, m.transform(fit.counts.tocsr()[:, cols] @ W)[:, kept_topics])
            lo = agg(out, m.transform(out.counts.tocsr()[:, cols] @ W)[:, kept_topics])
        tops = [
            [str(names[cols[j]]) for j in np.argsort(-r, kind="stable")[:10]]
            for r in m.components_[kept_topics]
        ]
        return score(tops, lf, lo, m.log_likelihood_)

    for v in a.variants:
        rs = []
        for s in a.seeds:
            t = time.process_time()
            r = run(v, s)
            r["cpu"] = time.process_time() - t
            rs.append(r)
            print(
                f"{v:40s} s{s} NPMIout {r['no']:.3f} in {r['ni']:.3f} div {r['div']:.3f} "
                f"ARIfit {r['af']:.3f} out {r['ao']:.3f} ll {r['ll']:.3f} cpu {r['cpu']:.1f}",
                flush=True,
            )

        def m(k: str, rs: list = rs) -> float:
            return float(np.mean([r[k] for r in rs]))

        spread = max(r["af"] for r in rs) - min(r["af"] for r in rs)
        pairs = [(i, j) for i in range(len(rs)) for j in range(i + 1, len(rs))]
        agree = np.mean([ari(rs[i]["lab"], rs[j]["lab"]) for i, j in pairs])
        print(
            f"== {a.corpus} {v:40s} MEAN NPMIout {m('no'):.3f} in {m('ni'):.3f} "
            f"div {m('div'):.3f} ARIfit {m('af'):.3f} (spread {spread:.3f}) "
            f"out {m('ao'):.3f} agree {agree:.3f}",
            flush=True,
        )
    print("(shared 2-core machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
