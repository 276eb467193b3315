"""``Job``: work that outlives its call (an upstream video job, a chat run in the background), and its rules."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from .chat import ChatResult
from .errors import InvalidInput

PROMPT_PREVIEW_CHARS = 200


class JobKind(enum.StrEnum):
    """``video``: an upstream job polled by id; ``chat``: a chat completion this server runs in the background."""

    VIDEO = "video"
    CHAT = "chat"


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def terminal(self) -> bool:
        """True once the job can no longer change: completed, failed, cancelled or expired."""
        return self not in (JobStatus.PENDING, JobStatus.IN_PROGRESS)

    @classmethod
    def parse(cls, raw: str | None) -> JobStatus:
        """Map an upstream status word (any case, ``-``/space for ``_``) to ours.

        Missing or empty means pending. An unknown word is read as in_progress: the job is
        not known to have ended, so callers keep polling until their deadline rather than
        failing a paid job on a vocabulary change upstream.
        """
        key = (raw or "").strip().lower().replace("-", "_").replace(" ", "_")
        if not key:
            return cls.PENDING
        return _SYNONYMS.get(key, cls.IN_PROGRESS)


_S = JobStatus
_SYNONYMS: dict[str, JobStatus] = {
    **{s.value: s for s in JobStatus},
    "queued": _S.PENDING, "submitted": _S.PENDING, "created": _S.PENDING, "waiting": _S.PENDING,
    "processing": _S.IN_PROGRESS, "running": _S.IN_PROGRESS, "started": _S.IN_PROGRESS,
    "starting": _S.IN_PROGRESS, "generating": _S.IN_PROGRESS, "inprogress": _S.IN_PROGRESS,
    "complete": _S.COMPLETED, "succeeded": _S.COMPLETED, "success": _S.COMPLETED, "done": _S.COMPLETED,
    "error": _S.FAILED, "errored": _S.FAILED, "failure": _S.FAILED, "rejected": _S.FAILED,
    "canceled": _S.CANCELLED,
}  # fmt: skip


def prompt_preview(prompt: str) -> str:
    """At most ``PROMPT_PREVIEW_CHARS`` characters, ending in an ellipsis when cut."""
    text = prompt.strip()
    return text if len(text) <= PROMPT_PREVIEW_CHARS else text[: PROMPT_PREVIEW_CHARS - 1] + "…"


def _percent(value: float) -> int:
    if math.isnan(value):
        return 0
    return max(0, min(100, int(value)))


@dataclass(frozen=True, slots=True)
class Job:
    """One job of either kind; times are epoch seconds, ``prompt`` keeps only a preview.

    A chat job keeps its answer (``chat``) once it completes, so any later call, in this
    process or another one sharing the store, can return it. ``deadline_at`` is when a chat
    still marked running must have ended (its upstream request's own deadline has passed): a
    job still running after it was left behind by a server that stopped. ``stop_requested``
    records a ``cancel_job`` on a video, which OpenRouter cannot cancel.

    ``save_path`` is what the caller asked for, ``output_path`` where the finished file was
    actually written (after extension correction), set by ``with_output``; both are
    output-store names. ``version`` counts the job store's saves of this job: a save
    succeeds only over the version it was read at (compare-and-set), so one job is settled once.
    """

    id: str
    model: str
    prompt: str
    status: JobStatus
    progress: int
    created_at: float
    updated_at: float
    polling_url: str | None = None
    result_urls: tuple[str, ...] = ()
    cost_usd: Decimal | None = None
    error: str | None = None
    save_path: str | None = None
    output_path: str | None = None
    owner: str | None = None
    version: int = 0
    tool: str = "generate_video"
    kind: JobKind = JobKind.VIDEO
    chat: ChatResult | None = None
    deadline_at: float | None = None
    stop_requested: bool = False

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidInput("a job needs an id: pass the job id a tool returned.")
        object.__setattr__(self, "prompt", prompt_preview(self.prompt))
        object.__setattr__(self, "progress", _percent(self.progress))
        object.__setattr__(self, "result_urls", tuple(self.result_urls))

    @classmethod
    def submitted(
        cls,
        id: str,
        *,
        model: str,
        prompt: str,
        now: float,
        status: JobStatus = JobStatus.PENDING,
        polling_url: str | None = None,
        save_path: str | None = None,
        owner: str | None = None,
        tool: str = "generate_video",
        kind: JobKind = JobKind.VIDEO,
        deadline_at: float | None = None,
    ) -> Job:
        """A job just accepted upstream (video) or just left running in the background (chat)."""
        return cls(
            id=id, model=model, prompt=prompt, status=status, progress=0, created_at=now, updated_at=now,
            polling_url=polling_url, save_path=save_path, owner=owner, tool=tool, kind=kind, deadline_at=deadline_at,
        )  # fmt: skip

    def advance(
        self,
        status: JobStatus | str,
        *,
        progress: float | None,
        now: float,
        result_urls: Sequence[str] = (),
        cost: Decimal | None = None,
        error: str | None = None,
    ) -> Job:
        """The job after one poll result; never raises, so a stale or odd poll cannot lose a paid job.

        The first terminal status wins: once terminal, any further report (the same status or
        another) returns the job unchanged, so a late "in_progress" after a local cancel, or a
        "failed" after we already downloaded the result, cannot rewrite history. A regression
        from in_progress to pending is ignored (stays in_progress). Progress never goes
        backwards (the max of old and new, None keeps the old value) and completed means 100.
        Empty ``result_urls`` and a None ``cost``/``error`` keep the previous values.
        """
        new = status if isinstance(status, JobStatus) else JobStatus.parse(status)
        if self.status.terminal:
            return self
        if new is JobStatus.PENDING and self.status is JobStatus.IN_PROGRESS:
            new = JobStatus.IN_PROGRESS
        reported = self.progress if progress is None else _percent(progress)
        return replace(
            self,
            status=new,
            progress=100 if new is JobStatus.COMPLETED else max(self.progress, reported),
            updated_at=max(now, self.updated_at),
            result_urls=tuple(result_urls) or self.result_urls,
            cost_usd=self.cost_usd if cost is None else cost,
            error=self.error if error is None else error,
        )

    def answered(self, result: ChatResult, *, now: float) -> Job:
        """A chat job whose answer arrived; unchanged once terminal (a cancel that won keeps its status)."""
        if self.status.terminal:
            return self
        cost = result.usage.cost if result.usage else None
        return replace(self.advance(JobStatus.COMPLETED, progress=100, now=now, cost=cost), chat=result,
                       model=result.model or self.model)

    def ended(self, status: JobStatus, reason: str, *, now: float, cost: Decimal | None = None) -> Job:
        """A job that ended without an answer (failed, cancelled, expired) for ``reason``; unchanged once terminal."""
        return self.advance(status, progress=None, now=now, error=reason, cost=cost)

    def lost(self, now: float) -> bool:
        """A chat job still marked running after its deadline: the server that ran it stopped."""
        return (self.kind is JobKind.CHAT and not self.status.terminal and self.deadline_at is not None
                and now > self.deadline_at)

    def with_output(self, path: str) -> Job:
        """The job once its result has been downloaded to ``path``."""
        return replace(self, output_path=path)

    def age_seconds(self, now: float) -> float:
        return max(0.0, now - self.created_at)
