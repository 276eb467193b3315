"""The video job use cases: ``GenerateVideo``, ``GetVideoStatus`` and ``ListVideoJobs``."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..domain.errors import InvalidInput, OpenRouterMcpError
from ..domain.generation import VideoRequest
from ..domain.media import MediaKind
from ..domain.model_id import ModelId
from ..domain.video_job import VideoJob, VideoJobStatus
from .audit import PaidCallEvent
from .media_loading import MediaLoader
from .ports import Credentials
from .video_polling import MonotonicProgress, NullProgress, ProgressReporter, VideoJobRunner, VideoOutcome

MAX_WAIT_MS = 600_000
MIN_POLL_INTERVAL_MS = 50
UNKNOWN_MODEL = "unknown"


@dataclass(frozen=True, slots=True)
class VideoDefaults:
    model: str
    max_wait_ms: int
    poll_interval_ms: int


@dataclass(frozen=True, slots=True)
class GenerateVideoCommand:
    prompt: str
    model: str | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    duration: int | None = None
    seed: int | None = None
    first_frame_image: str | None = None
    last_frame_image: str | None = None
    reference_images: tuple[str, ...] = ()
    generate_audio: bool | None = None
    provider_options: Mapping[str, Any] | None = None
    save_path: str | None = None
    overwrite: bool = False
    max_wait_ms: int | None = None
    poll_interval_ms: int | None = None
    tool: str = "generate_video"


def _timing(max_wait_ms: int | None, poll_interval_ms: int | None, defaults: VideoDefaults) -> tuple[float, float]:
    wait = defaults.max_wait_ms if max_wait_ms is None else max_wait_ms
    interval = defaults.poll_interval_ms if poll_interval_ms is None else poll_interval_ms
    if not 0 <= wait <= MAX_WAIT_MS:
        raise InvalidInput(f"max_wait_ms must be between 0 and {MAX_WAIT_MS} (0 submits without waiting).")
    if interval < MIN_POLL_INTERVAL_MS:
        raise InvalidInput(f"poll_interval_ms must be at least {MIN_POLL_INTERVAL_MS}.")
    return wait / 1000, interval / 1000


class GenerateVideo:
    """Submits a paid video job and waits for it while the client is likely to still be listening.

    Why: jobs take minutes but clients drop calls at about 60 s, so the wait is bounded
    (``max_wait_ms``, default the ``video_max_wait_ms`` setting) and a job that outlives it comes
    back as a resumable handle (``VideoOutcome.still_running``), persisted the moment the
    upstream accepts it. How: key check, argument checks and the save target are settled
    before anything is spent; frame and reference images go through ``MediaLoader`` (sandbox,
    SSRF guard, caps) and are sent as data URLs. How it fails: CONFIGURATION without a key or
    with an output directory that is missing, read-only or full, INVALID_INPUT / UNSAFE_PATH /
    UNSUPPORTED_FORMAT / RESOURCE_TOO_LARGE before submitting, classified upstream errors from
    the submit, ``JobFailed`` when the job fails, is cancelled or expires; after completion
    RESOURCE_TOO_LARGE (no file left) over the download cap, UPSTREAM_HTTP when the download
    is not a video, CONFIGURATION when the disk fills, each leaving the job resumable.
    """

    def __init__(self, runner: VideoJobRunner, loader: MediaLoader, credentials: Credentials,
                 defaults: VideoDefaults) -> None:
        self._runner = runner
        self._loader = loader
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, command: GenerateVideoCommand, progress: ProgressReporter | None = None) -> VideoOutcome:
        self._credentials.ensure_configured()
        model = ModelId.parse(command.model or self._defaults.model)
        max_wait_s, interval_s = _timing(command.max_wait_ms, command.poll_interval_ms, self._defaults)
        frames = tuple((kind, raw) for kind, raw in (("first_frame", command.first_frame_image),
                                                     ("last_frame", command.last_frame_image)) if raw)
        fields: dict[str, Any] = dict(
            model=model, prompt=command.prompt, resolution=command.resolution, aspect_ratio=command.aspect_ratio,
            duration=command.duration, seed=command.seed, provider_options=command.provider_options,
            generate_audio=command.generate_audio)
        VideoRequest(**fields, frame_images=tuple((kind, "data:") for kind, _ in frames),
                     reference_images=tuple("data:" for _ in command.reference_images))
        runner = self._runner
        target = await runner.output.reserve(command.save_path, stem="video", extension="mp4",
                                             overwrite=command.overwrite)
        request = VideoRequest(
            **fields, frame_images=tuple([(kind, await self._data_url(raw, "frame image")) for kind, raw in frames]),
            reference_images=tuple([await self._data_url(raw, "reference image") for raw in command.reference_images]))
        audit = PaidCallEvent(tool=command.tool, model=str(model), outcome="submitted",
                              prompt_preview=PaidCallEvent.preview(command.prompt))
        try:
            snapshot = await runner.api.submit(request)
        except OpenRouterMcpError as exc:
            runner.audit.paid_call(replace(audit, outcome="submit_failed", detail=exc.code.value))
            raise
        runner.audit.paid_call(replace(audit, detail=f"video_id={snapshot.id}"))
        reporter = MonotonicProgress(progress or NullProgress())
        job = VideoJob.submitted(snapshot.id, model=str(model), prompt=command.prompt, now=runner.clock.now(),
                                 polling_url=snapshot.polling_url, save_path=target)
        job = await runner.persist(job) or job
        job = await runner.apply(job, snapshot, reporter, command.tool)
        job = await runner.wait(job, max_wait_s=max_wait_s, interval_s=interval_s, progress=reporter,
                                tool=command.tool)
        return await runner.settle(job, target, overwrite=command.overwrite)

    async def _data_url(self, raw: str, what: str) -> str:
        try:
            loaded = await self._loader.load(raw, MediaKind.IMAGE)
        except OpenRouterMcpError as exc:
            exc.message = f"{what}: {exc.message}"
            exc.args = (exc.message,)
            raise
        if loaded.data is None:  # images are always read whole; guard the invariant anyway
            raise InvalidInput(f"{what} could not be read: pass a smaller image file.")
        return f"data:{loaded.format.mime};base64,{base64.b64encode(loaded.data).decode('ascii')}"


class GetVideoStatus:
    """Resumes a video job by id: polls it (waiting up to ``max_wait_ms``, default 0) and saves the result.

    Why: the handle returned as JOB_STILL_RUNNING must work after a timeout, a client restart
    or a server restart, so the job is read from the persistent store; an id the store does
    not know (another machine, a lost store) is polled upstream anyway and adopted. A job
    whose file was already saved (by this call or a concurrent one) returns that file again
    without downloading. How it fails:
    INVALID_INPUT for a blank id or an id the upstream does not know, UNSAFE_PATH for a
    ``save_path`` outside the output directory, the classified poll error when no poll of
    this call succeeded, and like ``GenerateVideo`` for failed jobs and oversized videos.
    """

    def __init__(self, runner: VideoJobRunner, credentials: Credentials, defaults: VideoDefaults) -> None:
        self._runner = runner
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, video_id: str, *, save_path: str | None = None, overwrite: bool = False,
                       max_wait_ms: int = 0, progress: ProgressReporter | None = None,
                       tool: str = "get_video_status") -> VideoOutcome:
        self._credentials.ensure_configured()
        ident = video_id.strip()
        if not ident:
            raise InvalidInput("video_id is required: pass the video_id that generate_video returned.")
        max_wait_s, interval_s = _timing(max_wait_ms, None, self._defaults)
        runner = self._runner
        reporter = MonotonicProgress(progress or NullProgress())
        job = await runner.store.get(ident)
        target = await self._target(job, save_path, overwrite)
        if job is None:
            snapshot = await runner.api.poll(ident)
            adopted = VideoJob.submitted(snapshot.id or ident, model=UNKNOWN_MODEL, prompt="", now=runner.clock.now(),
                                         polling_url=snapshot.polling_url, save_path=target)
            job = await runner.apply(adopted, snapshot, reporter, tool)
            job = await runner.wait(job, max_wait_s=max_wait_s, interval_s=interval_s, progress=reporter, tool=tool)
        else:
            job = await runner.wait(job, max_wait_s=max_wait_s, interval_s=interval_s, progress=reporter, tool=tool,
                                    poll_first=True)
        return await runner.settle(job, target, overwrite=overwrite, explicit=target is not None)

    async def _target(self, job: VideoJob | None, save_path: str | None, overwrite: bool) -> str | None:
        """An explicit ``save_path``, checked before any poll; None means the job's own file (the one saved
        earlier, else the name reserved at submit), decided under the job's lock in ``settle``."""
        if save_path is None:
            return None
        output = self._runner.output
        saved = job.output_path if job is not None else None
        if saved and _same_place(output.location, save_path, saved):
            return None
        return await output.reserve(save_path, stem="video", extension="mp4", overwrite=overwrite)


