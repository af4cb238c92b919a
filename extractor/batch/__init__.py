"""Batch runs: many filings into one resumable run directory.

Stages, one module each: ``inputs`` (resolve INPUTS) -> ``parse_stage`` (engines) -> ``fill_stage``
(bounded async LLM fill, ``limits``) -> ``store.ledger`` (commit) -> ``outputs`` (records.jsonl,
tables). ``runner`` wires them; ``batch_api`` sends fill requests through the OpenAI Batch API.
The parser and the fill stage are handed in (``protocols``: ``Parser``, ``Filler``); the CLI builds them.
"""

from __future__ import annotations

from .runner import RunConfig, RunResult, run_batch

__all__ = ["RunConfig", "RunResult", "run_batch"]
