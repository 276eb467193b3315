"""``CallPipeline``: the one path every tool call takes: policy, then audit, then locks, then the handler."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..domain.errors import ErrorCode, InvalidInput, OpenRouterMcpError
from ..domain.paid_call import Billing, CallFacts, prompt_preview
from .call import ToolCall
from .pipeline_ports import (
    Admission,
    AuditEvent,
    AuditTrail,
    HandlerSource,
    PolicyGate,
    ResourceLocks,
    ToolSpec,
)
from .ports import Clock

DETAIL_CHARS = 200


def billing_of(result: Any) -> Billing | None:
    """What a handler's result cost, when it reports ``billing`` (results that paid nothing have none)."""
    billing = getattr(result, "billing", None)
    return billing if isinstance(billing, Billing) else None


def billing_of_error(exc: BaseException) -> Billing | None:
    return exc.billing if isinstance(exc, OpenRouterMcpError) else None


def outcome_of(exc: BaseException) -> str:
    if isinstance(exc, OpenRouterMcpError):
        return exc.code.value
    return "cancelled" if isinstance(exc, asyncio.CancelledError) else ErrorCode.INTERNAL.value


class CallPipeline:
    """Runs tool calls for MCP sessions, the HTTP service and Python embedders alike.

    Why one chain: identity, spend policy, the audit trail and exclusive resources are
    cross-cutting, and an earlier design placed them by hand in use cases, so some paid
    calls were never audited and others twice. Here the order is fixed:

    1. **policy** admits the call before anything is paid (refusals cost nothing) and is
       settled exactly once with what the call cost;
    2. **audit** writes one event for every paid call whatever its outcome, and one for any
       call whose result settles an earlier job (``Billing.settles``);
    3. **locks** hold the command's resources (``CallFacts.lock_keys``, scoped to the caller);
    4. the **handler** (a use case) runs with the whole ``ToolCall``.

    Work that outlives its call (a chat left running in the background) ends with nobody asking:
    it reports through the call's ``settlement``, which writes its audit event and settles the
    reservation the call held, but only after the call's own settlement (which opened the hold),
    so an answer that arrives while the submitting call is still returning cannot be settled
    before there is anything to settle.

    How it fails: an unknown tool is ``InvalidInput`` naming the known ones; whatever the
    policy or the handler raises is passed on unchanged after settling and auditing.
    """

    def __init__(self, *, specs: dict[str, ToolSpec], handlers: HandlerSource, policy: PolicyGate,
                 audit: AuditTrail, locks: ResourceLocks, clock: Clock) -> None:
        self._specs = specs
        self._handlers = handlers
        self._policy = policy
        self._audit = audit
        self._locks = locks
        self._clock = clock

    @property
    def specs(self) -> dict[str, ToolSpec]:
        return self._specs

    def lists(self, tool: str) -> bool:
        """Whether the policy lets clients see ``tool`` (tools/list leaves hidden tools out)."""
        return tool in self._specs and self._policy.lists(tool)

    async def dispatch(self, call: ToolCall[Any]) -> Any:
        spec = self._specs.get(call.tool)
        if spec is None:
            raise InvalidInput(f"unknown tool '{call.tool}': this server offers {', '.join(sorted(self._specs))}.")
        facts_of = getattr(call.command, "facts", None)
        facts = facts_of() if callable(facts_of) else CallFacts()
        admission = await self._policy.admit(call, spec, facts)
        settlement = LaterSettlement(self, call, facts)
        call = replace(call, settlement=settlement)
        try:
            try:
                result = await self._audited(call, spec, facts, admission)
            except BaseException as exc:
                await self._policy.settle(admission, billing_of_error(exc), outcome_of(exc))
                raise
            billing = billing_of(result)
            await self._policy.settle(admission, billing, billing.outcome if billing else "ok")
            return result
        finally:
            settlement.call_settled()

    async def settle_later(self, call: ToolCall[Any], facts: CallFacts, billing: Billing) -> None:
        """Audit and settle a job of ``call`` that ended after the call returned (see the class docstring)."""
        await self._record(call, facts, billing, billing.outcome, None, estimate_usd=None)
        await self._policy.settle_job(call.caller.subject, billing)

    async def _audited(self, call: ToolCall[Any], spec: ToolSpec, facts: CallFacts, admission: Admission) -> Any:
        try:
            result = await self._locked(call, facts)
        except BaseException as exc:
            billing = billing_of_error(exc)
            if spec.paid or billing is not None:
                detail = exc.message[:DETAIL_CHARS] if isinstance(exc, OpenRouterMcpError) else type(exc).__name__
                await self._record(call, facts, billing, outcome_of(exc), detail, estimate_usd=admission.estimate_usd)
            raise
        billing = billing_of(result)
        if spec.paid or billing is not None:
            await self._record(call, facts, billing, billing.outcome if billing else "ok", None,
                               estimate_usd=admission.estimate_usd)
        return result

    async def _locked(self, call: ToolCall[Any], facts: CallFacts) -> Any:
        handler = await self._handlers.handler_for(call.tool)
        keys = tuple(f"{call.caller.subject}/{key}" for key in facts.lock_keys)
        if not keys:
            return await handler(call)
        async with self._locks.hold(keys):
            return await handler(call)

    async def _record(self, call: ToolCall[Any], facts: CallFacts, billing: Billing | None, outcome: str,
                      detail: str | None, *, estimate_usd: Decimal | None) -> None:
        await self._audit.record(AuditEvent(
            subject=call.caller.subject, source=call.caller.source.value,
            tool=(billing.settles if billing and billing.settles else call.tool),
            model=(billing.model if billing else facts.model) or "unknown", outcome=outcome,
            cost_usd=billing.cost_usd if billing else None, estimated_cost_usd=estimate_usd,
            generation_id=billing.generation_id if billing else None, job_id=billing.job_id if billing else None,
            prompt_preview=prompt_preview(facts.prompt), detail=detail, at=self._clock.now()))


class LaterSettlement:
    """The ``JobSettlement`` the pipeline hands each call: waits for the call's own settlement, then settles."""

    def __init__(self, pipeline: CallPipeline, call: ToolCall[Any], facts: CallFacts) -> None:
        self._pipeline = pipeline
        self._call = call
        self._facts = facts
        self._ready = asyncio.Event()

    def call_settled(self) -> None:
        self._ready.set()

    async def settle(self, billing: Billing) -> None:
        await self._ready.wait()
        await self._pipeline.settle_later(self._call, self._facts, billing)
