"""Published tool schemas: every input bounded, portable (no ``type`` lists), small; inputs that passed and crashed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.deep_json import nested
from tests.support.harness import SyncMcp, make_container, make_settings, server_for, sync_client
from tests.support.openrouter_stub import serve_cassette

TOOLS_LIST_MAX_BYTES = 22_000
MCP_DEFAULT_HINTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}
"""What a client assumes for a hint that is not sent (the server sends only the others)."""
GENERATING = {"generate_image", "generate_audio", "generate_video", "generate_video_from_image"}


@pytest.fixture(scope="module")
def listed() -> Iterator[list[dict[str, Any]]]:
    with sync_client(server_for(make_container())) as client:
        yield [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in client.list_tools().tools]


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def test_no_schema_uses_a_type_list(listed: list[dict[str, Any]]) -> None:
    found = [f"{t['name']}{path}" for t in listed for key in ("inputSchema", "outputSchema")
             for path, node in _walk(t.get(key)) if isinstance(node.get("type"), list)]
    assert found == []


def test_every_input_string_and_list_is_bounded_and_patterns_are_ascii(listed: list[dict[str, Any]]) -> None:
    unbounded = []
    for tool in listed:
        for path, node in _walk(tool["inputSchema"]):
            where = f"{tool['name']}{path}"
            if node.get("type") == "string" and "enum" not in node and "maxLength" not in node:
                unbounded.append(where)
            if node.get("type") == "array" and "maxItems" not in node:
                unbounded.append(where)
            pattern = node.get("pattern")
            if isinstance(pattern, str):
                assert pattern.startswith("^") and pattern.endswith("$"), where
                assert not any(cls in pattern for cls in ("\\d", "\\w", "\\s")), where
    assert unbounded == []


def test_tools_that_can_replace_a_file_say_so(listed: list[dict[str, Any]]) -> None:
    for tool in listed:
        takes_overwrite = "overwrite" in tool["inputSchema"]["properties"]
        hints = {**MCP_DEFAULT_HINTS, **tool.get("annotations", {})}
        if hints["readOnlyHint"]:
            assert not takes_overwrite, tool["name"]
            continue
        assert hints["destructiveHint"] is takes_overwrite, tool["name"]
        if tool["name"] in GENERATING:
            assert hints["idempotentHint"] is False, tool["name"]


def test_the_analyze_tools_name_their_required_input(listed: list[dict[str, Any]]) -> None:
    for tool in listed:
        if tool["name"].startswith("analyze_"):
            field = tool["name"].removeprefix("analyze_")
            assert tool["inputSchema"]["required"] == [field]
            assert "anyOf" not in tool["inputSchema"]
            assert f"'{field}'" in tool["description"].splitlines()[0]


def test_get_video_status_names_every_source_of_its_ids(listed: list[dict[str, Any]]) -> None:
    description = next(t["description"] for t in listed if t["name"] == "get_video_status")
    for source in ("generate_video ", "generate_video_from_image", "list_video_jobs"):
        assert source in description


def test_tools_list_stays_under_22_kb(listed: list[dict[str, Any]]) -> None:
    """Measured as the compact JSON of the tool list, as it goes over the wire (plus a 41-byte envelope)."""
    compact = len(json.dumps(listed, separators=(",", ":")).encode())
    assert compact <= TOOLS_LIST_MAX_BYTES, {t["name"]: len(json.dumps(t, separators=(",", ":"))) for t in listed}


@pytest.fixture(scope="module")
def stubbed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncMcp]:
    tmp_path = tmp_path_factory.mktemp("bounds")
    with serve_cassette("models") as (base_url, _):
        settings = make_settings(base_url=base_url, max_retries=0, input_dir=str(tmp_path),
                                 output_dir=str(tmp_path / "out"))
        with sync_client(server_for(make_container(settings))) as client:
            yield client


def _code(result: Any) -> str:
    return str((result.meta or {}).get("code"))


def test_a_cache_ttl_with_non_ascii_digits_is_invalid_input(stubbed: SyncMcp) -> None:
    result = stubbed.call("chat_completion", {"messages": [{"role": "user", "content": "hi"}],
                                              "model": "openai/gpt-4o-mini", "cache": True, "cache_ttl": "\u0665m"})
    assert result.is_error and _code(result) == "INVALID_INPUT", result.content[0].text
    assert "cache_ttl" in result.content[0].text


def test_a_huge_video_id_is_invalid_input(stubbed: SyncMcp) -> None:
    result = stubbed.call("get_video_status", {"video_id": "a" * 70_000})
    assert result.is_error and _code(result) == "INVALID_INPUT", result.content[0].text
    assert "video_id" in result.content[0].text


@pytest.mark.parametrize("depth", [150, 198, 240])
@pytest.mark.parametrize("tool,arguments", [
    ("chat_completion", lambda nested: {"messages": [{"role": "user", "content": [{"type": "text", "x": nested}]}]}),
    ("chat_completion", lambda nested: {"messages": [{"role": "user", "content": "hi"}], "provider": nested}),
    ("generate_video", lambda nested: {"prompt": "a cat", "provider": {"google": nested}}),
], ids=["content-part", "chat-provider", "video-provider"])
def test_deeply_nested_free_form_arguments_are_invalid_input(stubbed: SyncMcp, depth: int, tool: str,
                                                             arguments: Any) -> None:
    result = stubbed.call(tool, arguments(nested(depth)))
    assert result.is_error and _code(result) == "INVALID_INPUT", result.content[0].text
    assert "nested deeper than" in result.content[0].text
