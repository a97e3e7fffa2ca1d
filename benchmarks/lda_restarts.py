"""Which LDA restart to keep: criteria compared on the same fits, with the topic prior eta.

For each seed, ``--restarts`` collapsed-Gibbs LDA fits (:class:`topiclab.models.GibbsLDA`,
1,000 sweeps, on whole documents of the fitted half; seeds derived from the seed as in
the LDA view) are scored on every measure of ``lda_quality.py`` (held-out and in-sample
NPMI of the plain top-10 words, diversity, ARI on both halves; same halves and tokens).
Then each criterion picks one fit per seed, and the picks are summarised over seeds:

* ``first``: one fit, no restarts;
* ``typical``: the fit whose passage topics agree most with the other fits' (mean ARI);
* ``ll``: the highest log-likelihood per word at the end of sampling;
* ``npmidiv``: the best in-sample NPMI + 0.5 x diversity of the plain top-10 words;
* ``combo``: ``npmidiv`` + 0.5 x the ``typical`` agreement (``lda_restart_criterion =
  "score"``).

``spread`` is the range of ARI (fitted half) across seeds; ``agree`` the mean ARI between
the seeds' labelings. ``--doclab`` labels a document by the mixture inferred from its
summed counts (the view's ``doc_topics``), otherwise by the length-weighted average of
its passages' mixtures. ``--cap`` keeps only the terms in most passages, as
``lda_max_features``.

Usage::

    python benchmarks/lda_restarts.py agnews --k 5 --cache /tmp/agnews.pkl
    python benchmarks/lda_restarts.py 20ng --k 20 --doclab --cap 5000
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
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--restarts", type=int, default=3)
    ap.add_argument("--cap", type=int, default=0)
    ap.add_argument("--eta", type=float, default=0.01)
    ap.add_argument("--doclab", action="store_true")
    ap.add_argument("--cache", type=Path, help="pickle of the prepared halves")
    a = ap.parse_args(argv)
    fit, out, vec = q.prepare(a.corpus, a.limit, 0, a.cache)
    names = np.asarray(vec.get_feature_names_out(), dtype=object)
    Xd, Xo = fit.doc_counts.tocsr(), out.doc_counts.tocsr()
    cols = np.arange(Xd.shape[1])
    if a.cap and Xd.shape[1] > a.cap:
        df = np.asarray((fit.counts > 0).sum(0)).ravel()
        cols = np.sort(np.lexsort((np.arange(df.size), -df))[: a.cap])

    def agg(half: q.Half, theta_p: np.ndarray) -> np.ndarray:
        w = np.asarray(half.counts.sum(1)).ravel()
        shape = (len(half.doc_ids), len(w))
        M = sp.csr_matrix((w, (half.passage_doc, np.arange(len(w)))), shape=shape)
        return (M @ theta_p).argmax(1)

    res = {}
    for s in a.seeds:
        rs = [int(x) for x in np.random.SeedSequence(s).generate_state(a.restarts) % (2**31 - 1)]
        fits = []
        for r in rs:
            t = time.process_time()
            m = GibbsLDA(n_components=a.k, random_state=r, eta=a.eta).fit(Xd[:, cols])
            if a.doclab:
                lf, lo = m.transform(Xd[:, cols]).argmax(1), m.transform(Xo[:, cols]).argmax(1)
            else:
                lf = agg(fit, m.transform(fit.counts.tocsr()[:, cols]))
                lo = agg(out, m.transform(out.counts.tocsr()[:, cols]))
            plab = m.transform(fit.counts.tocsr()[:, cols]).argmax(1)
            tops = [
                [str(names[cols[j]]) for j in np.argsort(-row, kind="stable")[:10]]
                for row in m.components_
            ]
            no, _ = coherence(tops, out.doc_tokens, measure="c_npmi", topn=10)
            ni, _ = coherence(tops, fit.doc_tokens, measure="c_npmi", topn=10)
            d = {
                "no": no,
                "ni": ni,
                "div": topic_diversity(tops, topk=10),
                "af": ari(fit.labels, lf),
                "ao": ari(out.labels, lo),
                "ll": m.log_likelihood_,
                "plab": plab,
                "lab": lf,
            }
            fits.append(d)
            print(
                f"seed {s} restart {r}: NPMIout {no:.3f} in {ni:.3f} div {d['div']:.3f} "
                f"ARIfit {d['af']:.3f} out {d['ao']:.3f} ll {d['ll']:.4f} "
                f"cpu {time.process_time() - t:.1f}",
                flush=True,
            )
        agree = np.ones((len(fits),) * 2)
        for i in range(len(fits)):
            for j in range(i + 1, len(fits)):
                agree[i, j] = agree[j, i] = ari(fits[i]["plab"], fits[j]["plab"])
        typ = (agree.sum(1) - 1) / (len(fits) - 1)
        res[s] = {
            "fits": fits,
            "typical": int(np.argmax(typ)),
            "ll": int(np.argmax([f["ll"] for f in fits])),
            "npmidiv": int(np.argmax([f["ni"] + 0.5 * f["div"] for f in fits])),
            "first": 0,
            "combo": int(
                np.argmax([f["ni"] + 0.5 * f["div"] + 0.5 * typ[i] for i, f in enumerate(fits)])
            ),
        }
    for crit in ("first", "typical", "ll", "npmidiv", "combo"):
        ch = [res[s]["fits"][res[s][crit]] for s in a.seeds]

        def m(k: str, ch: list = ch) -> float:
            return float(np.mean([c[k] for c in ch]))

        spread = max(c["af"] for c in ch) - min(c["af"] for c in ch)
        labs = [c["lab"] for c in ch]
        ag = np.mean(
            [ari(labs[i], labs[j]) for i in range(len(labs)) for j in range(i + 1, len(labs))]
        )
        print(
            f"== {a.corpus} eta{a.eta} cap{a.cap} doclab{int(a.doclab)} {crit:8s} "
            f"NPMIout {m('no'):.3f} in {m('ni'):.3f} div {m('div'):.3f} "
            f"(min {min(c['div'] for c in ch):.2f}) ARIfit {m('af'):.3f} spread {spread:.3f} "
            f"out {m('ao'):.3f} agree {ag:.3f}",
            flush=True,
        )
    print("(shared 2-core machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
