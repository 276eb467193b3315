"""Chat jobs: the job model's chat rules, ``ChatJobs`` (wait, detach, finish, cancel, drain), the job use cases,
and the pipeline settling a job that ends after its call, once and only after the call's own settlement."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.background import BackgroundWork
from openrouter_multimodal.application.call import ToolCall
from openrouter_multimodal.application.chat_jobs import CANCELLED, STOPPED, ChatJobs, ChatJobStarted
from openrouter_multimodal.application.job_status import CancelJob, ChatJobOutcome, GetJobStatus, JobIdCommand
from openrouter_multimodal.application.pipeline import CallPipeline
from openrouter_multimodal.application.pipeline_ports import Admission, AllowEverything, ToolSpec
from openrouter_multimodal.application.video_jobs import GetVideoStatus, GetVideoStatusCommand, VideoDefaults
from openrouter_multimodal.application.video_polling import EndTracker, VideoJobRunner, VideoLimits
from openrouter_multimodal.domain.caller import Caller, IdentitySource, local_caller
from openrouter_multimodal.domain.chat import ChatResult
from openrouter_multimodal.domain.errors import ConfigurationError, InvalidInput, JobFailed, UpstreamError
from openrouter_multimodal.domain.job import Job, JobKind, JobStatus
from openrouter_multimodal.domain.paid_call import Billing
from openrouter_multimodal.domain.usage import Usage
from tests.fakes import FakeClock, FakeCredentials, as_call
from tests.pipeline_fakes import HandlerTable, RecordingAudit
from tests.video_fakes import JOB_ID, FakeSleeper, FakeVideoApi, InMemoryJobStore, RecordingProgress, snap

pytestmark = pytest.mark.anyio

ANSWER = ChatResult(text="42", model="acme/thinker", usage=Usage(1, 2, 3, cost=Decimal("0.02")), generation_id="g-1")
ALICE = Caller("alice", IdentitySource.TOKEN)


class Settlements:
    """``JobSettlement`` that keeps what it was asked to settle."""

    def __init__(self) -> None:
        self.billings: list[Billing] = []

    async def settle(self, billing: Billing) -> None:
        self.billings.append(billing)


class Upstream:
    """A chat request held until ``release``; ``cancelled`` is set when its task was cancelled (connection closed)."""

    def __init__(self, result: ChatResult = ANSWER, error: Exception | None = None) -> None:
        self.release = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.result = result
        self.error = error

    async def answer(self) -> ChatResult:
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        if self.error is not None:
            raise self.error
        return self.result


class DownStore(InMemoryJobStore):
    async def save(self, job: Job, expected_version: int) -> bool:
        raise ConfigurationError("state store down")


def jobs(store: InMemoryJobStore | None = None) -> tuple[ChatJobs, InMemoryJobStore, BackgroundWork, FakeClock]:
    store = store or InMemoryJobStore()
    work, clock = BackgroundWork(), FakeClock()
    return ChatJobs(store=store, clock=clock, work=work, lost_after_s=180, new_id=lambda: "chat-1"), store, work, clock


def chat_call(settlement: Settlements, caller: Caller | None = None) -> ToolCall[Any]:
    return replace(as_call(None, "chat_completion", caller=caller), settlement=settlement)


async def start(chats: ChatJobs, upstream: Upstream, settlement: Settlements, wait_s: float = 0.0) -> Any:
    return await chats.run(chat_call(settlement), upstream.answer(), model="acme/thinker", prompt="why?",
                           max_wait_s=wait_s)


def test_a_chat_job_keeps_its_answer_and_the_first_end_wins() -> None:
    job = Job.submitted("chat-1", model="m", prompt="p", now=10.0, status=JobStatus.IN_PROGRESS, kind=JobKind.CHAT,
                        deadline_at=200.0)
    done = job.answered(ANSWER, now=20.0)
    assert (done.status, done.progress, done.chat, done.cost_usd, done.model) == (
        JobStatus.COMPLETED, 100, ANSWER, Decimal("0.02"), "acme/thinker")
    cancelled = job.ended(JobStatus.CANCELLED, "stop", now=20.0)
    assert cancelled.answered(ANSWER, now=30.0) == cancelled and cancelled.error == "stop"
    assert not job.lost(199.0) and job.lost(201.0) and not done.lost(500.0)
    assert not replace(job, kind=JobKind.VIDEO).lost(500.0)


async def test_an_answer_within_the_wait_is_returned_and_no_job_is_kept() -> None:
    chats, store, work, _ = jobs()
    upstream, settlement = Upstream(), Settlements()
    upstream.release.set()
    assert await start(chats, upstream, settlement, wait_s=5) == ANSWER
    assert store.jobs == {} and len(work) == 0 and settlement.billings == []


async def test_a_late_answer_is_saved_into_the_job_and_settled_once() -> None:
    chats, store, work, _ = jobs()
    upstream, settlement = Upstream(), Settlements()
    started = await start(chats, upstream, settlement)
    assert isinstance(started, ChatJobStarted)
    assert started.billing == Billing(model="acme/thinker", job_id="chat-1", outcome="still_running")
    assert store.jobs["chat-1"].status is JobStatus.IN_PROGRESS and store.jobs["chat-1"].owner == "local"
    upstream.release.set()
    await chats.wait("chat-1", 5)
    saved = store.jobs["chat-1"]
    assert saved.status is JobStatus.COMPLETED and saved.chat == ANSWER and len(work) == 0
    assert settlement.billings == [Billing(model="acme/thinker", cost_usd=Decimal("0.02"), generation_id="g-1",
                                           job_id="chat-1", outcome="ok", settles="chat_completion")]


async def test_a_failed_late_answer_is_recorded_with_its_reason() -> None:
    chats, store, _, _ = jobs()
    upstream, settlement = Upstream(error=UpstreamError("provider overloaded")), Settlements()
    await start(chats, upstream, settlement)
    upstream.release.set()
    await chats.wait("chat-1", 5)
    assert store.jobs["chat-1"].status is JobStatus.FAILED
    assert "provider overloaded" in (store.jobs["chat-1"].error or "")
    assert [b.outcome for b in settlement.billings] == ["failed"]


async def test_cancel_cancels_the_request_and_settles_once() -> None:
    chats, store, _, _ = jobs()
    upstream, settlement = Upstream(), Settlements()
    await start(chats, upstream, settlement)
    assert await chats.cancel("chat-1")
    assert upstream.cancelled.is_set()
    assert store.jobs["chat-1"].status is JobStatus.CANCELLED and store.jobs["chat-1"].error == CANCELLED
    assert [(b.outcome, b.cost_usd) for b in settlement.billings] == [("cancelled", None)]
    assert not await chats.cancel("chat-1")


async def test_a_caller_who_leaves_before_the_job_id_cancels_the_request() -> None:
    chats, store, _, _ = jobs()
    upstream, settlement = Upstream(), Settlements()
    waiting = asyncio.ensure_future(start(chats, upstream, settlement, wait_s=30))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.wait_for(upstream.cancelled.wait(), 5)
    assert store.jobs == {} and settlement.billings == []


async def test_when_the_job_cannot_be_saved_the_call_waits_for_the_answer() -> None:
    chats, _, _, _ = jobs(DownStore())
    upstream, settlement = Upstream(), Settlements()
    waiting = asyncio.ensure_future(start(chats, upstream, settlement))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    upstream.release.set()
    assert await waiting == ANSWER and settlement.billings == []


async def test_a_stopping_app_records_its_unfinished_chats_as_stopped() -> None:
    chats, store, work, _ = jobs()
    upstream, settlement = Upstream(), Settlements()
    await start(chats, upstream, settlement)
    await work.drain(0.0, 5.0)
    assert upstream.cancelled.is_set() and len(work) == 0
    assert (store.jobs["chat-1"].status, store.jobs["chat-1"].error) == (JobStatus.CANCELLED, STOPPED)
    assert [b.outcome for b in settlement.billings] == ["cancelled"]


async def _stored(store: InMemoryJobStore, clock: FakeClock, status: JobStatus = JobStatus.IN_PROGRESS,
                  owner: str = "local") -> Job:
    job = Job.submitted("chat-9", model="m", prompt="p", now=clock.now(), status=status, owner=owner,
                        tool="chat_completion", kind=JobKind.CHAT, deadline_at=clock.now() + 180)
    assert await store.save(job, 0)
    return store.jobs["chat-9"]


async def test_another_callers_chat_job_is_unknown_to_status_and_cancel() -> None:
    chats, store, _, clock = jobs()
    await _stored(store, clock, owner="alice")
    status = GetJobStatus(chats=chats, videos=None)  # type: ignore[arg-type]
    for use_case in (status, CancelJob(chats=chats, runner=None)):  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="no job"):
            await use_case(as_call(JobIdCommand("chat-9")))
    outcome = await status(as_call(JobIdCommand("chat-9"), caller=ALICE))
    assert isinstance(outcome, ChatJobOutcome) and outcome.still_running and outcome.billing is None


async def test_a_chat_left_behind_by_a_stopped_server_expires_once() -> None:
    chats, store, _, clock = jobs()
    await _stored(store, clock)
    status, cancel = GetJobStatus(chats=chats, videos=None), CancelJob(chats=chats, runner=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="another server process"):
        await cancel(as_call(JobIdCommand("chat-9")))
    clock.advance(181)
    with pytest.raises(JobFailed, match="expired") as failed:
        await status(as_call(JobIdCommand("chat-9")))
    assert failed.value.billing is not None and failed.value.billing.outcome == "expired"
    assert failed.value.billing.settles == "chat_completion"
    with pytest.raises(JobFailed) as again:
        await status(as_call(JobIdCommand("chat-9")))
    assert again.value.billing is None
    ended = await cancel(as_call(JobIdCommand("chat-9")))
    assert not ended.cancelled and ended.billing is None


class OrderedPolicy(AllowEverything):
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def settle(self, admission: Admission, billing: Billing | None, outcome: str) -> None:
        await asyncio.sleep(0.01)
        self.calls.append(f"settle {outcome}")

    async def settle_job(self, subject: str, billing: Billing) -> None:
        self.calls.append(f"settle_job {billing.outcome}")


class NoLocks:
    def hold(self, keys: Any) -> Any:
        raise AssertionError("no locks expected")


async def test_a_job_that_ends_at_once_is_settled_after_the_call_that_started_it() -> None:
    policy, audit, finished = OrderedPolicy(), RecordingAudit(), asyncio.Event()

    async def handler(call: ToolCall[Any]) -> ChatJobStarted:
        async def end_now() -> None:
            await call.settlement.settle(Billing(model="m", cost_usd=Decimal("0.5"), job_id="chat-1",
                                                 settles="chat_completion"))
            finished.set()

        asyncio.ensure_future(end_now())
        await asyncio.sleep(0)
        return ChatJobStarted(Job.submitted("chat-1", model="m", prompt="p", now=0.0, kind=JobKind.CHAT))

    pipeline = CallPipeline(specs={"chat_completion": ToolSpec("chat_completion", paid=True)},
                            handlers=HandlerTable({"chat_completion": handler}),
                            policy=policy, audit=audit, locks=NoLocks(), clock=FakeClock())
    await pipeline.dispatch(ToolCall("chat_completion", None, local_caller()))
    await asyncio.wait_for(finished.wait(), 5)
    assert policy.calls == ["settle still_running", "settle_job ok"]
    assert audit.rows == [("chat_completion", "still_running", None), ("chat_completion", "ok", "0.5")]


async def test_cancel_job_on_a_video_stops_waiting_here_and_says_openrouter_cannot_cancel() -> None:
    store, clock = InMemoryJobStore(), FakeClock()
    chats = ChatJobs(store=store, clock=clock, work=BackgroundWork(), lost_after_s=180)
    job = Job.submitted(JOB_ID, model="acme/veo", prompt="a cat", now=clock.now(), owner="local")
    assert await store.save(job, 0)
    async def on_sleep(count: int) -> None:
        if count == 2:
            outcome = await cancel(as_call(JobIdCommand(JOB_ID)))
            assert not outcome.cancelled and "no cancel endpoint" in outcome.note

    api = FakeVideoApi([snap("in_progress", 10)])
    runner = VideoJobRunner(api=api, store=store, clock=clock, sleeper=FakeSleeper(clock, on_sleep),
                            limits=VideoLimits(gen_max_bytes=10**6, inline_max_bytes=10**5))
    cancel = CancelJob(chats=chats, runner=runner)
    waited = await runner.wait(store.jobs[JOB_ID], max_wait_s=600, interval_s=1, progress=RecordingProgress(),
                               tracker=EndTracker())
    assert waited.status is JobStatus.IN_PROGRESS and len(api.polls) == 1
    assert store.jobs[JOB_ID].stop_requested


class NoOutputs:
    def for_caller(self, caller: Caller) -> None:
        return None


async def test_get_video_status_sends_a_chat_job_to_get_job_status() -> None:
    store, clock = InMemoryJobStore(), FakeClock()
    await _stored(store, clock)
    runner = VideoJobRunner(api=FakeVideoApi(), store=store, clock=clock, sleeper=FakeSleeper(clock),
                            limits=VideoLimits(gen_max_bytes=10**6, inline_max_bytes=10**5))
    status = GetVideoStatus(runner=runner, outputs=NoOutputs(), credentials=FakeCredentials(True),  # type: ignore[arg-type]
                            defaults=VideoDefaults(model="acme/veo", max_wait_ms=0, poll_interval_ms=1000))
    with pytest.raises(InvalidInput, match="get_job_status"):
        await status(as_call(GetVideoStatusCommand("chat-9")))
