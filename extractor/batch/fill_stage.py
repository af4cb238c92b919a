"""Fill stage of a batch run: one parsed record in, the filled record and one ledger row per item out.

The stage wraps any coroutine ``afill(record, text) -> FilingRecord`` (``protocols.FillFn``): in production
``extractor.fill.afill_record`` over a provider whose HTTP client goes through the run's
:class:`~extractor.batch.limits.Limiter`; in tests a stand-in. It never raises for a filing: a
failure of the whole call marks every fillable item failed with the reason, and the record becomes
``partial`` with one ``PartError`` per failed item.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..record import FilingRecord, PartError, Status
from ..schemas import schema_for
from ..store.ledger import StageResult
from .pricing import Prices
from .protocols import FillFn


def fillable_items(record: FilingRecord) -> list[str]:
    """Item numbers the fill stage has a schema for (reported items, 9.01 excluded)."""
    return [it.number for it in record.items if it.reported and schema_for(it.modern_equivalent) is not None]


@dataclass
class FillOutcome:
    record_json: str  # the filled record, as committed to the ledger
    status: str
    stages: list[StageResult]
    cost: float
    error: str | None
    tokens_in: int = 0
    tokens_out: int = 0
    requests_failed: int = 0
    notes: list[str] = field(default_factory=list)


def _stage_names(record: FilingRecord) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for it in record.items:
        seen[it.number] = seen.get(it.number, 0) + 1
        names.append(f"fill:{it.number}" + (f"#{seen[it.number]}" if seen[it.number] > 1 else ""))
    return names


class FillStage:
    """The fill stage in this process (see ``extractor.batch.fill_pool`` for several processes)."""

    def __init__(
        self,
        afill: FillFn,
        *,
        model: str,
        prices: Prices | None = None,
        aclose: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.afill = afill
        self.model = model
        self.prices = prices or Prices({})
        self._aclose = aclose  # e.g. BuiltFill.aclose: the provider's HTTP client, closed in the loop

    async def start(self) -> None:
        """Nothing to start in process (the pool starts its workers here)."""

    async def aclose(self) -> None:
        if self._aclose is not None:
            await self._aclose()

    async def run_json(self, record_json: str, text: str) -> FillOutcome:
        """``run`` on a record as stored in the ledger (JSON)."""
        return await self.run(FilingRecord.model_validate_json(record_json), text)

    async def run(self, record: FilingRecord, text: str) -> FillOutcome:
        wanted = set(fillable_items(record))
        try:
            filled = await self.afill(record, text)
        except Exception as exc:  # the fill promises per-item errors; a crash still must not stop a run
            reason = f"fill failed: {type(exc).__name__}: {exc}"[:500]
            return self._failed_all(record, reason)
        stages: list[StageResult] = []
        errors = list(filled.errors)
        failed: list[str] = []
        tin = tout = 0
        cost = 0.0
        for name, it in zip(_stage_names(filled), filled.items, strict=True):
            call = it.llm
            if call is None:
                if it.number in wanted and it.event is None:
                    reason = "fill returned no event and no call record"
                    stages.append(StageResult(name, "error", reason, self.model))
                    failed.append(it.number)
                    errors.append(PartError(part=f"item {it.number}", message=reason))
                continue
            hit = bool(call.cache_hit)
            if not hit:
                tin += call.tokens_in
                tout += call.tokens_out
                cost += self.prices.cost(call.model, call.tokens_in, call.tokens_out)
            ok = call.outcome == "ok"
            stages.append(
                StageResult(
                    name,
                    "ok" if ok else "error",
                    None if ok else (call.error or call.outcome),
                    call.model,
                    0 if hit else call.tokens_in,
                    0 if hit else call.tokens_out,
                    hit,
                )
            )
            if not ok:
                failed.append(it.number)
                part = f"item {it.number}"
                if not any(e.part == part for e in errors):
                    errors.append(PartError(part=part, message=call.error or call.outcome))
        status = filled.status.value
        if failed and status == Status.ok.value:
            status = Status.partial.value
        filled = filled.model_copy(update={"errors": errors, "status": Status(status), "text": None})
        err = None
        if failed:
            err = f"fill failed for item(s) {', '.join(failed)}: " + next(
                (s.error or "" for s in stages if s.status == "error"), ""
            )
        return FillOutcome(filled.model_dump_json(), status, stages, cost, err, tin, tout, len(failed))

    def _failed_all(self, record: FilingRecord, reason: str) -> FillOutcome:
        return failed_outcome(record, reason, self.model)


def failed_outcome(record: FilingRecord, reason: str, model: str) -> FillOutcome:
    """Every fillable item of ``record`` failed for ``reason`` (the record becomes partial)."""
    errors = list(record.errors)
    stages = []
    names = _stage_names(record)
    wanted = set(fillable_items(record))
    failed = []
    for name, it in zip(names, record.items, strict=True):
        if it.number in wanted:
            stages.append(StageResult(name, "error", reason, model))
            errors.append(PartError(part=f"item {it.number}", message=reason))
            failed.append(it.number)
    status = Status.partial if failed and record.status == Status.ok else record.status
    rec = record.model_copy(update={"errors": errors, "status": status, "text": None})
    return FillOutcome(rec.model_dump_json(), status.value, stages, 0.0, reason, requests_failed=len(failed))
