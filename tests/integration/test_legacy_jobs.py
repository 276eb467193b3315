"""Video jobs saved by earlier versions (``jobs.sqlite3``) resume after the upgrade: imported once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from openrouter_multimodal.adapters.legacy_jobs import import_legacy_jobs
from openrouter_multimodal.adapters.sqlite_state_store import SqliteStateStore
from openrouter_multimodal.adapters.state_job_store import StateJobStore

OLD_SCHEMA = """CREATE TABLE video_jobs (id TEXT PRIMARY KEY, model TEXT NOT NULL, prompt TEXT NOT NULL,
status TEXT NOT NULL, progress INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, polling_url TEXT,
result_urls TEXT NOT NULL, cost_usd TEXT, error TEXT, save_path TEXT, output_path TEXT, owner TEXT)"""


def old_job_file(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCHEMA)
        db.execute("INSERT INTO video_jobs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   ("job-old-1", "google/veo-3.1", "a river", "in_progress", 40, 1.0e9, 1.0e9, None,
                    json.dumps([]), "1.60", None, "river.mp4", None, None))


def test_old_jobs_are_imported_once_and_belong_to_the_local_user(tmp_path: Path) -> None:
    legacy = tmp_path / "jobs.sqlite3"
    old_job_file(legacy)

    async def scenario() -> None:
        state = SqliteStateStore(tmp_path / "state.sqlite3")
        try:
            jobs = StateJobStore(state)
            assert await import_legacy_jobs(legacy, jobs) == 1
            job = await jobs.get("job-old-1")
            assert job is not None and job.owner == "local" and job.progress == 40 and str(job.cost_usd) == "1.60"
            assert [j.id for j in await jobs.list_recent(10, "local")] == ["job-old-1"]
            assert await import_legacy_jobs(legacy, jobs) == 0
        finally:
            await state.aclose()

    asyncio.run(scenario())
    assert not legacy.exists() and (tmp_path / "jobs.sqlite3.imported").exists()
