"""Language identification of documents and passages (ISO 639-1 codes, ``"und"`` if unknown).

Detector choice: :mod:`py3langid` (the maintained, numpy-based fork of
Lui & Baldwin's ``langid.py``; over 90 languages, one small model). It classifies a
passage in tens of microseconds and loads in under a second, so it can label
every passage of a million-document corpus. ``lingua-language-detector`` is
more accurate on very short strings, but with all its languages it takes about
ten seconds and a gigabyte of memory to load, and a restricted language list
would silently mislabel languages left out of it.

Its weak spots are covered by a script check that runs first:

* text written mostly in Han, kana or Hangul is ``zh``, ``ja`` or ``ko`` by
  script (the n-gram model confuses Chinese with Wu or Cantonese);
* text written mostly in Arabic script is ``ar`` unless the model names
  another Arabic-script language (``fa``, ``ur``, ``ps``...);
* mixed-script text is judged by its dominant script, measured on letters, so
  a Latin brand name inside an Arabic sentence does not change its language;
* text with fewer than ``min_letters`` letters, or a low-confidence answer on
  short text, is ``"und"``; passages in that case take their document's
  language (see :func:`passage_language`).

The corpus as a prior. Each text is classified as if every language were equally
likely, and on a headline or a one-line post the model is often unsure or wrong:
Title Case English headlines come out as Nigerian Pidgin (``pcm``) or ``"und"``, short
lower-case ones as Latin or Shona. A corpus says which languages are likely: a
document the model is unsure of (:data:`PRIOR_BELOW`) is decided again from the model's
probabilities of every language times the corpus's share of that language
(:func:`language_prior`, :func:`decide_with_prior`; the shares are the confidences of
the other documents' answers, smoothed over every language the model knows). A
confident answer is never changed, so a French article in an English corpus stays
French. Measured on 10,000 items each (``benchmarks/language_prior.py``): HuffPost
``und`` 78 and ``pcm`` 4 documents to none; ABC headlines ``und`` 2,822 to 1 and 84
documents in languages other than English to none; a sample of ``multilingual_news``
(Arabic, Chinese, English), documents not in their stated language 12 to 1; 5,000 20
Newsgroups posts, ``und`` 92 to 2.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

UNKNOWN = "und"
#: Letters needed before a Latin-script text is classified at all.
MIN_LETTERS = 12
#: Characters classified: the model's cost grows with length, its accuracy stops growing.
_SAMPLE = 1000
_PASSAGE_SAMPLE = 400
#: A longer sample is read only when the first ``_QUICK`` characters do not already give
#: a language with at least ``_QUICK_CONFIDENCE``.
_QUICK = 250
_QUICK_CONFIDENCE = 0.999

_RANGES = {
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "kana": re.compile(r"[\u3040-\u30ff]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
}
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_SCRIPT_LANGS = frozenset({"ar", "fa", "ur", "ps", "ug", "ku", "sd"})
_ALIASES = {"wuu": "zh", "yue": "zh", "zh-hans": "zh", "zh-hant": "zh", "zxx": UNKNOWN}
_lock = threading.Lock()

#: Documents whose language was decided with a lower confidence by the model are decided
#: again with the corpus's languages as a prior (:func:`decide_with_prior`).
PRIOR_BELOW = 0.9
#: Fewest documents (the sum of their answers' confidences) a prior is drawn from.
PRIOR_MIN_DOCUMENTS = 20
#: Fewest letters a text needs to be decided with the prior: below :data:`MIN_LETTERS`
#: the model alone says nothing, but with a corpus's languages behind it two short
#: words ("man charged") are enough.
PRIOR_MIN_LETTERS = 3


@lru_cache(maxsize=1)
def _identifier() -> Any:
    with _lock:
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
        except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
            raise ImportError("language detection needs py3langid: pip install py3langid") from exc
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def script_profile(text: str) -> tuple[int, dict[str, int]]:
    """Count the letters and the Arabic, Han, kana and Hangul characters."""
    letters = len(_LETTER.findall(text))
    return letters, {name: len(rx.findall(text)) for name, rx in _RANGES.items()}


def detect(text: str, *, min_letters: int = MIN_LETTERS) -> str:
    """ISO 639-1 code of the language of ``text``, or ``"und"``.

    Examples
    --------
    >>> detect("The company declined to comment on the report.")
    'en'
    >>> detect("أعلنت شركة تويوتا عن تعاون استراتيجي مع حكومة شنغهاي")
    'ar'
    >>> detect("中国传统产业拥抱高科技")
    'zh'
    >>> detect("ok")
    'und'
    """
    return detect_with_confidence(text, min_letters=min_letters)[0]


def detect_with_confidence(
    text: str, *, min_letters: int = MIN_LETTERS, sample_chars: int = _SAMPLE
) -> tuple[str, float]:
    """Like :func:`detect`, with a confidence in [0, 1] (1.0 for a decision by script).

    The model's cost grows with the characters it reads: a text is first judged on its
    first 250 characters, and on ``sample_chars`` only when that answer is not nearly
    certain.
    """
    if sample_chars > 2 * _QUICK and len(text) > 2 * _QUICK:
        code, conf = _judge(text[:_QUICK], min_letters)
        if code != UNKNOWN and conf >= _QUICK_CONFIDENCE:
            return code, conf
    return _judge(text[:sample_chars], min_letters)


def _judge(sample: str, min_letters: int) -> tuple[str, float]:
    """Language and confidence of a sample: by script, else by the n-gram model."""
    letters, counts = script_profile(sample)
    if letters == 0:
        return UNKNOWN, 0.0
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    if cjk >= 2 and cjk / letters >= 0.5:
        if counts["kana"] >= 0.1 * cjk:
            return "ja", 1.0
        if counts["hangul"] > counts["han"]:
            return "ko", 1.0
        return "zh", 1.0
    if counts["arabic"] >= 2 and counts["arabic"] / letters >= 0.5:
        code, _ = _identifier().classify(sample)
        return (str(code) if code in _ARABIC_SCRIPT_LANGS else "ar"), 1.0
    if letters < min_letters:
        return UNKNOWN, 0.0
    code, prob = _identifier().classify(sample)
    code = _ALIASES.get(code, code)
    if code == UNKNOWN:
        return UNKNOWN, 0.0
    if prob < 0.5 and letters < 200:
        return UNKNOWN, float(prob)
    return str(code), float(prob)


def language_prior(
    detections: Iterable[tuple[str, float]], *, min_documents: float = PRIOR_MIN_DOCUMENTS
) -> dict[str, float] | None:
    """Return the corpus's languages as prior probabilities, from its documents' detections.

    Parameters
    ----------
    detections : iterable of (str, float)
        Each document's language and the confidence of that answer (1.0 for a language
        the input stated or the script decided); ``"und"`` is left out.
    min_documents : float, default=PRIOR_MIN_DOCUMENTS
        Fewest documents, counted by confidence, to draw a prior from.

    Returns
    -------
    dict or None
        Language -> probability, with ``"*"`` the probability of any language the corpus
        does not show: add-one smoothing of the confidence-weighted counts over every
        language of the model. ``None`` below ``min_documents``.

    Examples
    --------
    >>> prior = language_prior([("en", 1.0)] * 30 + [("fr", 0.95)] * 2)
    >>> prior["en"] > prior["fr"] > prior["*"]
    True
    >>> language_prior([("en", 1.0)] * 5) is None
    True
    """
    weights: dict[str, float] = {}
    for code, conf in detections:
        if code and code != UNKNOWN:
            weights[code] = weights.get(code, 0.0) + float(conf)
    total = sum(weights.values())
    if total < min_documents:
        return None
    languages = set(_identifier().nb_classes) | set(weights)
    norm = total + len(languages)
    prior = {code: (w + 1.0) / norm for code, w in weights.items()}
    prior["*"] = 1.0 / norm
    return prior


def decide_with_prior(
    text: str, prior: Mapping[str, float], *, sample_chars: int = _SAMPLE
) -> tuple[str, float] | None:
    """Return the language of ``text``: the model's probabilities times the corpus's ``prior``.

    Parameters
    ----------
    text : str
    prior : mapping
        As :func:`language_prior` returns it.
    sample_chars : int
        Characters read, as :func:`detect_with_confidence` reads them.

    Returns
    -------
    (str, float) or None
        The language with the largest posterior and that posterior's share; ``None`` for
        a text of fewer than :data:`PRIOR_MIN_LETTERS` letters, or one decided by its
        script (Arabic, Han, kana, Hangul), where a prior adds nothing.

    Examples
    --------
    >>> headline = "Stephen Colbert Gives GameStop Saga The Hollywood Trailer It Needs"
    >>> detect(headline) == "en"
    False
    >>> decide_with_prior(headline, language_prior([("en", 1.0)] * 100))[0]
    'en'
    """
    sample = text[:sample_chars]
    letters, counts = script_profile(sample)
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    if letters < PRIOR_MIN_LETTERS or max(cjk, counts["arabic"]) >= 0.5 * letters:
        return None
    floor = float(prior.get("*", 0.0))
    posterior: dict[str, float] = {}
    for code, p in _identifier().rank(sample):
        code = _ALIASES.get(code, code)
        if code != UNKNOWN:
            posterior[code] = posterior.get(code, 0.0) + float(p) * prior.get(code, floor)
    total = sum(posterior.values())
    if not posterior or total <= 0:
        return None
    best = max(posterior, key=posterior.__getitem__)
    return str(best), posterior[best] / total


def dominant_script(text: str) -> str:
    """``"cjk"``, ``"arabic"``, ``"other"`` (Latin, Cyrillic...) or ``"none"`` (no letters)."""
    letters, counts = script_profile(text[:_PASSAGE_SAMPLE])
    if letters == 0:
        return "none"
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    if cjk >= 2 and cjk / letters >= 0.5:
        return "cjk"
    if counts["arabic"] >= 2 and counts["arabic"] / letters >= 0.5:
        return "arabic"
    return "other"


_SCRIPT_OF = {
    "zh": "cjk",
    "ja": "cjk",
    "ko": "cjk",
    **dict.fromkeys(_ARABIC_SCRIPT_LANGS, "arabic"),
}


def passage_language(
    text: str, doc_lang: str, *, min_confidence: float = 0.95, trust_doc: bool = False
) -> str:
    """Language of a passage: its own when clearly detected, else its document's.

    A passage keeps the document language unless the detector is confident
    (script decision or probability >= ``min_confidence``) that it differs, so
    code listings, tables and names do not scatter a document over languages.
    With ``trust_doc`` (the input stated the document's language) only
    passages in another script are examined, which skips the statistical
    model for most passages.
    """
    if trust_doc and doc_lang != UNKNOWN:
        script = dominant_script(text)
        if script in ("none", _SCRIPT_OF.get(doc_lang, "other")):
            return doc_lang
    code, conf = detect_with_confidence(text, min_letters=40, sample_chars=_PASSAGE_SAMPLE)
    if code == UNKNOWN:
        return doc_lang
    if doc_lang in (UNKNOWN, code):
        return code
    return code if conf >= min_confidence else doc_lang


def passage_languages(
    passages: list[str], doc_lang: str, *, min_confidence: float = 0.95, trust_doc: bool = False
) -> list[str]:
    """Languages of a document's passages (:func:`passage_language` of each).

    A document cut into one passage only is that passage: it takes the document's
    language, which was decided on more of the same text, without a second look.
    Short news items are mostly one passage, so this halves their language
    identification.

    Examples
    --------
    >>> fr = "Le conseil municipal a voté la nouvelle loi sur les transports hier à Paris."
    >>> passage_languages(["The vote passed.", fr], "en")
    ['en', 'fr']
    >>> passage_languages([fr], "en")  # the document's own language, decided on it
    ['en']
    """
    if len(passages) == 1 and doc_lang != UNKNOWN:
        return [doc_lang]
    return [
        passage_language(text, doc_lang, min_confidence=min_confidence, trust_doc=trust_doc)
        for text in passages
    ]
