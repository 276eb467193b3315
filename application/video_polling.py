"""Waiting on a video job: the progress and sleep ports, and ``VideoJobRunner`` (poll, persist, settle)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from ..domain.errors import ErrorCode, JobFailed, OpenRouterMcpError
from ..domain.generation import VideoSnapshot
from ..domain.job import Job, JobStatus
from ..domain.paid_call import Billing
from .call import ProgressReporter
from .generation_ports import VideoJobsApi
from .job_ports import JobStore, OutputStore
from .ports import Clock
from .video_download import SavedVideo, download_video, read_inline, saved_earlier

log = logging.getLogger("openrouter_multimodal.video")

Sleeper = Callable[[float], Awaitable[None]]
"""Waits the given number of seconds (``asyncio.sleep`` in production, a clock-advancing fake in tests)."""

TRANSIENT = frozenset({ErrorCode.UPSTREAM_HTTP, ErrorCode.UPSTREAM_TIMEOUT})
HEARTBEAT = 0.01
SAVE_ATTEMPTS = 8


class MonotonicProgress:
    """Forwards progress so every value sent is larger than the last, and never lets a report fail a job.

    MCP requires each progress value to increase. A poll without news is sent as the last
    value plus 0.01, a heartbeat that stays below ``total``; a smaller upstream number
    (a provider restarting its count) is never passed on.
    """

    def __init__(self, inner: ProgressReporter) -> None:
        self._inner = inner
        self._last: float | None = None

    async def report(self, progress: float, total: float | None, message: str) -> None:
        value = max(progress, 0.0) if self._last is None or progress > self._last else round(self._last + HEARTBEAT, 2)
        if total is not None and value >= total > progress:
            return
        self._last = value
        try:
            await self._inner.report(value, total, message)
        except Exception:  # a client that cannot take progress must not cost the caller a paid job
            log.warning("video_progress_failed", exc_info=True)


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """``poll_retries`` (the ``max_retries`` setting) bounds consecutive transient poll failures in ``wait``."""

    gen_max_bytes: int
    inline_max_bytes: int
    poll_retries: int = 2


class EndTracker:
    """Notes whether this call's own save was the one that ended a job (so it alone settles its cost)."""

    ended_here: bool = False


def job_billing(job: Job, *, ended_here: bool, resumed: bool) -> Billing | None:
    """What a video call reports to the pipeline.

    The submitting call reports while the job runs (``still_running`` holds the estimate until the job
    ends) or when its own save ended the job. Any other call reports only if its save ended the job: it
    settles the submitting tool's charge. A job that another call ended while the submitter still waited
    was settled by that call, so the submitter reports nothing; a job polled by many callers is thus
    settled exactly once.
    """
    if not ended_here and (resumed or job.status.terminal):
        return None
    status = job.status
    outcome = "still_running" if not status.terminal else ("ok" if status is JobStatus.COMPLETED
                                                           else status.value)
    return Billing(model=job.model, cost_usd=job.cost_usd if status.terminal else None, job_id=job.id,
                   outcome=outcome, settles=job.tool if resumed else None)


@dataclass(frozen=True, slots=True)
class VideoOutcome:
    """A completed job with its file, or a job still running (``video`` None) when the wait ran out.

    ``resumed`` is False for the call that submitted the job; ``ended_here`` is True when this call's
    save recorded the job's end.
    """

    job: Job
    video: SavedVideo | None = None
    ended_here: bool = False
    resumed: bool = False

    @property
    def still_running(self) -> bool:
        return not self.job.status.terminal

    @property
    def billing(self) -> Billing | None:
        return job_billing(self.job, ended_here=self.ended_here, resumed=self.resumed)


def _message(job: Job) -> str:
    return f"video {job.id}: {job.status.value} ({job.progress}%)"


