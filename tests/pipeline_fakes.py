"""A real ``CallPipeline`` over fakes of its ports, so use-case tests can assert what the pipeline audits.

Audit is written by the pipeline alone (never by a use case), so "one event per paid call" is
proved by dispatching the real handler through the real pipeline with the real tool table.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from openrouter_multimodal.adapters.memory_locks import InProcessLocks
from openrouter_multimodal.application.call import ProgressReporter, ToolCall
from openrouter_multimodal.application.pipeline import CallPipeline
from openrouter_multimodal.application.pipeline_ports import AllowEverything, AuditEvent, Handler
from openrouter_multimodal.domain.caller import Caller, local_caller
from openrouter_multimodal.entrypoints.tool_specs import tool_specs
from tests.fakes import FakeClock, as_call

T = TypeVar("T")


class RecordingAudit:
    """``AuditTrail`` that keeps every event."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    async def record(self, event: AuditEvent) -> None:
        self.events.append(event)

    @property
    def outcomes(self) -> list[str]:
        return [e.outcome for e in self.events]

    @property
    def rows(self) -> list[tuple[str, str, str | None]]:
        """``(tool, outcome, cost)`` of every event, the cost as text so tests can compare it exactly."""
        return [(e.tool, e.outcome, None if e.cost_usd is None else str(e.cost_usd)) for e in self.events]


class HandlerTable:
    """``HandlerSource`` over a fixed table of handlers."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self._handlers = handlers

    async def handler_for(self, tool: str) -> Handler:
        return self._handlers[tool]


class SameSpace(Generic[T]):
    """``OutputSpaces`` / ``InputSpaces`` handing every caller the one ``space``; records who asked."""

    def __init__(self, space: T) -> None:
        self.space = space
        self.callers: list[Caller] = []

    def for_caller(self, caller: Caller) -> T:
        self.callers.append(caller)
        return self.space


class Dispatch:
    """Runs handlers through a real ``CallPipeline`` (the server's tool table, allow-all policy, real locks)."""

    def __init__(self, handlers: dict[str, Handler], *, audit: RecordingAudit | None = None,
                 clock: FakeClock | None = None) -> None:
        self.audit = audit or RecordingAudit()
        self.pipeline = CallPipeline(specs=tool_specs(), handlers=HandlerTable(handlers), policy=AllowEverything(),
                                     audit=self.audit, locks=InProcessLocks(), clock=clock or FakeClock())

    async def __call__(self, tool: str, command: Any, *, caller: Caller | None = None,
                       progress: ProgressReporter | None = None) -> Any:
        return await self.pipeline.dispatch(as_call(command, tool, caller=caller or local_caller(),
                                                    progress=progress))

    async def call(self, call: ToolCall[Any]) -> Any:
        return await self.pipeline.dispatch(call)
