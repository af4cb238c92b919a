"""A local fake OpenAI-compatible HTTP server, for tests and benchmarks (no network, no model).

``FakeOpenAIServer(latency_s=0.2, fault_rate=0.3).start()`` serves on 127.0.0.1 (free port) from a
background thread, HTTP/1.1 with keep-alive:

- ``POST /v1/chat/completions``: after ``latency_s`` (spread uniformly by ``jitter``: 0.5 gives 0.5x to
  1.5x), a completion whose content is a minimal instance
  of the requested JSON schema (``response_format`` json_schema, or the first tool's parameters; null
  wherever the schema allows). With probability ``fault_rate`` it answers instead with the next of (in turn): 429
  (``Retry-After: 0``), 500, a hang longer than the client's timeout (``hang_s``), or garbage (a body
  that is not JSON, or a completion whose content is not JSON). Faults are drawn from a seeded RNG.
- ``POST /v1/files``, ``GET /v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches/{id}``:
  enough of the Batch API for ``--batch-api``; a batch completes after ``batch_polls`` polls and its
  output holds one fault-free completion per input line.

``requests`` counts chat completion requests; ``batch_requests`` counts lines served through batches;
``GET /v1/stats`` returns both. ``python tests/fakeserver.py --latency 0.2`` serves until
interrupted and prints its base URL first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
import uuid
from typing import Any


def instance_of(schema: dict[str, Any], defs: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A minimal value valid for a JSON schema: null where allowed, empty lists, required keys set."""
    defs = defs if defs is not None else schema.get("$defs", schema.get("definitions", {}))
    if depth > 20:
        return None
    if "$ref" in schema:
        return instance_of(defs.get(schema["$ref"].split("/")[-1], {}), defs, depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            opts = schema[key]
            if any(o.get("type") == "null" for o in opts):
                return None
            return instance_of(opts[0], defs, depth + 1)
    if schema.get("allOf"):
        return instance_of(schema["allOf"][0], defs, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return None if None in schema["enum"] else schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    t = schema.get("type")
    if isinstance(t, list):
        if "null" in t:
            return None
        t = t[0]
    if t == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: instance_of(v, defs, depth + 1) for k, v in props.items()}
    if t == "array":
        return []
    if t == "string":
        return ""
    if t in ("integer", "number"):
        return 0
    if t == "boolean":
        return False
    return None


def _requested_schema(body: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(schema, tool name) the request asks for."""
    rf = body.get("response_format") or {}
    if rf.get("type") == "json_schema":
        return (rf.get("json_schema") or {}).get("schema"), None
    tools = body.get("tools") or []
    if tools:
        fn = tools[0].get("function", {})
        return fn.get("parameters"), fn.get("name")
    return None, None


def completion_for(body: dict[str, Any]) -> dict[str, Any]:
    schema, tool = _requested_schema(body)
    content_obj = instance_of(schema) if schema else {"summary": None}
    content = json.dumps(content_obj)
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": tool, "arguments": content}}
            ],
        }
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex[:12],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool else "stop"}],
        "usage": {
            "prompt_tokens": max(1, prompt_chars // 4),
            "completion_tokens": max(1, len(content) // 4),
            "total_tokens": max(1, prompt_chars // 4) + max(1, len(content) // 4),
        },
    }


class FakeOpenAIServer:
    def __init__(
        self,
        *,
        latency_s: float = 0.0,
        jitter: float = 0.0,
        fault_rate: float = 0.0,
        faults: tuple[str, ...] = ("429", "500", "timeout", "garbage", "bad_content"),
        hang_s: float = 3.0,
        seed: int = 0,
        batch_polls: int = 2,
    ) -> None:
        self.latency_s = latency_s
        self.jitter = jitter  # each answer waits latency_s * uniform(1 - jitter, 1 + jitter)
        self.fault_rate = fault_rate
        self.faults = faults
        self.hang_s = hang_s
        self.rng = random.Random(seed)
        self.batch_polls = batch_polls
        self.requests = 0
        self.faults_served: dict[str, int] = {}
        self.batch_requests = 0
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        ready = threading.Event()

        def main() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)

            async def boot() -> None:
                self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024)
                self.port = self._server.sockets[0].getsockname()[1]
                ready.set()

            self._loop.run_until_complete(boot())
            self._loop.run_forever()

        self._thread = threading.Thread(target=main, daemon=True, name="fake-openai")
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for t in asyncio.all_tasks():
                if t is not asyncio.current_task():
                    t.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP ---------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                n = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(n) if n else b""
                status, extra, payload = await self._route(method, target, headers, body)
                if status == 0:  # hang: never answer, drop the connection later
                    await asyncio.sleep(self.hang_s)
                    break
                head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}", f"content-length: {len(payload)}"]
                head += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
                await writer.drain()
        except (ConnectionError, ValueError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _fault(self) -> str | None:
        with self._lock:
            self.requests += 1
            if self.fault_rate and self.rng.random() < self.fault_rate:
                kind = self.faults[sum(self.faults_served.values()) % len(self.faults)]  # every kind in turn
                self.faults_served[kind] = self.faults_served.get(kind, 0) + 1
                return kind
        return None

    async def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        js = {"content-type": "application/json"}
        path = target.split("?", 1)[0]
        if method == "POST" and path.endswith("/chat/completions"):
            # the answer leaves latency_s after the request arrived: its own work comes out of that time
            due = asyncio.get_running_loop().time() + self._latency()
            answer = self._chat(body)
            await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))
            return answer
        if method == "POST" and path.endswith("/files"):
            data = _multipart_file(headers.get("content-type", ""), body)
            fid = "file-" + uuid.uuid4().hex[:12]
            self.files[fid] = data
            return 200, js, json.dumps({"id": fid, "object": "file", "bytes": len(data), "purpose": "batch",
                                        "filename": "input.jsonl", "created_at": int(time.time()),
                                        "status": "processed"}).encode()  # fmt: skip
        if method == "GET" and "/files/" in path and path.endswith("/content"):
            fid = path.split("/files/")[1].split("/")[0]
            if fid not in self.files:
                return 404, js, b'{"error": {"message": "no such file"}}'
            return 200, {"content-type": "application/octet-stream"}, self.files[fid]
        if method == "POST" and path.endswith("/batches"):
            req = json.loads(body)
            bid = "batch_" + uuid.uuid4().hex[:12]
            self.batches[bid] = {"id": bid, "object": "batch", "endpoint": req["endpoint"], "errors": None,
                                 "input_file_id": req["input_file_id"], "completion_window": "24h",
                                 "status": "validating", "output_file_id": None, "error_file_id": None,
                                 "created_at": int(time.time()), "polls": 0}  # fmt: skip
            return 200, js, json.dumps(self._public(self.batches[bid])).encode()
        if method == "GET" and "/batches/" in path:
            bid = path.rsplit("/", 1)[1]
            b = self.batches.get(bid)
            if b is None:
                return 404, js, b'{"error": {"message": "no such batch"}}'
            b["polls"] += 1
            if b["status"] != "completed":
                b["status"] = "in_progress"
                if b["polls"] >= self.batch_polls:
                    self._complete(b)
            return 200, js, json.dumps(self._public(b)).encode()
        if method == "GET" and path.endswith("/stats"):
            return 200, js, json.dumps({"requests": self.requests, "faults": self.faults_served,
                                        "batch_requests": self.batch_requests}).encode()  # fmt: skip
        return 404, js, b'{"error": {"message": "not found"}}'

    def _latency(self) -> float:
        if not self.latency_s:
            return 0.0
        spread = self.rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
        return self.latency_s * spread

    def _chat(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        js = {"content-type": "application/json"}
        fault = self._fault()
        if fault == "429":
            return (
                429,
                {**js, "retry-after": "0"},
                b'{"error": {"message": "rate limited", "type": "rate_limit"}}',
            )
        if fault == "500":
            return 500, js, b'{"error": {"message": "internal error", "type": "server_error"}}'
        if fault == "timeout":
            return 0, {}, b""
        if fault == "garbage":
            return 200, js, b"<html>upstream garbage{{"
        out = completion_for(json.loads(body or b"{}"))
        if fault == "bad_content":
            msg = out["choices"][0]["message"]
            if msg.get("tool_calls"):
                msg["tool_calls"][0]["function"]["arguments"] = "{not json"
            else:
                msg["content"] = "{not json"
        return 200, js, json.dumps(out).encode()

    @staticmethod
    def _public(b: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in b.items() if k != "polls"}

    def _complete(self, b: dict[str, Any]) -> None:
        lines = []
        for raw in self.files[b["input_file_id"]].decode().splitlines():
            if not raw.strip():
                continue
            req = json.loads(raw)
            self.batch_requests += 1
            out = completion_for(req["body"])
            lines.append(json.dumps({"id": "r-" + uuid.uuid4().hex[:8], "custom_id": req["custom_id"],
                                     "response": {"status_code": 200, "request_id": "x", "body": out},
                                     "error": None}))  # fmt: skip
        fid = "file-" + uuid.uuid4().hex[:12]
        self.files[fid] = ("\n".join(lines) + "\n").encode()
        b["status"] = "completed"
        b["output_file_id"] = fid


def _multipart_file(content_type: str, body: bytes) -> bytes:
    if "boundary=" not in content_type:
        return body
    boundary = content_type.split("boundary=", 1)[1].strip().strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            return data[:-2] if data.endswith(b"\r\n") else data
    return b""


_REASONS = {200: "OK", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}


def main() -> None:  # pragma: no cover - a dev tool
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument(
        "--jitter", type=float, default=0.0, help="latency spread: uniform in latency*(1 +- jitter)"
    )
    ap.add_argument("--fault-rate", type=float, default=0.0)
    args = ap.parse_args()
    srv = FakeOpenAIServer(latency_s=args.latency, jitter=args.jitter, fault_rate=args.fault_rate).start()
    print(srv.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
