"""What a user reads: CLI words and defaults, ids from the input, predictions, label placement."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from topiclab import cli


def test_n_themes_error_in_cli_words(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--n-themes", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--n-themes: must be at least 1" in err
    assert "n_themes must be" not in err


def test_run_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: text)" in out and "(default: id)" in out
    assert "(default: None)" not in out


def test_each_warning_is_logged_once(capsys):
    root = logging.getLogger("topiclab")
    saved = (root.handlers[:], root.level, root.propagate)
    try:
        cli._setup_logging(0, False)
        log = logging.getLogger("topiclab.test")
        log.info("hidden by default")
        log.warning("unsupported file x.doc")
        log.warning("unsupported file x.doc")
        err = capsys.readouterr().err
    finally:
        root.handlers[:], root.level, root.propagate = saved[0], saved[1], saved[2]
    assert err.count("unsupported file x.doc") == 1
    assert "hidden by default" not in err


def test_id_column_names_the_documents(tmp_path):
    from topiclab.ingest import load

    text = "Battery storage plants are being built across the region. " * 8
    path = tmp_path / "extra.csv"
    path.write_text(f'id,text\nart-7,"{text}"\nart-9,"{text.replace("Battery", "Solar")}"\n')
    corpus = load(path, dedupe=False)
    assert sorted(corpus.documents["doc_id"]) == ["art-7", "art-9"]
    other = load(path, dedupe=False, id_column=None)
    assert not set(other.documents["doc_id"]) & {"art-7", "art-9"}


def test_predictions_frame_explains_each_text():
    from topiclab.themes import Theme, ThemeTable
    from topiclab.themes.predictions import predictions_frame

    table = ThemeTable(
        "embedding",
        [Theme(i, f"Label {i}", 1, {}, {}) for i in range(3)],
    )
    frame = predictions_frame(np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]), table)
    assert frame["theme"].tolist() == [1, 0]
    assert frame["label"].tolist() == ["Label 1", "Label 0"]
    assert frame["score"].tolist() == [0.7, 0.5]
    assert frame["second"].tolist() == [2, 2]


def test_labels_beside_points_do_not_overlap():
    pytest.importorskip("textalloc")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from topiclab.outputs.plotting import label_overlaps, place_labels

    rng = np.random.default_rng(0)
    centres = rng.uniform(-10, 10, size=(8, 2))
    pts = np.concatenate([c + rng.normal(0, 0.8, size=(15, 2)) for c in centres])
    fig = Figure(figsize=(8, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.scatter(pts[:, 0], pts[:, 1], s=10)
    ax.margins(0.1)
    texts = place_labels(
        ax,
        centres[:, 0],
        centres[:, 1],
        [f"{i}: Energy storage and grid" for i in range(8)],
        points_x=pts[:, 0],
        points_y=pts[:, 1],
    )
    fig.canvas.draw()
    measured = label_overlaps(ax, texts, pts[:, 0], pts[:, 1])
    assert len(texts) == 8
    assert measured["label_pairs"] == 0
    assert measured["points_covered"] <= 0.1 * len(pts)
