"""Phrase learning and count / TF-IDF vectorisers over multilingual raw texts.

:class:`PhraseModel` joins words that occur together far more often than chance
("energy storage" -> ``energy_storage``); :class:`TextVectorizer` turns raw texts and
their language codes into a sparse document-term matrix with the language-aware
:class:`topiclab.features.tokenize.Tokenizer` and a :class:`PhraseModel`.

Examples
--------
>>> texts = ["Energy storage batteries", "Energy storage for vehicles", "Vehicle batteries"]
>>> vec = TextVectorizer(kind="count", phrases=False).fit(texts)
>>> vec.get_feature_names_out().tolist()
['battery', 'energy', 'storage', 'vehicle']
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from topiclab._state import plain_params
from topiclab.features.tokenize import Tokenizer, display_term, warn_missing_tokenizers

__all__ = ["PhraseModel", "TextVectorizer", "display_term", "resolve_langs", "surface_forms"]

logger = logging.getLogger(__name__)

_PASS_DELIMITER = 0xE000  # first of the private-use characters used inside gensim
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]")
_HAN_JOIN = re.compile(r"(?<=[\u3400-\u9fff])_(?=[\u3400-\u9fff])")


def _identity(tokens: list[str]) -> list[str]:
    """Analyzer for pre-tokenised documents (module level so that it pickles)."""
    return tokens


def resolve_langs(
    langs: str | Sequence[str | None] | None, n: int, default: str = "en"
) -> list[str]:
    """One language code per text: ``None`` -> ``default``, a string -> repeated.

    Examples
    --------
    >>> resolve_langs(None, 2), resolve_langs("zh", 2), resolve_langs(["ar", None], 2)
    (['en', 'en'], ['zh', 'zh'], ['ar', 'en'])
    """
    if langs is None:
        return [default] * n
    if isinstance(langs, str):
        return [langs] * n
    out = [default if (lang is None or lang != lang or lang == "") else str(lang) for lang in langs]
    if len(out) != n:
        raise ValueError(f"got {len(out)} language codes for {n} texts")
    return out


def _best_form(forms: dict[str, int]) -> str:
    """Return the most frequent written form; ties go to lower case, then alphabetical.

    Case variants count together, so a word written "Energy" at the start of sentences
    and "energy" elsewhere reads "energy"; a name written "CIIE" or "Toyota" keeps its
    capitals.
    """
    by_lower: dict[str, int] = {}
    for form, n in forms.items():
        by_lower[form.lower()] = by_lower.get(form.lower(), 0) + n
    word = min(by_lower, key=lambda w: (-by_lower[w], w))
    variants = {f: n for f, n in forms.items() if f.lower() == word}
    lower = variants.get(word, 0)
    # Sentence-initial capitals are common; a lower-case spelling seen a third as often
    # as the capitalised ones marks an ordinary word.
    if lower and 3 * lower >= sum(variants.values()) - lower:
        return word
    # Capitals from datelines and headlines ("NEW YORK (Reuters)"): a title-case spelling
    # seen a third as often as the all-capital one is how the name is written.
    title = word[:1].upper() + word[1:]
    upper = word.upper()
    if title != upper and variants.get(title, 0) * 3 >= variants.get(upper, 0) > 0:
        return title
    return min(variants, key=lambda f: (-variants[f], f))


def surface_forms(
    vocabulary: dict[str, int] | Iterable[str], surfaces: dict[str, dict[str, int]]
) -> dict[str, str]:
    """Map vocabulary terms to their most frequent written form (only where it differs).

    Parameters
    ----------
    vocabulary : iterable of str
        Terms; phrases are joined with ``_`` (Chinese phrases without a connector).
    surfaces : dict
        Token -> {written form: count}, from :meth:`Tokenizer.__call__`'s ``surfaces``.

    Returns
    -------
    dict of str to str
        Term -> written form, for terms whose written form is not ``display_term(term)``.

    Examples
    --------
    >>> surface_forms(["ciie", "energy_storage", "tanmiya"],
    ...               {"ciie": {"CIIE": 3}, "energy": {"Energy": 1, "energy": 4}})
    {'ciie': 'CIIE'}
    """
    best: dict[str, str] = {}
    out: dict[str, str] = {}
    for term in vocabulary:
        parts = term.split("_")
        shown = []
        for part in parts:
            if part not in best:
                forms = surfaces.get(part)
                best[part] = _best_form(forms) if forms else part
            shown.append(best[part])
        if len(shown) > 1 and shown[0].startswith("ال") and _ARABIC_WORD.match(shown[0]):
            # an Arabic adjective agrees with its noun: "التعاون الاستراتيجي"
            shown = [shown[0]] + [
                p if p.startswith("ال") or not _ARABIC_WORD.match(p) else "ال" + p
                for p in shown[1:]
            ]
        text = " ".join(shown)
        if text != display_term(term):
            out[str(term)] = text
    return out


def _as_texts(texts: Any) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single string")
    return ["" if t is None else str(t) for t in texts]


# --------------------------------------------------------------------------- #
# Phrases
# --------------------------------------------------------------------------- #


class PhraseModel(TransformerMixin, BaseEstimator):
    """Learn multi-word phrases and merge them in token lists (gensim ``Phrases``).

    Each pass joins adjacent pairs whose normalised PMI is above ``threshold``; a
    second pass joins pairs of the first pass's output, so ``passes=2`` finds phrases
    of up to four words ("new_quality_productive_forces").

    Parameters
    ----------
    min_count : int or "auto", default="auto"
        Fewest occurrences of a pair. ``"auto"`` uses 2 for small corpora, growing
        with the number of tokens (one per 200,000) up to 10.
    threshold : float, default=0.5
        Score above which a pair becomes a phrase (NPMI is in [-1, 1]).
    scoring : {"npmi", "default"}, default="npmi"
        NPMI's scale does not depend on corpus size, so one threshold serves a
        six-article seed and a 100,000-document corpus alike; gensim's "default"
        (Mikolov et al.) score grows with corpus length.
    passes : int, default=2
        Number of phrase layers (1: bigrams, 2: up to 4-grams, ...).
    connector : str, default="_"
        Joins the words of a phrase. Chinese words are joined without it.
    connector_words : tuple of str, default=()
        Words allowed inside a phrase without breaking it ("bank_of_america").

    Attributes
    ----------
    min_count_ : int
        The minimum count used.
    phrases_ : dict of str to float
        Learnt phrases and their scores.
    models_ : list
        One gensim ``FrozenPhrases`` per pass that learnt something.

    Examples
    --------
    >>> docs = [["energy", "storage", "battery"], ["energy", "storage", "plant"],
    ...         ["battery", "plant"]] * 3
    >>> PhraseModel(min_count=2).fit(docs).transform([["energy", "storage"]])
    [['energy_storage']]
    """

    def __init__(
        self,
        min_count: int | str = "auto",
        threshold: float = 0.5,
        scoring: str = "npmi",
        passes: int = 2,
        connector: str = "_",
        connector_words: tuple[str, ...] = (),
    ) -> None:
        self.min_count = min_count
        self.threshold = threshold
        self.scoring = scoring
        self.passes = passes
        self.connector = connector
        self.connector_words = connector_words

    def _resolve_min_count(self, n_tokens: int) -> int:
        if self.min_count == "auto":
            return int(min(10, max(2, round(n_tokens / 200_000))))
        if isinstance(self.min_count, (int, np.integer)) and self.min_count >= 1:
            return int(self.min_count)
        raise ValueError(f"min_count must be a positive int or 'auto', got {self.min_count!r}")

    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> PhraseModel:
        """Learn phrases from ``X``, a list of token lists."""
        self._fit(X, transform_last=False)
        return self

    def fit_transform(
        self, X: Iterable[Sequence[str]], y: Any = None, **fit_params: Any
    ) -> list[list[str]]:
        """Learn phrases from ``X`` and return it with them merged (as ``transform``)."""
        return self._fit(X, transform_last=True)

    def _fit(self, X: Iterable[Sequence[str]], transform_last: bool) -> list[list[str]]:
        try:
            from gensim.models.phrases import Phrases
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ImportError("PhraseModel needs gensim: pip install gensim") from exc
        if self.scoring not in ("npmi", "default"):
            raise ValueError(f"scoring must be 'npmi' or 'default', got {self.scoring!r}")
        if int(self.passes) < 1:
            raise ValueError(f"passes must be >= 1, got {self.passes!r}")
        docs = [list(doc) for doc in X]
        self.min_count_ = self._resolve_min_count(sum(len(d) for d in docs))
        self.models_ = []
        self.phrases_ = {}
        n_passes = int(self.passes)
        for depth in range(n_passes):
            # gensim splits a phrase at its delimiter when freezing, so each pass joins
            # with its own private-use character, replaced by the connector afterwards.
            learner = Phrases(
                docs,
                min_count=self.min_count_,
                threshold=self.threshold,
                scoring=self.scoring,
                delimiter=chr(_PASS_DELIMITER + depth),
                connector_words=frozenset(self.connector_words),
            )
            if self.scoring == "npmi":
                # Rarer entries can never score (NPMI needs the pair count >= min_count
                # and ignores the vocabulary size): drop them before scoring every pair.
                learner.vocab = {k: v for k, v in learner.vocab.items() if v >= self.min_count_}
            frozen = learner.freeze()
            del learner
            if not frozen.phrasegrams:
                break
            self.models_.append(frozen)
            self.phrases_.update(
                {
                    self._display(p, frozen.delimiter): float(s)
                    for p, s in sorted(frozen.phrasegrams.items())
                }
            )
            logger.debug("phrase pass %d: %d phrases", depth + 1, len(frozen.phrasegrams))
            if transform_last or depth + 1 < n_passes:
                docs = self._apply(frozen, docs)
        return docs

    def _display(self, token: str, delimiter: str) -> str:
        token = token.replace(delimiter, self.connector)
        return _HAN_JOIN.sub("", token) if self.connector == "_" else token

    def _apply(self, model: Any, docs: list[list[str]]) -> list[list[str]]:
        delim = model.delimiter
        return [[self._display(t, delim) if delim in t else t for t in model[doc]] for doc in docs]

    def get_state(self) -> dict[str, Any]:
        """Return the fitted phrases as JSON-able data (see :meth:`from_state`)."""
        check_is_fitted(self, "models_")
        passes = [
            {
                "delimiter": frozen.delimiter,
                "threshold": float(frozen.threshold),
                "min_count": int(frozen.min_count),
                "scoring": "npmi" if "npmi" in str(frozen.scoring) else "default",
                "connector_words": sorted(frozen.connector_words),
                "phrasegrams": sorted([k, float(s)] for k, s in frozen.phrasegrams.items()),
            }
            for frozen in self.models_
        ]
        return {
            "params": plain_params(self),
            "min_count_": int(self.min_count_),
            "phrases_": sorted([k, float(v)] for k, v in self.phrases_.items()),
            "passes": passes,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PhraseModel:
        """Rebuild a fitted model from :meth:`get_state` output."""
        from gensim.models.phrases import Phrases

        params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in state["params"].items()}
        model = cls(**params)
        model.min_count_ = int(state["min_count_"])
        model.phrases_ = {str(k): float(v) for k, v in state["phrases_"]}
        model.models_ = []
        for p in state["passes"]:
            frozen = Phrases(
                min_count=p["min_count"],
                threshold=p["threshold"],
                scoring=p["scoring"],
                delimiter=p["delimiter"],
                connector_words=frozenset(p["connector_words"]),
            ).freeze()
            frozen.phrasegrams = {k: float(s) for k, s in p["phrasegrams"]}
            model.models_.append(frozen)
        return model

    def transform(self, X: Iterable[Sequence[str]]) -> list[list[str]]:
        """Return ``X`` with the learnt phrases merged into single tokens."""
        check_is_fitted(self, "models_")
        docs = [list(doc) for doc in X]
        for model in self.models_:
            docs = self._apply(model, docs)
        return docs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags


# --------------------------------------------------------------------------- #
# Vectoriser
# --------------------------------------------------------------------------- #


def _auto_min_df(n_docs: int) -> int:
    if n_docs < 50:
        return 1
    if n_docs < 1_000:
        return 2
    if n_docs < 10_000:
        return 3
    return 5


class TextVectorizer(TransformerMixin, BaseEstimator):
    """Raw multilingual texts -> sparse count or TF-IDF matrix.

    Texts are tokenised in their own language (:class:`topiclab.features.tokenize.Tokenizer`),
    phrases are merged (:class:`PhraseModel`), then counted with scikit-learn.

    Parameters
    ----------
    kind : {"tfidf", "count"}, default="tfidf"
        TF-IDF rows are L2-normalised (``norm``); counts are raw integers.
    phrases : bool, default=True
        Learn and merge multi-word phrases.
    min_df, max_df : int, float or "auto", default="auto"
        Document-frequency bounds, as in ``CountVectorizer``. ``"auto"``: ``min_df``
        is 1 below 50 documents, 2 below 1,000, 3 below 10,000, then 5; ``max_df`` is
        0.95 from 20 documents on, else 1.0. If pruning would leave no term, the bounds
        are relaxed with a warning.
    max_features : int or None, default=None
        Keep only the most frequent terms.
    lemmatize : bool, default=True
        Passed to the tokeniser (English plurals, Arabic prefixes).
    min_token_len : int, default=2
    keep_numbers : bool, default=False
    extra_stop_words : tuple of str, default=()
        Passed to the tokeniser.
    default_lang : str, default="en"
        Language of texts whose code is missing.
    phrase_min_count : int or "auto", default="auto"
    phrase_threshold : float, default=0.5
    phrase_passes : int, default=2
        Passed to :class:`PhraseModel`.
    sublinear_tf : bool, default=False
    norm : {"l2", "l1", None}, default="l2"
        TF-IDF options (ignored for counts).

    Attributes
    ----------
    vocabulary_ : dict of str to int
    phrases_ : dict of str to float
        Learnt phrases (empty when ``phrases=False``).
    min_df_, max_df_ : int or float
        The bounds actually used.
    n_features_out_ : int

    Examples
    --------
    >>> texts = ["Toyota energy storage", "Energy storage plant", "储能产业发展"]
    >>> vec = TextVectorizer(kind="count", phrase_min_count=2)
    >>> X = vec.fit_transform(texts, langs=["en", "en", "zh"])
    >>> X.shape, vec.get_feature_names_out().tolist()
    ((3, 6), ['energy_storage', 'plant', 'toyota', '产业', '储能', '发展'])
    """

    def __init__(
        self,
        kind: str = "tfidf",
        phrases: bool = True,
        min_df: int | float | str = "auto",
        max_df: int | float | str = "auto",
        max_features: int | None = None,
        lemmatize: bool = True,
        min_token_len: int = 2,
        keep_numbers: bool = False,
        extra_stop_words: tuple[str, ...] = (),
        default_lang: str = "en",
        phrase_min_count: int | str = "auto",
        phrase_threshold: float = 0.5,
        phrase_passes: int = 2,
        sublinear_tf: bool = False,
        norm: str | None = "l2",
    ) -> None:
        self.kind = kind
        self.phrases = phrases
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.lemmatize = lemmatize
        self.min_token_len = min_token_len
        self.keep_numbers = keep_numbers
        self.extra_stop_words = extra_stop_words
        self.default_lang = default_lang
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.phrase_passes = phrase_passes
        self.sublinear_tf = sublinear_tf
        self.norm = norm

    # -- helpers --------------------------------------------------------------

    def _tokenizer(self) -> Tokenizer:
        return Tokenizer(
            lang=self.default_lang,
            lemmatize=self.lemmatize,
            min_token_len=self.min_token_len,
            keep_numbers=self.keep_numbers,
            extra_stop_words=tuple(self.extra_stop_words),
        )

    def _raw_tokens(
        self, texts: Any, langs: Any, surfaces: dict[str, dict[str, int]] | None = None
    ) -> list[list[str]]:
        texts = _as_texts(texts)
        codes = resolve_langs(langs, len(texts), self.default_lang)
        warn_missing_tokenizers(codes)
        return self._tokenizer().tokenize_many(texts, codes, surfaces)

    def _count_vectorizer(self, min_df: Any, max_df: Any) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(
            analyzer=_identity,
            lowercase=False,
            min_df=min_df,
            max_df=max_df,
            max_features=self.max_features,
            dtype=np.int64,
        )

    def _fit_counts(self, docs: list[list[str]]) -> Any:
        """Fit the CountVectorizer, relaxing df bounds rather than emptying the vocabulary."""
        n = len(docs)
        min_df = _auto_min_df(n) if self.min_df == "auto" else self.min_df
        max_df = (0.95 if n >= 20 else 1.0) if self.max_df == "auto" else self.max_df
        attempts = [(min_df, max_df), (1, max_df), (min_df, 1.0), (1, 1.0)]
        last_error: ValueError | None = None
        for k, (lo, hi) in enumerate(dict.fromkeys(attempts)):
            counter = self._count_vectorizer(lo, hi)
            try:
                counter.fit(docs)
            except ValueError as exc:
                if "empty vocabulary" in str(exc):
                    break  # no tokens at all: relaxing the bounds cannot help
                if not ("no terms remain" in str(exc) or "max_df corresponds" in str(exc)):
                    raise
                last_error = exc
                continue
            if k:
                warnings.warn(
                    f"min_df={min_df!r}, max_df={max_df!r} left no terms for {n} documents; "
                    f"using min_df={lo!r}, max_df={hi!r}",
                    UserWarning,
                    stacklevel=3,
                )
            self.min_df_, self.max_df_ = lo, hi
            return counter
        raise ValueError(
            "empty vocabulary: the documents contain no tokens after tokenisation "
            "(only stop words, numbers or very short words?)"
        ) from last_error

    def _check_params(self) -> None:
        if self.kind not in ("count", "tfidf"):
            raise ValueError(f"kind must be 'count' or 'tfidf', got {self.kind!r}")

    # -- estimator API --------------------------------------------------------

    def fit(
        self, X: Iterable[str], y: Any = None, langs: str | Sequence[str | None] | None = None
    ) -> TextVectorizer:
        """Learn phrases, vocabulary and (for TF-IDF) IDF weights from raw texts.

        Parameters
        ----------
        X : sequence of str
            Raw texts.
        y : ignored
        langs : str, sequence of str or None
            Language of each text (or one for all); ``None`` means ``default_lang``.
        """
        surfaces: dict[str, dict[str, int]] = {}
        self._fit_tokens(self._raw_tokens(X, langs, surfaces), surfaces)
        return self

    def _fit_tokens(
        self, docs: list[list[str]], surfaces: dict[str, dict[str, int]] | None = None
    ) -> list[list[str]]:
        self._check_params()
        if not docs:
            raise ValueError("cannot fit a vectoriser on zero texts")
        if self.phrases:
            self.phrase_model_ = PhraseModel(
                min_count=self.phrase_min_count,
                threshold=self.phrase_threshold,
                passes=self.phrase_passes,
            )
            docs = self.phrase_model_.fit_transform(docs)
            self.phrases_ = dict(self.phrase_model_.phrases_)
        else:
            self.phrase_model_ = None
            self.phrases_ = {}
        self.count_vectorizer_ = self._fit_counts(docs)
        self.vocabulary_ = dict(self.count_vectorizer_.vocabulary_)
        self.n_features_out_ = len(self.vocabulary_)
        if self.kind == "tfidf":
            from sklearn.feature_extraction.text import TfidfTransformer

            self.tfidf_ = TfidfTransformer(norm=self.norm, sublinear_tf=self.sublinear_tf)
            self.tfidf_.fit(self._counts(docs))
        else:
            self.tfidf_ = None
        self.surface_forms_ = surface_forms(self.vocabulary_, surfaces or {})
        logger.info(
            "vectoriser fitted: %d documents, %d terms, %d phrases",
            len(docs),
            self.n_features_out_,
            len(self.phrases_),
        )
        return docs

    def _counts(self, docs: list[list[str]]) -> sp.csr_matrix:
        X = sp.csr_matrix(self.count_vectorizer_.transform(docs))
        X.sort_indices()
        return X

    def _matrix(self, docs: list[list[str]]) -> sp.csr_matrix:
        X = self._counts(docs)
        if self.tfidf_ is not None:
            X = sp.csr_matrix(self.tfidf_.transform(X))
            X.sort_indices()
        return X

    def transform(
        self, X: Iterable[str], langs: str | Sequence[str | None] | None = None
    ) -> sp.csr_matrix:
        """Document-term matrix (``n_texts x n_features``) for raw texts."""
        return self._matrix(self.tokenize_documents(X, langs))

    def fit_transform(
        self, X: Iterable[str], y: Any = None, langs: str | Sequence[str | None] | None = None
    ) -> sp.csr_matrix:
        """Fit, then transform the same texts (tokenised once); equals ``fit().transform()``."""
        surfaces: dict[str, dict[str, int]] = {}
        docs = self._fit_tokens(self._raw_tokens(X, langs, surfaces), surfaces)
        return self._matrix(docs)

    def tokenize_documents(
        self,
        X: Iterable[str],
        langs: str | Sequence[str | None] | None = None,
        in_vocabulary: bool = False,
    ) -> list[list[str]]:
        """Return the token lists the matrix is counted from (phrases merged).

        Use these to compute coherence on exactly the same preprocessing.

        Parameters
        ----------
        X : sequence of str
        langs : str, sequence of str or None
        in_vocabulary : bool, default=False
            Keep only tokens in ``vocabulary_``.

        Examples
        --------
        >>> vec = TextVectorizer(phrases=False).fit(["Batteries for vehicles", "Batteries"])
        >>> vec.tokenize_documents(["New batteries"], in_vocabulary=True)
        [['battery']]
        """
        check_is_fitted(self, "vocabulary_")
        docs = self._raw_tokens(X, langs)
        if self.phrase_model_ is not None:
            docs = self.phrase_model_.transform(docs)
        if in_vocabulary:
            vocab = self.vocabulary_
            docs = [[t for t in doc if t in vocab] for doc in docs]
        return docs

    def analyze(
        self,
        X: Iterable[str],
        langs: str | Sequence[str | None] | None = None,
        surfaces: dict[str, dict[str, int]] | None = None,
    ) -> list[list[str]]:
        """Language-aware tokens of raw texts, before phrases are merged.

        The expensive step (segmentation, lemmatisation); with :meth:`fit_transform_tokens`
        and :meth:`count_tokens` a corpus is tokenised once and its tokens reused.

        Parameters
        ----------
        X : sequence of str
            Raw texts.
        langs : str, sequence of str or None
            Language of each text (or one for all); ``None`` means ``default_lang``.
        surfaces : dict, optional
            Receives each token's written forms and their counts; pass it on to
            :meth:`fit_transform_tokens` so that terms are shown as written.

        Returns
        -------
        list of list of str
        """
        return self._raw_tokens(X, langs, surfaces)

    def fit_transform_tokens(
        self, docs: list[list[str]], surfaces: dict[str, dict[str, int]] | None = None
    ) -> list[list[str]]:
        """Fit on :meth:`analyze` output; return the token lists with phrases merged.

        ``count_tokens(fit_transform_tokens(analyze(X)))`` equals ``fit_transform(X)``.

        Parameters
        ----------
        docs : list of list of str
            Tokens of each text, from :meth:`analyze`.
        surfaces : dict, optional
            Written forms collected by :meth:`analyze`.

        Returns
        -------
        list of list of str
            The tokens the matrix is counted from (what :meth:`tokenize_documents` gives).
        """
        return self._fit_tokens([list(d) for d in docs], surfaces)

    def count_tokens(self, docs: list[list[str]]) -> sp.csr_matrix:
        """Document-term matrix of token lists that already have phrases merged.

        Parameters
        ----------
        docs : list of list of str
            From :meth:`fit_transform_tokens` or :meth:`tokenize_documents`.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_texts, n_features)
        """
        check_is_fitted(self, "vocabulary_")
        return self._matrix(docs)

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Return the fitted state: JSON-able data and arrays (see :meth:`from_state`).

        Returns
        -------
        state : dict
            Parameters, vocabulary, document-frequency bounds and phrases.
        arrays : dict of str to ndarray
            ``idf`` for TF-IDF vectorisers.
        """
        check_is_fitted(self, "vocabulary_")
        arrays = {}
        if self.tfidf_ is not None:
            arrays["idf"] = np.asarray(self.tfidf_.idf_, dtype=np.float64)
        state = {
            "params": plain_params(self),
            "features": [str(t) for t in self.get_feature_names_out()],
            "min_df_": self.min_df_,
            "max_df_": self.max_df_,
            "phrases": None if self.phrase_model_ is None else self.phrase_model_.get_state(),
            "surface_forms": dict(sorted(getattr(self, "surface_forms_", {}).items())),
        }
        return state, arrays

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> TextVectorizer:
        """Rebuild a fitted vectoriser from :meth:`get_state` output.

        Parameters
        ----------
        state : dict
        arrays : dict of str to ndarray

        Returns
        -------
        TextVectorizer
        """
        vec = cls(**state["params"])
        vocab = {str(t): i for i, t in enumerate(state["features"])}
        cv = vec._count_vectorizer(1, 1.0)
        cv.set_params(vocabulary=vocab)
        vec.count_vectorizer_ = cv
        vec.vocabulary_ = dict(vocab)
        vec.n_features_out_ = len(vocab)
        vec.min_df_, vec.max_df_ = state["min_df_"], state["max_df_"]
        vec.surface_forms_ = {str(k): str(v) for k, v in state.get("surface_forms", {}).items()}
        if state["phrases"] is None:
            vec.phrase_model_, vec.phrases_ = None, {}
        else:
            vec.phrase_model_ = PhraseModel.from_state(state["phrases"])
            vec.phrases_ = dict(vec.phrase_model_.phrases_)
        if "idf" in arrays:
            from sklearn.feature_extraction.text import TfidfTransformer

            idf = np.asarray(arrays["idf"], dtype=np.float64)
            if idf.shape != (len(vocab),):
                raise ValueError(f"idf has shape {idf.shape} for {len(vocab)} terms")
            tf = TfidfTransformer(norm=vec.norm, sublinear_tf=vec.sublinear_tf)
            tf.idf_ = idf
            tf.n_features_in_ = len(vocab)
            vec.tfidf_ = tf
        else:
            vec.tfidf_ = None
        return vec

    def display_names(self, terms: Iterable[str]) -> list[str]:
        """Return terms as written: the most frequent written form, phrases with spaces.

        Parameters
        ----------
        terms : iterable of str
            Vocabulary terms (normalised, phrases joined with ``_``).

        Returns
        -------
        list of str

        Examples
        --------
        >>> vec = TextVectorizer(kind="count", phrase_min_count=2)
        >>> _ = vec.fit(["CIIE energy storage", "Energy storage at CIIE", "energy storage"])
        >>> vec.display_names(["ciie", "energy_storage"])
        ['CIIE', 'energy storage']
        """
        check_is_fitted(self, "vocabulary_")
        forms = getattr(self, "surface_forms_", {})
        return [forms.get(t) or display_term(t) for t in terms]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Terms in column order (an object array of str)."""
        check_is_fitted(self, "vocabulary_")
        return self.count_vectorizer_.get_feature_names_out()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.sparse = False
        return tags
