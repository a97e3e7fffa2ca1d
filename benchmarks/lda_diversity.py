"""Plain-word diversity of the LDA view: restart criteria and vocabulary bounds, same fits.

For each seed, ``--restarts`` collapsed-Gibbs fits are made exactly as the LDA view makes
them (:func:`topiclab.pipeline.lda_view.fit_lda`: whole documents of the fitted half,
restart seeds derived from the seed, the vocabulary of
:func:`~topiclab.pipeline.lda_view.lda_vocabulary`, a term counted at most ``cap`` times
per document). Every fit is scored on the measures of ``lda_quality.py`` (held-out and
in-sample NPMI of the plain top-10 words, diversity, ARI of document topics inferred
from summed counts on both halves) and on what a restart criterion can see (NPMI on the
fitted passages, diversity, agreement with the other restarts). Then each criterion
picks one fit per seed among the first 3 restarts and among all of them:

* ``score``: NPMI + 0.5 x diversity + 0.5 x agreement (``lda_restart_criterion =
  "score"``); ``score-div1``, ``score-div2``: the same with diversity weighted 1 and 2;
* ``diverse``: the most diverse fit, ties broken by ``score``; ``div-agree``: diversity
  + 0.5 x agreement (NPMI left out).

A vocabulary variant is a comma-separated list of ``mindf=N`` (terms in at least N
documents), ``maxdf=F`` (at most a share F of the documents), ``cap=N`` and ``eta=F``.
With ``--json`` every fit's scores and labels are written out, so other criteria can be
evaluated without fitting again (``--from-json``).

Usage::

    python benchmarks/lda_diversity.py 20ng --k 20 --seeds 0 1 2 --restarts 6 \
        --cache .cache/20ng_4000.pkl --variants "mindf=3,cap=10"
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lda_quality as q

#: name -> (weight of NPMI, of diversity, of agreement, "diversity first")
CRITERIA = {
    "score": (1.0, 0.5, 0.5, False),
    "score-div1": (1.0, 1.0, 0.5, False),
    "score-div2": (1.0, 2.0, 0.5, False),
    "diverse": (1.0, 0.5, 0.5, True),
    "div-agree": (0.0, 1.0, 0.5, False),
}


def pick(fits: list[dict], n: int, criterion: str) -> int:
    """Index of the restart ``criterion`` keeps among the first ``n`` fits."""
    from sklearn.metrics import adjusted_rand_score as ari

    fits = fits[:n]
    if n == 1:
        return 0
    agree = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            agree[i, j] = agree[j, i] = ari(fits[i]["plab"], fits[j]["plab"])
    typical = (agree.sum(axis=1) - 1.0) / (n - 1)
    w_npmi, w_div, w_agree, diversity_first = CRITERIA[criterion]
    score = np.array(
        [
            w_npmi * f["crit_npmi"] + w_div * f["div"] + w_agree * t
            for f, t in zip(fits, typical, strict=True)
        ]
    )
    if diversity_first:
        div = np.array([f["div"] for f in fits])
        score = np.where(div == div.max(), score, -np.inf)
    return int(np.argmax(score))


def summarise(corpus: str, variant: str, res: dict, restarts: int) -> None:
    """Print, for each criterion and number of restarts, the picks' means over seeds."""
    from sklearn.metrics import adjusted_rand_score as ari

    for n in sorted({min(3, restarts), restarts}):
        for crit in CRITERIA:
            ch = [fits[pick(fits, n, crit)] for fits in res.values()]

            def m(k: str, ch: list = ch) -> float:
                return float(np.mean([c[k] for c in ch]))

            spread = max(c["af"] for c in ch) - min(c["af"] for c in ch)
            labs = [c["lab"] for c in ch]
            pairs = [(i, j) for i in range(len(labs)) for j in range(i + 1, len(labs))]
            ag = np.mean([ari(labs[i], labs[j]) for i, j in pairs]) if pairs else float("nan")
            print(
                f"== {corpus} {variant:24s} R={n} {crit:10s} NPMIout {m('no'):.3f} "
                f"in {m('ni'):.3f} div {m('div'):.3f} (min {min(c['div'] for c in ch):.3f}) "
                f"ARIfit {m('af'):.3f} (spread {spread:.3f}) out {m('ao'):.3f} agree {ag:.3f}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import adjusted_rand_score as ari

    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.models.lda_gibbs import GibbsLDA
    from topiclab.pipeline.lda_view import document_counts, lda_vocabulary

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", choices=sorted(q.SOURCES))
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--restarts", type=int, default=6)
    ap.add_argument("--variants", nargs="+", default=["mindf=3,cap=10"])
    ap.add_argument("--limit", type=int, default=4000)
    ap.add_argument("--cache", type=Path, help="pickle of the prepared halves")
    ap.add_argument("--json", type=Path, help="write every fit's scores and labels here")
    ap.add_argument("--from-json", type=Path, help="summarise the fits of an earlier --json")
    a = ap.parse_args(argv)
    if a.from_json:
        dump = json.loads(a.from_json.read_text(encoding="utf-8"))
        for variant, res in dump.items():
            restarts = min(len(f) for f in res.values())
            summarise(a.corpus, variant, {int(s): f for s, f in res.items()}, restarts)
        return 0
    sys.modules["__main__"].Half = q.Half  # caches written by lda_quality.py pickle its Half
    fit, out, vec = q.prepare(a.corpus, a.limit, 0, a.cache)
    names = np.asarray(vec.get_feature_names_out(), dtype=object)
    P, Po = fit.counts.tocsr(), out.counts.tocsr()
    ids = fit.passages["doc_id"].astype(str).tolist()
    ids_out = out.passages["doc_id"].astype(str).tolist()
    dump: dict = {}
    for variant in a.variants:
        opts = dict(v.split("=") for v in variant.split(",") if "=" in v)
        cols = lda_vocabulary(P, None, min_documents=int(opts.get("mindf", 1)), doc_ids=ids)
        cols = np.arange(P.shape[1]) if cols is None else cols
        if "maxdf" in opts:
            df = np.asarray((document_counts(P[:, cols], ids) > 0).sum(axis=0)).ravel()
            cols = cols[df <= float(opts["maxdf"]) * len(fit.doc_ids)]
        cap = int(opts.get("cap", 0)) or None
        extra = {"eta": float(opts["eta"])} if "eta" in opts else {}
        Xd, Xo = document_counts(P[:, cols], ids), document_counts(Po[:, cols], ids_out)
        print(f"# {variant}: {len(cols)} terms", flush=True)
        res: dict = {}
        for s in a.seeds:
            seeds = np.random.SeedSequence(s).generate_state(a.restarts) % (2**31 - 1)
            fits = []
            for r in (int(x) for x in seeds):
                t = time.process_time()
                m = GibbsLDA(n_components=a.k, random_state=r, max_term_count=cap, **extra)
                m.fit(Xd)
                tops = [[str(names[cols[j]]) for j in row] for row in m.top_terms(10)]
                lf, lo = m.transform(Xd).argmax(1), m.transform(Xo).argmax(1)
                d = {
                    "restart": r,
                    "crit_npmi": coherence(tops, fit.tokens, measure="c_npmi", topn=10)[0],
                    "no": coherence(tops, out.doc_tokens, measure="c_npmi", topn=10)[0],
                    "ni": coherence(tops, fit.doc_tokens, measure="c_npmi", topn=10)[0],
                    "div": topic_diversity(tops, topk=10),
                    "af": float(ari(fit.labels, lf)),
                    "ao": float(ari(out.labels, lo)),
                    "plab": m.transform(P[:, cols]).argmax(1).tolist(),
                    "lab": lf.tolist(),
                    "topics": tops,
                }
                fits.append(d)
                print(
                    f"{variant:24s} s{s} r{r:<10d} NPMIout {d['no']:.3f} in {d['ni']:.3f} "
                    f"crit {d['crit_npmi']:.3f} div {d['div']:.3f} ARIfit {d['af']:.3f} "
                    f"out {d['ao']:.3f} cpu {time.process_time() - t:.1f}",
                    flush=True,
                )
            res[s] = fits
        summarise(a.corpus, variant, res, a.restarts)
        dump[variant] = {str(s): f for s, f in res.items()}
        if a.json:
            a.json.write_text(json.dumps(dump), encoding="utf-8")
    print("(shared 2-core machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
