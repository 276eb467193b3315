"""``GetJobStatus`` and ``CancelJob``: one caller's jobs of either kind, by id."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import InvalidInput, JobFailed
from ..domain.job import Job, JobKind, JobStatus
from ..domain.paid_call import Billing, CallFacts
from .call import ToolCall
from .chat_jobs import ChatJobs, end_billing
from .video_jobs import MAX_WAIT_MS, GetVideoStatus, GetVideoStatusCommand
from .video_polling import VideoJobRunner, VideoOutcome

LOST = "the server that ran it stopped before the answer arrived: ask again"
NO_VIDEO_CANCEL = ("OpenRouter has no cancel endpoint for videos: the job runs on upstream and is billed when it "
                   "completes. This server stopped waiting for it; get_video_status still fetches it.")


@dataclass(frozen=True, slots=True)
class JobIdCommand:
    job_id: str
    max_wait_ms: int = 0

    def facts(self) -> CallFacts:
        return CallFacts(lock_keys=(f"job:{self.job_id.strip()}",))


@dataclass(frozen=True, slots=True)
class ChatJobOutcome:
    """A chat job as it stands (answered, or still running); ``billing`` when this call recorded its end."""

    job: Job
    billing: Billing | None = None

    @property
    def still_running(self) -> bool:
        return not self.job.status.terminal


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """What ``cancel_job`` did: ``cancelled`` only when work really stopped; ``note`` says what happened."""

    job: Job
    cancelled: bool
    note: str
    billing: Billing | None = None


def _unknown(ident: str) -> InvalidInput:
    return InvalidInput(f"no job '{ident[:80]}' of yours: pass a job_id or video_id a tool returned to you, "
                        "or call list_video_jobs (kind chat for chats).")


def _ident(command: JobIdCommand) -> str:
    ident = command.job_id.strip()
    if not ident:
        raise InvalidInput("job_id is required: pass the job_id a JOB_STILL_RUNNING result gave you.")
    if not 0 <= command.max_wait_ms <= MAX_WAIT_MS:
        raise InvalidInput(f"max_wait_ms must be between 0 and {MAX_WAIT_MS}.")
    return ident


async def _own(chats: ChatJobs, ident: str, subject: str) -> Job | None:
    job = await chats.store.get(ident)
    return job if job is not None and job.owner == subject else None


async def _expire_if_lost(chats: ChatJobs, job: Job) -> tuple[Job, Billing | None]:
    """A chat job left running by a server that stopped is recorded as expired (once; that save settles it)."""
    now = chats.clock.now()
    if not job.lost(now) or chats.running_here(job.id):
        return job, None
    ended = await chats.end(job, lambda current: current.ended(JobStatus.EXPIRED, LOST, now=now))
    if ended is not None:
        return ended, end_billing(ended)
    return await chats.store.get(job.id) or job, None


class GetJobStatus:
    """The state of one of the caller's jobs: a chat's stored answer, or a video job resumed like get_video_status.

    Why one tool for both kinds: a caller holding a JOB_STILL_RUNNING id should not have to know
    which kind of work it names. A chat answered in the background (by this process or an earlier
    one sharing the store) is read from the job store, free; a chat this process still runs is
    waited for up to ``max_wait_ms``. Another caller's job is answered like an unknown one. How it
    fails: INVALID_INPUT for a blank or unknown id, JOB_FAILED (carrying the upstream's reason) for
    a chat that failed, was cancelled or was left behind by a stopped server; video as get_video_status.
    """

    def __init__(self, *, chats: ChatJobs, videos: GetVideoStatus) -> None:
        self._chats = chats
        self._videos = videos

    async def __call__(self, call: ToolCall[JobIdCommand]) -> ChatJobOutcome | VideoOutcome:
        ident = _ident(call.command)
        job = await _own(self._chats, ident, call.caller.subject)
        if job is None or job.kind is JobKind.VIDEO:
            if job is None and ident.startswith("chat-"):
                raise _unknown(ident)
            command = GetVideoStatusCommand(ident, max_wait_ms=call.command.max_wait_ms)
            return await self._videos(ToolCall(call.tool, command, call.caller, call.progress, call.attribution,
                                               call.settlement))
        if not job.status.terminal and self._chats.running_here(ident):
            await self._chats.wait(ident, call.command.max_wait_ms / 1000)
            job = await self._chats.store.get(ident) or job
        job, billing = await _expire_if_lost(self._chats, job)
        if job.status is JobStatus.COMPLETED or not job.status.terminal:
            return ChatJobOutcome(job, billing)
        failure = JobFailed(f"chat job {job.id} {job.status.value}: {job.error or 'no reason was given'}",
                            details={"job_id": job.id, "status": job.status.value})
        failure.billing = billing
        raise failure


class CancelJob:
    """Stops one of the caller's jobs as far as can be done from here.

    A chat this process runs: its request task is cancelled, which closes the upstream HTTP
    connection, and the job is recorded cancelled (settled once, by the background task that
    recorded it). A chat another server process runs cannot be reached from here (INVALID_INPUT
    saying so), unless that server stopped (the job's deadline passed): then it is recorded expired.
    A video: OpenRouter has no cancel endpoint, so the job runs on and is billed; this server
    stops its waits on it, marks it, and says so plainly. How it fails: INVALID_INPUT for a blank,
    unknown or another caller's id; CONFIGURATION when the store cannot be read.
    """

    def __init__(self, *, chats: ChatJobs, runner: VideoJobRunner) -> None:
        self._chats = chats
        self._runner = runner

    async def __call__(self, call: ToolCall[JobIdCommand]) -> CancelOutcome:
        ident = _ident(call.command)
        job = await _own(self._chats, ident, call.caller.subject)
        if job is None:
            raise _unknown(ident)
        if job.status.terminal:
            return CancelOutcome(job, False, f"job {job.id} had already ended ({job.status.value}).")
        if job.kind is JobKind.VIDEO:
            return CancelOutcome(await self._runner.stop(job), False, NO_VIDEO_CANCEL)
        if await self._chats.cancel(ident):
            job = await self._chats.store.get(ident) or job
            return CancelOutcome(job, job.status is JobStatus.CANCELLED,
                                 "cancelled: the upstream request was closed." if job.status is JobStatus.CANCELLED
                                 else f"job {job.id} ended ({job.status.value}) before it could be cancelled.")
        job = await self._chats.store.get(ident) or job
        if job.status.terminal:
            return CancelOutcome(job, False, f"job {job.id} had already ended ({job.status.value}).")
        job, billing = await _expire_if_lost(self._chats, job)
        if job.status.terminal:
            return CancelOutcome(job, False, f"job {job.id} was {job.status.value}: {job.error}", billing)
        raise InvalidInput(f"chat job {job.id} runs in another server process, which alone can cancel it: "
                           "call cancel_job through that server, or wait for it with get_job_status.")
