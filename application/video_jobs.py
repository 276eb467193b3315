"""The video job use cases: ``GenerateVideo``, ``GetVideoStatus`` and ``ListVideoJobs``."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from ..domain.caller import Caller
from ..domain.errors import InvalidInput, OpenRouterMcpError
from ..domain.generation import VideoRequest
from ..domain.job import Job, JobKind, JobStatus
from ..domain.media import MediaKind
from ..domain.model_id import ModelId
from ..domain.paid_call import CallFacts
from .call import ToolCall
from .job_ports import OutputSpaces, OutputStore
from .media_loading import MediaLoader
from .paid_generation import save_lock
from .ports import Credentials
from .video_polling import EndTracker, MonotonicProgress, VideoJobRunner, VideoOutcome, job_billing

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

    def facts(self) -> CallFacts:
        images = len(self.reference_images) + sum(1 for f in (self.first_frame_image, self.last_frame_image) if f)
        return CallFacts(model=self.model, prompt=self.prompt, video_seconds=self.duration,
                         resolution=self.resolution, images=images, lock_keys=save_lock(self.save_path))


@dataclass(frozen=True, slots=True)
class GetVideoStatusCommand:
    video_id: str
    save_path: str | None = None
    overwrite: bool = False
    max_wait_ms: int = 0

    def facts(self) -> CallFacts:
        return CallFacts(lock_keys=(f"job:{self.video_id.strip()}", *save_lock(self.save_path)))


@dataclass(frozen=True, slots=True)
class ListVideoJobsCommand:
    limit: int = 20
    status: str | None = None
    kind: str = JobKind.VIDEO.value


def _timing(max_wait_ms: int | None, poll_interval_ms: int | None, defaults: VideoDefaults) -> tuple[float, float]:
    wait = defaults.max_wait_ms if max_wait_ms is None else max_wait_ms
    interval = defaults.poll_interval_ms if poll_interval_ms is None else poll_interval_ms
    if not 0 <= wait <= MAX_WAIT_MS:
        raise InvalidInput(f"max_wait_ms must be between 0 and {MAX_WAIT_MS} (0 submits without waiting).")
    if interval < MIN_POLL_INTERVAL_MS:
        raise InvalidInput(f"poll_interval_ms must be at least {MIN_POLL_INTERVAL_MS}.")
    return wait / 1000, interval / 1000


@asynccontextmanager
async def settling(job: Job, tracker: EndTracker, *, resumed: bool) -> AsyncIterator[None]:
    """Attach the job's billing to a failure after the job ended (failed upstream, or a download that did not
    finish), so the pipeline settles the reservation once; a later call can still fetch the video."""
    try:
        yield
    except OpenRouterMcpError as exc:
        billing = job_billing(job, ended_here=tracker.ended_here, resumed=resumed)
        if exc.billing is None and billing is not None:
            exc.billing = billing
        raise


class GenerateVideo:
    """Submits a paid video job and waits for it while the client is likely to still be listening.

    Why: jobs take minutes but clients drop calls at about 60 s, so the wait is bounded
    (``max_wait_ms``, default the ``video_max_wait_ms`` setting) and a job that outlives it comes back as a
    resumable handle (``VideoOutcome.still_running``), persisted, owned by the caller, the moment
    the upstream accepts it. How: key check, argument checks and the save target are settled
    before anything is spent; frame and reference images go through ``MediaLoader`` (the caller's
    sandbox, SSRF guard, caps) and are sent as data URLs. How it fails: CONFIGURATION without a key
    or with an output directory that is missing, read-only or full, INVALID_INPUT / UNSAFE_PATH /
    UNSUPPORTED_FORMAT / RESOURCE_TOO_LARGE before submitting, classified upstream errors from the
    submit, ``JobFailed`` when the job fails, is cancelled or expires; after completion
    RESOURCE_TOO_LARGE (no file left) over the download cap, UPSTREAM_HTTP when the download is not
    a video, CONFIGURATION when the disk fills, each leaving the job resumable.
    """

    def __init__(self, *, runner: VideoJobRunner, loader: MediaLoader, outputs: OutputSpaces,
                 credentials: Credentials, defaults: VideoDefaults) -> None:
        self._runner = runner
        self._loader = loader
        self._outputs = outputs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[GenerateVideoCommand]) -> VideoOutcome:
        self._credentials.ensure_configured()
        command, caller = call.command, call.caller
        output = self._outputs.for_caller(caller)
        model = ModelId.parse(command.model or self._defaults.model)
        max_wait_s, interval_s = _timing(command.max_wait_ms, command.poll_interval_ms, self._defaults)
        frames = tuple((kind, raw) for kind, raw in (("first_frame", command.first_frame_image),
                                                     ("last_frame", command.last_frame_image)) if raw)
        fields: dict[str, Any] = dict(
            model=model, prompt=command.prompt, resolution=command.resolution, aspect_ratio=command.aspect_ratio,
            duration=command.duration, seed=command.seed, provider_options=command.provider_options,
            generate_audio=command.generate_audio, attribution=call.attribution)
        VideoRequest(**fields, frame_images=tuple((kind, "data:") for kind, _ in frames),
                     reference_images=tuple("data:" for _ in command.reference_images))
        runner = self._runner
        target = await output.reserve(command.save_path, stem="video", extension="mp4", overwrite=command.overwrite)
        request = VideoRequest(
            **fields,
            frame_images=tuple([(kind, await self._data_url(raw, "frame image", caller)) for kind, raw in frames]),
            reference_images=tuple([await self._data_url(raw, "reference image", caller)
                                    for raw in command.reference_images]))
        snapshot = await runner.api.submit(request)
        progress = MonotonicProgress(call.progress)
        tracker = EndTracker()
        job = Job.submitted(snapshot.id, model=str(model), prompt=command.prompt, now=runner.clock.now(),
                                 polling_url=snapshot.polling_url, save_path=target, owner=caller.subject,
                                 tool=call.tool)
        async with settling(job, tracker, resumed=False):
            job = await runner.persist(job) or job
            job = await runner.apply(job, snapshot, progress, tracker)
            job = await runner.wait(job, max_wait_s=max_wait_s, interval_s=interval_s, progress=progress,
                                    tracker=tracker)
        async with settling(job, tracker, resumed=False):
            outcome = await runner.settle(job, target, output=output, overwrite=command.overwrite)
        return VideoOutcome(outcome.job, outcome.video, ended_here=tracker.ended_here, resumed=False)

    async def _data_url(self, raw: str, what: str, caller: Caller) -> str:
        try:
            loaded = await self._loader.load(raw, MediaKind.IMAGE, caller)
        except OpenRouterMcpError as exc:
            exc.message = f"{what}: {exc.message}"
            exc.args = (exc.message,)
            raise
        if loaded.data is None:  # images are always read whole; guard the invariant anyway
            raise InvalidInput(f"{what} could not be read: pass a smaller image file.")
        return f"data:{loaded.format.mime};base64,{base64.b64encode(loaded.data).decode('ascii')}"


class GetVideoStatus:
    """Resumes one of the caller's video jobs by id: polls it (waiting up to ``max_wait_ms``) and saves the result.

    Why: the handle returned as JOB_STILL_RUNNING must work after a timeout, a client restart or
    a server restart, so the job is read from the persistent store. A job belongs to the caller
    who submitted it: another caller's id is answered exactly like an unknown one. An id the store
    does not know (a lost store) is polled upstream and adopted only for the machine's own user,
    never for a remote caller. A job whose file was already saved (by this call or a concurrent
    one) returns that file again without downloading. How it fails: INVALID_INPUT for a blank or
    unknown id, UNSAFE_PATH for a ``save_path`` outside the caller's output directory, the
    classified poll error when no poll of this call succeeded, and like ``GenerateVideo`` for
    failed jobs and oversized videos.
    """

    def __init__(self, *, runner: VideoJobRunner, outputs: OutputSpaces, credentials: Credentials,
                 defaults: VideoDefaults) -> None:
        self._runner = runner
        self._outputs = outputs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[GetVideoStatusCommand]) -> VideoOutcome:
        self._credentials.ensure_configured()
        command, caller = call.command, call.caller
        ident = command.video_id.strip()
        if not ident:
            raise InvalidInput("video_id is required: pass the video_id that generate_video returned.")
        max_wait_s, interval_s = _timing(command.max_wait_ms, None, self._defaults)
        runner = self._runner
        output = self._outputs.for_caller(caller)
        progress = MonotonicProgress(call.progress)
        tracker = EndTracker()
        job = await runner.store.get(ident)
        if job is not None and job.owner != caller.subject:
            job = None
        if job is not None and job.kind is not JobKind.VIDEO:
            raise InvalidInput(f"'{ident[:80]}' is a {job.kind.value} job, not a video: call get_job_status.")
        if job is None and not caller.owns_machine:
            raise _unknown(ident)
        target = await self._target(job, command.save_path, command.overwrite, output.location, output)
        if job is None:
            snapshot = await runner.api.poll(ident)
            adopted = Job.submitted(snapshot.id or ident, model=UNKNOWN_MODEL, prompt="", now=runner.clock.now(),
                                         polling_url=snapshot.polling_url, save_path=target, owner=caller.subject)
            job = await runner.apply(adopted, snapshot, progress, tracker)
            job = await runner.wait(job, max_wait_s=max_wait_s, interval_s=interval_s, progress=progress,
                                    tracker=tracker)
        else:
            async with settling(job, tracker, resumed=True):
                job = await runner.wait(job, max_wait_s=max_wait_s, interval_s=interval_s, progress=progress,
                                        tracker=tracker, poll_first=True)
        async with settling(job, tracker, resumed=True):
            outcome = await runner.settle(job, target, output=output, overwrite=command.overwrite,
                                          explicit=target is not None)
        return VideoOutcome(outcome.job, outcome.video, ended_here=tracker.ended_here, resumed=True)

    @staticmethod
    async def _target(job: Job | None, save_path: str | None, overwrite: bool,
                      location: Callable[[str], str], output: OutputStore) -> str | None:
        """An explicit ``save_path``, checked before any poll; None means the job's own file (the one saved
        earlier, else the name reserved at submit), decided under the job's lock in ``settle``."""
        if save_path is None:
            return None
        saved = job.output_path if job is not None else None
        if saved and _same_place(location, save_path, saved):
            return None
        return await output.reserve(save_path, stem="video", extension="mp4", overwrite=overwrite)


