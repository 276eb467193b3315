"""The SQLite video job store on a real file: roundtrips, restarts, ordering and concurrent writers."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
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
    await store.save(job)
    loaded = await store.get("vid-1")
    assert loaded == job
    assert loaded is not None
    assert loaded.cost_usd == Decimal("0.123456789012345678")
    assert loaded.result_urls == ("https://cdn/1.mp4", "https://cdn/2")
    assert loaded.status is VideoJobStatus.COMPLETED
    failed = make("vid-2", 5.0).advance("failed", progress=None, now=6.0, error="moderation: refused")
    await store.save(failed)
    assert await store.get("vid-2") == failed


async def test_save_replaces_and_survives_a_restart(db_path: Path) -> None:
    first = SqliteVideoJobStore(str(db_path))
    job = make("vid-1", 1.0, owner="bob")
    await first.save(job)
    running = job.advance("running", progress=55, now=2.0)
    await first.save(running)
    reopened = SqliteVideoJobStore(str(db_path))
    assert await reopened.get("vid-1") == running
    assert [j.id for j in await reopened.list_recent(10)] == ["vid-1"]
    with closing(sqlite3.connect(db_path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_list_recent_orders_newest_first_and_filters_by_owner(db_path: Path) -> None:
    store = SqliteVideoJobStore(str(db_path))
    for job_id, created, owner in [("a", 1.0, "alice"), ("b", 3.0, "bob"), ("c", 2.0, "alice"), ("d", 4.0, None)]:
        await store.save(make(job_id, created, owner))
    assert [j.id for j in await store.list_recent(10)] == ["d", "b", "c", "a"]
    assert [j.id for j in await store.list_recent(2)] == ["d", "b"]
    assert [j.id for j in await store.list_recent(10, owner="alice")] == ["c", "a"]
    assert await store.list_recent(10, owner="nobody") == []
    assert await store.list_recent(0) == []


async def test_concurrent_saves(db_path: Path) -> None:
    store = SqliteVideoJobStore(str(db_path))
    jobs = [make(f"job-{i:02d}", float(i), owner="even" if i % 2 == 0 else "odd") for i in range(40)]
    await asyncio.gather(*(store.save(j) for j in jobs))
    updates = [j.advance("processing", progress=i, now=100.0 + i) for i, j in enumerate(jobs)]
    await asyncio.gather(*(store.save(j) for j in updates), *(store.get(j.id) for j in jobs))
    stored = await store.list_recent(100)
    assert len(stored) == 40
    assert {j.id: j for j in stored} == {j.id: j for j in updates}
    assert len(await store.list_recent(100, owner="even")) == 20
