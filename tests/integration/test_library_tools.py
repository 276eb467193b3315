"""get_user_images and library references through the real container and the in-memory MCP client (stdio user)."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from PIL import Image

from openrouter_multimodal.domain.caller import Caller, IdentitySource
from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.entrypoints.api import OpenRouterMultimodal
from openrouter_multimodal.entrypoints.settings import Settings
from openrouter_multimodal.entrypoints.tools.library import EMPTY
from tests.support.harness import TEST_KEY, make_container, make_settings, server_for, sync_client


def png(color: str, size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def put(folder: Path, name: str, data: bytes, mtime: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    os.utime(folder / name, (mtime, mtime))


def chat_upstream(sent: list[bytes]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": []})
        sent.append(request.content)
        return httpx.Response(200, json={"model": "openai/gpt-4o-mini", "choices": [
            {"message": {"role": "assistant", "content": "A square."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 4, "completion_tokens": 4, "total_tokens": 8}})

    return httpx.MockTransport(answer)


def test_the_default_library_is_a_folder_beside_the_outputs(tmp_path: Path) -> None:
    settings = Settings(output_dir=str(tmp_path / "data" / "outputs"))
    assert settings.library_root(settings.output_root()) == str(tmp_path / "data" / "library")
    assert Settings(library_dir=str(tmp_path / "x")).library_root("/ignored") == str(tmp_path / "x")


def test_get_user_images_lists_lines_and_the_same_structured_data(tmp_path: Path) -> None:
    container = make_container(make_settings(output_dir=str(tmp_path / "outputs")))
    with sync_client(server_for(container)) as client:
        empty = client.call("get_user_images")
        assert not empty.is_error and empty.content[0].text == EMPTY  # type: ignore[union-attr]
        assert (empty.structured_content or {})["images"] == []
        put(tmp_path / "library" / "local", "old.png", png("red", (30, 20)), 1_700_000_000)
        put(tmp_path / "library" / "local", "new.png", png("blue"), 1_700_000_600)
        listed = client.call("get_user_images", {"limit": 1})
        tools = {tool.name: tool for tool in client.list_tools().tools}
    lines = listed.content[0].text.splitlines()  # type: ignore[union-attr]
    [image] = (listed.structured_content or {})["images"]
    assert lines[0] == f"[INDEX_1] {image['file_id']} — new.png (8x6, 2023-11-14 22:23 UTC)"
    assert lines[1] == "1 older images: call again with offset 1."
    assert (image["index"], image["ref"], image["width"], image["height"], image["mime"]) == (
        1, "INDEX_1", 8, 6, "image/png")
    published = tools["get_user_images"]
    assert set(published.input_schema["properties"]) == {"limit", "offset"}
    assert published.annotations is not None and published.annotations.read_only_hint
    assert len(published.description or "") < 400
    assert "reference_image_url" not in tools["generate_image"].input_schema["properties"]


def test_analyze_image_and_video_from_image_accept_library_references(tmp_path: Path) -> None:
    put(tmp_path / "library" / "local", "square.png", png("green"), 1_000)
    sent: list[bytes] = []
    container = make_container(make_settings(output_dir=str(tmp_path / "outputs"), max_retries=0))
    container.upstream.transport.override(providers.Object(chat_upstream(sent)))
    with sync_client(server_for(container)) as client:
        described = client.call("analyze_image", {"image": "INDEX_1", "send_original": True,
                                                  "model": "openai/gpt-4o-mini"})
        assert not described.is_error, described.content
        assert base64.b64encode(png("green")).decode() in json.dumps(json.loads(sent[-1]))
        assert (described.meta or {})["sent"][0]["source"] == "library"
        video = client.call("generate_video_from_image", {"image": "2", "prompt": "it spins"})
        assert video.is_error and (video.meta or {})["code"] == "INVALID_INPUT"
        assert "get_user_images" in video.content[0].text  # type: ignore[union-attr]
    assert len(sent) == 1


async def test_the_python_api_lists_and_resolves_per_caller(tmp_path: Path) -> None:
    put(tmp_path / "library" / "local", "mine.png", png("red"), 1_000)
    put(tmp_path / "library" / "alice", "hers.png", png("blue"), 2_000)
    alice = Caller("alice", IdentitySource.EMBEDDED)
    async with OpenRouterMultimodal(api_key=TEST_KEY, output_dir=str(tmp_path / "outputs")) as app:
        assert [e.filename for e in (await app.get_user_images()).entries] == ["mine.png"]
        hers = (await app.get_user_images(caller=alice)).entries
        assert [e.filename for e in hers] == ["hers.png"]
        with pytest.raises(InvalidInput, match="get_user_images"):
            await app.analyze_image(hers[0].file_id)


pytestmark = pytest.mark.anyio


def test_a_library_that_cannot_take_the_generated_image_is_a_note_not_a_lost_result(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the library folder should be")
    sent: list[bytes] = []
    url = "data:image/png;base64," + base64.b64encode(png("red")).decode()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": []})
        sent.append(request.content)
        message = {"role": "assistant", "content": "", "images": [{"type": "image_url", "image_url": {"url": url}}]}
        return httpx.Response(200, json={"model": "google/gemini-2.5-flash-image", "choices": [
            {"message": message, "finish_reason": "stop"}], "usage": {"total_tokens": 8, "cost": 0.03}})

    container = make_container(make_settings(output_dir=str(tmp_path / "outputs"), library_dir=str(blocker),
                                             max_retries=0))
    container.upstream.transport.override(providers.Object(httpx.MockTransport(answer)))
    with sync_client(server_for(container)) as client:
        made = client.call("generate_image", {"prompt": "a red square", "save_path": "red.png"})
    assert not made.is_error, made.content
    assert (tmp_path / "outputs" / "red.png").read_bytes() == png("red")
    assert "not added to your image library" in made.content[0].text  # type: ignore[union-attr]
    assert (made.meta or {})["images"][0]["file_id"] is None and len(sent) == 1
