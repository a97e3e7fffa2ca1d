"""Labels name their subject on labelled slices of 20 Newsgroups and AG News.

Each theme's subject is the majority class of its passages; its label, shown with its
news section as tables show it, must share a content word with a hand-written
description of that class (``tests/data/class_subjects.json``) for most themes. The
shares are printed (``pytest -s``) as well as checked.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import pytest

SUBJECTS = json.loads(
    (Path(__file__).parent / "data" / "class_subjects.json").read_text(encoding="utf-8")
)["subjects"]


def _slice(path: Path, per_label: int, source: str | None = None) -> list[dict]:
    """The first ``per_label`` records of each class (of one ``source``, if given)."""
    taken: dict[str, int] = defaultdict(int)
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            label = rec.get("label")
            if (source and rec.get("source") != source) or not label:
                continue
            if taken[label] < per_label:
                taken[label] += 1
                out.append({k: rec[k] for k in ("id", "text", "label", "title") if rec.get(k)})
    return out


def _run_slice(records: list[dict], tmp_path: Path, n_themes: int | None):
    from topiclab.config import RunConfig
    from topiclab.ingest import load
    from topiclab.pipeline import run

    path = tmp_path / "slice.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    corpus = load(path, max_words=10**6)
    labels = dict(zip(corpus.documents["doc_id"], corpus.documents["label"], strict=True))
    result, _model = run(corpus, RunConfig(seed=0, n_themes=n_themes, progress=False))
    return result, labels


def _shares(result, labels, subjects, name: str) -> dict[str, float]:
    from topiclab.evaluate import label_check

    out = {}
    for view in result.views:
        check = label_check(result, labels, subjects, view=view)
        out[view] = float(check["names_with_section"].mean())
        print(
            f"{name} {view}: {int(check['names'].sum())}/{len(check)} labels and "
            f"{int(check['names_with_section'].sum())}/{len(check)} labels with their "
            "section name the described subject"
        )
        for row in check.itertuples():
            mark = "+" if row.names_with_section else "-"
            score = result.views[view].table[row.theme].section_score
            print(f"  {mark} [{row.theme}] {row.section} ({score}): {row.label} <- {row.subject}")
    return out


def test_label_check_uses_the_majority_class_and_the_section():
    import numpy as np
    import pandas as pd

    from topiclab.evaluate import label_check
    from topiclab.themes import RunResult, Theme, ThemeTable, View

    themes = [
        Theme(id=0, label="Red Sox and ninth inning", size=3, terms={}, languages={}),
        Theme(id=1, label="Oil prices and shares", size=2, terms={}, languages={}),
    ]
    themes[0].section = "Sport"
    passages = pd.DataFrame(
        {"passage_id": list("abcde"), "doc_id": list("abcde"), "theme": [0, 0, 0, 1, 1]}
    )
    result = RunResult(
        config={},
        documents=pd.DataFrame({"doc_id": list("abcde")}),
        passages=passages,
        views={"embedding": View.builtin("embedding", ThemeTable("embedding", themes))},
        meta={},
    )
    labels = dict(zip("abcde", ["Sports", "Sports", "World", "Business", "Sci/Tech"], strict=True))
    check = label_check(result, labels, SUBJECTS["agnews"])
    assert check["subject"].tolist() == ["Sports", "Business"]
    assert check["purity"].tolist() == pytest.approx([2 / 3, 0.5])
    # "Sport" names "Sports: games, teams, players" (plural folded); the label alone does not
    assert check["names"].tolist() == [False, False]
    assert check["names_with_section"].tolist() == [True, False]
    # without descriptions the class names themselves are compared
    plain = label_check(result, labels)
    assert plain["names_with_section"].tolist() == [True, False]
    themes[0].section = ""
    assert not np.any(label_check(result, labels)["names_with_section"])


@pytest.mark.slow
def test_ag_news_labels_name_their_section(shared_corpora, tmp_path):
    records = _slice(shared_corpora / "multilingual_news" / "docs.jsonl.gz", 60, "agnews_test")
    assert len(records) == 240
    result, labels = _run_slice(records, tmp_path, None)
    shares = _shares(result, labels, SUBJECTS["agnews"], "AG News")
    assert shares["embedding"] > 0.5, shares
    assert shares["lda"] > 0.5, shares


@pytest.mark.slow
def test_20_newsgroups_labels_name_their_newsgroup(shared_corpora, tmp_path):
    records = _slice(shared_corpora / "20newsgroups" / "docs.jsonl.gz", 15)
    assert len(records) == 300
    result, labels = _run_slice(records, tmp_path, 20)
    shares = _shares(result, labels, SUBJECTS["20ng"], "20 Newsgroups")
    assert shares["embedding"] > 0.5, shares
    assert shares["lda"] > 0.5, shares
