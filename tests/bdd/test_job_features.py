"""Binds the chat-jobs and media-player features: the real container and MCP client over loopback upstreams.

The chat upstream is a real loopback HTTP server (``tests/support/slow_chat.py``) that holds its answer until
the scenario lets it go and notices when the client hangs up; the video upstream is the scripted one of the
video-jobs feature. The ledger is read from the real SQLite state store the server wrote.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from pytest_bdd import given, parsers, scenarios, then, when

from openrouter_multimodal.adapters.state_store_factory import open_state_store
from openrouter_multimodal.application.state_ports import LedgerRow
from openrouter_multimodal.entrypoints.media_player import PLAYER_URI
from tests.bdd.conftest import World, _client, _result
from tests.bdd.test_video_features import _install, _step
from tests.support.slow_chat import MODEL, slow_openrouter
from tests.support.tool_results import text_of

scenarios("chat_jobs.feature", "media_player.feature")


def _job_id(world: World) -> str:
    job_id: str = world.job_id  # type: ignore[attr-defined]
    return job_id


@given("a chat upstream that answers only when told")
def slow_upstream(world: World) -> None:
    served = slow_openrouter()
    base_url, world.slow = served.__enter__()  # type: ignore[attr-defined]
    world._stack.append(served)  # type: ignore[attr-defined]
    world.settings.update(base_url=base_url)


@when(parsers.parse('I ask the slow model "{question}" waiting {wait:d} ms'))
def ask_slow_model(world: World, question: str, wait: int) -> None:
    arguments = {"messages": [{"role": "user", "content": question}], "model": MODEL, "max_wait_ms": wait}
    world.result = _client(world).call("chat_completion", arguments)
    world.results.append(world.result)
    world.job_id = (world.result.meta or {}).get("job_id")  # type: ignore[attr-defined]


@when(parsers.parse('I call "{tool}" for that job'))
def call_for_job(world: World, tool: str) -> None:
    world.result = _client(world).call(tool, {"job_id": _job_id(world)})
    world.results.append(world.result)


@when("the chat upstream answers")
def upstream_answers(world: World) -> None:
    world.slow.release.set()  # type: ignore[attr-defined]
    assert world.slow.answered.wait(10)  # type: ignore[attr-defined]


@when("the server restarts")
def server_restarts(world: World) -> None:
    stack = world._stack  # type: ignore[attr-defined]
    stack.pop().__exit__(None, None, None)
    world.client = None
    _client(world)


@then("the result names that job")
def names_the_job(world: World) -> None:
    assert (_result(world).meta or {}).get("job_id") == _job_id(world)


@then(parsers.parse('the result text mentions "{fragment}"'))
def text_mentions(world: World, fragment: str) -> None:
    assert fragment in text_of(_result(world)), text_of(_result(world))


@then("the listing names that job first")
def listing_names_the_job(world: World) -> None:
    structured = _result(world).structured_content or {}
    assert structured["jobs"][0]["job_id"] == _job_id(world), structured


@then(parsers.parse("the chat upstream received {count:d} chat request"))
def chat_requests(world: World, count: int) -> None:
    assert world.slow.chats == count  # type: ignore[attr-defined]


@then("the chat upstream saw its connection closed")
def connection_closed(world: World) -> None:
    assert world.slow.closed.wait(10)  # type: ignore[attr-defined]


@then(parsers.parse('the audit holds, for that job, "{rows}"'))
def audit_for_job(world: World, rows: str) -> None:
    events = [e for e in world.audit.events if e.job_id == _job_id(world)]  # type: ignore[attr-defined]
    shown = [" ".join(str(part) for part in (e.tool, e.outcome, e.cost_usd) if part is not None) for e in events]
    assert shown == rows.split(", "), shown


async def _ledger(world: World) -> list[LedgerRow]:
    store = open_state_store(None, default_path=world.tmp / "state.sqlite3", redis_prefix="unused")
    try:
        return await store.ledger_since(0)
    finally:
        await store.aclose()


@then(parsers.parse('the ledger holds one settled row for that job: "{outcome}" costing {cost}'))
def ledger_for_job(world: World, outcome: str, cost: str) -> None:
    rows = [row for row in asyncio.run(_ledger(world)) if row.job_id == _job_id(world)]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row.tool == "chat_completion" and row.outcome == outcome and row.settled_at is not None, row
    assert row.cost_usd == (None if cost == "nothing" else Decimal(cost)), row


@given("the video upstream finishes every job at once")
def video_upstream_finishes(world: World, container_overrides: dict[str, Any]) -> None:
    _install(world, container_overrides, [_step("completed")])


@given("my client renders MCP Apps")
def client_renders_apps(world: World) -> None:
    world.extensions.append(advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]}))


@when("I list the tools")
def list_the_tools(world: World) -> None:
    world.tools = _client(world).list_tools().tools  # type: ignore[attr-defined]


def _bound(world: World) -> list[str]:
    return sorted(t.name for t in world.tools  # type: ignore[attr-defined]
                  if (t.meta or {}).get("ui", {}).get("resourceUri") == PLAYER_URI)


@then("no tool is bound to the player")
def none_bound(world: World) -> None:
    assert _bound(world) == []
    assert all("ui" not in (t.meta or {}) for t in world.tools)  # type: ignore[attr-defined]


@then(parsers.parse('the tools bound to the player are "{names}"'))
def bound_tools(world: World, names: str) -> None:
    assert _bound(world) == names.split(", ")


@then("every tool has an SVG icon")
def svg_icons(world: World) -> None:
    for tool in world.tools:  # type: ignore[attr-defined]
        assert tool.icons and tool.icons[0].src.startswith("data:image/svg+xml,<svg "), tool.name
        assert len(json.dumps([i.model_dump(by_alias=True, exclude_none=True) for i in tool.icons])) < 160


@then("the player resource is an MCP App that plays the tool result")
def player_resource(world: World) -> None:
    client = _client(world)
    read = client._portal.call(client._client.read_resource, PLAYER_URI)
    page = read.contents[0]
    assert page.mime_type == APP_MIME_TYPE
    text = getattr(page, "text", "")
    assert "ui/notifications/tool-result" in text and "resources/read" in text and "<video" not in text


@then(parsers.parse('the result has a text summary and a link to "{uri}"'))
def summary_and_link(world: World, uri: str) -> None:
    result = _result(world)
    assert result.content[0].type == "text" and "saved to" in text_of(result), text_of(result)
    assert [str(b.uri) for b in result.content if b.type == "resource_link"] == [uri]
