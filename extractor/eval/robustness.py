"""Metamorphic robustness: the same filing in other forms must give the same record.

A filing is re-rendered the ways real filings reach a user, and the parser's record of every variant is
compared with its record of the original on form type, cover fields, items, exhibits and signatures
(spans and confidences aside), with the eval's own scorers (``compare``): the original's record plays
the gold label. The variants:

- **converters** (HTML documents only): html2text, inscriptis, lxml ``text_content()``, BeautifulSoup
  ``get_text()`` and ``w3m -dump`` when it is installed. lxml and BeautifulSoup keep the source's line
  breaks and drop the block structure, so phrases are broken across lines and headings lose their line
  starts; html2text writes Markdown;
- **wrap-words** / **wrap-chars**: the filing's text hard-wrapped at a width between 40 and 80 columns
  (fixed per filing), at spaces, or at any character (inside words and numbers);
- **flat**: the whole text on one line;
- **upper**: every letter upper-cased (in HTML, the text between tags; tags and entities stay);
- **no-header**: a full submission without its ``<SEC-HEADER>`` block (submissions only).

"The filing's text" is the 8-K document's own text for text filings and its inscriptis rendering for
HTML ones. Converters come from the ``dev`` extra; a converter that is not installed is skipped.
Everything here is pure except :func:`w3m_dump`, which runs the ``w3m`` program.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..record import FilingRecord
from ..sections.cover import COVER_SCALARS
from .compare import compare
from .gold import GoldCover, GoldExhibit, GoldFiling, GoldItem, GoldSignature

FIELDS = ("form_type", *COVER_SCALARS, "items", "exhibits", "signatures")
CONVERTERS = ("html2text", "inscriptis", "lxml", "bs4", "w3m")
TEXT_TRANSFORMS = ("wrap-words", "wrap-chars", "flat", "upper")


# ------------------------------------------------------------------------------------------ converters


def html2text_text(html: str) -> str:
    import html2text

    h = html2text.HTML2Text()
    h.ignore_images = True
    return h.handle(html)


def inscriptis_text(html: str) -> str:
    from inscriptis import get_text

    return str(get_text(html))


def lxml_text(html: str) -> str:
    import lxml.html

    return str(lxml.html.document_fromstring(html.encode("utf-8")).text_content())


def bs4_text(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text()


def w3m_dump(html: str) -> str:
    """``w3m -dump`` of the HTML (the one function here that runs a program)."""
    out = subprocess.run(
        ["w3m", "-dump", "-T", "text/html", "-cols", "100", "-O", "UTF-8", "-I", "UTF-8"],
        input=html.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=True,
    )
    return out.stdout.decode("utf-8", "replace")


_CONVERTER_FNS: dict[str, tuple[str, Callable[[str], str]]] = {
    "html2text": ("html2text", html2text_text),
    "inscriptis": ("inscriptis", inscriptis_text),
    "lxml": ("lxml", lxml_text),
    "bs4": ("bs4", bs4_text),
    "w3m": ("", w3m_dump),
}


def available_converters() -> list[str]:
    import importlib.util

    out = []
    for name, (module, _fn) in _CONVERTER_FNS.items():
        ok = shutil.which("w3m") is not None if not module else importlib.util.find_spec(module) is not None
        if ok:
            out.append(name)
    return out


def convert(name: str, html: str) -> str:
    return _CONVERTER_FNS[name][1](html)


# ----------------------------------------------------------------------------------- text transforms


def wrap_width(key: str) -> int:
    """A width between 40 and 80 columns, fixed by the filing (so a run is reproducible)."""
    return 40 + int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 41


def wrap_words(text: str, width: int) -> str:
    """Hard-wrap every line longer than ``width`` at spaces (a long word stays whole)."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
        else:
            out += textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]
    return "\n".join(out)


def wrap_chars(text: str, width: int) -> str:
    """Hard-wrap every line longer than ``width`` at exactly ``width`` characters, inside words too."""
    out = []
    for line in text.split("\n"):
        out += [line[i : i + width] for i in range(0, len(line), width)] or [""]
    return "\n".join(out)


def flatten(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)|([^<&]+|[<&])")


def upper(text: str, html: bool) -> str:
    if not html:
        return text.upper()
    return _MARKUP.sub(lambda m: m.group(1) or m.group(2).upper(), text)


_HEADER = re.compile(r"<(SEC|IMS)-HEADER>.*?</\1-HEADER>\s*", re.S | re.I)


