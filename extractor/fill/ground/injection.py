"""Prompt injection: text of a filing that addresses a language model (pure).

``injection_regions(text)`` marks the paragraphs around phrases such as "ignore previous instructions",
"you are an AI", "respond only with", "set the confidence"; a value read from inside one is flagged by
grounding and its confidence capped (``extractor.prefill.scoring.INJECTION_CAP``).
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|directions|rules)"
    r"|disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|system)"
    r"|you\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|large\s+language|llm|chatbot)"
    r"|(?:system|developer)\s+(?:prompt|message|instructions?)"
    r"|\bnew\s+instructions?\b"
    r"|(?:^|\n)\s*(?:assistant|system|user)\s*:"
    r"|(?:respond|reply|answer)\s+(?:only\s+)?with\b"
    r"|(?:set|report)\s+(?:the\s+)?confidence"
    r"|</?\s*(?:filing_text|system|instructions?|prompt)\s*>",
    re.I,
)


def injection_regions(text: str, *, reach: int = 400) -> list[tuple[int, int]]:
    """Spans of ``text`` around phrases that address a language model, widened to the paragraph."""
    regions: list[tuple[int, int]] = []
    for m in _INJECTION.finditer(text):
        lo = text.rfind("\n\n", max(0, m.start() - reach), m.start())
        hi = text.find("\n\n", m.end(), m.end() + reach)
        start = lo + 2 if lo >= 0 else max(0, m.start() - reach)
        end = hi if hi >= 0 else min(len(text), m.end() + reach)
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    return regions