def _same_place(location: Callable[[str], str], a: str, b: str) -> bool:
    try:
        return location(a.strip()) == location(b)
    except OpenRouterMcpError:
        return False


@dataclass(frozen=True, slots=True)
class VideoJobList:
    jobs: tuple[VideoJob, ...]
    now: float


class ListVideoJobs:
    """The caller's recent video jobs, newest first, from the local job store (no upstream call, free).

    Statuses are as last seen by this server: a job nobody polled since it was submitted
    still shows pending or in_progress. How it fails: INVALID_INPUT for a limit outside
    1..100 or an unknown status; INTERNAL when the job store cannot be read.
    """

    def __init__(self, runner: VideoJobRunner) -> None:
        self._runner = runner

    async def __call__(self, limit: int = 20, status: str | None = None, owner: str | None = None) -> VideoJobList:
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be between 1 and 100.")
        wanted = None
        if status is not None:
            try:
                wanted = VideoJobStatus(status.strip().lower())
            except ValueError:
                raise InvalidInput(f"status '{status}' is not a job status. Valid values: "
                                   f"{', '.join(s.value for s in VideoJobStatus)}.") from None
        jobs = await self._runner.store.list_recent(limit if wanted is None else min(limit * 20, 2000), owner)
        chosen = [j for j in jobs if wanted is None or j.status is wanted][:limit]
        return VideoJobList(tuple(chosen), self._runner.clock.now())
