"""Where each scalar of a JSON completion sits in the completion text (pure).

``value_spans(raw)`` scans the first JSON object in ``raw`` (so a leading ```` ```json ```` fence is
skipped) and returns ``{path: (start, end)}`` for every scalar, e.g. ``("changes", 0, "person",
"value")``. Token logprobs are mapped to values by these text offsets, never by token position.
"""

from __future__ import annotations

Path = tuple[str | int, ...]

_WS = " \t\r\n"


class _Scan:
    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0
        self.out: dict[Path, tuple[int, int]] = {}

    def ws(self) -> None:
        while self.i < len(self.t) and self.t[self.i] in _WS:
            self.i += 1

    def string(self) -> str:
        assert self.t[self.i] == '"'
        self.i += 1
        buf: list[str] = []
        while self.i < len(self.t):
            c = self.t[self.i]
            if c == "\\":
                buf.append(self.t[self.i : self.i + 2])
                self.i += 2
                continue
            if c == '"':
                self.i += 1
                return "".join(buf)
            buf.append(c)
            self.i += 1
        raise ValueError("unterminated string")

    def value(self, path: Path) -> None:
        self.ws()
        c = self.t[self.i]
        if c == "{":
            self.i += 1
            self.ws()
            if self.t[self.i] == "}":
                self.i += 1
                return
            while True:
                self.ws()
                key = self.string()
                self.ws()
                assert self.t[self.i] == ":"
                self.i += 1
                self.value((*path, key))
                self.ws()
                if self.t[self.i] == ",":
                    self.i += 1
                    continue
                assert self.t[self.i] == "}"
                self.i += 1
                return
        if c == "[":
            self.i += 1
            self.ws()
            if self.t[self.i] == "]":
                self.i += 1
                return
            n = 0
            while True:
                self.value((*path, n))
                n += 1
                self.ws()
                if self.t[self.i] == ",":
                    self.i += 1
                    continue
                assert self.t[self.i] == "]"
                self.i += 1
                return
        start = self.i
        if c == '"':
            self.string()
            self.out[path] = (start + 1, self.i - 1)
            return
        while self.i < len(self.t) and self.t[self.i] not in ",}] \t\r\n":
            self.i += 1
        self.out[path] = (start, self.i)


def value_spans(raw: str) -> dict[Path, tuple[int, int]]:
    """Scalar spans of the first JSON object in ``raw``; {} when it cannot be scanned."""
    start = raw.find("{")
    if start < 0:
        return {}
    scan = _Scan(raw)
    scan.i = start
    try:
        scan.value(())
    except (AssertionError, IndexError, ValueError):
        return scan.out
    return scan.out
