"""Tests for language-aware tokenisation (topiclab.features.tokenize)."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topiclab.features.tokenize import (
    Tokenizer,
    canonical_lang,
    normalize_arabic,
    normalize_text,
    stop_words,
    tokenize,
)

# --------------------------------------------------------------------------- English


def test_english_stop_words_numbers_and_boilerplate_dropped():
    toks = tokenize("The company said on Monday that 3,500 exhibitors came in 2024 and 31st.")
    assert toks == ["company", "exhibitor"]


def test_english_lemmas_are_plural_to_singular_only():
    toks = tokenize("batteries vehicles NEVs EVs data driving manufacturing forces news")
    assert toks == [
        "battery",
        "vehicle",
        "nev",
        "ev",
        "data",
        "driving",
        "manufacturing",
        "force",
        "news",
    ]


def test_english_plural_names_kept():
    assert tokenize("the United States and other states") == ["united", "states", "state"]


def test_english_no_lemmatisation_option():
    assert tokenize("batteries NEVs", lemmatize=False) == ["batteries", "nevs"]


def test_english_hyphens_apostrophes_and_case():
    toks = tokenize("China’s problem-solving skills; Toyota's cutting-edge co-operation.")
    assert toks == ["china", "problem-solving", "skill", "toyota", "cutting-edge", "co-operation"]


def test_english_hyphenated_plural_lemmatises_last_part():
    assert tokenize("vehicle-batteries") == ["vehicle-battery"]


def test_english_keep_numbers_and_min_len_options():
    assert tokenize("5G CO2 in 2024", keep_numbers=True) == ["5g", "co2", "2024"]
    assert "5g" in tokenize("5G networks")
    assert tokenize("AI is an ox", min_token_len=3) == []


def test_english_us_acronym_and_urls():
    toks = tokenize("The U.S. and US firms; see https://example.com/x or mail a@b.org")
    assert toks == ["usa", "usa", "firm", "mail"]


def test_english_topical_words_kept_but_boilerplate_removed():
    sw = stop_words("en")
    assert {"new", "state", "system", "research", "world"}.isdisjoint(sw)
    assert {"said", "told", "according", "also", "would", "mr", "january", "the"} <= sw


def test_extra_stop_words():
    assert tokenize("Toyota batteries", extra_stop_words=("Toyota",)) == ["battery"]


# --------------------------------------------------------------------------- Arabic


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمال", "امال"),
        ("ٱلله", "الله"),
        ("مدرسة", "مدرسه"),
        ("مستشفى", "مستشفي"),
        ("كَتَبَ", "كتب"),
        ("عـــلـم", "علم"),
    ],
)
def test_normalize_arabic(raw, expected):
    assert normalize_arabic(raw) == expected


def test_arabic_conjunction_and_article_share_stem():
    (stem,) = tokenize("والسيارات", "ar")
    (plain,) = tokenize("سيارات", "ar")
    assert stem == plain == "سيارات"
    assert tokenize("للسيارات بالسيارات السيارات", "ar") == ["سيارات"] * 3


def test_arabic_short_and_lexical_words_not_destroyed():
    # "وزير" (minister) starts with a root waw, "بطاريات" with a root ba, "ألماني"
    # (German) with alef-lam; "الم" (pain) is too short for the article to be removed.
    assert tokenize("وزير بطاريات ألماني الم", "ar") == ["وزير", "بطاريات", "الماني", "الم"]


def test_arabic_stop_words_and_latin_tokens():
    toks = tokenize("قال إن هذه شركة تويوتا “Toyota Motor” وFAW في 2025", "ar")
    assert toks == ["شركه", "تويوتا", "toyota", "motor", "faw"]
    assert "هذه" in stop_words("ar") and "في" in stop_words("ar")


def test_arabic_conjunction_before_stop_word_dropped():
    assert tokenize("وهذا والذي", "ar") == []


# --------------------------------------------------------------------------- Chinese


def test_chinese_segmentation_multi_char_and_deterministic():
    first = tokenize("新能源汽车智能驾驶", "zh")
    assert first == ["新能源", "汽车", "智能", "驾驶"]
    assert all(len(t) >= 2 for t in first)
    assert [tokenize("新能源汽车智能驾驶", "zh") for _ in range(3)] == [first] * 3


def test_chinese_particles_punctuation_dropped_and_latin_lowercased():
    toks = tokenize("比亚迪的FAW新车了，发布5G技术！", "zh")
    assert "的" not in toks and "了" not in toks and "，" not in toks
    assert "faw" in toks and "5g" in toks and "比亚迪" in toks


def test_jieba_does_not_print(capfd):
    code = "from topiclab.features.tokenize import tokenize; tokenize('储能产业', 'zh')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout == "" and proc.stderr == ""


# --------------------------------------------------------------------------- other


def test_unknown_language_falls_back_and_warns_once(caplog):
    with caplog.at_level(logging.WARNING, logger="topiclab.features.tokenize"):
        first = tokenize("Hallo Welt, grüße 123!", "qq")
        second = tokenize("noch einmal", "qq")
    assert first == ["hallo", "welt", "grüße"]
    assert second == ["noch", "einmal"]
    assert sum("qq" in r.getMessage() for r in caplog.records) == 1


def test_language_tags_canonicalised():
    assert canonical_lang("zh-Hans") == "zh"
    assert canonical_lang("arb_Arab") == "ar"
    assert canonical_lang(None) == "und"
    assert tokenize("储能产业", "zh-CN") == tokenize("储能产业", "zh")


def test_zero_width_and_control_characters():
    assert normalize_text("ener\u200bgy\x07storage\ufeff") == "energy storage"
    assert tokenize("bat\u200cteries\u0000 sto\u00adrage") == ["battery", "storage"]
    assert tokenize("ＦＡＷ") == ["faw"]  # NFKC folds full-width letters


def test_tokenizer_is_picklable_and_an_sklearn_analyzer():
    from sklearn.feature_extraction.text import CountVectorizer

    tok = Tokenizer(extra_stop_words=["toyota"])
    clone = pickle.loads(pickle.dumps(tok))
    assert clone == tok and clone.extra_stop_words == ("toyota",)
    vec = CountVectorizer(analyzer=clone).fit(["Toyota batteries", "vehicles"])
    assert sorted(vec.vocabulary_) == ["battery", "vehicle"]


def test_tokenize_many_routes_languages():
    out = Tokenizer().tokenize_many(["batteries", "البطاريات", "电池储能"], ["en", "ar", "zh"])
    assert out == [["battery"], ["بطاريات"], ["电池", "储能"]]


def test_import_is_light():
    code = (
        "import sys, topiclab.features.tokenize; "
        "print(any(m in sys.modules for m in ('gensim', 'jieba', 'sklearn', 'torch')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=200), lang=st.sampled_from(["en", "ar", "zh", "xx", "", "EN-us"]))
def test_tokenize_never_raises(text, lang):
    toks = tokenize(text, lang)
    assert isinstance(toks, list)
    assert all(isinstance(t, str) and t and not t.isspace() for t in toks)
