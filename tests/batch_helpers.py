"""Helpers of the batch-run tests: a stand-in parser and a stand-in fill over the real openai client.

The stand-ins keep the batch tests independent of the parser and fill issues' heuristics while still
exercising the batch machinery end to end (process pool, ledger, HTTP, retries, outputs).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from extractor.catalog import canonical_title, is_known, is_legacy, modern_equivalent
from extractor.parse import ParsedFiling
from extractor.record import Field, FilingRecord, Item, LLMCall, Method, PartError, Source, Status

_ITEM = re.compile(r"^Item\s+(\d{1,2}\.\d{2})\.?\s*(.*)$", re.M)


def standin_parse(path: str) -> ParsedFiling:
    """A tiny deterministic parser: 8-K check, items by heading. Never raises on bad input."""
    import hashlib

    data = Path(path).read_bytes()
    src = Source(path=path, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))

    def err(msg: str) -> ParsedFiling:
        rec = FilingRecord(source=src, status=Status.error, errors=[PartError(part="input", message=msg)])
        return ParsedFiling(rec, "", "", [])

    if b"\0" in data[:8192]:
        return err("binary file")
    text = data.decode("utf-8", "replace")
    if "8-K" not in text:
        return err("not a Form 8-K")
    if "PARSER-CRASH" in text:
        raise RuntimeError("planted parser bug")
    heads = [m for m in _ITEM.finditer(text) if is_known(m.group(1))]
    items = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        num = m.group(1)
        items.append(
            Item(
                number=num,
                title=canonical_title(num),
                legacy=is_legacy(num),
                modern_equivalent=modern_equivalent(num),
                reported=True,
                heading=m.group(0).strip(),
                span=(m.start(), end),
                text=text[m.start() : end],
            )
        )
    rec = FilingRecord(
        source=src,
        form_type=Field[str](value="8-K", confidence=1.0, method=Method.parser),
        items=items,
        text_length=len(text),
    )
    return ParsedFiling(rec, text, text, list(range(len(text) + 1)))


PARSER = standin_parse  # a module-level function: the process, Dask and Ray engines pickle it
PARSER_SPEC = "batch_helpers:standin_parse"  # the same, for ``extractor run --parser``


def make_filing(folder: Path, name: str, items: list[str], body: str = "") -> Path:
    lines = ["FORM 8-K", "CURRENT REPORT", f"Company {name}", ""]
    for n in items:
        lines += [f"Item {n}. {canonical_title(n)}", f"Text of item {n} for {name}. {body}", ""]
    p = folder / f"{name}.txt"
    p.write_text("\n".join(lines))
    return p


class StandinFill:
    """One chat completion per fillable item over the real openai client; values as llm Fields."""

    def __init__(self, base_url: str, transport: Any, *, model: str = "fake-model",
                 timeout: float = 1.0, retries: int = 3) -> None:  # fmt: skip
        import httpx
        import openai

        self.model = model
        self.client = openai.AsyncOpenAI(
            base_url=base_url, api_key="test", max_retries=retries, timeout=timeout,
            http_client=httpx.AsyncClient(transport=transport, timeout=timeout),
        )  # fmt: skip

    async def __call__(self, record: FilingRecord, text: str) -> FilingRecord:
        from extractor.batch.fill_stage import fillable_items

        wanted = set(fillable_items(record))
        items = []
        for it in record.items:
            if it.number in wanted:
                it = await self._fill_item(it)
            items.append(it)
        return record.model_copy(update={"items": items})

    async def _fill_item(self, it: Item) -> Item:
        t0 = time.perf_counter()
        schema = {"type": "object", "properties": {"summary": {"type": ["string", "null"]}}}
        try:
            resp = await self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "user", "content": it.text}],
                response_format={"type": "json_schema", "json_schema": {"name": "e", "schema": schema}},
            )
            content = resp.choices[0].message.content or ""
            data: dict[str, Any] = json.loads(content)
            event = {k: Field[Any](value=v, method=Method.llm, confidence=0.5).model_dump(mode="json")
                     for k, v in data.items()}  # fmt: skip
            usage = resp.usage
            call = LLMCall(model=self.model, prompt_name="standin", prompt_hash="0", attempts=1,
                           tokens_in=usage.prompt_tokens if usage else 0,
                           tokens_out=usage.completion_tokens if usage else 0,
                           latency_s=time.perf_counter() - t0)  # fmt: skip
            return it.model_copy(update={"event": event, "llm": call})
        except Exception as exc:
            call = LLMCall(model=self.model, prompt_name="standin", prompt_hash="0", outcome="error",
                           error=f"{type(exc).__name__}: {exc}"[:300], latency_s=time.perf_counter() - t0)  # fmt: skip
            return it.model_copy(update={"llm": call})


def normalized_records(path: Path) -> list[dict[str, Any]]:
    """records.jsonl with the run-dependent call metadata (latency, attempts, cache hit) removed."""
    out = []
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        for it in rec.get("items", []):
            if it.get("llm"):
                for k in ("latency_s", "attempts", "cache_hit"):
                    it["llm"].pop(k, None)
        out.append(rec)
    return out


def start_run(run_dir: Path, base_url: str, *inputs: Path) -> Any:
    """``main`` in a subprocess of its own session (so ``os.killpg`` takes its parse workers too)."""
    import os
    import subprocess
    import sys

    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    return subprocess.Popen(
        [sys.executable, str(here / "batch_helpers.py"), str(run_dir), base_url, *map(str, inputs)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Driver for subprocess tests: ``python tests/batch_helpers.py RUN_DIR BASE_URL INPUT...``."""
    import asyncio
    import sys

    import httpx
    from batch_helpers import standin_parse  # not __main__'s copy: the pool's workers import it by name

    from extractor.batch import RunConfig, run_batch
    from extractor.batch.fill_stage import FillStage
    from extractor.batch.limits import LimitedTransport, Limiter
    from extractor.batch.progress import PlainReporter

    run_dir, base_url, *inputs = argv if argv is not None else sys.argv[1:]
    lim = Limiter(4)
    fill = StandinFill(base_url, LimitedTransport(httpx.AsyncHTTPTransport(), lim), timeout=5.0, retries=0)
    cfg = RunConfig(run_dir=Path(run_dir), inputs=inputs, parser=standin_parse, filings_in_flight=4, engine="process",
                    workers=2, checkpoint_s=0.2)  # fmt: skip
    try:
        asyncio.run(run_batch(cfg, FillStage(fill, model="fake-model"), PlainReporter(every_s=60)))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
