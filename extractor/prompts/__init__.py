"""Prompt templates: versioned files in the top-level ``prompts/`` folder, rendered strictly.

Templates are looked up in ``$EXTRACTOR_PROMPTS``, then the source checkout's ``prompts/``, then the
installed copy (``<prefix>/share/extractor/prompts``, shipped as wheel data files).

- ``system.v1.j2``: shared rules + the field descriptions (JSON_SCHEMA mode shows the model only the
  schema, not its descriptions, so they are written into the system prompt) + the item guidance;
- ``user.v1.j2``: the short header (company, date of report, item) and the item text, delimited as data
  between ``<filing_text>`` tags (tags inside the filing text are defused so it cannot close the block);
- ``<item>.v1.j2``: guidance for one item schema (one file per schema, see ``TEMPLATES``);
- ``<item>.examples.vN.json`` (optional): few-shot examples of the schema (``extractor.prompts.examples``),
  sent as user/assistant turns between the system prompt and the filing.

A prompt version (``Settings.prompt_version``, default ``VERSION``) is a set of files named ``*.vN.j2``; a
template that version N does not have is inherited from the nearest earlier version (``v2`` changes only
the files it ships). Examples are not inherited. From ``v2`` on, nothing filing-specific is in the system
prompt and the examples come before the filing, so every call of a schema starts with the same tokens
(llama.cpp reuses the computed prefix: ``cache_prompt``).

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
from .examples import Example, example_turns, load_examples

VERSION = "v1"  # the default prompt version
_VERSION = re.compile(r"^v([1-9][0-9]*)$")


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


def version_number(version: str) -> int:
    m = _VERSION.match(version)
    if m is None:
        raise ValueError(f"prompt version {version!r} is not of the form v1, v2, ...")
    return int(m.group(1))


def _find(filename: str) -> Path | None:
    for d in _prompt_dirs():
        if (d / filename).is_file():
            return d / filename
    return None


@cache
def _source(name: str, version: str = VERSION) -> str:
    """The template ``name`` of ``version``, or of the nearest earlier version that has one."""
    for n in range(version_number(version), 0, -1):
        path = _find(f"{name}.v{n}.j2")
        if path is not None:
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(
        f"prompt template {name}.{version}.j2 (or an earlier version) not found in "
        f"{[str(d) for d in _prompt_dirs()]}"
    )


@cache
def _template(name: str, version: str = VERSION) -> Any:
    """Compiled once per process (compiling costs more than rendering)."""
    return _ENV.from_string(_source(name, version))


@cache
def examples_of(schema_name: str, version: str = VERSION) -> tuple[Example, ...]:
    """The few-shot examples of an event schema in a prompt version (none when it has no file); each is
    checked against its schema and its own text when loaded (``examples.load_examples``)."""
    from ..schemas import SCHEMAS, GenericEvent

    item = TEMPLATES[schema_name]
    path = _find(f"{item}.examples.{version}.json")
    if path is None:
        return ()
    schemas: list[type[Any]] = [*SCHEMAS.values(), GenericEvent]
    schema = next(s for s in schemas if s.__name__ == schema_name)
    return tuple(load_examples(path, schema))


@cache
def _field_docs(schema: Any) -> tuple[tuple[str, str], ...]:
    return tuple(field_docs(schema))


@dataclass(frozen=True)
class Prompt:
    name: str  # "officers.v1"
    hash: str  # sha256 (16 hex) of the system, user and item template sources
    messages: list[dict[str, str]]


@cache
def prompt_id(schema_name: str, version: str = VERSION) -> tuple[str, str]:
    """(name, hash) of the prompt for an event schema: the hash covers the three templates and the
    examples (a version without examples hashes as before examples existed)."""
    item = TEMPLATES[schema_name]
    h = hashlib.sha256()
    for part in ("system", "user", item):
        h.update(part.encode() + b"\0" + _source(part, version).encode() + b"\0")
    for ex in examples_of(schema_name, version):
        h.update(b"example\0" + ex.digest().encode() + b"\0")
    return f"{item}.{version}", h.hexdigest()[:16]


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
    version: str = VERSION,
) -> Prompt:
    """The messages of one call: system prompt, the version's examples (user/assistant turns), the filing."""
    name, digest = prompt_id(schema.__name__, version)
    item = TEMPLATES[schema.__name__]
    values = {
        "company": company or "(unknown)",
        "date_of_report": date_of_report or "(unknown)",
        "number": number,
        "title": title,
        "chunk_index": chunk_index,
        "chunk_total": chunk_total,
    }
    guidance = _template(item, version).render(**values).strip()
    system = _template("system", version).render(
        fields=list(_field_docs(schema)), guidance=guidance, **values
    )
    user = _template("user", version)
    turns = example_turns(examples_of(schema.__name__, version), schema, user)
    return Prompt(
        name,
        digest,
        [
            {"role": "system", "content": system.strip()},
            *turns,
            {"role": "user", "content": user.render(text=defuse(text), **values).strip()},
        ],
    )
