"""Embedding models on parallel Arabic / Chinese / English sentences (SIB-200).

For each model: load time, throughput on this machine (cache off), cosine of translation
pairs vs random cross-language non-pairs, cross-lingual retrieval (top-1), and KMeans
(k = number of labels) against the topic labels with the language mix of the clusters.
Then the cosine matrix of the bundled seed articles (001 is Arabic, the others English).

Usage::

    python benchmarks/embeddings.py                       # minilm, use-multilingual, e5
    python benchmarks/embeddings.py --models minilm --limit 300
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from topiclab.features.embed import SentenceEmbedder  # noqa: E402

SIB = ROOT.parent / "shared" / "corpora" / "sib200_ar_zh_en" / "docs.jsonl.gz"
LANGS = ("en", "ar", "zh")


def load_sib(path: Path, limit: int | None) -> list[dict]:
    """Records whose parallel_id has all three languages; ``limit`` caps the texts (whole triples)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    by_id: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_id.setdefault(row["parallel_id"], {})[row["lang"]] = row
    ids = sorted((p for p, g in by_id.items() if set(g) >= set(LANGS)), key=int)
    if limit:
        ids = ids[: max(1, limit // len(LANGS))]
    return [by_id[p][lang] for p in ids for lang in LANGS]


def pair_scores(X: np.ndarray, pids: np.ndarray, langs: np.ndarray, rng) -> tuple[float, float]:
    """Mean cosine of translation pairs and of random pairs across languages that are not translations."""
    pos, neg = [], []
    idx = {(p, lang): i for i, (p, lang) in enumerate(zip(pids, langs, strict=True))}
    uniq = np.unique(pids)
    for a, b in (("en", "ar"), ("en", "zh"), ("ar", "zh")):
        ia = np.array([idx[(p, a)] for p in uniq])
        ib = np.array([idx[(p, b)] for p in uniq])
        pos.append(np.einsum("ij,ij->i", X[ia], X[ib]))
        shift = rng.integers(1, len(uniq), size=len(uniq))
        ineg = ib[(np.arange(len(uniq)) + shift) % len(uniq)]
        neg.append(np.einsum("ij,ij->i", X[ia], X[ineg]))
    return float(np.concatenate(pos).mean()), float(np.concatenate(neg).mean())


def retrieval(X: np.ndarray, pids: np.ndarray, langs: np.ndarray, src: str, dst: str) -> float:
    """Top-1 accuracy of finding the translation of each ``src`` sentence among all ``dst`` ones."""
    s, d = np.flatnonzero(langs == src), np.flatnonzero(langs == dst)
    best = d[np.argmax(X[s] @ X[d].T, axis=1)]
    return float(np.mean(pids[best] == pids[s]))


def cluster_scores(X: np.ndarray, labels: np.ndarray, langs: np.ndarray, seed: int) -> dict:
    k = len(np.unique(labels))
    pred = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)
    entropies, split = [], 0
    for c in np.unique(pred):
        share = np.array([np.mean(langs[pred == c] == lang) for lang in LANGS])
        nz = share[share > 0]
        entropies.append(float(-(nz * np.log(nz)).sum() / np.log(len(LANGS))))
        split += share.max() >= 0.6
    en = langs == "en"
    pred_en = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X[en])
    return {
        "ari": adjusted_rand_score(labels, pred),
        "nmi": normalized_mutual_info_score(labels, pred),
        "ari_en": adjusted_rand_score(labels[en], pred_en),
        "lang_entropy": float(np.mean(entropies)),
        "lang_split": f"{split}/{k}",
    }


def seed_matrix(embedder: SentenceEmbedder) -> tuple[list[str], np.ndarray]:
    files = sorted((ROOT / "corpus").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    X = embedder.transform(texts)
    return [f.name[:3] for f in files], X @ X.T


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--models", default="minilm,use-multilingual,e5-multilingual")
    ap.add_argument(
        "--limit", type=int, default=None, help="at most this many texts (whole triples)"
    )
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=SIB)
    ap.add_argument("--no-seeds", action="store_true", help="skip the seed-article matrix")
    args = ap.parse_args(argv)

    docs = load_sib(args.data, args.limit)
    texts = [d["text"] for d in docs]
    langs = np.array([d["lang"] for d in docs])
    pids = np.array([d["parallel_id"] for d in docs])
    labels = np.array([d["label"] for d in docs])
    print(
        f"SIB-200 ar/zh/en: {len(texts)} texts, {len(np.unique(pids))} parallel triples, "
        f"{len(np.unique(labels))} labels"
    )

    rows, seeds = [], {}
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        emb = SentenceEmbedder(name, cache=False, progress=False, batch_size=args.batch_size)
        try:
            t0 = time.perf_counter()
            emb.fit()
            load_s = time.perf_counter() - t0
        except (ImportError, OSError) as exc:
            print(f"[{name}] skipped: {exc}")
            continue
        t0 = time.perf_counter()
        X = emb.transform(texts)
        secs = time.perf_counter() - t0
        rng = np.random.default_rng(args.seed)
        pos, neg = pair_scores(X, pids, langs, rng)
        row = {
            "model": name,
            "dim": emb.dim_,
            "load_s": load_s,
            "docs_s": len(texts) / secs,
            "pair_cos": pos,
            "nonpair_cos": neg,
            "en>ar": retrieval(X, pids, langs, "en", "ar"),
            "en>zh": retrieval(X, pids, langs, "en", "zh"),
            "ar>zh": retrieval(X, pids, langs, "ar", "zh"),
            **cluster_scores(X, labels, langs, args.seed),
        }
        rows.append(row)
        print(f"[{name}] {emb.model_id_}: {secs:.1f} s for {len(texts)} texts")
        if not args.no_seeds:
            seeds[name] = seed_matrix(emb)

    cols = [
        "model",
        "dim",
        "load_s",
        "docs_s",
        "pair_cos",
        "nonpair_cos",
        "en>ar",
        "en>zh",
        "ar>zh",
        "ari",
        "nmi",
        "ari_en",
        "lang_entropy",
        "lang_split",
    ]
    print()
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        cells = [f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in cols]
        print("| " + " | ".join(cells) + " |")
    print(
        "\npair_cos/nonpair_cos: mean cosine of translations / of random cross-language "
        "non-translations; en>ar etc.: top-1 retrieval of the translation; ari/nmi: "
        "KMeans(k=7) vs topic labels on all languages; ari_en: same on English only; "
        "lang_entropy: mean normalised language entropy within clusters (1 = evenly mixed); "
        "lang_split: clusters whose majority language holds >= 60%."
    )
    for name, (names, S) in seeds.items():
        print(f"\nSeed articles, cosine ({name}); 001 is Arabic, the others English:")
        print("      " + " ".join(f"{n:>6}" for n in names))
        for n, r in zip(names, S, strict=True):
            print(f"{n:>6}" + " ".join(f"{v:6.3f}" for v in r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
