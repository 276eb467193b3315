"""health_check: a report that lists every problem and never raises."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openrouter_multimodal.application.health import HealthCheck, HealthQuery
from openrouter_multimodal.application.model_catalog import ModelCatalog
from openrouter_multimodal.application.ports import KeyStatus
from openrouter_multimodal.domain.errors import UpstreamError
from tests.fakes import FakeCatalogSource, FakeClock, FakeKeys, as_call, card

pytestmark = pytest.mark.anyio

PROTOCOL = "2025-06-18"
QUERY = as_call(HealthQuery(PROTOCOL))
NO_KEY = KeyStatus(present=False, valid=False, error="OPENROUTER_API_KEY is not set")


def make(key: KeyStatus, *, error: Exception | None = None, problem: str | None = None) -> HealthCheck:
    source = FakeCatalogSource([card("openai/gpt-4o"), card("google/gemma-3-27b-it:free")], error=error)
    return HealthCheck(keys=FakeKeys(key), catalog=ModelCatalog(source=source, clock=FakeClock(), ttl_seconds=60),
                       server_version="1.2.3", configuration_problem=problem)


async def test_no_key_is_reported_not_raised() -> None:
    report = await make(NO_KEY)(QUERY)
    assert report.ok is False
    assert report.api_key_present is False
    assert report.api_key_valid is False
    assert report.problems == ("OPENROUTER_API_KEY is not set",)
    assert report.models_cached == 2


async def test_valid_key_with_a_limit_reports_credits() -> None:
    key = KeyStatus(present=True, valid=True, label="work", limit=Decimal("10"), limit_remaining=Decimal("7.25"),
                    usage=Decimal("2.75"), is_free_tier=False)
    report = await make(key)(QUERY)
    assert report.ok is True
    assert report.problems == ()
    body = report.as_dict()
    assert body["credit_limit_usd"] == 10.0
    assert body["credit_remaining_usd"] == 7.25
    assert body["is_free_tier"] is False
    assert body["server_version"] == "1.2.3"
    assert body["protocol_version"] == PROTOCOL
    assert body["models_cached"] == 2


async def test_unlimited_key_has_no_credit_fields() -> None:
    body = (await make(KeyStatus(present=True, valid=True))(QUERY)).as_dict()
    assert body["ok"] is True
    assert body["credit_limit_usd"] is None
    assert body["credit_remaining_usd"] is None


async def test_catalogue_failure_is_a_problem() -> None:
    report = await make(KeyStatus(present=True, valid=True), error=UpstreamError("GET /models failed"))(QUERY)
    assert report.ok is False
    assert report.problems == ("model catalogue unavailable: GET /models failed",)
    assert report.models_cached == 0


async def test_configuration_problem_is_listed_first() -> None:
    report = await make(NO_KEY, problem="malformed setting OPENROUTER_MAX_TOKENS")(QUERY)
    assert report.ok is False
    assert report.problems == ("malformed setting OPENROUTER_MAX_TOKENS", "OPENROUTER_API_KEY is not set")


async def test_configuration_problem_alone_makes_health_not_ok() -> None:
    report = await make(KeyStatus(present=True, valid=True), problem="bad sort")(QUERY)
    assert report.ok is False
    assert report.api_key_valid is True
    assert report.as_dict()["problems"] == ["bad sort"]
