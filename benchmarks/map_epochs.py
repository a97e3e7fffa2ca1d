"""The passage map of all fitted 20 Newsgroups passages at 500 and at 200 UMAP epochs.

Runs fast mode on the fitted half of 20 Newsgroups up to the embedding view's passage
vectors (``fast_reduction.passage_vectors``), lays out the map on a 5,000-passage sample
(fast mode's ``layout_sample``) with each epoch count, and prints the seconds and the
silhouette of the newsgroups in the map (5,000 passages drawn with seed 0); ``--png``
draws both maps side by side, coloured by newsgroup::

    PYTHONPATH=. TOPICLAB_CACHE=... python benchmarks/map_epochs.py --png map_epochs.png
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from end_to_end import load_corpus
from fast_reduction import passage_vectors


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, nargs="+", default=[500, 200])
    p.add_argument("--png", default=None)
    args = p.parse_args(argv)
    from sklearn.metrics import silhouette_score

    from topiclab.ingest import make_doc_id
    from topiclab.models.reduce import reduce_2d

    texts, labels, _ = load_corpus("20ng", None, 0)
    half = len(texts) // 2
    got = passage_vectors(texts[:half], 20, 0, None)
    X = np.asarray(got["X"], dtype=np.float32)
    label_of = {make_doc_id(f"text:{i}", 0): labels[i] for i in range(half)}
    y = np.asarray([label_of.get(d, "?") for d in got["doc_ids"]])
    reduce_2d(X[:300], random_state=0)  # numba's kernels loaded before timing
    print(f"20 Newsgroups, fitted half: {len(X)} passages, map laid out on a 5,000 sample")
    maps = {}
    for epochs in args.epochs:
        t = time.perf_counter()
        xy = reduce_2d(
            X, random_state=0, layout_sample=5000, sample_keys=got["keys"], n_epochs=epochs
        )
        wall = time.perf_counter() - t
        pick = np.random.default_rng(0).choice(len(xy), 5000, replace=False)
        sil = silhouette_score(xy[pick], y[pick])
        maps[epochs] = (xy, wall, sil)
        print(f"  {epochs} epochs: {wall:.1f} s, newsgroup silhouette {sil:.3f}", flush=True)
    if args.png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        codes = {c: i for i, c in enumerate(sorted(set(y)))}
        fig, axes = plt.subplots(1, len(maps), figsize=(8 * len(maps), 8))
        for ax, (epochs, (xy, wall, sil)) in zip(np.atleast_1d(axes), maps.items(), strict=True):
            ax.scatter(xy[:, 0], xy[:, 1], c=[codes[v] for v in y], s=1, cmap="tab20")
            ax.set_title(f"{epochs} epochs: {wall:.1f} s, newsgroup silhouette {sil:.3f}")
        fig.savefig(args.png, dpi=70)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
