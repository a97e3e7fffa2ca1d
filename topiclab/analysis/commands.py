"""Subcommands over a saved run: ``reduce``, ``search``, ``assign``, ``over-time``, ``by``.

:func:`add_commands` adds them to the ``topiclab`` parser; each is a thin wrapper over
:mod:`topiclab.analysis`.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["add_commands", "add_run_options"]


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Add the options of the derived tables to ``topiclab run`` (and figures/report)."""
    p.add_argument(
        "--date-field",
        help="document column with the dates for themes over time (default: date, or a "
        "published-like field of csv/jsonl/parquet inputs)",
    )
    p.add_argument(
        "--time-bin",
        choices=["auto", "day", "week", "month", "quarter", "year"],
        help="period of themes over time (default: auto, from the date range)",
    )
    p.add_argument(
        "--by",
        action="append",
        metavar="COLUMN",
        help="make themes_by_COLUMN.parquet: theme shares per value of a document column "
        "(source, lang, a metadata field); repeatable",
    )
    p.add_argument(
        "--choose-k",
        metavar="RANGE",
        help="choose the numbers of themes and topics from RANGE (e.g. 3:12) by coherence, "
        "diversity and stability together; --n-themes/--n-topics override the choice",
    )
    p.add_argument(
        "--choose-k-seeds",
        type=int,
        default=3,
        metavar="N",
        help="seeds per K when choosing K (default 3)",
    )
    p.add_argument(
        "--stability",
        type=int,
        metavar="N",
        help="fit N seeds and report pairwise ARI and each theme's reappearance; "
        "themes that come back in fewer than half the runs are marked [unstable]",
    )


def config_changes(args: argparse.Namespace) -> dict:
    """Return the RunConfig fields set by :func:`add_run_options`."""
    changes: dict = {}
    if getattr(args, "date_field", None):
        changes["date_field"] = args.date_field
    if getattr(args, "time_bin", None):
        changes["time_bin"] = args.time_bin
    if getattr(args, "by", None):
        changes["by"] = tuple(args.by)
    if getattr(args, "stability", None) is not None:
        changes["stability"] = args.stability
    return changes


def choose_k_for_run(corpus: Any, config: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    """Check ``--by`` and apply ``--choose-k`` before the fit.

    Returns the config to run and a function (None without ``--choose-k``) that records
    the curves in the result's ``run_metrics["k_selection"]`` and the ``k_selection``
    table. A ``--by`` column the corpus does not have fails here, before any fitting.
    """
    from topiclab.errors import AnalysisError

    missing = [c for c in config.by if c not in corpus.documents.columns]
    if missing:
        raise AnalysisError(
            f"--by {missing[0]!r}: no such document column "
            f"(columns: {sorted(map(str, corpus.documents.columns))})"
        )
    spec = getattr(args, "choose_k", None)
    if not spec:
        return config, None
    from topiclab.analysis.kselect import choose_k, k_selection_analysis, parse_k_range

    curves = choose_k(
        corpus,
        config,
        parse_k_range(spec),
        n_seeds=args.choose_k_seeds,
        progress=config.progress,
    )
    used = {
        "embedding": config.n_themes or curves.get("embedding", {}).get("chosen"),
        "lda": config.n_topics or curves.get("lda", {}).get("chosen"),
    }
    for name, _field, given in (
        ("embedding", "n_themes", config.n_themes),
        ("lda", "n_topics", config.n_topics),
    ):
        if name in curves:
            curves[name]["used"] = used[name]
            curves[name]["overridden"] = given is not None
            logger.info(
                "%s: K=%s chosen from %s, %s used", name, curves[name]["chosen"], spec, used[name]
            )
    config = config.replace(n_themes=used["embedding"], n_topics=used["lda"])

    def add(result: Any) -> Any:
        analyses = dict(result.analyses)
        a = k_selection_analysis(curves, used)
        analyses[a.name] = a
        run_metrics = {**result.run_metrics, "k_selection": curves}
        return result.replace(analyses=analyses, run_metrics=run_metrics)

    return config, add


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``reduce``, ``search`` and ``assign`` to the subcommands of ``topiclab``."""
    p = sub.add_parser("reduce", help="merge the themes of a run along the theme tree")
    p.add_argument("run", type=Path, help="a saved run folder")
    p.add_argument("--n-themes", type=int, required=True, help="themes to keep")
    p.add_argument("--out", type=Path, required=True, help="the new run folder")
    p.add_argument("--no-figures", action="store_true", help="do not render figures")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.set_defaults(func=_cmd_reduce)

    p = sub.add_parser("search", help="the themes of a run closest to a query")
    p.add_argument("run", type=Path, help="a saved run folder")
    p.add_argument("query", help="free text, e.g. 'battery storage for the grid'")
    p.add_argument("--top-n", type=int, default=5, help="themes to list (default 5)")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("assign", help="assign new articles to the themes of a saved run (no refit)")
    p.add_argument("run", type=Path, help="a saved run folder")
    p.add_argument("new_path", type=Path, help="new files or a folder of them")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--text-column", default="text", help="text column of structured inputs")
    p.add_argument("--skip-bad", action="store_true", help="skip unreadable files")
    p.set_defaults(func=_cmd_assign)


def _cmd_reduce(args: argparse.Namespace) -> int:
    from topiclab.analysis.hierarchy import reduce_themes
    from topiclab.storage.runs import load, save_run

    model = load(args.run)
    before = len(model.result.themes)
    reduced = reduce_themes(model.result, args.n_themes, model)
    reduced.meta["reduced_from"] = {"run": str(args.run), "n_themes": before}
    save_run(
        args.out,
        reduced,
        model,
        figures=not args.no_figures,
        report=not args.no_report,
        command=args.command_line,
    )
    for t in reduced.themes:
        merged = reduced.views["embedding"].metrics["merged_from"][str(t.id)]
        print(f"[{t.id}] {t.label}  ({t.size} passages; from themes {merged})")
    print(f"\n{before} -> {len(reduced.themes)} themes; wrote {args.out}")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from topiclab.analysis.search import find_themes
    from topiclab.storage.runs import load

    model = load(args.run)
    hits = find_themes(model, args.query, top_n=args.top_n)
    for row in hits.itertuples(index=False):
        print(f"{row.similarity:6.3f}  [{row.theme}] {row.label}")
    return 0


def _cmd_assign(args: argparse.Namespace) -> int:
    from topiclab.analysis.assign import assign_new, save_assignment
    from topiclab.storage.runs import load

    model = load(args.run)
    a = assign_new(
        model,
        args.new_path,
        text_column=args.text_column,
        skip_bad=args.skip_bad,
        progress=not args.quiet,
    )
    out = save_assignment(a, args.out)
    counts = a.documents["theme_label"].value_counts()
    for label, n in counts.items():
        print(f"{n:5d}  {label}")
    info = a.info
    print(
        f"\n{info['n_documents']} documents, {info['n_passages']} passages; "
        f"{info['n_new_passages']} passages and {info['n_new_documents']} documents fit no "
        f"theme (distance > {info['threshold']:.3f})"
    )
    if info["new_terms"]:
        print("new material talks about: " + ", ".join(info["new_terms"]))
    print(f"Wrote {out}")
    return 0
