"""Wire-service residue and reply furniture leave news text: credits, datelines, markup.

The strings are written the way wire copy and feeds deliver them (AG News-style feed
items, Usenet posts), so each rule is checked on the text it exists for.
"""

from __future__ import annotations

import json

import pytest

from topiclab.ingest.clean import clean_text
from topiclab.ingest.replies import is_attribution
from topiclab.ingest.wire import repair_markup, strip_lead, strip_title_credit

BODY = "Stocks rose on Monday as investors bet that the central bank would keep rates on hold."


def _clean(text: str) -> tuple[str, dict]:
    doc = clean_text(text, find_title=False)[0]
    assert clean_text(doc.text, find_title=False)[0].text == doc.text  # idempotent
    return doc.text, doc.meta


@pytest.mark.parametrize(
    ("lead", "meta"),
    [
        ("NEW YORK (Reuters) - ", {"dateline": "NEW YORK", "source": "Reuters"}),
        ("SAN FRANCISCO (AP) -- ", {"dateline": "SAN FRANCISCO", "source": "AP"}),
        ("LANGLEY, B.C. (CP) - ", {"dateline": "LANGLEY, B.C.", "source": "CP"}),
        ("BEIJING, Aug. 17 (Xinhuanet) -- ", {"dateline": "BEIJING", "source": "Xinhuanet"}),
        ("KABUL, Afghanistan - ", {"dateline": "KABUL, Afghanistan"}),
        ("AP - ", {"source": "AP"}),
        ("Canadian Press - VANCOUVER (CP) - ", {"source": "Canadian Press"}),
        ("USATODAY.com - ", {"source": "USATODAY.com"}),
        ("(Sports Network) - ", {"source": "Sports Network"}),
        (
            "By MICHAEL LIEDTKE SAN FRANCISCO (AP) -- ",
            {"dateline": "SAN FRANCISCO", "source": "AP", "author": "MICHAEL LIEDTKE"},
        ),
    ],
)
def test_credits_and_wire_datelines_leave_the_text(lead: str, meta: dict) -> None:
    text, found = _clean(f"Markets rally on rate hopes\n\n{lead}{BODY}")
    assert text == f"Markets rally on rate hopes\n\n{BODY}"
    assert {k: found[k] for k in meta} == meta


@pytest.mark.parametrize(
    "sentence",
    [
        "NASA - the space agency - said on Monday that the launch would slip by a week.",
        "The plan - which took two years to draft - was approved by the council.",
        "Toyota (TM) - the carmaker said its profit rose by a third in the quarter.",
        "BEIJING has said that the talks will resume next month in Geneva.",
        "NASA -- The agency said on Monday that the launch would slip by a week.",
        "UPDATE - The company now expects a loss for the year.",
        "QUESTION - Does anyone know a driver for this card?",
        "CHINA - GERMANY TALKS RESUME IN BERLIN",
        "OPEC - the cartel of oil producers - meets in Vienna next week.",
    ],
)
def test_text_that_only_looks_like_a_dateline_stays(sentence: str) -> None:
    text, found = _clean(sentence)
    assert text == sentence
    assert "dateline" not in found


def test_headline_credit_goes_when_it_names_an_agency_a_site_or_the_body_credit() -> None:
    assert strip_title_credit("Ky. Company Wins Grant to Study Peptides (AP)") == (
        "Ky. Company Wins Grant to Study Peptides",
        "AP",
    )
    assert strip_title_credit("Second Team Sets Launch Date (SPACE.com)")[1] == "SPACE.com"
    assert strip_title_credit("Oracle Revamps CRM (NewsFactor)")[1] == "NewsFactor"
    # an unknown bracket stays unless the body confirms it as a credit
    assert strip_title_credit("Apple Ships Tiger (PC World)")[1] is None
    text, found = _clean("Apple Ships Tiger (PC World)\n\nPC World - " + BODY)
    assert text == "Apple Ships Tiger\n\n" + BODY and found["source"] == "PC World"
    # ordinary brackets at the end of a headline stay
    assert strip_title_credit("Talks with Iran (and survived)")[1] is None
    assert strip_title_credit("Toyota Opens Plant (Photos)")[1] is None


def test_headline_credit_repeated_in_the_body_leaves_no_echo() -> None:
    text, found = _clean("Ky. Company Wins Grant (AP)\n\nAP - A company founded by a chemist won.")
    assert "AP" not in text.split()
    assert found["source"] == "AP"


def test_escaped_markup_is_decoded_and_stripped() -> None:
    raw = (
        'Staples Profit Up\n\nNEW YORK (Reuters) - Staples Inc. &lt;A HREF="http://www.investor'
        '.reuters.com/FullQuote.aspx?ticker=SPLS.O target=/stocks/quickinfo/fullquote"&gt;'
        "SPLS.O&lt;/A&gt;, the top U.S. office retailer, and Apple Computer Inc.&lt;AAPL.O&gt; "
        "said Sun #39;s  #36;10 million deal was  quot;good quot; for AT&amp;amp;T."
    )
    text, _ = _clean(raw)
    assert "HREF" not in text and "quickinfo" not in text and "SPLS" not in text
    assert "AAPL" not in text and "&" not in text.replace("AT&T", "")
    assert "Staples Inc., the top U.S. office retailer" in text
    assert "Sun's $10 million deal" in text and "AT&T" in text
    assert '"good "' in text