def strip_header(text: str) -> str | None:
    """The submission without its SEC header block; None when it has none."""
    m = _HEADER.search(text)
    if m is None:
        return None
    return text[: m.start()] + text[m.end() :]


# --------------------------------------------------------------------------------------- variants


@dataclass(frozen=True)
class Source:
    """What the variants are made from: the whole file, its 8-K document, whether that is HTML."""

    key: str  # a stable name (the file name): fixes the wrap width
    whole: str
    document: str
    is_html: bool


def variants(
    src: Source, converters: list[str], transforms: tuple[str, ...] = TEXT_TRANSFORMS
) -> Iterator[tuple[str, str]]:
    """(transform name, text) of every variant of a filing."""
    text_form = src.document
    if src.is_html:
        for name in converters:
            yield name, convert(name, src.document)
        # the text form is inscriptis' rendering whichever converters were asked for (else raw HTML)
        text_form = inscriptis_text(src.document) if "inscriptis" in available_converters() else src.document
    width = wrap_width(src.key)
    for t in transforms:
        if t == "wrap-words":
            yield t, wrap_words(text_form, width)
        elif t == "wrap-chars":
            yield t, wrap_chars(text_form, width)
        elif t == "flat":
            yield t, flatten(text_form)
        elif t == "upper":
            yield t, upper(src.whole, src.is_html) if src.is_html else upper(text_form, False)
    stripped = strip_header(src.whole)
    if stripped is not None:
        yield "no-header", stripped


# -------------------------------------------------------------------------------------- agreement


def _value(f: Any) -> Any:
    return None if f is None else f.value


def reference(record: FilingRecord) -> GoldFiling:
    """The original's record as a gold label (every part; spans and confidences dropped)."""
    cover = {name: _value(getattr(record.cover, name)) for name in COVER_SCALARS}
    return GoldFiling(
        file=record.source.path,
        form_type=_value(record.form_type),
        cover=GoldCover(**cover),
        items=[GoldItem(number=i.number, reported=i.reported) for i in record.items],
        exhibits=[
            GoldExhibit(number=str(e.number.value), description=e.description.value)
            for e in record.exhibits
            if e.number.value
        ],
        signatures=[
            GoldSignature(name=s.name.value, title=_value(s.title), date=_value(s.date))
            for s in record.signatures
            if s.name.value
        ],
    )


def agreement(ref: GoldFiling, record: FilingRecord) -> dict[str, bool]:
    """Per field of :data:`FIELDS`: does the variant's record say what the original's says? A set part
    agrees when its elements match one to one and each matched element's other values match too."""
    out = dict.fromkeys(FIELDS, True)
    for obs in compare(ref, record, events=False):
        key = obs.key.removeprefix("cover.").split(".")[0]
        if key in out:
            out[key] = out[key] and obs.correct
    return out


@dataclass
class Table:
    """Agreement counts by transform and field."""

    counts: dict[tuple[str, str], list[int]]  # (transform, field) -> [agree, total]

    @classmethod
    def empty(cls) -> Table:
        return cls({})

    def add(self, transform: str, result: dict[str, bool]) -> None:
        for name, ok in result.items():
            c = self.counts.setdefault((transform, name), [0, 0])
            c[0] += int(ok)
            c[1] += 1

    def rate(self, transform: str | None, name: str | None) -> tuple[float, int]:
        agree = total = 0
        for (t, f), (a, n) in self.counts.items():
            if (transform is None or t == transform) and (name is None or f == name):
                agree, total = agree + a, total + n
        return (agree / total if total else float("nan")), total

    def transforms(self) -> list[str]:
        seen = dict.fromkeys(t for t, _f in self.counts)
        return list(seen)

    def markdown(self) -> str:
        short = {
            "form_type": "form",
            "company_name": "name",
            "date_of_report": "date",
            "state_of_incorporation": "state",
            "commission_file_number": "file no",
            "irs_employer_id": "IRS",
            "address": "address",
            "zip_code": "zip",
            "phone": "phone",
        }
        head = ["transform", "n", *(short.get(f, f) for f in FIELDS), "all"]
        rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for t in [*self.transforms(), None]:
            n = self.rate(t, "form_type")[1]
            cells = [f"{self.rate(t, f)[0]:.3f}" for f in FIELDS]
            rows.append(
                f"| {t or '**all**'} | {n} | " + " | ".join(cells) + f" | {self.rate(t, None)[0]:.3f} |"
            )
        return "\n".join(rows)
