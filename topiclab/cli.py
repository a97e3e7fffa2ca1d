"""The ``topiclab`` command line: thin wrappers over the library, no modelling here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from topiclab import __version__, paths

logger = logging.getLogger("topiclab")


class _OnceFilter(logging.Filter):
    """Let each warning (same logger, same text) through once per command."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.getMessage())
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def _setup_logging(verbosity: int, quiet: bool) -> None:
    # quiet by default: warnings and errors; -v for progress (INFO), -vv for DEBUG
    level = logging.WARNING
    if not quiet and verbosity == 1:
        level = logging.INFO
    elif not quiet and verbosity > 1:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_OnceFilter())
    root = logging.getLogger("topiclab")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _add_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="file or folder to read (default: the bundled corpus/)",
    )
    p.add_argument(
        "--text-column",
        default="text",
        help="column holding the text in csv/jsonl/parquet inputs",
    )
    p.add_argument(
        "--id-column",
        default="id",
        help="column holding each record's id in csv/jsonl/parquet inputs (used when present)",
    )
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip unreadable files and malformed records with a warning instead of failing",
    )


def _cmd_ingest(args: argparse.Namespace) -> int:
    from topiclab.ingest import load

    corpus = load(
        args.path or paths.default_corpus(),
        text_column=args.text_column,
        id_column=args.id_column or None,
        skip_bad=args.skip_bad,
        progress=args.verbose > 0 and not args.quiet,
    )
    out = corpus.to_dir(args.out)
    summary = corpus.summary()
    with _pandas_display():
        print(summary.to_string(index=False))
    print(
        f"\n{len(corpus)} documents, {len(corpus.passages)} passages, "
        f"languages {corpus.languages()}, {len(corpus.log)} cleaning records -> {out}"
    )
    return 0


def _config_from_args(args: argparse.Namespace):
    from topiclab.config import GuidedTheme, RunConfig

    base = RunConfig.from_toml(args.config) if args.config else RunConfig()
    changes = {}
    for name in (
        "seed",
        "n_themes",
        "n_topics",
        "lang_mode",
        "embedding_model",
        "cluster_method",
        "cluster_neighbors",
        "layout_sample",
        "speed",
        "precision",
        "n_jobs",
    ):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "context_weight", None) is not None:
        changes["context_weight"] = args.context_weight
    if getattr(args, "keep_outliers", False):
        changes["reassign_outliers"] = False
    if getattr(args, "no_sections", False):
        changes["sections"] = False
    if getattr(args, "language_themes", False):
        changes["language_themes"] = True
    if args.guided:
        changes["guided"] = tuple(GuidedTheme.parse(g) for g in args.guided)
    if args.quiet or not args.verbose:
        changes["progress"] = False  # progress bars with -v (long work shows them anyway)
    from topiclab.analysis.commands import config_changes

    changes.update(config_changes(args))
    return base.replace(**changes)


def _command_line(argv: Sequence[str] | None) -> str:
    import shlex

    words = list(sys.argv[1:] if argv is None else argv)
    return " ".join(["topiclab", *(shlex.quote(w) for w in words)])


def _fit_run(args: argparse.Namespace):
    if getattr(args, "engine", "memory") == "spark":
        return _fit_spark(args)
    _refuse_spark_options(args)
    import time

    from topiclab.ingest import load
    from topiclab.pipeline import run
    from topiclab.storage.atomic import input_hashes

    config = _config_from_args(args)
    source = args.path or paths.default_corpus()
    t0 = time.perf_counter()
    corpus = load(
        source,
        text_column=args.text_column,
        id_column=args.id_column or None,
        skip_bad=args.skip_bad,
        progress=config.progress,
        n_jobs=config.n_jobs,
    )
    ingest_s = time.perf_counter() - t0
    from topiclab.analysis.commands import choose_k_for_run

    config, k_choice = choose_k_for_run(corpus, config, args)
    result, model = run(corpus, config)
    timings = result.meta.setdefault("timings", {})
    timings["ingest_s"] = ingest_s  # read and cleaned here, before the pipeline
    timings["total_s"] = float(timings.get("total_s", 0.0)) + ingest_s
    result.meta["inputs"] = _read_inputs(input_hashes(source), corpus)
    if k_choice is not None:
        result = k_choice(result)
    return result, model


def _read_inputs(hashes: dict[str, str], corpus: Any) -> dict[str, str]:
    """Keep the hashes of the files the corpus was read from (not a folder's README)."""
    import re

    names = set(corpus.documents["source_file"].astype(str))
    names |= {str(e.get("file")) for e in corpus.log if e.get("file")}
    files = {re.sub(r":\d+$", "", n) for n in names}
    kept = {k: v for k, v in hashes.items() if k in files}
    return kept or hashes


