"""Fault injection over stdio: the installed server against a real loopback upstream that misbehaves.

One server process (the installed console script) meets every fault in turn. Before each, its peak RSS is
reset (``/proc/<pid>/clear_refs``); after it, three things are checked: the code the tool returned, the
growth of the server's peak memory (VmHWM) over its resident size before the fault, and that the same
server still answers a following call. Small deadlines keep the whole run to seconds; every case is run
and the table printed before any failure is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, stdio_client
from mcp.shared.exceptions import MCPError

from tests.support import fault_upstream as fu
from tests.support.processes import server_pids, status_bytes
from tests.support.stdio import params
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e,
              pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")]
GROWTH_LIMIT = 48 * fu.MIB
CATALOGUE = {"data": [
    {"id": "openai/gpt-4o-mini", "context_length": 128000,
     "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}},
    {"id": "openai/gpt-audio", "context_length": 128000,
     "architecture": {"input_modalities": ["text"], "output_modalities": ["text", "audio"]}}]}
CHAT_OK = {"id": "gen-ok", "model": "openai/gpt-4o-mini",
           "choices": [{"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]}
CHAT = ("chat_completion", {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
AUDIO = ("generate_audio", {"prompt": "Say hello", "model": "openai/gpt-audio"})
STATUS = ("get_video_status", {"video_id": "job-1"})
SEARCH = ("search_models", {"query": "gpt"})
RATE_LIMITED = fu.json_reply({"error": {"code": 429, "message": "Rate limit exceeded"}}, 429, Retry_After="3600")


@dataclass(frozen=True)
class Fault:
    name: str
    route: tuple[str, str]
    reply: fu.Reply
    call: tuple[str, dict[str, Any]]
    code: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    hits: int | None = None


FAULTS = [
    Fault("hang", ("POST", "/chat/completions"), fu.hang, CHAT, "UPSTREAM_TIMEOUT"),
    Fault("drip 1 byte/s", ("POST", "/chat/completions"), fu.drip, CHAT, "UPSTREAM_TIMEOUT"),
    Fault("connection reset", ("POST", "/chat/completions"), fu.reset, CHAT, "UPSTREAM_HTTP"),
    Fault("truncated body", ("POST", "/chat/completions"), fu.truncated, CHAT, "UPSTREAM_HTTP"),
    Fault("huge body 256 MB", ("POST", "/chat/completions"), fu.huge(256 * fu.MIB), CHAT, "RESOURCE_TOO_LARGE"),
    Fault("gzip bomb 1 GiB", ("POST", "/chat/completions"), fu.gzipped(lambda: fu.gzip_bomb(1024)), CHAT,
          "RESOURCE_TOO_LARGE"),
    Fault("endless SSE comments", ("POST", "/chat/completions"), fu.endless_sse, AUDIO, "UPSTREAM_TIMEOUT"),
    Fault("429 Retry-After 3600", ("GET", "/videos/job-1"), RATE_LIMITED, STATUS, "UPSTREAM_REFUSED",
          {"retry_after_seconds": 3600}, hits=1),
    Fault("huge catalogue 256 MB (last good one served)", ("GET", "/models"), fu.huge(256 * fu.MIB), SEARCH, None),
    Fault("HTML 200 catalogue (last good one served)", ("GET", "/models"),
          fu.body(200, b"<html>Down for maintenance</html>", "text/html"), SEARCH, None),
]


def _server_pid() -> int:
    found = server_pids()
    assert len(found) == 1, found
    return found[0]


async def test_upstream_faults_are_coded_bounded_and_survived(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    routes = {("GET", "/models"): fu.json_reply(CATALOGUE), ("POST", "/chat/completions"): fu.json_reply(CHAT_OK)}
    table: list[str] = []
    problems: list[str] = []
    with fu.fault_upstream(routes) as upstream:
        server = params(tmp_path, upstream.base_url, OPENROUTER_HTTP_TIMEOUT_MS="2000",
                        OPENROUTER_STREAM_IDLE_TIMEOUT_MS="1000", OPENROUTER_MAX_RETRIES="2",
                        OPENROUTER_MODEL_CACHE_TTL_MS="0")
        async with stdio_client(server) as (read, write), \
                ClientSession(read, write, read_timeout_seconds=20) as session:
            await session.initialize()
            warm = await session.call_tool(*CHAT)
            assert not warm.is_error and text_of(warm) == "ok", text_of(warm)
            pid = _server_pid()
            for fault in FAULTS:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
                before = status_bytes(pid, "VmRSS")
                upstream.routes[fault.route] = fault.reply
                hits_before = upstream.count(*fault.route)
                is_error, meta, text = await _call(session, *fault.call)
                growth = status_bytes(pid, "VmHWM") - before
                hits = upstream.count(*fault.route) - hits_before
                upstream.routes[fault.route] = routes.get(fault.route) or RATE_LIMITED
                after = await _call(session, *CHAT)
                survived = not after[0] and after[2] == "ok"
                table.append(f"| {fault.name} | {meta.get('code') or ('success' if not is_error else '?')} | "
                             f"{growth / fu.MIB:.1f} MiB | {'yes' if survived else 'NO'} | {hits} |")
                problems += _check(fault, is_error, meta, text, hits, growth, survived)
    with capsys.disabled():
        print("\n| fault | code | peak RSS growth | survived | upstream hits |\n|---|---|---|---|---|")
        print("\n".join(table))
    assert not problems, "\n".join(problems)


async def _call(session: ClientSession, name: str, arguments: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    """(is_error, _meta, text) of a tool call; a call with no answer within the client's timeout is an error
    whose code is NO_ANSWER, so one hung case cannot hide the others."""
    try:
        result = await session.call_tool(name, arguments)
    except MCPError as exc:
        return True, {"code": "NO_ANSWER"}, str(exc)
    return result.is_error, dict(result.meta or {}), text_of(result)


def _check(fault: Fault, is_error: bool, meta: dict[str, Any], text: str, hits: int, growth: int,
           survived: bool) -> list[str]:
    found = []
    if (fault.code is not None) != is_error or meta.get("code") != fault.code:
        found.append(f"{fault.name}: expected {fault.code}, got {meta.get('code')}: {text[:300]}")
    found += [f"{fault.name}: _meta.{key} is {meta.get(key)!r}, expected {value!r}"
              for key, value in fault.meta.items() if meta.get(key) != value]
    if hits < 1 or (fault.hits is not None and hits != fault.hits):
        found.append(f"{fault.name}: the upstream saw {hits} requests")
    if growth >= GROWTH_LIMIT:
        found.append(f"{fault.name}: peak RSS grew by {growth / fu.MIB:.1f} MiB")
    if not survived:
        found.append(f"{fault.name}: the following call failed")
    if "Traceback" in text:
        found.append(f"{fault.name}: a traceback in the result")
    return found
