"""Counts hold under load: 50 concurrent calls, two OS processes on one store, and a store that goes away."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.redis_state_store import RedisStateStore
from openrouter_multimodal.application.policy_engine import EngineSettings, FailMode
from openrouter_multimodal.domain.errors import QuotaExceeded
from openrouter_multimodal.domain.paid_call import Billing
from tests.support.redis_server import RedisServer, running_redis

from .conftest import T0, FakeClock, StoreFactory
from .engine_support import admit, admitted_of, engine

ROOT = Path(__file__).resolve().parents[2]
READY_POLLS = 3000
CAPPED = {"limits": [{"tools": ["chat_completion"], "per": "server", "max": 10, "window": "minute"}]}


def test_fifty_concurrent_calls_against_a_quota_of_ten_admit_exactly_ten(open_store: StoreFactory,
                                                                          clock: FakeClock) -> None:
    async def main() -> int:
        store = open_store()
        gate = engine(store, clock, CAPPED)
        try:
            return await admitted_of(gate, 50)
        finally:
            await store.aclose()

    assert asyncio.run(main()) == 10


def test_concurrent_calls_never_reserve_past_a_budget(open_store: StoreFactory, clock: FakeClock) -> None:
    rules = {"budgets": [{"per": "server", "usd": 1, "window": "day"}]}

    async def main() -> tuple[int, Decimal]:
        store = open_store()
        gate = engine(store, clock, rules)

        async def one() -> int:
            try:
                admission = await admit(gate, "chat_completion", model="m/unknown")
            except QuotaExceeded:
                return 0
            await asyncio.sleep(0)
            await gate.settle(admission, Billing(model="m/unknown", cost_usd=Decimal("0.10")), "ok")
            return 1

        try:
            admitted = sum(await asyncio.gather(*(one() for _ in range(50))))
            spent = sum((r.cost_usd or Decimal(0)) for r in await store.ledger_since(0))
            return admitted, spent
        finally:
            await store.aclose()

    admitted, spent = asyncio.run(main())
    assert admitted == 10 and spent == Decimal("1.00")


def _burst_in_two_processes(url: str, prefix: str, tmp_path: Path, calls: int = 50, maximum: int = 10) -> list[int]:
    go = tmp_path / "go"
    command = [sys.executable, "-m", "tests.policy.policy_worker", url, prefix, repr(T0), str(calls), str(maximum),
               str(go)]
    workers = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    for _ in range(READY_POLLS):
        if len(list(tmp_path.glob("go.*.ready"))) == len(workers) or any(w.poll() is not None for w in workers):
            break
        time.sleep(0.01)
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(int(out.strip()))
    return results


def _shared_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "sqlite":
        return str(tmp_path / "shared.sqlite3")
    server: RedisServer = request.getfixturevalue("redis_server")
    return server.url


def test_two_processes_sharing_a_store_admit_exactly_ten_of_a_hundred(store_kind: str, request: pytest.FixtureRequest,
                                                                      tmp_path: Path) -> None:
    url = _shared_url(store_kind, request, tmp_path)
    assert sum(_burst_in_two_processes(url, f"p{uuid.uuid4().hex[:8]}:", tmp_path)) == 10


def test_two_processes_interleaving_a_long_burst_admit_exactly_the_quota(store_kind: str,
                                                                         request: pytest.FixtureRequest,
                                                                         tmp_path: Path) -> None:
    url = _shared_url(store_kind, request, tmp_path)
    counts = _burst_in_two_processes(url, f"p{uuid.uuid4().hex[:8]}:", tmp_path, calls=400, maximum=500)
    assert sum(counts) == 500


def test_a_restart_with_sqlite_keeps_counts_and_budgets(tmp_path: Path, clock: FakeClock) -> None:
    from openrouter_multimodal.adapters.sqlite_state_store import SqliteStateStore

    rules = {"limits": [{"tools": ["list_models"], "per": "user", "max": 2, "window": "day"}],
             "budgets": [{"per": "user", "usd": 0.4, "window": "day"}]}
    path = tmp_path / "state.sqlite3"

    async def session(*tools: str) -> list[str]:
        store = SqliteStateStore(path)
        gate = engine(store, clock, rules)
        outcomes = []
        try:
            for tool in tools:
                try:
                    admission = await admit(gate, tool, model="m/unknown")
                except QuotaExceeded as denial:
                    outcomes.append(denial.reason)
                    continue
                await gate.settle(admission, Billing(model="m/unknown", cost_usd=Decimal("0.2")), "ok")
                outcomes.append("ok")
        finally:
            await store.aclose()
        return outcomes

    assert asyncio.run(session("list_models", "generate_image")) == ["ok", "ok"]
    assert asyncio.run(session("list_models", "generate_image")) == ["ok", "budget"]
    assert asyncio.run(session("list_models")) == ["daily_quota"]
    clock.advance(86400)
    assert asyncio.run(session("list_models", "generate_image")) == ["ok", "ok"]


@pytest.mark.parametrize(("paid_fail", "free_fail", "paid_admitted", "free_admitted"), [
    (FailMode.CLOSED, FailMode.OPEN, False, True),
    (FailMode.OPEN, FailMode.CLOSED, True, False),
])
def test_an_unreachable_redis_fails_closed_for_paid_and_open_for_free_tools(
        clock: FakeClock, paid_fail: FailMode, free_fail: FailMode, paid_admitted: bool, free_admitted: bool) -> None:
    rules = {"limits": [{"tools": ["*"], "per": "user", "max": 100, "window": "day"}]}
    settings = EngineSettings(paid_fail=paid_fail, free_fail=free_fail, retry_after_seconds=7)

    async def attempt(gate: object, tool: str) -> bool:
        try:
            admission = await admit(gate, tool)  # type: ignore[arg-type]
        except QuotaExceeded as denial:
            assert denial.reason == "policy_unavailable" and denial.retry_after_seconds == 7
            return False
        await gate.settle(admission, Billing(model="m", cost_usd=Decimal("0.01")), "ok")  # type: ignore[attr-defined]
        return True

    async def main(server: RedisServer) -> tuple[bool, bool]:
        store = RedisStateStore.from_url(server.url, prefix="down:", timeout_seconds=0.5)
        gate = engine(store, clock, rules, settings)
        try:
            assert await attempt(gate, "chat_completion") and await attempt(gate, "list_models")
            server.stop()
            return await attempt(gate, "chat_completion"), await attempt(gate, "list_models")
        finally:
            await store.aclose()

    with running_redis() as server:
        assert asyncio.run(main(server)) == (paid_admitted, free_admitted)
