"""Small fakes of the video ports: a scripted upstream, a clock-advancing sleeper, a job store and progress."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

from openrouter_multimodal.adapters.caller_spaces import CallerInputs, LocalCallerSpaces
from openrouter_multimodal.adapters.output_store import LocalOutputStore
from openrouter_multimodal.application.call import ProgressReporter
from openrouter_multimodal.application.fetch_ports import FetchedResource, FetchLimits
from openrouter_multimodal.application.job_ports import ByteSink, JobStore
from openrouter_multimodal.application.media_loading import MediaLoader
from openrouter_multimodal.application.video_jobs import (
    GenerateVideo,
    GenerateVideoCommand,
    GetVideoStatus,
    GetVideoStatusCommand,
    ListVideoJobs,
    ListVideoJobsCommand,
    VideoDefaults,
    VideoJobList,
)
from openrouter_multimodal.application.video_polling import VideoJobRunner, VideoLimits, VideoOutcome
from openrouter_multimodal.domain.caller import Caller
from openrouter_multimodal.domain.errors import ResourceTooLarge, UpstreamError
from openrouter_multimodal.domain.generation import VideoRequest, VideoSnapshot
from openrouter_multimodal.domain.job import Job, JobKind
from openrouter_multimodal.domain.media import MEDIA_LIMIT_DEFAULTS
from tests.fakes import FakeClock, FakeCredentials
from tests.pipeline_fakes import Dispatch, RecordingAudit

CLIP = (Path(__file__).resolve().parent / "fixtures" / "media" / "clip.mp4").read_bytes()
JOB_ID = "vid-1"


def snap(status: str, progress: int | None = None, *, cost: str | None = None, error: str | None = None,
         id: str = JOB_ID) -> VideoSnapshot:
    return VideoSnapshot(id=id, status=status, progress=progress, polling_url=f"https://up.example/videos/{id}",
                         cost=Decimal(cost) if cost is not None else None, error=error)


Step: TypeAlias = VideoSnapshot | Exception


class FakeVideoApi:
    """``VideoJobsApi`` answering polls from ``script`` in order (the last step repeats); an Exception step is raised.

    ``download`` streams ``content`` in ``chunk`` byte pieces and, like the real adapter, raises
    ``ResourceTooLarge`` naming ``${video_gen_max_bytes}`` past ``max_bytes`` unless
    ``enforce_cap`` is False (then only the output store's own cap stops it).
    """

    def __init__(self, script: Sequence[Step] | None = None, *, content: bytes = CLIP, mime: str = "video/mp4",
                 chunk: int = 1000, enforce_cap: bool = True, submitted: Step | None = None) -> None:
        self.script: list[Step] = list(script or [snap("completed", 100)])
        self.content = content
        self.mime = mime
        self.chunk = chunk
        self.enforce_cap = enforce_cap
        self.submitted_reply = submitted or snap("pending")
        self.submits: list[VideoRequest] = []
        self.polls: list[str] = []
        self.downloads: list[str] = []

    async def submit(self, request: VideoRequest) -> VideoSnapshot:
        self.submits.append(request)
        if isinstance(self.submitted_reply, Exception):
            raise self.submitted_reply
        return self.submitted_reply

    async def poll(self, job_id: str) -> VideoSnapshot:
        self.polls.append(job_id)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step

    async def download(self, job_id: str, index: int, sink: ByteSink, max_bytes: int) -> str:
        self.downloads.append(job_id)
        total = 0
        for start in range(0, len(self.content), self.chunk):
            piece = self.content[start : start + self.chunk]
            total += len(piece)
            if self.enforce_cap and total > max_bytes:
                raise ResourceTooLarge("the video is over the limit: raise ${video_gen_max_bytes}.")
            await sink.write(piece)
        return self.mime


class FakeSleeper:
    """The ``Sleeper``: advances the fake clock instead of waiting; ``on_sleep`` runs after each sleep."""

    def __init__(self, clock: FakeClock, on_sleep: Callable[[int], Awaitable[None] | None] | None = None) -> None:
        self.clock = clock
        self.calls: list[float] = []
        self.on_sleep = on_sleep

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)
        if self.on_sleep is not None:
            result = self.on_sleep(len(self.calls))
            if result is not None:
                await result


class InMemoryJobStore:
    """``JobStore`` in a dict, compare-and-set on ``version`` like the real one; ``conflicts`` counts losers."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.saves = 0
        self.conflicts = 0

    async def save(self, job: Job, expected_version: int) -> bool:
        current = self.jobs.get(job.id)
        if (current.version if current is not None else 0) != expected_version:
            self.conflicts += 1
            return False
        self.saves += 1
        self.jobs[job.id] = replace(job, version=expected_version + 1)
        return True

    async def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    async def list_recent(self, limit: int, owner: str | None = None, kind: JobKind | None = None) -> list[Job]:
        jobs = sorted(self.jobs.values(), key=lambda j: (-j.created_at, j.id))
        mine = [j for j in jobs if owner is None or j.owner == owner][:limit]
        return [j for j in mine if kind is None or j.kind is kind]


class RecordingProgress:
    def __init__(self, fail: bool = False) -> None:
        self.values: list[tuple[float, float | None, str]] = []
        self.fail = fail

    async def report(self, progress: float, total: float | None, message: str) -> None:
        self.values.append((progress, total, message))
        if self.fail:
            raise RuntimeError("client went away")

    @property
    def numbers(self) -> list[float]:
        return [v for v, _, _ in self.values]


class NoFetcher:
    """``UrlFetcher`` for tests that must not fetch."""

    async def fetch(self, url: str, limits: FetchLimits) -> FetchedResource:
        raise UpstreamError(f"unexpected fetch of {url}")

    async def aclose(self) -> None:
        return None


@dataclass
class VideoRig:
    """The three use cases over fakes, dispatched through a real ``CallPipeline`` (which writes the audit), with
    the real per-caller file spaces: outputs in ``tmp/outputs``, inputs read from ``tmp/inputs``.

    The runner, pipeline and handlers are built once per rig, as the container builds one per process
    (the runner's per-job locks and the pipeline's resource locks must be shared by concurrent calls).
    """

    tmp: Path
    api: FakeVideoApi = field(default_factory=FakeVideoApi)
    store: JobStore = field(default_factory=InMemoryJobStore)
    clock: FakeClock = field(default_factory=FakeClock)
    audit: RecordingAudit = field(default_factory=RecordingAudit)
    credentials: FakeCredentials = field(default_factory=FakeCredentials)
    limits: VideoLimits = field(default_factory=lambda: VideoLimits(gen_max_bytes=1_000_000, inline_max_bytes=100_000))
    defaults: VideoDefaults = field(default_factory=lambda: VideoDefaults("google/veo-3.1", 10_000, 1_000))
    sleeper: FakeSleeper | None = None

    def __post_init__(self) -> None:
        (self.tmp / "inputs").mkdir(exist_ok=True)
        self.spaces = LocalCallerSpaces(output_root=str(self.tmp / "outputs"), input_roots=[self.tmp / "inputs"],
                                        allow_unsafe=False)
        if self.sleeper is None:
            self.sleeper = FakeSleeper(self.clock)

    @property
    def output(self) -> LocalOutputStore:
        """The local (stdio) caller's output store: the output root itself."""
        return self.spaces.for_caller(Caller("local"))

    async def _sleep(self, seconds: float) -> None:
        assert self.sleeper is not None
        await self.sleeper(seconds)

    @functools.cached_property
    def runner(self) -> VideoJobRunner:
        return VideoJobRunner(api=self.api, store=self.store, clock=self.clock, sleeper=self._sleep,
                              limits=self.limits)

    @functools.cached_property
    def dispatch(self) -> Dispatch:
        loader = MediaLoader(files=CallerInputs(self.spaces), fetcher=NoFetcher(), limits=MEDIA_LIMIT_DEFAULTS)
        generate = GenerateVideo(runner=self.runner, loader=loader, outputs=self.spaces,
                                 credentials=self.credentials, defaults=self.defaults)
        status = GetVideoStatus(runner=self.runner, outputs=self.spaces, credentials=self.credentials,
                                defaults=self.defaults)
        return Dispatch({"generate_video": generate, "generate_video_from_image": generate,
                         "get_video_status": status, "list_video_jobs": ListVideoJobs(runner=self.runner)},
                        audit=self.audit, clock=self.clock)

    async def generate(self, command: GenerateVideoCommand, progress: ProgressReporter | None = None, *,
                       caller: Caller | None = None) -> VideoOutcome:
        outcome: VideoOutcome = await self.dispatch("generate_video", command, caller=caller, progress=progress)
        return outcome

    async def status(self, video_id: str, *, save_path: str | None = None, overwrite: bool = False,
                     max_wait_ms: int = 0, progress: ProgressReporter | None = None,
                     caller: Caller | None = None) -> VideoOutcome:
        command = GetVideoStatusCommand(video_id, save_path=save_path, overwrite=overwrite, max_wait_ms=max_wait_ms)
        outcome: VideoOutcome = await self.dispatch("get_video_status", command, caller=caller, progress=progress)
        return outcome

    async def listing(self, *, limit: int = 20, status: str | None = None,
                      caller: Caller | None = None) -> VideoJobList:
        jobs: VideoJobList = await self.dispatch("list_video_jobs", ListVideoJobsCommand(limit, status),
                                                 caller=caller)
        return jobs

    def path(self, name: str) -> Path:
        """The file an output-store name stands for."""
        return Path(self.output.location(name))

    def files(self) -> list[str]:
        root = self.tmp / "outputs"
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


class RendezvousVideoApi(FakeVideoApi):
    """``FakeVideoApi`` whose polls wait until ``callers`` polls are in flight, so concurrent callers see the
    same upstream answer before either records it (the race between generate_video and get_video_status)."""

    def __init__(self, script: Sequence[Step] | None = None, *, callers: int = 2, **kwargs: Any) -> None:
        super().__init__(script, **kwargs)
        self.callers = callers
        self.waiting = 0
        self.everyone = asyncio.Event()

    async def poll(self, job_id: str) -> VideoSnapshot:
        self.waiting += 1
        if self.waiting >= self.callers:
            self.everyone.set()
        await self.everyone.wait()
        return await super().poll(job_id)
