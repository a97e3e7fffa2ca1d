"""Figures: registry, rendering, determinism, multilingual text and the manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topiclab.config import RunConfig
from topiclab.outputs.fonts import display_text, has_arabic, native_bidi, setup_fonts, truncate
from topiclab.themes import RunResult, Theme, ThemeTable

pytest.importorskip("matplotlib")

SCRIPT_TITLE = "<script>alert(1)</script> costs $5 and $10 ^_^"

# theme -> {lang: [terms]}; theme 3 has only Arabic passages (so an Arabic label)
_THEME_TERMS = {
    0: {
        "en": ["energy_storage", "battery", "grid", "lithium", "capacity", "charging"],
        "zh": ["储能", "电池", "电网", "锂电池", "容量"],
    },
    1: {
        "en": ["solar_power", "solar", "panels", "desert", "megawatt"],
        "ar": ["الطاقة_الشمسية", "الطاقة", "الشمسية", "محطة", "ميغاواط"],
    },
    2: {
        "en": ["trade", "tariffs", "exports", "economy", "growth"],
        "ar": ["التجارة", "الرسوم", "الصادرات", "الاقتصاد"],
        "zh": ["贸易", "关税", "出口", "经济增长"],
    },
    3: {"ar": ["المياه", "الجفاف", "الزراعة", "الأمطار"]},
}
_TEXTS = {
    "en": "Battery storage and the grid; tariffs on exports; solar panels in the desert.",
    "ar": "الطاقة الشمسية في الصحراء والمياه والزراعة والتجارة.",
    "zh": "储能电池与电网，贸易关税与出口，经济增长。",
}
_TITLES = {
    "en": "Grid-scale batteries cut costs for utilities across the region this year",
    "ar": "محطة جديدة للطاقة الشمسية في الصحراء تنتج مئات الميغاواط",
    "zh": "中国储能电池出口创新高",
}


def _theme(tid: int, terms: dict[str, list[str]], sizes: dict[str, int], label: str) -> Theme:
    weighted = {
        lang: [(t, round(1.0 / (i + 1), 4)) for i, t in enumerate(words)]
        for lang, words in terms.items()
    }
    pooled = sorted((tw for v in weighted.values() for tw in v), key=lambda tw: (-tw[1], tw[0]))
    weighted["all"] = pooled[:10]
    coherence = {"npmi": 0.05 * (tid + 1) - 0.1, "c_v": 0.3 + 0.1 * tid}
    if tid == 3:
        coherence = {"npmi": float("nan"), "c_v": 0.42}
    return Theme(
        id=tid,
        label=label,
        size=sum(sizes.values()),
        terms=weighted,
        languages=sizes,
        coherence=coherence,
    )


def make_result(seed: int = 0) -> RunResult:
    """A small run with English, Arabic and Chinese passages, titles and terms."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 6.0], [7.0, 7.0]])
    rows, docs = [], []
    doc_langs = ["en", "ar", "zh", "en", "ar", "zh", "en", "ar", "zh", "en", "ar", "en"]
    for d, lang in enumerate(doc_langs):
        title = _TITLES[lang] + f" ({d})"
        if d == 11:
            title = SCRIPT_TITLE
        docs.append({"doc_id": f"d{d:02d}", "title": title, "lang": lang, "source": "test"})
        themes = [d % 3, 3] if lang == "ar" else [d % 3]
        for j in range(6):
            theme = themes[j % len(themes)]
            if lang == "en" and theme == 3:
                theme = 0
            x, y = centres[theme] + rng.normal(0, 0.8, 2)
            rows.append(
                {
                    "passage_id": f"d{d:02d}-p{j}",
                    "doc_id": f"d{d:02d}",
                    "lang": lang,
                    "text": _TEXTS[lang],
                    "theme": theme,
                    "theme_score": 0.9,
                    "lda_topic": (theme + j) % 3,
                    "x": x,
                    "y": y,
                }
            )
    passages = pd.DataFrame(rows)
    documents = pd.DataFrame(docs)
    labels = {
        0: "energy storage · battery · grid",
        1: "solar power · panels · desert",
        2: "trade · tariffs · exports",
        3: "المياه · الجفاف · الزراعة",
    }
    themes = []
    for tid, terms in _THEME_TERMS.items():
        sub = passages[passages["theme"] == tid]
        sizes = {str(k): int(v) for k, v in sub["lang"].value_counts().sort_index().items()}
        themes.append(_theme(tid, terms, sizes, labels[tid]))
    lda_terms = {
        0: {"en": ["battery", "storage", "grid"], "zh": ["储能", "电池"], "ar": ["الطاقة"]},
        1: {"en": ["solar", "desert"], "ar": ["الشمسية", "محطة"], "zh": ["光伏"]},
        2: {"en": ["trade", "tariffs"], "zh": ["贸易", "关税"], "ar": ["التجارة"]},
    }
    topics = []
    for tid, terms in lda_terms.items():
        sub = passages[passages["lda_topic"] == tid]
        sizes = {str(k): int(v) for k, v in sub["lang"].value_counts().sort_index().items()}
        t = _theme(tid, terms, sizes, "")
        t.terms = {"all": t.terms["all"]}
        t.label = " · ".join(w for w, _ in t.terms["all"][:3])
        topics.append(t)
    passages["theme_label"] = passages["theme"].map(labels)
    passages["lda_label"] = passages["lda_topic"].map({t.id: t.label for t in topics})

    def mixture(col: str, k: int) -> pd.DataFrame:
        counts = pd.crosstab(passages["doc_id"], passages[col]).reindex(
            index=documents["doc_id"], columns=range(k), fill_value=0
        )
        return counts.div(counts.sum(axis=1), axis=0).fillna(0.0)

    metrics = {
        "embedding": {
            "n_themes": 4,
            "npmi": 0.04,
            "c_v": 0.45,
            "diversity": 0.93,
            "silhouette": 0.31,
            "outlier_share": 0.0,
        },
        "lda": {"n_themes": 3, "npmi": -0.02, "c_v": 0.38, "diversity": 0.8},
    }
    config = RunConfig(seed=7).to_dict()
    return RunResult(
        config=config,
        documents=documents,
        passages=passages,
        themes=ThemeTable("embedding", themes),
        topics=ThemeTable("lda", topics),
        doc_themes=mixture("theme", 4),
        doc_topics=mixture("lda_topic", 3),
        metrics=metrics,
        meta={
            "corpus_fingerprint": "fp-synthetic-0001",
            "seeds": {"map": 1},
            "embedding_model": "test-model",
        },
    )


