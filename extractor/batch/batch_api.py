"""``--batch-api``: fill requests go through the OpenAI Batch API (half price, results within 24 h).

It works at the HTTP layer, so the fill stage is unchanged: :class:`BatchTransport` sits under the
provider's ``openai`` client. A chat completion request is keyed by the sha256 of its JSON body and
parked in the ledger (``batch_requests``); its coroutine waits. When no new request has come for
``idle_s`` (or ``max_requests`` are parked) the parked requests are written as JSONL, uploaded
(``POST /files``, purpose ``batch``), and submitted (``POST /batches``); the job is recorded in the ledger
(``batch_jobs``) *before* anyone waits on it. The job is polled every ``poll_s``; on completion its output
file is downloaded, every line stored in ``batch_results`` and the waiting requests are answered with
the stored response, as if the server had answered directly. Instructor's re-asks produce new requests,
which go out in the next round.

Resuming: a restarted run re-creates the same requests (same prompts, same bodies, same keys). A key
with a stored result is answered at once; a key in a submitted job waits for that job (polling resumes
from the ledger's batch id); nothing is submitted twice. Failed or expired jobs release their requests
for the next round. Per-line errors are answered once as an HTTP error (so the provider's retry
policy applies) and then forgotten, so a retry is re-submitted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import httpx

from ..store.ledger import Ledger

FINAL_OK = {"completed"}
FINAL_BAD = {"failed", "expired", "cancelled"}


def request_key(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class BatchTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        ledger_path: str | Path,
        settings: Any,
        *,
        inner: httpx.AsyncBaseTransport | None = None,
        poll_s: float = 30.0,
        idle_s: float = 2.0,
        max_requests: int = 50_000,
        reporter: Any = None,
        endpoint: str = "/v1/chat/completions",
    ) -> None:
        self.ledger = Ledger(ledger_path)
        self.inner = inner or httpx.AsyncHTTPTransport()
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self.base_url = (settings.base_url or "https://api.openai.com/v1").rstrip("/")
        self.api = httpx.AsyncClient(
            transport=self.inner, headers={"Authorization": f"Bearer {key}"}, timeout=settings.timeout_s
        )
        self.poll_s = poll_s
        self.idle_s = idle_s
        self.max_requests = max_requests
        self.reporter = reporter
        self.endpoint = endpoint
        self.waiters: dict[str, list[asyncio.Future[tuple[int, str]]]] = {}
        self._last_arrival = 0.0
        self._task: asyncio.Task[None] | None = None
        self.submitted_jobs = 0

    # -- the provider's side ----------------------------------------------------------------------
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not (request.method == "POST" and request.url.path.endswith("/chat/completions")):
            return await self.inner.handle_async_request(request)
        body = json.loads(await request.aread())
        key = request_key(body)
        hit = self.ledger.batch_result(key)
        if hit is None:
            loop = asyncio.get_running_loop()
            fut: asyncio.Future[tuple[int, str]] = loop.create_future()
            self.waiters.setdefault(key, []).append(fut)
            self.ledger.add_batch_requests({key: body})
            self._last_arrival = time.monotonic()
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._loop())
            hit = await fut
        code, text = hit
        if code >= 400:
            self.ledger.drop_batch_result(key)  # answer an error once; a retry goes out again
        return httpx.Response(code, content=text.encode(), headers={"content-type": "application/json"},
                              request=request)  # fmt: skip

    # -- the batch side ---------------------------------------------------------------------------
    async def _loop(self) -> None:
        try:
            while self.waiters:
                active = [j for j in self.ledger.batch_jobs() if j["status"] not in FINAL_OK | FINAL_BAD]
                for job in active:
                    await self._poll(job)
                self._answer()
                parked = self.ledger.unsubmitted_batch_requests()
                idle = time.monotonic() - self._last_arrival >= self.idle_s
                if parked and (idle or len(parked) >= self.max_requests):
                    await self._submit(parked)
                    continue
                await asyncio.sleep(self.poll_s if active else min(self.idle_s / 4, 0.5))
        except Exception as exc:  # a broken Batch API call fails the waiting requests, not the run
            for futs in self.waiters.values():
                for f in futs:
                    if not f.done():
                        f.set_exception(httpx.ConnectError(f"batch API: {type(exc).__name__}: {exc}"))
            self.waiters.clear()

    def _answer(self) -> None:
        for key in list(self.waiters):
            hit = self.ledger.batch_result(key)
            if hit is not None:
                for f in self.waiters.pop(key):
                    if not f.done():
                        f.set_result(hit)

    async def _submit(self, parked: dict[str, dict[str, Any]]) -> None:
        keys = list(parked)[: self.max_requests]
        rounds = len(self.ledger.batch_jobs())
        job_id = self.ledger.create_batch_job(rounds + 1, keys)  # claimed before anything is uploaded
        lines = [
            json.dumps({"custom_id": k, "method": "POST", "url": self.endpoint, "body": parked[k]})
            for k in keys
        ]
        data = ("\n".join(lines) + "\n").encode()
        r = await self.api.post(
            f"{self.base_url}/files",
            data={"purpose": "batch"},
            files={"file": ("requests.jsonl", data, "application/jsonl")},
        )
        r.raise_for_status()
        file_id = r.json()["id"]
        self.ledger.update_batch_job(job_id, input_file_id=file_id, status="uploaded")
        r = await self.api.post(
            f"{self.base_url}/batches",
            json={"input_file_id": file_id, "endpoint": self.endpoint, "completion_window": "24h"},
        )
        r.raise_for_status()
        batch = r.json()
        self.ledger.update_batch_job(job_id, batch_id=batch["id"], status=batch.get("status", "validating"))
        self.submitted_jobs += 1
        self._note(f"batch API: submitted {batch['id']} with {len(keys)} request(s)")

    async def _poll(self, job: dict[str, Any]) -> None:
        if not job["batch_id"]:  # killed between claim and create: release, they go out again
            self.ledger.update_batch_job(job["id"], status="failed")
            self.ledger.release_job_requests(job["id"])
            return
        r = await self.api.get(f"{self.base_url}/batches/{job['batch_id']}")
        r.raise_for_status()
        batch = r.json()
        status = batch.get("status", "")
        if status in FINAL_OK:
            results: dict[str, tuple[int, str]] = {}
            for fid in (batch.get("output_file_id"), batch.get("error_file_id")):
                if fid:
                    results.update(await self._download(fid))
            self.ledger.put_batch_results(results)
            self.ledger.update_batch_job(
                job["id"], status=status, output_file_id=batch.get("output_file_id"),
                error_file_id=batch.get("error_file_id"),
            )  # fmt: skip
            self.ledger.release_job_requests(job["id"])  # lines the output lacked go out again
            self._note(f"batch API: {job['batch_id']} completed, {len(results)} result(s)")
        elif status in FINAL_BAD:
            self.ledger.update_batch_job(job["id"], status=status)
            self.ledger.release_job_requests(job["id"])
            self._note(f"batch API: {job['batch_id']} {status}; its requests go out again")
        elif status != job["status"]:
            self.ledger.update_batch_job(job["id"], status=status)

    async def _download(self, file_id: str) -> dict[str, tuple[int, str]]:
        r = await self.api.get(f"{self.base_url}/files/{file_id}/content")
        r.raise_for_status()
        out: dict[str, tuple[int, str]] = {}
        for line in r.text.splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            resp = row.get("response") or {}
            if resp.get("body") is not None and not row.get("error"):
                out[row["custom_id"]] = (int(resp.get("status_code", 200)), json.dumps(resp["body"]))
            else:
                err = row.get("error") or {"message": "no response"}
                out[row["custom_id"]] = (int(resp.get("status_code") or 500), json.dumps({"error": err}))
        return out

    def _note(self, message: str) -> None:
        if self.reporter is not None:
            self.reporter.note(message)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.api.aclose()
        self.ledger.close()
