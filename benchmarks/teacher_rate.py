"""How fast each embedding model reads real corpora: texts/s and characters/s, no cache.

Fast mode's choices rest on these rates: whether a corpus is small enough for a model to
embed every passage (:data:`topiclab.pipeline.speed.FAST_MULTILINGUAL_WHOLE_CHARS`) and
what the teacher's sample costs. Short news items (``multilingual_news``) and long forum
posts (20 Newsgroups, headers, footers and quotes removed) are read, each by every model,
after a warm-up batch; the embedding cache is switched off.

Usage::

    python benchmarks/teacher_rate.py
    python benchmarks/teacher_rate.py --models minilm use-multilingual --news 4000 --posts 800
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from end_to_end import load_corpus  # noqa: E402

from topiclab.features.embed import SentenceEmbedder  # noqa: E402

WARMUP = 20


def rate(model: str, texts: list[str]) -> dict[str, float]:
    """Embed ``texts`` after a warm-up batch; return the wall time and rates."""
    emb = SentenceEmbedder(model, cache=False, progress=False).fit()
    emb.transform(texts[:WARMUP])
    timed = texts[WARMUP:]
    t0, c0 = time.perf_counter(), time.process_time()
    emb.transform(timed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    chars = sum(len(t) for t in timed)
    return {
        "texts": len(timed),
        "wall": wall,
        "cpu": cpu,
        "texts_s": len(timed) / wall,
        "chars_s": chars / wall,
        "mean_chars": chars / len(timed),
    }


def main(argv: list[str] | None = None) -> int:
    """Print one row per corpus and model."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["minilm", "use-multilingual", "use-static"])
    ap.add_argument("--news", type=int, default=4000, help="multilingual_news items")
    ap.add_argument("--posts", type=int, default=800, help="20 Newsgroups posts")
    ap.add_argument("--seed", type=int, default=7, help="which items (shuffle seed)")
    args = ap.parse_args(argv)
    print(f"{os.cpu_count()} CPUs; warm-up {WARMUP} texts, then timed; no embedding cache")
    print(
        f"{'corpus':<14}{'model':<20}{'texts':>7}{'wall s':>8}{'CPU s':>8}"
        f"{'texts/s':>9}{'chars/s':>10}{'chars/text':>11}"
    )
    for corpus, n in (("multilingual", args.news), ("20ng", args.posts)):
        texts, _labels, _langs = load_corpus(corpus, n + WARMUP, args.seed)
        for model in args.models:
            r = rate(model, texts)
            print(
                f"{corpus:<14}{model:<20}{r['texts']:>7}{r['wall']:>8.2f}{r['cpu']:>8.2f}"
                f"{r['texts_s']:>9.0f}{r['chars_s']:>10.0f}{r['mean_chars']:>11.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
