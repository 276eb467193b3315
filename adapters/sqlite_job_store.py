"""``SqliteVideoJobStore``: video jobs in one SQLite file, so handles outlive the server process."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from ..domain.errors import InternalError
from ..domain.video_job import VideoJob, VideoJobStatus

_T = TypeVar("_T")

_SCHEMA_VERSION = 2
_COLUMNS = (
    "id", "model", "prompt", "status", "progress", "created_at", "updated_at", "polling_url",
    "result_urls", "cost_usd", "error", "save_path", "output_path", "owner", "version",
)  # fmt: skip
_SCHEMA = """
CREATE TABLE IF NOT EXISTS video_jobs (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    polling_url TEXT,
    result_urls TEXT NOT NULL,
    cost_usd TEXT,
    error TEXT,
    save_path TEXT,
    output_path TEXT,
    owner TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS video_jobs_recent ON video_jobs (created_at DESC);
CREATE INDEX IF NOT EXISTS video_jobs_owner_recent ON video_jobs (owner, created_at DESC);
"""
_SAVE_IF_VERSION = (
    f"INSERT INTO video_jobs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
    + " WHERE video_jobs.version = ?"
)
_MIGRATE_V1 = "ALTER TABLE video_jobs ADD COLUMN version INTEGER NOT NULL DEFAULT 0"
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM video_jobs"


def _row(job: VideoJob, version: int) -> tuple[object, ...]:
    return (
        job.id, job.model, job.prompt, job.status.value, job.progress, job.created_at, job.updated_at,
        job.polling_url, json.dumps(list(job.result_urls)), None if job.cost_usd is None else str(job.cost_usd),
        job.error, job.save_path, job.output_path, job.owner, version,
    )  # fmt: skip


def _cost(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _job(row: sqlite3.Row) -> VideoJob:
    urls = json.loads(row["result_urls"] or "[]")
    return VideoJob(
        id=row["id"],
        model=row["model"],
        prompt=row["prompt"],
        status=VideoJobStatus.parse(row["status"]),
        progress=int(row["progress"]),
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
        polling_url=row["polling_url"],
        result_urls=tuple(str(u) for u in urls) if isinstance(urls, list) else (),
        cost_usd=_cost(row["cost_usd"]),
        error=row["error"],
        save_path=row["save_path"],
        output_path=row["output_path"],
        owner=row["owner"],
        version=int(row["version"]),
    )


class SqliteVideoJobStore:
    """The ``VideoJobStore`` port on a SQLite file (WAL mode), created with its directory on first use.

    Concurrency: every call opens its own short-lived connection in a worker thread and a
    process-wide lock serialises them, so concurrent async callers never share a connection
    or hit "database is locked"; another process on the same file is covered by SQLite's own
    locking and a busy timeout. Costs are stored as TEXT so a ``Decimal`` survives exactly.
    ``save`` is compare-and-set on the ``version`` column in one statement, so it holds
    across processes too. A version-1 file gains the column on first open (old rows at 0).
    How it fails: any ``sqlite3``/OS error becomes ``InternalError`` naming the file.
    """

    def __init__(self, path: str) -> None:
        self._path = Path(path).expanduser()
        self._lock = threading.Lock()
        self._ready = False

    @property
    def path(self) -> str:
        return str(self._path)

    async def save(self, job: VideoJob, expected_version: int) -> bool:
        def upsert(db: sqlite3.Connection) -> bool:
            cursor = db.execute(_SAVE_IF_VERSION, (*_row(job, expected_version + 1), expected_version))
            return cursor.rowcount == 1

        return await self._run(upsert)

    async def get(self, job_id: str) -> VideoJob | None:
        def query(db: sqlite3.Connection) -> VideoJob | None:
            row = db.execute(f"{_SELECT} WHERE id = ?", (job_id,)).fetchone()
            return None if row is None else _job(row)

        return await self._run(query)

    async def list_recent(self, limit: int, owner: str | None = None) -> list[VideoJob]:
        def query(db: sqlite3.Connection) -> list[VideoJob]:
            order = "ORDER BY created_at DESC, id DESC LIMIT ?"
            if owner is None:
                rows = db.execute(f"{_SELECT} {order}", (max(limit, 0),))
            else:
                rows = db.execute(f"{_SELECT} WHERE owner = ? {order}", (owner, max(limit, 0)))
            return [_job(row) for row in rows]

        return await self._run(query)

    async def _run(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        return await asyncio.to_thread(self._locked, action)

    def _locked(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock:
            try:
                with closing(self._connect()) as db, db:
                    return action(db)
            except (sqlite3.Error, OSError, ValueError) as exc:
                raise InternalError(
                    f"the video job store {self._path} failed ({exc}): check that its directory is writable, "
                    "or move the file aside to start a fresh job list."
                ) from None

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, timeout=30.0)
        db.row_factory = sqlite3.Row
        if not self._ready:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                found = int(db.execute("PRAGMA user_version").fetchone()[0])
                db.executescript(_SCHEMA)
                if found == 1:
                    db.execute(_MIGRATE_V1)
                db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            except BaseException:
                db.close()
                raise
            self._ready = True
        return db
