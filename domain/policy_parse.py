"""Builds a ``Policy`` from the plain data of ``OPENROUTER_POLICY_FILE``, naming the key of every mistake."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ConfigurationError
from .policy_rules import Budget, Cooldown, CountLimit, Default, ModelRule, Policy, Scope
from .policy_windows import Window

MAX_RULES = 200
MAX_NAMES = 200
NAME_MAX_CHARS = 200
_TOP_KEYS = frozenset({"version", "description", "default", "hide", "tools", "models", "limits", "budgets"})
_LIMIT_KEYS = frozenset({"name", "tools", "per", "max", "window", "cooldown"})
_BUDGET_KEYS = frozenset({"name", "tools", "per", "usd", "window"})
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class PolicyInvalid(ConfigurationError):
    """A policy document that cannot be used; ``key`` is the dotted path of the offending entry."""

    def __init__(self, origin: str, key: str, problem: str) -> None:
        super().__init__(f"{origin}: '{key}' {problem}; fix the policy file and restart the server.")
        self.key = key
        self.problem = problem


class _Reader:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> PolicyInvalid:
        return PolicyInvalid(self.origin, key, problem)

    def mapping(self, value: Any, key: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0],
                            f"is not a known key (known: {', '.join(sorted(allowed))})")
        return value

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or len(value) > MAX_NAMES:
            raise self.fail(key, f"must be a list of at most {MAX_NAMES} names")
        for item in value:
            if not isinstance(item, str) or not item.strip() or len(item) > NAME_MAX_CHARS:
                raise self.fail(key, f"must hold non-empty names of at most {NAME_MAX_CHARS} characters")
        return tuple(item.strip() for item in value)

    def choice(self, value: Any, key: str, options: type[Scope] | type[Window] | type[Default]) -> Any:
        try:
            return options(value)
        except ValueError:
            raise self.fail(key, f"must be one of {', '.join(o.value for o in options)}") from None

    def rules(self, value: Any, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > MAX_RULES:
            raise self.fail(key, f"must be a list of at most {MAX_RULES} entries")
        return value


def parse_duration(value: Any) -> float:
    """``30`` / ``"30s"`` / ``"2m"`` / ``"1h"`` / ``"1d"`` / ``"500ms"`` → seconds; ``ValueError`` otherwise."""
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.fullmatch(str(value))
        if match is None:
            raise ValueError("not a duration")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    if not 0 < seconds <= 366 * 86400:
        raise ValueError("out of range")
    return seconds


def _limit(reader: _Reader, raw: Any, key: str) -> tuple[CountLimit | None, Cooldown | None]:
    entry = reader.mapping(raw, key, _LIMIT_KEYS)
    if "tools" not in entry:
        raise reader.fail(f"{key}.tools", "is required (tool names, or \"*\")")
    tools = reader.names(entry["tools"], f"{key}.tools")
    per = reader.choice(entry.get("per", "user"), f"{key}.per", Scope)
    count = cooldown = None
    if "max" in entry or "window" in entry:
        maximum = entry.get("max")
        if isinstance(maximum, bool) or not isinstance(maximum, int) or maximum < 0:
            raise reader.fail(f"{key}.max", "must be a whole number of calls, 0 or more")
        window = reader.choice(entry.get("window"), f"{key}.window", Window)
        count = CountLimit(tools, per, maximum, window)
    if "cooldown" in entry:
        try:
            cooldown = Cooldown(tools, per, parse_duration(entry["cooldown"]))
        except ValueError:
            raise reader.fail(f"{key}.cooldown", "must be a duration such as 30s, 2m or 1h") from None
    if count is None and cooldown is None:
        raise reader.fail(key, "needs max and window, or cooldown")
    return count, cooldown


def _budget(reader: _Reader, raw: Any, key: str) -> Budget:
    entry = reader.mapping(raw, key, _BUDGET_KEYS)
    per = reader.choice(entry.get("per", "user"), f"{key}.per", Scope)
    usd = entry.get("usd")
    try:
        amount = Decimal(str(usd)) if not isinstance(usd, bool) and usd is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise reader.fail(f"{key}.usd", "must be an amount in US dollars, 0 or more")
    window = reader.choice(entry.get("window", "day"), f"{key}.window", Window)
    tools = reader.names(entry["tools"], f"{key}.tools") if "tools" in entry else ("*",)
    return Budget(per, amount, window, tools)


def parse_policy(data: Any, origin: str = "policy") -> Policy:
    """The ``Policy`` a YAML/JSON document describes; an empty document (``None``) is ``Policy()``.

    How it fails: ``PolicyInvalid`` (a ``ConfigurationError``) naming ``origin`` and the dotted key,
    for unknown keys too, so a typo such as ``window: dya`` never silently disables a limit.
    """
    if data is None:
        return Policy()
    reader = _Reader(origin)
    top = reader.mapping(data, "", _TOP_KEYS)
    default = reader.choice(top.get("default", "allow"), "default", Default)
    hide = frozenset(reader.names(top.get("hide") or [], "hide"))
    tools = frozenset(reader.names(top.get("tools") or [], "tools"))
    models = ModelRule()
    if top.get("models") is not None:
        raw = reader.mapping(top["models"], "models", frozenset({"allow", "deny"}))
        models = ModelRule(allow=reader.names(raw.get("allow", ["*"]), "models.allow"),
                           deny=reader.names(raw.get("deny") or [], "models.deny"))
    limits: list[CountLimit] = []
    cooldowns: list[Cooldown] = []
    for index, raw in enumerate(reader.rules(top.get("limits"), "limits")):
        count, cooldown = _limit(reader, raw, f"limits[{index}]")
        limits.extend([count] if count else [])
        cooldowns.extend([cooldown] if cooldown else [])
    budgets = tuple(_budget(reader, raw, f"budgets[{index}]")
                    for index, raw in enumerate(reader.rules(top.get("budgets"), "budgets")))
    return Policy(default=default, hide=hide, tools=tools, models=models, limits=tuple(limits),
                  cooldowns=tuple(cooldowns), budgets=budgets)
