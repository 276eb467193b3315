"""``GetUsage``: what the caller has spent and has left in the current windows, per tool and in total."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..domain.caller import Caller
from ..domain.policy_rules import Policy
from ..domain.policy_windows import Window, iso_utc, reset_at, window_start
from .call import ToolCall
from .policy_keys import budget_key, counter_key
from .ports import Clock
from .state_ports import LedgerRow, StateStore

MAX_LEDGER_ROWS = 20_000


def _usd(amount: Decimal) -> float:
    return float(round(amount, 6))


def row_usd(row: LedgerRow) -> Decimal:
    """What a ledger row counts as spend: the reported cost, else the estimate the budget was charged."""
    return row.cost_usd if row.cost_usd is not None else (row.estimate_usd or Decimal(0))


@dataclass(frozen=True, slots=True)
class WindowSpend:
    window: Window
    since: float
    resets: float
    rows: tuple[LedgerRow, ...]

    def as_dict(self) -> dict[str, Any]:
        by_tool: dict[str, dict[str, Any]] = {}
        total = pending = Decimal(0)
        for row in self.rows:
            entry = by_tool.setdefault(row.tool, {"usd": Decimal(0), "calls": 0})
            entry["calls"] += 1
            if row.settled_at is None:
                pending += row.estimate_usd or Decimal(0)
                continue
            entry["usd"] += row_usd(row)
            total += row_usd(row)
        return {"window": self.window.value, "since": iso_utc(self.since), "reset_at": iso_utc(self.resets),
                "total_usd": _usd(total), "pending_usd": _usd(pending), "calls": len(self.rows),
                "by_tool": {tool: {"usd": _usd(v["usd"]), "calls": v["calls"]} for tool, v in sorted(by_tool.items())}}


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Structured usage for ``get_usage``'s ``structuredContent``; ``summary`` is its short text."""

    subject: str
    at: float
    spend: tuple[WindowSpend, ...]
    budgets: tuple[dict[str, Any], ...] = ()
    limits: tuple[dict[str, Any], ...] = ()
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "at": iso_utc(self.at), "spend": [s.as_dict() for s in self.spend],
                "budgets": list(self.budgets), "limits": list(self.limits), "truncated": self.truncated}

    def summary(self) -> str:
        today = self.spend[0].as_dict()
        text = f"{today['window']}: ${today['total_usd']:.4f} spent in {today['calls']} paid calls"
        for budget in self.budgets:
            text += (f"; {budget['window']} budget ${budget['limit_usd']:.2f} ({budget['per']}), "
                     f"${budget['remaining_usd']:.4f} left until {budget['reset_at']}")
        return text + "."


@dataclass(frozen=True, slots=True)
class UsageQuery:
    """get_usage takes no arguments: it always reports on the caller."""


class GetUsage:
    """Reads the caller's spend from the ledger and the policy's counters and budgets from the store.

    Free and read-only. Per-tool figures are the caller's own rows; a ``per: server`` budget shows the
    server-wide level. ``overshoot_usd`` is spend beyond a budget, which only estimates that were too
    low can cause (see ``domain.cost_estimate``). How it fails: ``StateUnavailable`` from the store.
    """

    def __init__(self, *, policy: Policy, store: StateStore, clock: Clock) -> None:
        self._policy = policy
        self._store = store
        self._clock = clock

    async def __call__(self, call: ToolCall[UsageQuery]) -> UsageReport:
        return await self.report(call.caller)

    async def report(self, caller: Caller) -> UsageReport:
        now, subject = self._clock.now(), caller.subject
        windows = [Window.DAY, *sorted({b.window for b in self._policy.budgets} - {Window.DAY},
                                       key=lambda w: window_start(w, now), reverse=True)]
        starts = {w: window_start(w, now) for w in windows}
        rows = await self._store.ledger_since(min(starts.values()), subject=subject, limit=MAX_LEDGER_ROWS)
        spend = tuple(WindowSpend(w, starts[w], reset_at(w, now), tuple(r for r in rows if r.at >= starts[w]))
                      for w in windows)
        budgets, limits = self._policy.budgets, self._policy.limits
        counts, levels = await self._store.levels([counter_key(r, subject, now) for r in limits],
                                                  [budget_key(b, subject, now) for b in budgets], now)
        budget_view = tuple({
            "per": b.per.value, "window": b.window.value, "tools": list(b.tools), "limit_usd": _usd(b.usd),
            "spent_usd": _usd(level.spent_usd), "reserved_usd": _usd(level.reserved_usd),
            "remaining_usd": _usd(max(b.usd - level.spent_usd - level.reserved_usd, Decimal(0))),
            "overshoot_usd": _usd(max(level.spent_usd - b.usd, Decimal(0))),
            "reset_at": iso_utc(reset_at(b.window, now)),
        } for b, level in zip(budgets, levels, strict=True))
        limit_view = tuple({
            "tools": list(r.tools), "per": r.per.value, "window": r.window.value, "max": r.max, "used": used,
            "remaining": max(r.max - used, 0), "reset_at": iso_utc(reset_at(r.window, now)),
        } for r, used in zip(limits, counts, strict=True))
        return UsageReport(subject=subject, at=now, spend=spend, budgets=budget_view, limits=limit_view,
                           truncated=len(rows) >= MAX_LEDGER_ROWS)
