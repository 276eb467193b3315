"""``GetUsage`` (spend and what is left, per tool and in total) and the ledger export, on both stores."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal

from openrouter_multimodal.application.ledger_export import export_ledger, export_text
from openrouter_multimodal.application.usage import GetUsage
from openrouter_multimodal.domain.caller import Caller
from openrouter_multimodal.domain.paid_call import Billing
from openrouter_multimodal.domain.policy_parse import parse_policy

from .conftest import FakeClock, StoreFactory
from .engine_support import admit, engine

RULES = {"limits": [{"tools": ["generate_image"], "per": "user", "max": 5, "window": "day"}],
         "budgets": [{"per": "user", "usd": 1, "window": "day"}, {"per": "user", "usd": 0.05, "window": "week",
                                                                  "tools": ["chat_completion"]}]}


def test_usage_shows_spend_per_tool_remaining_budget_limits_and_overshoot(open_store: StoreFactory,
                                                                          clock: FakeClock) -> None:
    async def main() -> dict[str, object]:
        store = open_store()
        gate = engine(store, clock, RULES)
        try:
            for tool, cost in (("generate_image", "0.30"), ("generate_image", "0.20"), ("chat_completion", "0.09")):
                admission = await admit(gate, tool, model="m/cheap", max_tokens=100)
                await gate.settle(admission, Billing(model="m/cheap", cost_usd=Decimal(cost)), "ok")
            other = await admit(gate, "generate_image", "bob", model="m/cheap")
            await gate.settle(other, Billing(model="m/cheap", cost_usd=Decimal("0.5")), "ok")
            report = await GetUsage(policy=parse_policy(RULES), store=store, clock=clock).report(Caller("alice"))
            assert "$0.5900 spent in 3 paid calls" in report.summary()
            return report.as_dict()
        finally:
            await store.aclose()

    usage = asyncio.run(main())
    day, week = usage["spend"]  # type: ignore[misc]
    assert (day["window"], day["total_usd"], day["calls"]) == ("day", 0.59, 3)
    assert day["by_tool"] == {"chat_completion": {"usd": 0.09, "calls": 1}, "generate_image": {"usd": 0.5, "calls": 2}}
    assert week["window"] == "week" and week["total_usd"] == 0.59
    daily, weekly = usage["budgets"]  # type: ignore[misc]
    assert (daily["spent_usd"], daily["remaining_usd"], daily["overshoot_usd"]) == (0.59, 0.41, 0)
    assert (weekly["spent_usd"], weekly["remaining_usd"], weekly["overshoot_usd"]) == (0.09, 0, 0.04)
    assert daily["reset_at"].endswith("T00:00:00Z")
    [images] = usage["limits"]  # type: ignore[misc]
    assert (images["used"], images["remaining"]) == (2, 3)


def test_the_ledger_exports_as_csv_and_json_page_by_page(open_store: StoreFactory, clock: FakeClock) -> None:
    async def main() -> list[dict[str, object]]:
        store = open_store()
        gate = engine(store, clock, None)
        try:
            for i in range(7):
                admission = await admit(gate, "chat_completion", f"user{i % 2}", model="m/cheap")
                await gate.settle(admission, Billing(model="m/cheap", cost_usd=Decimal("0.000564"),
                                                     generation_id=f"gen-{i}"), "ok")
                clock.advance(60)
            return [record async for record in export_ledger(store, 0, page_rows=3)]
        finally:
            await store.aclose()

    records = asyncio.run(main())
    assert [r["generation_id"] for r in records] == [f"gen-{i}" for i in range(7)]
    rows = list(csv.DictReader(io.StringIO(_exported(records, "csv"))))
    assert len(rows) == 7 and rows[0]["cost_usd"] == "0.000564" and rows[0]["estimate_usd"] == ""
    assert json.loads(_exported(records, "json"))[6]["subject"] == "user0"
    assert json.loads(_exported([], "json")) == []


def _exported(records: list[dict[str, object]], fmt: str) -> str:
    async def pieces() -> str:
        async def each() -> AsyncIterator[dict[str, object]]:
            for record in records:
                yield record

        return "".join([piece async for piece in export_text(each(), fmt)])

    return asyncio.run(pieces())
