"""Over stdio, with the installed console script: a chat outlives its wait in one server process, that process
writes the late answer into the job before it exits, and a new process returns it from get_job_status."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from openrouter_multimodal.adapters.sqlite_state_store import SqliteStateStore
from tests.support.harness import TEST_KEY
from tests.support.slow_chat import ANSWER, COST, MODEL, slow_openrouter
from tests.support.stdio import console_script

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_a_chat_job_is_answered_by_a_new_server_process(tmp_path: Path) -> None:
    with slow_openrouter() as (base_url, upstream):
        params = StdioServerParameters(command=console_script(), args=[], cwd=str(tmp_path), env={
            "OPENROUTER_API_KEY": TEST_KEY, "OPENROUTER_BASE_URL": base_url, "HOME": str(tmp_path),
            "OPENROUTER_OUTPUT_DIR": str(tmp_path / "outputs"), "OPENROUTER_LOG_LEVEL": "warning",
            "OPENROUTER_SHUTDOWN_GRACE_MS": "20000",
        })
        async with Client(params) as first:
            started = await first.call_tool("chat_completion", {
                "messages": [{"role": "user", "content": "What is six times seven?"}], "model": MODEL,
                "max_wait_ms": 300})
            assert not started.is_error, started.content
            assert started.meta is not None and started.meta["code"] == "JOB_STILL_RUNNING"
            job_id = started.meta["job_id"]
            upstream.release.set()
            assert upstream.answered.wait(10)

        async with Client(params) as second:
            finished = await second.call_tool("get_job_status", {"job_id": job_id})
    assert not finished.is_error, finished.content
    assert finished.content[0].text == ANSWER  # type: ignore[union-attr]
    assert finished.meta is not None and finished.meta["status"] == "completed"
    assert finished.meta["cost_usd"] == COST and finished.meta["job_id"] == job_id
    assert upstream.chats == 1

    store = SqliteStateStore(tmp_path / "state.sqlite3")
    try:
        rows = [row for row in await store.ledger_since(0) if row.job_id == job_id]
    finally:
        await store.aclose()
    assert [(r.tool, r.outcome, r.cost_usd, r.settled_at is not None) for r in rows] == [
        ("chat_completion", "ok", Decimal(str(COST)), True)]


async def test_a_chat_job_is_cancelled_over_stdio_and_tools_carry_icons_but_no_player(tmp_path: Path) -> None:
    with slow_openrouter() as (base_url, upstream):
        params = StdioServerParameters(command=console_script(), args=[], cwd=str(tmp_path), env={
            "OPENROUTER_API_KEY": TEST_KEY, "OPENROUTER_BASE_URL": base_url, "HOME": str(tmp_path),
            "OPENROUTER_OUTPUT_DIR": str(tmp_path / "outputs"), "OPENROUTER_LOG_LEVEL": "warning",
        })
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            assert all(tool.icons and tool.icons[0].src.startswith("data:image/svg+xml,") for tool in tools)
            assert not any((tool.meta or {}).get("ui") for tool in tools)
            started = await client.call_tool("chat_completion", {
                "messages": [{"role": "user", "content": "Take your time"}], "model": MODEL, "max_wait_ms": 200})
            assert started.meta is not None and started.meta["code"] == "JOB_STILL_RUNNING"
            job_id = started.meta["job_id"]
            cancelled = await client.call_tool("cancel_job", {"job_id": job_id})
            assert not cancelled.is_error and cancelled.meta is not None and cancelled.meta["cancelled"] is True
            assert upstream.closed.wait(10), "the upstream request was not closed"
            status = await client.call_tool("get_job_status", {"job_id": job_id})
            assert status.is_error and status.meta is not None and status.meta["code"] == "JOB_FAILED"
            assert "cancelled" in status.content[0].text  # type: ignore[union-attr]
        assert upstream.chats == 1 and not upstream.answered.is_set()
