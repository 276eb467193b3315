"""The health_check use case: a report that never fails."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..domain.errors import ConfigurationError, OpenRouterMcpError
from .call import ToolCall
from .model_catalog import ModelCatalog
from .ports import Credentials, KeyInspector


@dataclass(frozen=True, slots=True)
class HealthReport:
    ok: bool
    server_version: str
    protocol_version: str
    api_key_present: bool
    api_key_valid: bool
    models_cached: int
    credit_limit: Decimal | None = None
    credit_remaining: Decimal | None = None
    is_free_tier: bool | None = None
    problems: tuple[str, ...] = ()
    api_key_checked: bool = True

    @property
    def key_state(self) -> str:
        """The key in words; never 'not accepted' for a key that was not sent."""
        if self.api_key_valid:
            return "valid"
        if not self.api_key_present:
            return "missing"
        return "present but not accepted" if self.api_key_checked else "present, not checked"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "server_version": self.server_version,
            "protocol_version": self.protocol_version,
            "api_key_present": self.api_key_present,
            "api_key_valid": self.api_key_valid,
            "models_cached": self.models_cached,
            "credit_limit_usd": float(self.credit_limit) if self.credit_limit is not None else None,
            "credit_remaining_usd": float(self.credit_remaining) if self.credit_remaining is not None else None,
            "is_free_tier": self.is_free_tier,
            "problems": list(self.problems),
        }


@dataclass(frozen=True, slots=True)
class HealthQuery:
    """What the client negotiated, reported back so a user can see it."""

    protocol_version: str = "unknown"


class HealthCheck:
    """Checks the key with the authenticated ``GET /key`` (``/models`` works without auth, so it
    proves nothing) and the catalogue; every failure becomes a line in ``problems``.

    With ``upstream_problem`` (a malformed ``base_url`` setting) nothing is sent upstream: the key is
    reported present or missing but not checked, and the problem says which variable to fix.
    """

    def __init__(self, *, keys: KeyInspector, catalog: ModelCatalog, server_version: str,
                 configuration_problem: str | None = None, upstream_problem: str | None = None,
                 credentials: Credentials | None = None) -> None:
        self._keys = keys
        self._catalog = catalog
        self._server_version = server_version
        self._configuration_problem = configuration_problem
        self._upstream_problem = upstream_problem
        self._credentials = credentials

    async def __call__(self, call: ToolCall[HealthQuery]) -> HealthReport:
        protocol_version = call.command.protocol_version
        problems: list[str] = [self._configuration_problem] if self._configuration_problem else []
        if self._upstream_problem:
            problems = problems or [self._upstream_problem]
            return HealthReport(ok=False, server_version=self._server_version, protocol_version=protocol_version,
                                api_key_present=self._key_configured(), api_key_valid=False,
                                models_cached=self._catalog.cached_count, problems=tuple(problems),
                                api_key_checked=False)
        key = await self._keys.inspect_key()
        if key.error:
            problems.append(key.error)
        try:
            models = len(await self._catalog.models())
        except OpenRouterMcpError as exc:
            models = self._catalog.cached_count
            problems.append(f"model catalogue unavailable: {exc.message}")
        return HealthReport(
            ok=key.valid and not problems,
            server_version=self._server_version,
            protocol_version=protocol_version,
            api_key_present=key.present,
            api_key_valid=key.valid,
            models_cached=models,
            credit_limit=key.limit,
            credit_remaining=key.limit_remaining,
            is_free_tier=key.is_free_tier,
            problems=tuple(problems),
        )

    def _key_configured(self) -> bool:
        if self._credentials is None:
            return False
        try:
            self._credentials.ensure_configured()
        except ConfigurationError:
            return False
        return True
