"""Corpus-adapted fast embeddings against MiniLM and the static model, on labelled texts.

On a seeded slice of a labelled corpus (whole documents), each row embeds every document
one way, reduces with UMAP (5 dimensions, cosine, as topiclab clusters) and clusters with
seeded KMeans at K themes; it prints ARI/NMI against the labels and, for mapped vectors,
their mean cosine to the true MiniLM vectors of the documents the teacher did not embed.
Rows:

* ``minilm``: all-MiniLM-L6-v2 on every document (the reference; first window);
* ``static``: the static model distilled from it; ``static-abtt`` without its mean and
  first principal direction (what fast mode clustered so far);
* ``adapted-<features>-<m>``: :class:`topiclab.features.adapted.AdaptedEmbedder` with a
  seeded sample of ``m`` documents embedded by MiniLM and the rest mapped from the static
  vectors, hashed TF-IDF, or both.

MiniLM vectors come from topiclab's embedding cache where the same texts were embedded
before (missing ones are embedded and cached). ``--timing`` measures, without any cache,
MiniLM's rate on ``--rate-texts`` documents of the slice and the adapted embedder's whole
embedding stage (teacher sample + static vectors + TF-IDF + map) on every document.

Usage::

    python benchmarks/fast_adapted.py --corpus 20ng --limit 4000 --sizes 80 200 400
    python benchmarks/fast_adapted.py --corpus 20ng --limit 8000 --timing-only --features both
    python benchmarks/fast_adapted.py --corpus multilingual --english-only --limit 3000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import load_corpus
from fast_quality import all_but_the_top, cluster


def _unit(X: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(n > 0, n, 1.0)


def _embed(model: str, texts: list[str], cache: bool = True) -> np.ndarray:
    from topiclab.features.embed import SentenceEmbedder

    emb = SentenceEmbedder(model, long_text="truncate", progress=True, cache=cache).fit()
    return np.asarray(emb.transform(texts), dtype=np.float32)


def _adapted(
    features: str,
    m: int,
    seed: int,
    cache: bool = True,
    fraction: float = 1.0,
    static: str = "minilm-static",
):
    from topiclab.features.adapted import AdaptedEmbedder

    lo, hi = (m, m) if m else (200, 2000)
    return AdaptedEmbedder(
        static=static,
        features=features,
        sample_fraction=fraction,
        min_sample=lo,
        max_sample=hi,
        long_text="truncate",
        random_state=seed,
        cache=cache,
        progress=False,
    )


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def timing(texts: list[str], args: argparse.Namespace) -> None:
    """MiniLM's uncached rate on a slice, and the adapted embedder's whole stage uncached."""
    from topiclab.features.embed import SentenceEmbedder

    rng = np.random.default_rng(args.seed + 1)
    few = [texts[i] for i in rng.choice(len(texts), size=args.rate_texts, replace=False)]
    emb = SentenceEmbedder("minilm", long_text="truncate", cache=False, progress=False).fit()
    emb.transform(few[:8])  # warm-up
    w0, c0 = _clock()
    emb.transform(few)
    w1, c1 = _clock()
    rate = len(few) / (w1 - w0)
    print(
        f"  minilm, no cache: {len(few)} texts in {w1 - w0:.1f} s wall, {c1 - c0:.1f} s CPU "
        f"({rate:.1f} texts/s) -> {len(texts)} texts would take {len(texts) / rate:.0f} s",
        flush=True,
    )
    for features in args.features:
        est = _adapted(features, args.timing_size, args.seed, cache=False, fraction=args.fraction)
        w0, c0 = _clock()
        est.fit_transform(texts)
        w1, c1 = _clock()
        print(
            f"  adapted-{features}, no cache: {est.sample_size_} sampled, {len(texts)} texts "
            f"in {w1 - w0:.1f} s wall, {c1 - c0:.1f} s CPU ({len(texts) / (w1 - w0):.1f} "
            f"texts/s; {len(texts) / rate / (w1 - w0):.1f}x MiniLM's wall time)",
            flush=True,
        )
    st = SentenceEmbedder("minilm-static", cache=False, progress=False).fit()
    w0, c0 = _clock()
    st.transform(texts)
    w1, c1 = _clock()
    print(
        f"  static, no cache: {len(texts)} texts in {w1 - w0:.1f} s wall, {c1 - c0:.1f} s CPU",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["20ng", "multilingual"], default="20ng")
    p.add_argument("--limit", type=int, default=4000)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sizes", type=int, nargs="+", default=[80, 200, 400])
    p.add_argument("--features", nargs="+", default=["both", "tfidf", "static"])
    p.add_argument("--seeds", type=int, nargs="+", default=None, help="clustering seeds")
    p.add_argument("--baselines", nargs="*", default=["minilm", "static", "static-abtt"])
    p.add_argument("--reduce", default="umap", choices=["umap", "none"])
    p.add_argument("--timing", action="store_true", help="measure uncached speed first")
    p.add_argument("--timing-size", type=int, default=0, help="sample (0: the default rule)")
    p.add_argument("--fraction", type=float, default=0.02)
    p.add_argument("--rate-texts", type=int, default=200)
    p.add_argument("--timing-only", action="store_true", help="stop after the timing")
    p.add_argument("--english-only", action="store_true", help="keep the English items only")
    p.add_argument(
        "--static",
        nargs="+",
        default=["minilm-static"],
        help="static feature blocks of the map: minilm-static and/or minilm-context",
    )
    args = p.parse_args(argv)

    if args.english_only:  # the English items of a multilingual corpus (AG News)
        texts, labels, langs = load_corpus(args.corpus, None, args.seed)
        keep = [i for i, lang in enumerate(langs) if lang == "en"][: args.limit]
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    else:
        texts, labels, _ = load_corpus(args.corpus, args.limit, args.seed)
    print(
        f"{args.corpus}: {len(texts)} documents, {len(set(labels))} labels, K={args.k}, "
        f"seed {args.seed}; 2 CPUs (shared machine)",
        flush=True,
    )
    if args.timing or args.timing_only:
        timing(texts, args)
    if args.timing_only:
        return 0
    ref = _embed("minilm", texts)
    views: dict[str, tuple[np.ndarray, str]] = {}
    if "minilm" in args.baselines:
        views["minilm"] = (ref, "")
    if {"static", "static-abtt"} & set(args.baselines):
        S = _embed("minilm-static", texts)
        if "static" in args.baselines:
            views["static"] = (S, "")
        if "static-abtt" in args.baselines:
            views["static-abtt"] = (all_but_the_top(S), "")
    for static, features, m in (
        (st, f, m) for st in args.static for f in args.features for m in args.sizes
    ):
        est = _adapted(features, m, args.seed, static=static)
        w0, c0 = _clock()
        X = est.fit_transform(texts)
        w1, c1 = _clock()
        keys = {bytes(k) for k in est.sample_keys_}
        from topiclab.features.adapted import _text_key

        held = np.array([_text_key(t) not in keys for t in texts])
        cos = float(np.mean(np.sum(_unit(X[held]) * _unit(ref[held]), axis=1)))
        note = (
            f"cos {cos:.3f} loo {est.loo_cosine_:.3f} alpha {est.alpha_:.3g} "
            f"fit {w1 - w0:.1f}s/{c1 - c0:.1f}cpu"
        )
        name = f"adapted-{features}-{m}" + ("-context" if static == "minilm-context" else "")
        views[name] = (X, note)
        print(f"  fitted {name}: {note}", flush=True)
    print(f"{'vectors':<24} {'seed':>4} {'ARI':>6} {'NMI':>6}  notes")
    for seed in args.seeds or [args.seed]:
        for name, (X, note) in views.items():
            pred = cluster(X, args.k, args.reduce, seed)
            ari = adjusted_rand_score(labels, pred)
            nmi = normalized_mutual_info_score(labels, pred)
            print(f"{name:<24} {seed:>4} {ari:>6.3f} {nmi:>6.3f}  {note}", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB, CPU {time.process_time():.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