def _unknown(ident: str) -> InvalidInput:
    return InvalidInput(f"no video job '{ident[:80]}' of yours: pass a video_id that generate_video returned "
                        "to you, or call list_video_jobs.")


def _same_place(location: Callable[[str], str], a: str, b: str) -> bool:
    try:
        return location(a.strip()) == location(b)
    except OpenRouterMcpError:
        return False


@dataclass(frozen=True, slots=True)
class VideoJobList:
    jobs: tuple[Job, ...]
    now: float


class ListVideoJobs:
    """The caller's own recent jobs of one kind (video unless asked), newest first, from the job store (free).

    Statuses are as last seen by this server: a video job nobody polled since it was submitted
    still shows pending or in_progress. How it fails: INVALID_INPUT for a limit outside
    1..100, an unknown status or kind; CONFIGURATION when the store cannot be read.
    """

    def __init__(self, *, runner: VideoJobRunner) -> None:
        self._runner = runner

    async def __call__(self, call: ToolCall[ListVideoJobsCommand]) -> VideoJobList:
        limit, status = call.command.limit, call.command.status
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be between 1 and 100.")
        wanted = None
        if status is not None:
            try:
                wanted = JobStatus(status.strip().lower())
            except ValueError:
                raise InvalidInput(f"status '{status}' is not a job status. Valid values: "
                                   f"{', '.join(s.value for s in JobStatus)}.") from None
        try:
            kind = JobKind(call.command.kind.strip().lower())
        except ValueError:
            raise InvalidInput(f"kind must be one of {', '.join(k.value for k in JobKind)}.") from None
        jobs = await self._runner.store.list_recent(min(limit * 20, 2000),
                                                    call.caller.subject, kind)
        chosen = [j for j in jobs if wanted is None or j.status is wanted][:limit]
        return VideoJobList(tuple(chosen), self._runner.clock.now())
