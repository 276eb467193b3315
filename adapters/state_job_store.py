"""``StateJobStore``: jobs of every kind (video, chat) as versioned records in the shared state store."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from ..application.state_ports import StateStore, VersionConflict
from ..domain.chat import ChatResult
from ..domain.errors import InternalError
from ..domain.job import Job, JobKind, JobStatus
from ..domain.usage import Usage

NAMESPACE = "video_jobs"
"""The records' namespace, named when only video jobs existed; kept so jobs saved then still resume."""
LEGACY_OWNER = "local"
"""Jobs saved before jobs had owners belonged to the one stdio user there was."""
USAGE_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens", "reasoning_tokens", "cached_tokens")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def encode_chat(result: ChatResult) -> dict[str, Any]:
    """The stored answer: everything ``chat_meta`` shows. Images are left out (a chat job's answer is text)."""
    usage = result.usage
    return {
        "text": result.text, "model": result.model, "provider": result.provider,
        "finish_reason": result.finish_reason, "native_finish_reason": result.native_finish_reason,
        "reasoning": result.reasoning, "generation_id": result.generation_id,
        "usage": None if usage is None else {**{k: getattr(usage, k) for k in USAGE_COUNTS},
                                             "cost": _money(usage.cost)},
        "annotations": list(result.annotations), "cache_status": result.cache_status, "notes": result.notes,
        "reasoning_requested": result.reasoning_requested,
    }


def encode(job: Job) -> str:
    return json.dumps({
        "id": job.id, "model": job.model, "prompt": job.prompt, "status": job.status.value,
        "progress": job.progress, "created_at": job.created_at, "updated_at": job.updated_at,
        "polling_url": job.polling_url, "result_urls": list(job.result_urls),
        "cost_usd": _money(job.cost_usd), "error": job.error,
        "save_path": job.save_path, "output_path": job.output_path, "owner": job.owner, "tool": job.tool,
        "kind": job.kind.value, "chat": None if job.chat is None else encode_chat(job.chat),
        "deadline_at": job.deadline_at, "stop_requested": job.stop_requested,
    }, separators=(",", ":"))


def stored_decimal(value: Any) -> Decimal | None:
    """A stored amount as a Decimal; None for a missing or unreadable one (an old or hand-edited row)."""
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    counts = {k: raw.get(k) for k in USAGE_COUNTS}
    return Usage(**{k: int(v) for k, v in counts.items() if v is not None}, cost=stored_decimal(raw.get("cost")))


def decode_chat(raw: Any) -> ChatResult | None:
    if not isinstance(raw, dict):
        return None
    return ChatResult(
        text=str(raw["text"]), model=str(raw["model"]), provider=raw.get("provider"),
        finish_reason=raw.get("finish_reason"), native_finish_reason=raw.get("native_finish_reason"),
        reasoning=raw.get("reasoning"), usage=_usage(raw.get("usage")), generation_id=raw.get("generation_id"),
        annotations=tuple(a for a in raw.get("annotations") or () if isinstance(a, dict)),
        cache_status=raw.get("cache_status"), notes=dict(raw.get("notes") or {}),
        reasoning_requested=bool(raw.get("reasoning_requested")))


def decode(text: str, version: int) -> Job:
    """A stored job; a record that does not decode is INTERNAL naming it (never silently dropped)."""
    try:
        data = json.loads(text)
        deadline = data.get("deadline_at")
        return Job(
            id=str(data["id"]), model=str(data["model"]), prompt=str(data.get("prompt", "")),
            status=JobStatus.parse(data.get("status")), progress=int(data.get("progress") or 0),
            created_at=float(data["created_at"]), updated_at=float(data["updated_at"]),
            polling_url=data.get("polling_url"), result_urls=tuple(str(u) for u in data.get("result_urls") or ()),
            cost_usd=stored_decimal(data.get("cost_usd")), error=data.get("error"), save_path=data.get("save_path"),
            output_path=data.get("output_path"), owner=data.get("owner") or LEGACY_OWNER, version=version,
            tool=str(data.get("tool") or "generate_video"), kind=JobKind(data.get("kind") or JobKind.VIDEO),
            chat=decode_chat(data.get("chat")), deadline_at=None if deadline is None else float(deadline),
            stop_requested=bool(data.get("stop_requested")))
    except (ValueError, KeyError, TypeError) as exc:
        raise InternalError(f"a stored job does not decode ({type(exc).__name__}): report it.") from None


class StateJobStore:
    """The ``JobStore`` port on the ``StateStore``'s versioned records.

    Why there: a job submitted through one replica must resume through another, and a chat finished
    by one server process must be readable by the next, so jobs live in the same shared store as the
    policy state (SQLite on one host, Redis for replicas). Saves are the store's compare-and-set on
    the record version, so one job is settled exactly once. How it fails: store trouble is the
    store's ``StateUnavailable`` (CONFIGURATION); a lost race is False.
    """

    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def save(self, job: Job, expected_version: int) -> bool:
        try:
            await self._state.put(NAMESPACE, job.id, encode(job), expected_version=expected_version,
                                  owner=job.owner, created_at=job.created_at)
        except VersionConflict:
            return False
        return True

    async def get(self, job_id: str) -> Job | None:
        record = await self._state.get(NAMESPACE, job_id)
        return None if record is None else decode(record.value, record.version)

    async def list_recent(self, limit: int, owner: str | None = None, kind: JobKind | None = None) -> list[Job]:
        records = await self._state.list_records(NAMESPACE, owner=owner, limit=max(limit, 0))
        jobs = [decode(r.value, r.version) for r in records]
        return [j for j in jobs if kind is None or j.kind is kind]
