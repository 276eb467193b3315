"""One-time import of video jobs from the job file of earlier versions (``jobs.sqlite3``) into the state store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from pathlib import Path

from ..application.job_ports import JobStore
from ..domain.errors import OpenRouterMcpError
from ..domain.job import Job, JobStatus
from .state_job_store import LEGACY_OWNER, stored_decimal

IMPORTED_SUFFIX = ".imported"
MAX_JOBS = 10_000


def _read(path: Path) -> list[Job]:
    if not path.is_file():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM video_jobs ORDER BY created_at LIMIT ?", (MAX_JOBS,)).fetchall()
    jobs = []
    for row in rows:
        urls = json.loads(row["result_urls"] or "[]")
        jobs.append(Job(
            id=row["id"], model=row["model"], prompt=row["prompt"], status=JobStatus.parse(row["status"]),
            progress=int(row["progress"]), created_at=float(row["created_at"]), updated_at=float(row["updated_at"]),
            polling_url=row["polling_url"], result_urls=tuple(str(u) for u in urls) if isinstance(urls, list) else (),
            cost_usd=stored_decimal(row["cost_usd"]), error=row["error"], save_path=row["save_path"],
            output_path=row["output_path"], owner=row["owner"] or LEGACY_OWNER))
    return jobs


async def import_legacy_jobs(path: Path, store: JobStore) -> int:
    """Copy every job of an earlier version's job file into ``store`` once, then rename the file ``*.imported``.

    Why: a ``video_id`` handed out before the upgrade must still resume. Jobs already in the store
    are left as they are. Never raises: an unreadable file is left in place (and retried next start).
    """
    try:
        jobs = await asyncio.to_thread(_read, path)
        if not jobs:
            return 0
        copied = sum([await store.save(job, 0) for job in jobs])
        await asyncio.to_thread(path.rename, path.with_name(path.name + IMPORTED_SUFFIX))
    except (OSError, sqlite3.Error, ValueError, OpenRouterMcpError):
        return 0
    return copied
