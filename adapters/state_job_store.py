"""``StateVideoJobStore``: video jobs as versioned records in the shared state store (SQLite or Redis)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from ..application.state_ports import StateStore, VersionConflict
from ..domain.errors import InternalError
from ..domain.video_job import VideoJob, VideoJobStatus

NAMESPACE = "video_jobs"
LEGACY_OWNER = "local"
"""Jobs saved before jobs had owners belonged to the one stdio user there was."""


def encode(job: VideoJob) -> str:
    return json.dumps({
        "id": job.id, "model": job.model, "prompt": job.prompt, "status": job.status.value,
        "progress": job.progress, "created_at": job.created_at, "updated_at": job.updated_at,
        "polling_url": job.polling_url, "result_urls": list(job.result_urls),
        "cost_usd": None if job.cost_usd is None else str(job.cost_usd), "error": job.error,
        "save_path": job.save_path, "output_path": job.output_path, "owner": job.owner, "tool": job.tool,
    }, separators=(",", ":"))


def _cost(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def decode(text: str, version: int) -> VideoJob:
    """A stored job; a record that does not decode is INTERNAL naming it (never silently dropped)."""
    try:
        data = json.loads(text)
        return VideoJob(
            id=str(data["id"]), model=str(data["model"]), prompt=str(data.get("prompt", "")),
            status=VideoJobStatus.parse(data.get("status")), progress=int(data.get("progress") or 0),
            created_at=float(data["created_at"]), updated_at=float(data["updated_at"]),
            polling_url=data.get("polling_url"), result_urls=tuple(str(u) for u in data.get("result_urls") or ()),
            cost_usd=_cost(data.get("cost_usd")), error=data.get("error"), save_path=data.get("save_path"),
            output_path=data.get("output_path"), owner=data.get("owner") or LEGACY_OWNER, version=version,
            tool=str(data.get("tool") or "generate_video"))
    except (ValueError, KeyError, TypeError) as exc:
        raise InternalError(f"a stored video job does not decode ({type(exc).__name__}): report it.") from None


class StateVideoJobStore:
    """The ``VideoJobStore`` port on the ``StateStore``'s versioned records.

    Why there: a job submitted through one replica must resume through another, so jobs live in
    the same shared store as the policy state (SQLite on one host, Redis for replicas). Saves are
    the store's compare-and-set on the record version, so one job is settled exactly once. How it
    fails: store trouble is the store's ``StateUnavailable`` (CONFIGURATION); a lost race is False.
    """

    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def save(self, job: VideoJob, expected_version: int) -> bool:
        try:
            await self._state.put(NAMESPACE, job.id, encode(job), expected_version=expected_version,
                                  owner=job.owner, created_at=job.created_at)
        except VersionConflict:
            return False
        return True

    async def get(self, job_id: str) -> VideoJob | None:
        record = await self._state.get(NAMESPACE, job_id)
        return None if record is None else decode(record.value, record.version)

    async def list_recent(self, limit: int, owner: str | None = None) -> list[VideoJob]:
        records = await self._state.list_records(NAMESPACE, owner=owner, limit=max(limit, 0))
        return [decode(r.value, r.version) for r in records]
