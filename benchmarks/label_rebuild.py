"""Labels of one fit rebuilt by the current code: compare label rules on the same themes.

``benchmarks/label_overlap.py`` fits the themes again on every run, so a change to the
cleaning or the clustering changes the themes as well as their labels. This script
separates the two:

* ``capture``: run the slice of ``label_overlap.py`` once and save what each view handed
  to :func:`topiclab.themes.build_theme_table` (labels, term weights, counts, passages,
  written forms) to a pickle;
* ``score``: rebuild the theme tables from a pickle with the code now imported and print
  the three shares of ``label_overlap.py`` (class name, with the keyword list, described
  subject) and every label. Run it from two checkouts to compare two label rules on the
  same themes.

Run: ``python benchmarks/label_rebuild.py capture 20ng --per-label 60 --n-themes 50
--out fit.pkl``, then ``python benchmarks/label_rebuild.py score fit.pkl``. The pickle
holds the corpus slice's texts: keep it outside the repository.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def capture(args: argparse.Namespace) -> int:
    import label_overlap as lo

    import topiclab.themes as themes
    from topiclab.pipeline import run

    calls = []
    build = themes.build_theme_table

    def recording(*a, **kw):
        saved = dict(kw)
        if saved.get("display") is not None:  # the written forms, not the vectorizer
            names = [str(w) for w in a[3]]
            saved["display"] = dict(zip(names, saved["display"](names), strict=True))
        calls.append((a, saved))
        return build(*a, **kw)

    themes.build_theme_table = recording
    records = lo._slice(args.corpus, args.corpora, args.per_label)
    corpus, labels, config = lo.prepare(args, records)
    run(corpus, config)
    with open(args.out, "wb") as fh:
        pickle.dump({"calls": calls, "labels": labels, "corpus": args.corpus}, fh)
    print(f"saved {len(calls)} views to {args.out}")
    return 0


def score(args: argparse.Namespace) -> int:
    import label_overlap as lo
    import numpy as np

    from topiclab.themes import build_theme_table
    from topiclab.themes.labels import label_names

    with open(args.pickle, "rb") as fh:
        saved = pickle.load(fh)
    labels, corpus = saved["labels"], saved["corpus"]
    for a, kw in saved["calls"]:
        kw = dict(kw)
        if isinstance(kw.get("display"), dict):
            shown = kw["display"]
            kw["display"] = lambda ws, m=shown: [m.get(w, w.replace("_", " ")) for w in ws]
        view, assigned, passages = a[0], np.asarray(a[1]), a[4]
        if view == "lda" and args.lda_label_words:  # a fit captured before the option
            kw["label_words"] = args.lda_label_words
        table = build_theme_table(*a, **kw)
        marks, lines = [], []
        for theme in table:
            idx = np.flatnonzero(assigned == theme.id)
            if idx.size == 0:
                continue
            counts = Counter(labels[d] for d in passages["doc_id"].to_numpy()[idx])
            subject, n = counts.most_common(1)[0]
            keywords = theme.keywords("all", 10) or [
                k for lang in theme.terms for k in theme.keywords(lang, 10)
            ]
            hit = label_names(theme.label, lo._subject(subject))
            hit_kw = label_names(theme.label, lo._subject(subject), keywords)
            hit_d = label_names(theme.label, lo.DESCRIBED[corpus][subject])
            marks.append((hit, hit_kw, hit_d))
            mark = ("+" if hit else ("k" if hit_kw else "-")) + ("d" if hit_d else " ")
            lines.append(
                f"  {mark} [{theme.id}] {theme.label}  <- {subject} ({n}/{idx.size})"
                f"  | {', '.join(keywords[:6])}"
            )
        m = max(len(marks), 1)
        shares = [sum(x[i] for x in marks) for i in range(3)]
        print(
            f"{view}: class name {shares[0]}/{len(marks)} ({shares[0] / m:.0%}), "
            f"with keywords {shares[1]}/{len(marks)} ({shares[1] / m:.0%}), "
            f"described subject {shares[2]}/{len(marks)} ({shares[2] / m:.0%})"
        )
        print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("capture", help="fit once and save the theme tables' inputs")
    c.add_argument("corpus", choices=["20ng", "agnews"])
    c.add_argument("--per-label", type=int, default=60)
    c.add_argument("--n-themes", type=int, default=None)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--corpora", type=Path, default=HERE.parent.parent / "shared" / "corpora")
    c.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score", help="rebuild the labels with this code and score them")
    s.add_argument("pickle", type=Path)
    s.add_argument(
        "--lda-label-words",
        choices=["characteristic", "shown"],
        default=None,
        help="the LDA view's label_words (default: as captured)",
    )
    args = p.parse_args(argv)
    return capture(args) if args.command == "capture" else score(args)


if __name__ == "__main__":
    raise SystemExit(main())
