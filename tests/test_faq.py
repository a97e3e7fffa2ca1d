"""FAQ header blocks and copyright notices of posted files leave forum text."""

from __future__ import annotations

from topiclab.ingest.clean import clean_text

FAQ_POST = (
    "From: mathew <mathew@mantis.co.uk>\n"
    "Subject: Alt.Atheism FAQ: Atheist Resources\n"
    "Lines: 290\n"
    "\n"
    "Archive-name: atheism/resources\n"
    "Alt-atheism-archive-name: resources\n"
    "Last-modified: 11 December 1992\n"
    "Version: 1.0\n"
    "\n"
    "Darwin fish bumper stickers and assorted other atheist paraphernalia are\n"
    "available from the Freedom From Religion Foundation in the US.\n"
)

CONTEST = (
    "X10th International Obfuscated C Code Contest Rules\n"
    "X\n"
    "XCopyright (c) Landon Curt Noll & Larry Bassel, 1993.\n"
    "XAll Rights Reserved.  Permission for personal, education or non-profit use is\n"
    "Xgranted provided this this copyright and notice are included in its entirety\n"
    "Xand remains unaltered.  All other uses must receive prior permission in writing\n"
    "Xfrom both Landon Curt Noll and Larry Bassel.\n"
    "X\n"
    "X    Obfuscate:  tr.v.  -cated, -cating, -cates.  1. a.  To render obscure.\n"
)


def _doc(text: str):
    return clean_text(text, find_title=False)[0]


def test_faq_header_block_goes_and_is_logged() -> None:
    doc = _doc(FAQ_POST)
    assert "Archive-name" not in doc.text
    assert "Last-modified" not in doc.text
    assert "Version: 1.0" not in doc.text
    assert "Freedom From Religion Foundation" in doc.text
    removed = [e for e in doc.log if e.get("action") == "remove_faq_header"]
    assert len(removed) == 4
    assert all(e["step"] == "faq" for e in removed)


def test_a_post_that_opens_with_a_version_line_keeps_it() -> None:
    text = "Version: 2.1 of the driver is out and fixes the crash on boot.\n\nGet it now."
    assert "Version: 2.1 of the driver" in _doc(text).text


def test_contest_copyright_notice_goes_and_the_rules_stay() -> None:
    doc = _doc(CONTEST)
    assert "Rights Reserved" not in doc.text
    assert "Landon Curt Noll" not in doc.text
    assert "Obfuscated C Code Contest Rules" in doc.text
    assert "To render obscure" in doc.text
    assert sum(e.get("action") == "remove_copyright" for e in doc.log) == 5


def test_copyright_mentioned_in_a_sentence_stays() -> None:
    text = (
        "The court ruled that the copyright (c) of the photos stays with the agency.\n\n"
        "This Journal is Copyright (c) 1993 by the Astronomical Society."
    )
    out = _doc(text).text
    assert "copyright (c) of the photos" in out
    assert "This Journal is Copyright (c) 1993" in out
