"""Compare label placement for the passage and intertopic maps: textalloc vs adjustText.

Draws seeded synthetic maps (5 and 50 themes of 20 points each, labels of theme-title
length), places one label per theme with each library and counts what a reader would
see: pairs of labels that overlap, points hidden under a label, and the time taken.

Run: ``python benchmarks/label_placement.py`` (prints a table; saved output in
``benchmarks/results/label_placement.txt``).
"""

from __future__ import annotations

import resource
import time

import numpy as np

WORDS = (
    "energy storage system battery grid trade visit canada china steel motor space "
    "hockey baseball windows graphics medicine encryption religion guns middle east"
).split()


def _scene(n_themes: int, seed: int):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(n_themes, 2))
    pts = np.concatenate([c + rng.normal(0, 0.9, size=(20, 2)) for c in centres])
    labels = []
    for i in range(n_themes):
        words = rng.choice(WORDS, size=rng.integers(2, 5), replace=False)
        labels.append(f"{i}: " + " ".join(words).capitalize())
    return centres, pts, labels


def _figure(pts):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 7))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.scatter(pts[:, 0], pts[:, 1], s=12)
    ax.margins(0.08)
    return fig, ax


def _textalloc(ax, centres, pts, labels, fontsize):
    from topiclab.outputs.plotting import place_labels

    return place_labels(
        ax,
        centres[:, 0],
        centres[:, 1],
        labels,
        points_x=pts[:, 0],
        points_y=pts[:, 1],
        fontsize=fontsize,
    )


def _adjusttext(ax, centres, pts, labels, fontsize):
    from adjustText import adjust_text

    texts = [ax.text(x, y, s, fontsize=fontsize) for (x, y), s in zip(centres, labels, strict=True)]
    adjust_text(
        texts,
        x=pts[:, 0],
        y=pts[:, 1],
        ax=ax,
        arrowprops={"arrowstyle": "-", "color": "#777777", "lw": 0.6},
    )
    return texts


def main() -> None:
    from topiclab.outputs.plotting import label_overlaps, wrap_text

    print("label placement: 20 points per theme, seeds 0-2, mean per map")
    print(
        f"{'themes':>6} {'method':<11} {'label pairs':>11} {'points hidden':>13} "
        f"{'wall s':>7} {'cpu s':>6}"
    )
    for n in (5, 50):
        fontsize = 8 if n <= 20 else 6
        for name, method in (("textalloc", _textalloc), ("adjustText", _adjusttext)):
            pairs, hidden, wall, cpu = [], [], [], []
            for seed in range(3):
                centres, pts, labels = _scene(n, seed)
                labels = [wrap_text(s, 24 if n <= 20 else 18, 3) for s in labels]
                fig, ax = _figure(pts)
                t0, c0 = time.perf_counter(), time.process_time()
                texts = method(ax, centres, pts, labels, fontsize)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                fig.canvas.draw()
                m = label_overlaps(ax, texts, pts[:, 0], pts[:, 1])
                pairs.append(m["label_pairs"])
                hidden.append(m["points_covered"])
            print(
                f"{n:>6} {name:<11} {np.mean(pairs):>11.1f} {np.mean(hidden):>13.1f} "
                f"{np.mean(wall):>7.2f} {np.mean(cpu):>6.2f}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
