"""Ports the call pipeline depends on: handlers, the policy gate, resource locks and the audit trail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from ..domain.paid_call import Billing, CallFacts
from .call import ToolCall

Handler = Callable[[ToolCall[Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What the pipeline must know about a tool: its name and whether calling it can cost money."""

    name: str
    paid: bool


class HandlerSource(Protocol):
    """Finds the use case for a tool when a call arrives (so use cases are built per call, in the running loop)."""

    async def handler_for(self, tool: str) -> Handler:
        """The handler; ``KeyError`` for a tool it does not know (the pipeline checks names first)."""
        ...


@dataclass(frozen=True, slots=True)
class Admission:
    """A policy decision that let a call through; ``estimate_usd`` is what was reserved against budgets."""

    tool: str
    subject: str
    estimate_usd: Decimal | None = None
    token: str | None = None


class PolicyGate(Protocol):
    """Decides whether a call may run and accounts for it afterwards.

    Why: only the server knows a call's real cost, so rate caps, quotas and budgets live here
    rather than in a gateway. ``admit`` runs before anything is paid and raises a domain error
    (QUOTA_EXCEEDED once policies exist) to refuse; ``settle`` runs exactly once per admitted
    call, with what it cost (``None`` when the call failed before paying) and must not raise.
    """

    def lists(self, tool: str) -> bool:
        """Whether clients are shown the tool at all (a hidden or default-denied tool is left out)."""
        ...

    async def admit(self, call: ToolCall[Any], spec: ToolSpec, facts: CallFacts) -> Admission: ...

    async def settle(self, admission: Admission, billing: Billing | None, outcome: str) -> None: ...

    async def settle_job(self, subject: str, billing: Billing) -> None:
        """Settle ``subject``'s job ``billing.job_id`` that ended with no call to settle it (``billing.settles``
        names the tool that held its reservation); idempotent, must not raise."""
        ...


class AllowEverything:
    """The policy until one is configured: admits every call and reserves nothing."""

    def lists(self, tool: str) -> bool:
        return True

    async def admit(self, call: ToolCall[Any], spec: ToolSpec, facts: CallFacts) -> Admission:
        return Admission(tool=call.tool, subject=call.caller.subject)

    async def settle(self, admission: Admission, billing: Billing | None, outcome: str) -> None:
        return None

    async def settle_job(self, subject: str, billing: Billing) -> None:
        return None


class ResourceLocks(Protocol):
    """Exclusive holds on named resources (a job id, a save path) for the length of one call.

    Keys are already scoped to the caller by the pipeline. Holding several keys at once
    acquires them in sorted order, so two calls can never deadlock on each other.
    """

    def hold(self, keys: Sequence[str]) -> AbstractAsyncContextManager[None]: ...


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One row of the paid-call trail; ``prompt_preview`` is at most 80 characters, never the prompt."""

    subject: str
    source: str
    tool: str
    model: str
    outcome: str
    cost_usd: Decimal | None = None
    estimated_cost_usd: Decimal | None = None
    generation_id: str | None = None
    job_id: str | None = None
    prompt_preview: str = ""
    detail: str | None = None
    at: float = 0.0


class AuditTrail(Protocol):
    """Records paid calls so operators can see who spent what.

    ``record`` must never raise into the caller: a trail that cannot be written is logged by
    the adapter, because losing an audit row must not lose the user's paid result.
    """

    async def record(self, event: AuditEvent) -> None: ...
