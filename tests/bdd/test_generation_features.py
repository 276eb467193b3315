"""Binds the generation feature file; steps about saved files, previews, links and audits live here."""

from __future__ import annotations

import base64
import io
import json
import wave
from pathlib import Path
from typing import Any

import httpx
from dependency_injector import providers
from mcp.types import AudioContent, CallToolResult, ImageContent, ResourceLink
from PIL import Image
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.conftest import World, _client, _last_chat_body
from tests.support.tool_results import text_of

scenarios("generation.feature")

VALID_REQUESTS: dict[str, dict[str, Any]] = {
    "generate_image": {"prompt": "a cat"},
    "generate_audio": {"prompt": "Say hello"},
    "rerank_documents": {"query": "cats", "documents": ["a cat", "a dog"]},
}


def _outputs(world: World) -> Path:
    return Path(world.tmp / "outputs")


def _result(world: World) -> CallToolResult:
    assert world.result is not None, "no tool was called"
    return world.result


def _saved_paths(world: World) -> list[Path]:
    meta = _result(world).meta or {}
    return [Path(p) for p in meta["saved_paths"]]


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@given(parsers.parse("the image model draws a {width:d}x{height:d} picture"))
def image_model_draws(world: World, container_overrides: dict[str, Any], width: int, height: int) -> None:
    url = "data:image/png;base64," + base64.b64encode(_png(width, height)).decode()

    def upstream(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": []})
        image = {"type": "image_url", "image_url": {"url": url}}
        message = {"role": "assistant", "content": "Done.", "images": [image]}
        return httpx.Response(200, json={"model": "google/gemini-2.5-flash-image", "provider": "Scripted",
                                         "choices": [{"message": message, "finish_reason": "stop"}],
                                         "usage": {"prompt_tokens": 4, "completion_tokens": 1290,
                                                   "total_tokens": 1294, "cost": 0.039}})

    container_overrides["upstream.transport"] = providers.Object(httpx.MockTransport(upstream))


@given(parsers.parse('my output folder already holds "{name}" with the text "{content}"'))
def existing_output(world: World, name: str, content: str) -> None:
    _outputs(world).mkdir(parents=True, exist_ok=True)
    (_outputs(world) / name).write_text(content)


@given(parsers.parse('my input folder holds a small picture "{name}"'))
def small_picture(world: World, name: str) -> None:
    (world.tmp / "inputs" / name).write_bytes(_png(40, 30))


@given("a picture lies outside my input folder")
def outside_picture(world: World) -> None:
    (world.tmp / "outside.png").write_bytes(_png(10, 10))


@when("I call \"generate_image\" with that picture as a reference")
def call_with_outside_reference(world: World) -> None:
    world.result = _client(world).call("generate_image", {"prompt": "like this",
                                                          "reference_images": [str(world.tmp / "outside.png")]})
    world.results.append(world.result)


@when(parsers.parse('I call "{tool}" with a valid request'))
def call_valid(world: World, tool: str) -> None:
    world.result = _client(world).call(tool, VALID_REQUESTS[tool])
    world.results.append(world.result)


@then(parsers.parse("the saved image is a {width:d}x{height:d} PNG inside my output folder"))
def saved_image_inside(world: World, width: int, height: int) -> None:
    [path] = _saved_paths(world)
    assert path.is_absolute() and path.is_relative_to(_outputs(world).resolve()), path
    with Image.open(path) as img:
        assert (img.format, img.size) == ("PNG", (width, height))


@then(parsers.parse('the file "{name}" in my output folder is a {width:d}x{height:d} PNG'))
def named_file_is_png(world: World, name: str, width: int, height: int) -> None:
    path = _outputs(world) / name
    assert path.resolve() in [p.resolve() for p in _saved_paths(world)]
    with Image.open(path) as img:
        assert (img.format, img.size) == ("PNG", (width, height))


@then(parsers.parse('the file "{name}" in my output folder still holds "{content}"'))
def file_untouched(world: World, name: str, content: str) -> None:
    assert (_outputs(world) / name).read_text() == content


@then(parsers.parse('no file named "{name}" exists next to my output folder'))
def nothing_escaped(world: World, name: str) -> None:
    assert not (world.tmp / name).exists()


@then("my output folder is empty")
def outputs_empty(world: World) -> None:
    folder = _outputs(world)
    assert not folder.exists() or [p for p in folder.rglob("*") if p.is_file()] == []


@then("the result text names the saved image by its absolute path")
def text_names_path(world: World) -> None:
    [path] = _saved_paths(world)
    assert str(path) in text_of(_result(world))


@then(parsers.parse('the result text mentions "{fragment}"'))
def text_mentions(world: World, fragment: str) -> None:
    assert fragment in text_of(_result(world)), text_of(_result(world))


def _images(world: World) -> list[ImageContent]:
    return [block for block in _result(world).content if isinstance(block, ImageContent)]


@then(parsers.parse("the result has an image preview whose long edge is at most {limit:d} px"))
def has_preview(world: World, limit: int) -> None:
    preview = _images(world)[0]
    assert preview.mime_type in ("image/jpeg", "image/webp")
    with Image.open(io.BytesIO(base64.b64decode(preview.data))) as img:
        assert max(img.size) <= limit, img.size
        assert img.format in ("JPEG", "WEBP")


@then("the result carries no full-resolution image")
def no_full_image(world: World) -> None:
    assert [i.mime_type for i in _images(world)] == ["image/jpeg"]


@then("the result carries the full-resolution image")
def full_image(world: World) -> None:
    [path] = _saved_paths(world)
    full = [i for i in _images(world) if i.mime_type == "image/png"]
    assert len(full) == 1 and base64.b64decode(full[0].data) == path.read_bytes()


@then(parsers.parse("the result has a resource link to the saved {what}"))
def has_link(world: World, what: str) -> None:
    [path] = _saved_paths(world)
    links = [block for block in _result(world).content if isinstance(block, ResourceLink)]
    assert len(links) == 1
    relative = path.relative_to(_outputs(world).resolve()).as_posix()
    assert str(links[0].uri) == f"output://files/{relative}"
    assert links[0].size == path.stat().st_size


@then(parsers.parse('the upstream request carries "{name}" as an image_url part'))
def carries_reference(world: World, name: str) -> None:
    content = _last_chat_body(world)["messages"][-1]["content"]
    urls = [part["image_url"]["url"] for part in content if part.get("type") == "image_url"]
    assert len(urls) == 1 and urls[0].startswith("data:image/png;base64,")
    assert base64.b64decode(urls[0].split(",", 1)[1]) == (world.tmp / "inputs" / name).read_bytes()


@then(parsers.parse("the saved audio is a WAV with {channels:d} channel at {rate:d} Hz"))
def saved_wav(world: World, channels: int, rate: int) -> None:
    [path] = _saved_paths(world)
    assert path.suffix == ".wav" and path.is_relative_to(_outputs(world).resolve())
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getsampwidth()) == (channels, rate, 2)
        assert audio.getnframes() > 0


