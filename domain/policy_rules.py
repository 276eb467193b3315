"""The spend and rate policy as values: tool gating, model globs, count limits, cool-downs and USD budgets."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fnmatch import fnmatchcase

from .policy_windows import Window

ANY_TOOL = "*"
ALWAYS_LISTED = frozenset({"get_usage"})


class Scope(enum.StrEnum):
    """Whom a limit counts: every caller together (``server``) or each subject on its own (``user``)."""

    SERVER = "server"
    USER = "user"

    def holder(self, subject: str) -> str:
        return "*" if self is Scope.SERVER else subject


def _applies(tools: tuple[str, ...], tool: str) -> bool:
    return ANY_TOOL in tools or tool in tools


def _rule_id(*parts: str) -> str:
    """A short stable id for a rule's state keys: its kind, scope, window and tools, not its limit.

    Leaving the limit out means raising ``max`` or ``usd`` in the file keeps today's counts.
    """
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CountLimit:
    """At most ``max`` calls of ``tools`` per calendar ``window`` for each ``per`` holder."""

    tools: tuple[str, ...]
    per: Scope
    max: int
    window: Window

    def applies_to(self, tool: str) -> bool:
        return _applies(self.tools, tool)

    @property
    def rule_id(self) -> str:
        return _rule_id("count", self.per.value, self.window.value, *sorted(self.tools))


@dataclass(frozen=True, slots=True)
class Cooldown:
    """At least ``seconds`` between two calls of ``tools`` by one ``per`` holder."""

    tools: tuple[str, ...]
    per: Scope
    seconds: float

    def applies_to(self, tool: str) -> bool:
        return _applies(self.tools, tool)

    @property
    def rule_id(self) -> str:
        return _rule_id("cooldown", self.per.value, *sorted(self.tools))


@dataclass(frozen=True, slots=True)
class Budget:
    """At most ``usd`` spent (settled plus reserved) on ``tools`` per calendar ``window`` for each holder."""

    per: Scope
    usd: Decimal
    window: Window
    tools: tuple[str, ...] = (ANY_TOOL,)

    def applies_to(self, tool: str) -> bool:
        return _applies(self.tools, tool)

    @property
    def rule_id(self) -> str:
        return _rule_id("budget", self.per.value, self.window.value, *sorted(self.tools))


def _base(model: str) -> str:
    return model.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class ModelRule:
    """Globs over model ids; a pattern for a base id also covers its variants (``x/y`` covers ``x/y:online``).

    A model is permitted when it matches some ``allow`` pattern and no ``deny`` pattern.
    """

    allow: tuple[str, ...] = ("*",)
    deny: tuple[str, ...] = ()

    @staticmethod
    def _matches(patterns: tuple[str, ...], model: str) -> bool:
        return any(fnmatchcase(model, p) or fnmatchcase(_base(model), p) for p in patterns)

    def permits(self, model: str) -> bool:
        return self._matches(self.allow, model) and not self._matches(self.deny, model)


class Default(enum.StrEnum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class Policy:
    """The whole rule set; ``Policy()`` changes nothing (every tool and model allowed, no limits).

    ``tools`` is an explicit allow-list that only matters with ``default: deny``; tools named in a
    ``limits`` entry are callable too (wildcards do not count, as in PolicyLayer Intercept).
    """

    default: Default = Default.ALLOW
    hide: frozenset[str] = frozenset()
    tools: frozenset[str] = frozenset()
    models: ModelRule = field(default_factory=ModelRule)
    limits: tuple[CountLimit, ...] = ()
    cooldowns: tuple[Cooldown, ...] = ()
    budgets: tuple[Budget, ...] = ()

    @property
    def named_tools(self) -> frozenset[str]:
        named = set(self.tools)
        for tools in (*(r.tools for r in self.limits), *(r.tools for r in self.cooldowns)):
            named.update(t for t in tools if t != ANY_TOOL)
        return frozenset(named)

    def hides(self, tool: str) -> bool:
        return ANY_TOOL in self.hide or tool in self.hide

    def permits_tool(self, tool: str) -> bool:
        """Whether the tool is listed and may be called at all (before counts and money)."""
        if self.hides(tool):
            return False
        return self.default is Default.ALLOW or tool in ALWAYS_LISTED or tool in self.named_tools

    def limits_for(self, tool: str) -> tuple[CountLimit, ...]:
        return tuple(rule for rule in self.limits if rule.applies_to(tool))

    def cooldowns_for(self, tool: str) -> tuple[Cooldown, ...]:
        return tuple(rule for rule in self.cooldowns if rule.applies_to(tool))

    def budgets_for(self, tool: str) -> tuple[Budget, ...]:
        return tuple(rule for rule in self.budgets if rule.applies_to(tool))


IMAGE_TOOL = "generate_image"


def with_image_shortcuts(policy: Policy, daily_limit: int | None, cooldown_seconds: float | None) -> Policy:
    """Adds LibreChat's ``IMAGE_GEN_DAILY_LIMIT`` / ``IMAGE_GEN_COOLDOWN_SEC`` as per-user rules for
    ``generate_image``; ``None`` or 0 adds nothing. They add to the file's rules (the stricter wins)."""
    limits = policy.limits
    cooldowns = policy.cooldowns
    if daily_limit:
        limits = (*limits, CountLimit((IMAGE_TOOL,), Scope.USER, daily_limit, Window.DAY))
    if cooldown_seconds:
        cooldowns = (*cooldowns, Cooldown((IMAGE_TOOL,), Scope.USER, cooldown_seconds))
    return replace(policy, limits=limits, cooldowns=cooldowns)
