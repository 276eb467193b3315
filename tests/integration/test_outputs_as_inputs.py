"""With OPENROUTER_INPUT_DIR set (as the README's client config does), generated files stay readable as inputs."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from PIL import Image

from openrouter_multimodal.entrypoints.media_settings import MediaSettings
from tests.support.harness import make_container, make_settings, server_for, sync_client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upstream(sent: list[dict[str, object]]) -> httpx.MockTransport:
    url = "data:image/png;base64," + base64.b64encode(_png()).decode()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": []})
        body = json.loads(request.content)
        sent.append(body)
        message: dict[str, object] = {"role": "assistant", "content": "A red rectangle."}
        if "image" in body.get("modalities", []):
            message["images"] = [{"type": "image_url", "image_url": {"url": url}}]
        return httpx.Response(200, json={"model": body["model"], "choices": [{"message": message,
                                                                               "finish_reason": "stop"}],
                                         "usage": {"prompt_tokens": 4, "completion_tokens": 4, "total_tokens": 8}})

    return httpx.MockTransport(answer)


def test_the_output_directory_is_always_an_input_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_INPUT_DIR", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert MediaSettings().input_roots(str(tmp_path / "out")) == [tmp_path / "a", tmp_path / "b", tmp_path / "out"]
    monkeypatch.setenv("OPENROUTER_INPUT_DIR", str(tmp_path / "out"))
    assert MediaSettings().input_roots(str(tmp_path / "out")) == [tmp_path / "out"]


def test_a_generated_image_can_be_analyzed_and_edited_next(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    sent: list[dict[str, object]] = []
    container = make_container(make_settings(input_dir=str(tmp_path / "in"), output_dir=str(tmp_path / "out")))
    container.upstream.transport.override(providers.Object(_upstream(sent)))
    with sync_client(server_for(container)) as client:
        made = client.call("generate_image", {"prompt": "a red rectangle", "save_path": "shapes/red.png"})
        assert not made.is_error, made.content
        [saved] = (made.meta or {})["saved_paths"]
        assert saved == str((tmp_path / "out" / "shapes" / "red.png").resolve())
        for path in (saved, "shapes/red.png"):
            described = client.call("analyze_image", {"image_path": path, "model": "openai/gpt-4o-mini"})
            assert not described.is_error, described.content
        edited = client.call("generate_image", {"prompt": "make it blue", "reference_images": [saved],
                                                "save_path": "shapes/blue.png"})
        assert not edited.is_error, edited.content
    assert sum(1 for body in sent if "image_url" in json.dumps(body)) >= 3


def test_a_missing_relative_path_names_every_root_searched(tmp_path: Path) -> None:
    container = make_container(make_settings(input_dir=str(tmp_path / "in"), output_dir=str(tmp_path / "out")))
    with sync_client(server_for(container)) as client:
        result = client.call("analyze_image", {"image_path": "nowhere.png", "model": "openai/gpt-4o-mini"})
    assert result.is_error and (result.meta or {}).get("code") == "INVALID_INPUT"
    text = result.content[0].text  # type: ignore[union-attr]
    assert str(tmp_path / "in") in text and str(tmp_path / "out") in text