@pytest.fixture(scope="module")
def result() -> RunResult:
    return make_result()


@pytest.fixture(scope="module")
def rendered(result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every figure rendered once (PNG and SVG), glyph warnings recorded beside it."""
    from topiclab.outputs.figures import render_all

    out = tmp_path_factory.mktemp("figs")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_all(result, out, command="pytest render")
    (out / "warnings.txt").write_text("\n".join(str(w.message) for w in caught), "utf-8")
    return out


# ----------------------------------------------------------------------------- fonts
def test_display_text_reshapes_arabic_and_keeps_english() -> None:
    arabic = "الطاقة الشمسية"
    shown = display_text(arabic)
    assert shown != arabic
    forms = [c for c in shown if not c.isspace()]
    assert forms and all(
        unicodedata.name(c).startswith("ARABIC LETTER") and "FORM" in unicodedata.name(c)
        for c in forms
    )
    for s in ("battery storage", "储能电池", "$5 <b>", ""):
        assert display_text(s) == s
    assert display_text(None) == ""
    assert display_text(float("nan")) == ""


def test_display_text_orders_arabic_for_the_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    from topiclab.outputs import fonts

    text = "سلام 2024"
    monkeypatch.setattr(fonts, "native_bidi", lambda: True)
    # matplotlib >= 3.11 applies the bidi algorithm itself: logical order is kept
    native = fonts.display_text(text)
    assert native.startswith(fonts.display_text("سلام"))
    labelled = fonts.display_text("3: سلام", ltr=True)
    assert labelled.startswith("\u200e3: ") and has_arabic(labelled)
    monkeypatch.setattr(fonts, "native_bidi", lambda: False)
    visual = fonts.display_text(text)
    assert visual.startswith("2024") and visual != native
    assert fonts.display_text("3: سلام", ltr=True).startswith("3: ")
    assert fonts.display_text("3: سلام").endswith(":3")


def test_truncate_and_has_arabic() -> None:
    assert truncate("energy storage grid", 8) == "energy …"
    assert truncate("short", 8) == "short"
    assert len(display_text("العنوان الطويل جدا للمقالة", max_len=10)) == 10
    assert has_arabic("مرحبا") and has_arabic(display_text("مرحبا"))
    assert not has_arabic("储能 battery")


def test_fonts_have_arabic_and_cjk_glyphs() -> None:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    families = setup_fonts()
    assert families[0] == "DejaVu Sans" and len(families) == 3
    fonts = [FT2Font(font_manager.findfont(f, fallback_to_default=False)) for f in families[1:]]
    charmaps = [set(f.get_charmap()) for f in fonts]
    assert any(ord("ش") in cm and ord("ﺷ") in cm for cm in charmaps)
    assert any(all(ord(c) in cm for c in "储能电池贸易关税") for cm in charmaps)


def test_arabic_renders_like_matplotlib_own_shaping() -> None:
    """The reshaped label draws exactly as the raw string; a pre-reordered one does not."""
    if not native_bidi():
        pytest.skip("matplotlib < 3.11 does not shape text itself")
    from bidi.algorithm import get_display
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from topiclab.outputs.fonts import rc_params

    def pixels(s: str) -> np.ndarray:
        import matplotlib as mpl

        with mpl.rc_context(rc_params()):
            fig = Figure(figsize=(3, 0.6), dpi=80)
            fig.text(0.05, 0.3, s, fontsize=14)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            return np.asarray(canvas.buffer_rgba()).copy()

    raw = "الطاقة الشمسية"
    assert np.array_equal(pixels(display_text(raw)), pixels(raw))
    assert not np.array_equal(pixels(get_display(display_text(raw))), pixels(raw))


# --------------------------------------------------------------------------- figures
def test_registry_names_files_and_functions() -> None:
    from topiclab.outputs.figures import FIGURES

    expected = {
        "passage_map",
        "theme_terms",
        "doc_theme_heatmap",
        "theme_sizes",
        "lda_topic_words",
        "intertopic_distance",
        "theme_dendrogram",
        "theme_quality",
    }
    assert expected <= set(FIGURES)
    stems = [stem for _f, stem in FIGURES.values()]
    assert len(set(stems)) == len(stems)
    assert all(callable(f) and f.__name__.startswith("fig_") for f, _s in FIGURES.values())


@pytest.mark.parametrize(
    "name",
    [
        "passage_map",
        "theme_terms",
        "doc_theme_heatmap",
        "theme_sizes",
        "lda_topic_words",
        "intertopic_distance",
        "theme_dendrogram",
        "theme_quality",
    ],
)
def test_each_figure_returns_a_drawn_figure(result: RunResult, name: str) -> None:
    from matplotlib.figure import Figure

    from topiclab.outputs.figures import FIGURES

    fig = FIGURES[name][0](result)
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.axison]
    assert axes
    assert any(ax.has_data() for ax in axes)


def test_figures_draw_into_a_given_axes(result: RunResult) -> None:
    from matplotlib.figure import Figure

    from topiclab.outputs import plot_themes

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_themes.fig_theme_sizes(result, ax=ax) is fig
    assert next(t.get_text() for t in ax.get_yticklabels()).startswith("0: energy")
    lda = plot_themes.fig_theme_sizes(result, view="lda")
    assert lda.get_axes()[0].get_title().startswith("LDA")


def test_passage_map_labels_every_theme(result: RunResult) -> None:
    from topiclab.outputs.plot_themes import fig_passage_map

    fig = fig_passage_map(result)
    ax = fig.get_axes()[0]
    texts = [t.get_text().lstrip("\u200e\u200f") for t in ax.texts]
    for theme in result.themes:
        assert any(t.startswith(f"{theme.id}: ") for t in texts)
    legend_labels = {
        t.get_text()
        for lg in ax.findobj(lambda a: hasattr(a, "get_texts"))
        for t in getattr(lg, "get_texts", list)()
    }
    assert "Arabic" in legend_labels and "Chinese" in legend_labels


def test_theme_terms_has_panels_only_for_languages_a_theme_has(result: RunResult) -> None:
    from topiclab.outputs.plot_terms import fig_theme_terms
    from topiclab.outputs.plotting import LANGUAGE_NAMES

    fig = fig_theme_terms(result)
    ticklabels = {t.get_text() for ax in fig.get_axes() for t in ax.get_yticklabels()}
    assert "贸易" in ticklabels and "energy storage" in ticklabels
    assert display_text("الطاقة الشمسية") in ticklabels
    # theme 0 has Chinese terms but no Chinese passages: no Chinese panel, so no 储能
    assert "储能" not in ticklabels
    themes = sorted(result.themes, key=lambda t: t.id)
    assert len(fig.subfigs) == len(themes)
    for subfig, theme in zip(fig.subfigs, themes, strict=True):
        shown = [ax.get_title(loc="left") for ax in subfig.get_axes() if ax.axison]
        own = [lang for lang in theme.languages if theme.terms.get(lang)]
        assert len(shown) == len(own) + (1 if len(own) > 1 else 0), (theme.id, shown)
        for lang, name in LANGUAGE_NAMES.items():
            if lang not in ("all", *own):
                assert not any(t.startswith(name) for t in shown), (theme.id, shown)
        assert not any("no " in t for t in shown)


def test_term_bars_are_in_the_order_of_their_length(result: RunResult) -> None:
    from topiclab.outputs.plot_terms import fig_lda_topic_words, fig_theme_terms

    for fig in (fig_theme_terms(result), fig_lda_topic_words(result)):
        for ax in fig.get_axes():
            widths = [bar.get_width() for bar in ax.patches]
            if len(widths) > 1:
                # bars top to bottom (the y axis is inverted) never grow
                assert widths == sorted(widths, reverse=True)


def test_heatmap_rows_are_titles_and_keep_markup_literal(result: RunResult) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from topiclab.outputs.plot_themes import fig_doc_theme_heatmap

    fig = fig_doc_theme_heatmap(result)
    FigureCanvasAgg(fig).draw()
    labels = fig.get_axes()[0].get_yticklabels()
    texts = [t.get_text() for t in labels]
    assert len(texts) == len(result.documents)
    script = [t for t in labels if t.get_text().startswith("<script>")]
    assert script and not script[0].get_parse_math() and not script[0].get_usetex()
    assert any(has_arabic(t) for t in texts) and any("储能" in t for t in texts)
    assert all(len(t) <= 45 for t in texts)
    assert fig_doc_theme_heatmap(result, max_docs=5).get_axes()[0].get_yticklabels().__len__() == 5


def test_intertopic_distances_are_metric_and_deterministic(result: RunResult) -> None:
    from topiclab.outputs.plot_terms import classical_mds, term_distances, theme_distances

    d = theme_distances(result)
    assert d.shape == (4, 4)
    assert np.allclose(d, d.T) and np.allclose(np.diag(d), 0) and (d >= 0).all()
    t = term_distances(result.themes)
    assert 0 < t[0, 3] <= 1.0  # theme 3 shares no term with theme 0
    a, b = classical_mds(d), classical_mds(d.copy())
    assert a.shape == (4, 2) and np.array_equal(a, b)
    assert np.ptp(a[:, 0]) > 0


def test_dendrogram_leaves_are_theme_labels(result: RunResult) -> None:
    from topiclab.outputs.plot_terms import fig_theme_dendrogram

    ax = fig_theme_dendrogram(result).get_axes()[0]
    leaves = {t.get_text() for t in ax.get_yticklabels()}
    assert len(leaves) == 4
    assert any(x.startswith("2: trade") for x in leaves)


def test_quality_shows_both_views_and_diversity(result: RunResult) -> None:
    from topiclab.outputs.plot_themes import fig_theme_quality

    fig = fig_theme_quality(result)
    axes = fig.get_axes()
    assert [ax.get_title() for ax in axes] == ["Embedding themes", "LDA topics"]
    notes = " ".join(t.get_text() for ax in axes for t in ax.texts)
    assert "diversity: 0.930" in notes and "diversity: 0.800" in notes
    assert "n/a" in notes  # theme 3 has no NPMI


def test_empty_views_still_give_a_figure(result: RunResult) -> None:

    from topiclab.outputs.figures import FIGURES

    empty = result.replace(
        themes=ThemeTable("embedding", []),
        topics=ThemeTable("lda", []),
        passages=result.passages.iloc[0:0],
        doc_themes=result.doc_themes.iloc[:, 0:0],
        doc_topics=result.doc_topics.iloc[:, 0:0],
    )
    for func, _stem in FIGURES.values():
        fig = func(empty)
        assert fig.get_axes()


# ------------------------------------------------------------------------- rendering
def test_render_all_writes_files_and_manifest(result: RunResult, rendered: Path) -> None:
    from topiclab.outputs.figures import FIGURES

    manifest = json.loads((rendered / "manifest.json").read_text("utf-8"))
    files = manifest["files"]
    drawn = set(FIGURES) - set(ANALYSIS_FIGURES)  # the run has no derived tables
    assert len(files) == 2 * len(drawn)
    assert {e["figure"] for e in files} == drawn
    expected_hash = RunConfig.from_dict(result.config).hash()
    import matplotlib

    for entry in files:
        data = (rendered / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["config_hash"] == expected_hash
        assert entry["seed"] == 7
        assert entry["corpus_fingerprint"] == "fp-synthetic-0001"
        assert entry["command"] == "pytest render"
        assert entry["matplotlib_version"] == matplotlib.__version__
    png = (rendered / "passage_map.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    svg = (rendered / "theme_terms.svg").read_text("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<dc:date>" not in svg
    assert not list(rendered.glob(".*.tmp"))


def test_rendering_emits_no_missing_glyph_warning(rendered: Path) -> None:
    text = (rendered / "warnings.txt").read_text("utf-8")
    assert "missing from font" not in text
    assert "Glyph" not in text


def test_glyph_warning_capture_works() -> None:
    """A glyph no bundled font has does warn, so the test above can fail."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    fig.text(0.1, 0.5, "\U0001f643", family=list(setup_fonts()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        FigureCanvasAgg(fig).draw()
    assert any("missing from font" in str(w.message) for w in caught)


def test_rerender_is_byte_identical(result: RunResult, rendered: Path, tmp_path: Path) -> None:
    from topiclab.outputs.figures import render_all

    paths = render_all(result, tmp_path, command="pytest render")
    assert paths[-1].name == "manifest.json"
    for path in paths:
        assert path.read_bytes() == (rendered / path.name).read_bytes(), path.name


def test_render_subset_keeps_other_manifest_entries(result: RunResult, tmp_path: Path) -> None:
    from topiclab.outputs.figures import render_all

    render_all(result, tmp_path, formats=("png",), names=["theme_sizes", "theme_quality"])
    render_all(result, tmp_path, formats=("png",), names=["theme_sizes"])
    files = json.loads((tmp_path / "manifest.json").read_text("utf-8"))["files"]
    assert [e["file"] for e in files] == ["theme_sizes.png", "theme_quality.png"]
    with pytest.raises(ValueError, match="unknown figures"):
        render_all(result, tmp_path, names=["nope"])
    with pytest.raises(ValueError, match="formats"):
        render_all(result, tmp_path, formats=("bmp",))


def test_render_logs_bad_config_hash(result: RunResult, tmp_path: Path, caplog) -> None:

    from topiclab.outputs.figures import render_all

    bad = result.replace(config={"seed": 3, "nonsense": 1})
    with caplog.at_level(logging.WARNING, logger="topiclab.outputs.figures"):
        render_all(bad, tmp_path, formats=("png",), names=["theme_sizes"])
    entry = json.loads((tmp_path / "manifest.json").read_text("utf-8"))["files"][0]
    assert entry["config_hash"] is None and entry["seed"] == 3
    assert "configuration" in caplog.text


def test_imports_do_not_load_matplotlib() -> None:
    code = (
        "import sys, topiclab, topiclab.outputs.figures, topiclab.outputs.plot_themes,"
        " topiclab.outputs.plot_terms, topiclab.outputs.plotting, topiclab.outputs.registry,"
        " topiclab.outputs.fonts; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_passage_map_draws_outliers_in_grey(result: RunResult) -> None:

    from matplotlib.colors import to_hex

    from topiclab.outputs.plot_themes import fig_passage_map

    passages = result.passages.copy()
    passages.loc[passages.index[:5], "theme"] = -1
    fig = fig_passage_map(result.replace(passages=passages))
    ax = fig.get_axes()[0]
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()] + [
        t.get_text() for a in ax.artists for t in getattr(a, "get_texts", list)()
    ]
    assert "outliers" in legend_texts
    greys = [c for c in ax.collections if to_hex(c.get_facecolor()[0]) == "#b0b0b0"]
    assert greys and sum(len(c.get_offsets()) for c in greys) == 5
    assert not any(t.get_text().startswith("outliers") for t in ax.texts)


def test_figures_leave_global_rcparams_alone(result: RunResult) -> None:
    import matplotlib as mpl

    from topiclab.outputs.plot_themes import fig_theme_sizes

    before = dict(mpl.rcParams)
    fig_theme_sizes(result)
    assert dict(mpl.rcParams) == before


# -------------------------------------------------------------------------- registry
FIGURE_ORDER = [
    "passage_map",
    "theme_terms",
    "doc_theme_heatmap",
    "theme_sizes",
    "lda_topic_words",
    "intertopic_distance",
    "theme_dendrogram",
    "theme_quality",
]
#: Figures of the derived tables, drawn only for runs that have them.
ANALYSIS_FIGURES = ["themes_over_time", "themes_by_class", "stability", "k_selection"]


def _extra_view(result: RunResult) -> RunResult:
    """``result`` with a third view, "extra", copied from the LDA topics."""
    from topiclab.themes import View

    table = ThemeTable("extra", [Theme.from_dict(t.to_dict()) for t in result.topics])
    for t in table:
        t.coherence = {"npmi": 0.2, "c_v": 0.6}
    extra = View.builtin("extra", table, result.doc_topics.copy(), {"diversity": 0.5})
    return result.replace(views={**result.views, "extra": extra})


def test_registry_order_and_stems_are_unchanged() -> None:
    from topiclab.outputs.figures import FIGURES
    from topiclab.outputs.registry import figure_specs

    assert list(FIGURES) == FIGURE_ORDER + ANALYSIS_FIGURES
    assert [stem for _f, stem in FIGURES.values()] == FIGURE_ORDER + ANALYSIS_FIGURES
    specs = {s.name: s for s in figure_specs()}
    assert specs["lda_topic_words"].view == "lda"
    assert specs["theme_quality"].view is None
    assert specs["passage_map"].view == "embedding"


def test_figures_are_registered_where_they_are_defined() -> None:
    from topiclab.outputs import plot_analysis, plot_terms, plot_themes
    from topiclab.outputs.figures import FIGURES

    modules = {m.__name__: m for m in (plot_analysis, plot_terms, plot_themes)}
    for name, (func, _stem) in FIGURES.items():
        module = modules[func.__module__]
        assert getattr(module, func.__name__) is func, name
    # importing the figure modules, and nothing else, fills the registry in order
    code = (
        "import topiclab.outputs.registry as r; print(list(r.FIGURES));"
        "import topiclab.outputs.plot_terms; print(list(r.FIGURES));"
        "import topiclab.outputs.plot_themes; print(','.join(r.FIGURES))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, terms_only, after = out.stdout.split("\n")[:3]
    assert before == "[]"
    assert terms_only == str(
        ["theme_terms", "lda_topic_words", "intertopic_distance", "theme_dendrogram"]
    )
    assert after.split(",") == FIGURE_ORDER


def test_register_figure_keeps_the_order_and_refuses_clashes() -> None:
    from topiclab.outputs.registry import FIGURES, register_figure, unregister_figure

    def fig_late(result: RunResult) -> None:
        return None

    def fig_early(result: RunResult) -> None:
        return None

    try:
        register_figure("zz_late", order=1000)(fig_late)
        assert register_figure("aa_early", order=0, stem="early")(fig_early) is fig_early
        names = list(FIGURES)
        assert names[0] == "aa_early" and names[-1] == "zz_late"
        assert FIGURES["aa_early"] == (fig_early, "early")
        with pytest.raises(ValueError, match="already registered"):
            register_figure("aa_early", order=5)(fig_late)
        with pytest.raises(ValueError, match="stem"):
            register_figure("other", order=5, stem="passage_map")(fig_late)
    finally:
        unregister_figure("zz_late")
        unregister_figure("aa_early")
    assert list(FIGURES) == FIGURE_ORDER + ANALYSIS_FIGURES


def test_render_all_skips_figures_of_missing_views(result: RunResult, tmp_path: Path) -> None:
    from topiclab.outputs.figures import render_all

    render_all(result, tmp_path, formats=("png",), names=["lda_topic_words", "theme_sizes"])
    assert (tmp_path / "lda_topic_words.png").is_file()
    no_lda = result.replace(views={"embedding": result.views["embedding"]})
    paths = render_all(no_lda, tmp_path, formats=("png",))
    files = json.loads((tmp_path / "manifest.json").read_text("utf-8"))["files"]
    assert [e["figure"] for e in files] == [n for n in FIGURE_ORDER if n != "lda_topic_words"]
    assert tmp_path / "lda_topic_words.png" not in paths
    assert not (tmp_path / "lda_topic_words.png").exists()  # no file of another run left
    # asked for by name, it is skipped too, not an error
    render_all(no_lda, tmp_path, formats=("png",), names=["lda_topic_words"])
    files = json.loads((tmp_path / "manifest.json").read_text("utf-8"))["files"]
    assert "lda_topic_words" not in {e["figure"] for e in files}
    assert len(files) == len(FIGURE_ORDER) - 1


def test_render_all_passes_the_declared_view(result: RunResult, tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from topiclab.outputs.figures import render_all
    from topiclab.outputs.registry import register_figure, unregister_figure

    seen: list[str] = []

    def fig_probe(result: RunResult, *, view: str = "embedding") -> Figure:
        seen.append(view)
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().plot([0, 1])
        return fig

    register_figure("probe_extra", order=999, view="extra")(fig_probe)
    register_figure("probe_nowhere", order=999, view="nowhere")(fig_probe)
    try:
        render_all(_extra_view(result), tmp_path, formats=("png",), names=["probe_extra"])
        render_all(result, tmp_path, formats=("png",), names=["probe_nowhere"])
    finally:
        unregister_figure("probe_extra")
        unregister_figure("probe_nowhere")
    assert seen == ["extra"]
    assert (tmp_path / "probe_extra.png").is_file()
    assert not (tmp_path / "probe_nowhere.png").exists()


def test_view_lookup_names_the_available_views(result: RunResult) -> None:
    from topiclab.outputs.plot_terms import fig_theme_terms
    from topiclab.outputs.plotting import view_mixture, view_table

    assert view_table(result, "lda") is result.topics
    assert view_mixture(result, "embedding") is result.doc_themes
    extra = _extra_view(result)
    assert len(view_table(extra, "extra")) == len(result.topics)
    for call in (
        lambda: view_table(result, "nope"),
        lambda: view_mixture(result, "nope"),
        lambda: fig_theme_terms(result, view="nope"),
    ):
        with pytest.raises(ValueError, match=r"no view 'nope'.*\['embedding', 'lda'\]"):
            call()


def test_figures_draw_any_view(result: RunResult) -> None:
    from topiclab.outputs import plot_terms, plot_themes

    extra = _extra_view(result)
    assert plot_themes.fig_theme_sizes(extra, view="extra").get_axes()[0].get_title() == (
        "Extra: passages per theme, by language"
    )
    title = plot_terms.fig_lda_topic_words(extra, view="extra").get_suptitle()
    assert title == "Extra: top words (3 topics)"
    assert plot_terms.theme_distances(extra, "extra").shape == (3, 3)
    fig = plot_themes.fig_passage_map(extra, view="lda")
    ax = fig.get_axes()[0]
    assert ax.get_title() == f"Passages by theme ({len(result.passages)} passages, 3 themes)"


def test_quality_has_a_panel_per_view(result: RunResult) -> None:
    from topiclab.outputs.plot_themes import fig_theme_quality

    fig = fig_theme_quality(_extra_view(result))
    axes = fig.get_axes()
    assert [ax.get_title() for ax in axes] == ["Embedding themes", "LDA topics", "Extra"]
    assert "diversity: 0.500" in " ".join(t.get_text() for t in axes[2].texts)
    assert fig.get_figwidth() == pytest.approx(19.5)
    lone = fig_theme_quality(result.replace(views={"lda": result.views["lda"]}))
    assert [ax.get_title() for ax in lone.get_axes()] == ["LDA topics"]
    none = fig_theme_quality(result.replace(views={}))
    assert [t.get_text() for t in none.get_axes()[0].texts] == ["no views"]


def test_lda_panel_title_is_in_the_language_of_its_bars():
    """A cross-lingual topic whose top words are Arabic is titled with its Arabic label."""
    from topiclab.outputs.plot_terms import _label_in_script_of
    from topiclab.themes.result import Theme

    arabic = [("تويوتا", 0.03), ("شركة", 0.02), ("لكزس", 0.01)]
    english = [("power", 0.03), ("grid", 0.02), ("storage", 0.01)]
    labels = {"en": "Grid-connected power", "ar": "تويوتا وشركة لكزس"}
    topic = Theme(0, "Grid-connected power", 5, {"all": arabic}, {"en": 3, "ar": 2}, labels=labels)
    assert _label_in_script_of(topic, arabic).label == labels["ar"]
    mixed = Theme(1, "Grid-connected power", 5, {"all": english}, {"en": 3, "ar": 2}, labels=labels)
    assert _label_in_script_of(mixed, english).label == "Grid-connected power"
    single = Theme(2, "Toyota", 5, {"all": arabic}, {"ar": 5})
    assert _label_in_script_of(single, arabic).label == "Toyota"
