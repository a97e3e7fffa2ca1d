"""Duplicate removal, language identification and passage segmentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from topiclab.ingest import load, make_doc_id
from topiclab.ingest.dedupe import Deduplicator, shingles, text_hash
from topiclab.ingest.lang import detect, passage_language
from topiclab.ingest.segment import segment, split_sentences

ARTICLE = (
    "The central bank raised interest rates by a quarter point on Wednesday, citing "
    "persistent inflation in services and a tight labour market. Officials said further "
    "increases were possible if price pressures did not ease over the coming months. "
    "Markets had largely expected the move, and bond yields changed little after the "
    "announcement. Analysts noted that the statement was more cautious than in March."
)


# ---------------------------------------------------------------- dedupe
def test_exact_duplicates_ignore_layout_and_punctuation() -> None:
    assert text_hash("Hello,  World!\n") == text_hash("hello world")
    d = Deduplicator()
    assert d.check("a", ARTICLE) is None
    assert d.check("b", ARTICLE.replace(" ", "  ").upper()) == ("exact", "a", 1.0)


def test_near_duplicate_found_and_different_text_kept() -> None:
    d = Deduplicator(threshold=0.8)
    assert d.check("a", ARTICLE) is None
    near = ARTICLE.replace("Analysts noted", "Economists said")
    kind, kept, sim = d.check("b", near)
    assert (kind, kept) == ("near", "a") and sim >= 0.8
    other = "A new library opened downtown with a large collection of maps and rare books. " * 3
    assert d.check("c", other) is None


def test_near_duplicates_off() -> None:
    d = Deduplicator(threshold=None)
    d.check("a", ARTICLE)
    assert d.check("b", ARTICLE.replace("Analysts noted", "Economists said")) is None


def test_shingles_are_stable_and_cjk_uses_characters() -> None:
    assert (shingles(ARTICLE) == shingles(ARTICLE)).all()
    assert len(shingles("中国传统产业拥抱高科技")) == len("中国传统产业拥抱高科技") - 4
    assert len(shingles("")) == 0


def test_load_drops_duplicates_and_logs_them(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE + "\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(ARTICLE + " Read the statement.", encoding="utf-8")
    corpus = load(tmp_path)
    assert len(corpus) == 1
    dropped = [e for e in corpus.log if e["step"] == "dedupe"]
    assert {e["action"] for e in dropped} == {"drop_exact_duplicate", "drop_near_duplicate"}
    assert all(e["duplicate_of"] == corpus.documents["doc_id"].iloc[0] for e in dropped)
    assert len(load(tmp_path, dedupe=False)) == 3


# ---------------------------------------------------------------- language
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (ARTICLE, "en"),
        ("أعلنت شركة تويوتا عن تعاون استراتيجي مع حكومة بلدية شنغهاي لدعم التنمية", "ar"),
        ("中国传统产业拥抱高科技，绿色转型步伐加快", "zh"),
        ("Die Zentralbank hat die Zinsen am Mittwoch um einen Viertelpunkt erhöht.", "de"),
        ("تلتزم تويوتا بمبدأ “Toyota Motor Corporation” صناعة سيارات أفضل في الصين", "ar"),
        ("", "und"),
        ("12345 !!!", "und"),
        ("ok", "und"),
    ],
)
def test_detect(text: str, lang: str) -> None:
    assert detect(text) == lang


def test_passage_language_falls_back_to_document() -> None:
    assert passage_language("BMW AG", "ar") == "ar"
    assert passage_language(ARTICLE, "ar") == "en"
    assert (
        passage_language("مرحبا بكم في المؤتمر الدولي للطاقة في شنغهاي", "en", trust_doc=True)
        == "ar"
    )


FRENCH = (
    "Le conseil municipal a voté hier soir la nouvelle loi sur les transports publics. "
    "Les élus de l'opposition ont dénoncé un texte préparé trop vite, sans consultation "
    "des habitants, et demandent un nouveau débat avant la fin de l'année prochaine."
)


def test_one_passage_documents_are_identified_once_others_per_passage(monkeypatch) -> None:
    from topiclab.ingest import from_texts, lang

    real = lang._identifier()
    calls: list[str] = []

    class Counting:
        def classify(self, text: str):
            calls.append(text)
            return real.classify(text)

    monkeypatch.setattr(lang, "_identifier", lambda: Counting())
    other = (
        "The city council approved a new budget for public transport on Tuesday night. "
        "Buses will run every ten minutes on the main routes from next spring, and two "
        "tram lines are to be extended to the northern suburbs by the end of the decade."
    )
    texts = [ARTICLE, other, f"{other}\n\n{FRENCH}"]
    corpus = from_texts(texts, n_jobs=1, min_words=20)
    assert len(corpus) == 3
    langs = corpus.passages.groupby("doc_id", sort=False)["lang"].agg(list)
    assert [langs[make_doc_id(f"text:{i}", 0)] for i in range(3)] == [["en"], ["en"], ["en", "fr"]]
    # one call per document, plus one per passage of the two-passage document only
    assert len(calls) == 3 + 2


def test_a_long_text_is_judged_on_its_start_unless_that_is_uncertain(monkeypatch) -> None:
    from topiclab.ingest import lang

    real = lang._identifier()
    calls: list[int] = []

    class Counting:
        def classify(self, text: str):
            calls.append(len(text))
            return real.classify(text)

    monkeypatch.setattr(lang, "_identifier", lambda: Counting())
    long_en = " ".join([ARTICLE] * 4)
    assert lang.detect_with_confidence(long_en)[0] == "en" and calls == [lang._QUICK]
    calls.clear()
    # its first characters are a list of names: not certain, so the full sample is read
    mixed = "Kuala Lumpur, Jakarta, Manila, Hanoi, Bangkok, Yangon. " * 5 + long_en
    assert lang.detect_with_confidence(mixed)[0] == "en"
    assert calls == [lang._QUICK, lang._SAMPLE]
    calls.clear()
    short = ARTICLE[: 2 * lang._QUICK]  # too short for two readings
    lang.detect_with_confidence(short)
    assert calls == [len(short)]


# ---------------------------------------------------------------- segmentation
def test_short_paragraphs_are_merged() -> None:
    paras = ["Short title", "One short paragraph.", ARTICLE]
    out = segment(paras, min_words=20, max_words=250)
    assert len(out) == 1
    assert out[0].startswith("Short title\n\nOne short paragraph.")


def test_long_paragraph_split_at_sentences() -> None:
    para = " ".join([ARTICLE] * 6)  # about 360 words
    out = segment([para], min_words=40, max_words=100)
    assert len(out) >= 4
    assert all(len(p.split()) <= 100 for p in out)
    assert all(p.endswith(".") for p in out)
    assert " ".join(out).split() == para.split()


def test_single_overlong_sentence_is_cut() -> None:
    sentence = " ".join(["word"] * 600)
    out = segment([sentence], min_words=40, max_words=250)
    assert [len(p.split()) for p in out] == [250, 250, 100]


def test_chinese_counts_characters() -> None:
    sentence = "中国传统产业正在加快向高端化、智能化、绿色化转型。"
    para = sentence * 40  # 1,000 characters, about 500 word units
    out = segment([para], min_words=40, max_words=250)
    assert len(out) >= 2
    assert "".join(out) == para
    assert all(len(p) <= 520 for p in out)


def test_split_sentences_arabic_and_cjk() -> None:
    assert split_sentences("جملة أولى. جملة ثانية؟ ثالثة") == ["جملة أولى.", "جملة ثانية؟", "ثالثة"]
    assert split_sentences("第一句。第二句！") == ["第一句。", "第二句！"]


def test_segment_validates_bounds() -> None:
    with pytest.raises(ValueError):
        segment(["x"], min_words=50, max_words=10)


def test_doc_ids_are_stable() -> None:
    assert make_doc_id("a.txt", 0) == make_doc_id("a.txt", 0)
    assert make_doc_id("a.txt", 0) != make_doc_id("a.txt", 1)


def test_load_passages_respect_bounds(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("\n\n".join([ARTICLE] * 12), encoding="utf-8")
    corpus = load(tmp_path, dedupe=False, min_words=30, max_words=120)
    sizes = corpus.passages["text"].str.split().str.len()
    assert sizes.max() <= 120 and sizes.min() >= 30
    assert (corpus.passages["lang"] == "en").all()
