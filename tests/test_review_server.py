"""The review web app over HTTP (Starlette test client): API, persistence, and security."""

from __future__ import annotations

import re
import sqlite3
from importlib import resources
from pathlib import Path

import pytest
from review_helpers import H, N, hostile_record, make_run, nuance_record, standin_parse
from starlette.testclient import TestClient

from extractor.review.server import ReviewApp, create_app

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return make_run(tmp_path / "run", [nuance_record(), hostile_record()])


@pytest.fixture
def review(run: Path) -> ReviewApp:
    return ReviewApp(str(run), threshold=0.7, reviewer="ann", parse=standin_parse, token="tok-123")


@pytest.fixture
def client(review: ReviewApp) -> TestClient:
    return TestClient(create_app(review, ["127.0.0.1:8765", "localhost:8765"]), base_url=BASE)


def post(client: TestClient, path: str, body: dict, **headers: str) -> object:
    h = {"X-Review-Token": "tok-123", "Origin": BASE, "Sec-Fetch-Site": "same-origin", **headers}
    return client.post(path, json=body, headers={k: v for k, v in h.items() if v})


def decisions(run: Path) -> list[tuple]:
    db = run / "review.sqlite"
    return (
        sqlite3.connect(db)
        .execute("SELECT field_path, action, value_json, reviewer FROM decisions")
        .fetchall()
    )


# ---------------------------------------------------------------------------- API


def test_page_carries_session_token_and_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert '<meta name="review-token" content="tok-123">' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_queue_pages_lowest_confidence_first_with_counts(client: TestClient) -> None:
    r = client.get("/api/queue", params={"limit": 3})
    data = r.json()
    # 9 flagged in the Nuance record; 2 in the hostile one, plus its 7 empty cover fields
    assert data["counts"] == {"total": 18, "done": 0, "left": 18}
    assert [row["q"] for row in data["rows"]] == [
        f"{N}:items/0/event/summary",
        f"{H}:form_type",
        f"{H}:cover/date_of_report",
    ]
    page = client.get("/api/queue", params={"limit": 5, "offset": 8}).json()
    assert [row["confidence"] for row in page["rows"]] == [0.1, 0.2, 0.2, 0.3, 0.4]
    assert [row["q"] for row in page["rows"]][:2] == [
        f"{H}:cover/company_name",
        f"{N}:items/0/event/counterparties/0",
    ]
    valued = client.get("/api/queue", params={"flag": "valued", "limit": 500}).json()
    assert valued["matching"] == 10 and all(row["preview"] != "—" for row in valued["rows"])
    only = client.get("/api/queue", params={"item": "cover", "company": "NUANCE COMMUNICATIONS, INC."}).json()
    assert {row["field"] for row in only["rows"]} == {
        "irs_employer_id",
        "state_of_incorporation",
        "date_of_report",
        "phone",
        "address",
    }


def test_field_detail_and_text_highlight_the_evidence(client: TestClient) -> None:
    d = client.get("/api/field", params={"q": f"{N}:cover/irs_employer_id"}).json()
    assert d["field"]["value"] == "94-3156478"
    assert d["field"]["reasons"] == ["fuzzy match"]
    assert d["type"] == "text or empty for none"
    assert d["filing"]["company"] == "NUANCE COMMUNICATIONS, INC."
    t = client.get("/api/text", params={"r": d["rec"]}).json()
    s, e = d["field"]["span"]
    assert t["text"][s:e] == "94-3156479" == d["field"]["quote"]
    assert t["origin"] == "parser"


def test_original_document_opens_at_the_span(client: TestClient) -> None:
    r = client.get("/original", params={"q": f"{N}:cover/phone"})
    assert r.status_code == 200
    m = re.search(r"<mark id='hit'>(.*?)</mark>", r.text)
    assert m is not None and m.group(1) == "(781)&amp;nbsp;565-5000"  # the source markup, as text


def test_accept_edit_reject_are_saved_at_once(client: TestClient, run: Path) -> None:
    assert post(client, "/api/decide", {"q": f"{N}:cover/phone", "action": "accept"}).status_code == 200
    assert (
        post(
            client, "/api/decide", {"q": f"{N}:cover/date_of_report", "action": "edit", "value": "2011-07-08"}
        ).status_code
        == 200
    )
    assert post(client, "/api/decide", {"q": f"{N}:cover/address", "action": "reject"}).status_code == 200
    assert decisions(run) == [
        ("cover/phone", "accept", '"(781) 565-5000"', "ann"),
        ("cover/date_of_report", "edit", '"2011-07-08"', "ann"),
        ("cover/address", "reject", "null", "ann"),
    ]
    data = client.get("/api/queue", params={"limit": 500}).json()
    assert data["counts"] == {"total": 18, "done": 3, "left": 15}
    left = client.get("/api/queue", params={"status": "left", "limit": 500}).json()
    assert f"{N}:cover/phone" not in {row["q"] for row in left["rows"]} and left["matching"] == 15


