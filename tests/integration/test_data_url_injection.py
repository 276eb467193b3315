"""Large audio/video data URLs are checked whole before a paid request: no JSON injection, no INTERNAL."""

from __future__ import annotations

import base64
import contextlib
import json
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from openrouter_multimodal.adapters.base64_stream import is_padded_base64
from openrouter_multimodal.adapters.openrouter.attachments import streamed_body
from openrouter_multimodal.application.ports import StreamedAttachment
from openrouter_multimodal.domain.chat import ChatMessage, ChatRequest
from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.media import MediaKind
from openrouter_multimodal.domain.model_id import ModelId
from tests.support.harness import make_container, make_settings, server_for, sync_client
from tests.support.loopback import serving
from tests.support.replay import CASSETTES

INJECTION = '","model":"openai/o1-pro","max_tokens":100000,"x":"'
# Closes the input_audio part, its message and the messages list, so the keys land at the top level.
BREAKOUT = ('","format":"wav"}}]}],"model":"openai/o1-pro","max_tokens":100000,'
            '"x":[{"content":[{"input_audio":{"d":"')
MODEL = "google/gemini-2.5-flash"
ANSWER = {"id": "gen-1", "model": MODEL, "choices": [{"message": {"role": "assistant", "content": "a tone"},
                                                      "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}}


def _models_body() -> bytes:
    import yaml

    data = yaml.safe_load((CASSETTES / "models.yaml").read_text())
    raw = data["interactions"][0]["response"]["body"]["string"]
    return raw if isinstance(raw, bytes) else raw.encode()


@contextlib.contextmanager
def upstream() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback OpenRouter: the catalogue, and a chat answer; every chat body is kept whole."""
    models, chats = _models_body(), []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith("/chat/completions"):
                chats.append(body)
                reply = json.dumps(ANSWER).encode()
            else:
                reply = models
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = _answer
        do_POST = _answer

    with serving(Handler) as port:
        yield f"http://127.0.0.1:{port}/api/v1", chats


def _wav_base64(seconds: float) -> str:
    out = BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(b"\x00\x00" * int(16_000 * seconds))
    return base64.b64encode(out.getvalue()).decode()


def _call_analyze_audio(tmp_path: Path, data_url: str) -> tuple[Any, list[bytes]]:
    with upstream() as (base_url, chats):
        settings = make_settings(base_url=base_url, input_dir=str(tmp_path), output_dir=str(tmp_path / "out"),
                                 max_retries=0)
        with sync_client(server_for(make_container(settings))) as client:
            result = client.call("analyze_audio", {"audio": data_url, "model": MODEL})
    return result, chats


def _sent_models(chats: list[bytes]) -> list[str]:
    return [json.loads(body)["model"] for body in chats]


@pytest.mark.parametrize("injection", [INJECTION, BREAKOUT], ids=["issue-payload", "breakout"])
def test_a_quote_in_a_large_audio_data_url_never_changes_the_paid_model(tmp_path: Path, injection: str) -> None:
    wav = _wav_base64(140)  # about 4.5 MiB: over the 4 MiB streaming threshold
    payload = wav[:4096] + injection + wav[4096:]
    result, chats = _call_analyze_audio(tmp_path, f"data:audio/wav;base64,{payload}")
    assert result.is_error and result.meta["code"] == "INVALID_INPUT", result.content[0].text
    assert "audio" in result.content[0].text and "base64" in result.content[0].text
    assert chats == []


def test_non_ascii_in_a_large_audio_data_url_is_invalid_input_not_internal(tmp_path: Path) -> None:
    wav = _wav_base64(140)
    result, chats = _call_analyze_audio(tmp_path, f"data:audio/wav;base64,{wav[:8192]}é{wav[8192:]}")
    assert result.is_error and result.meta["code"] == "INVALID_INPUT", result.content[0].text
    assert "audio" in result.content[0].text
    assert chats == []


def test_a_large_url_safe_unpadded_data_url_is_sent_as_standard_base64(tmp_path: Path) -> None:
    wav = _wav_base64(140)
    raw = base64.b64decode(wav)
    urlsafe = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    result, chats = _call_analyze_audio(tmp_path, f"data:audio/wav;base64,{urlsafe}")
    assert not result.is_error, result.content[0].text
    assert _sent_models(chats) == [MODEL]
    sent = json.loads(chats[0])["messages"][-1]["content"][-1]["input_audio"]["data"]
    assert base64.b64decode(sent, validate=True) == raw


@pytest.mark.parametrize("text,ok", [
    ("", True), ("AAAA", True), ("AA==", True), ("AAA=", True), ("AAAAAA==", True),
    ("A", False), ("AA", False), ("AAA", False), ("A===", False), ("AA=A", False), ("AA-_", False),
    ('AA"A', False), ("AAé=", False), ("AA\nA", False), ("AAAA\n", False),
])
def test_padded_base64_check(text: str, ok: bool) -> None:
    assert is_padded_base64(text) is ok


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_body_builder_refuses_unchecked_text_before_streaming(anyio_backend: str) -> None:
    request = ChatRequest(messages=(ChatMessage("user", "hi"),), model=ModelId.parse(MODEL))
    attachment = StreamedAttachment(kind=MediaKind.VIDEO, mime="video/mp4", size=3, audio_format=None,
                                    base64="AAAA" + INJECTION)
    with pytest.raises(InvalidInput, match="video attachment is not valid base64"):
        streamed_body(request, attachment)
