"""Binds the media-analysis feature file; steps specific to media inputs live here."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Any

from PIL import Image
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.conftest import World, _client, _last_chat_body
from tests.support.static_server import serve_directory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "media"

scenarios("analyze_media.feature")


@given("my input folder holds the test media")
def input_media(world: World) -> None:
    inputs = world.tmp / "inputs"
    for item in FIXTURES.iterdir():
        if item.suffix in {".mp4", ".mov", ".webm", ".wav", ".mp3", ".flac", ".ogg"}:
            shutil.copy(item, inputs / item.name)
    Image.merge("RGB", [Image.effect_noise((1600, 1200), 60)] * 3).save(inputs / "big.jpg", quality=90)
    Image.new("RGB", (100, 50), (10, 200, 30)).save(inputs / "small.png")
    (inputs / "notes.txt").write_text("just some text, not an image\n")
    outside = world.tmp / "outside"
    outside.mkdir()
    Image.new("RGB", (10, 10)).save(outside / "secret.png")
    Image.new("RGB", (10, 10)).save(world.tmp / "outside.png")
    os.symlink(outside, inputs / "escape")


@given(parsers.parse('a web server serves my input folder as "{name}"'))
def web_server(world: World, name: str) -> None:
    ctx = serve_directory(world.tmp / "inputs")
    world.web_port, world.web_hits = ctx.__enter__()  # type: ignore[attr-defined]
    world._stack.append(ctx)  # type: ignore[attr-defined]
    world.loopback_names.add(name)


@given(parsers.parse('the name "{name}" resolves to "{address}"'))
def name_resolves(world: World, name: str, address: str) -> None:
    world.resolver_map[name] = [address]


@when(parsers.parse('I call "{tool}" with a URL to "{file}" on "{host}"'))
def call_with_url(world: World, tool: str, file: str, host: str) -> None:
    url = f"http://{host}:{world.web_port}/{file}"  # type: ignore[attr-defined]
    world.result = _client(world).call(tool, {"image": url, "model": "anthropic/claude-sonnet-4"})
    world.results.append(world.result)


@when(parsers.parse('I call "{tool}" with "{file}" as a data URL'))
def call_with_data_url(world: World, tool: str, file: str) -> None:
    data = (world.tmp / "inputs" / file).read_bytes()
    mime = {"png": "image/png", "mp4": "video/mp4", "wav": "audio/wav"}[file.rsplit(".", 1)[1]]
    field = {"analyze_image": "image", "analyze_audio": "audio", "analyze_video": "video"}[tool]
    url = f"data:{mime};name={file};base64,{base64.b64encode(data).decode()}"
    model = "google/gemini-2.5-flash" if tool != "analyze_image" else "anthropic/claude-sonnet-4"
    world.result = _client(world).call(tool, {field: url, "model": model})
    world.results.append(world.result)


def _parts(world: World) -> list[dict[str, Any]]:
    content = _last_chat_body(world)["messages"][-1]["content"]
    assert isinstance(content, list)
    return content


@then(parsers.parse('the upstream request carries {count:d} "{part_type}" part'))
def carries_parts(world: World, count: int, part_type: str) -> None:
    assert [p["type"] for p in _parts(world)].count(part_type) == count


@then(parsers.parse('the upstream request carries "{file}" as input_audio "{fmt}"'))
def carries_audio(world: World, file: str, fmt: str) -> None:
    audio = next(p for p in _parts(world) if p["type"] == "input_audio")["input_audio"]
    assert audio["format"] == fmt
    assert base64.b64decode(audio["data"]) == (world.tmp / "inputs" / file).read_bytes()


@then(parsers.parse('the upstream request carries "{file}" as a "{mime}" video'))
def carries_video(world: World, file: str, mime: str) -> None:
    url = next(p for p in _parts(world) if p["type"] == "video_url")["video_url"]["url"]
    prefix = f"data:{mime};base64,"
    assert url.startswith(prefix), url[:60]
    assert base64.b64decode(url[len(prefix):]) == (world.tmp / "inputs" / file).read_bytes()


@then(parsers.parse('the web server was asked for "{path}"'))
def web_asked(world: World, path: str) -> None:
    assert path in world.web_hits  # type: ignore[attr-defined]


@then(parsers.parse('the error message does not mention "{fragment}"'))
def error_not_mentions(world: World, fragment: str) -> None:
    assert world.result is not None
    assert fragment not in json.dumps(world.result.model_dump(mode="json"))
