"""Two server processes sharing one Redis enforce one cap: a 100-call burst reaches the upstream 10 times."""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, stdio_client

from tests.support.openrouter_stub import serve_cassette
from tests.support.redis_server import running_redis
from tests.support.stdio import params

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
CALLS_PER_PROCESS = 50
CAP = 10
POLICY = f"""
limits:
  - tools: [chat_completion]
    per: server
    max: {CAP}
    window: day
"""


async def burst(tmp_path: Path, base_url: str, state_url: str, prefix: str, policy: Path,
                outcomes: list[str]) -> None:
    server = params(tmp_path, base_url, OPENROUTER_STATE_URL=state_url, OPENROUTER_STATE_PREFIX=prefix,
                    OPENROUTER_POLICY_FILE=str(policy))
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()

        async def one() -> None:
            result = await session.call_tool("chat_completion", {
                "model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 20})
            outcomes.append("ok" if not result.is_error else str((result.meta or {}).get("code")))

        async with anyio.create_task_group() as tasks:
            for _ in range(CALLS_PER_PROCESS):
                tasks.start_soon(one)


async def test_two_processes_on_one_redis_let_exactly_the_cap_through(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    prefix = f"replicas-{uuid.uuid4().hex[:8]}:"
    outcomes: list[str] = []
    with running_redis() as redis, serve_cassette("chat_free_auto") as (base_url, log):
        async with anyio.create_task_group() as tasks:
            for replica in ("a", "b"):
                home = tmp_path / replica
                home.mkdir()
                tasks.start_soon(burst, home, base_url, redis.url, prefix, policy, outcomes)
    chats = [r for r in log.requests if r[:2] == ("POST", "/api/v1/chat/completions")]
    assert len(outcomes) == 2 * CALLS_PER_PROCESS
    assert outcomes.count("ok") == CAP and len(chats) == CAP
    assert outcomes.count("QUOTA_EXCEEDED") == 2 * CALLS_PER_PROCESS - CAP
