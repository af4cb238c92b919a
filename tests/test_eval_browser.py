"""The eval HTML report in real headless Chromium (Debian ``chromium``, driven by Playwright): it renders
without page errors and makes no request beyond its own file. Set ``EXTRACTOR_SCREENSHOT=docs/eval-report.png``
to save the screenshot used in the docs; ``EXTRACTOR_EVAL_RESULTS=FILE.json`` renders that result instead of
the stand-in one."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from eval_helpers import demo_results

from extractor.eval.html import render_html

CHROMIUM = os.environ.get("EXTRACTOR_CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"no Chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

DATA = Path(__file__).parent / "data" / "eval"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_report_renders_offline_without_errors(tmp_path: Path):
    source = os.environ.get("EXTRACTOR_EVAL_RESULTS")
    results = json.loads(Path(source).read_text()) if source else demo_results(DATA / "gold", DATA / "corpus")
    if not source:  # filing-derived text with markup must show as text, not run
        obs = results["models"]["sloppy"]["runs"][0]["observations"][0]
        obs.update(correct=False, reason="<img src=x onerror=alert(1)>")
    page_path = tmp_path / "report.html"
    page_path.write_text(render_html(results), encoding="utf-8")
    url = page_path.as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_load_state("load")
        assert requests == [url]
        assert errors == []
        assert page.title() == "extractor eval report"
        assert page.locator("svg").count() >= 5
        assert page.locator("h2", has_text="Calibration").count() == 1
        # the bar chart has one bar per model and metric with a value
        bars = page.locator("svg rect title").count()
        assert bars > 10
        if not source:
            page.get_by_text("wrong values").first.click()
            assert page.get_by_text("<img src=x onerror=alert(1)>").count() == 1
        shot = os.environ.get("EXTRACTOR_SCREENSHOT")
        if shot:
            page.screenshot(path=shot, full_page=False)
        browser.close()