def test_edit_is_validated_by_the_field_type(client: TestClient, run: Path) -> None:
    r = post(
        client, "/api/decide", {"q": f"{N}:cover/date_of_report", "action": "edit", "value": "next Tuesday"}
    )
    assert r.status_code == 422
    assert "date" in r.json()["error"]
    r = post(
        client, "/api/decide", {"q": f"{N}:items/0/event/counterparties/0", "action": "edit", "value": ""}
    )
    assert r.status_code == 422 and "required" in r.json()["error"]
    assert not (run / "review.sqlite").exists() or decisions(run) == []


def test_undo_restores_the_previous_state(client: TestClient, review: ReviewApp) -> None:
    post(client, "/api/decide", {"q": f"{N}:cover/phone", "action": "accept"})
    post(client, "/api/decide", {"q": f"{N}:cover/phone", "action": "edit", "value": "781-565-5000"})
    r = post(client, "/api/undo", {})
    assert r.json()["q"] == f"{N}:cover/phone" and r.json()["undone"]["action"] == "edit"
    assert (
        client.get("/api/field", params={"q": f"{N}:cover/phone"}).json()["decision_detail"]["action"]
        == "accept"
    )
    post(client, "/api/undo", {})
    assert client.get("/api/field", params={"q": f"{N}:cover/phone"}).json()["decision_detail"] is None
    assert post(client, "/api/undo", {}).json() == {"undone": None}


def test_decisions_survive_a_restart(run: Path, client: TestClient) -> None:
    post(client, "/api/decide", {"q": f"{N}:cover/phone", "action": "accept"})
    again = ReviewApp(str(run), reviewer="ann", parse=standin_parse, token="t2")
    c2 = TestClient(create_app(again, ["127.0.0.1:8765"]), base_url=BASE)
    assert c2.get("/api/queue").json()["counts"]["done"] == 1


# ---------------------------------------------------------------------------- security


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:9999"}, 403),
        ({"X-Review-Token": ""}, 403),
        ({"X-Review-Token": "tok-124"}, 403),
    ],
)
def test_cross_origin_and_tokenless_writes_are_refused(
    client: TestClient, run: Path, headers: dict, status: int
) -> None:
    r = post(client, "/api/decide", {"q": f"{N}:cover/phone", "action": "accept"}, **headers)
    assert r.status_code == status
    assert post(client, "/api/undo", {}, **headers).status_code == status
    assert decisions(run) == []


def test_form_posts_are_refused(client: TestClient, run: Path) -> None:
    # a cross-site HTML form can only send "simple" content types
    r = client.post(
        "/api/decide",
        content=f'{{"q": "{N}:cover/phone", "action": "accept"}}'.encode(),
        headers={"Content-Type": "text/plain", "X-Review-Token": "tok-123"},
    )
    assert r.status_code == 415
    assert decisions(run) == []


def test_foreign_host_is_refused(client: TestClient) -> None:
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example
    assert client.get("/api/queue", headers={"Host": "evil.example:8765"}).status_code == 421
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 421