def _fit_spark(args: argparse.Namespace):
    """Run on Spark: ingest with Spark's readers, the Spark stages, the same outputs."""
    from topiclab.engines.spark import SparkOptions, run_spark
    from topiclab.storage.atomic import input_hashes

    config = _config_from_args(args)
    if getattr(args, "choose_k", None):
        from topiclab.errors import ConfigError

        raise ConfigError("--choose-k is not supported with --engine spark; give --n-themes")
    source = args.path or paths.default_corpus()
    options = SparkOptions(
        master=args.spark_master,
        sample_size=args.spark_sample_size,
        lda_optimizer=args.spark_lda_optimizer or SparkOptions.lda_optimizer,
    )
    result, model = run_spark(
        str(source),
        config,
        options=options,
        text_column=args.text_column,
        id_column=args.id_column or None,
    )
    if "://" not in str(source):
        result.meta["inputs"] = input_hashes(source)
    return result, model


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("engine")
    g.add_argument(
        "--engine",
        choices=["memory", "spark"],
        default="memory",
        help="run in this process (memory) or on Apache Spark (needs topiclab[spark] and Java)",
    )
    g.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master: local[*], spark://host:7077, yarn (default: spark-submit's or local[*])",
    )
    g.add_argument(
        "--spark-sample-size",
        type=int,
        default=20_000,
        metavar="N",
        help="passages sampled to the driver for phrases, the reducer, scores and the map",
    )
    g.add_argument(
        "--spark-lda-optimizer",
        choices=["em", "online"],
        help="MLlib LDA optimizer: em (EM with the in-memory sampler's priors) or online "
        "(variational mini-batches: cheaper on very large corpora, less coherent topics) "
        "(default: em)",
    )


def _refuse_spark_options(args: argparse.Namespace) -> None:
    """Reject an option of the Spark engine given without ``--engine spark``."""
    if getattr(args, "spark_lda_optimizer", None) is not None:
        from topiclab.errors import ConfigError

        raise ConfigError(
            "--spark-lda-optimizer applies to the Spark engine only; add --engine spark "
            "or leave the option out"
        )


def _cmd_run(args: argparse.Namespace) -> int:
    from topiclab.storage.runs import save_run

    result, model = _fit_run(args)
    out = save_run(
        args.out,
        result,
        model,
        figures=not args.no_figures,
        report=not args.no_report,
        command=args.command_line,
    )
    print(result.summary())
    extras = [] if args.no_figures else ["figures/"]
    extras += [] if args.no_report else ["report.html"]
    print(f"\nWrote {out}" + (f" (with {', '.join(extras)})" if extras else ""))
    if not args.no_report:
        logger.info("report: %s", Path(out) / "report.html")
    return 0


def _load_run_result(run_dir: Path | None, args: argparse.Namespace):
    """Return the result of a saved run, or of a fresh run on the input when no run is given."""
    if run_dir is not None:
        from topiclab.storage.runs import load_result

        return load_result(run_dir)
    result, _model = _fit_run(args)
    return result


