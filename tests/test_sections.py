"""News sections of themes: the rule, the stage, the stored form and a real model."""

from __future__ import annotations

import numpy as np
import pytest

from topiclab.themes import Theme, ThemeTable
from topiclab.themes.sections import (
    NEWS_SECTIONS,
    assign_sections,
    section_vectors,
    theme_centroids,
)


def test_a_theme_takes_a_section_only_when_it_is_clearly_the_closest():
    names = ["Sport", "Politics", "Health", "Weather", "Religion", "Labour"]
    sections = np.eye(6)
    centroids = np.array(
        [
            [0.9, 0.2, 0.1, 0.0, 0.0, 0.0],  # clearly sport
            [0.6, 0.59, 0.0, 0.0, 0.0, 0.0],  # sport and politics alike: no section
            [0.5, 0.4, 0.3, 0.2, 0.1, 0.0],  # close to everything a little: no section
        ]
    )
    found = assign_sections(centroids, sections, names)
    assert [s for s, _ in found] == ["Sport", "", ""]
    # the best similarity is reported whether or not a section was given
    assert found[1][1] == pytest.approx(0.71, abs=0.01)
    # the rule is in units of the theme's spread of similarities: scaling them changes
    # nothing (models differ in their similarity scales)
    flat = np.c_[np.full((3, 6), 1.0), 0.05 * centroids]
    assert [s for s, _ in assign_sections(flat, np.c_[np.zeros((6, 6)), sections], names)] == [
        s for s, _ in found
    ]
    with pytest.raises(ValueError, match="2 section names for 6"):
        assign_sections(centroids, sections, names[:2])


def test_the_sections_rule_has_two_thresholds():
    names = [f"s{i}" for i in range(10)]
    close_second = np.array([[0.9, 0.75] + [0.0] * 8])  # far above the rest, near s1
    assert assign_sections(close_second, np.eye(10), names)[0][0] == ""
    assert assign_sections(close_second, np.eye(10), names, min_margin=0.0)[0][0] == "s0"
    assert assign_sections(close_second, np.eye(10), names, min_margin=0.0, min_z=3.0)[0][0] == ""


def test_theme_centroids_weight_passages_by_membership():
    embeddings = np.array([[2.0, 0.0], [0.0, 3.0], [0.0, 1.0]])
    hard = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    c = theme_centroids(embeddings, hard)
    np.testing.assert_allclose(c, [[1.0, 0.0], [0.0, 1.0]])  # passages normalised first
    soft = np.array([[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]])
    c = theme_centroids(embeddings, soft)
    np.testing.assert_allclose(c[0], np.array([1.0, 1.0]) / np.sqrt(2))
    assert c[1, 1] > c[1, 0] > 0  # the second theme leans to the vertical passages
    # a theme without passages is a zero row, not NaN
    empty = theme_centroids(embeddings, np.c_[hard, np.zeros(3)])
    assert np.all(empty[2] == 0)
    # sparse membership, and rows taken in blocks, give the same vectors
    import scipy.sparse as sp

    import topiclab.themes.sections as sections_module

    rng = np.random.default_rng(0)
    many = rng.normal(size=(50, 4))
    labels = rng.integers(0, 3, size=50)
    onehot = np.eye(3)[labels]
    whole = theme_centroids(many, onehot)
    sections_module.CHUNK_ROWS, saved = 7, sections_module.CHUNK_ROWS
    try:
        np.testing.assert_allclose(theme_centroids(many, sp.csr_matrix(onehot)), whole)
    finally:
        sections_module.CHUNK_ROWS = saved


def test_sections_are_stored_and_shown_with_the_label():
    theme = Theme(id=0, label="Red Sox and ninth inning", size=3, terms={}, languages={})
    assert theme.heading == theme.label  # no section: the label alone
    theme.section, theme.section_score = "Sport", 0.31
    assert theme.heading == "Sport: Red Sox and ninth inning"
    back = ThemeTable.from_dict(ThemeTable("embedding", [theme]).to_dict())
    assert back[0].section == "Sport" and back[0].section_score == pytest.approx(0.31)
    assert ThemeTable("embedding", [theme]).to_frame()["section"].tolist() == ["Sport"]
    # a table written before sections existed still loads
    data = ThemeTable("embedding", [theme]).to_dict()
    for t in data["themes"]:
        del t["section"], t["section_score"]
    old = ThemeTable.from_dict(data)
    assert old[0].section == "" and old[0].section_score is None


@pytest.mark.slow
def test_seed_run_themes_have_known_sections_or_none(seed_run):
    result, _model = seed_run
    for view in result.views.values():
        for theme in view.table:
            assert theme.section in ("", *NEWS_SECTIONS), theme.section
            assert theme.section_score is not None
            assert -1.0 <= theme.section_score <= 1.0
    assert any(t.section for v in result.views.values() for t in v.table)
    assert "section" in result.views["embedding"].table.to_frame()


@pytest.mark.slow
def test_sections_can_be_turned_off(seed_corpus):
    from topiclab.config import RunConfig
    from topiclab.pipeline import run

    result, _model = run(seed_corpus, RunConfig(seed=0, progress=False, sections=False))
    assert all(t.section == "" for v in result.views.values() for t in v.table)


@pytest.mark.slow
def test_minilm_puts_plain_news_themes_in_their_sections():
    from topiclab.features.embed import SentenceEmbedder

    embedder = SentenceEmbedder("minilm", progress=False).fit()
    themes = {
        "Sport": [
            "The striker scored twice as the home side won the cup final.",
            "The tennis champion lost in the second round of the open.",
        ],
        "Health": [
            "Doctors warn that flu cases are filling hospital wards this winter.",
            "A new drug cut the risk of heart attacks in a large clinical trial.",
        ],
        "Politics": [
            "The opposition party won the parliamentary election by a wide margin.",
            "The prime minister reshuffled the cabinet after the vote.",
        ],
    }
    texts = [t for group in themes.values() for t in group]
    membership = np.kron(np.eye(3), np.ones((2, 1)))
    centroids = theme_centroids(embedder.transform(texts), membership)
    found = assign_sections(centroids, section_vectors(embedder), list(NEWS_SECTIONS))
    assert [s for s, _ in found] == list(themes)


@pytest.mark.slow
def test_political_headlines_are_politics_with_the_prompt_ensemble():
    """US political headlines full of "slam", "attacks" and "blasts": the description of
    Politics alone leaves them without a section; the three prompts find it."""
    from topiclab.features.embed import SentenceEmbedder

    embedder = SentenceEmbedder("minilm", progress=False).fit()
    texts = [
        "GOP Senators Slam Democrats Over Spending Bill Republicans said the vote was a betrayal.",
        "Trump Attacks Pelosi In Fiery Rally Speech The former president lashed out at House "
        "Democrats.",
        "Mitch McConnell Blocks Voting Rights Bill The Senate minority leader rallied "
        "Republicans against it.",
        "Lindsey Graham Blasts Biden Over Border Policy The senator called the plan a disaster.",
    ]
    centroid = theme_centroids(embedder.transform(texts), np.ones((len(texts), 1)))
    names = list(NEWS_SECTIONS)
    alone = assign_sections(centroid, section_vectors(embedder, ensemble=False), names)
    both = assign_sections(centroid, section_vectors(embedder), names)
    assert alone[0][0] != "Politics"
    assert both[0][0] == "Politics"
    assert section_vectors(embedder).shape == section_vectors(embedder, ensemble=False).shape
