"""The call pipeline with fakes of its ports: policy, audit once per paid call, locks, unknown tools."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.adapters.memory_locks import InProcessLocks
from openrouter_multimodal.application.call import ToolCall
from openrouter_multimodal.application.pipeline import CallPipeline
from openrouter_multimodal.application.pipeline_ports import (
    Admission,
    AllowEverything,
    Handler,
    ToolSpec,
)
from openrouter_multimodal.domain.caller import Caller, IdentitySource, local_caller
from openrouter_multimodal.domain.errors import InvalidInput, UpstreamError
from openrouter_multimodal.domain.paid_call import Billing, CallFacts
from tests.fakes import FakeClock
from tests.pipeline_fakes import HandlerTable, RecordingAudit


class CountingPolicy(AllowEverything):
    def __init__(self, refuse: bool = False) -> None:
        self.settled: list[tuple[Admission, Billing | None, str]] = []
        self.refuse = refuse

    async def admit(self, call: ToolCall[Any], spec: ToolSpec, facts: CallFacts) -> Admission:
        if self.refuse:
            raise InvalidInput("refused by policy")
        return Admission(tool=call.tool, subject=call.caller.subject, estimate_usd=Decimal("0.01"))

    async def settle(self, admission: Admission, billing: Billing | None, outcome: str) -> None:
        self.settled.append((admission, billing, outcome))


class RecordingLocks:
    def __init__(self) -> None:
        self.held: list[tuple[str, ...]] = []

    def hold(self, keys: Sequence[str]) -> AbstractAsyncContextManager[None]:
        @asynccontextmanager
        async def held() -> AsyncIterator[None]:
            self.held.append(tuple(keys))
            yield

        return held()


@dataclass(frozen=True)
class Cmd:
    model: str = "m/x"
    lock: str | None = None

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt="draw a cat", lock_keys=(self.lock,) if self.lock else ())


@dataclass(frozen=True)
class Paid:
    text: str

    @property
    def billing(self) -> Billing | None:
        return Billing(model="m/x", cost_usd=Decimal("0.02"), generation_id="gen-1")


def _pipeline(handlers: HandlerTable, *, policy: CountingPolicy | None = None, locks: Any = None,
              audit: RecordingAudit | None = None) -> tuple[CallPipeline, RecordingAudit, CountingPolicy]:
    audit = audit or RecordingAudit()
    policy = policy or CountingPolicy()
    specs = {"paid": ToolSpec("paid", paid=True), "free": ToolSpec("free", paid=False)}
    pipeline = CallPipeline(specs=specs, handlers=handlers, policy=policy, audit=audit,
                            locks=locks if locks is not None else RecordingLocks(), clock=FakeClock(monotonic=1.0))
    return pipeline, audit, policy


async def ok(call: ToolCall[Any]) -> Paid:
    return Paid(f"hello {call.caller.subject}")


async def fails_after_paying(call: ToolCall[Any]) -> Paid:
    raise UpstreamError("no image", billing=Billing(model="m/y", cost_usd=Decimal("0.05")))


async def fails_before_paying(call: ToolCall[Any]) -> Paid:
    raise InvalidInput("bad prompt")


async def free(call: ToolCall[Any]) -> str:
    return "free"


def test_a_paid_call_is_audited_once_with_caller_cost_and_generation() -> None:
    pipeline, audit, policy = _pipeline(HandlerTable({"paid": ok}))
    caller = Caller("alice", IdentitySource.TOKEN)
    result = asyncio.run(pipeline.dispatch(ToolCall("paid", Cmd(), caller)))
    assert result == Paid("hello alice")
    [event] = audit.events
    assert (event.subject, event.source, event.tool, event.model, event.outcome) == (
        "alice", "token", "paid", "m/x", "ok")
    assert event.cost_usd == Decimal("0.02") and event.generation_id == "gen-1"
    assert event.estimated_cost_usd == Decimal("0.01") and event.prompt_preview == "draw a cat"
    assert [outcome for _, _, outcome in policy.settled] == ["ok"]


@pytest.mark.parametrize(("handler", "outcome", "cost"), [
    (fails_after_paying, "UPSTREAM_HTTP", Decimal("0.05")),
    (fails_before_paying, "INVALID_INPUT", None),
])
def test_a_failed_paid_call_is_audited_and_settled_exactly_once(handler: Handler, outcome: str,
                                                               cost: Decimal | None) -> None:
    pipeline, audit, policy = _pipeline(HandlerTable({"paid": handler}))
    with pytest.raises((UpstreamError, InvalidInput)):
        asyncio.run(pipeline.dispatch(ToolCall("paid", Cmd(), local_caller())))
    [event] = audit.events
    assert event.outcome == outcome and event.cost_usd == cost
    assert len(policy.settled) == 1 and policy.settled[0][2] == outcome


def test_a_cancelled_paid_call_is_still_audited() -> None:
    started = asyncio.Event()

    async def slow(call: ToolCall[Any]) -> Paid:
        started.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    pipeline, audit, policy = _pipeline(HandlerTable({"paid": slow}))

    async def scenario() -> None:
        task = asyncio.create_task(pipeline.dispatch(ToolCall("paid", Cmd(), local_caller())))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert [e.outcome for e in audit.events] == ["cancelled"]
    assert [o for _, _, o in policy.settled] == ["cancelled"]


def test_a_free_call_is_not_audited_unless_it_settles_a_job() -> None:
    async def settles(call: ToolCall[Any]) -> Any:
        class Outcome:
            billing = Billing(model="v/1", cost_usd=Decimal("1.6"), job_id="job-1", outcome="completed",
                              settles="generate_video")
        return Outcome()

    pipeline, audit, _ = _pipeline(HandlerTable({"free": free, "paid": settles}))
    asyncio.run(pipeline.dispatch(ToolCall("free", Cmd(), local_caller())))
    assert audit.events == []
    pipeline2, audit2, _ = _pipeline(HandlerTable({"free": settles}))
    asyncio.run(pipeline2.dispatch(ToolCall("free", Cmd(), local_caller())))
    [event] = audit2.events
    assert (event.tool, event.outcome, event.job_id, event.cost_usd) == (
        "generate_video", "completed", "job-1", Decimal("1.6"))


def test_a_refused_call_reaches_no_handler_and_is_not_settled() -> None:
    called: list[str] = []

    async def handler(call: ToolCall[Any]) -> Paid:
        called.append(call.tool)
        return Paid("x")

    pipeline, audit, policy = _pipeline(HandlerTable({"paid": handler}), policy=CountingPolicy(refuse=True))
    with pytest.raises(InvalidInput):
        asyncio.run(pipeline.dispatch(ToolCall("paid", Cmd(), local_caller())))
    assert called == [] and audit.events == [] and policy.settled == []


def test_unknown_tools_are_invalid_input_naming_the_known_ones() -> None:
    pipeline, _, _ = _pipeline(HandlerTable({}))
    with pytest.raises(InvalidInput, match="free, paid"):
        asyncio.run(pipeline.dispatch(ToolCall("nope", Cmd(), local_caller())))


def test_lock_keys_are_scoped_to_the_caller() -> None:
    locks = RecordingLocks()
    pipeline, _, _ = _pipeline(HandlerTable({"paid": ok}), locks=locks)
    asyncio.run(pipeline.dispatch(ToolCall("paid", Cmd(lock="job:123"), Caller("bob", IdentitySource.GATEWAY))))
    asyncio.run(pipeline.dispatch(ToolCall("paid", Cmd(), local_caller())))
    assert locks.held == [("bob/job:123",)]


def test_locks_serialize_calls_on_one_resource_and_not_on_others() -> None:
    inside: list[str] = []
    overlap: list[bool] = []

    async def handler(call: ToolCall[Any]) -> Paid:
        inside.append(call.command.lock)
        overlap.append(inside.count(call.command.lock) > 1)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        inside.remove(call.command.lock)
        return Paid("x")

    locks = InProcessLocks()
    pipeline, _, _ = _pipeline(HandlerTable({"paid": handler}), locks=locks)

    async def scenario() -> None:
        calls = [ToolCall("paid", Cmd(lock=f"job:{i % 2}"), local_caller()) for i in range(20)]
        await asyncio.gather(*(pipeline.dispatch(c) for c in calls))

    asyncio.run(scenario())
    assert len(overlap) == 20 and not any(overlap)
    assert len(locks) == 0
