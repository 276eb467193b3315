"""The SQLite video job store on a real file: roundtrips, restarts, ordering and concurrent writers."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.sqlite_job_store import SqliteVideoJobStore
from openrouter_multimodal.application.job_ports import VideoJobStore
from openrouter_multimodal.domain.video_job import VideoJob, VideoJobStatus

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "nested" / "jobs.sqlite3"


def make(job_id: str, created: float, owner: str | None = None) -> VideoJob:
    return VideoJob.submitted(job_id, model="acme/veo-3", prompt=f"prompt {job_id}", now=created, owner=owner)


def test_implements_port(db_path: Path) -> None:
    port: VideoJobStore = SqliteVideoJobStore(str(db_path))
    assert port is not None


async def test_roundtrip_with_decimal_cost_and_tuples(db_path: Path) -> None:
    store = SqliteVideoJobStore(str(db_path))
    assert await store.get("nope") is None
    job = (
        VideoJob.submitted(
            "vid-1",
            model="acme/veo-3",
            prompt="a cat surfing",
            now=10.0,
            polling_url="https://openrouter.ai/api/v1/videos/vid-1",
            save_path="clips/cat.mov",
            owner="alice",
        )
        .advance("processing", progress=40, now=20.0, cost=Decimal("0.123456789012345678"))
        .advance(VideoJobStatus.COMPLETED, progress=None, now=30.0, result_urls=["https://cdn/1.mp4", "https://cdn/2"])
        .with_output("/out/clips/cat.mp4")
    )
    assert await store.save(job, 0)
    loaded = await store.get("vid-1")
    assert loaded == replace(job, version=1)
    assert loaded is not None
    assert loaded.cost_usd == Decimal("0.123456789012345678")
    assert loaded.result_urls == ("https://cdn/1.mp4", "https://cdn/2")
    assert loaded.status is VideoJobStatus.COMPLETED
    failed = make("vid-2", 5.0).advance("failed", progress=None, now=6.0, error="moderation: refused")
    assert await store.save(failed, 0)
    assert await store.get("vid-2") == replace(failed, version=1)


async def test_save_replaces_and_survives_a_restart(db_path: Path) -> None:
    first = SqliteVideoJobStore(str(db_path))
    job = make("vid-1", 1.0, owner="bob")
    assert await first.save(job, 0)
    running = job.advance("running", progress=55, now=2.0)
    assert await first.save(running, 1)
    reopened = SqliteVideoJobStore(str(db_path))
    assert await reopened.get("vid-1") == replace(running, version=2)
    assert [j.id for j in await reopened.list_recent(10)] == ["vid-1"]
    with closing(sqlite3.connect(db_path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_list_recent_orders_newest_first_and_filters_by_owner(db_path: Path) -> None:
    store = SqliteVideoJobStore(str(db_path))
    for job_id, created, owner in [("a", 1.0, "alice"), ("b", 3.0, "bob"), ("c", 2.0, "alice"), ("d", 4.0, None)]:
        await store.save(make(job_id, created, owner), 0)
    assert [j.id for j in await store.list_recent(10)] == ["d", "b", "c", "a"]
    assert [j.id for j in await store.list_recent(2)] == ["d", "b"]
    assert [j.id for j in await store.list_recent(10, owner="alice")] == ["c", "a"]
    assert await store.list_recent(10, owner="nobody") == []
    assert await store.list_recent(0) == []


async def test_concurrent_saves(db_path: Path) -> None:
    store = SqliteVideoJobStore(str(db_path))
    jobs = [make(f"job-{i:02d}", float(i), owner="even" if i % 2 == 0 else "odd") for i in range(40)]
    assert all(await asyncio.gather(*(store.save(j, 0) for j in jobs)))
    updates = [j.advance("processing", progress=i, now=100.0 + i) for i, j in enumerate(jobs)]
    await asyncio.gather(*(store.save(j, 1) for j in updates), *(store.get(j.id) for j in jobs))
    stored = await store.list_recent(100)
    assert len(stored) == 40
    assert {j.id: j for j in stored} == {j.id: replace(j, version=2) for j in updates}
    assert len(await store.list_recent(100, owner="even")) == 20


async def test_save_is_compare_and_set_on_the_version(db_path: Path) -> None:
    store = SqliteVideoJobStore(str(db_path))
    job = make("vid-1", 1.0)
    assert await store.save(job, 0)
    assert not await store.save(job, 0)
    done = job.advance("completed", progress=None, now=2.0)
    results = await asyncio.gather(*(store.save(done.with_output(f"clip-{i}.mp4"), 1) for i in range(8)))
    assert results.count(True) == 1
    stored = await store.get("vid-1")
    assert stored is not None and stored.version == 2 and stored.output_path is not None
    assert not await store.save(done, 1)
    assert await store.get("vid-1") == stored


async def test_a_version_one_file_gains_the_version_column(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(db_path)) as raw, raw:
        raw.execute("CREATE TABLE video_jobs (id TEXT PRIMARY KEY, model TEXT NOT NULL, prompt TEXT NOT NULL, "
                    "status TEXT NOT NULL, progress INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL "
                    "NOT NULL, polling_url TEXT, result_urls TEXT NOT NULL, cost_usd TEXT, error TEXT, save_path "
                    "TEXT, output_path TEXT, owner TEXT)")
        raw.execute("INSERT INTO video_jobs VALUES ('old', 'm', 'p', 'completed', 100, 1, 2, NULL, '[]', NULL, "
                    "NULL, NULL, '/out/old.mp4', NULL)")
        raw.execute("PRAGMA user_version = 1")
    store = SqliteVideoJobStore(str(db_path))
    old = await store.get("old")
    assert old is not None and old.version == 0 and old.output_path == "/out/old.mp4"
    assert await store.save(old.with_output("old.mp4"), 0)
    assert (await store.get("old")) == replace(old.with_output("old.mp4"), version=1)