def test_cross_site_reads_of_the_api_are_refused(client: TestClient) -> None:
    assert client.get("/api/queue", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/server.py",
        "/static/index.html",
        "/static/app.js/../../decisions.py",
        "/raw?r=../../../../etc/passwd",
        "/raw?r=/etc/passwd",
        "/raw?r=7",
        "/raw?r=0",
        "/original?q=0:../../../../etc/passwd",
        "/api/text?r=-1",
        "/../../../../etc/passwd",
        "/review.sqlite",
        "/records.jsonl",
    ],
)
def test_no_path_traversal(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text and "import" not in r.text


def test_static_files_are_served(client: TestClient) -> None:
    r = client.get("/static/app.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")


def test_hostile_filing_text_is_escaped_in_the_original_view(client: TestClient) -> None:
    r = client.get("/original", params={"q": f"{H}:cover/company_name"})
    assert r.status_code == 200
    body = r.text.lower()
    assert "<script" not in body and "<img" not in body and '<a href="javascript' not in body
    assert "&lt;script&gt;window.__pwned=&#x27;source-script&#x27;&lt;/script&gt;" in body
    assert "onerror" in body  # present, as text
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_raw_document_is_plain_text_in_a_sandbox(client: TestClient) -> None:
    r = client.get("/raw", params={"r": H})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-security-policy"].startswith("sandbox")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>window.__pwned='source-script'</script>" in r.text


def test_page_script_never_parses_strings_as_html() -> None:
    js = resources.files("extractor.review").joinpath("static", "app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js
    html = resources.files("extractor.review").joinpath("static", "index.html").read_text()
    assert "<script>" not in html  # no inline script (the CSP would refuse it anyway)
    assert re.search(r"\son[a-z]+\s*=", html) is None  # no inline event handlers


def test_records_rewritten_under_a_running_review(client: TestClient, run: Path) -> None:
    # the batch run rewrites records.jsonl (other order, reviewed values applied); ids stay valid
    post(client, "/api/decide", {"q": f"{N}:cover/phone", "action": "accept"})
    lines = (run / "records.jsonl").read_text().splitlines()
    (run / "records.jsonl").write_text("\n".join([lines[1], "", lines[0]]) + "\n")
    d = client.get("/api/field", params={"q": f"{N}:cover/irs_employer_id"}).json()
    assert d["field"]["value"] == "94-3156478"
    assert (
        client.get("/api/field", params={"q": f"{N}:cover/phone"}).json()["decision_detail"]["action"]
        == "accept"
    )
    assert client.get("/api/text", params={"r": H}).json()["text"].startswith("8-K")
    assert client.get("/api/queue").json()["counts"]["done"] == 1


def test_text_comes_from_the_ledger_when_the_run_kept_it(run: Path) -> None:
    from extractor.store.ledger import Ledger

    path = nuance_record()["source"]["path"]
    with Ledger(run / "ledger.sqlite") as led:  # what a batch run commits for a parsed filing
        led.register([path])
        led.commit_parse(led.filings()[0].id, "{}", "LEDGER TEXT", status="ok", done=True, error=None)

    def no_parse(path: str) -> object:
        raise AssertionError("must not re-parse when the ledger has the text")

    app = ReviewApp(str(run), parse=no_parse, token="t")
    c = TestClient(create_app(app, ["127.0.0.1:8765"]), base_url=BASE)
    t = c.get("/api/text", params={"r": N}).json()
    assert (t["text"], t["origin"]) == ("LEDGER TEXT", "ledger")


def test_an_unreadable_ledger_falls_back_to_the_parser(run: Path) -> None:
    (run / "ledger.sqlite").write_bytes(b"not a database" * 100)
    app = ReviewApp(str(run), token="t")
    c = TestClient(create_app(app, ["127.0.0.1:8765"]), base_url=BASE)
    t = c.get("/api/text", params={"r": N}).json()
    assert t["origin"] == "parser" and "FORM 8-K\nCURRENT REPORT" in t["text"]


def test_changed_source_document_is_reported_not_highlighted(run: Path, tmp_path: Path) -> None:
    import shutil

    from review_helpers import NUANCE

    copy = tmp_path / NUANCE.name
    shutil.copy(NUANCE, copy)
    rec = nuance_record(copy)
    make_run(run, [rec])
    copy.write_bytes(copy.read_bytes() + b"\n<!-- edited -->")
    app = ReviewApp(str(run), parse=standin_parse, token="t")
    c = TestClient(create_app(app, ["127.0.0.1:8765"]), base_url=BASE)
    from review_helpers import rid

    t = c.get("/api/text", params={"r": rid(rec)}).json()
    assert t["text"] is None and "changed since the run" in t["warning"]


def test_with_the_real_parser(tmp_path: Path) -> None:
    from review_helpers import NUANCE, rid

    from extractor.parse import parse_document

    try:
        parsed = parse_document(NUANCE)
    except NotImplementedError:
        pytest.skip("parser not available in this build")
    rec = parsed.record.model_dump(mode="json")
    make_run(tmp_path / "run", [rec])
    app = ReviewApp(str(tmp_path / "run"), threshold=1.01, token="t")  # default parse: the real one
    c = TestClient(create_app(app, ["127.0.0.1:8765"]), base_url=BASE)
    q = f"{rid(rec)}:cover/company_name"
    d = c.get("/api/field", params={"q": q}).json()
    t = c.get("/api/text", params={"r": rid(rec)}).json()
    assert t["origin"] == "parser" and t["warning"] is None
    s, e = d["field"]["span"]
    assert t["text"][s:e] == d["field"]["quote"] == "NUANCE COMMUNICATIONS, INC."
    m = re.search(r"<mark id='hit'>(.*?)</mark>", c.get("/original", params={"q": q}).text, re.S)
    assert m is not None and "NUANCE COMMUNICATIONS" in m.group(1)


def test_edit_with_selected_evidence(client: TestClient, run: Path) -> None:
    from extractor.record import FilingRecord
    from extractor.store.decisions import apply_decisions

    text = client.get("/api/text", params={"r": N}).json()["text"]
    s = text.index("1 Wayside Road")
    e = text.index("01803")
    body = {"q": f"{N}:cover/address", "action": "edit", "value": "1 Wayside Road, Burlington, Massachusetts"}
    assert post(client, "/api/decide", {**body, "span": [s, len(text) + 5]}).status_code == 422
    assert post(client, "/api/decide", {**body, "span": ["0", 3]}).status_code == 400
    r = post(client, "/api/decide", {**body, "span": [s, e - 1]})
    assert r.json()["decision"]["evidence"] == {
        "span": [s, e - 1],
        "quote": "1 Wayside Road\nBurlington, Massachusetts",
    }
    out = apply_decisions(FilingRecord.model_validate(nuance_record()), run).cover.address
    assert (out.value, out.span, out.quote, out.alignment.value) == (
        "1 Wayside Road, Burlington, Massachusetts",
        (s, e - 1),
        "1 Wayside Road\nBurlington, Massachusetts",
        "exact",
    )
