"""The HTML report: self-contained, escaped, atomic, and carrying every theme and document."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topiclab.outputs.report import render_report, report_data, script_json, write_report
from topiclab.themes import RunResult, Theme, ThemeTable

XSS_TITLE = "Breaking <script>alert(1)</script> news"
XSS_TEXT = (
    "Markets & power: AT&amp;T said <img src=x onerror=alert(1)> and "
    "</script><script>window.__xss=1</script> while\u2028lines\u2029split "
    '<img src=x onerror="window.__xss=2">.'
)
SVG_NS = "http://www.w3.org/2000/svg"

_THEMES = {
    0: {
        "en": "battery storage grid solar energy power plant renewable",
        "ar": "الطاقة البطاريات الشبكة الشمسية تخزين الكهرباء",
        "zh": "电池 储能 电网 太阳能 能源 发电",
    },
    1: {
        "en": "election vote parliament campaign ballot minister party",
        "ar": "الانتخابات التصويت البرلمان الحملة الحزب الوزير",
        "zh": "选举 投票 议会 竞选 政党 部长",
    },
    2: {
        "en": "football match goal league coach season stadium",
        "ar": "كرة القدم المباراة الهدف الدوري المدرب الموسم",
        "zh": "足球 比赛 进球 联赛 教练 赛季",
    },
}
_LABELS = {
    0: "energy storage · battery · grid",
    1: "election · vote · parliament",
    2: "football · match · goal",
}


def synthetic_result(n_docs_per_cell: int = 2, seed: int = 0) -> RunResult:
    """A small run over English, Arabic and Chinese news with planted themes and hostile text."""
    rng = np.random.default_rng(seed)
    centres = {0: (-4.0, 2.0), 1: (3.0, 3.0), 2: (0.0, -3.5), -1: (0.0, 0.0)}
    docs, passages = [], []
    for theme, words in _THEMES.items():
        for lang, vocab in words.items():
            sep = "" if lang == "zh" else " "
            toks = vocab.split()
            for k in range(n_docs_per_cell):
                doc_id = f"d{theme}{lang}{k}"
                texts = [sep.join(rng.permutation(toks)) for _ in range(3)]
                title = f"{toks[0]}{sep}{toks[1]} {k}"
                docs.append((doc_id, title, lang, theme, texts))
    # one hostile English article in theme 0, with a passage left unassigned
    docs.append(("dxss", XSS_TITLE, "en", 0, [XSS_TEXT, XSS_TITLE, "noise passage about nothing"]))
    doc_rows, mix_rows = [], {}
    for i, (doc_id, title, lang, theme, texts) in enumerate(docs):
        doc_rows.append(
            {
                "doc_id": doc_id,
                "source_file": f"{doc_id}.txt",
                "title": title,
                "date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=i),
                "source": "wire" if i % 2 else "daily",
                "lang": lang,
                "text": "\n\n".join(texts),
                "n_passages": len(texts),
            }
        )
        mix = np.full(3, 0.05)
        mix[theme] = 0.9
        mix_rows[doc_id] = mix / mix.sum()
        for j, text in enumerate(texts):
            t = -1 if doc_id == "dxss" and j == 2 else theme
            cx, cy = centres[t]
            passages.append(
                {
                    "passage_id": f"{doc_id}:{j}",
                    "doc_id": doc_id,
                    "lang": lang,
                    "text": text,
                    "theme": t,
                    "theme_label": _LABELS.get(t, "unassigned"),
                    "theme_score": float(rng.uniform(0.5, 1.0)),
                    "lda_topic": max(t, 0) % 2,
                    "lda_label": f"topic {max(t, 0) % 2}",
                    "x": cx + rng.normal(scale=0.6),
                    "y": cy + rng.normal(scale=0.6),
                }
            )
    passages_df = pd.DataFrame(passages)
    themes = []
    for t, words in _THEMES.items():
        members = passages_df[passages_df["theme"] == t]
        terms = {
            lang: [(w, 1.0 / (r + 1)) for r, w in enumerate(v.split())] for lang, v in words.items()
        }
        terms["en"].insert(0, ("energy_storage" if t == 0 else "<b>bold</b>", 1.5))
        terms["all"] = [tw for lang in ("en", "ar", "zh") for tw in terms[lang][:3]]
        reps = [
            {
                "passage_id": row.passage_id,
                "doc_id": row.doc_id,
                "lang": row.lang,
                "text": row.text,
                "score": float(row.theme_score),
            }
            for row in members.groupby("lang").head(1).itertuples()
        ]
        if t == 0:
            reps.insert(
                0,
                {
                    "passage_id": "dxss:0",
                    "doc_id": "dxss",
                    "lang": "en",
                    "text": XSS_TEXT,
                    "score": 0.99,
                },
            )
        themes.append(
            Theme(
                id=t,
                label=_LABELS[t],
                size=len(members),
                terms=terms,
                languages=members["lang"].value_counts().to_dict(),
                representative=reps,
                coherence={"npmi": 0.1 * (t + 1), "c_v": float("nan") if t == 2 else 0.5},
            )
        )
    topics = [
        Theme(
            id=k,
            label=f"topic {k}",
            size=10,
            terms={"all": [("vote", 0.2), ("grid", 0.1)]},
            languages={"en": 10},
            coherence={"npmi": 0.05},
        )
        for k in range(2)
    ]
    doc_themes = pd.DataFrame.from_dict(mix_rows, orient="index", columns=[0, 1, 2])
    doc_themes.index.name = "doc_id"
    doc_topics = pd.DataFrame(0.5, index=doc_themes.index, columns=[0, 1])
    cleaning_log = [
        {
            "file": "a.html",
            "step": "decode",
            "action": "repaired",
            "before": "Ã©",
            "after": "é",
            "reason": "mojibake",
        },
        {
            "file": "a.html",
            "step": "boilerplate",
            "action": "removed",
            "removed": "<script>alert(1)</script> Subscribe now",
            "reason": "script block",
        },
        {
            "file": "b.txt",
            "step": "split",
            "action": "split",
            "before": 1,
            "after": 3,
            "reason": "glued articles",
        },
        {
            "file": "c.txt",
            "step": "dedupe",
            "action": "dropped",
            "reason": "near duplicate of b.txt",
        },
        {
            "file": "c.txt",
            "step": "boilerplate",
            "action": "removed",
            "removed": "Cookie policy",
            "reason": "footer",
        },
    ]
    return RunResult(
        config={"seed": seed},
        documents=pd.DataFrame(doc_rows),
        passages=passages_df,
        themes=ThemeTable("embedding", themes),
        topics=ThemeTable("lda", topics),
        doc_themes=doc_themes,
        doc_topics=doc_topics,
        metrics={"embedding": {"npmi": 0.12, "silhouette": float("nan")}, "lda": {"c_v": 0.4}},
        meta={
            "embedding_model": "all-MiniLM-L6-v2",
            "corpus_fingerprint": "abc123",
            "languages": {"en": 7, "ar": 6, "zh": 6},
        },
        cleaning_log=cleaning_log,
    )


class _Collector(HTMLParser):
    """Tags, attributes and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script":
                self.scripts.append((dict(attrs), ""))
            else:
                self.styles.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._in == "style":
            self.styles[-1] += data