def _cmd_figures(args: argparse.Namespace) -> int:
    from topiclab.outputs.figures import render_all

    result = _load_run_result(args.run, args)
    files = render_all(result, args.out, command=args.command_line)
    print(f"Wrote {len(files)} files and manifest.json to {args.out}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from topiclab.outputs.report import write_report

    result = _load_run_result(args.run, args)
    path = write_report(result, args.output)
    print(f"Wrote {path}")
    return 0


def _at_least_one(text: str) -> int:
    """Parse an integer of at least 1 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default, except where there is none to show."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default in (None, False) or "%(default)" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="TOML file with run parameters")
    p.add_argument("--seed", type=int, help="random seed (default: 0)")
    p.add_argument(
        "--n-themes", type=_at_least_one, help="number of embedding themes (default: chosen)"
    )
    p.add_argument("--n-topics", type=_at_least_one, help="number of LDA topics (default: chosen)")
    p.add_argument(
        "--lang-mode",
        choices=["auto", "en", "multilingual"],
        help="auto: multilingual embeddings when the corpus holds more than one language "
        "(default: auto)",
    )
    p.add_argument(
        "--embedding-model",
        help="a built-in name (minilm, use-multilingual, minilm-static, use-static, "
        "e5-multilingual) or a sentence-transformers model name or local path",
    )
    p.add_argument(
        "--cluster-method",
        choices=["auto", "hdbscan", "kmeans"],
        help="clustering of the embeddings (default: auto)",
    )
    p.add_argument(
        "--cluster-neighbors",
        type=int,
        metavar="N",
        help="UMAP neighbours of the reduction the themes are clustered in (default: "
        "a tenth of the passages less 50, from 15 to 100, with KMeans; 15 with HDBSCAN; "
        "the map keeps 15)",
    )
    p.add_argument(
        "--layout-sample",
        type=int,
        metavar="N",
        help="fit the clustering's UMAP layout on about N passages (chosen by a hash of "
        "their ids) and place the others from their nearest sample passages; the Spark "
        "engine uses the same sample; 0 lays out every passage (default: the speed mode's, "
        "5000 in fast mode, 20000 otherwise)",
    )
    p.add_argument(
        "--speed",
        choices=["fast", "balanced", "best"],
        help="fast: the transformer on a 2%% sample of the passages and the others mapped "
        "into its space, documents of up to 400 words whole, a shorter LDA search; "
        "balanced: the transformer on every passage, documents of up to 200 words whole; "
        "best: the full pipeline (default: chosen by corpus size, logged)",
    )
    p.add_argument(
        "--precision",
        choices=["auto", "float32"],
        help="precision of the transformer's forward passes: auto uses float16 on CUDA "
        "and bfloat16 on a CPU that multiplies it in hardware (AMX or AVX-512 BF16; "
        "about 2.6 times as fast, vectors within cosine 0.9999); float32 everywhere "
        "(default: auto)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        dest="n_jobs",
        type=int,
        metavar="N",
        help="stages fitted at the same time (the LDA view in a worker process beside the "
        "embedding view); 1: one after another, -1: all cores; the results are the same "
        "(default: the machine's cores for 2,000 passages or more)",
    )
    p.add_argument(
        "--context-weight",
        type=float,
        help="weight of a passage's article in its embedding before clustering (default: 0.5)",
    )
    p.add_argument(
        "--keep-outliers",
        action="store_true",
        help="leave HDBSCAN outliers unassigned (theme -1) instead of giving them a theme",
    )
    p.add_argument(
        "--no-sections",
        action="store_true",
        help="do not give themes a news section (Sport, Politics, ...) before their label",
    )
    p.add_argument(
        "--language-themes",
        action="store_true",
        help="allow themes made of one minority language only",
    )
    p.add_argument(
        "--guided",
        action="append",
        metavar="'NAME: WORD, WORD'",
        help="a seed theme to steer towards (repeatable)",
    )
    from topiclab.analysis.commands import add_run_options

    add_run_options(p)


class _pandas_display:
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context("display.width", 160, "display.max_colwidth", 60)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``topiclab`` command."""
    parser = argparse.ArgumentParser(
        prog="topiclab",
        description="Find and interpret themes in collections of news articles.",
    )
    parser.add_argument("--version", action="version", version=f"topiclab {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="-v: progress (INFO), -vv: DEBUG"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings only, no progress")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        help="read, clean and segment articles into a corpus",
        formatter_class=_HelpFormatter,
    )
    _add_input_options(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "run",
        help="the main job: ingest, vectorise, LDA + embedding themes, metrics, outputs",
        formatter_class=_HelpFormatter,
    )
    _add_input_options(p)
    p.add_argument("--out", type=Path, default=paths.default_run(), help="run folder")
    _add_run_options(p)
    _add_engine_options(p)
    p.add_argument("--no-figures", action="store_true", help="do not render figures")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "figures",
        help="render every figure of a run with a manifest (fresh run without --run)",
        formatter_class=_HelpFormatter,
    )
    _add_input_options(p)
    _add_run_options(p)
    p.add_argument("--run", type=Path, help="a saved run folder (default: run on PATH now)")
    p.add_argument("--out", type=Path, default=paths.default_figures(), help="figure folder")
    p.set_defaults(func=_cmd_figures)

    p = sub.add_parser(
        "report",
        help="write the self-contained HTML report of a run",
        formatter_class=_HelpFormatter,
    )
    _add_input_options(p)
    _add_run_options(p)
    p.add_argument("--run", type=Path, help="a saved run folder (default: run on PATH now)")
    p.add_argument(
        "-o", "--output", type=Path, default=Path("report.html"), help="HTML file to write"
    )
    p.set_defaults(func=_cmd_report)

    from topiclab.analysis.commands import add_commands

    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``topiclab`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _setup_logging(args.verbose, args.quiet)
    args.command_line = _command_line(argv)
    from topiclab.errors import TopiclabError

    try:
        return int(args.func(args) or 0)
    except (TopiclabError, FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        logger.error("%s", exc)
        return 1
    except OSError as exc:  # a full disk, a read-only output folder, ...
        logger.error("cannot read or write: %s", exc)
        return 1
    except KeyboardInterrupt:
        logger.error("interrupted")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
