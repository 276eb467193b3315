"""How long the policy adds to one call: p50/p95 of ``admit`` + ``settle`` with each state store.

Run: python benchmarks/policy_overhead.py [calls]   (starts its own redis-server on a free loopback port)
``run.py`` calls it as ``policy_overhead.py CALLS --redis URL --json`` and puts the p50s in its table.
Policy: one per-server minute cap, one per-user daily quota and one per-user daily USD budget on the tool,
so every call takes two counters and a budget reservation and settles the reservation and a ledger row.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from openrouter_multimodal.adapters.clock import SystemClock
from openrouter_multimodal.adapters.state_store_factory import open_state_store
from openrouter_multimodal.application.call import ToolCall
from openrouter_multimodal.application.pipeline_ports import ToolSpec
from openrouter_multimodal.application.policy_engine import PolicyEngine
from openrouter_multimodal.domain.caller import Caller
from openrouter_multimodal.domain.model_card import ModelCard, Pricing
from openrouter_multimodal.domain.paid_call import Billing, CallFacts
from openrouter_multimodal.domain.policy_parse import parse_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RULES = {"limits": [{"tools": ["chat_completion"], "per": "server", "max": 10**9, "window": "minute"},
                    {"tools": ["chat_completion"], "per": "user", "max": 10**9, "window": "day"}],
         "budgets": [{"per": "user", "usd": 10**6, "window": "day"}]}
CARD = ModelCard(id="m/x", name="x", pricing=Pricing(prompt=Decimal("0.000001"), completion=Decimal("0.000002")))


class Cards:
    async def get(self, model_id: str) -> ModelCard | None:
        return CARD


async def measure(url: str | None, rules: dict[str, object] | None, calls: int, tmp: Path) -> list[float]:
    store = open_state_store(url, default_path=tmp / "state.sqlite3", redis_prefix=f"bench{uuid.uuid4().hex[:6]}:")
    gate = PolicyEngine(policy=parse_policy(rules), store=store, cards=Cards(), clock=SystemClock())
    spec, facts = ToolSpec("chat_completion", paid=True), CallFacts(model="m/x", prompt="hello", max_tokens=256)
    billing = Billing(model="m/x", cost_usd=Decimal("0.0004"), generation_id="gen-1")
    call: ToolCall[None] = ToolCall("chat_completion", None, Caller("alice"))
    samples = []
    try:
        for _ in range(calls // 10):
            await gate.settle(await gate.admit(call, spec, facts), billing, "ok")
        for _ in range(calls):
            start = time.perf_counter()
            await gate.settle(await gate.admit(call, spec, facts), billing, "ok")
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        await store.aclose()
    return samples


CASES = (("sqlite, no rules (ledger only)", False, None), ("sqlite, 2 caps + budget", False, RULES),
         ("redis, no rules (ledger only)", True, None), ("redis, 2 caps + budget", True, RULES))


def measure_all(redis_url: str, calls: int) -> dict[str, list[float]]:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, on_redis, rules) in enumerate(CASES):
            folder = Path(tmp) / str(index)
            folder.mkdir()
            results[name] = asyncio.run(measure(redis_url if on_redis else None, rules, calls, folder))
    return results


def report(name: str, samples: list[float]) -> None:
    cuts = statistics.quantiles(samples, n=100)
    print(f"{name:<32} p50 {statistics.median(samples):6.3f} ms   p95 {cuts[94]:6.3f} ms   n={len(samples)}")


def main() -> None:
    args = sys.argv[1:]
    calls = int(args[0]) if args and args[0].isdigit() else 2000
    if "--redis" in args:
        results = measure_all(args[args.index("--redis") + 1], calls)
    else:
        from tests.support.redis_server import running_redis

        with running_redis() as redis:
            results = measure_all(redis.url, calls)
    if "--json" in args:
        print(json.dumps({name: statistics.median(samples) for name, samples in results.items()}))
        return
    for name, samples in results.items():
        report(name, samples)


if __name__ == "__main__":
    main()
