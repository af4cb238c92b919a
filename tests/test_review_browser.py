"""End-to-end: the review app in real headless Chromium (Debian ``chromium``), driven by Playwright.

Needs ``/usr/bin/chromium`` (apt-get install chromium) and the Python ``playwright`` package; it never
downloads a browser (``executable_path`` is set). Set ``EXTRACTOR_SCREENSHOT=docs/review.png`` to save
the screenshot of the review screen used in the docs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_helpers import H, N, hostile_record, make_run, nuance_record, standin_parse

CHROMIUM = os.environ.get("EXTRACTOR_CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"no Chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
uvicorn = pytest.importorskip("uvicorn")

from extractor.cli import main as cli_main  # noqa: E402
from extractor.review.server import ReviewApp, create_app  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IRS = f"{N}:cover/irs_employer_id"
SELECT_TEXT = """(needle) => {
  const pre = document.getElementById("doc-text");
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const i = n.data.indexOf(needle);
    if (i < 0) continue;
    const r = document.createRange();
    r.setStart(n, i);
    r.setEnd(n, i + needle.length);
    getSelection().removeAllRanges();
    getSelection().addRange(r);
    return true;
  }
  return false;
}"""


class Server:
    def __init__(self, run_dir: Path) -> None:
        self.review = ReviewApp(str(run_dir), threshold=0.7, reviewer="e2e", parse=standin_parse)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(self.review, [f"127.0.0.1:{self.port}"])
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return make_run(tmp_path / "run", [nuance_record(), hostile_record()])


@pytest.fixture
def server(run: Path) -> Iterator[Server]:
    with Server(run) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 860})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    pg.errors = errors
    yield pg
    context.close()
    assert errors == []


def open_app(page: object, url: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector("body[data-ready='1']")  # type: ignore[attr-defined]


def test_review_flow_highlight_keyboard_edit_reload_export(
    page, server: Server, run: Path, tmp_path: Path
) -> None:
    expect = sync_api.expect
    open_app(page, server.url + "/")
    # the queue: lowest confidence first, with counts
    expect(page.locator("#counts")).to_contain_text("0 done")
    expect(page.locator("#counts")).to_contain_text("18 left")
    first = page.locator("#queue li").first
    expect(first.locator(".conf")).to_have_text("0.00")
    expect(first.locator(".label")).to_have_text("Item 1.01: summary")
    expect(page.locator("#page-info")).to_have_text("1–18 of 18")

    # filter to the cover of Nuance, then pick the IRS number with the mouse
    page.select_option("#f-item", "cover")
    page.select_option("#f-company", "NUANCE COMMUNICATIONS, INC.")
    expect(page.locator("#page-info")).to_have_text("1–5 of 5")
    page.locator("#queue li", has_text="irs_employer_id").click()
    expect(page.locator("#f-label")).to_have_text("cover: irs_employer_id")
    expect(page.locator("#f-value")).to_have_text("94-3156478")
    expect(page.locator("#f-reasons")).to_contain_text("fuzzy match")
    # the evidence span is highlighted and scrolled into view
    mark = page.locator("#doc-text mark#hit")
    expect(mark).to_have_text("94-3156479")
    expect(mark).to_be_in_viewport()
    href = page.locator("#b-original").get_attribute("href")
    assert href == f"/original?q={N}%3Acover%2Firs_employer_id#hit"

    # edit with the keyboard; a wrong type is refused first
    page.keyboard.press("e")
    expect(page.locator("#edit-input")).to_be_focused()
    expect(page.locator("#edit-input")).to_have_value("94-3156478")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("94-3156479")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("saved: edit")
    expect(page.locator("#counts")).to_contain_text("1 done")
    # it moved on to the next field left; go back with k
    expect(page.locator("#f-label")).not_to_have_text("cover: irs_employer_id")
    page.keyboard.press("k")
    expect(page.locator("#f-label")).to_have_text("cover: irs_employer_id")

    # a date field refuses a non-date
    page.locator("#queue li", has_text="date_of_report").click()
    expect(page.locator("#f-label")).to_have_text("cover: date_of_report")  # loaded before keys are pressed
    page.keyboard.press("e")
    expect(page.locator("#edit-input")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("next Tuesday")
    page.keyboard.press("Enter")
    expect(page.locator("#edit-error")).to_contain_text("date")
    page.keyboard.press("Escape")
    expect(page.locator("#edit-form")).to_be_hidden()
    # accept with a, then undo with u
    page.keyboard.press("a")
    expect(page.locator("#counts")).to_contain_text("2 done")
    page.keyboard.press("u")
    expect(page.locator("#status")).to_have_text("undone: accept")
    expect(page.locator("#counts")).to_contain_text("1 done")
    expect(page.locator("#f-label")).to_have_text("cover: date_of_report")

    # reload: the edit persisted, the filters and the field come back from the URL
    page.goto(server.url + "/#q=" + IRS.replace("/", "%2F"))
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#f-label")).to_have_text("cover: irs_employer_id")
    expect(page.locator("#f-decision")).to_contain_text("edit")
    expect(page.locator("#f-decision")).to_contain_text("94-3156479 · e2e ·")
    expect(page.locator("#queue li.decided")).to_have_count(1)

    # select the right words in the filing text and use them as value and evidence (s)
    page.locator(f"#queue li[data-q='{N}:cover/address']").click()
    expect(page.locator("#f-label")).to_have_text("cover: address")
    assert page.evaluate(SELECT_TEXT, "1 Wayside Road\nBurlington, Massachusetts")
    page.keyboard.press("s")
    expect(page.locator("#edit-input")).to_have_value("1 Wayside Road Burlington, Massachusetts")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("saved: edit")
    decided = server.review.store.current()
    (address,) = [d for k, d in decided.items() if k[2] == "cover/address"]
    assert address.value == "1 Wayside Road Burlington, Massachusetts"
    assert address.evidence["quote"] == "1 Wayside Road\nBurlington, Massachusetts"

    shot = os.environ.get("EXTRACTOR_SCREENSHOT")
    if shot:
        page.goto(
            server.url + f"/#company=NUANCE+COMMUNICATIONS%2C+INC.&q={N}%3Aitems%2F0%2Fevent%2Fagreement_type"
        )
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#doc-text mark#hit")).to_be_in_viewport()
        page.screenshot(path=shot)

    # export gold: the edited value is in the eval format
    out = tmp_path / "gold"
    assert cli_main(["review", "export", str(run), "--to", str(out)]) == 0
    gold = json.loads((out / "edgarcrawler__1002517_8K_2011_0000950123-11-065257.htm.json").read_text())
    assert gold["cover"] == {
        "irs_employer_id": "94-3156479",
        "address": "1 Wayside Road Burlington, Massachusetts",
    }
    assert gold["labeler"] == "review: e2e"


def test_planted_script_does_not_execute(page, server: Server) -> None:
    expect = sync_api.expect
    open_app(page, server.url + f"/#q={H}%3Acover%2Fcompany_name")
    expect(page.locator("#f-label")).to_have_text("cover: company_name")
    # the hostile value and quote show as text
    expect(page.locator("#f-value")).to_have_text("<img src=x onerror=\"window.__pwned='value'\"> Evil Corp")
    expect(page.locator("#doc-text mark#hit")).to_have_text(
        "<script>window.__pwned='text'</script> Evil Corp"
    )
    expect(page.locator("#queue")).to_contain_text("onerror=")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#main script, #main img, #queue img, #main a[href^='javascript']").count() == 0
    page.locator(f"#queue li[data-q='{H}:cover/phone']").click()
    expect(page.locator("#f-value")).to_have_text("javascript:window.__pwned='link'")
    assert page.locator("a[href^='javascript']").count() == 0

    # the original document (real <script>, onload, onerror and javascript: markup): text, not HTML
    with page.context.expect_page() as new:
        page.keyboard.press("o")
    orig = new.value
    orig.wait_for_load_state()
    expect(orig.locator("mark#hit")).to_have_text("javascript:window.__pwned='link'")
    expect(orig.locator("pre")).to_contain_text("<script>window.__pwned='source-script'</script>")
    assert orig.evaluate("window.__pwned") is None
    assert orig.evaluate("document.querySelectorAll('script, img, [onload], [onerror]').length") == 0
    orig.goto(server.url + f"/raw?r={H}")
    orig.wait_for_timeout(300)
    assert orig.evaluate("window.__pwned") is None
    assert "<script>window.__pwned='source-script'</script>" in orig.evaluate("document.body.innerText")
    orig.close()
