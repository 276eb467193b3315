"""The audit port: one event for every paid call, whatever its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

PREVIEW_CHARS = 80


@dataclass(frozen=True, slots=True)
class PaidCallEvent:
    """What a paid call did. ``prompt_preview`` is at most 80 characters: audits must not store prompts."""

    tool: str
    model: str
    outcome: str
    cost_usd: Decimal | None = None
    cost_is_estimate: bool = False
    user: str | None = None
    prompt_preview: str = ""
    detail: str | None = None

    @staticmethod
    def preview(prompt: str) -> str:
        flat = " ".join(prompt.split())
        return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


class AuditLog(Protocol):
    """Records paid calls so operators can see who spent what; must never raise into the caller."""

    def paid_call(self, event: PaidCallEvent) -> None: ...
