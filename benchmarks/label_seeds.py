"""How often a theme's label names its article's subject on the bundled corpus, per seed.

The check of ``tests/test_labels.py::test_seed_labels_name_their_subjects`` (which runs
seed 0 only) at several seeds: for every theme of each view, the subject is the
hand-written subject name (``SEED_SUBJECTS`` in that test) of the document holding most
of the theme's passages, and the label names it when they share a content word
(:func:`topiclab.themes.labels.label_names`). Prints the share per view and seed with
every label.

Run: ``python benchmarks/label_seeds.py --seeds 0 1 2``.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _subjects() -> object:
    spec = importlib.util.spec_from_file_location(
        "seed_subjects", ROOT / "tests" / "test_labels.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._subject


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument(
        "--min-contrast",
        type=float,
        default=None,
        help="label words' minimum contrast (default: the library's; 0: rule off)",
    )
    args = p.parse_args(argv)

    from topiclab.config import RunConfig
    from topiclab.themes import characteristic

    if args.min_contrast is not None:  # for measuring the rule against its absence
        characteristic.MIN_CONTRAST = args.min_contrast
    from topiclab.ingest import load
    from topiclab.pipeline import run
    from topiclab.themes.labels import label_names

    subject_of = _subjects()
    corpus = load(ROOT / "corpus")
    docs = corpus.documents.set_index("doc_id")
    for seed in args.seeds:
        t0, c0 = time.perf_counter(), time.process_time()
        result, _model = run(corpus, RunConfig(seed=seed, progress=False))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        p_ = result.passages
        for name in ("embedding", "lda"):
            view = result.views[name]
            hits, lines = [], []
            for theme in view.table:
                members = p_[p_[view.column] == theme.id]
                if members.empty:
                    continue
                doc = members["doc_id"].value_counts().index[0]
                title = docs.loc[doc, "title"]
                head = title if isinstance(title, str) and title else str(docs.loc[doc, "text"])
                subject = subject_of(head[:300])
                hit = label_names(theme.label, subject)
                hits.append(hit)
                lines.append(
                    f"  {'+' if hit else '-'} [{theme.id}] {theme.label}  "
                    f"({len(members)} passages) <- {subject}"
                )
            share = sum(hits) / max(len(hits), 1)
            print(
                f"seed {seed} {name}: {sum(hits)} of {len(hits)} labels name their subject "
                f"({share:.0%}); run {wall:.0f} s wall, {cpu:.0f} s CPU"
            )
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
