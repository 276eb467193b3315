"""Token usage and cost reported by the upstream for one call."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    cost: Decimal | None = None

    def as_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }
        if self.reasoning_tokens is not None:
            meta["reasoning_tokens"] = self.reasoning_tokens
        if self.cached_tokens is not None:
            meta["cached_tokens"] = self.cached_tokens
        return meta
