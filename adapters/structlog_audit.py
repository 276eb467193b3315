"""``StructlogAudit``: paid-call audit events as JSON lines on stderr (via structlog)."""

from __future__ import annotations

import contextlib

import structlog

from ..application.audit import PaidCallEvent


class StructlogAudit:
    """Writes each event at warning level so it survives ``log_level`` warning; never raises."""

    def __init__(self) -> None:
        self._log = structlog.get_logger("openrouter_multimodal.audit")

    def paid_call(self, event: PaidCallEvent) -> None:
        with contextlib.suppress(Exception):
            self._log.warning(
                "paid_call", audit=True, tool=event.tool, model=event.model, outcome=event.outcome,
                cost_usd=float(event.cost_usd) if event.cost_usd is not None else None,
                cost_is_estimate=event.cost_is_estimate, user=event.user, prompt_preview=event.prompt_preview,
                detail=event.detail)
