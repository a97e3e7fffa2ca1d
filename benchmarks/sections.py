"""News sections of themes against the corpora's own categories: three prompts or one.

Each corpus's first ``--n`` documents (HuffPost, 20 Newsgroups, the English AG News items
of ``multilingual_news``) are embedded with ``--model`` and clustered by k-means (K=20
and 50, seed 0); each theme is given a section by :func:`topiclab.themes.sections.
assign_sections` from the section vectors of the three prompts (``ensemble``) and of the
description alone (``description``). A theme is scored when at least half its documents
share one category and that category maps to sections (below): right, wrong, or none
(no section clear enough). The most frequent wrong ones are printed::

    PYTHONPATH=. python benchmarks/sections.py --model minilm
    PYTHONPATH=. python benchmarks/sections.py --model use-multilingual
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter

import numpy as np

#: HuffPost category -> the sections a theme of it may rightly get ("U.S. NEWS": none).
HUFF = {
    "POLITICS": {"Politics"},
    "ENTERTAINMENT": {"Arts and culture"},
    "COMEDY": {"Arts and culture"},
    "SPORTS": {"Sport"},
    "WORLD NEWS": {"Politics", "Conflict and war", "Disasters and accidents"},
    "CRIME": {"Crime and justice"},
    "BUSINESS": {"Business and economy"},
    "MONEY": {"Business and economy"},
    "STYLE & BEAUTY": {"Lifestyle and leisure"},
    "STYLE": {"Lifestyle and leisure"},
    "HOME & LIVING": {"Lifestyle and leisure"},
    "FOOD & DRINK": {"Lifestyle and leisure"},
    "TASTE": {"Lifestyle and leisure"},
    "TRAVEL": {"Lifestyle and leisure"},
    "WELLNESS": {"Health", "Lifestyle and leisure"},
    "HEALTHY LIVING": {"Health", "Lifestyle and leisure"},
    "ENVIRONMENT": {"Environment"},
    "GREEN": {"Environment"},
    "SCIENCE": {"Science and technology"},
    "TECH": {"Science and technology"},
    "PARENTING": {"Society", "Human interest", "Lifestyle and leisure"},
    "PARENTS": {"Society", "Human interest", "Lifestyle and leisure"},
    "WOMEN": {"Society", "Human interest"},
    "QUEER VOICES": {"Society", "Human interest"},
    "BLACK VOICES": {"Society", "Human interest"},
    "LATINO VOICES": {"Society", "Human interest"},
    "RELIGION": {"Religion"},
    "EDUCATION": {"Education"},
    "COLLEGE": {"Education"},
    "WEIRD NEWS": {"Human interest"},
    "GOOD NEWS": {"Human interest"},
    "IMPACT": {"Society", "Human interest"},
    "ARTS & CULTURE": {"Arts and culture"},
    "ARTS": {"Arts and culture"},
    "CULTURE & ARTS": {"Arts and culture"},
    "DIVORCE": {"Society", "Lifestyle and leisure", "Human interest"},
    "WEDDINGS": {"Society", "Lifestyle and leisure", "Human interest"},
    "MEDIA": {"Arts and culture", "Politics"},
}


def ng(label: str) -> set[str] | None:
    """Return the sections a 20 Newsgroups group's theme may rightly get."""
    if label.startswith("talk.politics.mideast"):
        return {"Politics", "Conflict and war"}
    if label.startswith("talk.politics.guns"):
        return {"Politics", "Crime and justice"}
    if label.startswith("talk.politics"):
        return {"Politics"}
    if label.startswith("rec.sport"):
        return {"Sport"}
    if label == "sci.med":
        return {"Health", "Science and technology"}
    if label.startswith(("sci.", "comp.")):
        return {"Science and technology"}
    if label in ("soc.religion.christian", "alt.atheism", "talk.religion.misc"):
        return {"Religion"}
    if label in ("rec.autos", "rec.motorcycles"):
        return {"Lifestyle and leisure"}
    return None


#: AG News category -> the sections a theme of it may rightly get.
AG = {
    "World": {"Politics", "Conflict and war", "Disasters and accidents", "Crime and justice"},
    "Sports": {"Sport"},
    "Business": {"Business and economy"},
    "Sci/Tech": {"Science and technology"},
}


def ag(label: str) -> set[str] | None:
    """Return the sections of an AG News label (``source:category``)."""
    return AG.get(label.rsplit(":", 1)[-1])


def corpora(n: int):
    """Yield name, texts and each text's category."""
    from end_to_end import CORPORA, load_corpus

    path = CORPORA / "dated_news" / "huffpost_news_category_2018_2022.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(n), f, strict=False)]
    yield "HuffPost", [r["text"] for r in rows], [r["label"] for r in rows], HUFF.get
    texts, labels, _ = load_corpus("20ng", n, 0)
    yield "20 Newsgroups", texts, labels, ng
    texts, labels, langs = load_corpus("agnews", None, 0)
    keep = [i for i, lang in enumerate(langs) if lang == "en"][:n]
    yield "AG News", [texts[i] for i in keep], [labels[i] for i in keep], ag


def score(emb, labels, accept, sections, k: int) -> tuple[Counter, list[str]]:
    """Right, wrong, none and unscored themes of one k-means partition."""
    from sklearn.cluster import KMeans

    from topiclab.themes.sections import NEWS_SECTIONS, assign_sections, theme_centroids

    assigned = KMeans(k, n_init=1, random_state=0).fit_predict(emb)
    centroids = theme_centroids(emb, np.eye(k)[assigned])
    found = assign_sections(centroids, sections, list(NEWS_SECTIONS))
    tally, wrong = Counter(), []
    for theme, (section, _) in enumerate(found):
        members = np.flatnonzero(assigned == theme)
        category, count = Counter(labels[i] for i in members).most_common(1)[0]
        ok = accept(category)
        if count < 0.5 * len(members) or ok is None:
            tally["unscored"] += 1
        elif section == "":
            tally["none"] += 1
        elif section in ok:
            tally["right"] += 1
        else:
            tally["wrong"] += 1
            wrong.append(f"{category} -> {section}")
    return tally, wrong


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="minilm")
    p.add_argument("--n", type=int, default=4000, help="documents of each corpus")
    args = p.parse_args()
    from topiclab.features.embed import SentenceEmbedder
    from topiclab.themes.sections import section_vectors

    embedder = SentenceEmbedder(args.model, progress=False).fit()
    print(f"model {args.model}, {args.n} documents per corpus, k-means K=20 and 50, seed 0")
    totals = {"ensemble": Counter(), "description": Counter()}
    for name, texts, labels, accept in corpora(args.n):
        emb = embedder.transform(texts)
        for prompts, ensemble in (("ensemble", True), ("description", False)):
            sections = section_vectors(embedder, ensemble=ensemble)
            tally, wrong = Counter(), []
            for k in (20, 50):
                t, w = score(emb, labels, accept, sections, k)
                tally.update(t)
                wrong += w
            totals[prompts].update(tally)
            common = "; ".join(f"{w} ({c})" for w, c in Counter(wrong).most_common(3))
            print(
                f"{name:14s} {prompts:12s} right {tally['right']:3d}  wrong {tally['wrong']:3d}"
                f"  none {tally['none']:3d}  unscored {tally['unscored']:3d}  {common}"
            )
    for prompts, tally in totals.items():
        print(f"{'all':14s} {prompts:12s} right {tally['right']:3d}  wrong {tally['wrong']:3d}")


if __name__ == "__main__":
    main()
