"""The tools get_job_status and cancel_job (jobs of every kind), and how a chat job is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field

from ...domain.errors import ErrorCode
from ...domain.job import Job
from ..presenters import chat_meta, guarded, success, text, usd
from .registry import ToolRegistry
from .video import present

if TYPE_CHECKING:
    from ...application.chat_jobs import ChatJobStarted
    from ...application.job_status import CancelOutcome, ChatJobOutcome

STATUS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
CANCEL = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

GET = """Get a background chat's answer by job_id (from chat_completion's JOB_STILL_RUNNING; kept across restarts). Also reads video jobs (default file name; get_video_status takes save_path). Free.
Running: JOB_STILL_RUNNING; max_wait_ms waits here. Errors: INVALID_INPUT (unknown id), JOB_FAILED."""

CANCEL_DESCRIPTION = """Stop a running job by job_id (from JOB_STILL_RUNNING or list_video_jobs). Chat: closes the upstream request. Video: OpenRouter cannot cancel (it completes and is billed); only waiting stops.
Errors: INVALID_INPUT (unknown id, or another server's job)."""

JobId = Annotated[str, Field(min_length=1, max_length=200)]


def job_meta(job: Job) -> dict[str, Any]:
    return {"job_id": job.id, "kind": job.kind.value, "status": job.status.value, "model": job.model,
            "cost_usd": usd(job.cost_usd)}


def present_started(started: ChatJobStarted) -> CallToolResult:
    job = started.job
    return success([text(
        f"The answer is still being written (job {job.id}). Call get_job_status with job_id='{job.id}' for it; "
        "checking is free. cancel_job stops it.")], {**job_meta(job), "code": ErrorCode.JOB_STILL_RUNNING.value})


def present_chat_job(outcome: ChatJobOutcome) -> CallToolResult:
    job = outcome.job
    if job.chat is None or outcome.still_running:
        return success([text(f"Chat job {job.id} is still running. Call get_job_status again later.")],
                       {**job_meta(job), "code": ErrorCode.JOB_STILL_RUNNING.value})
    return success([text(job.chat.text)], {**chat_meta(job.chat), **job_meta(job)})


def present_cancel(outcome: CancelOutcome) -> CallToolResult:
    meta = {**job_meta(outcome.job), "cancelled": outcome.cancelled}
    if outcome.job.stop_requested:
        meta["polling_stopped"] = True
    return success([text(outcome.note)], meta)


def register(registry: ToolRegistry) -> None:
    async def get_job_status(
        job_id: JobId, ctx: Context, max_wait_ms: Annotated[int, Field(ge=0, le=600_000)] = 0,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.job_status import JobIdCommand
            from ...application.video_polling import VideoOutcome

            outcome = await registry.dispatch("get_job_status", JobIdCommand(job_id, max_wait_ms), ctx, progress=True)
            if isinstance(outcome, VideoOutcome):
                return present(outcome, registry.outputs(ctx))
            return present_chat_job(outcome)

        return await guarded("get_job_status", body)

    async def cancel_job(job_id: JobId, ctx: Context) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.job_status import JobIdCommand

            return present_cancel(await registry.dispatch("cancel_job", JobIdCommand(job_id), ctx))

        return await guarded("cancel_job", body)

    registry.add(get_job_status, title="Get job status", description=GET, annotations=STATUS)
    registry.add(cancel_job, title="Cancel job", description=CANCEL_DESCRIPTION, annotations=CANCEL)
