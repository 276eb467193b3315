"""Waiting on a video job: the progress and sleep ports, and ``VideoJobRunner`` (poll, persist, settle)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Protocol

from ..domain.errors import ErrorCode, InvalidInput, JobFailed, OpenRouterMcpError, ResourceTooLarge, UnsafePath
from ..domain.generation import VideoSnapshot
from ..domain.media import format_from_extension
from ..domain.video_job import VideoJob, VideoJobStatus
from .audit import AuditLog, PaidCallEvent
from .generation_ports import VideoJobsApi
from .job_ports import OutputStore, VideoJobStore
from .ports import Clock
from .video_download import download_video

log = logging.getLogger("openrouter_multimodal.video")

Sleeper = Callable[[float], Awaitable[None]]
"""Waits the given number of seconds (``asyncio.sleep`` in production, a clock-advancing fake in tests)."""

TRANSIENT = frozenset({ErrorCode.UPSTREAM_HTTP, ErrorCode.UPSTREAM_TIMEOUT})
HEARTBEAT = 0.01


class ProgressReporter(Protocol):
    """Where progress goes while a caller waits (MCP ``notifications/progress``); values are absolute."""

    async def report(self, progress: float, total: float | None, message: str) -> None: ...


class NullProgress:
    async def report(self, progress: float, total: float | None, message: str) -> None:
        return None


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
    """``poll_retries`` (OPENROUTER_MAX_RETRIES) bounds consecutive transient poll failures in ``wait``."""

    gen_max_bytes: int
    inline_max_bytes: int
    poll_retries: int = 2


@dataclass(frozen=True, slots=True)
class SavedVideo:
    """The finished file. ``size`` is None when a file saved earlier was too large to re-read; ``inline``
    holds its bytes only when it is at most the inline cap."""

    path: str
    mime: str
    size: int | None
    inline: bytes | None = None
    downloaded: bool = True


@dataclass(frozen=True, slots=True)
class VideoOutcome:
    """A completed job with its file, or a job still running (``video`` None) when the wait ran out."""

    job: VideoJob
    video: SavedVideo | None = None

    @property
    def still_running(self) -> bool:
        return not self.job.status.terminal


def _message(job: VideoJob) -> str:
    return f"video {job.id}: {job.status.value} ({job.progress}%)"


class VideoJobRunner:
    """The part of the video flow shared by generate_video and get_video_status.

    ``apply`` records one poll (persisted at once, audited when the job ends, progress
    reported); ``wait`` polls every interval until the job ends or the deadline passes;
    ``settle`` turns an ended job into a saved file or ``JobFailed``.
    """

    def __init__(self, api: VideoJobsApi, store: VideoJobStore, output: OutputStore, audit: AuditLog,
                 clock: Clock, sleeper: Sleeper, limits: VideoLimits) -> None:
        self.api = api
        self.store = store
        self.output = output
        self.audit = audit
        self.clock = clock
        self._sleep = sleeper
        self._limits = limits

    async def persist(self, job: VideoJob) -> None:
        """Save the job; a store failure is logged, not raised: the upstream id still resumes the job."""
        try:
            await self.store.save(job)
        except OpenRouterMcpError as exc:
            log.warning("video_job_not_saved", extra={"video_id": job.id, "error": exc.message})

    async def apply(self, job: VideoJob, snapshot: VideoSnapshot, progress: ProgressReporter, tool: str) -> VideoJob:
        updated = job.advance(snapshot.status, progress=snapshot.progress, now=self.clock.now(),
                              result_urls=snapshot.result_urls, cost=snapshot.cost, error=snapshot.error)
        if snapshot.polling_url and not updated.polling_url:
            updated = replace(updated, polling_url=snapshot.polling_url)
        if updated != job:
            await self.persist(updated)
        if updated.status.terminal and not job.status.terminal:
            self.audit.paid_call(PaidCallEvent(
                tool=tool, model=updated.model, outcome=updated.status.value, cost_usd=updated.cost_usd,
                prompt_preview=PaidCallEvent.preview(updated.prompt), detail=f"video_id={updated.id}"))
        await progress.report(updated.progress, 100, _message(updated))
        return updated

    async def wait(self, job: VideoJob, *, max_wait_s: float, interval_s: float, progress: ProgressReporter,
                   tool: str, poll_first: bool = False) -> VideoJob:
        """Poll until the job ends or ``max_wait_s`` passes (the last sleep is cut to the deadline).

        Transient poll failures (UPSTREAM_HTTP, UPSTREAM_TIMEOUT) are logged and retried at the
        next interval, at most ``poll_retries`` times in a row; then waiting stops as if the deadline
        had passed (the job stays resumable). Any other failure is raised. With ``poll_first``
        (resuming a job) the first poll is immediate, and if no poll of this call succeeded the last
        failure is raised rather than reporting stale state as "still running".
        """
        deadline = self.clock.monotonic() + max(max_wait_s, 0.0)
        succeeded, failure, first, failures = False, None, poll_first, 0
        while not job.status.terminal and failures <= self._limits.poll_retries:
            if not first:
                remaining = deadline - self.clock.monotonic()
                if remaining <= 0:
                    break
                await self._sleep(min(interval_s, remaining))
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
            job = await self.apply(job, snapshot, progress, tool)
        if poll_first and not succeeded and failure is not None:
            raise failure
        return job

    async def settle(self, job: VideoJob, target: str | None, *, overwrite: bool) -> VideoOutcome:
        """Outcome of a job after waiting: still running, saved (``target`` None reuses its saved file), or
        ``JobFailed`` for failed, cancelled and expired jobs."""
        status = job.status
        if not status.terminal:
            return VideoOutcome(job)
        if status is VideoJobStatus.FAILED:
            reason = job.error or "the provider gave no reason"
            raise JobFailed(f"video {job.id} failed upstream: {reason}. Change the prompt, inputs or model and "
                            "submit a new job.", details={"video_id": job.id, "status": status.value})
        if status is not VideoJobStatus.COMPLETED:
            raise JobFailed(f"video {job.id} was {status.value} upstream before it finished, so there is no "
                            "video to fetch: submit a new job.", details={"video_id": job.id, "status": status.value})
        if target is None and job.output_path:
            existing = self._existing(job.output_path)
            if existing is not None:
                return VideoOutcome(job, existing)
            target = self.output.reserve(job.output_path, stem="video", extension="mp4", overwrite=False)
        assert target is not None
        video = await download_video(self.api, self.output, job.id, target, overwrite=overwrite,
                                     max_bytes=self._limits.gen_max_bytes)
        job = job.with_output(video.path)
        await self.persist(job)
        inline = self._read(video.path) if video.size <= self._limits.inline_max_bytes else None
        return VideoOutcome(job, SavedVideo(video.path, video.mime, video.size, inline))

    def _relative(self, path: str) -> str | None:
        try:
            return PurePath(path).relative_to(self.output.root).as_posix()
        except ValueError:
            return None

    def _read(self, path: str) -> bytes | None:
        relative = self._relative(path)
        if relative is None:
            return None
        try:
            return self.output.read(relative, self._limits.inline_max_bytes)
        except (ResourceTooLarge, InvalidInput, UnsafePath):
            return None

    def _existing(self, path: str) -> SavedVideo | None:
        """The file saved earlier, or None when it is gone (so it is downloaded again)."""
        fmt = format_from_extension(path)
        mime = fmt.mime if fmt else "video/mp4"
        relative = self._relative(path)
        if relative is None:
            return SavedVideo(path, mime, None, downloaded=False)
        try:
            data = self.output.read(relative, self._limits.inline_max_bytes)
        except ResourceTooLarge:
            return SavedVideo(path, mime, None, downloaded=False)
        except (InvalidInput, UnsafePath):
            return None
        return SavedVideo(path, mime, len(data), data, downloaded=False)
