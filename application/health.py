"""The health_check use case: a report that never fails."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..domain.errors import OpenRouterMcpError
from .model_catalog import ModelCatalog
from .ports import KeyInspector


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


class HealthCheck:
    """Checks the key with the authenticated ``GET /key`` (``/models`` works without auth, so it
    proves nothing) and the catalogue; every failure becomes a line in ``problems``."""

    def __init__(self, keys: KeyInspector, catalog: ModelCatalog, server_version: str,
                 configuration_problem: str | None = None) -> None:
        self._keys = keys
        self._catalog = catalog
        self._server_version = server_version
        self._configuration_problem = configuration_problem

    async def __call__(self, protocol_version: str) -> HealthReport:
        problems: list[str] = [self._configuration_problem] if self._configuration_problem else []
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
