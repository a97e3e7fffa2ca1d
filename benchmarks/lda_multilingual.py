"""Do LDA topics split a subject by language? Plain, theme-seeded and cross-lingual LDA.

Runs the main job's stages up to the embedding themes once (prepare, vectorise, embed,
cluster), then fits the LDA view in several ways on the same state:

* ``plain``: ``lda_neighbours = 0``, LDA on each passage's own word counts (the view
  before cross-lingual units);
* ``seeded``: ``lda_seed_themes`` with ``lda_neighbours = 0`` (one LDA topic seeded per
  embedding theme with that theme's terms in every language);
* ``neighbours=N``: ``lda_neighbours = N`` (every passage's counts plus those of its N
  mutual nearest passages, by embedding, in each other language; for training and
  inference; ``neighbours=1`` is the default).

For each it prints the LDA topics' passages per language; a topic is *single-language*
when one language holds at least 90 % of its passages; for each language, the passages
that share their topic with passages of another language; each topic's top words in
each language; and the coherence of those per-language top-10 words (gensim ``c_npmi``
on that language's passages: ``NPMI fitted`` on the passages LDA was fitted on and, on
SIB-200, ``NPMI held out`` on sentences it never saw). With ``--corpus sib200`` (the
same 1,004 sentences in Arabic, Chinese and English, 7 labels), the sentences are split
by ``parallel_id`` into two halves: the view is fitted on the first half and applied to
the second (``transform``), and it prints the ARI of each passage's LDA topic (and
embedding theme) against the labels and the share of sentences whose three
translations share one LDA topic, on both halves.

Usage::

    python benchmarks/lda_multilingual.py --corpus seed
    python benchmarks/lda_multilingual.py --corpus sib200 --k 7
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import resource
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SIB200 = ROOT.parent / "shared" / "corpora" / "sib200_ar_zh_en" / "docs.jsonl.gz"


def cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def variant_options(name: str) -> dict[str, Any]:
    """LDASection options of a variant name (``plain``, ``seeded``, ``neighbours=N``)."""
    if name == "plain":
        return {"lda_neighbours": 0}
    if name == "seeded":
        return {"lda_seed_themes": True, "lda_neighbours": 0}
    if name.startswith("neighbours="):
        return {"lda_neighbours": int(name.split("=", 1)[1])}
    raise SystemExit(f"unknown variant {name!r}")


def language_npmi(
    topic_word: np.ndarray, names: Sequence[str], tokens: Sequence[Sequence[str]], langs: Any
) -> dict[str, float]:
    """Mean NPMI of each topic's top-10 words in each language, on that language's passages."""
    from topiclab.evaluate import coherence

    lang_arr = np.asarray(langs, dtype=object)
    out = {}
    for lang in sorted(set(lang_arr.tolist())):
        docs = [list(tokens[i]) for i in np.flatnonzero(lang_arr == lang)]
        seen = {w for d in docs for w in d}
        if len(docs) < 20:
            continue
        tops = []
        for row in topic_word:
            words = [str(names[j]) for j in np.argsort(-row, kind="stable") if names[j] in seen]
            tops.append(words[:10])
        tops = [t for t in tops if len(t) >= 2]
        if tops:
            out[lang], _ = coherence(tops, docs, measure="c_npmi", topn=10)
    return out


def describe(name: str, state: Any, stage: Any, labels: dict | None, parallel: dict | None) -> dict:
    """Print the language mix of the LDA topics and the agreement measures."""
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    topics = np.asarray(state.views["lda"].labels)
    passages = state.passages.reset_index(drop=True)
    table = pd.crosstab(pd.Series(topics, name="lda_topic"), passages["lang"].rename("lang"))
    print(table.to_string())
    shares = table.div(table.sum(axis=1), axis=0)
    single = int((shares.max(axis=1) >= 0.9).sum()) if table.shape[1] > 1 else 0
    print(f"single-language topics (>= 90% one language): {single} of {len(table)}")
    for lang in table.columns:
        others = table.drop(columns=[lang]).sum(axis=1) > 0
        mixed = int(table.loc[others, lang].sum())
        print(
            f"{lang} passages in topics shared with another language: "
            f"{mixed} of {int(table[lang].sum())}"
        )
    row: dict[str, Any] = {"variant": name, "single_language_topics": single}
    if labels is not None and parallel is not None:
        doc = passages["doc_id"].astype(str)
        truth = doc.map(labels).to_numpy()
        themes = np.asarray(state.views["embedding"].labels)
        row["ari_lda"] = float(adjusted_rand_score(truth, topics))
        row["ari_themes"] = float(adjusted_rand_score(truth, themes))
        same = pd.Series(topics).groupby(doc.map(parallel).to_numpy()).nunique()
        row["translations_share"] = float((same == 1).mean())
        print(
            f"ARI vs labels: LDA {row['ari_lda']:.3f}, embedding themes {row['ari_themes']:.3f}; "
            f"three translations in one LDA topic: {row['translations_share']:.3f} of "
            f"{len(same)} sentences"
        )
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["seed", "sib200"], default="seed")
    p.add_argument("--k", type=int, default=None, help="LDA topics and embedding themes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants", nargs="+", default=["plain", "seeded", "neighbours=1"])
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from topiclab.config import RunConfig
    from topiclab.ingest import from_texts, load
    from topiclab.pipeline.base import RunState
    from topiclab.pipeline.lda_view import LDAViewStage
    from topiclab.pipeline.stages import default_stages

    t0, c0 = time.perf_counter(), cpu_s()
    labels = parallel = None
    held_texts: list[str] = []
    held_ids: list[str] = []
    if args.corpus == "seed":
        corpus = load(ROOT / "corpus")
    else:
        recs = [json.loads(line) for line in gzip.open(SIB200, "rt", encoding="utf-8")]
        pids = sorted({r["parallel_id"] for r in recs})
        fitted = set(pids[: len(pids) // 2])
        fit_recs = [r for r in recs if r["parallel_id"] in fitted]
        held = [r for r in recs if r["parallel_id"] not in fitted]
        corpus = from_texts([r["text"] for r in fit_recs], ids=[r["id"] for r in fit_recs])
        held_texts, held_ids = [r["text"] for r in held], [r["id"] for r in held]
        by_id = {r["id"]: r for r in recs}
        labels = {i: by_id[i]["label"] for i in by_id}
        parallel = {i: by_id[i]["parallel_id"] for i in by_id}
        docs = corpus.documents
        source = dict(zip(docs["doc_id"].astype(str), docs["source_file"], strict=True))
        labels.update({d: by_id[s]["label"] for d, s in source.items()})
        parallel.update({d: by_id[s]["parallel_id"] for d, s in source.items()})
    print(
        f"{args.corpus}: {len(corpus.documents)} documents, {len(corpus.passages)} passages "
        f"fitted, languages {corpus.passages['lang'].value_counts().to_dict()}"
        + (f"; {len(held_texts)} sentences held out" if held_texts else ""),
        flush=True,
    )
    config = RunConfig(
        seed=args.seed, progress=False, n_topics=args.k, n_themes=args.k, lang_mode="multilingual"
    )
    config = config.replace(speed="best")
    stages = default_stages(config)[:4]  # prepare, vectorize, embed, cluster
    state = RunState(texts=[], langs=[], doc_ids=[], corpus=corpus)
    for stage in stages:
        state = stage.fit(state)
        stage._fitted = True
    print(
        f"shared stages: {time.perf_counter() - t0:.0f}s wall, {cpu_s() - c0:.0f}s CPU",
        flush=True,
    )
    held_state = None
    if held_texts:
        import pandas as pd

        held_state = RunState.for_texts(held_texts, None, held_ids, None)
        for stage in stages[1:]:
            held_state = stage.transform(held_state)
        held_state.passages = pd.DataFrame(
            {"doc_id": held_ids, "lang": held_state.langs, "text": held_texts}
        )
    names = list(state.feature_names)
    rows = []
    for variant in args.variants:
        t, c = time.perf_counter(), cpu_s()
        section = config.replace(**variant_options(variant)).section("lda")
        stage = LDAViewStage(section)
        state = stage.fit(state)
        wall, cpu = time.perf_counter() - t, cpu_s() - c
        print(
            f"\n== {variant}: {stage.lda_.n_components} topics ({wall:.0f}s wall, {cpu:.0f}s CPU)"
        )
        topic_word = np.zeros((stage.lda_.n_components, len(names)))
        cols = stage.columns_ if stage.columns_ is not None else np.arange(len(names))
        topic_word[:, cols] = stage.lda_.components_
        lang_arr = np.asarray(state.langs, dtype=object)
        row = describe("fitted", state, stage, labels, parallel)
        row.update(variant=variant, wall_s=wall, cpu_s=cpu)
        for i, w in enumerate(topic_word):
            parts = []
            for lang in sorted(set(lang_arr.tolist())):
                seen = {x for j in np.flatnonzero(lang_arr == lang) for x in state.tokens[j]}
                words = [names[j] for j in np.argsort(-w, kind="stable")[:400] if names[j] in seen]
                if words and np.sum(lang_arr == lang) >= 0.05 * lang_arr.size:
                    parts.append(f"{lang}: {', '.join(words[:6])}")
            print(f"  topic {i}: " + " | ".join(parts))
        npmi_in = language_npmi(topic_word, names, state.tokens, state.langs)
        row["npmi_fitted"] = npmi_in
        print(
            "NPMI fitted (per-language top-10 words): "
            + ", ".join(f"{k} {v:.3f}" for k, v in npmi_in.items())
        )
        if held_state is not None:
            held_state = stage.transform(held_state)
            print("held-out sentences:")
            held_row = describe("held out", held_state, stage, labels, parallel)
            npmi_out = language_npmi(topic_word, names, held_state.tokens, held_state.langs)
            print(
                "NPMI held out (per-language top-10 words): "
                + ", ".join(f"{k} {v:.3f}" for k, v in npmi_out.items())
            )
            row["held_out"] = {**held_row, "npmi": npmi_out}
        rows.append(row)
    print(
        f"\ntotal {time.perf_counter() - t0:.0f}s wall, {cpu_s() - c0:.0f}s CPU "
        f"(shared 2-core machine; seed {args.seed})"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
