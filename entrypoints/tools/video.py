"""The tools generate_video, generate_video_from_image, get_video_status and list_video_jobs.

No ``from __future__ import annotations``: ``register`` builds the image-input types from the
configured data-URL cap, and the SDK resolves such local types only from evaluated annotations.
"""

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import (
    BlobResourceContents,
    CallToolResult,
    ContentBlock,
    EmbeddedResource,
    ToolAnnotations,
)
from pydantic import Field

from ...domain.errors import ErrorCode, OpenRouterMcpError
from ...domain.job import JobKind
from ...domain.media import MediaKind
from ..output_resources import stored_link
from ..presenters import guarded, success, text, usd
from .fields import SAVE_PATH_MAX, TEXT_MAX, ProviderOptions, model_defaulting_to
from .registry import ToolRegistry

if TYPE_CHECKING:
    from ...application.job_ports import OutputStore
    from ...application.video_jobs import (
        GenerateVideoCommand,
        VideoJobList,
    )
    from ...application.video_polling import VideoOutcome

PAID = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)
STATUS = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)
LISTING = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

WAITING = ("Waits max_wait_ms (default 45 s) with progress; a longer job is JOB_STILL_RUNNING + video_id for "
           "get_video_status, not an error. Each call bills a NEW job: never repeat it to check.")
SAVED = "Saves the file (save_path relative; replaced only with overwrite) and links it."
FAILS = "Errors: INVALID_INPUT, UNSAFE_PATH (checked before paying), JOB_FAILED, UPSTREAM_REFUSED."

GENERATE = f"""Create a video from a prompt, optionally with first/last frame and reference images. Paid per job, often dollars.
{WAITING}
{SAVED}
{FAILS}"""

FROM_IMAGE = """Animate one image: it becomes the first frame, the prompt says what happens. Paid per job, often dollars. Waits, saves and fails like generate_video (which also takes last frames and references)."""

GET_STATUS = """Check or finish a video job by video_id (from generate_video or generate_video_from_image, or list_video_jobs). Free.
Completed: saves the video once and links it (later calls return the same file). Running: JOB_STILL_RUNNING with progress; max_wait_ms waits here. Use this, never generate_video again.
Errors: INVALID_INPUT (unknown id), JOB_FAILED (with reason)."""

LIST = """List your recent jobs, newest first: id, status, progress, age, cost, file. Free, local (statuses as last seen).
status scans the newest limit×20 jobs (in_progress to resume, failed for reasons); kind=chat lists background chats. Find a lost id, then get_video_status/get_job_status."""

Prompt = Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]
Model = Annotated[str | None, model_defaulting_to("google/veo-3.1")]
Resolution = Annotated[str | None, Field(max_length=16, pattern=r"^[0-9A-Za-z]+$", description="720p, 1080p, 4K...")]
Aspect = Annotated[str | None, Field(max_length=5, pattern=r"^[0-9]{1,2}:[0-9]{1,2}$", description="16:9, 9:16, 1:1...")]
Duration = Annotated[int | None, Field(ge=1, le=600, description="Seconds.")]
Seed = Annotated[int | None, Field(ge=0, le=4_294_967_295)]
SavePath = Annotated[str | None, Field(max_length=SAVE_PATH_MAX, description="Default: automatic name.")]
MaxWait = Annotated[int | None, Field(ge=0, le=600_000, description="0 = submit only.")]
Interval = Annotated[int | None, Field(ge=50, le=60_000)]
Provider = Annotated[ProviderOptions, Field(description='Per-provider options: {"<provider>": {...}}.')]
VideoId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._:-]*$")]


def present(outcome: "VideoOutcome", store: "OutputStore") -> CallToolResult:
    job = outcome.job
    meta: dict[str, Any] = {"video_id": job.id, "status": job.status.value, "progress": job.progress,
                            "cost_usd": usd(job.cost_usd), "model": job.model}
    video = outcome.video
    if video is None:
        meta["code"] = ErrorCode.JOB_STILL_RUNNING.value
        return success([text(
            f"Video {job.id} is still {job.status.value} ({job.progress}%). Call get_video_status with "
            f"video_id='{job.id}' to resume; nothing more is charged for checking.")], meta)
    size = f"{video.size} bytes" if video.size is not None else "size over the inline limit"
    cost = f"${job.cost_usd}" if job.cost_usd is not None else "cost not reported"
    again = "" if video.downloaded else " (saved earlier)"
    path = store.display(video.name)
    content: list[ContentBlock] = [text(
        f"Video {job.id} saved to {path}{again} ({size}, {video.mime}); model {job.model}; {cost}.")]
    link = stored_link(store, video.name, video.mime, video.size)
    if link is not None:
        content.append(link)
    if video.inline is not None:
        uri = link.uri if link is not None else Path(path).as_uri()
        content.append(EmbeddedResource(type="resource", resource=BlobResourceContents(
            uri=uri, mime_type=video.mime, blob=base64.b64encode(video.inline).decode("ascii"))))
    meta.update(saved_path=path, mime=video.mime, size_bytes=video.size)
    return success(content, meta)


