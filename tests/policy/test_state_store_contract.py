"""One contract for both ``StateStore`` adapters (SQLite file, real Redis): claims, budgets, jobs, ledger, records."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from openrouter_multimodal.application.state_ports import (
    BudgetClaim,
    CooldownClaim,
    CounterClaim,
    JobSettled,
    LedgerRow,
    Reservation,
    StateStore,
    VersionConflict,
)

from .conftest import T0, StoreFactory

HOUR = 3600.0


def run(open_store: StoreFactory, scenario: Callable[[StateStore], Awaitable[None]]) -> None:
    async def main() -> None:
        store = open_store()
        try:
            await scenario(store)
        finally:
            await store.aclose()

    asyncio.run(main())


def budget(limit: str, key: str = "b1") -> BudgetClaim:
    return BudgetClaim(key, Decimal(limit), T0 + 24 * HOUR)


def row(subject: str = "alice", tool: str = "chat_completion", at: float = T0, outcome: str = "ok",
        **extra: object) -> LedgerRow:
    return LedgerRow(at=at, subject=subject, tool=tool, model="m/x", outcome=outcome, **extra)  # type: ignore[arg-type]


def test_counters_are_taken_all_or_nothing(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        a, b = CounterClaim("a", 3, T0 + HOUR), CounterClaim("b", 1, T0 + HOUR)
        assert await store.reserve(Reservation("r1", T0, counters=(a, b))) is None
        refusal = await store.reserve(Reservation("r2", T0, counters=(a, b)))
        assert refusal is not None and (refusal.kind, refusal.index, refusal.count) == ("counter", 1, 1)
        assert (await store.levels(["a", "b", "never"], [], T0))[0] == [1, 1, 0]
        assert await store.reserve(Reservation("r3", T0, counters=(a,))) is None
        assert (await store.levels(["a"], [], T0))[0] == [2]

    run(open_store, scenario)


def test_a_zero_limit_refuses_the_first_call(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        refusal = await store.reserve(Reservation("r", T0, counters=(CounterClaim("z", 0, T0 + HOUR),)))
        assert refusal is not None and refusal.count == 0

    run(open_store, scenario)


def test_cooldown_refuses_until_the_gap_has_passed(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        gap = (CooldownClaim("cd", 30.0),)
        assert await store.reserve(Reservation("r1", T0, cooldowns=gap)) is None
        refusal = await store.reserve(Reservation("r2", T0 + 10, cooldowns=gap))
        assert refusal is not None and refusal.kind == "cooldown" and refusal.last_at == pytest.approx(T0)
        assert await store.reserve(Reservation("r3", T0 + 30, cooldowns=gap)) is None

    run(open_store, scenario)


def test_a_refused_cooldown_takes_no_count(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        claims = {"counters": (CounterClaim("n", 5, T0 + HOUR),), "cooldowns": (CooldownClaim("cd", 30.0),)}
        assert await store.reserve(Reservation("r1", T0, **claims)) is None  # type: ignore[arg-type]
        assert await store.reserve(Reservation("r2", T0 + 1, **claims)) is not None  # type: ignore[arg-type]
        assert (await store.levels(["n"], [], T0 + 1))[0] == [1]

    run(open_store, scenario)


def test_budget_reserves_settles_and_releases(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        claim = (budget("1.00"),)
        est = Decimal("0.40")
        for rid in ("r1", "r2"):
            reservation = Reservation(rid, T0, budgets=claim, amount_usd=est, lease_until=T0 + HOUR)
            assert await store.reserve(reservation) is None
        refusal = await store.reserve(Reservation("r3", T0, budgets=claim, amount_usd=est, lease_until=T0 + HOUR))
        assert refusal is not None and refusal.kind == "budget" and refusal.committed_usd == Decimal("0.8")
        await store.settle("r1", Decimal("0.10"), T0, row(estimate_usd=est, cost_usd=Decimal("0.10"), settled_at=T0))
        _, [level] = await store.levels([], ["b1"], T0)
        assert (level.spent_usd, level.reserved_usd) == (Decimal("0.1"), Decimal("0.4"))
        assert await store.reserve(Reservation("r3", T0, budgets=claim, amount_usd=est, lease_until=T0 + HOUR)) is None
        await store.settle("r2", Decimal(0), T0, None)
        _, [level] = await store.levels([], ["b1"], T0)
        assert (level.spent_usd, level.reserved_usd) == (Decimal("0.1"), Decimal("0.4"))

    run(open_store, scenario)


def test_a_lapsed_reservation_stops_holding_the_budget(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        claim = (budget("1.00"),)
        reservation = Reservation("r1", T0, budgets=claim, amount_usd=Decimal("0.9"), lease_until=T0 + 60)
        assert await store.reserve(reservation) is None
        assert await store.reserve(Reservation("r2", T0 + 59, budgets=claim, amount_usd=Decimal("0.2"),
                                               lease_until=T0 + HOUR)) is not None
        assert await store.reserve(Reservation("r3", T0 + 61, budgets=claim, amount_usd=Decimal("0.2"),
                                               lease_until=T0 + HOUR)) is None
        await store.settle("r1", Decimal("0.9"), T0 + 62, None)
        _, [level] = await store.levels([], ["b1"], T0 + 62)
        assert level.spent_usd == 0

    run(open_store, scenario)


def test_a_job_holds_its_reservation_until_settled_once(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        claim = (budget("10"),)
        assert await store.reserve(Reservation("r1", T0, budgets=claim, amount_usd=Decimal(3),
                                               lease_until=T0 + 60)) is None
        submitted = row(tool="generate_video", job_id="job-1", estimate_usd=Decimal(3), outcome="submitted")
        await store.hold_for_job("r1", T0 + 2 * 86400, submitted)
        _, [level] = await store.levels([], ["b1"], T0 + 120)
        assert level.reserved_usd == 3
        done = row(tool="generate_video", job_id="job-1", at=T0 + 300, cost_usd=Decimal("1.25"), settled_at=T0 + 300,
                   generation_id="gen-9")
        assert await store.settle_job(done, Decimal("1.25"), ()) is JobSettled.SETTLED
        assert await store.settle_job(done, Decimal("1.25"), ()) is JobSettled.ALREADY
        _, [level] = await store.levels([], ["b1"], T0 + 300)
        assert (level.spent_usd, level.reserved_usd) == (Decimal("1.25"), 0)
        [ledger] = await store.ledger_since(T0)
        assert (ledger.cost_usd, ledger.outcome, ledger.generation_id, ledger.settled_at) == (
            Decimal("1.25"), "ok", "gen-9", T0 + 300)
        assert ledger.estimate_usd == 3 and ledger.job_id == "job-1"

    run(open_store, scenario)


def test_a_job_without_a_reported_cost_is_charged_its_held_estimate(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        claim = (budget("10"),)
        await store.reserve(Reservation("r1", T0, budgets=claim, amount_usd=Decimal(3), lease_until=T0 + 60))
        await store.hold_for_job("r1", T0 + 86400, row(job_id="j", estimate_usd=Decimal(3), outcome="submitted"))
        assert await store.settle_job(row(job_id="j", settled_at=T0 + 5), None, ()) is JobSettled.SETTLED
        _, [level] = await store.levels([], ["b1"], T0 + 5)
        assert (level.spent_usd, level.reserved_usd) == (3, 0)

    run(open_store, scenario)


def test_an_unknown_job_is_recorded_and_charged_to_the_fallback_budgets(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        orphan = row(job_id="lost", cost_usd=Decimal("0.5"), settled_at=T0)
        assert await store.settle_job(orphan, Decimal("0.5"), (budget("10", "fb"),)) is JobSettled.ORPHAN
        _, [level] = await store.levels([], ["fb"], T0)
        assert level.spent_usd == Decimal("0.5")
        assert [r.job_id for r in await store.ledger_since(T0)] == ["lost"]
        assert await store.settle_job(orphan, Decimal("0.5"), (budget("10", "fb"),)) is JobSettled.ALREADY

    run(open_store, scenario)


def test_ledger_rows_filter_by_time_and_subject_and_page(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        for i in range(5):
            subject = "alice" if i % 2 == 0 else "bob"
            await store.settle("", Decimal(0), T0, row(subject=subject, at=T0 + i, cost_usd=Decimal(f"0.00000{i}1")))
        rows = await store.ledger_since(T0 + 1)
        assert [r.at for r in rows] == [T0 + 1, T0 + 2, T0 + 3, T0 + 4]
        assert rows[0].cost_usd == Decimal("0.0000011") and rows[0].id is not None
        assert [r.at for r in await store.ledger_since(T0, subject="alice")] == [T0, T0 + 2, T0 + 4]
        assert [r.at for r in await store.ledger_since(T0, offset=2, limit=2)] == [T0 + 2, T0 + 3]

    run(open_store, scenario)


def test_records_compare_and_set(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        assert await store.get("jobs", "a") is None
        assert await store.put("jobs", "a", '{"v":1}', expected_version=0, owner="alice", created_at=T0) == 1
        with pytest.raises(VersionConflict) as lost:
            await store.put("jobs", "a", '{"v":"other"}', expected_version=0, owner="alice", created_at=T0)
        assert lost.value.current == 1
        assert await store.put("jobs", "a", '{"v":2}', expected_version=1, owner="alice", created_at=T0) == 2
        record = await store.get("jobs", "a")
        assert record is not None and (record.value, record.version, record.owner) == ('{"v":2}', 2, "alice")
        await store.put("jobs", "b", "{}", expected_version=0, owner="bob", created_at=T0 + 1)
        await store.put("jobs", "c", "{}", expected_version=0, owner="alice", created_at=T0 + 2)
        assert [r.key for r in await store.list_records("jobs")] == ["c", "b", "a"]
        assert [r.key for r in await store.list_records("jobs", owner="alice", limit=1)] == ["c"]
        assert await store.list_records("other") == []

    run(open_store, scenario)


def test_concurrent_compare_and_set_lets_exactly_one_writer_win(open_store: StoreFactory) -> None:
    async def scenario(store: StateStore) -> None:
        async def write(i: int) -> bool:
            try:
                await store.put("jobs", "x", str(i), expected_version=0, owner=None, created_at=T0)
            except VersionConflict:
                return False
            return True

        assert sum(await asyncio.gather(*(write(i) for i in range(20)))) == 1

    run(open_store, scenario)


def test_state_survives_a_restart(open_store: StoreFactory) -> None:
    async def first(store: StateStore) -> None:
        await store.reserve(Reservation("r1", T0, counters=(CounterClaim("n", 5, T0 + HOUR),),
                                        budgets=(budget("5"),), amount_usd=Decimal(1), lease_until=T0 + HOUR))
        await store.settle("r1", Decimal("0.75"), T0, row(cost_usd=Decimal("0.75"), settled_at=T0))
        await store.ping()

    async def second(store: StateStore) -> None:
        counts, [level] = await store.levels(["n"], ["b1"], T0 + 1)
        assert counts == [1] and level.spent_usd == Decimal("0.75")
        assert len(await store.ledger_since(T0)) == 1

    run(open_store, first)
    run(open_store, second)
