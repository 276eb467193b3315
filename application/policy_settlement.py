"""How an admitted call is accounted for: charge, release or hold its reservation, and write its ledger row."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..domain.paid_call import Billing
from ..domain.policy_rules import Policy
from .pipeline_ports import Admission
from .policy_keys import budget_claim
from .state_ports import LedgerRow, StateStore

OPEN_OUTCOMES = frozenset({"still_running", "submitted", "JOB_STILL_RUNNING", "pending", "in_progress"})
SUCCESS_OUTCOMES = frozenset({"ok", "completed", "succeeded"})


def charge_for(billing: Billing | None, estimate: Decimal | None) -> Decimal:
    """What a finished call costs the budget: the upstream's ``usage.cost``; the estimate when it was paid
    but the upstream did not say (conservative); nothing when no ``Billing`` came back (nothing paid)."""
    if billing is None:
        return Decimal(0)
    if billing.cost_usd is not None:
        return max(billing.cost_usd, Decimal(0))
    return estimate or Decimal(0)


def job_charge(billing: Billing) -> Decimal | None:
    """A finished job: its reported cost; ``None`` (the held estimate) for a success without a cost;
    nothing for a job that failed, was cancelled or expired (OpenRouter does not bill those)."""
    if billing.cost_usd is not None:
        return max(billing.cost_usd, Decimal(0))
    return None if billing.outcome in SUCCESS_OUTCOMES else Decimal(0)


class Settler:
    """The settle half of ``PolicyEngine``; see its docstring for the rules."""

    def __init__(self, *, policy: Policy, store: StateStore, job_lease_seconds: float) -> None:
        self._policy = policy
        self._store = store
        self._job_lease = job_lease_seconds

    async def settle(self, admission: Admission, billing: Billing | None, outcome: str, *, paid: bool,
                     model: str | None, reservation_id: str | None, estimate: Decimal | None, now: float) -> None:
        subject = admission.subject
        if billing is not None and billing.settles and billing.job_id:
            await self.settle_job(subject, billing, now)
            if reservation_id is not None:
                await self._store.settle(reservation_id, Decimal(0), now, None)
            return
        row = None
        if paid or billing is not None:
            row = LedgerRow(
                at=now, subject=subject, tool=admission.tool, model=(billing.model if billing else model) or "unknown",
                outcome=outcome, estimate_usd=estimate, cost_usd=billing.cost_usd if billing else None,
                generation_id=billing.generation_id if billing else None,
                job_id=billing.job_id if billing else None, settled_at=now)
        if row is not None and billing is not None and billing.job_id and outcome in OPEN_OUTCOMES:
            await self._store.hold_for_job(reservation_id or "", now + self._job_lease, replace(row, settled_at=None))
            return
        if reservation_id is not None or row is not None:
            await self._store.settle(reservation_id or "", charge_for(billing, estimate), now, row)

    async def settle_job(self, subject: str, billing: Billing, now: float) -> None:
        tool = billing.settles or ""
        row = LedgerRow(at=now, subject=subject, tool=tool, model=billing.model, outcome=billing.outcome,
                        cost_usd=billing.cost_usd, generation_id=billing.generation_id, job_id=billing.job_id,
                        settled_at=now)
        fallback = tuple(budget_claim(rule, subject, now) for rule in self._policy.budgets_for(tool))
        await self._store.settle_job(row, job_charge(billing), fallback)