@then("the result carries the audio inline")
def audio_inline(world: World) -> None:
    [path] = _saved_paths(world)
    clips = [block for block in _result(world).content if isinstance(block, AudioContent)]
    assert len(clips) == 1 and clips[0].mime_type == "audio/wav"
    assert base64.b64decode(clips[0].data) == path.read_bytes()


@then("the structured results are in descending score order")
def descending(world: World) -> None:
    scores = [item["score"] for item in (_result(world).structured_content or {})["results"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3


@then(parsers.parse("the structured result has {count:d} results without documents"))
def without_documents(world: World, count: int) -> None:
    results = (_result(world).structured_content or {})["results"]
    assert len(results) == count and all("document" not in item for item in results), results


@then(parsers.parse('the audit holds {count:d} "{tool}" call with outcome "{outcome}" and cost {cost}'))
def audit_holds(world: World, count: int, tool: str, outcome: str, cost: str) -> None:
    events = world.audit.events  # type: ignore[attr-defined]
    assert [(e.tool, e.outcome) for e in events] == [(tool, outcome)] * count, events
    assert events[0].cost_usd is not None and float(events[0].cost_usd) == json.loads(cost)


@then(parsers.parse("the audited prompt preview is at most {limit:d} characters"))
def audit_preview(world: World, limit: int) -> None:
    preview = world.audit.events[0].prompt_preview  # type: ignore[attr-defined]
    assert 0 < len(preview) <= limit and preview.startswith("a soft blue gradient")
