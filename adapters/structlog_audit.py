"""``StructlogAudit``: the audit trail as JSON lines on stderr (via structlog), one per paid call."""

from __future__ import annotations

import contextlib

import structlog

from ..application.pipeline_ports import AuditEvent


class StructlogAudit:
    """Writes each event at warning level so it survives ``log_level`` warning; never raises."""

    def __init__(self) -> None:
        self._log = structlog.get_logger("openrouter_multimodal.audit")

    async def record(self, event: AuditEvent) -> None:
        with contextlib.suppress(Exception):
            self._log.warning(
                "paid_call", audit=True, subject=event.subject, source=event.source, tool=event.tool,
                model=event.model, outcome=event.outcome,
                cost_usd=float(event.cost_usd) if event.cost_usd is not None else None,
                estimated_cost_usd=float(event.estimated_cost_usd) if event.estimated_cost_usd is not None else None,
                generation_id=event.generation_id, job_id=event.job_id, prompt_preview=event.prompt_preview,
                detail=event.detail)