class VideoJobRunner:
    """The part of the video flow shared by generate_video and get_video_status.

    ``apply`` records one poll (persisted at once, its end noted in the caller's ``EndTracker``,
    progress reported); ``wait`` polls every interval until the job ends or the deadline passes;
    ``settle`` turns an ended job into a saved file or ``JobFailed``.

    One job, several callers (generate_video still waiting while get_video_status asks):
    every save is compare-and-set on the job's version, and a caller that loses re-applies
    its poll to the stored job, so only the caller whose save ended the job settles its cost.
    ``settle`` runs under a per-job ``asyncio.Lock`` and re-reads the job inside it, so the
    video is downloaded once and every later caller gets the saved file. The runner must be
    shared (one per process) for the lock to mean anything.
    """

    def __init__(self, *, api: VideoJobsApi, store: JobStore, clock: Clock, sleeper: Sleeper,
                 limits: VideoLimits) -> None:
        self.api = api
        self.store = store
        self.clock = clock
        self._sleep = sleeper
        self._limits = limits
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._stops: dict[str, int] = {}

    async def stop(self, job: Job) -> Job:
        """``cancel_job`` on a video: every wait on it in this process ends at its next poll, and the job is
        marked (``stop_requested``). OpenRouter cannot cancel it, so it can still be fetched and settled."""
        self._stops[job.id] = self._stops.get(job.id, 0) + 1
        return await self._save_changed(job, lambda stored: replace(stored, stop_requested=True))

    def _lock(self, job_id: str) -> asyncio.Lock:
        lock = self._locks.get(job_id)
        if lock is None:
            lock = self._locks[job_id] = asyncio.Lock()
        return lock

    async def persist(self, job: Job) -> Job | None:
        """Save ``job`` over the version it was read at: the saved job, or None when another caller saved
        first. A store failure is logged, not raised (the job is returned as if saved): the upstream id still
        resumes the job."""
        try:
            if await self.store.save(job, job.version):
                return replace(job, version=job.version + 1)
            return None
        except OpenRouterMcpError as exc:
            log.warning("video_job_not_saved", extra={"video_id": job.id, "error": exc.message})
            return job

    async def _reload(self, job: Job) -> Job:
        try:
            return await self.store.get(job.id) or job
        except OpenRouterMcpError as exc:
            log.warning("video_job_not_read", extra={"video_id": job.id, "error": exc.message})
            return job

    def _advance(self, job: Job, snapshot: VideoSnapshot) -> Job:
        updated = job.advance(snapshot.status, progress=snapshot.progress, now=self.clock.now(),
                              result_urls=snapshot.result_urls, cost=snapshot.cost, error=snapshot.error)
        if snapshot.polling_url and not updated.polling_url:
            updated = replace(updated, polling_url=snapshot.polling_url)
        return updated

    async def apply(self, job: Job, snapshot: VideoSnapshot, progress: ProgressReporter,
                    tracker: EndTracker) -> Job:
        """Record one poll; note the job's end in ``tracker`` only if this caller's save is the one that ended it."""
        updated = self._advance(job, snapshot)
        ended_here = False
        for _ in range(SAVE_ATTEMPTS):
            if updated == job:
                break
            saved = await self.persist(updated)
            if saved is not None:
                ended_here = updated.status.terminal and not job.status.terminal
                updated = saved
                break
            job = await self._reload(job)
            updated = self._advance(job, snapshot)
        if ended_here:
            tracker.ended_here = True
        await progress.report(updated.progress, 100, _message(updated))
        return updated

    async def wait(self, job: Job, *, max_wait_s: float, interval_s: float, progress: ProgressReporter,
                   tracker: EndTracker, poll_first: bool = False) -> Job:
        """Poll until the job ends or ``max_wait_s`` passes (the last sleep is cut to the deadline).

        A ``stop`` of the job (``cancel_job``) ends the wait at its next poll. Transient poll failures
        (UPSTREAM_HTTP, UPSTREAM_TIMEOUT) are logged and retried at the
        next interval, at most ``poll_retries`` times in a row; then waiting stops as if the deadline
        had passed (the job stays resumable). Any other failure is raised. With ``poll_first``
        (resuming a job) the first poll is immediate, and if no poll of this call succeeded the last
        failure is raised rather than reporting stale state as "still running".
        """
        deadline = self.clock.monotonic() + max(max_wait_s, 0.0)
        succeeded, failure, first, failures = False, None, poll_first, 0
        stops = self._stops.get(job.id, 0)
        while not job.status.terminal and failures <= self._limits.poll_retries:
            if not first:
                remaining = deadline - self.clock.monotonic()
                if remaining <= 0:
                    break
                await self._sleep(min(interval_s, remaining))
                if self._stops.get(job.id, 0) != stops:
                    break
            first = False
            try:
                snapshot = await self.api.poll(job.id)
            except OpenRouterMcpError as exc:
                if exc.code not in TRANSIENT:
                    raise
                log.warning("video_poll_error", extra={"video_id": job.id, "code": exc.code.value})
                failure, failures = exc, failures + 1
                continue
            succeeded, failures = True, 0
            job = await self.apply(job, snapshot, progress, tracker)
        if poll_first and not succeeded and failure is not None:
            raise failure
        return job

    async def settle(self, job: Job, target: str | None, *, output: OutputStore, overwrite: bool,
                     explicit: bool = False) -> VideoOutcome:
        """Outcome of a job after waiting: still running, saved, or ``JobFailed`` for failed, cancelled and
        expired jobs.

        Once per job: under the job's lock the stored job is read again, and if its file was
        saved (by this caller or another) that file is returned, unless ``explicit`` says the
        caller asked for a copy at ``target``. Otherwise stale temp files of the job are removed
        and the video is downloaded to ``target`` (None: the name saved or asked for earlier).
        A failed download leaves the job as it was, so a later call can finish it.
        """
        status = job.status
        if not status.terminal:
            return VideoOutcome(job)
        if status is JobStatus.FAILED:
            reason = job.error or "the provider gave no reason"
            raise JobFailed(f"video {job.id} failed upstream: {reason}. Change the prompt, inputs or model and "
                            "submit a new job.", details={"video_id": job.id, "status": status.value})
        if status is not JobStatus.COMPLETED:
            raise JobFailed(f"video {job.id} was {status.value} upstream before it finished, so there is no "
                            "video to fetch: submit a new job.", details={"video_id": job.id, "status": status.value})
        async with self._lock(job.id):
            job = await self._reload(job)
            if job.output_path and not (explicit and target != job.output_path):
                existing = await saved_earlier(output, job.output_path, self._limits.inline_max_bytes)
                if existing is not None:
                    return VideoOutcome(job, existing)
                target = await output.reserve(job.output_path, stem="video", extension="mp4", overwrite=False)
                overwrite = False
            if target is None:
                target = await output.reserve(job.save_path, stem="video", extension="mp4", overwrite=overwrite)
            await output.discard_partials(target, job.id)
            video = await download_video(self.api, output, job.id, target, overwrite=overwrite,
                                         max_bytes=self._limits.gen_max_bytes)
            job = await self._save_changed(job, lambda stored: stored.with_output(video.name))
        inline = await read_inline(output, video.name, self._limits.inline_max_bytes) \
            if video.size <= self._limits.inline_max_bytes else None
        return VideoOutcome(job, SavedVideo(video.name, video.mime, video.size, inline))

    async def _save_changed(self, job: Job, change: Callable[[Job], Job]) -> Job:
        """``change(job)`` saved compare-and-set; on a conflict the stored job is re-read and changed again.
        After ``SAVE_ATTEMPTS`` conflicts the unsaved change is returned: the caller
        still gets its answer, and the next poll saves it."""
        for _ in range(SAVE_ATTEMPTS):
            saved = await self.persist(change(job))
            if saved is not None:
                return saved
            job = await self._reload(job)
        return change(job)