@pytest.fixture(scope="module")
def result() -> RunResult:
    return synthetic_result()


@pytest.fixture(scope="module")
def page(result: RunResult) -> str:
    return render_report(result, title="Report <b>&</b> test")


@pytest.fixture(scope="module")
def parsed(page: str) -> _Collector:
    p = _Collector()
    p.feed(page)
    p.close()
    return p


def _data_block(page: str) -> tuple[int, int]:
    start = page.index('<script type="application/json" id="data">')
    start = page.index(">", start) + 1
    return start, page.index("</script>", start)


def test_write_report_is_atomic_and_returns_path(result, tmp_path):
    target = tmp_path / "out" / "report.html"
    got = write_report(result, target)
    assert got == target and target.is_file()
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_failed_render_keeps_previous_report(result, tmp_path):
    target = tmp_path / "report.html"
    write_report(result, target)
    before = target.read_bytes()
    broken = synthetic_result()
    broken.documents = None  # not a table
    with pytest.raises(Exception):  # noqa: B017 - any failure must leave the file alone
        write_report(broken, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_render_is_deterministic(result):
    assert render_report(result) == render_report(result)


def test_page_is_self_contained(page, parsed):
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not re.match(r"^(https?:)?//", value), (tag, name, value)
        assert not (tag == "script" and "src" in attrs), "external script"
        assert not (tag == "link" and (attrs.get("rel") or "").lower() == "stylesheet")
        if tag == "a":
            assert (attrs.get("href") or "").startswith("#")
    # outside the data block the only URL is the SVG namespace name used by the script
    start, end = _data_block(page)
    outside = page[:start] + page[end:]
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>)]*", outside))
    assert urls <= {SVG_NS, SVG_NS.removeprefix("http:")}
    assert "@import" not in "".join(parsed.styles) and "url(" not in "".join(parsed.styles)


