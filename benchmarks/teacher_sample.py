"""Fast mode's English teacher sample: random passages against the shortest ones.

Fast mode embeds English passages with :class:`topiclab.features.adapted.AdaptedEmbedder`:
MiniLM on a seeded random 2 % of the distinct passages, the rest mapped. Each variant here
runs ``TopicLab(speed="fast")`` end to end (ingest included, K=20, seed 0) with one
embedder and prints wall and CPU time, the texts MiniLM read, the embed stage's time and
the label ARI of the documents' themes:

* ``random``: fast mode's default embedder (random 2 %, 200 to 2,000 passages);
* ``short<p>``: a random 0.2 % (20 to 200 passages), then the shortest passages until
  ``p`` % of the distinct passages' characters are read (``sample_chars=p/100``).

Corpora: ``20ng``, the first half of the seeded shuffle of 20 Newsgroups (headers,
footers and quotes removed), and ``huffpost-agnews``, the 10,000 HuffPost items of
``dated_news`` with the 7,586 AG News items of ``multilingual_news`` (labels prefixed by
their source). Every variant runs in its own child process with an embedding cache
holding only the distilled static models (copied from ``--static-cache``), so every
passage is embedded in the run.

Usage::

    python benchmarks/teacher_sample.py --corpus 20ng --variants random short1 short2
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import CORPORA, load_corpus


def corpus(name: str) -> tuple[list[str], list[str]]:
    """Texts and labels of a benchmark corpus."""
    if name == "20ng":
        texts, labels, _ = load_corpus("20ng", None, 0)
        half = len(texts) // 2
        return texts[:half], labels[:half]
    rows = [
        json.loads(x)
        for x in gzip.open(
            CORPORA / "dated_news" / "huffpost_news_category_2018_2022.jsonl.gz", "rt"
        )
    ]
    with gzip.open(CORPORA / "multilingual_news" / "docs.jsonl.gz", "rt") as fh:
        rows += [r for r in map(json.loads, fh) if r["source"] == "agnews_test"]
    return [r["text"] for r in rows], [f"{r['source']}:{r['label']}" for r in rows]


def child(name: str, variant: str) -> dict:
    """Fit fast mode with one embedder; return its numbers."""
    from sklearn.metrics import adjusted_rand_score

    import topiclab
    from topiclab.features.adapted import AdaptedEmbedder

    texts, labels = corpus(name)
    embedder = None
    if variant.startswith("short"):
        embedder = AdaptedEmbedder(
            sample_fraction=0.002,
            min_sample=20,
            max_sample=200,
            sample_chars=float(variant[5:]) / 100,
            progress=False,
        )
    t0, c0 = time.perf_counter(), time.process_time()
    tl = topiclab.TopicLab(
        n_themes=20,
        n_topics=20,
        speed="fast",
        lang_mode="en",
        random_state=0,
        embedder=embedder,
    ).fit(texts)
    wall = time.perf_counter() - t0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    docs = tl.result_.documents.drop_duplicates("source_file")
    theme = dict(zip(docs["source_file"], docs["theme"], strict=True))
    pred = [theme.get(f"text:{i}", -1) for i in range(len(texts))]
    keep = [i for i, p in enumerate(pred) if p != -1]
    emb = tl.result_.meta["embedding_model"]
    return {
        "wall": wall,
        "cpu": time.process_time() - c0 + kids.ru_utime + kids.ru_stime,
        "ari": adjusted_rand_score([labels[i] for i in keep], [pred[i] for i in keep]),
        "sampled": emb.split(" adapted on ")[-1].split(" sampled")[0],
        "embed_s": tl.result_.meta["timings"].get("embed_s", 0.0),
        "docs": len(texts),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["20ng", "huffpost-agnews"], default="20ng")
    p.add_argument("--variants", nargs="+", default=["random", "short1", "short2"])
    p.add_argument(
        "--static-cache",
        type=Path,
        default=Path(os.environ.get("TOPICLAB_CACHE", Path.home() / ".cache" / "topiclab")),
        help="cache folder whose static-models/ are copied for every variant",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.corpus, args.child)))
        return 0
    print(f"corpus {args.corpus}; fast mode, K=20, seed 0; 2 CPUs; every passage embedded")
    print(
        f"{'variant':10s} {'docs':>6s} {'wall s':>7s} {'CPU s':>7s} {'embed s':>8s} "
        f"{'MiniLM read':>12s} {'ARI':>6s}"
    )
    for variant in args.variants:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(args.static_cache / "static-models", Path(tmp) / "static-models")
            env = {**os.environ, "TOPICLAB_CACHE": tmp}
            out = subprocess.run(
                [sys.executable, __file__, "--corpus", args.corpus, "--child", variant],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{variant:10s} {r['docs']:6d} {r['wall']:7.1f} {r['cpu']:7.1f} "
            f"{r['embed_s']:8.1f} {r['sampled']:>12s} {r['ari']:6.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
