"""What ``extractor extract`` shows while it works, on stderr (stdout may carry the records).

- ``rich`` (a terminal): each start-up stage with a spinner and, once done, its time ("joining model
  weights 1.1 GB", "starting local model", "measuring model speed"); then bars of items and filings
  with elapsed time and ETA, the current filing and item beside them;
- ``plain`` (a pipe, a log): one line per stage and one line per filing;
- ``json`` (``--json-progress``, for scripts): one JSON object per line, ``{"event": ...}``;
- ``quiet`` (``--quiet``): only warnings.

Warnings are shown in every mode: each part of a record that failed (an item whose budget was spent,
an unreadable file), naming the filing and the item.
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

from ..record import FilingRecord, Item

BUDGET_HINT = (
    "; its event holds only what the deterministic readers found: raise item_max_seconds / item_max_calls"
    " in the settings (--config)"
)


def record_warnings(name: str, record: FilingRecord) -> list[str]:
    """One line per failed part of ``record``, naming the filing and the part."""
    out = []
    for e in record.errors:
        hint = BUDGET_HINT if "budget spent" in e.message else ""
        out.append(f"{name} {e.part}: {e.message}{hint}")
    return out


def summary_line(record: FilingRecord, seconds: float) -> str:
    calls = [i.llm for i in record.items if i.llm]
    return (
        f"{record.status.value}, {len(calls)} item call(s), "
        f"{sum(c.tokens_in for c in calls)} tokens in, {seconds:.1f}s"
    )


class Display:
    """The quiet display, and the interface."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.t0 = time.monotonic()
        self.total = 0
        self.done = 0

    def stage(self, message: str) -> None: ...

    def begin(self, filings: int, items: int, model: str | None) -> None:
        self.total = filings

    def filing(self, name: str, items: int) -> None: ...

    def item(self, name: str, item: Item) -> None: ...

    def finished(self, name: str, record: FilingRecord, seconds: float) -> None:
        self.done += 1
        for line in record_warnings(name, record):
            self.warn(line)

    def warn(self, message: str) -> None:
        print(f"warning: {message}", file=self.stream, flush=True)

    def close(self) -> None: ...


class PlainDisplay(Display):
    def stage(self, message: str) -> None:
        print(message, file=self.stream, flush=True)

    def begin(self, filings: int, items: int, model: str | None) -> None:
        super().begin(filings, items, model)
        if items:
            print(
                f"filling {items} item(s) of {filings} filing(s) with {model}", file=self.stream, flush=True
            )

    def finished(self, name: str, record: FilingRecord, seconds: float) -> None:
        print(
            f"{self.done + 1}/{self.total} {name}: {summary_line(record, seconds)}",
            file=self.stream,
            flush=True,
        )
        super().finished(name, record, seconds)


class JsonDisplay(Display):
    def _emit(self, event: str, **data: Any) -> None:
        data = {"event": event, "t": round(time.monotonic() - self.t0, 3), **data}
        print(json.dumps(data), file=self.stream, flush=True)

    def stage(self, message: str) -> None:
        self._emit("stage", message=message)

    def begin(self, filings: int, items: int, model: str | None) -> None:
        super().begin(filings, items, model)
        self._emit("begin", filings=filings, items=items, model=model)

    def item(self, name: str, item: Item) -> None:
        llm = item.llm
        self._emit(
            "item", filing=name, item=item.number, outcome=llm.outcome if llm else "parser",
            seconds=llm.latency_s if llm else 0.0, cache_hit=bool(llm and llm.cache_hit),
        )  # fmt: skip

    def finished(self, name: str, record: FilingRecord, seconds: float) -> None:
        calls = [i.llm for i in record.items if i.llm]
        self._emit(
            "filing", filing=name, status=record.status.value, done=self.done + 1, total=self.total,
            calls=len(calls), tokens_in=sum(c.tokens_in for c in calls), seconds=round(seconds, 3),
        )  # fmt: skip
        super().finished(name, record, seconds)

    def warn(self, message: str) -> None:
        self._emit("warning", message=message)


class RichDisplay(Display):
    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        from rich.console import Console

        self.console = Console(file=self.stream)
        self._status: Any = None
        self._stage: tuple[str, float] | None = None
        self.progress: Any = None
        self._items: Any = None
        self._filings: Any = None

    def _end_stage(self) -> None:
        if self._stage is not None:
            message, started = self._stage
            self._status.stop()
            self.console.print(f"[green]✓[/] {message} [dim]({time.monotonic() - started:.1f}s)[/]")
            self._stage = None

    def stage(self, message: str) -> None:
        self._end_stage()
        self._status = self.console.status(message)
        self._status.start()
        self._stage = (message, time.monotonic())

    def begin(self, filings: int, items: int, model: str | None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        super().begin(filings, items, model)
        self._end_stage()
        if items:
            self.console.print(f"filling {items} item(s) of {filings} filing(s) with {model}")
        self.progress = Progress(
            TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("eta"), TimeRemainingColumn(), TextColumn("[dim]{task.fields[now]}"),
            console=self.console,
        )  # fmt: skip
        self.progress.start()
        self._items = self.progress.add_task("items", total=items or None, now="")
        self._filings = self.progress.add_task("filings", total=filings, now="")

    def filing(self, name: str, items: int) -> None:
        self.progress.update(self._items, now=f"{name}: {items} item(s) to fill" if items else name)

    def item(self, name: str, item: Item) -> None:
        if item.llm is not None:
            self.progress.update(self._items, advance=1, now=f"{name}: item {item.number} {item.llm.outcome}")

    def finished(self, name: str, record: FilingRecord, seconds: float) -> None:
        self.progress.update(self._filings, advance=1, now=f"{name}: {record.status.value}")
        self.progress.console.print(f"{name}: {summary_line(record, seconds)}", markup=False, highlight=False)
        super().finished(name, record, seconds)

    def warn(self, message: str) -> None:
        console = self.progress.console if self.progress is not None else self.console
        from rich.markup import escape

        console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)

    def close(self) -> None:
        self._end_stage()
        if self.progress is not None:
            self.progress.stop()


def make_display(kind: str, stream: IO[str] | None = None) -> Display:
    """``auto`` is rich on a terminal, plain otherwise."""
    stream = stream or sys.stderr
    if kind == "auto":
        kind = "rich" if stream.isatty() else "plain"
    return {"rich": RichDisplay, "plain": PlainDisplay, "json": JsonDisplay, "quiet": Display}[kind](stream)
