"""The one job store for both kinds, on both state stores (a SQLite file and a real Redis): a chat's answer
survives a restart, saves are compare-and-set, listings are per owner and per kind, old records still read."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from openrouter_multimodal.adapters.state_job_store import NAMESPACE, StateJobStore
from openrouter_multimodal.domain.chat import ChatResult
from openrouter_multimodal.domain.job import Job, JobKind, JobStatus
from openrouter_multimodal.domain.usage import Usage
from tests.policy.conftest import StoreFactory

pytestmark = pytest.mark.anyio

ANSWER = ChatResult(
    text="Forty-two, after some thought.", model="acme/thinker", provider="Acme", finish_reason="stop",
    native_finish_reason="end_turn", reasoning="6 x 7", generation_id="gen-1",
    usage=Usage(prompt_tokens=10, completion_tokens=20, total_tokens=30, reasoning_tokens=5, cost=Decimal("0.0123")),
    annotations=({"type": "url_citation", "url_citation": {"url": "https://example.com"}},),
    cache_status={"hit": False}, notes={"dropped_messages": 2}, reasoning_requested=True)


def chat_job(owner: str = "alice", ident: str = "chat-1", at: float = 100.0) -> Job:
    return Job.submitted(ident, model="acme/thinker", prompt="why?", now=at, status=JobStatus.IN_PROGRESS,
                         owner=owner, tool="chat_completion", kind=JobKind.CHAT, deadline_at=at + 180)


async def test_a_chat_answered_by_one_process_is_read_by_the_next(open_store: StoreFactory) -> None:
    first = open_store()
    try:
        jobs = StateJobStore(first)
        assert await jobs.save(chat_job(), 0)
        running = await jobs.get("chat-1")
        assert running is not None and running.version == 1 and running.chat is None
        assert await jobs.save(running.answered(ANSWER, now=150.0), running.version)
    finally:
        await first.aclose()
    second = open_store()
    try:
        stored = await StateJobStore(second).get("chat-1")
    finally:
        await second.aclose()
    assert stored == replace(chat_job().answered(ANSWER, now=150.0), version=2)
    assert stored.kind is JobKind.CHAT and stored.chat == ANSWER and stored.cost_usd == Decimal("0.0123")


async def test_only_one_of_two_ends_of_a_job_is_saved(open_store: StoreFactory) -> None:
    store = open_store()
    try:
        jobs = StateJobStore(store)
        assert await jobs.save(chat_job(), 0)
        running = await jobs.get("chat-1")
        assert running is not None
        answered = running.answered(ANSWER, now=150.0)
        cancelled = running.ended(JobStatus.CANCELLED, "cancelled", now=150.0)
        assert await jobs.save(cancelled, running.version)
        assert not await jobs.save(answered, running.version)
        stored = await jobs.get("chat-1")
        assert stored is not None and stored.status is JobStatus.CANCELLED and stored.chat is None
    finally:
        await store.aclose()


async def test_listings_are_per_owner_and_per_kind(open_store: StoreFactory) -> None:
    store = open_store()
    try:
        jobs = StateJobStore(store)
        video = Job.submitted("vid-1", model="acme/veo", prompt="a cat", now=120.0, owner="alice")
        for job in (chat_job(at=100.0), video, chat_job(owner="bob", ident="chat-2", at=130.0)):
            assert await jobs.save(job, 0)
        assert [j.id for j in await jobs.list_recent(10, "alice")] == ["vid-1", "chat-1"]
        assert [j.id for j in await jobs.list_recent(10, "alice", JobKind.CHAT)] == ["chat-1"]
        assert [j.id for j in await jobs.list_recent(10, "alice", JobKind.VIDEO)] == ["vid-1"]
        assert [j.id for j in await jobs.list_recent(10, None, JobKind.CHAT)] == ["chat-2", "chat-1"]
    finally:
        await store.aclose()


async def test_a_video_job_saved_before_jobs_had_kinds_still_reads_as_a_video(open_store: StoreFactory) -> None:
    store = open_store()
    try:
        old = {"id": "vid-old", "model": "acme/veo", "prompt": "a dog", "status": "in_progress", "progress": 10,
               "created_at": 50.0, "updated_at": 60.0, "polling_url": None, "result_urls": [], "cost_usd": None,
               "error": None, "save_path": "videos/dog.mp4", "output_path": None, "owner": "local",
               "tool": "generate_video"}
        await store.put(NAMESPACE, "vid-old", json.dumps(old), expected_version=0, owner="local", created_at=50.0)
        job = await StateJobStore(store).get("vid-old")
    finally:
        await store.aclose()
    assert job is not None and job.kind is JobKind.VIDEO and job.chat is None and job.deadline_at is None
    assert not job.stop_requested and job.save_path == "videos/dog.mp4" and job.version == 1
