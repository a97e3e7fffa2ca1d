"""Unit and property tests of the per-text cleaning steps (repair, boilerplate, meta, split)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topiclab.ingest._lines import normalise, to_lines
from topiclab.ingest.boilerplate import pattern_reason, structure_reason
from topiclab.ingest.clean import clean_text
from topiclab.ingest.meta import header_line_meta, parse_date, strip_header_block
from topiclab.ingest.repair import decide, repair_lines

LONG = (
    "The committee met on Tuesday to review the annual budget and discussed several "
    "proposals for new infrastructure projects across the region, including roads"
)


def _repair(text: str) -> str:
    lines = to_lines(normalise(text))
    log: list[dict] = []
    repair_lines(lines, log)
    return "\n".join(ln.text for ln in lines if ln.role == "body")


# ---------------------------------------------------------------- repair
@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ha", "s", "glue"),
        ("gene", "ration", "glue"),
        ("probl", "em", "glue"),
        ("the", "economy", "space"),
        ("Yiming", "highlighted", "space"),
    ],
)
def test_decide_paragraph_lines(left: str, right: str, expected: str) -> None:
    assert decide(left, right, paragraph_lines=True) == expected


def test_decide_wrapped_lines_needs_strong_evidence() -> None:
    assert decide("thi", "s", paragraph_lines=False) == "glue"
    assert decide("the", "economy", paragraph_lines=False) is None
    assert decide("y", "in", paragraph_lines=False) is None


def test_repair_glues_broken_words_in_paragraph_lines() -> None:
    text = f"{LONG} and this edition of the expo ha\ns attracted around 3,500 exhibitors."
    assert "expo has attracted" in _repair(text)


def test_repair_joins_two_words_with_a_space() -> None:
    text = f"{LONG} and the growth of the\neconomy was strong this year."
    out = _repair(text)
    assert "of the economy was" in out
    assert "theeconomy" not in out


def test_repair_dehyphenates_only_fragments() -> None:
    wrapped = "We looked for descriptions of algo-\nrithms and also for self-\ncorrecting code."
    out = _repair(wrapped)
    assert "algorithms" in out
    assert "self-correcting" in out


@pytest.mark.parametrize(
    "text",
    [
        # a heading followed by a paragraph starting in upper case
        f"Economic outlook\n{LONG}.",
        # a sentence ending at the end of the line
        f"{LONG} ended.\nthe next line starts in lower case but follows a full stop.",
        # next line starts in upper case
        f"{LONG} and the\nEconomy section follows here.",
    ],
)
def test_repair_leaves_line_breaks_that_are_not_breaks(text: str) -> None:
    assert _repair(text) == normalise(text)


def test_repair_keeps_contractions_apart() -> None:
    text = "But I think you're\nreading a lot into one flip sentence of the post here, really."
    assert "you'rereading" not in clean_text(text)[0].text


# ---------------------------------------------------------------- boilerplate
@pytest.mark.parametrize(
    "line",
    [
        "Skip to Content Facebook Feature Image",
        "Recommended Articles",
        "Related stories:",
        "Follow us on Twitter and Facebook",
        "Facebook Twitter WhatsApp Email",
        "تابعونا على لينكيد إن Linked-in لمعرفة كل جديد",
        "نتمنى لكم يوماً مشمساً!",
        "اقرأ أيضاً: تويوتا تطلق سيارة جديدة",
        "© 2024 Example News. All rights reserved.",
        "责任编辑：王明",
        "* * *",
    ],
)
def test_boilerplate_lines_are_recognised(line: str) -> None:
    assert (pattern_reason(line) or structure_reason(line)) is not None


@pytest.mark.parametrize(
    "line",
    [
        "The company declined to comment.",
        "Share prices rose 3 percent on Monday after the announcement.",
        "He said he would follow the rules and share the results with the public.",
        "China",
        "أعلنت الشركة عن نتائجها المالية.",
    ],
)
def test_real_text_is_not_boilerplate(line: str) -> None:
    assert pattern_reason(line) is None
    assert structure_reason(line) is None


def test_short_real_paragraph_survives_cleaning() -> None:
    text = f"{LONG}.\n\nThe company declined to comment.\n\nFollow us on Facebook"
    out = clean_text(text)[0].text
    assert "The company declined to comment." in out
    assert "Follow us" not in out


def test_repeated_section_name_is_removed_but_single_one_kept() -> None:
    text = f"World\n\nWorld\n\n{LONG}.\n\nAsia\n\n{LONG} again."
    out = clean_text(text)[0].text
    assert "World" not in out
    assert "Asia" in out


# ---------------------------------------------------------------- meta
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2024-09-21 17:39 Last Updated At:23:27", {"date": "2024-09-21T17:39"}),
        (
            "Updated: Nov 02,2023 5:30 PM english.sheitc.gov.cn",
            {"date": "2023-11-02T17:30", "source": "english.sheitc.gov.cn"},
        ),
        ("Published: 6 فبراير 2025", {"date": "2025-02-06"}),
        ("آخر تحديث: ١٢ مارس ٢٠٢٤", {"date": "2024-03-12"}),
        ("المصدر: Toyota", {"attribution": "Toyota"}),
        ("发布时间：2025年2月6日 10:30", {"date": "2025-02-06T10:30"}),
    ],
)
def test_header_line_meta(line: str, expected: dict) -> None:
    assert header_line_meta(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "The plant opened on 2 November 2023 in Shanghai with 600 exhibitors.",
        "by the death penalty.",
        "Revenue rose 2024 percent.",
    ],
)
def test_sentences_with_dates_are_not_header_lines(line: str) -> None:
    assert header_line_meta(line) is None


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("2024-02-30") is None
    assert parse_date("31 December 2024") == "2024-12-31"


def test_arabic_dateline_keeps_place_in_text() -> None:
    text = "سولارابيك – شنغهاي، الصين – 6 فبراير 2025: أعلنت شركة تويوتا عن تعاون جديد مع حكومة شنغهاي."
    doc = clean_text(text)[0]
    assert doc.meta["date"] == "2025-02-06"
    assert doc.meta["source"] == "سولارابيك"
    assert doc.text.startswith("شنغهاي، الصين – أعلنت")


def test_english_bare_dateline_goes_to_the_dateline_column_without_a_date() -> None:
    doc = clean_text(f"BEIJING -- {LONG}.")[0]
    assert not doc.text.startswith("BEIJING")
    assert doc.meta["dateline"] == "BEIJING"
    assert "date" not in doc.meta


def test_rfc822_header_block_goes_to_metadata() -> None:
    text = (
        "From: someone@example.org (Some One)\nSubject: Re: engine noise\n"
        "Organization: Example University\nLines: 3\n\nMy engine makes a noise when cold."
    )
    lines = to_lines(normalise(text))
    log: list[dict] = []
    meta = strip_header_block(lines, log)
    assert meta["title"] == "Re: engine noise"
    assert meta["source"] == "Example University"
    doc = clean_text(text)[0]
    assert doc.title == "Re: engine noise"
    assert "From:" not in doc.text and "Lines:" not in doc.text
    assert doc.text == "My engine makes a noise when cold."


def test_key_value_line_in_body_is_not_a_header_block() -> None:
    text = "Note: the meeting moved.\nIt starts at noon on Friday in the main hall."
    assert "Note: the meeting moved." in clean_text(text)[0].text


# ---------------------------------------------------------------- titles and splitting
BODY_A = " ".join(["The factory opened a new production line for electric motors."] * 8)
BODY_B = " ".join(["The minister visited the port to discuss grain exports."] * 8)


def test_repeated_headline_becomes_title_once() -> None:
    text = f"Factory opens motor line\n\nFactory opens motor line\n\n{BODY_A}"
    docs = clean_text(text)
    assert len(docs) == 1
    assert docs[0].title == "Factory opens motor line"
    assert docs[0].text.count("Factory opens motor line") == 1


def test_glued_articles_with_trailing_headlines_are_split() -> None:
    text = (
        f"Factory opens motor line\n\n{BODY_A}\n\nFactory opens motor line\n\n"
        f"Factory opens motor line\n\n{BODY_B}\n\nMinister visits grain port\n\n"
        "Minister visits grain port\n\nRecommended Articles"
    )
    docs = clean_text(text)
    assert [d.title for d in docs] == ["Factory opens motor line", "Minister visits grain port"]
    assert "minister" not in docs[0].text.lower()
    assert "factory" not in docs[1].text.lower()
    assert all("Recommended" not in d.text for d in docs)


def test_normal_article_is_not_split() -> None:
    text = f"Factory opens motor line\n\n{BODY_A}\n\nA second section heading\n\n{BODY_B}"
    docs = clean_text(text)
    assert len(docs) == 1
    assert "A second section heading" in docs[0].text


def test_headline_repeated_at_both_ends_is_one_article() -> None:
    text = f"Factory opens motor line\n\n{BODY_A}\n\nFactory opens motor line"
    docs = clean_text(text)
    assert len(docs) == 1 and docs[0].title == "Factory opens motor line"


def test_first_line_title_and_heading_not_glued() -> None:
    text = "Sino-German cooperation boosts auto industry\n" + BODY_A
    doc = clean_text(text)[0]
    assert doc.title == "Sino-German cooperation boosts auto industry"
    assert doc.paragraphs[0].startswith("The factory")


def test_no_title_when_first_line_is_a_sentence() -> None:
    assert clean_text(BODY_A + "\n" + BODY_B)[0].title is None


def test_wrapped_lines_are_reflowed_into_one_paragraph() -> None:
    text = (
        "This paragraph was wrapped at a fixed width of about seventy\n"
        "characters by a mail program, so each line continues the\n"
        "previous one.\n\nA second paragraph."
    )
    doc = clean_text(text)[0]
    assert doc.paragraphs[0].endswith("continues the previous one.")
    assert doc.paragraphs[1] == "A second paragraph."


def test_log_entries_have_required_fields() -> None:
    docs = clean_text("Skip to content\n" + BODY_A, file="x.txt")
    entry = next(e for e in docs[0].log if e["step"] == "boilerplate")
    assert {"file", "doc_id", "step", "action", "reason", "removed"} <= set(entry)
    assert entry["file"] == "x.txt" and entry["removed"] == "Skip to content"


# ---------------------------------------------------------------- properties
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
_SENTENCE = st.lists(_WORD, min_size=4, max_size=14).map(lambda ws: " ".join(ws).capitalize() + ".")
_PARAGRAPH = st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join)
_DOC = st.lists(_PARAGRAPH, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_cleaner_never_raises_and_is_idempotent_on_arbitrary_text(text: str) -> None:
    first = "\n\n".join(d.text for d in clean_text(text))
    second = "\n\n".join(d.text for d in clean_text(first))
    assert second == first


@settings(max_examples=100, deadline=None)
@given(_DOC)
def test_ordinary_sentences_are_never_dropped(text: str) -> None:
    docs = clean_text(text)
    out = " ".join(d.text for d in docs).split()
    assert sorted(w.strip(".").lower() for w in out) == sorted(
        w.strip(".").lower() for w in text.split()
    )


@settings(max_examples=100, deadline=None)
@given(_DOC)
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean_text(text)
    again = clean_text("\n\n".join(d.text for d in once))
    assert [d.text for d in again] == [d.text for d in once]
