"""``PolicyEngine``: the ``PolicyGate`` that enforces the spend and rate policy against a ``StateStore``."""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from ..domain import policy_denial as deny
from ..domain.cost_estimate import EstimateSettings, estimate_cost
from ..domain.errors import OpenRouterMcpError, QuotaExceeded
from ..domain.model_card import ModelCard, Pricing
from ..domain.paid_call import Billing, CallFacts
from ..domain.policy_rules import Policy
from .call import ToolCall
from .pipeline_ports import Admission, ToolSpec
from .policy_keys import budget_claim, cooldown_claim, counter_claim
from .policy_settlement import Settler
from .ports import Clock
from .state_ports import Refusal, Reservation, StateStore, StateUnavailable

log = logging.getLogger("openrouter_multimodal.policy")


class ModelCards(Protocol):
    """Where prices come from (``ModelCatalog`` fits); ``None`` for a model it does not know."""

    async def get(self, model_id: str) -> ModelCard | None: ...


class FailMode(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """``paid_fail``/``free_fail``: what happens when the store is unreachable (refuse or let through);
    ``lease_seconds``: how long an unsettled reservation holds a budget; ``job_lease_seconds``: the
    same for a video job waiting to finish."""

    paid_fail: FailMode = FailMode.CLOSED
    free_fail: FailMode = FailMode.OPEN
    retry_after_seconds: int = 30
    lease_seconds: float = 3600.0
    job_lease_seconds: float = 2 * 86400.0
    estimates: EstimateSettings = field(default_factory=EstimateSettings)


@dataclass(frozen=True, slots=True)
class _Pending:
    paid: bool
    model: str | None
    reserved: bool
    estimate: Decimal | None


class PolicyEngine:
    """Admits a call when the policy allows it and accounts for it afterwards.

    ``admit`` checks, in order and before anything is paid: hidden tool, ``default: deny``,
    model allow/deny (these need no store), then takes every applicable count limit, cool-down
    and budget reservation (a conservative estimate) in ONE atomic store operation, so 50
    concurrent calls against a quota of 10 admit exactly 10 and concurrent calls never reserve
    past a budget. Counts stay taken when the call later fails (a retry loop must still hit the
    cap); money does not: ``settle`` charges the actual ``usage.cost`` (the estimate when the
    upstream did not say), releases it when nothing was paid, keeps it open for a submitted video
    job until a later ``Billing`` settles that job, and appends the ledger row.

    How it fails: a refusal is ``QuotaExceeded`` (reason in ``details``). When the store is
    unreachable, paid tools are refused (``policy_unavailable``) and free tools let through,
    each configurable. ``settle`` never raises: store trouble there is logged, and an unsettled
    reservation lapses after its lease.
    """

    def __init__(self, *, policy: Policy, store: StateStore, cards: ModelCards, clock: Clock,
                 settings: EngineSettings | None = None, new_id: Callable[[], str] | None = None) -> None:
        self._policy = policy
        self._store = store
        self._cards = cards
        self._clock = clock
        self._settings = settings or EngineSettings()
        self._new_id = new_id or (lambda: uuid.uuid4().hex)
        self._pending: dict[str, _Pending] = {}
        self._settler = Settler(policy=policy, store=store, job_lease_seconds=self._settings.job_lease_seconds)

    @property
    def policy(self) -> Policy:
        return self._policy

    def lists(self, tool: str) -> bool:
        """Whether ``tools/list`` shows the tool (hidden and default-denied tools are left out)."""
        return self._policy.permits_tool(tool)

    async def admit(self, call: ToolCall[Any], spec: ToolSpec, facts: CallFacts) -> Admission:
        tool, subject = call.tool, call.caller.subject
        if not self._policy.permits_tool(tool):
            raise deny.tool_not_allowed(tool)
        models = self._policy.models
        if facts.model is not None and not models.permits(facts.model):
            raise deny.model_not_allowed(facts.model, models.allow, models.deny)
        now = self._clock.now()
        limits = self._policy.limits_for(tool)
        cooldowns = self._policy.cooldowns_for(tool)
        budgets = self._policy.budgets_for(tool) if spec.paid else ()
        estimate = await self._estimate(tool, facts) if budgets else None
        if not estimate:
            budgets = ()
        token = self._new_id()
        reservation = Reservation(
            id=token, now=now, counters=tuple(counter_claim(r, subject, now) for r in limits),
            cooldowns=tuple(cooldown_claim(r, subject) for r in cooldowns),
            budgets=tuple(budget_claim(r, subject, now) for r in budgets),
            amount_usd=estimate or Decimal(0), lease_until=now + self._settings.lease_seconds)
        reserved = bool(reservation.counters or reservation.cooldowns or reservation.budgets)
        if reserved:
            reserved = await self._reserve(reservation, spec, tool, estimate or Decimal(0))
        self._pending[token] = _Pending(paid=spec.paid, model=facts.model, reserved=reserved, estimate=estimate)
        return Admission(tool=tool, subject=subject, estimate_usd=estimate, token=token)

    async def settle(self, admission: Admission, billing: Billing | None, outcome: str) -> None:
        pending = self._pending.pop(admission.token or "", None)
        if pending is None:
            return
        try:
            await self._settler.settle(
                admission, billing, outcome, paid=pending.paid, model=pending.model,
                reservation_id=admission.token if pending.reserved else None, estimate=pending.estimate,
                now=self._clock.now())
        except Exception as exc:
            log.warning("policy settlement failed; the reservation lapses after its lease",
                        extra={"tool": admission.tool, "error": type(exc).__name__})

    async def settle_job(self, subject: str, billing: Billing) -> None:
        try:
            await self._settler.settle_job(subject, billing, self._clock.now())
        except Exception as exc:
            log.warning("job settlement failed; the reservation lapses after its lease",
                        extra={"tool": billing.settles, "error": type(exc).__name__})

    async def _estimate(self, tool: str, facts: CallFacts) -> Decimal:
        pricing: Pricing | None = None
        if facts.model is not None:
            try:
                card = await self._cards.get(facts.model)
            except OpenRouterMcpError:
                card = None
            pricing = card.pricing if card is not None else None
        return estimate_cost(tool, facts, pricing, self._settings.estimates).usd

    async def _reserve(self, reservation: Reservation, spec: ToolSpec, tool: str, estimate: Decimal) -> bool:
        try:
            refusal = await self._store.reserve(reservation)
        except StateUnavailable:
            mode = self._settings.paid_fail if spec.paid else self._settings.free_fail
            if mode is FailMode.CLOSED:
                raise deny.policy_unavailable(self._settings.retry_after_seconds) from None
            log.warning("policy store unavailable; letting the call through", extra={"tool": tool})
            return False
        if refusal is not None:
            raise self._denial(refusal, tool, reservation.now, estimate)
        return True

    def _denial(self, refusal: Refusal, tool: str, now: float, estimate: Decimal) -> QuotaExceeded:
        if refusal.kind == "counter":
            return deny.count_exceeded(self._policy.limits_for(tool)[refusal.index], tool, refusal.count, now)
        if refusal.kind == "cooldown":
            return deny.cooldown_active(self._policy.cooldowns_for(tool)[refusal.index], tool, refusal.last_at, now)
        return deny.budget_exceeded(self._policy.budgets_for(tool)[refusal.index], refusal.committed_usd,
                                    estimate, now)
