"""Binds the dedicated-endpoint feature file: images by route, speech, transcripts and embeddings."""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any

from mcp.types import CallToolResult, ImageContent, ResourceLink
from pytest_bdd import given, parsers, scenarios, then

from openrouter_multimodal.domain.generation import pcm16_to_wav
from tests.bdd.conftest import World, _upstream_requests, request_bytes
from tests.support.tool_results import text_of

scenarios("media_endpoints.feature")


def _result(world: World) -> CallToolResult:
    assert world.result is not None, "no tool was called"
    return world.result


@given(parsers.parse('my input folder holds a {seconds:d}-second WAV "{name}"'))
def input_wav(world: World, seconds: int, name: str) -> None:
    (Path(world.tmp) / "inputs" / name).write_bytes(pcm16_to_wav(b"\x10\x00" * 16_000 * seconds, 16_000))


@then(parsers.parse("{count:d} images are saved, previewed and linked"))
def images_saved(world: World, count: int) -> None:
    result = _result(world)
    paths = [Path(p) for p in (result.meta or {})["saved_paths"]]
    assert len(paths) == count and all(p.is_file() for p in paths), text_of(result)
    assert len({p.read_bytes() for p in paths}) == count
    assert sum(isinstance(block, ImageContent) for block in result.content) == count
    assert sum(isinstance(block, ResourceLink) for block in result.content) == count


@then(parsers.parse('the upstream request to "{path}" has "{key}" equal to {expected}'))
def upstream_body(world: World, path: str, key: str, expected: str) -> None:
    requests = _upstream_requests(world, path)
    assert requests, f"the upstream received no request to {path}"
    assert json.loads(request_bytes(requests[-1]))[key] == json.loads(expected)


@then(parsers.parse('the file "{name}" in my output folder is a playable 24 kHz mono WAV'))
def playable_wav(world: World, name: str) -> None:
    with wave.open(str(Path(world.tmp) / "outputs" / name)) as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getsampwidth()) == (1, 24_000, 2)
        assert audio.getnframes() > 0


@then(parsers.parse('the file "{name}" in my output folder contains "{fragment}"'))
def file_contains(world: World, name: str, fragment: str) -> None:
    content = (Path(world.tmp) / "outputs" / name).read_text()
    assert fragment.encode().decode("unicode_escape") in content, content


@then(parsers.parse('the result has a resource link to "{name}"'))
def resource_link_to(world: World, name: str) -> None:
    links = [block for block in _result(world).content if isinstance(block, ResourceLink)]
    assert any(str(link.uri).endswith(name) for link in links), links


@then(parsers.parse("the saved JSON-lines file holds {count:d} vectors of {dims:d} values"))
def json_lines_file(world: World, count: int, dims: int) -> None:
    paths = (_result(world).meta or {})["saved_paths"]
    lines = [json.loads(line) for line in Path(paths[0]).read_text().splitlines()]
    assert [line["index"] for line in lines] == list(range(count))
    assert all(len(line["embedding"]) == dims for line in lines)


@then(parsers.parse('the structured result has no "{key}"'))
def structured_lacks(world: World, key: str) -> None:
    structured: dict[str, Any] = _result(world).structured_content or {}
    assert key not in structured, structured