def test_content_security_policy_forbids_network(parsed):
    csp = [a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv")]
    assert len(csp) == 1
    policy = dict(d.strip().split(" ", 1) for d in csp[0].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "data:"
    assert "http" not in csp[0] and "*" not in csp[0]
    # the hashes cover exactly the inline script and style of the page
    code = [text for attrs, text in parsed.scripts if "type" not in attrs]
    assert len(code) == 1 and len(parsed.styles) == 1

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy["script-src"] == sha(code[0])
    assert policy["style-src"] == sha(parsed.styles[0])
    charset = [a for t, a in parsed.tags if t == "meta" and "charset" in a]
    assert charset and charset[0]["charset"].lower() == "utf-8"


def test_data_block_round_trips(result, page, parsed):
    blocks = [text for attrs, text in parsed.scripts if attrs.get("type") == "application/json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data == json.loads(json.dumps(report_data(result)))
    assert [t["id"] for t in data["themes"]] == [t.id for t in result.themes]
    assert [t["label"] for t in data["themes"]] == result.themes.labels()
    assert [v["name"] for v in data["views"]] == ["embedding", "lda"]
    assert [v["main"] for v in data["views"]] == [True, False]
    lda = data["views"][1]
    assert lda["title"] == "LDA topics" and lda["anchor"] == "view-lda"
    assert lda["n_themes"] == len(result.topics) == len(lda["themes"])
    assert [t["label"] for t in lda["themes"]] == result.topics.labels()
    assert lda["metrics"] == [["c_v", 0.4]]
    assert data["views"][0]["themes"] == data["themes"]
    assert len(data["points"]["x"]) == len(result.passages)
    assert data["points"]["theme"].count(-1) == 1
    assert [d["id"] for d in data["documents"]] == result.documents["doc_id"].tolist()
    assert data["cleaning"]["n_records"] == len(result.cleaning_log)
    assert len(data["cleaning"]["records"]) == len(result.cleaning_log)
    assert sum(c[2] for c in data["cleaning"]["counts"]) == len(result.cleaning_log)
    assert data["summary"]["n_passages"] == len(result.passages)
    # hostile text comes back unchanged
    titles = {d["id"]: d["title"] for d in data["documents"]}
    assert titles["dxss"] == XSS_TITLE
    assert XSS_TEXT in data["points"]["text"]
    assert data["themes"][0]["representative"][0]["text"] == XSS_TEXT
    # mixtures sum to about 1 and the dominant theme is the planted one
    for d in data["documents"]:
        assert abs(sum(w for _, w in d["mix"]) - 1) < 0.01
    assert {d["id"]: d["dominant"] for d in data["documents"]}["d2ar0"] == 2
    # non-finite numbers become null instead of invalid JSON
    assert data["themes"][2]["coherence"]["c_v"] is None
    assert ["embedding.silhouette", None] in data["metrics"]


def test_arabic_and_chinese_terms_are_kept(page):
    data = json.loads(page[slice(*_data_block(page))])
    langs = [lt[0] for lt in data["themes"][0]["terms"]]
    assert langs == ["en", "ar", "zh", "all"]
    ar = dict(data["themes"][1]["terms"])["ar"]
    assert ar[0][0] == "الانتخابات"


def test_corpus_markup_is_only_ever_escaped(page, parsed):
    start, end = _data_block(page)
    assert "<script>alert(1)" not in page
    for needle in ("<script>window", "<img src=x", "</script><script>"):
        assert needle not in page
    # outside the data block corpus text appears only HTML-escaped (the static sections)
    outside = page[:start] + page[end:]
    assert "&lt;img src=x onerror=alert(1)&gt;" in outside
    assert "&lt;/script&gt;&lt;script&gt;window.__xss=1" in outside
    assert "\\u003cscript" not in outside
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page[start:end]
    assert "\u2028" not in page and "\u2029" not in page
    assert "&amp;T" not in page[start:end] and "\\u0026amp;T" in page[start:end]
    # exactly two scripts: the data and the page code; no event-handler attributes
    assert len(parsed.scripts) == 2
    assert not [(t, k) for t, a in parsed.tags for k in a if k.lower().startswith("on")]
    assert not [t for t, _ in parsed.tags if t in ("iframe", "object", "embed")]
    # the one image is the static passage map, inline
    images = [a for t, a in parsed.tags if t == "img"]
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")


def test_title_is_escaped(page):
    assert "<title>Report &lt;b&gt;&amp;&lt;/b&gt; test</title>" in page
    assert "<b>&</b>" not in page


def test_script_json_escapes_closing_sequences():
    text = script_json({"a": "</script><!-- &\u2028\u2029 >"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!-- &\u2028\u2029 >"}


def test_missing_columns_and_odd_values_still_render(tmp_path):
    res = synthetic_result(n_docs_per_cell=1)
    res.passages = res.passages.drop(columns=["x", "y"])
    res.documents = res.documents.drop(columns=["date", "source"])
    res.documents.loc[0, "title"] = None
    res.doc_themes.columns = [str(c) for c in res.doc_themes.columns]
    res.cleaning_log = []
    res.passages.loc[0, "lang"] = None
    res.themes[0].representative[0]["lang"] = "None"
    res.meta = {"title": "From meta", "when": pd.Timestamp("2024-05-01"), "k": np.int64(3)}
    path = write_report(res, tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    assert "<title>From meta</title>" in page
    data = json.loads(page[slice(*_data_block(page))])
    assert set(data["points"]["x"]) == {None}
    assert data["documents"][0]["title"] == data["documents"][0]["id"]
    assert data["documents"][0]["dominant"] == 0
    assert data["cleaning"] == {"n_records": 0, "n_files": 0, "counts": [], "records": []}
    assert ["k", 3] in data["meta"]
    assert data["points"]["lang"][0] == "und"
    assert data["themes"][0]["representative"][0]["lang"] == "und"


def test_empty_run_renders(tmp_path):
    empty = RunResult(
        config={},
        documents=pd.DataFrame(columns=["doc_id", "title", "lang", "text"]),
        passages=pd.DataFrame(columns=["passage_id", "doc_id", "lang", "text", "theme", "x", "y"]),
        themes=ThemeTable("embedding", []),
        topics=ThemeTable("lda", []),
        doc_themes=pd.DataFrame(),
        doc_topics=pd.DataFrame(),
        metrics={},
    )
    page = Path(write_report(empty, tmp_path / "e.html")).read_text(encoding="utf-8")
    data = json.loads(page[slice(*_data_block(page))])
    assert data["themes"] == [] and data["documents"] == []
    assert [(v["name"], v["n_themes"], v["themes"]) for v in data["views"]] == [
        ("embedding", 0, []),
        ("lda", 0, []),
    ]


def _with_extra_view(result: RunResult) -> RunResult:
    """``result`` with a third view, "extra": two themes over the same documents."""
    from topiclab.themes import View

    themes = [
        Theme(
            id=k,
            label=f"extra <i>{k}</i>",
            size=5 + k,
            terms={"en": [("alpha", 0.5), ("beta", 0.25)], "all": [("alpha", 0.5)]},
            languages={"en": 5 + k},
            representative=[
                {"passage_id": "d0en0:0", "doc_id": "d0en0", "lang": "en", "text": XSS_TEXT}
            ],
            coherence={"npmi": 0.3, "c_v": float("nan")},
        )
        for k in range(2)
    ]
    mixture = pd.DataFrame(0.5, index=result.doc_themes.index, columns=[0, 1])
    extra = View.builtin("extra", ThemeTable("extra", themes), mixture, {"diversity": 0.75})
    return result.replace(views={**result.views, "extra": extra})


def test_every_other_view_gets_a_section(result):
    extra = _with_extra_view(result)
    data = report_data(extra)
    assert [(v["name"], v["main"]) for v in data["views"]] == [
        ("embedding", True),
        ("lda", False),
        ("extra", False),
    ]
    section = data["views"][2]
    assert section["title"] == "Extra" and section["anchor"] == "view-extra"
    assert section["n_themes"] == 2 and section["metrics"] == [["diversity", 0.75]]
    cards = section["themes"]
    assert [(c["id"], c["label"], c["size"]) for c in cards] == [
        (0, "extra <i>0</i>", 5),
        (1, "extra <i>1</i>", 6),
    ]
    assert cards[0]["terms"] == [
        ["en", [["alpha", 0.5], ["beta", 0.25]]],
        ["all", [["alpha", 0.5]]],
    ]
    assert cards[0]["representative"][0]["text"] == XSS_TEXT
    assert cards[0]["coherence"] == {"npmi": 0.3, "c_v": None}
    # the main view's data is unchanged by the extra view
    base = report_data(result)
    for key in ("themes", "points", "documents", "cleaning", "meta"):
        assert data[key] == base[key], key
    page = render_report(extra)
    assert "2 Extra" in page[: page.index("<main>")]
    assert "extra \\u003ci\\u003e0" in page and "extra <i>" not in page


def test_main_view_drives_map_and_documents(result):
    from topiclab.themes import View

    lda = result.views["lda"]
    only_lda = result.replace(views={"lda": lda})
    data = report_data(only_lda)
    assert [v["main"] for v in data["views"]] == [True]
    assert [t["label"] for t in data["themes"]] == lda.table.labels()
    assert data["points"]["theme"] == result.passages["lda_topic"].tolist()
    assert {d["dominant"] for d in data["documents"]} == {0}
    odd = View.builtin("a b/c", ThemeTable("a b/c", []))
    odd2 = View.builtin("a-b-c", ThemeTable("a-b-c", []))
    data = report_data(result.replace(views={**result.views, "a b/c": odd, "a-b-c": odd2}))
    assert [v["anchor"] for v in data["views"]] == [
        "view-embedding",
        "view-lda",
        "view-a-b-c",
        "view-a-b-c-2",
    ]


class _Text(HTMLParser):
    """The text a reader sees without JavaScript: scripts, styles and templates left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _static_text(page: str) -> str:
    p = _Text()
    p.feed(page)
    p.close()
    return " ".join(" ".join(p.parts).split())


def test_every_section_reads_without_javascript(result, page):
    text = _static_text(page)
    # the main view's cards and legend, the LDA topics, documents, cleaning, run metrics
    for theme in result.views["embedding"].table:
        assert text.count(theme.label) >= 2, theme.label  # legend and card
    for topic in result.views["lda"].table:
        assert f"#{topic.id} {topic.label}" in text
    for title in result.documents["title"].dropna().head(5):
        assert " ".join(str(title).split()) in text
    assert "glued articles" in text and "mojibake" in text  # cleaning records
    assert "embedding.npmi" in text and "abc123" in text  # metrics and provenance
    # the map is an image; the canvas and the search boxes only appear with the script
    collected = _Collector()
    collected.feed(page)
    tags = {a.get("id"): a for t, a in collected.tags if a.get("id")}
    assert "hidden" in tags["map-canvas"] and "hidden" in tags["doc-tools"]
    assert tags["map-static"]["src"].startswith("data:image/png;base64,")


def test_cards_show_terms_as_written_and_name_articles_by_title(result):
    from topiclab.outputs.report import citations

    theme = result.views["embedding"].table[0]
    stored = theme.terms["en"][0][0]
    assert "_" in stored  # energy_storage: a phrase as counted
    shown = result.replace(views=dict(result.views))
    theme.display = {stored: "Energy Storage"}
    try:
        data = report_data(shown)
        page = render_report(shown)
    finally:
        theme.display = {}
    en = dict(data["themes"][0]["terms"])["en"]
    assert en[0][0] == "Energy Storage"
    assert all("_" not in t for lang, terms in data["themes"][0]["terms"] for t, _w in terms)
    text = _static_text(page)
    assert "Energy Storage" in text and stored not in text
    # representative passages name the article (title, date, source), not the file
    docs = result.documents
    cites = citations(docs)
    row = docs.iloc[0]
    assert cites[row["doc_id"]].startswith(" ".join(str(row["title"]).split()))
    assert str(row["source"]) in cites[row["doc_id"]]
    assert all(".txt" not in c for c in cites.values())
    rep = data["themes"][0]["representative"][1]
    assert rep["cite"] == cites[rep["doc_id"]] and rep["cite"] in text
    assert all(".txt" not in d["source"] for d in data["documents"])
