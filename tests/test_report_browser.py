"""The HTML report in a real headless Chromium: renders cleanly, filters, searches, stays offline.

Needs the ``playwright`` Python package and a Chromium binary (``/usr/bin/chromium`` from
the Debian package, or ``$TOPICLAB_CHROMIUM``); skipped when either is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_report import XSS_TEXT, XSS_TITLE, _with_extra_view, synthetic_result

from topiclab.outputs.report import write_report

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("TOPICLAB_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The report of the synthetic run, served from 127.0.0.1."""
    root = tmp_path_factory.mktemp("report")
    write_report(synthetic_result(), root / "report.html", title="Synthetic run")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium binary (install the Debian package 'chromium')")
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # a binary that cannot start on this machine
            pytest.skip(f"Chromium at {executable} does not start: {exc}")
        try:
            yield b
        finally:
            b.close()


@dataclass
class Loaded:
    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def loaded(browser: Any, report_url: str) -> Iterator[Loaded]:
    """A fresh page on the report; every request, error and dialog is recorded."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    out = Loaded(page=page, url=report_url)
    page.on("console", lambda m: m.type == "error" and out.console_errors.append(m.text))
    page.on("pageerror", lambda e: out.page_errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        out.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(r: Any) -> None:
        out.requests.append(r.request.url)
        if r.request.url == report_url:
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page.goto(report_url, wait_until="load")
    page.wait_for_selector("#cards .card")
    try:
        yield out
    finally:
        context.close()


def _visible(page: Any, selector: str) -> int:
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null && !e.hidden).length"
    )


def _point(page: Any, i: int) -> tuple[float, float]:
    """Page coordinates of passage ``i`` on the canvas map (scrolled into view)."""
    page.locator("#map-canvas").scroll_into_view_if_needed()
    box = page.locator("#map-canvas").bounding_box()
    p = page.evaluate("i => document.getElementById('map-canvas').topiclabPoint(i)", i)
    return box["x"] + p["x"], box["y"] + p["y"]


def _first_passage(theme: int, nth: int = 0) -> int:
    themes = synthetic_result().passages["theme"].tolist()
    return [i for i, t in enumerate(themes) if t == theme][nth]


def test_page_loads_without_errors_or_network(loaded: Loaded) -> None:
    loaded.page.wait_for_timeout(300)
    assert loaded.console_errors == []
    assert loaded.page_errors == []
    assert loaded.requests == [loaded.url]
    assert loaded.dialogs == []


def test_one_card_per_theme_and_map_points(loaded: Loaded) -> None:
    result = synthetic_result()
    page = loaded.page
    assert page.locator("#cards .card").count() == len(result.themes)
    labels = page.locator("#cards .card .lbl").all_text_contents()
    assert labels == result.themes.labels()
    assert page.locator("#map-canvas").get_attribute("data-points") == str(len(result.passages))
    assert page.locator("#legend button").count() == len(result.themes) + 1  # + unassigned
    # each theme's entry names its id, as the static legend and the figures do
    ids = page.locator("#legend button .tid").all_text_contents()
    assert ids == [f"#{t.id}" for t in result.themes]
    assert page.locator("#view-lda .card").count() == len(result.topics)
    assert page.locator("#view-lda .card .lbl").all_text_contents() == result.topics.labels()
    assert page.locator("#view-embedding").count() == 0  # the main view has the cards above
    assert page.locator("#doc-table tbody tr").count() == len(result.documents)
    assert page.locator("#cleaning-counts tbody tr").count() == 4


def test_language_direction(loaded: Loaded) -> None:
    page = loaded.page
    ar = page.locator('#theme-1 .terms .row[data-lang="ar"]')
    assert ar.get_attribute("dir") == "rtl" and ar.get_attribute("lang") == "ar"
    zh = page.locator('#theme-1 .terms .row[data-lang="zh"]')
    assert zh.get_attribute("dir") == "ltr" and zh.get_attribute("lang") == "zh"
    assert "الانتخابات" in ar.text_content()
    ar_title = page.locator('#doc-table tr[data-doc="d1ar0"] td.title')
    assert ar_title.get_attribute("dir") == "rtl"


def test_search_filters_rows_as_you_type(loaded: Loaded) -> None:
    page = loaded.page
    total = len(synthetic_result().documents)
    assert _visible(page, "#doc-table tbody tr") == total
    page.locator("#doc-search").press_sequentially("football")
    football = _visible(page, "#doc-table tbody tr")
    assert 0 < football < total
    assert page.locator("#doc-count").text_content().startswith(f"{football} of {total}")
    page.locator("#doc-search").fill("")
    page.locator("#doc-search").press_sequentially("选举")  # Chinese body text
    assert 0 < _visible(page, "#doc-table tbody tr") < football + 1
    page.locator("#doc-search").fill("no such thing anywhere")
    assert _visible(page, "#doc-table tbody tr") == 0
    page.locator("#doc-search").fill("")
    assert _visible(page, "#doc-table tbody tr") == total


def test_legend_and_points_filter_the_page(loaded: Loaded) -> None:
    page = loaded.page
    n_themes = len(synthetic_result().themes)
    page.locator('#legend button[data-theme="2"]').click()
    assert _visible(page, "#cards .card") == 1
    assert page.locator("#theme-2").is_visible()
    rows = page.eval_on_selector_all(
        "#doc-table tbody tr", "rs => rs.filter(r => !r.hidden).map(r => r.dataset.theme)"
    )
    assert rows and set(rows) == {"2"}
    assert page.locator("#filter-bar").is_visible()
    assert page.locator("#map-canvas").get_attribute("data-shown") == str(
        int((synthetic_result().passages["theme"] == 2).sum())
    )
    page.locator('#legend button[data-theme="2"]').click()  # again: clear
    assert _visible(page, "#cards .card") == n_themes
    assert not page.locator("#filter-bar").is_visible()
    # a point of theme 1 filters to theme 1; the bar's button clears
    page.mouse.click(*_point(page, _first_passage(1)))
    assert _visible(page, "#cards .card") == 1 and page.locator("#theme-1").is_visible()
    page.locator("#filter-clear").click()
    assert _visible(page, "#cards .card") == n_themes


def test_hover_shows_passage_text(loaded: Loaded) -> None:
    page = loaded.page
    i = _first_passage(1)
    page.mouse.move(*_point(page, i))
    tip = page.locator("#tooltip")
    assert tip.is_visible()
    text = synthetic_result().passages["text"].iloc[i]
    assert text[:40] in tip.text_content()


def test_hostile_text_is_shown_as_text(loaded: Loaded) -> None:
    page = loaded.page
    page.wait_for_timeout(300)
    body = page.evaluate("document.body.textContent")
    assert XSS_TITLE in body
    assert XSS_TEXT.replace("\u2028", "").replace("\u2029", "")[:60] in body.replace("\u2028", "")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert loaded.dialogs == []
    assert page.locator("#cards img, #doc-table img, #cards script, #doc-table script").count() == 0
    title_cell = page.locator('#doc-table tr[data-doc="dxss"] td.title')
    assert title_cell.text_content() == XSS_TITLE


def test_no_network_even_without_csp(browser: Any, report_url: str) -> None:
    """The page itself asks for nothing: the policy is a second line, not the only one."""
    context = browser.new_context(bypass_csp=True)
    seen: list[str] = []
    dialogs: list[str] = []
    context.route("**/*", lambda r: (seen.append(r.request.url), r.continue_()))
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report_url, wait_until="networkidle")
    page.locator('#legend button[data-theme="0"]').click()
    page.locator("#cleaning-details summary").click()
    page.wait_for_timeout(300)
    assert seen == [report_url]
    assert page.evaluate("typeof window.__xss") == "undefined" and dialogs == []
    context.close()


def test_screenshots(loaded: Loaded) -> None:
    """``report.png``: the whole page; ``report_filtered.png``: a theme chosen, a tooltip open."""
    page = loaded.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#cleaning-details summary").click()
    whole = ARTIFACTS / "report.png"
    page.screenshot(path=str(whole), full_page=True)
    page.locator('#legend button[data-theme="0"]').click()
    page.locator("#map").scroll_into_view_if_needed()
    page.mouse.move(*_point(page, _first_passage(0, 3)))
    assert page.locator("#tooltip").is_visible()
    filtered = ARTIFACTS / "report_filtered.png"
    page.screenshot(path=str(filtered))
    assert whole.stat().st_size > 10_000 and filtered.stat().st_size > 10_000


def test_every_other_view_has_a_section(browser: Any, tmp_path: Path) -> None:
    """A third view shows up as its own section, cards and contents link, with no page change."""
    result = _with_extra_view(synthetic_result())
    path = write_report(result, tmp_path / "extra.html")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    seen: list[str] = []
    errors: list[str] = []
    context.route("**/*", lambda r: (seen.append(r.request.url), r.continue_()))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector("#view-extra .card")
    try:
        assert errors == [] and seen == [path.as_uri()]
        sections = page.eval_on_selector_all("#view-sections > section", "ss => ss.map(s => s.id)")
        assert sections == ["view-lda", "view-extra"]
        assert page.locator("#view-extra h2").text_content() == "Extra"
        assert page.locator("#view-extra .card .lbl").all_text_contents() == [
            "extra <i>0</i>",
            "extra <i>1</i>",
        ]
        assert page.locator("#view-extra .card i").count() == 0
        hint = page.locator("#view-extra .hint").text_content()
        assert hint.startswith("2 themes") and "diversity 0.750" in hint
        toc = page.eval_on_selector_all(".toc a", "as => as.map(a => a.getAttribute('href'))")
        assert toc.index("#view-lda") < toc.index("#view-extra") < toc.index("#documents")
        assert page.locator("#view-extra .reps li").count() == 2
        # filtering by a main theme leaves the other views alone
        page.locator('#legend button[data-theme="2"]').click()
        assert _visible(page, "#cards .card") == 1
        assert _visible(page, "#view-extra .card") == 2
        assert _visible(page, "#view-lda .card") == len(result.topics)
    finally:
        context.close()


@pytest.mark.slow
def test_50000_passage_report(browser: Any, tmp_path: Path) -> None:
    """A 50,000-passage report loads without errors; hover, filter and paging still work.

    The measured load time goes to ``tests/artifacts/report_50k.json`` beside a screenshot
    (``benchmarks/report_map.py`` prints it for 50,000 and 100,000 passages).
    """
    import json
    import time

    result = synthetic_result(n_docs_per_cell=1852)
    n = len(result.passages)
    assert n >= 50_000
    path = write_report(result, tmp_path / "big.html", title="50,000 passages")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector("#map-canvas[data-shown]")
        load_s = time.perf_counter() - start
        assert errors == []
        canvas = page.locator("#map-canvas")
        assert canvas.get_attribute("data-points") == str(n)
        # the table shows one page; the pager walks through the rest
        assert page.locator("#doc-table tbody tr").count() == 100
        assert page.locator("#doc-count").text_content().startswith(f"{len(result.documents):,}")
        page.locator("#doc-next").click()
        assert "page 2 of" in page.locator("#doc-page").text_content()
        # hover the outermost passage of theme 2 (no neighbour under the mouse): its text shows
        xy = result.passages[["x", "y"]].to_numpy()
        members = np.flatnonzero(result.passages["theme"].to_numpy() == 2)
        spread = np.linalg.norm(xy[members] - xy[members].mean(axis=0), axis=1)
        i = int(members[np.argmax(spread)])
        page.mouse.move(*_point(page, i))
        assert page.locator("#tooltip").is_visible()
        assert result.passages["text"].iloc[i][:30] in page.locator("#tooltip").text_content()
        # filter through the legend
        page.locator('#legend button[data-theme="2"]').click()
        assert canvas.get_attribute("data-shown") == str(int((result.passages["theme"] == 2).sum()))
        rows = page.eval_on_selector_all(
            "#doc-table tbody tr", "rs => rs.map(r => r.dataset.theme)"
        )
        assert len(rows) == 100 and set(rows) == {"2"}
        assert errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#map").scroll_into_view_if_needed()
        page.mouse.move(*_point(page, i))
        page.screenshot(path=str(ARTIFACTS / "report_50k.png"))
        (ARTIFACTS / "report_50k.json").write_text(
            json.dumps({"passages": n, "load_s": round(load_s, 3)}) + "\n"
        )
    finally:
        context.close()


def test_interactive_chart_pages_load_offline(browser: Any, tmp_path: Path) -> None:
    """The plotly pages of ``topiclab.outputs.interactive`` draw with no network request."""
    interactive = pytest.importorskip("topiclab.outputs.interactive")
    pytest.importorskip("plotly")
    result = synthetic_result()
    pages = {
        "map": interactive.passage_map(result, search="battery"),
        "terms": interactive.term_bars(result, 1),
        "sizes": interactive.theme_sizes(result),
        "tree": interactive.theme_hierarchy(result),
    }
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    seen: list[str] = []
    errors: list[str] = []
    context.route("**/*", lambda r: (seen.append(r.request.url), r.continue_()))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for name, fig in pages.items():
            url = interactive.write_html(fig, tmp_path / f"{name}.html").as_uri()
            seen.clear()
            page.goto(url, wait_until="load")
            page.wait_for_selector(".main-svg")
            assert seen == [url], name
            assert page.locator(".legendtext, .ytick text").count() > 0, name
        # the standalone map's search box highlights the passages that contain the query
        url = interactive.write_html(
            interactive.passage_map(result), tmp_path / "search.html", search_box=True
        ).as_uri()
        page.goto(url, wait_until="load")
        page.wait_for_selector(".main-svg")
        page.locator("input.topiclab-search").press_sequentially("battery")
        expected = sum("battery" in t.lower() for t in result.passages["text"])
        plot = page.locator(".js-plotly-plot")
        page.wait_for_function(
            "n => document.querySelector('.js-plotly-plot').dataset.matches == n", arg=expected
        )
        assert 0 < int(plot.get_attribute("data-matches")) < len(result.passages)
        assert errors == []
    finally:
        context.close()


def test_page_reads_without_javascript(browser: Any, report_url: str) -> None:
    """Every section is static HTML: cards, legend, map image and tables show without JS."""
    result = synthetic_result()
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(report_url, wait_until="load")
        n_cards = len(result.views["embedding"].table) + len(result.views["lda"].table)
        assert _visible(page, ".card") == n_cards
        assert _visible(page, "#legend .legend-item") >= len(result.views["embedding"].table)
        assert _visible(page, "#map-static") == 1 and _visible(page, "#map-canvas") == 0
        width = page.eval_on_selector("#map-static", "e => e.naturalWidth")
        assert width > 100  # the PNG decodes
        assert _visible(page, "#doc-table tbody tr") == len(result.documents)
        assert _visible(page, "#cleaning-counts tbody tr") > 0
        assert _visible(page, "#doc-tools") == 0  # search needs the script
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report_nojs.png"), full_page=True)
    finally:
        context.close()


def test_script_replaces_the_static_sections(loaded: Loaded) -> None:
    page = loaded.page
    assert page.query_selector("#map-static") is None
    assert _visible(page, "#map-canvas") == 1
    cards = synthetic_result().views["embedding"].table
    assert page.eval_on_selector_all("#cards .card", "els => els.length") == len(cards)
    assert page.eval_on_selector_all("#legend .legend-item.static", "els => els.length") == 0
    toc = page.eval_on_selector_all(".toc a", "els => els.map(e => e.getAttribute('href'))")
    assert len(toc) == len(set(toc))  # the script adds no second link to a section
