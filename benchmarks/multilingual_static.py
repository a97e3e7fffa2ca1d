"""Multilingual fast embeddings against their teacher, USE multilingual, on labelled texts.

Each row embeds every text of a labelled multilingual corpus one way, reduces with UMAP
(5 dimensions, cosine, 15 neighbours, as fast mode clusters) and clusters with seeded
KMeans at K themes; it prints ARI/NMI against the labels. Rows:

* ``use-multilingual``: the teacher, USE multilingual v3 (pure numpy), on every text;
* ``use-static``: the static model distilled from it (:mod:`topiclab.features.static_multilingual`);
  ``use-static-abtt`` without its mean and first principal direction, ``-abtt2`` without
  the first two (what topiclab's embedding view does with ``use-static`` vectors);
* ``minilm-static``: the English static model, for comparison (what a fast run of a
  multilingual corpus could use so far);
* ``adapted-<features>-<m>``: :class:`topiclab.features.adapted.AdaptedEmbedder` with USE
  on a seeded sample of ``m`` texts and the rest mapped from ``use-static`` vectors
  (``static``) or from them and hashed TF-IDF (``both``);
* ``adapted-static-<m>-c<p>`` (``--budgets``): the same, static features, with USE also
  reading the shortest other texts until ``p`` % of the distinct texts' characters are
  spent (``sample_chars``, as fast mode does above its whole-corpus limit); beside it
  ``adapted-static-r<p>``: a random sample of as many texts as ``p`` % of the characters
  hold on average (the same teacher time, spent at random).

On ``sib200`` (parallel Arabic, Chinese and English sentences, 7 labels) it also prints the
ARI within each language and the cross-lingual agreement: the share of parallel sentence
pairs that land in the same cluster (mean over the three language pairs) and the share of
sentences whose nearest neighbour (cosine) in the other language is their translation.

Speed: wall and CPU time and texts/s of each model on the corpus's texts with the embedding
cache off (the teacher on ``--rate-texts`` texts); the first static call's model load and,
when needed, distillation are timed apart. Quality rows read vectors from topiclab's
embedding cache where the same texts were embedded before.

Usage::

    python benchmarks/multilingual_static.py --corpus sib200
    python benchmarks/multilingual_static.py --corpus multilingual --limit 600 --k 20
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import CORPORA, load_corpus
from fast_quality import all_but_the_top, cluster

LANG_PAIRS = (("en", "ar"), ("en", "zh"), ("ar", "zh"))


def _unit(X: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(n > 0, n, 1.0)


def load_sib200() -> tuple[list[str], list[str], list[str], list[str]]:
    """Texts, labels, languages and parallel ids of the SIB-200 ar/zh/en corpus."""
    path = CORPORA / "sib200_ar_zh_en" / "docs.jsonl.gz"
    rows = [json.loads(x) for x in gzip.open(path, "rt")]
    return (
        [r["text"] for r in rows],
        [r["label"] for r in rows],
        [r["lang"] for r in rows],
        [str(r["parallel_id"]) for r in rows],
    )


def _embed(model: str, texts: list[str], cache: bool = True) -> np.ndarray:
    from topiclab.features.embed import SentenceEmbedder

    emb = SentenceEmbedder(model, long_text="truncate", progress=True, cache=cache).fit()
    return np.asarray(emb.transform(texts), dtype=np.float32)


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def timing(texts: list[str], rate_texts: int) -> dict[str, float]:
    """Measure texts/s of the teacher and of use-static without the cache."""
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.features.static_multilingual import distill_use_static

    t0, c0 = _clock()
    distill_use_static()
    t1, c1 = _clock()
    print(f"  distillation (or finding it in the cache): {t1 - t0:.1f}s wall {c1 - c0:.1f}s CPU")
    out = {}
    for model, subset in (("use-multilingual", texts[:rate_texts]), ("use-static", texts)):
        emb = SentenceEmbedder(model, long_text="truncate", progress=False, cache=False)
        t0, c0 = _clock()
        emb.fit()
        emb.transform(subset[:8])
        t1, c1 = _clock()
        emb.transform(subset)
        t2, c2 = _clock()
        rate = len(subset) / max(t2 - t1, 1e-9)
        out[model] = rate
        print(
            f"  {model:18s} load {t1 - t0:6.1f}s  {len(subset):6d} texts  "
            f"wall {t2 - t1:7.2f}s  CPU {c2 - c1:7.2f}s  {rate:9.1f} texts/s"
        )
    print(
        f"  speed-up use-static / use-multilingual: {out['use-static'] / out['use-multilingual']:.1f}x"
    )
    return out


def _adapted(texts: list[str], seed: int, **kw: object) -> tuple[np.ndarray, object, str]:
    """Fit the adapted embedder with USE as the teacher; return its vectors, it and its time."""
    from topiclab.features.adapted import AdaptedEmbedder

    emb = AdaptedEmbedder(
        teacher="use-multilingual", static="use-static", random_state=seed, progress=False, **kw
    )
    t0, c0 = _clock()
    X = emb.fit_transform(texts)
    t1, c1 = _clock()
    return X, emb, f"fit {t1 - t0:.1f}s/{c1 - c0:.1f}cpu"


def cross_lingual(X: np.ndarray, pred: np.ndarray, langs: list[str], pids: list[str]) -> dict:
    """Same-cluster share of parallel pairs and translation retrieval top-1, per pair."""
    index = {(lang, pid): i for i, (lang, pid) in enumerate(zip(langs, pids, strict=True))}
    Z = _unit(X)
    same, top1 = [], []
    for a, b in LANG_PAIRS:
        ids = sorted({p for lang, p in index if lang == a} & {p for lang, p in index if lang == b})
        ia = np.array([index[(a, p)] for p in ids])
        ib = np.array([index[(b, p)] for p in ids])
        same.append(float(np.mean(pred[ia] == pred[ib])))
        sims = Z[ia] @ Z[ib].T
        hit_ab = np.mean(sims.argmax(axis=1) == np.arange(len(ids)))
        hit_ba = np.mean(sims.argmax(axis=0) == np.arange(len(ids)))
        top1.append(float((hit_ab + hit_ba) / 2))
    return {"same": same, "top1": top1}


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["sib200", "multilingual"], default="sib200")
    p.add_argument("--limit", type=int, default=600, help="multilingual: first N after shuffling")
    p.add_argument("--k", type=int, default=None, help="clusters (default: the label count)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="clustering seeds")
    p.add_argument("--sizes", type=int, nargs="+", default=[200], help="adapted sample sizes")
    p.add_argument("--features", nargs="+", default=["static", "both"])
    p.add_argument(
        "--budgets",
        type=float,
        nargs="+",
        default=[],
        help="teacher character budgets, %% of the distinct texts' characters",
    )
    p.add_argument(
        "--baselines",
        nargs="+",
        default=["use-multilingual", "use-static", "use-static-abtt", "minilm-static"],
    )
    p.add_argument("--rate-texts", type=int, default=300, help="texts timed for the teacher")
    p.add_argument("--no-timing", action="store_true")
    args = p.parse_args(argv)

    pids: list[str] | None = None
    if args.corpus == "sib200":
        texts, labels, langs, pids = load_sib200()
    else:
        texts, labels, langs = load_corpus("multilingual", args.limit, args.seed)
    k = args.k or len(set(labels))
    print(
        f"{args.corpus}: {len(texts)} texts, {len(set(labels))} labels, K={k}, languages "
        f"{sorted(set(langs))}; UMAP(15, 5-d) + KMeans, seeds {args.seeds}; 2 CPUs (shared machine)"
    )
    if not args.no_timing:
        timing(texts, args.rate_texts)

    vectors: dict[str, np.ndarray] = {}
    notes: dict[str, str] = {}
    for name in args.baselines:
        base, strip, d = name.partition("-abtt")  # "-abtt<d>": d directions removed (1)
        if base not in vectors:
            vectors[base] = _embed(base, texts)
        vectors[name] = all_but_the_top(vectors[base], int(d or 1)) if strip else vectors[base]
    teacher = _unit(vectors["use-multilingual"]) if "use-multilingual" in vectors else None
    for features in args.features:
        for m in args.sizes:
            name = f"adapted-{features}-{m}"
            X, emb, fit = _adapted(texts, args.seed, features=features, min_sample=m, max_sample=m)
            vectors[name] = X
            note = f"loo {emb.loo_cosine_:.3f} {fit}"
            if teacher is not None:
                note = f"cos {float(np.mean(np.sum(_unit(X) * teacher, axis=1))):.3f} " + note
            notes[name] = note

    distinct = list(dict.fromkeys(texts))
    n_chars = sum(len(t) for t in distinct)
    for pct in args.budgets:
        budget = int(n_chars * pct / 100)
        n_random = max(2, round(budget / (n_chars / len(distinct))))
        m = args.sizes[0]
        rows = (
            (f"adapted-static-{m}-c{pct:g}", dict(min_sample=m, max_sample=m, sample_chars=budget)),
            (f"adapted-static-r{pct:g}", dict(min_sample=n_random, max_sample=n_random)),
        )
        for name, kw in rows:
            X, emb, fit = _adapted(texts, args.seed, features="static", **kw)
            vectors[name] = X
            notes[name] = f"teacher on {emb.sample_size_} texts; loo {emb.loo_cosine_:.3f} {fit}"

    head = f"{'vectors':22s} {'ARI':>13s} {'NMI':>13s}"
    if pids is not None:
        head += "  ARI en/ar/zh        same-cl en-ar/en-zh/ar-zh  top1 en-ar/en-zh/ar-zh"
    print(head)
    summary = {}
    for name, X in vectors.items():
        aris, nmis, per_lang, same = [], [], [], []
        for seed in args.seeds:
            pred = cluster(X, k, "umap", seed)
            aris.append(adjusted_rand_score(labels, pred))
            nmis.append(normalized_mutual_info_score(labels, pred))
            if pids is not None:
                lab, lan = np.asarray(labels), np.asarray(langs)
                per_lang.append(
                    [adjusted_rand_score(lab[lan == x], pred[lan == x]) for x in ("en", "ar", "zh")]
                )
                same.append(cross_lingual(X, pred, langs, pids))
        summary[name] = float(np.mean(aris))
        line = f"{name:22s} {np.mean(aris):.3f}±{np.std(aris):.3f} {np.mean(nmis):.3f}±{np.std(nmis):.3f}"
        if pids is not None:
            pl = np.mean(per_lang, axis=0)
            sc = np.mean([s["same"] for s in same], axis=0)
            t1 = same[0]["top1"]
            line += (
                f"  {pl[0]:.3f}/{pl[1]:.3f}/{pl[2]:.3f}  {sc[0]:.3f}/{sc[1]:.3f}/{sc[2]:.3f}"
                f"           {t1[0]:.3f}/{t1[1]:.3f}/{t1[2]:.3f}"
            )
        print(line + ("  " + notes[name] if name in notes else ""), flush=True)
    if "use-multilingual" in summary:
        ref = summary["use-multilingual"]
        print("ARI as a share of the teacher's:")
        for name, ari in summary.items():
            print(f"  {name:22s} {ari / ref:6.1%}")
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(f"peak RSS {ru.ru_maxrss // 1024} MB, CPU {ru.ru_utime + ru.ru_stime:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
