"""The refusals the policy gives, as ``QuotaExceeded`` errors whose one-line text tells the model what to do."""

from __future__ import annotations

import math
from decimal import Decimal

from .errors import QuotaExceeded
from .policy_rules import Budget, Cooldown, CountLimit, Scope
from .policy_windows import iso_utc, reset_at
from .setting_refs import setting


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))


def _usd(amount: Decimal) -> str:
    return f"${amount:.2f}" if amount >= Decimal("0.01") or amount == 0 else f"${amount:.6f}"


def _whose(per: Scope) -> str:
    return "this server's" if per is Scope.SERVER else "your"


def tool_not_allowed(tool: str) -> QuotaExceeded:
    return QuotaExceeded(f"the tool '{tool}' is not available on this server (policy); do not call it again, "
                         "use another tool.", reason="tool_not_allowed", details={"tool": tool})


def model_not_allowed(model: str, allow: tuple[str, ...], deny: tuple[str, ...]) -> QuotaExceeded:
    return QuotaExceeded(
        f"the model '{model}' is not allowed by this server's policy; call again with another model "
        f"(allowed: {', '.join(allow) or 'none'}; denied: {', '.join(deny) or 'none'}).",
        reason="model_not_allowed", details={"model": model, "allow": list(allow), "deny": list(deny)})


def count_exceeded(rule: CountLimit, tool: str, used: int, now: float) -> QuotaExceeded:
    resets = reset_at(rule.window, now)
    wait = _wait(resets - now)
    reason = "daily_quota" if rule.window.is_quota else "rate_limit"
    return QuotaExceeded(
        f"{_whose(rule.per)} {rule.window.adjective} limit of {rule.max} '{tool}' calls is used up; "
        f"wait {wait} s (until {iso_utc(resets)}) before calling it again.",
        reason=reason, retry_after_seconds=wait,
        details={"limit": rule.max, "used": used, "reset_at": iso_utc(resets), "window": rule.window.value,
                 "per": rule.per.value, "tools": list(rule.tools)})


def cooldown_active(rule: Cooldown, tool: str, last_at: float, now: float) -> QuotaExceeded:
    ready = last_at + rule.seconds
    wait = _wait(ready - now)
    return QuotaExceeded(
        f"'{tool}' needs {rule.seconds:g} s between {_whose(rule.per)} calls; wait {wait} s and call it again.",
        reason="cooldown", retry_after_seconds=wait,
        details={"limit": rule.seconds, "used": round(max(now - last_at, 0.0), 3), "reset_at": iso_utc(ready),
                 "per": rule.per.value, "tools": list(rule.tools)})


def budget_exceeded(rule: Budget, committed: Decimal, estimate: Decimal, now: float) -> QuotaExceeded:
    """``committed`` is settled spend plus the reservations of calls still running."""
    resets = reset_at(rule.window, now)
    wait = _wait(resets - now)
    return QuotaExceeded(
        f"{_whose(rule.per)} {rule.window.adjective} budget of {_usd(rule.usd)} would be exceeded "
        f"({_usd(committed)} spent or reserved, this call may cost up to {_usd(estimate)}); use a cheaper model "
        f"or a smaller max_tokens, or wait {wait} s (until {iso_utc(resets)}).",
        reason="budget", retry_after_seconds=wait,
        details={"limit": float(rule.usd), "used": float(committed), "estimate_usd": float(estimate),
                 "reset_at": iso_utc(resets), "window": rule.window.value, "per": rule.per.value,
                 "tools": list(rule.tools)})


def policy_unavailable(retry_after_seconds: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"the spend and rate policy store cannot be reached, so paid calls are refused; wait "
        f"{retry_after_seconds} s and try again (operators: check {setting('state_url')}).",
        reason="policy_unavailable", retry_after_seconds=retry_after_seconds)
