"""Choose the number of themes and of LDA topics by coherence, diversity and stability.

For every candidate K, both views are fitted with several seeds on the same corpus (the
stages up to the views only). Three measures per view and K:

* **coherence**: mean NPMI of the themes' top terms, scored on documents held out from
  the fit (a fifth of the documents, by a hash of their id) when the corpus has at least
  50 documents, otherwise on the fitted documents (the curve says which);
* **diversity**: share of unique words among the themes' top terms;
* **stability**: mean pairwise adjusted Rand index of the passage assignments across the
  seeds.

Each measure is scaled to 0..1 over the candidates (min-max; a constant measure counts 1)
and the score is their mean; the K with the best score is chosen (ties: the smaller K).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topiclab.analysis._groups import AnalysisError
from topiclab.themes import Analysis

logger = logging.getLogger(__name__)

__all__ = ["choose_k", "k_selection_analysis", "parse_k_range"]

#: Fewest documents for which coherence is scored on held-out documents.
MIN_DOCS_HELD_OUT = 50
HELD_OUT_SHARE = 0.2


def parse_k_range(spec: str) -> list[int]:
    """Parse ``"4:12"`` (inclusive), ``"4:12:2"`` or ``"4,6,9"`` into candidate values.

    Raises
    ------
    AnalysisError
        For anything else, or values below 2.
    """
    text = str(spec).strip()
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            step = parts[2] if len(parts) == 3 else 1
            values = list(range(parts[0], parts[1] + 1, step))
        else:
            values = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        raise AnalysisError(
            f"K range {spec!r}: write FIRST:LAST, FIRST:LAST:STEP or K,K,K"
        ) from None
    if not values or min(values) < 2:
        raise AnalysisError(f"K range {spec!r}: give values of 2 or more")
    return values


def _held_out(corpus: Any) -> tuple[Any, Any | None]:
    """Split the corpus into fit and held-out documents (None when it is too small)."""
    from topiclab.ingest.corpus import Corpus

    docs = corpus.documents
    if len(docs) < MIN_DOCS_HELD_OUT:
        return corpus, None
    bucket = docs["doc_id"].map(
        lambda d: int(hashlib.blake2b(str(d).encode(), digest_size=4).hexdigest(), 16) % 1000
    )
    test_ids = set(docs.loc[bucket < HELD_OUT_SHARE * 1000, "doc_id"])

    def part(keep: bool) -> Any:
        d = docs[docs["doc_id"].isin(test_ids) != keep].reset_index(drop=True)
        p = corpus.passages[corpus.passages["doc_id"].isin(set(d["doc_id"]))].reset_index(drop=True)
        return Corpus(documents=d, passages=p, log=[])

    return part(True), part(False)


def choose_k(
    corpus: Any,
    config: Any,
    k_values: Sequence[int],
    *,
    n_seeds: int = 3,
    embedder: Any = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Fit both views for every K and seed; return the curves and the chosen K per view.

    Parameters
    ----------
    corpus : Corpus
    config : RunConfig
        The run's configuration; ``n_themes``, ``n_topics`` and ``seed`` vary.
    k_values : sequence of int
        Candidate numbers of themes (and of topics).
    n_seeds : int, default=3
        Seeds per K (``config.seed``, ``config.seed + 1``, ...).
    embedder : object, optional
        The embedding model (default: the configured one; embeddings are cached).
    progress : bool, default=False

    Returns
    -------
    dict
        View name (``embedding``, ``lda``) -> ``{"k", "npmi", "diversity", "stability",
        "score", "chosen"}``, plus ``"coherence_on"`` (``held-out documents`` or
        ``fitted documents``), ``"n_seeds"`` and ``"method"``.
    """
    from sklearn.metrics import adjusted_rand_score
    from tqdm.auto import tqdm

    from topiclab.evaluate import coherence, topic_diversity
    from topiclab.pipeline.base import Pipeline, RunState

    k_values = sorted({int(k) for k in k_values})
    n_passages = len(corpus.passages)
    if not k_values:
        raise AnalysisError("no K to try")
    too_big = [k for k in k_values if k > n_passages]
    if too_big:
        raise AnalysisError(f"K values {too_big} exceed the {n_passages} passages of the corpus")
    if n_seeds < 2:
        raise AnalysisError(f"n_seeds must be at least 2 to measure stability, got {n_seeds}")
    fit_corpus, test_corpus = _held_out(corpus)
    raw: dict[str, dict[int, dict[str, list]]] = {}
    jobs = [(k, config.seed + i) for k in k_values for i in range(n_seeds)]
    reference: dict[int, Any] = {}
    for k, seed in tqdm(jobs, desc="choosing K", disable=not progress):
        cfg = config.replace(seed=int(seed), n_themes=k, n_topics=k, progress=False)
        full = Pipeline.from_config(cfg, embedder=embedder)
        names = full.names()
        last = max(names.index("cluster"), names.index("lda"))
        pipe = Pipeline(full.stages[: last + 1])
        state = RunState(texts=[], langs=[], doc_ids=[], corpus=fit_corpus)
        state.extras["config"] = cfg.to_dict()
        state.extras["seeds"] = cfg.seeds()
        state = pipe.fit(state)
        if seed not in reference:
            if test_corpus is not None:
                vec = pipe["vectorize"].vectorizer_
                reference[seed] = vec.tokenize_documents(
                    test_corpus.passages["text"].astype(str).tolist(),
                    test_corpus.passages["lang"].astype(str).tolist(),
                )
            else:
                reference[seed] = state.tokens
        for name, vs in state.views.items():
            tops = [t.top_words("all", 10) for t in vs.table]
            npmi, _ = coherence(tops, reference[seed], measure="c_npmi")
            slot = raw.setdefault(name, {}).setdefault(k, {"npmi": [], "div": [], "labels": []})
            slot["npmi"].append(npmi)
            slot["div"].append(topic_diversity(tops))
            labels = np.asarray(vs.labels)
            if labels.size == 0:
                labels = np.asarray(vs.membership).argmax(axis=1)
            slot["labels"].append(labels)
    out: dict[str, Any] = {
        "coherence_on": "held-out documents" if test_corpus is not None else "fitted documents",
        "n_seeds": int(n_seeds),
        "method": "mean of NPMI, diversity and stability (pairwise ARI across seeds), "
        "each min-max scaled over the candidates",
    }
    for name, per_k in raw.items():
        npmi = [float(np.nanmean(per_k[k]["npmi"])) for k in k_values]
        div = [float(np.mean(per_k[k]["div"])) for k in k_values]
        stab = [
            float(
                np.mean(
                    [
                        adjusted_rand_score(a, b)
                        for a, b in itertools.combinations(per_k[k]["labels"], 2)
                    ]
                )
            )
            for k in k_values
        ]
        score = np.mean([_scale(npmi), _scale(div), _scale(stab)], axis=0)
        best = int(np.flatnonzero(score == np.nanmax(score))[0])
        out[name] = {
            "k": list(k_values),
            "npmi": npmi,
            "diversity": div,
            "stability": stab,
            "score": [float(s) for s in score],
            "chosen": int(k_values[best]),
        }
    return out


