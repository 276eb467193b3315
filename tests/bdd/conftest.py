"""Shared pytest-bdd steps: configure the real container, replay the upstream, call tools over MCP."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from mcp.types import CallToolResult
from pytest_bdd import given, parsers, then, when

from tests.pipeline_fakes import RecordingAudit
from tests.support.harness import (
    TEST_KEY,
    SyncMcp,
    make_container,
    make_settings,
    record_requests,
    server_for,
    sync_client,
    test_fetcher,
)
from tests.support.replay import use_cassette
from tests.support.tool_results import text_of


@dataclass
class World:
    settings: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    cassette_name: str | None = None
    cassette: Any = None
    client: SyncMcp | None = None
    result: CallToolResult | None = None
    results: list[CallToolResult] = field(default_factory=list)
    sent: list[Any] = field(default_factory=list)
    tmp: Any = None
    resolver_map: dict[str, list[str]] = field(default_factory=dict)
    loopback_names: set[str] = field(default_factory=set)
    overrides: dict[str, Any] = field(default_factory=dict)
    extensions: list[Any] = field(default_factory=list)


@pytest.fixture
def world(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> Iterator[World]:
    state = World(settings={"max_retries": 0, "shutdown_grace_ms": 1000}, tmp=tmp_path)
    (tmp_path / "inputs").mkdir()
    state.settings.update(input_dir=str(tmp_path / "inputs"), output_dir=str(tmp_path / "outputs"))
    stack: list[Any] = []
    state._stack = stack  # type: ignore[attr-defined]
    caplog.set_level(logging.DEBUG)
    yield state
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)


def _client(world: World) -> SyncMcp:
    if world.client is None:
        stack = world._stack  # type: ignore[attr-defined]
        if world.cassette_name:
            cassette_ctx = use_cassette(world.cassette_name)
            world.cassette = cassette_ctx.__enter__()
            stack.append(cassette_ctx)
        container = make_container(make_settings(**world.settings), world.problem)
        for dotted, provider in world.overrides.items():
            target: Any = container
            for part in dotted.split("."):
                target = getattr(target, part)
            target.override(provider)
        record_requests(container, world.sent)
        if world.resolver_map or world.loopback_names:
            container.media.url_fetcher.override(test_fetcher(world.resolver_map, world.loopback_names))
        client_ctx = sync_client(server_for(container, world.problem), extensions=world.extensions)
        world.client = client_ctx.__enter__()
        stack.append(client_ctx)
    return world.client


@given(parsers.parse('the upstream replays "{name}"'))
def upstream_replays(world: World, name: str) -> None:
    world.cassette_name = name


@given(parsers.parse('the setting "{name}" is "{value}"'))
def a_setting(world: World, name: str, value: str) -> None:
    world.settings[name] = value


@given("no API key is configured")
def no_key(world: World) -> None:
    world.settings["api_key"] = None


@given(parsers.parse('a malformed setting "{problem}"'))
def malformed_setting(world: World, problem: str) -> None:
    world.problem = problem


@given("OpenRouter accepts connections but never answers")
def silent_upstream(world: World) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    world._stack.append(contextlib.closing(listener))  # type: ignore[attr-defined]
    world.settings["base_url"] = f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1"


@given("OpenRouter cannot be reached")
def unreachable(world: World) -> None:
    world.settings["base_url"] = "http://127.0.0.1:9/api/v1"


@when(parsers.parse('I call "{tool}" with'))
def call_with(world: World, tool: str, docstring: str) -> None:
    world.result = _client(world).call(tool, json.loads(docstring))
    world.results.append(world.result)


@when(parsers.parse('I call "{tool}" with a {turns:d}-turn conversation of {size:d}-character messages on "{model}"'))
def call_long(world: World, tool: str, turns: int, size: int, model: str) -> None:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "SYSTEM-PROMPT be brief"}]
    for i in range(turns):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append({"role": role, "content": f"turn-{i} " + "x" * size})
    messages.append({"role": "user", "content": "LAST-QUESTION?"})
    world.result = _client(world).call(tool, {"model": model, "messages": messages, "max_tokens": 256})
    world.results.append(world.result)


def _result(world: World) -> CallToolResult:
    assert world.result is not None, "no tool was called"
    return world.result


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@then("the call succeeds")
def succeeds(world: World) -> None:
    result = _result(world)
    assert not result.is_error, text_of(result)


@then(parsers.parse('the call succeeds with text "{expected}"'))
def succeeds_with_text(world: World, expected: str) -> None:
    succeeds(world)
    assert text_of(_result(world)) == expected


@then(parsers.parse('the call fails with code "{code}"'))
def fails_with(world: World, code: str) -> None:
    result = _result(world)
    assert result.is_error, text_of(result)
    assert result.meta is not None and result.meta["code"] == code, (result.meta, text_of(result))
    assert "Traceback" not in text_of(result)
    assert len(text_of(result).splitlines()) == 1


@then(parsers.parse('the error message mentions "{fragment}"'))
def error_mentions(world: World, fragment: str) -> None:
    assert fragment.lower() in text_of(_result(world)).lower(), text_of(_result(world))


@then(parsers.parse('the result meta "{key}" is {expected}'))
def meta_is(world: World, key: str, expected: str) -> None:
    meta = _result(world).meta or {}
    value = _dig(meta, key)
    if expected == "a non-empty list":
        assert isinstance(value, list) and value
    elif expected == "a positive number":
        assert isinstance(value, int) and value > 0
    else:
        assert value == json.loads(expected), value


@then(parsers.parse('the result meta "{key}" mentions "{fragment}"'))
def meta_mentions(world: World, key: str, fragment: str) -> None:
    assert fragment in str(_dig(_result(world).meta or {}, key))


@then(parsers.parse('the result meta "{key}" includes "{item}"'))
def meta_includes(world: World, key: str, item: str) -> None:
    assert item in _dig(_result(world).meta or {}, key)


@then(parsers.parse('the structured result "{key}" is {expected}'))
def structured_is(world: World, key: str, expected: str) -> None:
    result = _result(world)
    assert result.structured_content is not None, text_of(result)
    assert _dig(result.structured_content, key) == json.loads(expected)


@then(parsers.parse('the structured result "{key}" mentions "{fragment}"'))
def structured_mentions(world: World, key: str, fragment: str) -> None:
    assert fragment in json.dumps(_dig(_result(world).structured_content or {}, key))


@then(parsers.parse('the structured result lists model "{model_id}"'))
def structured_lists(world: World, model_id: str) -> None:
    ids = [r["id"] for r in (_result(world).structured_content or {})["results"]]
    assert model_id in ids, ids


def _upstream_requests(world: World, path: str) -> list[Any]:
    return [r for r in world.sent if r.url.path == path]


def request_bytes(request: httpx.Request) -> bytes:
    """The body of a sent request, also when it was streamed (vcrpy leaves a replayable ByteStream)."""
    try:
        return request.content
    except httpx.RequestNotRead:
        return b"".join(request.stream)  # type: ignore[arg-type]


def _last_chat_body(world: World) -> dict[str, Any]:
    requests = _upstream_requests(world, "/api/v1/chat/completions")
    assert requests, "the upstream received no chat request"
    body: dict[str, Any] = json.loads(request_bytes(requests[-1]))
    return body


@then(parsers.parse('the upstream was asked for model "{model_id}"'))
def upstream_model(world: World, model_id: str) -> None:
    assert _last_chat_body(world)["model"] == model_id


@then(parsers.parse('the upstream request body has "{key}" equal to {expected}'))
def upstream_body(world: World, key: str, expected: str) -> None:
    assert _last_chat_body(world)[key] == json.loads(expected)


@then(parsers.parse('the upstream request header "{name}" is "{value}"'))
def upstream_header(world: World, name: str, value: str) -> None:
    request = _upstream_requests(world, "/api/v1/chat/completions")[-1]
    assert request.headers.get(name) == value, request.headers


@then("the upstream received the system message and the last message")
def upstream_kept_ends(world: World) -> None:
    messages = _last_chat_body(world)["messages"]
    assert messages[0]["content"].startswith("SYSTEM-PROMPT")
    assert messages[-1]["content"] == "LAST-QUESTION?"


@then(parsers.parse('the upstream received {count:d} request to "{path}"'))
def upstream_count(world: World, count: int, path: str) -> None:
    assert len(_upstream_requests(world, path)) == count


@then("no result or log line contains the API key")
def no_key_leak(world: World, caplog: pytest.LogCaptureFixture) -> None:
    for result in world.results:
        assert TEST_KEY not in result.model_dump_json()
    assert TEST_KEY not in caplog.text


@then("the upstream received no request at all")
def upstream_untouched(world: World) -> None:
    assert world.sent == [], [str(r.url) for r in world.sent]


@pytest.fixture
def container_overrides(world: World) -> dict[str, Any]:
    """Providers to override by dotted path (e.g. ``"storage.audit"``); ``_client`` applies them when it
    builds the container, so request this from a Given step before the first tool call."""
    return world.overrides


@given("paid calls are recorded by an audit recorder")
def audit_recorder(world: World, container_overrides: dict[str, Any]) -> None:
    world.audit = RecordingAudit()  # type: ignore[attr-defined]
    container_overrides["storage.audit"] = providers.Object(world.audit)  # type: ignore[attr-defined]
