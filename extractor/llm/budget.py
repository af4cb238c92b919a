"""The per-item budget, sized to the item and to the machine (pure, except ``measure_speed``).

Two things bound what one item may cost:

- **completion tokens**: a quoted answer copies words of the item, so what it needs grows with the item:
  ``OUT_BASE`` tokens of JSON skeleton plus ``OUT_PER_TOKEN`` per token of item text, never above
  ``max_tokens``. The widest answers in the call log (4.02 and 5.02 fills of the dev gold set) wrote
  2.4 tokens per token of item text; a short item can no longer make a small model write 1,536
  tokens of repetition before it is cut (minutes on two cores);
- **wall clock**: with the embedded model the server's speed is measured once at start
  (:func:`measure_speed`: one tiny completion, llama.cpp reports its prompt and generation rates);
  an item may take ``SLACK`` times what its calls should take at that speed (every chunk, re-asks
  included), and never less than ``item_max_seconds``. A loaded machine gets a longer budget
  instead of losing the item; an endpoint of unknown speed keeps ``item_max_seconds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import Settings
from .base import Budget

CHARS_PER_TOKEN = 3.5  # English filing text with Qwen's tokenizer (the call log: chars / tokens_in)
OUT_BASE = 320
OUT_PER_TOKEN = 4.0
SLACK = 1.5


@dataclass(frozen=True)
class Speed:
    """Tokens per second the model server reads (prompt) and writes (generation)."""

    read_tps: float
    write_tps: float

    def seconds(self, tokens_in: int, tokens_out: int) -> float:
        return tokens_in / max(self.read_tps, 0.1) + tokens_out / max(self.write_tps, 0.1)


def tokens_of(chars: int) -> int:
    return int(chars / CHARS_PER_TOKEN) + 1


def completion_cap(settings: Settings, text_chars: int) -> int:
    """Completion tokens one call on ``text_chars`` of item text may use."""
    return min(settings.max_tokens, int(OUT_BASE + OUT_PER_TOKEN * tokens_of(text_chars)))


def item_budget(
    settings: Settings, speed: Speed | None, *, text_chars: int, prompt_chars: int, calls: int
) -> Budget:
    """The budget of one item: ``calls`` prompts of up to ``prompt_chars`` chars, each on up to
    ``text_chars`` chars of item text."""
    cap = completion_cap(settings, text_chars)
    seconds = settings.item_max_seconds
    if speed is not None:
        per_call = speed.seconds(tokens_of(prompt_chars), cap)
        seconds = max(seconds, SLACK * per_call * max(1, calls) * (1 + settings.max_reasks))
    return Budget(settings.item_max_calls, settings.item_max_tokens, seconds, max_completion_tokens=cap)


def plan_budget(settings: Settings, provider: Any, prompts: list[Any], text_chars: int) -> Budget:
    """``item_budget`` for the prompts of one item (``Prompt.messages``), at the provider's measured
    speed (``provider.speed``, set for the embedded model) when it has one."""
    prompt_chars = max((sum(len(m["content"]) for m in p.messages) for p in prompts), default=0)
    return item_budget(
        settings,
        getattr(provider, "speed", None),
        text_chars=min(text_chars, settings.chunk_chars),
        prompt_chars=prompt_chars,
        calls=len(prompts),
    )


def measure_speed(base_url: str, model: str = "local", *, timeout_s: float = 120.0) -> Speed | None:
    """One tiny completion on a llama.cpp server; its ``timings`` give the read and write rates.
    None when the server does not report them (the budget then stays ``item_max_seconds``)."""
    import httpx

    body = {
        "model": model,
        # a few tokens suffice for the rates, and on a loaded machine each one costs a second or more
        "messages": [{"role": "user", "content": "Count from one to twenty in words, comma separated."}],
        "max_tokens": 8,
        "temperature": 0.0,
    }
    try:
        resp = httpx.post(f"{base_url.rstrip('/')}/chat/completions", json=body, timeout=timeout_s)
        timings = resp.json().get("timings") or {}
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    read, write = timings.get("prompt_per_second"), timings.get("predicted_per_second")
    if not read or not write:
        return None
    return Speed(float(read), float(write))
