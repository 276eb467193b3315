"""``ToolCall``: one tool invocation as the pipeline and the handlers see it (command, caller, progress)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from ..domain.caller import Attribution, Caller
from ..domain.paid_call import Billing

C = TypeVar("C")
C_co = TypeVar("C_co", covariant=True)


class ProgressReporter(Protocol):
    """Where progress goes while a caller waits (MCP ``notifications/progress``); values are absolute."""

    async def report(self, progress: float, total: float | None, message: str) -> None: ...


class NullProgress:
    """Progress for callers that did not ask for any."""

    async def report(self, progress: float, total: float | None, message: str) -> None:
        return None


class JobSettlement(Protocol):
    """Where a job that ends after its call returned, with nobody asking (a chat finished in the background),
    reports what it cost: the pipeline audits it and settles the policy reservation the call held."""

    async def settle(self, billing: Billing) -> None: ...


class NoSettlement:
    """For calls made outside the pipeline (use-case tests): nothing to settle against."""

    async def settle(self, billing: Billing) -> None:
        return None


@dataclass(frozen=True, slots=True)
class ToolCall(Generic[C_co]):
    """What was asked (``command``), under which tool name, by whom (``caller``), and where progress goes.

    Handlers receive the whole call, so ownership (jobs, files), OpenRouter's per-user fields
    (``attribution``, derived from the caller where the call is built), progress reporting and the
    settlement of work that outlives the call (``settlement``, set by the pipeline) all come from
    one place rather than from arguments threaded by hand.
    """

    tool: str
    command: C_co
    caller: Caller
    progress: ProgressReporter = field(default_factory=NullProgress)
    attribution: Attribution = field(default_factory=Attribution)
    settlement: JobSettlement = field(default_factory=NoSettlement)
