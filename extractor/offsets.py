"""The offset map from normalized text back to the source string (built by ``extractor.normalize``)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise-linear map from normalized offsets to source offsets.

    ``out[k]`` corresponds to ``src[k]``; offsets between two anchors advance together, clamped so they
    never pass the next anchor's source offset. The anchors are compact arrays, and only the points where
    the two offsets stop advancing together are kept (text copied as is costs none).
    """

    out: Sequence[int]
    src: Sequence[int]
    length: int  # len of the normalized text
    src_length: int
    resegmented: bool = False  # line breaks were restored (text without line structure: resegment.py)

    def to_source(self, i: int) -> int:
        if not self.out:
            return 0
        i = min(max(i, 0), self.length)
        k = bisect_right(self.out, i) - 1
        if k < 0:
            return self.src[0]
        s = self.src[k] + (i - self.out[k])
        if k + 1 < len(self.src):
            s = min(s, max(self.src[k + 1], self.src[k]))
        return min(s, self.src_length)

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        s = self.to_source(start)
        e = self.to_source(end)
        return s, max(s, e)