def _scale(values: Sequence[float]) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    v = np.where(np.isfinite(v), v, np.nanmin(v) if np.isfinite(v).any() else 0.0)
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-12:
        return np.ones_like(v)
    return (v - lo) / (hi - lo)


def k_selection_analysis(curves: dict[str, Any], used: dict[str, int | None]) -> Analysis:
    """Return the curves as a table named ``k_selection``.

    Columns: ``view, k, npmi, diversity, stability, score, chosen, used``.
    """
    rows = []
    for name, c in curves.items():
        if not isinstance(c, dict) or "k" not in c:
            continue
        for i, k in enumerate(c["k"]):
            rows.append(
                {
                    "view": name,
                    "k": int(k),
                    "npmi": c["npmi"][i],
                    "diversity": c["diversity"][i],
                    "stability": c["stability"][i],
                    "score": c["score"][i],
                    "chosen": int(k) == c["chosen"],
                    "used": used.get(name) == int(k),
                }
            )
    info = {
        "coherence_on": curves.get("coherence_on"),
        "n_seeds": curves.get("n_seeds"),
        "method": curves.get("method"),
        **{
            f"{n}_chosen": c["chosen"]
            for n, c in curves.items()
            if isinstance(c, dict) and "chosen" in c
        },
        **{f"{n}_used": v for n, v in used.items() if v is not None},
    }
    return Analysis("k_selection", pd.DataFrame(rows), info, "Choosing the number of themes")