def _location(store: "OutputStore", name: str | None) -> str | None:
    try:
        return store.display(name) if name else None
    except OpenRouterMcpError:
        return name


def present_list(listing: "VideoJobList", store: "OutputStore") -> CallToolResult:
    rows = [{"job_id" if j.kind is JobKind.CHAT else "video_id": j.id, "status": j.status.value, "progress": j.progress, "model": j.model,
             "age_seconds": round(j.age_seconds(listing.now)), "cost_usd": usd(j.cost_usd),
             "prompt": j.prompt[:80], "saved_path": _location(store, j.output_path), "error": j.error}
            for j in listing.jobs]
    lines = [f"{r.get('video_id') or r.get('job_id')}: {r['status']} {r['progress']}%, {r['age_seconds']} s old, "
             f"{'$' + str(r['cost_usd']) if r['cost_usd'] is not None else 'cost unknown'}, {r['model']}"
             + (f", saved {r['saved_path']}" if r["saved_path"] else "") for r in rows]
    return success([text("\n".join(lines) if lines else "No jobs of that kind yet.")], {"count": len(rows)},
                   structured={"jobs": rows})


def register(registry: ToolRegistry) -> None:
    image_max = registry.source_max_chars(MediaKind.IMAGE)
    Image = Annotated[str | None, Field(max_length=image_max, description="Path, URL or data URL.")]
    FirstFrame = Annotated[str, Field(min_length=1, max_length=image_max,
                                      description="First frame: path, URL or data URL.")]
    References = Annotated[list[Annotated[str, Field(max_length=image_max)]] | None, Field(max_length=8)]

    async def run(tool: str, command: "GenerateVideoCommand", ctx: Context) -> CallToolResult:
        async def body() -> CallToolResult:
            outcome = await registry.dispatch(tool, command, ctx, progress=True)
            return present(outcome, registry.outputs(ctx))

        return await guarded(tool, body)

    async def generate_video(
        prompt: Prompt, ctx: Context, model: Model = None, resolution: Resolution = None, aspect_ratio: Aspect = None,
        duration: Duration = None, seed: Seed = None, first_frame_image: Image = None,
        last_frame_image: Image = None, reference_images: References = None,
        generate_audio: bool | None = None, provider: Provider = None, save_path: SavePath = None,
        overwrite: bool = False, max_wait_ms: MaxWait = None, poll_interval_ms: Interval = None,
    ) -> CallToolResult:
        from ...application.video_jobs import GenerateVideoCommand

        return await run("generate_video", GenerateVideoCommand(
            prompt, model, resolution, aspect_ratio, duration, seed, first_frame_image, last_frame_image,
            tuple(reference_images or ()), generate_audio, provider, save_path, overwrite, max_wait_ms,
            poll_interval_ms), ctx)

    async def generate_video_from_image(
        image: FirstFrame, prompt: Prompt, ctx: Context, model: Model = None, resolution: Resolution = None,
        aspect_ratio: Aspect = None, duration: Duration = None, seed: Seed = None,
        save_path: SavePath = None, overwrite: bool = False, max_wait_ms: MaxWait = None,
    ) -> CallToolResult:
        from ...application.video_jobs import GenerateVideoCommand

        return await run("generate_video_from_image", GenerateVideoCommand(
            prompt, model, resolution, aspect_ratio, duration, seed, first_frame_image=image, save_path=save_path,
            overwrite=overwrite, max_wait_ms=max_wait_ms), ctx)

    async def get_video_status(
        video_id: VideoId, ctx: Context, save_path: SavePath = None,
        overwrite: bool = False,
        max_wait_ms: Annotated[int, Field(ge=0, le=600_000)] = 0,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.video_jobs import GetVideoStatusCommand

            command = GetVideoStatusCommand(video_id, save_path=save_path, overwrite=overwrite,
                                            max_wait_ms=max_wait_ms)
            outcome = await registry.dispatch("get_video_status", command, ctx, progress=True)
            return present(outcome, registry.outputs(ctx))

        return await guarded("get_video_status", body)

    async def list_video_jobs(
        ctx: Context,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        status: Literal["pending", "in_progress", "completed", "failed", "cancelled", "expired"] | None = None,
        kind: Literal["video", "chat"] = "video",
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.video_jobs import ListVideoJobsCommand

            listing = await registry.dispatch("list_video_jobs", ListVideoJobsCommand(limit, status, kind), ctx)
            return present_list(listing, registry.outputs(ctx))

        return await guarded("list_video_jobs", body)

    registry.add(generate_video, title="Generate video", description=GENERATE, annotations=PAID,
                 aliases=("poll_interval_ms",))
    registry.add(generate_video_from_image, title="Generate video from image", description=FROM_IMAGE,
                 annotations=PAID, aliases=("seed",))
    registry.add(get_video_status, title="Get video status", description=GET_STATUS, annotations=STATUS)
    registry.add(list_video_jobs, title="List video jobs", description=LIST, annotations=LISTING)
