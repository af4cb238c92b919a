"""Estimated cost of a run: USD per million tokens (input, output) per model.

Defaults below are list prices at the time of writing and will drift: override with ``--prices FILE``
(TOML: ``["gpt-4o-mini"] input = 0.15, output = 0.60``) or ``--price-in/--price-out`` for the run's
model. A model matches an entry by exact name, then by the longest entry that prefixes it. Unknown
models (and the embedded local model) cost 0. ``--batch-api`` halves the price (the Batch API discount).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
}


@dataclass(frozen=True)
class Prices:
    table: dict[str, tuple[float, float]]
    discount: float = 1.0  # 0.5 with the Batch API

    def per_million(self, model: str | None) -> tuple[float, float]:
        if not model:
            return (0.0, 0.0)
        if model in self.table:
            return self.table[model]
        best = max((k for k in self.table if model.startswith(k)), key=len, default=None)
        return self.table[best] if best else (0.0, 0.0)

    def cost(self, model: str | None, tokens_in: int, tokens_out: int) -> float:
        pin, pout = self.per_million(model)
        return (tokens_in * pin + tokens_out * pout) / 1e6 * self.discount


def load_prices(
    path: str | Path | None = None,
    *,
    model: str | None = None,
    price_in: float | None = None,
    price_out: float | None = None,
    batch_api: bool = False,
) -> Prices:
    table = dict(DEFAULT_PRICES)
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read prices file {path}: {exc}") from exc
        for name, entry in data.items():
            if not isinstance(entry, dict) or not {"input", "output"} <= entry.keys():
                raise ConfigError(
                    f"prices file {path}: [{name}] needs input = and output = (USD per 1M tokens)"
                )
            table[name] = (float(entry["input"]), float(entry["output"]))
    if model and (price_in is not None or price_out is not None):
        old = table.get(model, (0.0, 0.0))
        table[model] = (
            price_in if price_in is not None else old[0],
            price_out if price_out is not None else old[1],
        )
    return Prices(table, 0.5 if batch_api else 1.0)
