"""End to end over HTTP: ``serve`` drains calls in flight on SIGTERM, and refuses an open bind without tokens."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from tests.support.http_service import (
    CLIENT_TIMEOUT,
    bearer,
    running_service,
    service_env,
    spawn,
    upstream,
)
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
SLOW_UPSTREAM_S = 1.5
POLLS = 1000
"""Iterations (0.02 s apart) a condition is waited for before the test fails; a bound, not a speed claim."""
EXIT_BOUND_S = 30


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


async def test_sigterm_drains_calls_in_flight_refuses_new_connections_and_exits_0(tmp_path: Path) -> None:
    with upstream("gen_image") as stub, running_service(tmp_path, stub.base_url, {"alice": False}) as service:
        stub.delay_s = SLOW_UPSTREAM_S
        headers = bearer(service.tokens["alice"])
        results: dict[str, Any] = {}
        # Tools are listed first, as chat front-ends do at connect: the client then validates the result against
        # the cached schema instead of asking for tools/list after the result, on a new connection that the
        # stopping server would refuse.
        async with httpx2.AsyncClient(headers=headers, timeout=CLIENT_TIMEOUT) as http, \
                Client(streamable_http_client(f"{service.base}/mcp", http_client=http,
                                              terminate_on_close=False)) as over_http, \
                Client(sse_client(f"{service.base}/sse", headers=headers, timeout=30)) as over_sse:

            for client in (over_http, over_sse):
                await client.list_tools()

            async def call(name: str, client: Client) -> None:
                results[name] = await client.call_tool("generate_image", {"prompt": "A cat"})

            async with anyio.create_task_group() as group:
                group.start_soon(call, "streamable", over_http)
                group.start_soon(call, "sse", over_sse)
                for _ in range(POLLS):
                    if stub.posts >= 2:
                        break
                    await anyio.sleep(0.02)
                assert stub.posts >= 2, "the calls never reached the upstream"
                service.process.send_signal(signal.SIGTERM)
                for _ in range(POLLS):
                    if refused(service.port):
                        break
                    await anyio.sleep(0.02)
                assert refused(service.port), "a new connection was still accepted after SIGTERM"
        for name in ("streamable", "sse"):
            assert name in results, service.stderr()[-3000:]
            assert not results[name].is_error, (name, text_of(results[name]))
            assert "Saved image" in text_of(results[name])
        code = await anyio.to_thread.run_sync(lambda: service.process.wait(timeout=EXIT_BOUND_S))
        log = service.stderr()
        assert code == 0, log[-2000:]
        assert "Traceback" not in log and '"outcome": "cancelled"' not in log
        assert len(list((service.output_dir / "users" / "alice").iterdir())) == 2


@pytest.mark.parametrize("tokens_file", [None, "# nobody yet\n"], ids=["unset", "no-tokens"])
def test_a_non_loopback_bind_without_tokens_is_refused(tmp_path: Path, tokens_file: str | None) -> None:
    extra = {}
    if tokens_file is not None:
        (tmp_path / "tokens.txt").write_text(tokens_file)
        extra["OPENROUTER_MCP_TOKENS_FILE"] = str(tmp_path / "tokens.txt")
    process, _, log = spawn(tmp_path, service_env(tmp_path, "http://127.0.0.1:9/api/v1", **extra), host="0.0.0.0")
    try:
        code = process.wait(timeout=EXIT_BOUND_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("serve kept running on 0.0.0.0 without tokens")
    stderr = log.read_text()
    assert code != 0
    assert "OPENROUTER_MCP_TOKENS_FILE" in stderr and "0.0.0.0" in stderr
    assert "Traceback" not in stderr
