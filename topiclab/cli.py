"""The ``topiclab`` command line: thin wrappers over the library, no modelling here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from topiclab import __version__, paths

log = logging.getLogger("topiclab")


def _setup_logging(verbosity: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbosity > 0 else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
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
        help="column holding the text in csv/jsonl/parquet inputs (default: text)",
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
        skip_bad=args.skip_bad,
        progress=not args.quiet,
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
    for name in ("seed", "n_themes", "n_topics", "lang_mode", "embedding_model", "cluster_method"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if args.guided:
        changes["guided"] = tuple(GuidedTheme.parse(g) for g in args.guided)
    if args.quiet:
        changes["progress"] = False
    return base.replace(**changes)


def _cmd_run(args: argparse.Namespace) -> int:
    from topiclab.ingest import load
    from topiclab.persist import save_run
    from topiclab.pipeline import run

    config = _config_from_args(args)
    corpus = load(
        args.path or paths.default_corpus(),
        text_column=args.text_column,
        skip_bad=args.skip_bad,
        progress=config.progress,
    )
    result, model = run(corpus, config)
    out = save_run(args.out, result, model)
    print(result.summary())
    print(f"\nWrote {out}")
    return 0


class _pandas_display:
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context("display.width", 160, "display.max_colwidth", 60)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``topiclab`` command."""
    parser = argparse.ArgumentParser(
        prog="topiclab",
        description="Find and interpret themes in collections of news articles.",
    )
    parser.add_argument("--version", action="version", version=f"topiclab {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings only, no progress")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read, clean and segment articles into a corpus")
    _add_input_options(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "run", help="the main job: ingest, vectorise, LDA + embedding themes, metrics, outputs"
    )
    _add_input_options(p)
    p.add_argument("--out", type=Path, default=paths.default_run(), help="run folder")
    p.add_argument("--config", type=Path, help="TOML file with run parameters")
    p.add_argument("--seed", type=int, help="random seed (default 0)")
    p.add_argument("--n-themes", type=int, help="number of embedding themes (default: auto)")
    p.add_argument("--n-topics", type=int, help="number of LDA topics (default: auto)")
    p.add_argument(
        "--lang-mode",
        choices=["auto", "en", "multilingual"],
        help="auto: multilingual embeddings when the corpus holds more than one language",
    )
    p.add_argument("--embedding-model", help="sentence-transformers model name or local path")
    p.add_argument("--cluster-method", choices=["auto", "hdbscan", "kmeans"])
    p.add_argument(
        "--guided",
        action="append",
        metavar="'NAME: WORD, WORD'",
        help="a seed theme to steer towards (repeatable)",
    )
    p.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``topiclab`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _setup_logging(args.verbose, args.quiet)
    from topiclab.config import ConfigError
    from topiclab.corpus import CorpusError
    from topiclab.ingest.errors import IngestError

    try:
        return int(args.func(args) or 0)
    except (
        IngestError,
        ConfigError,
        CorpusError,
        FileNotFoundError,
        NotADirectoryError,
        PermissionError,
    ) as exc:
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
