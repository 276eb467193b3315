"""Each rule kind through ``PolicyEngine`` on both stores, with a fake clock: what is refused, why, and until when."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.policy_engine import PolicyEngine
from openrouter_multimodal.application.state_ports import StateStore
from openrouter_multimodal.domain.errors import ErrorCode, QuotaExceeded
from openrouter_multimodal.domain.paid_call import Billing

from .conftest import FakeClock, StoreFactory
from .engine_support import admit, engine


def run(open_store: StoreFactory, clock: FakeClock, rules: dict[str, Any] | None,
        scenario: Callable[[PolicyEngine, StateStore], Awaitable[None]]) -> None:
    async def main() -> None:
        store = open_store()
        try:
            await scenario(engine(store, clock, rules), store)
        finally:
            await store.aclose()

    asyncio.run(main())


async def refused(gate: PolicyEngine, tool: str, user: str = "alice", **facts: Any) -> QuotaExceeded:
    with pytest.raises(QuotaExceeded) as caught:
        await admit(gate, tool, user, **facts)
    assert caught.value.code is ErrorCode.QUOTA_EXCEEDED
    return caught.value


def test_no_policy_admits_everything_and_still_records_paid_calls(open_store: StoreFactory, clock: FakeClock) -> None:
    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        for _ in range(20):
            admission = await admit(gate, "chat_completion", model="m/cheap")
            await gate.settle(admission, Billing(model="m/cheap", cost_usd=Decimal("0.001")), "ok")
        free = await admit(gate, "list_models")
        await gate.settle(free, None, "ok")
        rows = await store.ledger_since(0)
        assert len(rows) == 20 and {r.tool for r in rows} == {"chat_completion"}
        assert rows[0].estimate_usd is None and rows[0].cost_usd == Decimal("0.001")

    run(open_store, clock, None, scenario)


def test_hidden_and_default_denied_tools_are_refused(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"default": "deny", "hide": ["generate_video"], "tools": ["list_models"],
             "limits": [{"tools": ["chat_completion"], "per": "user", "max": 100, "window": "day"}]}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        assert (await refused(gate, "generate_video")).reason == "tool_not_allowed"
        assert (await refused(gate, "generate_image")).reason == "tool_not_allowed"
        for tool in ("chat_completion", "list_models", "get_usage"):
            await gate.settle(await admit(gate, tool), None, "ok")
        assert [gate.lists(t) for t in ("generate_video", "generate_image", "chat_completion", "get_usage")] == [
            False, False, True, True]

    run(open_store, clock, rules, scenario)


def test_model_globs_cover_variants(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"models": {"allow": ["*"], "deny": ["openai/o1-pro*", "x/banned"]}}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        for model in ("openai/o1-pro", "openai/o1-pro:online", "x/banned:nitro"):
            denial = await refused(gate, "chat_completion", model=model)
            assert denial.reason == "model_not_allowed" and model in denial.message
        await gate.settle(await admit(gate, "chat_completion", model="openai/o1"), None, "ok")

    run(open_store, clock, rules, scenario)


def test_rate_limit_per_server_per_minute(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"limits": [{"tools": ["chat_completion"], "per": "server", "max": 3, "window": "minute"}]}
    clock.advance(45)

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        for user in ("alice", "bob", "carol"):
            await gate.settle(await admit(gate, "chat_completion", user), None, "ok")
        denial = await refused(gate, "chat_completion", "dave")
        assert denial.reason == "rate_limit"
        assert (denial.details["limit"], denial.details["used"], denial.retry_after_seconds) == (3, 3, 15)
        assert denial.details["reset_at"].endswith("09:01:00Z") and "wait 15 s" in denial.message
        clock.advance(15)
        await gate.settle(await admit(gate, "chat_completion", "dave"), None, "ok")

    run(open_store, clock, rules, scenario)


def test_daily_quota_per_user_and_failed_calls_still_count(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"limits": [{"tools": ["generate_image"], "per": "user", "max": 2, "window": "day"}]}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        await gate.settle(await admit(gate, "generate_image"), None, "UPSTREAM_HTTP")
        await gate.settle(await admit(gate, "generate_image"), None, "ok")
        denial = await refused(gate, "generate_image")
        assert denial.reason == "daily_quota" and denial.retry_after_seconds == 15 * 3600
        await gate.settle(await admit(gate, "generate_image", "bob"), None, "ok")
        clock.advance(15 * 3600)
        await gate.settle(await admit(gate, "generate_image"), None, "ok")

    run(open_store, clock, rules, scenario)


def test_cooldown_per_user(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"limits": [{"tools": ["generate_image"], "per": "user", "cooldown": "30s"}]}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        await gate.settle(await admit(gate, "generate_image"), None, "ok")
        clock.advance(12)
        denial = await refused(gate, "generate_image")
        assert denial.reason == "cooldown" and denial.retry_after_seconds == 18 and "wait 18 s" in denial.message
        await gate.settle(await admit(gate, "generate_image", "bob"), None, "ok")
        clock.advance(18)
        await gate.settle(await admit(gate, "generate_image"), None, "ok")

    run(open_store, clock, rules, scenario)


def test_a_budget_runs_out_mid_afternoon_and_refills_at_midnight(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"budgets": [{"per": "user", "usd": 0.05, "window": "day"}]}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        calls, denial = 0, None
        while calls < 100:
            try:
                admission = await admit(gate, "chat_completion", model="m/cheap", max_tokens=1000, prompt="hi")
            except QuotaExceeded as exc:
                denial = exc
                break
            assert admission.estimate_usd == Decimal("0.002002")
            await gate.settle(admission, Billing(model="m/cheap", cost_usd=Decimal("0.0015")), "ok")
            calls += 1
            clock.advance(600)
        assert calls == 32 and denial is not None and denial.reason == "budget"
        assert clock.t % 86400 == 14 * 3600 + 20 * 60
        assert denial.details["limit"] == 0.05 and denial.details["used"] == pytest.approx(0.048)
        assert denial.details["reset_at"].endswith("T00:00:00Z") and "cheaper model" in denial.message
        settled = sum((r.cost_usd or Decimal(0)) for r in await store.ledger_since(0))
        assert settled == Decimal("0.048") <= Decimal("0.05")
        clock.advance(86400 - (clock.t % 86400))
        await gate.settle(await admit(gate, "chat_completion", model="m/cheap", max_tokens=1000), None, "ok")

    run(open_store, clock, rules, scenario)


def test_a_failed_call_releases_its_reservation(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"budgets": [{"per": "user", "usd": 1, "window": "day"}]}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        for _ in range(30):
            admission = await admit(gate, "chat_completion", model="m/unknown")
            assert admission.estimate_usd == Decimal("0.10")
            await gate.settle(admission, None, "UPSTREAM_HTTP")
        assert all(r.outcome == "UPSTREAM_HTTP" and r.cost_usd is None for r in await store.ledger_since(0))

    run(open_store, clock, rules, scenario)


def test_a_video_job_holds_its_estimate_until_it_finishes(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"budgets": [{"per": "user", "usd": 10, "window": "day"}]}

    async def scenario(gate: PolicyEngine, store: StateStore) -> None:
        submit = await admit(gate, "generate_video", model="v/veo", video_seconds=8, resolution="1080p")
        assert submit.estimate_usd == Decimal("9.00")
        await gate.settle(submit, Billing(model="v/veo", job_id="job-7", outcome="still_running"), "still_running")
        assert (await refused(gate, "generate_video", model="v/veo", video_seconds=8)).reason == "budget"
        clock.advance(300)
        status = await admit(gate, "get_video_status")
        await gate.settle(status, Billing(model="v/veo", cost_usd=Decimal("3.20"), job_id="job-7",
                                          generation_id="gen-7", settles="generate_video"), "ok")
        [row] = await store.ledger_since(0)
        assert (row.tool, row.cost_usd, row.estimate_usd, row.generation_id) == (
            "generate_video", Decimal("3.20"), Decimal("9.00"), "gen-7")
        again = await admit(gate, "generate_video", model="v/veo", video_seconds=4)
        await gate.settle(again, None, "UPSTREAM_HTTP")

    run(open_store, clock, rules, scenario)
