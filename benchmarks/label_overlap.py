"""How often a theme's label names its subject, on labelled news corpora.

For each theme of a run on a labelled slice, the majority label of its passages is the
subject; the label "names" it when they share a content word
(:func:`topiclab.themes.labels.label_names`, e.g. "Hockey, NHL and playoffs" and
``rec.sport.hockey``). Prints the share of themes whose label names the subject, for the
embedding themes and the LDA topics, with every theme's label and subject.

A second share counts the label together with its keyword list (the ten keywords shown
beside it), by the same rule. A third compares the label alone with a hand-written
description of the class (:data:`DESCRIBED`: "Sports: games, teams, players" for AG News'
``Sports``; "Baseball: games, teams, players, pitching" for ``rec.sport.baseball``), as
class names such as ``Sci/Tech`` or ``sci.crypt`` are abbreviations that labels rarely
contain as words. Lines are marked ``+`` (the label names the class name), ``k`` (only
with the keyword list) or ``-``, then ``d`` when the label names the described subject.

Slices (read from ``../shared/corpora`` or ``--corpora``), one passage per document:

* ``20ng``: 20 Newsgroups, the first ``--per-label`` posts of each newsgroup;
* ``agnews``: AG News (the ``agnews_test`` source of ``multilingual_news``), the first
  ``--per-label`` items of each of its 4 classes.

Run: ``python benchmarks/label_overlap.py 20ng --n-themes 50 --figures DIR``. Embeddings
go through the shared cache (``TOPICLAB_CACHE``), so a second run does not embed again.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parent.parent / "shared" / "corpora"


def _slice(corpus: str, corpora: Path, per_label: int) -> list[dict]:
    if corpus == "20ng":
        path, keep = corpora / "20newsgroups" / "docs.jsonl.gz", None
    else:
        path, keep = corpora / "multilingual_news" / "docs.jsonl.gz", "agnews_test"
    taken: dict[str, int] = defaultdict(int)
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if keep and rec.get("source") != keep:
                continue
            label = rec.get("label")
            if not label or taken[label] >= per_label:
                continue
            taken[label] += 1
            item = {"id": rec["id"], "text": rec["text"], "label": label}
            if rec.get("title"):  # the article's headline (20 Newsgroups: its Subject)
                item["title"] = rec["title"]
            out.append(item)
    return out


def _subject(label: str) -> str:
    return label.replace(".", " ").replace("/", " ").replace("_", " ")


# What each class is about, in plain words, written by hand once from the class
# definitions (the newsgroups' names and purpose; AG News' four categories), never from
# topiclab's output; kept beside the tests that use them. The strict share compares labels
# with the class names themselves; these give the described-subject share (the same
# word-overlap rule).
DESCRIBED = json.loads(
    (HERE.parent / "tests" / "data" / "class_subjects.json").read_text(encoding="utf-8")
)["subjects"]


def prepare(args: argparse.Namespace, records: list[dict]) -> tuple[Any, dict, Any]:
    """Load the slice's records as a corpus; return it, its labels and the run's config."""
    from topiclab.config import RunConfig
    from topiclab.ingest import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{args.corpus}.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
        corpus = load(path, max_words=10**6)
    labels = dict(zip(corpus.documents["doc_id"], corpus.documents["label"], strict=True))
    config = RunConfig(
        seed=args.seed, n_themes=args.n_themes, embedding_model="minilm", progress=False
    )
    return corpus, labels, config


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", choices=["20ng", "agnews"])
    p.add_argument("--per-label", type=int, default=60)
    p.add_argument("--n-themes", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpora", type=Path, default=CORPORA)
    p.add_argument("--figures", type=Path, default=None, help="render the figures here")
    p.add_argument(
        "--min-contrast",
        type=float,
        default=None,
        help="label words' minimum contrast (default: the library's; 0: rule off)",
    )
    p.add_argument("--save", type=Path, default=None, help="save the run (and its report) here")
    args = p.parse_args(argv)

    from topiclab.themes import characteristic

    if args.min_contrast is not None:  # for measuring the rule against its absence
        characteristic.MIN_CONTRAST = args.min_contrast
    from topiclab.evaluate import label_check
    from topiclab.pipeline import run
    from topiclab.themes.labels import label_names

    t0, c0 = time.perf_counter(), time.process_time()
    records = _slice(args.corpus, args.corpora, args.per_label)
    if not records:
        print(f"no records found under {args.corpora}", file=sys.stderr)
        return 2
    corpus, labels, config = prepare(args, records)
    result, _model = run(corpus, config)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"{args.corpus}: {len(corpus.documents)} documents, {len(result.passages)} passages, "
        f"{len(set(labels.values()))} labels; run {wall:.0f} s wall, {cpu:.0f} s CPU "
        "(2 shared CPU cores)"
    )
    p_ = result.passages
    for name, view in result.views.items():
        hits = []
        with_keywords = []
        described = []
        lines = []
        for theme in view.table:
            members = p_[p_[view.column] == theme.id]
            if members.empty:
                continue
            counts = Counter(labels[d] for d in members["doc_id"])
            subject, n = counts.most_common(1)[0]
            hit = label_names(theme.label, _subject(subject))
            keywords = theme.keywords("all", 10) or [
                k for lang in theme.terms for k in theme.keywords(lang, 10)
            ]
            hit_kw = label_names(theme.label, _subject(subject), keywords)
            hit_d = label_names(theme.label, DESCRIBED[args.corpus][subject])
            hits.append(hit)
            with_keywords.append(hit_kw)
            described.append(hit_d)
            mark = ("+" if hit else ("k" if hit_kw else "-")) + ("d" if hit_d else " ")
            lines.append(
                f"  {mark} [{theme.id}] {theme.heading}  <- {subject} "
                f"({n}/{len(members)})  | {', '.join(keywords[:6])}"
            )
        share = sum(hits) / max(len(hits), 1)
        share_kw = sum(with_keywords) / max(len(with_keywords), 1)
        print(f"{name}: {sum(hits)} of {len(hits)} labels name the majority label ({share:.0%})")
        print(
            f"{name}: {sum(with_keywords)} of {len(with_keywords)} labels with their keyword "
            f"list name it ({share_kw:.0%})"
        )
        share_d = sum(described) / max(len(described), 1)
        print(
            f"{name}: {sum(described)} of {len(described)} labels name the described subject "
            f"({share_d:.0%})"
        )
        check = label_check(result, labels, DESCRIBED[args.corpus], view=name)
        n_sec = int(check["names_with_section"].sum())
        print(
            f"{name}: {n_sec} of {len(check)} labels with their section name the described "
            f"subject ({n_sec / max(len(check), 1):.0%}); "
            f"{int((check['section'] != '').sum())} themes have a section"
        )
        print("\n".join(lines))
    if args.save is not None:
        from topiclab.storage.runs import save_run

        save_run(args.save, result, _model, report=True)
        print(f"run saved in {args.save}")
    if args.figures is not None:
        from topiclab.outputs.figures import render_all

        render_all(result, args.figures, formats=("png",))
        print(f"figures in {args.figures}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