def test_markup_repair_leaves_comparisons_and_unknown_brackets() -> None:
    assert repair_markup("if x < y and y > z then") == ("if x < y and y > z then", [])
    assert repair_markup("<b>Bold</b> claim")[0] == "Bold claim"
    assert repair_markup("the #1 seed; quoting") == ("the #1 seed; quoting", [])


def test_lead_rules_report_nothing_on_plain_text() -> None:
    assert strip_lead(BODY) == (BODY, {})


def test_given_titles_lose_markup_and_credits(tmp_path) -> None:
    from topiclab.ingest import load

    rec = {
        "id": "a1",
        "title": "Sun #39;s Looking Glass Provides 3D View (AP)",
        "text": "Sun #39;s Looking Glass Provides 3D View (AP)\n\nAP - Developers get early "
        "code for a new operating system skin that is still being crafted by the company.",
    }
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    corpus = load(path)
    doc = corpus.documents.iloc[0]
    assert doc["title"] == "Sun's Looking Glass Provides 3D View"
    assert "(AP)" not in doc["text"] and "AP -" not in doc["text"]
    actions = set(corpus.log_frame()["action"])
    assert {"repair_markup", "remove_title_credit", "remove_credit_dateline"} <= actions


# ------------------------------------------------------------------ replies
POST = """From: someone@example.org (Some One)
Subject: Re: engine noise
Lines: 12

In article <1993Apr5.123@cs.example.edu>, steve@example.edu (Steve Manes) writes:
>The engine makes a ticking noise when it is cold and the noise stops when warm.
>--
>Steve Manes   steve@example.edu
>Manes and Associates, New York NY

That is the valve lifters; change the oil and use a lighter grade in the winter months.

--
John Cavallino | EMail: jcav@example.edu
USMail: 5841 S. Maryland Ave, Chicago IL
"""


def test_attribution_lines_and_signatures_leave_a_post() -> None:
    text, _ = _clean(POST)
    assert "Manes" not in text and "Cavallino" not in text and "writes" not in text
    assert ">The engine makes a ticking noise" in text  # the quotation itself stays
    assert "valve lifters" in text
    log = clean_text(POST)[0].log
    assert {e["action"] for e in log if e["step"] == "replies"} == {
        "remove_attribution",
        "remove_signature",
    }


@pytest.mark.parametrize(
    "line",
    [
        "In article <C514ut.A5I@magpie.linknet.com>, manes@magpie.linknet.com writes:",
        "> In article <1pq@x.edu> jd@x.edu (John Doe) wrote:",
        "jcav@ellis.uchicago.edu (JohnC) says:",
        "On Mon, 5 Apr 1993 10:00:01 GMT, Jane Roe <jane@x.org> wrote:",
        "Norman Hamer (maven@eskimo.com) wrote:",
    ],
)
def test_attribution_lines_are_recognised(line: str) -> None:
    assert is_attribution(line)


@pytest.mark.parametrize(
    "line",
    [
        "The minister writes: the plan is ready and will be published next week.",
        "In a statement, the company said it would appeal the ruling.",
        "As Orwell wrote: all animals are equal.",
    ],
)
def test_sentences_about_writing_are_not_attributions(line: str) -> None:
    assert not is_attribution(line)


def test_a_dash_line_followed_by_long_text_is_not_a_signature() -> None:
    para = " ".join([BODY] * 3)
    text, _ = _clean(f"{para}\n\n--\n\n{para}")
    assert text.count("Stocks rose") == 6


def test_a_dash_in_a_headline_is_not_a_dateline() -> None:
    text, found = _clean(f"CHINA - GERMANY TALKS RESUME\n\n{BODY}")
    assert text.startswith("CHINA - GERMANY TALKS RESUME")
    assert "dateline" not in found


@pytest.mark.parametrize(
    ("lead", "place"),
    [
        ("NEW YORK - ", "NEW YORK"),
        ("WASHINGTON -- ", "WASHINGTON"),
        ("BEIJING -- ", "BEIJING"),
        ("LOS ANGELES – ", "LOS ANGELES"),
    ],
)
def test_bare_wire_dateline_goes_to_the_dateline_column(lead: str, place: str) -> None:
    text, found = _clean(f"{lead}{BODY}")
    assert text == BODY
    assert found["dateline"] == place
    assert "source" not in found
    doc = clean_text(f"{lead}{BODY}", find_title=False)[0]
    assert any(e.get("action") == "remove_credit_dateline" for e in doc.log)


def test_bare_dateline_after_a_headline_goes_but_a_headline_dash_stays() -> None:
    text, found = _clean(f"Markets rally on rate hopes\n\nNEW YORK - {BODY}")
    assert text == f"Markets rally on rate hopes\n\n{BODY}"
    assert found["dateline"] == "NEW YORK"
    text, found = _clean(f"CHINA - GERMANY TALKS\n\n{BODY}")
    assert text.startswith("CHINA - GERMANY TALKS")
    assert "dateline" not in found
