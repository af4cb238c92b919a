"""Prompt templates: versioned files in the top-level ``prompts/`` folder, rendered strictly.

Templates are looked up in ``$EXTRACTOR_PROMPTS``, then the source checkout's ``prompts/``, then the
installed copy (``<prefix>/share/extractor/prompts``, shipped as wheel data files).

- ``system.v1.j2``: shared rules + the field descriptions (JSON_SCHEMA mode shows the model only the
  schema, not its descriptions, so they are written into the system prompt) + the item guidance;
- ``user.v1.j2``: the short header (company, date of report, item) and the item text, delimited as data
  between ``<filing_text>`` tags (tags inside the filing text are defused so it cannot close the block);
- ``<item>.v1.j2``: guidance for one item schema (one file per schema, see ``TEMPLATES``).

Rendering uses a sandboxed jinja2 environment with ``StrictUndefined`` (an undefined variable is an
error). Each rendered prompt has a name (``officers.v1``) and a content hash of the three template
sources; both are recorded with every call.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..quoted import field_docs

VERSION = "v1"


def _prompt_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("EXTRACTOR_PROMPTS"):
        dirs.append(Path(os.environ["EXTRACTOR_PROMPTS"]))
    dirs.append(Path(__file__).resolve().parent.parent.parent / "prompts")  # source checkout
    dirs.append(Path(sys.prefix) / "share" / "extractor" / "prompts")  # installed data files
    return dirs


TEMPLATES: dict[str, str] = {
    "MaterialAgreement": "agreement",
    "AgreementTermination": "termination",
    "AcquisitionDisposition": "acquisition",
    "ResultsOfOperations": "results",
    "FinancialObligation": "obligation",
    "DelistingNotice": "delisting",
    "UnregisteredSale": "unregistered_sale",
    "AuditorChange": "auditor",
    "OfficerChanges": "officers",
    "ShareholderVote": "votes",
    "Disclosure": "disclosure",
    "GenericEvent": "generic",
}

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_DELIM = re.compile(r"<\s*(/?)\s*filing_text\s*>", re.I)


@cache
def _source(name: str) -> str:
    for d in _prompt_dirs():
        path = d / f"{name}.{VERSION}.j2"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(
        f"prompt template {name}.{VERSION}.j2 not found in {[str(d) for d in _prompt_dirs()]}"
    )


@cache
def _template(name: str) -> Any:
    """Compiled once per process (compiling costs more than rendering)."""
    return _ENV.from_string(_source(name))


@cache
def _field_docs(schema: Any) -> tuple[tuple[str, str], ...]:
    return tuple(field_docs(schema))


@dataclass(frozen=True)
class Prompt:
    name: str  # "officers.v1"
    hash: str  # sha256 (16 hex) of the system, user and item template sources
    messages: list[dict[str, str]]


@cache
def prompt_id(schema_name: str) -> tuple[str, str]:
    """(name, hash) of the prompt for an event schema."""
    item = TEMPLATES[schema_name]
    h = hashlib.sha256()
    for part in ("system", "user", item):
        h.update(part.encode() + b"\0" + _source(part).encode() + b"\0")
    return f"{item}.{VERSION}", h.hexdigest()[:16]


def defuse(text: str) -> str:
    """Filing text cannot open or close the data block."""
    return _DELIM.sub(lambda m: f"[{m.group(1)}filing-text]", text)


def render(
    schema: Any,
    *,
    company: str,
    date_of_report: str,
    number: str,
    title: str,
    text: str,
    chunk_index: int = 1,
    chunk_total: int = 1,
) -> Prompt:
    name, digest = prompt_id(schema.__name__)
    item = TEMPLATES[schema.__name__]
    values = {
        "company": company or "(unknown)",
        "date_of_report": date_of_report or "(unknown)",
        "number": number,
        "title": title,
        "chunk_index": chunk_index,
        "chunk_total": chunk_total,
    }
    guidance = _template(item).render(**values).strip()
    system = _template("system").render(fields=list(_field_docs(schema)), guidance=guidance, **values)
    user = _template("user").render(text=defuse(text), **values)
    return Prompt(
        name,
        digest,
        [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}],
    )
