"""The review web app: a small Starlette application served by uvicorn on 127.0.0.1.

Why Starlette + uvicorn: both are small, widely used and well maintained (the core of FastAPI), pure
Python (uvicorn without extras runs on h11), with a test client, so security behaviour is unit-tested
without a socket. The stdlib ``http.server`` would need hand-written routing, JSON handling, keep-alive
and threading, with no test client.

Security model (filing text is hostile input):
- The page is static JS that puts filing text into the DOM with ``textContent`` only; the
  Content-Security-Policy allows scripts from this origin only (no inline script), so even markup
  that slipped through could not run.
- The original document is shown as escaped text inside ``<pre>`` (``/original``) or as
  ``text/plain`` with a ``sandbox`` CSP (``/raw``), never as live HTML.
- Documents are addressed by record number, never by path: the server only reads the files the run's
  records name, and static assets come from a fixed table.
- Every request must carry an allowed ``Host`` (DNS rebinding). Writes (POST) must carry the session
  token (in a meta tag of the page), a JSON content type, and, when present, a same-origin ``Origin``
  and ``Sec-Fetch-Site``.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
import threading
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..events.tree import get_at
from ..store.decisions import Decision, DecisionStore
from .documents import Documents
from .fields import EditError, ValueType, parse_value, path_parts, value_type
from .queue import Entry, RunIndex, StaleRun, record_id

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}
STATIC = {  # the only files the server reads from its own package
    "app.js": "application/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
MAX_PAGE = 500
MAX_BODY = 64 * 1024


class Guard:
    """ASGI middleware: Host allow-list, write protection, security headers."""

    def __init__(self, app: ASGIApp, *, hosts: Iterable[str], token: str) -> None:
        self.app = app
        self.hosts = {h.lower() for h in hosts}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self.check(scope["method"], scope["path"], headers)
        if problem is None and scope["method"] == "POST":
            body = await _read_body(receive, MAX_BODY)  # the limit holds for what is read (chunked too)
            if body is None:
                problem = 413, "request too large"
            else:
                receive = _replay(body, receive)
        if problem is not None:
            status, message = problem
            await _with_headers(PlainTextResponse(message, status_code=status))(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_secured)

    def check(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str] | None:
        if headers.get("host", "").lower() not in self.hosts:
            return 421, "unknown host"
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if method in ("GET", "HEAD"):
            if path.startswith("/api/") and site not in (None, "same-origin", "none"):
                return 403, "cross-site request refused"
            return None
        if method != "POST":
            return 405, "method not allowed"
        if site is not None and site != "same-origin":
            return 403, "cross-site write refused"
        if origin is not None and origin.lower() not in self.origins:
            return 403, "cross-origin write refused"
        if not headers.get("content-type", "").startswith("application/json"):
            return 415, "JSON only"
        if not hmac.compare_digest(headers.get("x-review-token", "").encode(), self.token.encode()):
            return 403, "missing or wrong session token"
        length = headers.get("content-length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            return 413, "request too large"
        return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, read until it ends or passes ``limit`` bytes (then None: the rest is never
    read, whatever Content-Length said or did not say)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body already read, then defers to the connection."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(resp: Response) -> Response:
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    return resp


def _static_text(name: str) -> str:
    return resources.files("extractor.review").joinpath("static", name).read_text(encoding="utf-8")


class ReviewApp:
    """State of one review session: the run's queue, decisions and documents."""

    def __init__(
        self,
        run_dir: str,
        *,
        threshold: float = 0.7,
        reviewer: str = "reviewer",
        everything: bool = False,
        parse: Callable[[str], Any] | None = None,
        token: str | None = None,
    ) -> None:
        self._load = lambda: RunIndex.load(run_dir, threshold, everything=everything)
        self.index = self._load()
        self.store = DecisionStore(run_dir)
        self.docs = Documents(run_dir, parse=parse)
        self.reviewer = reviewer
        self.token = token or secrets.token_urlsafe(32)
        self._lock = threading.RLock()
        self.done: dict[str, Decision] = {}
        self._load_done()

    def _load_done(self) -> None:
        self.done = {
            f"{record_id(sha, path)}:{fpath}": d for (sha, path, fpath), d in self.store.current().items()
        }

    def reload(self) -> None:
        """Re-read records.jsonl (a batch run rewrote it) and the decisions."""
        with self._lock:
            self.index = self._load()
            self._load_done()

    def _read(self, rid: str) -> dict:
        try:
            return self.index.read_record(rid)
        except StaleRun:
            self.reload()
            return self.index.read_record(rid)  # KeyError when the filing left the run

    # ----------------------------------------------------------------- helpers
    def _entry(self, qid: str) -> Entry | None:
        return self.index.by_qid.get(qid)

    def _entry_json(self, e: Entry) -> dict[str, Any]:
        d = self.done.get(e.qid)
        return {
            "q": e.qid,
            "label": e.label,
            "item": e.group,
            "field": e.name,
            "model": e.model,
            "company": self.index.meta(e.rec).company,
            "confidence": e.confidence,
            "flags": list(e.flags),
            "preview": e.preview,
            "decision": d.action if d else None,
        }

    def _counts(self, entries: list[Entry]) -> dict[str, int]:
        done = sum(1 for e in entries if e.qid in self.done)
        return {"total": len(entries), "done": done, "left": len(entries) - done}

    def _set_done(self, qid: str, decision: Decision | None) -> None:
        if decision is None:
            self.done.pop(qid, None)
        else:
            self.done[qid] = decision

    # ----------------------------------------------------------------- endpoints
    def page(self, request: Request) -> Response:
        body = _static_text("index.html").replace("{{TOKEN}}", html.escape(self.token, quote=True))
        return HTMLResponse(body)

    def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found", status_code=404)
        return Response(_static_text(name), media_type=STATIC[name])

    def queue(self, request: Request) -> Response:
        q = request.query_params
        try:
            offset = max(0, int(q.get("offset", "0")))
            limit = min(MAX_PAGE, max(1, int(q.get("limit", "50"))))
        except ValueError:
            return JSONResponse({"error": "bad offset/limit"}, status_code=400)
        filters = {k: q.get(k, "") for k in ("item", "field", "model", "company", "flag")}
        status = q.get("status", "all")
        with self._lock:
            matching = self.index.select(
                item=filters["item"],
                name=filters["field"],
                model=filters["model"],
                company=filters["company"],
                flag=filters["flag"],
            )
            counts = self._counts(matching)
            if any(filters.values()):
                done_all = sum(1 for q in self.done if q in self.index.by_qid)
                total = len(self.index.entries)
                overall = {"total": total, "done": done_all, "left": total - done_all}
            else:
                overall = counts
            if status in ("left", "done"):
                want = status == "done"
                matching = [e for e in matching if (e.qid in self.done) == want]
            rows = [self._entry_json(e) for e in matching[offset : offset + limit]]
        return JSONResponse(
            {
                "offset": offset,
                "limit": limit,
                "matching": len(matching),
                "counts": counts,
                "overall": overall,
                "rows": rows,
                "threshold": self.index.threshold,
                "reviewer": self.reviewer,
            }
        )

    def facets(self, request: Request) -> Response:
        return JSONResponse(self.index.facets())

    def field(self, request: Request) -> Response:
        e = self._entry(request.query_params.get("q", ""))
        try:
            record = self._read(e.rec) if e else None
        except KeyError:
            record = None
        if e is None or record is None:
            return JSONResponse({"error": "no such field in the queue"}, status_code=404)
        fld = get_at(record, path_parts(e.path))
        meta = self.index.meta(e.rec)
        try:
            vt = value_type(e.path, record)
            type_text = vt.describe()
        except KeyError:
            type_text = "text"
        parts = path_parts(e.path)
        item = None
        if parts[0] == "items":
            it = record["items"][parts[1]]
            item = {
                "number": it.get("number"),
                "title": it.get("title"),
                "llm": it.get("llm"),
                "span": it.get("span"),
            }
        d = self.done.get(e.qid)
        src = record.get("source") or {}
        return JSONResponse(
            {
                **self._entry_json(e),
                "rec": e.rec,
                "path": e.path,
                "field": fld,
                "type": type_text,
                "item_info": item,
                "filing": {
                    "file": meta.file,
                    "company": meta.company,
                    "accession": src.get("accession"),
                    "form_type": (record.get("form_type") or {}).get("value"),
                    "status": record.get("status"),
                },
                "decision_detail": d.as_json() if d else None,
                "history": self.store.history(meta.sha256, meta.path, e.path),
            }
        )

    def text(self, request: Request) -> Response:
        rec = request.query_params.get("r", "")
        try:
            record = self._read(rec)
        except KeyError:
            return JSONResponse({"error": "no such filing"}, status_code=404)
        with self._lock:
            ft = self.docs.text(record)
        return JSONResponse({"rec": rec, "text": ft.text, "origin": ft.origin, "warning": ft.warning})

    def _span_of(self, qid: str) -> tuple[str, dict, tuple[int, int] | None] | None:
        e = self._entry(qid)
        if e is None:
            return None
        try:
            record = self._read(e.rec)
        except KeyError:
            return None
        span = get_at(record, path_parts(e.path)).get("span")
        return e.rec, record, (tuple(span) if span else None)  # type: ignore[return-value]

    def original(self, request: Request) -> Response:
        found = self._span_of(request.query_params.get("q", ""))
        if found is None:
            return PlainTextResponse("not found", status_code=404)
        rec, record, span = found
        with self._lock:
            orig = self.docs.original(record, span)
        meta = self.index.meta(rec)
        esc = html.escape
        parts = [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>{esc(meta.file)} (original)</title>",
            "<link rel='stylesheet' href='/static/app.css'></head><body class='original'>",
            f"<header><b>{esc(meta.file)}</b> · original document, shown as text · "
            f"<a href='/raw?r={esc(rec)}'>plain text</a></header>",
        ]
        if orig.warning:
            parts.append(f"<p class='warn'>{esc(orig.warning)}</p>")
        if orig.source_text is None:
            parts.append("<p class='warn'>The original document is not available.</p>")
        else:
            src = orig.source_text
            if orig.span is not None:
                s, t = orig.span
                parts.append(
                    f"<pre>{esc(src[:s])}<mark id='hit'>{esc(src[s:t]) or '&#8203;'}</mark>{esc(src[t:])}</pre>"
                )
            else:
                parts.append(f"<pre>{esc(src)}</pre>")
        parts.append("</body></html>")
        return HTMLResponse("".join(parts))

    def raw(self, request: Request) -> Response:
        try:
            record = self._read(request.query_params.get("r", ""))
        except KeyError:
            return PlainTextResponse("not found", status_code=404)
        with self._lock:
            orig = self.docs.original(record, None)
        if orig.source_text is None:
            return PlainTextResponse(orig.warning or "not available", status_code=404)
        resp = PlainTextResponse(orig.source_text)
        resp.headers["content-security-policy"] = "sandbox; default-src 'none'"
        return resp

    async def decide(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            qid, action = str(body["q"]), str(body["action"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected {q, action, value?}"}, status_code=400)
        e = self._entry(qid)
        if e is None:
            return JSONResponse({"error": "no such field in the queue"}, status_code=404)
        if action not in ("accept", "edit", "reject"):
            return JSONResponse({"error": f"unknown action {action!r}"}, status_code=400)
        try:
            record = self._read(e.rec)
        except KeyError:
            return JSONResponse({"error": "the filing is no longer in the run"}, status_code=404)
        original = get_at(record, path_parts(e.path))
        value: Any = original.get("value")
        if action == "edit":
            raw = body.get("value")
            if raw is not None and not isinstance(raw, str):
                return JSONResponse({"error": "value must be text"}, status_code=400)
            try:
                vt = value_type(e.path, record)
            except KeyError:  # a shape the schema does not know: validate as text
                vt = ValueType(str, True)
            try:
                value = parse_value(raw, vt)
            except EditError as exc:
                return JSONResponse({"error": str(exc)}, status_code=422)
        evidence = None
        if action == "edit" and body.get("span") is not None:
            span = body["span"]
            if not (isinstance(span, list) and len(span) == 2 and all(type(x) is int for x in span)):
                return JSONResponse({"error": "span must be [start, end]"}, status_code=400)
            with self._lock:
                text = self.docs.text(record).text
            if text is None or not 0 <= span[0] < span[1] <= len(text):
                return JSONResponse({"error": "the selection is not in the filing text"}, status_code=422)
            evidence = {"span": span, "quote": text[span[0] : span[1]]}
        meta = self.index.meta(e.rec)
        with self._lock:
            d = self.store.record(
                sha256=meta.sha256,
                source_path=meta.path,
                field_path=e.path,
                action=action,
                value=value,
                original=original,
                reviewer=self.reviewer,
                evidence=evidence,
            )
            self._set_done(e.qid, d)
        return JSONResponse({"q": qid, "decision": d.as_json()})

    async def undo(self, request: Request) -> Response:
        with self._lock:
            d = self.store.undo_last(self.reviewer)
            if d is None:
                return JSONResponse({"undone": None})
            current = self.store.current(d.sha256, d.source_path).get((d.sha256, d.source_path, d.field_path))
            qid = f"{record_id(d.sha256, d.source_path)}:{d.field_path}"
            self._set_done(qid, current)
        return JSONResponse({"undone": d.as_json(), "q": qid if qid in self.index.by_qid else None})

    def routes(self) -> list[Route]:
        return [
            Route("/", self.page),
            Route("/static/{name}", self.static),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Route("/api/queue", self.queue),
            Route("/api/facets", self.facets),
            Route("/api/field", self.field),
            Route("/api/text", self.text),
            Route("/api/decide", self.decide, methods=["POST"]),
            Route("/api/undo", self.undo, methods=["POST"]),
            Route("/original", self.original),
            Route("/raw", self.raw),
        ]


def create_app(review: ReviewApp, hosts: Iterable[str]) -> ASGIApp:
    app = Starlette(routes=review.routes())
    app.state.review = review
    return Guard(app, hosts=hosts, token=review.token)
