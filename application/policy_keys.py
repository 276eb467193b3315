"""State-store keys and claims for policy rules, shared by the engine (to take them) and ``get_usage`` (to read)."""

from __future__ import annotations

from ..domain.policy_rules import Budget, Cooldown, CountLimit
from ..domain.policy_windows import reset_at, window_start
from .state_ports import BudgetClaim, CooldownClaim, CounterClaim

EXPIRY_SLACK_SECONDS = 3600.0


def counter_key(rule: CountLimit, subject: str, now: float) -> str:
    return f"n:{rule.rule_id}:{rule.per.holder(subject)}:{int(window_start(rule.window, now))}"


def cooldown_key(rule: Cooldown, subject: str) -> str:
    return f"cd:{rule.rule_id}:{rule.per.holder(subject)}"


def budget_key(rule: Budget, subject: str, now: float) -> str:
    return f"b:{rule.rule_id}:{rule.per.holder(subject)}:{int(window_start(rule.window, now))}"


def counter_claim(rule: CountLimit, subject: str, now: float) -> CounterClaim:
    return CounterClaim(counter_key(rule, subject, now), rule.max, reset_at(rule.window, now) + EXPIRY_SLACK_SECONDS)


def cooldown_claim(rule: Cooldown, subject: str) -> CooldownClaim:
    return CooldownClaim(cooldown_key(rule, subject), rule.seconds)


def budget_claim(rule: Budget, subject: str, now: float) -> BudgetClaim:
    return BudgetClaim(budget_key(rule, subject, now), rule.usd, reset_at(rule.window, now) + EXPIRY_SLACK_SECONDS)
