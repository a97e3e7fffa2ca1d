"""Run configuration: a frozen dataclass with TOML load/dump and a stable hash."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from topiclab.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


LANG_MODES = ("auto", "en", "multilingual")
#: Precisions of the transformer's forward passes (``SentenceEmbedder(precision=...)``)
PRECISIONS = ("auto", "float32")
CLUSTER_METHODS = ("auto", "hdbscan", "kmeans")
LDA_UNITS = ("auto", "documents", "passages")
#: with ``lda_unit="auto"``, LDA is fitted on whole documents from this many documents
LDA_DOCUMENT_MIN = 100
#: with ``lda_min_documents=None``, LDA's terms must be in this many documents (from
#: ``LDA_DOCUMENT_MIN`` documents; below that every term is kept)
LDA_MIN_DOCUMENTS = 3
#: with ``lda_max_term_count=None``, Gibbs LDA counts a term at most this often per document
LDA_MAX_TERM_COUNT = 10
#: with ``lda_max_document_share=None``, LDA's terms must be in at most this share of the
#: documents (from ``LDA_DOCUMENT_MIN`` documents; below that no upper bound)
LDA_MAX_DOCUMENT_SHARE = 0.15
LDA_BACKENDS = ("auto", "gibbs", "gensim")
SPEEDS = ("fast", "balanced", "best")


@dataclass(frozen=True)
class GuidedTheme:
    """A theme the user names with a few words; the models steer towards it.

    Parameters
    ----------
    name : str
        Label of the theme, e.g. ``"energy storage"``.
    words : tuple of str
        A few words or phrases describing it, e.g. ``("battery", "storage", "grid")``.
    """

    name: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, spec: str) -> GuidedTheme:
        """Parse ``"name: word, word, word"``.

        Examples
        --------
        >>> GuidedTheme.parse("energy storage: battery, storage, grid")
        GuidedTheme(name='energy storage', words=('battery', 'storage', 'grid'))
        """
        name, sep, rest = spec.partition(":")
        words = tuple(w.strip() for w in rest.split(",") if w.strip())
        if not sep or not name.strip() or not words:
            raise ConfigError(
                f"guided theme {spec!r}: expected 'name: word, word, ...' with at least one word"
            )
        return cls(name=name.strip(), words=words)


@dataclass(frozen=True)
class RunConfig:
    """Every parameter of a run; saved with its outputs so a run can be repeated.

    Parameters
    ----------
    seed : int
        The one seed every stochastic step derives its own seed from.
    lang_mode : {"auto", "en", "multilingual"}
        ``auto`` embeds with the multilingual model when the corpus holds more than
        one language (or any non-English text), the English model otherwise.
    embedding_model : str or None
        Overrides the model chosen by ``lang_mode`` (a name or a local path).
    n_themes : int or None
        Number of embedding themes; ``None`` chooses it from the data.
    n_topics : int or None
        Number of LDA topics; ``None`` chooses it by coherence over a small range.
    cluster_method : {"auto", "hdbscan", "kmeans"}
        Clustering of the reduced embeddings.
    cluster_neighbors : int or None
        UMAP neighbourhood of the reduction the embedding themes are clustered in;
        ``None`` (the default) chooses it from the number of passages when KMeans finds
        the themes (:func:`topiclab.models.reduce.cluster_neighbors`: a tenth of the
        passages less 50, from 15 to 100) and takes 15 for HDBSCAN. The 2-D passage map keeps
        its own 15 neighbours.
    layout_sample : int or None
        Above this many passages, the UMAP layouts of the clustering and of the map are
        fitted on a deterministic sample of about this many (chosen by a hash of the
        passage texts) and the other passages are placed from their nearest sample passages
        (:class:`topiclab.models.EmbeddingClusterer`'s ``layout_sample``); the Spark engine
        lays out the same sample. ``None`` (the default): the speed mode's
        (:func:`topiclab.pipeline.speed.layout_sample`); ``0``: every passage.
    reassign_outliers : bool
        Give HDBSCAN outliers to their nearest theme.
    context_weight : float
        Weight of a passage's document in its embedding before clustering
        (:func:`topiclab.models.crosslingual.blend_document_context`); 0 turns it off.
    language_themes : bool
        Allow themes made of one minority language only; by default such clusters are
        dissolved into their nearest themes when those are close
        (:func:`topiclab.models.crosslingual.merge_language_clusters`).
    guided : tuple of GuidedTheme
        Seed themes to steer both views towards.
    top_n_terms : int
        Terms kept per theme and language.
    n_representative : int
        Representative passages kept per theme.
    lda_passes : int
        Passes over the corpus when training LDA.
    lda_max_features : int or None
        LDA sees only this many terms, the ones in most passages; ``None`` (the default)
        keeps the run's whole vocabulary, which measured better with Gibbs sampling (a
        cap helped gensim's estimator; see ``docs/lda.md``). The embedding themes always
        use the whole vocabulary.
    lda_min_documents : int or None
        LDA sees only terms found in at least this many documents; ``None`` (the default)
        means ``LDA_MIN_DOCUMENTS`` (3) from ``LDA_DOCUMENT_MIN`` (100) documents and 1
        below. A term repeated hundreds of times by one or two documents (an encoded
        attachment, a table) otherwise takes a topic of its own (``docs/lda.md``).
    lda_max_term_count : int or None
        The Gibbs backend counts a term at most this many times in a document (when
        fitting and when inferring mixtures alike); ``None`` (the default) means
        ``LDA_MAX_TERM_COUNT`` (10), ``0`` no limit. A long document repeating a word
        pulls topics towards itself otherwise (``docs/lda.md``).
    lda_max_document_share : float or None
        LDA sees only terms found in at most this share of the documents; ``None`` (the
        default) means ``LDA_MAX_DOCUMENT_SHARE`` (0.15) from ``LDA_DOCUMENT_MIN`` (100)
        documents and no bound below; ``1.0`` keeps every term. A word in more than 15 %
        of the documents (``time``, ``people`` on 20 Newsgroups) is among the top words of
        several topics and tells none apart (``docs/lda.md``).
    lda_unit : {"auto", "documents", "passages"}
        What LDA is fitted on: whole documents (passage counts summed) or passages;
        ``auto`` uses documents from ``LDA_DOCUMENT_MIN`` (100) documents. Passage topic
        mixtures are always inferred with the fitted model.
    lda_backend : {"auto", "gibbs", "gensim"}
        Collapsed Gibbs sampling (tomotopy) or gensim's online variational Bayes; ``auto``
        uses Gibbs when LDA is fitted on documents and gensim on passages (see
        ``docs/lda.md`` for the measurements behind both choices).
    lda_restarts : int
        LDA fits per K; which one is kept is ``lda_restart_criterion``.
    lda_eta : float or None
        Topic-word prior of the Gibbs backend (``None``: 0.01, tomotopy's default). Larger
        values (0.05) measured better on very short items (headlines, news blurbs) and
        worse on longer posts; see ``docs/lda.md``.
    lda_restart_criterion : {"score", "likelihood", "typical"}
        Which restart is kept: the best NPMI + diversity of its plain top-10 words + 0.5 x
        its agreement with the other restarts (``score``; diversity weighs 0.5 in the rule
        K is chosen by, which scores the selected terms), the highest log-likelihood per
        word (Gibbs sampling; the gensim backend falls back to ``typical``), or the one
        agreeing most with the others (``typical``).
    lda_seed_themes : bool
        Seed LDA topics with the terms of the embedding themes.
    lda_merge_small : bool
        When topics hold fewer passages than the minimum (2, or 1 % of the passages), fit
        LDA again with that many topics fewer, so their passages join the remaining
        topics (at most three refits); topics still small after that are flagged. Off by
        default: small topics are flagged (see ``docs/labels.md``).
    lda_neighbours : int
        Cross-lingual LDA: every passage's counts get those of its ``lda_neighbours``
        nearest passages (by embedding) in each other language added, for training and
        for inferring its topics, so that topics hold words of every language and
        translations share a topic (``0``: off; see ``docs/lda.md``). Only used when
        two or more languages each hold 5 % of the passages and the embedding model is
        a named model (saved with the run, so new texts get the same embeddings).
    min_df, max_df : int/float or None
        Vocabulary pruning; ``None`` adapts to the corpus size.
    batch_size : int
        Embedding batch size.
    precision : {"auto", "float32"}
        Precision of the transformer's forward passes (see
        :class:`topiclab.features.embed.SentenceEmbedder`): ``"auto"`` uses float16 on
        CUDA and bfloat16 on a CPU that multiplies it in hardware.
    progress : bool
        Show progress bars on long steps.
    date_field : str or None
        Document column holding the dates for themes over time (``None``: ``date``,
        else a ``published``-like column).
    time_bin : {"auto", "day", "week", "month", "quarter", "year"}
        Period length of themes over time.
    by : tuple of str
        Document columns to make ``themes_by_<column>`` tables of (``source``, ``lang``).
    stability : int
        Runs with different seeds to measure stability over (0 or 1: not measured).
    sections : bool
        Give every theme the broad news section it is clearly closest to ("Sport",
        "Politics"; :mod:`topiclab.themes.sections`), shown before its label in tables.
    speed : {"fast", "balanced", "best"} or None
        Embedding model, passage granularity and LDA search effort
        (:mod:`topiclab.pipeline.speed`); ``None`` picks by corpus size when the run starts.
    n_jobs : int or None
        Stages fitted at the same time (the LDA view beside the embedding view, in a
        worker process): ``None`` uses the machine's cores for runs of 2,000 passages or
        more, ``1`` fits one stage after another, ``-1`` all cores. Results do not
        depend on it (not part of :meth:`hash`).
    """

    seed: int = 0
    lang_mode: str = "auto"
    embedding_model: str | None = None
    n_themes: int | None = None
    n_topics: int | None = None
    cluster_method: str = "auto"
    cluster_neighbors: int | None = None
    layout_sample: int | None = None
    reassign_outliers: bool = True
    context_weight: float = 0.5
    language_themes: bool = False
    guided: tuple[GuidedTheme, ...] = field(default_factory=tuple)
    top_n_terms: int = 10
    n_representative: int = 3
    lda_passes: int = 20
    lda_max_features: int | None = None
    lda_min_documents: int | None = None
    lda_max_term_count: int | None = None
    lda_max_document_share: float | None = None
    lda_unit: str = "auto"
    lda_backend: str = "auto"
    lda_restarts: int = 3
    lda_restart_criterion: str = "score"
    lda_eta: float | None = None
    lda_seed_themes: bool = False
    lda_merge_small: bool = False
    lda_neighbours: int = 1
    min_df: float | None = None
    max_df: float | None = None
    batch_size: int = 32
    precision: str = "auto"
    progress: bool = True
    date_field: str | None = None
    time_bin: str = "auto"
    by: tuple[str, ...] = field(default_factory=tuple)
    stability: int = 0
    sections: bool = True
    speed: str | None = None
    n_jobs: int | None = None

    def __post_init__(self) -> None:
        if self.speed is not None and self.speed not in SPEEDS:
            raise ConfigError(f"speed must be one of {SPEEDS} or None, got {self.speed!r}")
        if isinstance(self.by, str):
            object.__setattr__(self, "by", (self.by,))
        elif not isinstance(self.by, tuple):
            object.__setattr__(self, "by", tuple(str(b) for b in self.by))
        if (
            isinstance(self.stability, bool)
            or not isinstance(self.stability, int)
            or not (0 <= self.stability <= 50)
        ):
            raise ConfigError(f"stability must be an integer from 0 to 50, got {self.stability!r}")
        if self.time_bin not in TIME_BINS:
            raise ConfigError(f"time_bin must be one of {TIME_BINS}, got {self.time_bin!r}")
        if self.lang_mode not in LANG_MODES:
            raise ConfigError(f"lang_mode must be one of {LANG_MODES}, got {self.lang_mode!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.cluster_method not in CLUSTER_METHODS:
            raise ConfigError(
                f"cluster_method must be one of {CLUSTER_METHODS}, got {self.cluster_method!r}"
            )
        for name in ("n_themes", "n_topics", "lda_max_features", "cluster_neighbors"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"{name} must be a positive integer or None, got {value!r}")
        size = self.layout_sample
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise ConfigError(
                f"layout_sample must be a non-negative integer (0: every passage) or None, "
                f"got {size!r}"
            )
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.context_weight, int | float) or self.context_weight < 0:
            raise ConfigError(f"context_weight must be >= 0, got {self.context_weight!r}")
        for name, low in (("lda_min_documents", 1), ("lda_max_term_count", 0)):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < low
            ):
                kind = "a positive" if low else "a non-negative"
                raise ConfigError(f"{name} must be {kind} integer or None, got {value!r}")
        share = self.lda_max_document_share
        if share is not None and (
            isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1
        ):
            raise ConfigError(
                f"lda_max_document_share must be a number in (0, 1] or None, got {share!r}"
            )
        if self.lda_unit not in LDA_UNITS:
            raise ConfigError(f"lda_unit must be one of {LDA_UNITS}, got {self.lda_unit!r}")
        if self.lda_backend not in LDA_BACKENDS:
            raise ConfigError(
                f"lda_backend must be one of {LDA_BACKENDS}, got {self.lda_backend!r}"
            )
        if self.lda_eta is not None and (
            isinstance(self.lda_eta, bool)
            or not isinstance(self.lda_eta, int | float)
            or self.lda_eta <= 0
        ):
            raise ConfigError(f"lda_eta must be a positive number or None, got {self.lda_eta!r}")
        if self.lda_restart_criterion not in ("score", "likelihood", "typical"):
            raise ConfigError(
                "lda_restart_criterion must be 'score', 'likelihood' or 'typical', "
                f"got {self.lda_restart_criterion!r}"
            )
        if not isinstance(self.lda_restarts, int) or self.lda_restarts < 1:
            raise ConfigError(f"lda_restarts must be a positive integer, got {self.lda_restarts!r}")
        if (
            isinstance(self.lda_neighbours, bool)
            or not isinstance(self.lda_neighbours, int)
            or self.lda_neighbours < 0
        ):
            raise ConfigError(
                f"lda_neighbours must be a non-negative integer, got {self.lda_neighbours!r}"
            )
        if self.n_jobs is not None and (
            isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs == 0
        ):
            raise ConfigError(f"n_jobs must be a non-zero integer or None, got {self.n_jobs!r}")
        if self.top_n_terms < 1 or self.n_representative < 0 or self.lda_passes < 1:
            raise ConfigError("top_n_terms and lda_passes must be >= 1, n_representative >= 0")

    # ---------------------------------------------------------------- dict/toml
    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (TOML/JSON-able; ``None`` values omitted)."""
        data = asdict(self)
        data["guided"] = [{"name": g.name, "words": list(g.words)} for g in self.guided]
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """Build from :meth:`to_dict` output; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown configuration keys: {unknown}")
        data = dict(data)
        guided = []
        for g in data.pop("guided", []) or []:
            if isinstance(g, str):
                guided.append(GuidedTheme.parse(g))
            else:
                guided.append(GuidedTheme(name=str(g["name"]), words=tuple(g["words"])))
        return cls(guided=tuple(guided), **data)

    def to_toml(self) -> str:
        """TOML text of this configuration."""
        import tomli_w

        return tomli_w.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> RunConfig:
        """Read a configuration file; errors name the file."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration ({exc})") from exc
        try:
            return cls.from_dict(data)
        except (ConfigError, TypeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc

    def hash(self) -> str:
        """Short stable hash of the parameters that change results (not ``progress``)."""
        data = self.to_dict()
        data.pop("progress", None)
        data.pop("n_jobs", None)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    def replace(self, **changes: Any) -> RunConfig:
        """Return a copy with some fields changed."""
        return replace(self, **changes)

    def seeds(self) -> dict[str, int]:
        """Return the seed of each stochastic stage, derived from :attr:`seed`."""
        return derive_seeds(self.seed, SEEDED_STAGES)

    def section(self, name: str) -> Any:
        """Return the frozen configuration section of one stage (what that stage receives).

        Parameters
        ----------
        name : str
            A stage name: ``prepare``, ``vectorize``, ``embed``, ``cluster``, ``lda``,
            ``score``, ``map``, ``sections``, ``assemble`` or ``analyze``.

        Examples
        --------
        >>> RunConfig(seed=3, n_topics=5).section("lda").n_topics
        5
        """
        try:
            cls = SECTIONS[name]
        except KeyError:
            raise ConfigError(
                f"no configuration section {name!r} (sections: {sorted(SECTIONS)})"
            ) from None
        values = {
            f.name: getattr(self, f.name)
            for f in fields(cls)
            if f.name != "seed" and hasattr(self, f.name)
        }
        if "seed" in {f.name for f in fields(cls)}:
            values["seed"] = self.seeds()[name]
        return cls(**values)


#: Stages that draw random numbers, in the order their seeds are derived.
SEEDED_STAGES = ("lda", "cluster", "map", "embed")  # appended: earlier seeds unchanged


def derive_seeds(seed: int, names: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Independent integer seeds for each named step, derived from one seed.

    Examples
    --------
    >>> derive_seeds(0, ["a", "b"]) == derive_seeds(0, ["a", "b"])
    True
    """
    import numpy as np

    ss = np.random.SeedSequence(seed)
    return {
        name: int(child.generate_state(1)[0] % (2**31 - 1))
        for name, child in zip(names, ss.spawn(len(names)), strict=True)
    }


@dataclass(frozen=True)
class PrepareSection:
    """What the prepare stage checks: the requested K against the passages."""

    n_themes: int | None = None
    n_topics: int | None = None
    speed: str | None = None


@dataclass(frozen=True)
class VectorizeSection:
    """Vocabulary pruning of the count vectoriser (``None``: adapted to the corpus)."""

    min_df: float | None = None
    max_df: float | None = None
    n_jobs: int | None = None  # processes tokenising the passages (RunConfig.n_jobs)


@dataclass(frozen=True)
class EmbedSection:
    """The embedding model and how to run it."""

    lang_mode: str = "auto"
    embedding_model: str | None = None
    batch_size: int = 32
    precision: str = "auto"
    progress: bool = True
    speed: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class ClusterSection:
    """The embedding view: clustering, cross-lingual corrections and theme tables."""

    n_themes: int | None = None
    cluster_method: str = "auto"
    cluster_neighbors: int | None = None
    layout_sample: int | None = None
    reassign_outliers: bool = True
    context_weight: float = 0.5
    language_themes: bool = False
    guided: tuple[GuidedTheme, ...] = ()
    top_n_terms: int = 10
    n_representative: int = 3
    seed: int = 0
    progress: bool = True
    speed: str | None = None


@dataclass(frozen=True)
class LDASection:
    """The LDA view: K, training and vocabulary, guided topics and theme tables."""

    n_topics: int | None = None
    lda_passes: int = 20
    lda_max_features: int | None = None
    lda_min_documents: int | None = None
    lda_max_term_count: int | None = None
    lda_max_document_share: float | None = None
    lda_unit: str = "auto"
    lda_backend: str = "auto"
    lda_restarts: int = 3
    lda_restart_criterion: str = "score"
    lda_eta: float | None = None
    lda_seed_themes: bool = False
    lda_merge_small: bool = False
    lda_neighbours: int = 1
    guided: tuple[GuidedTheme, ...] = ()
    top_n_terms: int = 10
    n_representative: int = 3
    seed: int = 0
    speed: str | None = None
    progress: bool = True


@dataclass(frozen=True)
class ScoreSection:
    """Quality scores of every view: coherence and diversity of each theme's top words."""

    n_scored_terms: int = 10
    speed: str | None = None
    progress: bool = True


@dataclass(frozen=True)
class MapSection:
    """The 2-D passage map (UMAP fitted on at most ``layout_sample`` passages)."""

    seed: int = 0
    layout_sample: int | None = None
    speed: str | None = None
    progress: bool = True


@dataclass(frozen=True)
class AnalyzeSection:
    """Derived tables: themes over time, themes by class, the theme tree."""

    date_field: str | None = None
    time_bin: str = "auto"
    by: tuple[str, ...] = ()
    stability: int = 0


#: Period lengths of themes over time.
TIME_BINS = ("auto", "day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class SectionsSection:
    """Whether themes get a news section (:mod:`topiclab.themes.sections`)."""

    sections: bool = True


@dataclass(frozen=True)
class AssembleSection:
    """How the result tables are put together (nothing to set yet)."""


SECTIONS: dict[str, type] = {
    "prepare": PrepareSection,
    "vectorize": VectorizeSection,
    "embed": EmbedSection,
    "cluster": ClusterSection,
    "lda": LDASection,
    "score": ScoreSection,
    "map": MapSection,
    "sections": SectionsSection,
    "assemble": AssembleSection,
    "analyze": AnalyzeSection,
}
