"""Speed modes: what ``--speed fast|balanced|best`` changes, and the choice by corpus size.

======== ======================== ===================== ===================== ==============
mode     English embedding        passages              LDA K search          coherence ref.
======== ======================== ===================== ===================== ==============
best     MiniLM (windows)         paragraphs (as cut)   10, 15, 20, 30        every passage
balanced MiniLM (windows)         short docs whole      10, 15, 20, 30        ≤ 50,000 drawn
fast     MiniLM on a 2 % sample,   short docs whole     10, 20; ≤ 5 passes,   ≤ 20,000 drawn
         the rest mapped from                           1 restart, 300 sweeps
         static MiniLM + TF-IDF
======== ======================== ===================== ===================== ==============

Corpora with other languages than English embed with USE multilingual in ``best`` and
``balanced`` mode, and in ``fast`` mode too up to :data:`FAST_MULTILINGUAL_WHOLE_CHARS`
characters of passage text (USE reads short news items about six times as fast as MiniLM,
so a corpus of that size takes it about a minute). Larger ones take the English route
with USE multilingual as the teacher (``use-adapted``): USE on a seeded 2 % sample (at
least 200 passages) and then on the shortest other passages until it has read as many
characters as the whole-corpus limit, the other passages mapped from ``use-static``, a
static model distilled once from USE multilingual
(:mod:`topiclab.features.static_multilingual`).
``--embedding-model use-multilingual`` keeps the transformer for every passage,
``use-static`` uses the static model alone (clustered without its first two common
directions).

Fast mode's English embedding is :class:`topiclab.features.adapted.AdaptedEmbedder`: MiniLM
embeds a seeded 2 % of the passages (200 to 2,000) and a map fitted on them places the
others from their static (model2vec) vectors and hashed TF-IDF; every vector then carries
:data:`FAST_CORPUS_COMPONENTS` latent semantic directions of the corpus's own hashed
TF-IDF, which the map, fitted on the sample only, cannot learn.
Fast mode clusters with k-means in 50 PCA dimensions when K is given and the corpus has at
least 5,000 passages (:func:`cluster_reduction`): no UMAP layout, and no numba
compilation, before the themes. Otherwise it clusters in a UMAP reduction of 15 neighbours
(the other modes widen it with the corpus, up to 100:
:func:`topiclab.models.reduce.cluster_neighbors`).
The clustering's and the map's UMAP layouts are fitted on at most 20,000 passages, 5,000
in fast mode, drawn by a hash of their texts; the other passages are placed from their
nearest sample passages (:func:`layout_sample`, :mod:`topiclab.models.layout`).
Without a mode, :func:`choose_speed` picks one from the number of passages and
:func:`topiclab.pipeline.run` logs the choice and the reason in one line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

__all__ = [
    "FAST_CORPUS_COMPONENTS",
    "FAST_MULTILINGUAL_WHOLE_CHARS",
    "SPEEDS",
    "SpeedSettings",
    "choose_speed",
    "cluster_reduction",
    "layout_sample",
    "speed_settings",
]

SPEEDS = ("fast", "balanced", "best")

#: Up to this many passages a run is ``best`` when no mode is given, up to the next one
#: ``balanced``, above it ``fast`` (MiniLM embeds ~17-30 passages/s on two CPU cores in
#: float32, ~65-80 in bfloat16 where the CPU has it; the limits assume float32).
BEST_MAX_PASSAGES = 2_000
BALANCED_MAX_PASSAGES = 10_000
#: Passages the UMAP layouts are fitted on at most, the others placed (best, balanced)
LAYOUT_SAMPLE = 20_000
#: ... and in fast mode (on all of 20 Newsgroups, static vectors, K=20: label ARI 0.258 from
#: 4,928 passages against 0.255 from all 64,361, 21 CPU s against 177;
#: ``benchmarks/results/layout_sample_20ng_static.txt``)
FAST_LAYOUT_SAMPLE = 5_000
#: Fast mode clusters with k-means in this many PCA dimensions instead of a UMAP layout ...
FAST_CLUSTER_REDUCER, FAST_CLUSTER_COMPONENTS = "pca", 50
#: ... from this many passages on (below, UMAP's layout costs seconds and helps more: on
#: 300 passages of multilingual_news, K=20, ARI 0.239 in PCA against 0.259 in UMAP)
FAST_PCA_MIN_PASSAGES = 5_000
#: Fast mode embeds a multilingual corpus with USE multilingual itself, every passage, up
#: to this many characters of distinct passage text, and maps the passages from a sample
#: (``use-adapted``) only above: about a minute of USE on two CPU cores, which read
#: 67,500 characters/s of multilingual_news items and 95,000 of 20 Newsgroups posts
#: (MiniLM 12,800 and 17,700; ``benchmarks/results/teacher_rate.txt``), while the map
#: keeps 60-84 % of USE's label ARI on 3,000 multilingual_news items
#: (``benchmarks/results/multilingual_static_news3000.txt``)
FAST_MULTILINGUAL_WHOLE_CHARS = 4_000_000
#: Latent semantic directions of the corpus's own TF-IDF that fast mode appends to the
#: English passages' mapped vectors (:func:`topiclab.features.adapted.corpus_lsa`)
FAST_CORPUS_COMPONENTS = 100


@dataclass(frozen=True)
class SpeedSettings:
    """What one speed mode sets.

    Parameters
    ----------
    english_model : str
        Embedding model of English-only corpora.
    whole_doc_words : int
        Documents up to this many words are embedded as one passage (0: never merged).
    lda_candidates : tuple of int or None
        Candidate K of the LDA search (``None``: the default range).
    max_lda_passes : int or None
        Cap on LDA passes (``None``: the configured number).
    coherence_max_docs : int or None
        Passages drawn (seeded) as the coherence reference (``None``: all of them).
    max_lda_restarts : int or None
        Cap on LDA restarts per K (``None``: the configured number).
    gibbs_iterations : int or None
        Sweeps of the Gibbs sampler (``None``: its default, 1,000).
    cluster_neighbors : int or None
        UMAP neighbourhood of the clustering when ``cluster_neighbors`` is not set
        (``None``: :func:`topiclab.models.reduce.cluster_neighbors`, up to 100).
    multilingual_model : str or None
        Embedding model of corpora with other languages than English (``None``: the
        multilingual transformer, :data:`topiclab.features.embed.MULTILINGUAL_MODEL`).
    layout_sample : int
        Passages the clustering's and the map's UMAP layouts are fitted on at most when
        ``layout_sample`` is not set (:func:`layout_sample`).
    cluster_reducer : {"umap", "pca"}
        Reduction the embedding view clusters in when ``cluster_neighbors`` is not set
        (:func:`cluster_reduction`).
    cluster_components : int
        Its dimensions.
    """

    english_model: str
    whole_doc_words: int
    lda_candidates: tuple[int, ...] | None
    max_lda_passes: int | None
    coherence_max_docs: int | None
    max_lda_restarts: int | None = None
    gibbs_iterations: int | None = None
    cluster_neighbors: int | None = None
    multilingual_model: str | None = None
    layout_sample: int = LAYOUT_SAMPLE
    cluster_reducer: str = "umap"
    cluster_components: int = 5


_SETTINGS = {
    "best": SpeedSettings("minilm", 0, None, None, None),
    "balanced": SpeedSettings("minilm", 200, None, None, 50_000),
    # one LDA fit of 300 sweeps per K: Gibbs sampling costs time in proportion to the corpus
    # and the sweeps (200 sweeps: held-out NPMI 0.130 against 0.129 on 20 Newsgroups, but
    # 0.154 label ARI against 0.185 and NPMI -0.395 against -0.382 on THUCNews titles;
    # benchmarks/results/lda_sweeps_20ng.txt, lda_sweeps_thucnews.txt);
    # UMAP's own 15 neighbours: its layout time grows with the neighbourhood
    "fast": SpeedSettings(
        "minilm-adapted",
        400,
        (10, 20),
        5,
        20_000,
        1,
        300,
        15,
        "use-adapted",
        FAST_LAYOUT_SAMPLE,
        # k-means in 50 PCA dimensions: no UMAP layout (and no numba compilation) before
        # the themes; on the fitted half of 20 Newsgroups (19,508 passages) doc ARI 0.257
        # against 0.259 in a 5,000-passage UMAP layout, 2.5 s against 16.3 s in a new
        # process (benchmarks/results/fast_reduction_20ng.txt)
        FAST_CLUSTER_REDUCER,
        FAST_CLUSTER_COMPONENTS,
    ),
}


def speed_settings(speed: str | None) -> SpeedSettings:
    """Return the settings of a speed mode (``None`` gives ``best``, the full pipeline).

    Examples
    --------
    >>> speed_settings("fast").english_model, speed_settings("fast").multilingual_model
    ('minilm-adapted', 'use-adapted')
    >>> speed_settings(None).whole_doc_words
    0
    """
    from topiclab.errors import ConfigError

    if speed is None:
        return _SETTINGS["best"]
    try:
        return _SETTINGS[speed]
    except KeyError:
        raise ConfigError(f"speed must be one of {SPEEDS} or None, got {speed!r}") from None


def layout_sample(section: object) -> int | None:
    """Return the passages a section's UMAP layouts are fitted on at most (``None``: all).

    The section's ``layout_sample`` when set (``0``: every passage), else its speed mode's
    (:class:`SpeedSettings`). Both engines call this, so they lay out the same sample.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> layout_sample(SimpleNamespace(layout_sample=None, speed=None))
    20000
    >>> layout_sample(SimpleNamespace(layout_sample=0, speed="fast")) is None
    True
    """
    size = getattr(section, "layout_sample", None)
    if size is None:
        size = speed_settings(getattr(section, "speed", None)).layout_sample
    return int(size) if size else None


def cluster_reduction(section: object, n_passages: int) -> tuple[str, int]:
    """Return the reduction the embedding view clusters in and its dimensions.

    The speed mode's (:class:`SpeedSettings`): UMAP in 5 dimensions, or in fast mode PCA
    in 50 where k-means finds the themes (``n_themes`` given or ``cluster_method=
    "kmeans"``) in at least :data:`FAST_PCA_MIN_PASSAGES` passages. HDBSCAN (the number
    of themes left to the data) and a ``cluster_neighbors`` set on the section keep UMAP.
    Both engines call this.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def section(**kw):
    ...     base = dict(speed="fast", n_themes=20, cluster_method="auto", cluster_neighbors=None)
    ...     return SimpleNamespace(**{**base, **kw})
    >>> cluster_reduction(section(), 20_000), cluster_reduction(section(), 300)
    (('pca', 50), ('umap', 5))
    >>> cluster_reduction(section(cluster_neighbors=30), 20_000)
    ('umap', 5)
    >>> cluster_reduction(section(n_themes=None), 20_000)
    ('umap', 5)
    >>> cluster_reduction(section(speed=None), 20_000)
    ('umap', 5)
    """
    kmeans = getattr(section, "n_themes", None) is not None
    kmeans = kmeans or getattr(section, "cluster_method", "auto") == "kmeans"
    if getattr(section, "cluster_neighbors", None) is not None or not kmeans:
        return "umap", 5
    if n_passages < FAST_PCA_MIN_PASSAGES:
        return "umap", 5
    settings = speed_settings(getattr(section, "speed", None))
    return settings.cluster_reducer, int(settings.cluster_components)


def choose_speed(
    n_passages: int,
    static_available: bool | None = None,
    languages: Collection[str] | None = None,
) -> tuple[str, str]:
    """Choose a speed mode from the corpus size.

    Parameters
    ----------
    n_passages : int
        Passages of the corpus.
    static_available : bool, optional
        Whether the static model can be used (``model2vec`` installed); checked when
        ``None``. Without it a large corpus gets ``balanced`` and the reason says so.
    languages : collection of str, optional
        Language codes of the passages; when other languages than English are among them
        the reason names fast mode's multilingual model.

    Returns
    -------
    speed : str
    reason : str
        One sentence saying why.

    Examples
    --------
    >>> choose_speed(150)[0], choose_speed(5_000)[0], choose_speed(100_000, True)[0]
    ('best', 'balanced', 'fast')
    """
    if n_passages <= BEST_MAX_PASSAGES:
        return "best", f"{n_passages:,} passages <= {BEST_MAX_PASSAGES:,}: the full pipeline"
    if n_passages <= BALANCED_MAX_PASSAGES:
        return "balanced", (
            f"{n_passages:,} passages <= {BALANCED_MAX_PASSAGES:,}: the transformer model, "
            "short documents embedded whole"
        )
    if static_available is None:
        import importlib.util

        static_available = importlib.util.find_spec("model2vec") is not None
    if not static_available:
        return "balanced", (
            f"{n_passages:,} passages > {BALANCED_MAX_PASSAGES:,} would run fast, but its "
            'static model needs model2vec (pip install "topiclab[fast]")'
        )
    if languages is not None and _multilingual(languages):
        return "fast", (
            f"{n_passages:,} passages > {BALANCED_MAX_PASSAGES:,}: languages "
            f"{', '.join(sorted(_known(languages)))}, so USE multilingual (above "
            f"{FAST_MULTILINGUAL_WHOLE_CHARS:,} characters on a 2 % sample and the "
            "shortest passages, the rest mapped from its distilled static model, "
            "use-adapted), short documents "
            "embedded whole, a shorter LDA search"
        )
    return "fast", (
        f"{n_passages:,} passages > {BALANCED_MAX_PASSAGES:,}: MiniLM on a 2 % sample and "
        "the rest mapped from static vectors and TF-IDF, short documents embedded whole, "
        "a shorter LDA search"
    )


def _known(languages: Collection[str]) -> set[str]:
    from topiclab.features.embed import _UNKNOWN_LANGS, _base_lang

    return {_base_lang(code) for code in languages} - _UNKNOWN_LANGS


def _multilingual(languages: Collection[str]) -> bool:
    """Whether the languages would get the multilingual model (as ``lang_mode="auto"``)."""
    langs = _known(languages)
    return len(langs) > 1 or bool(langs - {"en"})
