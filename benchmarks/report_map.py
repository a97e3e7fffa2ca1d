"""Benchmark: size and load time of the HTML report for large synthetic runs.

Usage::

    python benchmarks/report_map.py [--passages 50000 100000]

For each size, builds the synthetic run of the report tests (three planted themes in
English, Arabic and Chinese), writes the report and loads it in headless Chromium
(``/usr/bin/chromium`` or ``$TOPICLAB_CHROMIUM``). Prints the page size, the time to write
it (wall and process CPU), the time from navigation until the map is drawn, the time to
filter the page to one theme, to hover a passage and to redraw the map after one zoom step
(median of 20 wheel events, each until the next animation frame), and any console error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[50_000, 100_000])
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright
    from test_report import synthetic_result
    from test_report_browser import CHROMIUM_ARGS, _chromium

    from topiclab.outputs.report import write_report

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        for n in args.passages:
            result = synthetic_result(n_docs_per_cell=max(1, round(n / 27)))
            wall, cpu = time.perf_counter(), time.process_time()
            path = write_report(result, Path(tmp) / f"report_{n}.html")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            t = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_selector("#map-canvas[data-shown]")
            load = time.perf_counter() - t
            t = time.perf_counter()
            page.locator('#legend button[data-theme="2"]').click()
            page.wait_for_function("document.getElementById('filter-bar').hidden === false")
            filt = time.perf_counter() - t
            page.locator("#map-canvas").scroll_into_view_if_needed()
            box = page.locator("#map-canvas").bounding_box()
            i = int((result.passages["theme"] == 2).to_numpy().argmax())
            p = page.evaluate("i => document.getElementById('map-canvas').topiclabPoint(i)", i)
            redraw = page.evaluate(
                """() => new Promise(done => {
                    const c = document.getElementById('map-canvas');
                    const r = c.getBoundingClientRect();
                    const times = [];
                    let k = 0;
                    function step() {
                        const t0 = performance.now();
                        c.dispatchEvent(new WheelEvent('wheel', {deltaY: k < 10 ? -100 : 100,
                            clientX: r.left + r.width / 2, clientY: r.top + r.height / 2,
                            bubbles: true, cancelable: true}));
                        requestAnimationFrame(() => {
                            times.push(performance.now() - t0);
                            if (++k < 20) { step(); } else { done(times); }
                        });
                    }
                    step();
                })"""
            )
            redraw_ms = sorted(redraw)[len(redraw) // 2]
            t = time.perf_counter()
            page.mouse.move(box["x"] + p["x"], box["y"] + p["y"])
            page.wait_for_selector("#tooltip:not([hidden])")
            hover = time.perf_counter() - t
            print(
                f"{len(result.passages):>7} passages, {len(result.documents):>6} documents: "
                f"page {path.stat().st_size / 1e6:.1f} MB, written in {wall:.2f} s wall / "
                f"{cpu:.2f} s CPU; load until map drawn {load:.2f} s; filter {filt:.2f} s; "
                f"hover {hover:.2f} s; zoom step redrawn in {redraw_ms:.0f} ms (median of 20); "
                f"console errors {len(errors)}"
            )
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
