"""Progress of a run: a rich live display on a terminal, plain log lines otherwise.

Shows filings done/total, rate, ETA, tokens in/out, estimated cost and errors so far.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any


class Reporter:
    """No-op reporter (and the interface)."""

    def start(self, total: int, done: int) -> None: ...
    def add_total(self, n: int) -> None: ...
    def advance(self, status: str, tokens_in: int = 0, tokens_out: int = 0, cost: float = 0.0) -> None: ...
    def retrying(self, n: int) -> None: ...
    def note(self, message: str) -> None: ...
    def stop(self) -> None: ...


class _Counts(Reporter):
    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.done_at_start = 0
        self.errors = 0
        self.partial = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.cost = 0.0
        self.t0 = time.monotonic()

    def start(self, total: int, done: int) -> None:
        self.total, self.done, self.done_at_start = total, done, done
        self.t0 = time.monotonic()

    def add_total(self, n: int) -> None:
        self.total += n

    def advance(self, status: str, tokens_in: int = 0, tokens_out: int = 0, cost: float = 0.0) -> None:
        self.done += 1
        self.errors += status == "error"
        self.partial += status == "partial"
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        self.cost += cost

    def retrying(self, n: int) -> None:
        self.note(f"retrying the fill of {n} filing(s)")
        self.done -= n
        self.partial = max(0, self.partial - n)

    def rate(self) -> float:
        dt = time.monotonic() - self.t0
        return (self.done - self.done_at_start) / dt if dt > 0 else 0.0

    def eta(self) -> float | None:
        r = self.rate()
        return (self.total - self.done) / r if r > 0 else None

    def line(self) -> str:
        eta = self.eta()
        eta_s = f"{eta:.0f}s" if eta is not None else "?"
        return (
            f"{self.done}/{self.total} filings  {self.rate():.2f}/s  eta {eta_s}  "
            f"tokens {self.tokens_in} in / {self.tokens_out} out  ${self.cost:.4f}  "
            f"errors {self.errors}  partial {self.partial}"
        )


class PlainReporter(_Counts):
    """A log line every ``every_s`` seconds and at the end (for logs, CI, pipes)."""

    def __init__(self, stream: IO[str] | None = None, every_s: float = 10.0) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self._last = 0.0

    def advance(self, status: str, tokens_in: int = 0, tokens_out: int = 0, cost: float = 0.0) -> None:
        super().advance(status, tokens_in, tokens_out, cost)
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            print(f"[run] {self.line()}", file=self.stream, flush=True)

    def note(self, message: str) -> None:
        print(f"[run] {message}", file=self.stream, flush=True)

    def stop(self) -> None:
        print(f"[run] {self.line()}", file=self.stream, flush=True)


class JsonReporter(_Counts):
    """One JSON object per line on stderr (``--json-progress``): start, each filing, notes, the end."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr

    def _emit(self, event: str, **data: Any) -> None:
        import json

        data = {"event": event, "t": round(time.monotonic() - self.t0, 3), **data}
        print(json.dumps(data), file=self.stream, flush=True)

    def _counts(self) -> dict[str, Any]:
        eta = self.eta()
        return {"done": self.done, "total": self.total, "errors": self.errors, "partial": self.partial,
                "tokens_in": self.tokens_in, "tokens_out": self.tokens_out, "cost": round(self.cost, 6),
                "eta_s": None if eta is None else round(eta, 1)}  # fmt: skip

    def start(self, total: int, done: int) -> None:
        super().start(total, done)
        self._emit("start", **self._counts())

    def advance(self, status: str, tokens_in: int = 0, tokens_out: int = 0, cost: float = 0.0) -> None:
        super().advance(status, tokens_in, tokens_out, cost)
        self._emit("filing", status=status, **self._counts())

    def note(self, message: str) -> None:
        self._emit("note", message=message)

    def stop(self) -> None:
        self._emit("end", **self._counts())


class RichReporter(_Counts):
    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]run"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}/s"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[stats]}"),
            console=self.console,
            transient=False,
        )
        self.task: Any = None

    def _stats(self) -> dict[str, Any]:
        return {
            "rate": f"{self.rate():.2f}",
            "stats": f"tok {self.tokens_in:,}/{self.tokens_out:,}  ${self.cost:.4f}  "
            f"[red]err {self.errors}[/]  [yellow]partial {self.partial}[/]",
        }

    def start(self, total: int, done: int) -> None:
        super().start(total, done)
        self.progress.start()
        self.task = self.progress.add_task("run", total=total, completed=done, **self._stats())

    def add_total(self, n: int) -> None:
        super().add_total(n)
        self.progress.update(self.task, total=self.total)

    def advance(self, status: str, tokens_in: int = 0, tokens_out: int = 0, cost: float = 0.0) -> None:
        super().advance(status, tokens_in, tokens_out, cost)
        self.progress.update(self.task, completed=self.done, **self._stats())

    def note(self, message: str) -> None:
        self.progress.console.print(message)

    def stop(self) -> None:
        self.progress.stop()


def make_reporter(kind: str = "auto") -> Reporter:
    if kind == "none":
        return Reporter()
    if kind == "json":
        return JsonReporter()
    if kind == "rich" or (kind == "auto" and sys.stderr.isatty()):
        return RichReporter()
    return PlainReporter()
