"""``ChatJobs``: a chat that outlives its call's wait keeps running in the background and is kept as a job."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from ..domain.chat import ChatResult
from ..domain.errors import OpenRouterMcpError
from ..domain.job import Job, JobKind, JobStatus
from ..domain.paid_call import Billing
from .background import BackgroundWork
from .call import JobSettlement, ToolCall
from .job_ports import JobStore
from .ports import Clock

log = logging.getLogger("openrouter_multimodal.chat_jobs")

SAVE_ATTEMPTS = 8
CANCEL_WAIT_S = 10.0
STOPPED = "the server stopped before the answer arrived: ask again"
CANCELLED = "cancelled by cancel_job; the upstream request was closed"


@dataclass(frozen=True, slots=True)
class ChatJobStarted:
    """What a chat call returns when its answer did not arrive within ``max_wait_ms``: the job to ask about."""

    job: Job

    @property
    def billing(self) -> Billing:
        return Billing(model=self.job.model, job_id=self.job.id, outcome="still_running")


def end_billing(job: Job) -> Billing:
    """What an ended chat job cost, reported once by whoever recorded its end (``settles`` its submitting tool)."""
    completed = job.status is JobStatus.COMPLETED
    return Billing(model=job.model, cost_usd=job.cost_usd, job_id=job.id, settles=job.tool,
                   generation_id=job.chat.generation_id if job.chat else None,
                   outcome="ok" if completed else job.status.value)


@dataclass(slots=True)
class _Run:
    work: asyncio.Task[ChatResult]
    reason: str = STOPPED


class ChatJobs:
    """Runs chats whose answer takes longer than the caller can wait, and records how they end.

    Why: reasoning models can take minutes, clients drop calls at about 60 s, and a paid answer
    must never be lost. The upstream request runs in its own task; the call waits ``max_wait_s``
    for it. If the answer is late, the job is saved (owned by the caller, kind chat) and a
    background task owned by the app (``BackgroundWork``) waits for the answer, saves it into the
    job, and settles the call's held cost through the call's ``JobSettlement`` exactly once: the
    end is saved compare-and-set, and only the save that ended the job settles it.

    A caller who abandons the call before a job id was returned cancels the request (nobody could
    ask for its answer). ``cancel`` cancels the request task, which closes its HTTP connection.
    How it fails: whatever the chat raised, when it ends in time; when the job cannot be saved
    (store down) the call keeps waiting, as a call without ``max_wait_ms`` would.
    """

    def __init__(self, *, store: JobStore, clock: Clock, work: BackgroundWork, lost_after_s: float,
                 new_id: Callable[[], str] | None = None) -> None:
        self.store = store
        self.clock = clock
        self._work = work
        self._lost_after_s = lost_after_s
        self._new_id = new_id or (lambda: f"chat-{uuid.uuid4().hex[:24]}")
        self._runs: dict[str, _Run] = {}

    async def run(self, call: ToolCall[Any], answer: Coroutine[Any, Any, ChatResult], *, model: str, prompt: str,
                  max_wait_s: float) -> ChatResult | ChatJobStarted:
        work = asyncio.get_running_loop().create_task(answer)
        try:
            await asyncio.wait({work}, timeout=max(max_wait_s, 0.0))
        except asyncio.CancelledError:
            work.cancel()
            raise
        if work.done():
            return work.result()
        now = self.clock.now()
        job = Job.submitted(self._new_id(), model=model, prompt=prompt, now=now, status=JobStatus.IN_PROGRESS,
                            owner=call.caller.subject, tool=call.tool, kind=JobKind.CHAT,
                            deadline_at=now + self._lost_after_s)
        saving = asyncio.ensure_future(self._save_new(job))
        self._runs[job.id] = _Run(work)
        self._work.start(job.id, self._finish(replace(job, version=1), work, saving, call.settlement))
        try:
            saved = await asyncio.shield(saving)
        except asyncio.CancelledError:
            work.cancel()
            raise
        if saved:
            return ChatJobStarted(replace(job, version=1))
        return await work

    async def _save_new(self, job: Job) -> bool:
        try:
            return await self.store.save(job, 0)
        except OpenRouterMcpError as exc:
            log.warning("chat_job_not_saved", extra={"job_id": job.id, "error": exc.message})
            return False

    def running_here(self, job_id: str) -> bool:
        return job_id in self._runs

    async def wait(self, job_id: str, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for a job this process runs to be recorded as ended (no-op otherwise)."""
        task = self._work.get(job_id)
        if task is not None and timeout_s > 0:
            await asyncio.wait({task}, timeout=timeout_s)

    async def cancel(self, job_id: str) -> bool:
        """Cancel a chat this process runs and wait (bounded) until its end is recorded; False if not run here."""
        run = self._runs.get(job_id)
        if run is None:
            return False
        run.reason = CANCELLED
        run.work.cancel()
        await self.wait(job_id, CANCEL_WAIT_S)
        return True

    async def _finish(self, job: Job, work: asyncio.Task[ChatResult], saving: asyncio.Future[bool],
                      settlement: JobSettlement) -> None:
        try:
            try:
                await asyncio.wait({work})
            except asyncio.CancelledError:
                work.cancel()
                await asyncio.shield(self._record(job, work, saving, settlement))
                raise
            await self._record(job, work, saving, settlement)
        finally:
            self._runs.pop(job.id, None)

    async def _record(self, job: Job, work: asyncio.Task[ChatResult], saving: asyncio.Future[bool],
                      settlement: JobSettlement) -> None:
        await asyncio.wait({work})
        if not await saving:
            return
        run = self._runs.get(job.id)
        ended = await self.end(job, lambda current: self._ending(current, work, run.reason if run else STOPPED))
        if ended is not None:
            await settlement.settle(end_billing(ended))

    def _ending(self, job: Job, work: asyncio.Task[ChatResult], reason: str) -> Job:
        now = self.clock.now()
        if work.cancelled():
            return job.ended(JobStatus.CANCELLED, reason, now=now)
        exc = work.exception()
        if isinstance(exc, OpenRouterMcpError):
            cost = exc.billing.cost_usd if exc.billing else None
            return job.ended(JobStatus.FAILED, f"{exc.code.value}: {exc.message}", now=now, cost=cost)
        if exc is not None:
            log.error("chat_job_failed", extra={"job_id": job.id, "error": type(exc).__name__})
            return job.ended(JobStatus.FAILED, "INTERNAL: the chat failed unexpectedly: report it", now=now)
        return job.answered(work.result(), now=now)

    async def end(self, job: Job, ending: Callable[[Job], Job]) -> Job | None:
        """Save ``ending(job)`` over the stored job, compare-and-set; the ended job if this save ended it, None
        when it had already ended (another save won) or the store failed (logged; the reservation lapses)."""
        try:
            for _ in range(SAVE_ATTEMPTS):
                ended = ending(job)
                if job.status.terminal or ended == job:
                    return None
                if await self.store.save(ended, job.version):
                    return replace(ended, version=job.version + 1)
                job = await self.store.get(job.id) or job
        except OpenRouterMcpError as exc:
            log.warning("chat_job_end_not_saved", extra={"job_id": job.id, "error": exc.message})
        return None
