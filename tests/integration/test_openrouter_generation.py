"""The generation adapters (images, speech, videos, rerank) replaying ``gen_*`` cassettes through OpenRouterHttp.

Request-shape checks, the video download cap and relative ``polling_url`` use httpx.MockTransport.
"""

from __future__ import annotations

import base64
import io
import json
import wave
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from openrouter_multimodal.adapters.openrouter.http import OpenRouterConfig, OpenRouterHttp, RetryPolicy
from openrouter_multimodal.adapters.openrouter.images import OpenRouterImages, extract_images, image_body
from openrouter_multimodal.adapters.openrouter.rerank import OpenRouterRerank
from openrouter_multimodal.adapters.openrouter.speech import OpenRouterSpeech
from openrouter_multimodal.adapters.openrouter.videos import OpenRouterVideos, video_body
from openrouter_multimodal.domain.errors import ErrorCode, ResourceTooLarge, UpstreamError
from openrouter_multimodal.domain.generation import AudioRequest, ImageRequest, RerankRequest, VideoRequest
from openrouter_multimodal.domain.model_id import ModelId
from tests.support.replay import use_cassette

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-test0000000000000000000000000000000000"
FAST = RetryPolicy(base_delay_s=0.001, max_delay_s=0.01)
MEDIA = Path(__file__).resolve().parent.parent / "fixtures" / "media"
VIDEO_ID = "vgen-1760000300-synthesizedjob0001"
IMAGE_MODEL = ModelId.parse("google/gemini-2.5-flash-image")
AUDIO_MODEL = ModelId.parse("openai/gpt-audio")
VIDEO_MODEL = ModelId.parse("google/veo-3.1")
Handler = Callable[[httpx.Request], httpx.Response]


@asynccontextmanager
async def upstream(handler: Handler | None = None, base_url: str = "https://openrouter.ai/api/v1",
                   ) -> AsyncIterator[OpenRouterHttp]:
    config = OpenRouterConfig(api_key=KEY, base_url=base_url)
    transport = httpx.MockTransport(handler) if handler else None
    http = OpenRouterHttp(config, retry=FAST, transport=transport)
    try:
        yield http
    finally:
        await http.aclose()


class ListSink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)


def sse(*chunks: dict[str, Any]) -> bytes:
    return ("".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode()


# --- images ------------------------------------------------------------------------------------------------------


async def test_recorded_image_generation_yields_the_png_bytes() -> None:
    with use_cassette("gen_image"):
        async with upstream() as http:
            result = await OpenRouterImages(http).generate(ImageRequest(IMAGE_MODEL, "A cat"))
    assert len(result.images) == 1
    image = result.images[0]
    assert image.mime == "image/png"
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"IEND" in image.data[-16:]
    assert result.text == "Here is a cat for you!"
    assert (result.model, result.provider, result.finish_reason) == (
        "google/gemini-2.5-flash-image-preview", "Google AI Studio", "stop")
    assert result.usage is not None and result.usage.completion_tokens == 1298


async def test_viewable_image_decodes_with_pillow() -> None:
    with use_cassette("gen_image_viewable"):
        async with upstream() as http:
            result = await OpenRouterImages(http).generate(ImageRequest(IMAGE_MODEL, "A gradient", aspect_ratio="4:3"))
    with Image.open(io.BytesIO(result.images[0].data)) as picture:
        assert (picture.format, picture.size) == ("PNG", (64, 48))
    assert result.usage is not None and result.usage.cost == Decimal("0.0387")


async def test_text_only_answer_is_a_result_with_no_images() -> None:
    with use_cassette("gen_image_text_only"):
        async with upstream() as http:
            result = await OpenRouterImages(http).generate(ImageRequest(IMAGE_MODEL, "Something odd"))
    assert result.images == ()
    assert result.text.startswith("I can't draw that")


def test_image_body_carries_config_references_and_modalities() -> None:
    request = ImageRequest(IMAGE_MODEL, "Make it blue", aspect_ratio="16:9", resolution="2K", max_tokens=512,
                           reference_images=("data:image/png;base64,AAAA", "https://example.com/a.jpg"))
    body = image_body(request)
    assert body["modalities"] == ["image", "text"]
    assert body["image_config"] == {"aspect_ratio": "16:9", "image_size": "2K"}
    assert body["max_tokens"] == 512
    content = body["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "Make it blue"}
    assert [p["image_url"]["url"] for p in content[1:]] == ["data:image/png;base64,AAAA", "https://example.com/a.jpg"]
    plain = image_body(ImageRequest(IMAGE_MODEL, "cat", modalities=("image",)))
    assert plain["messages"][0]["content"] == "cat" and plain["modalities"] == ["image"]
    assert "image_config" not in plain and "max_tokens" not in plain
    small = image_body(ImageRequest(IMAGE_MODEL, "cat", resolution="512"))
    assert small["image_config"] == {"image_size": "0.5K"}


def test_images_are_found_in_every_documented_place() -> None:
    png, jpg, gif = b"\x89PNG\r\n\x1a\nAAA", b"\xff\xd8\xff\xe0JPG", b"GIF89a-gif"
    b64 = {k: base64.b64encode(v).decode() for k, v in {"png": png, "jpg": jpg, "gif": gif}.items()}
    parts = {"content": [
        {"type": "text", "text": "here"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64['png']}"}},
        {"inline_data": {"data": b64["jpg"], "mime_type": "image/jpeg"}},
        {"type": "image", "data": b64["gif"], "mime_type": "image/gif"},
        {"type": "image_url", "image_url": {"url": "https://cdn.example.com/x.png"}},
    ], "images": [{"url": f"data:image/png;base64,{b64['png']}"}]}
    found = extract_images(parts)
    assert [(i.mime, i.data) for i in found] == [("image/png", png), ("image/jpeg", jpg), ("image/gif", gif)]
    embedded = {"content": f"Done: ![img](data:image/jpg;name=out.jpg;base64,{b64['jpg']}) enjoy"}
    assert [(i.mime, i.data) for i in extract_images(embedded)] == [("image/jpeg", jpg)]


async def test_text_with_an_embedded_data_url_is_returned_without_it() -> None:
    url = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nZ").decode()
    body = {"choices": [{"message": {"content": f"Here you go {url}"}, "finish_reason": "stop"}]}
    async with upstream(lambda request: httpx.Response(200, json=body)) as http:
        result = await OpenRouterImages(http).generate(ImageRequest(IMAGE_MODEL, "x"))
    assert result.text == "Here you go" and len(result.images) == 1
    assert result.model == "google/gemini-2.5-flash-image"


async def test_an_error_inside_the_choice_is_classified() -> None:
    body = {"choices": [{"error": {"code": 403, "message": "Input was flagged by moderation"}}]}
    async with upstream(lambda request: httpx.Response(200, json=body)) as http:
        with pytest.raises(UpstreamError) as info:
            await OpenRouterImages(http).generate(ImageRequest(IMAGE_MODEL, "x"))
    assert info.value.code is ErrorCode.UPSTREAM_REFUSED
    assert info.value.message.startswith("generate_image:")


# --- speech ------------------------------------------------------------------------------------------------------


async def test_streamed_pcm16_audio_is_joined_and_wrapped_as_wav() -> None:
    with use_cassette("gen_audio_stream"):
        async with upstream() as http:
            result = await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "Say hello", "alloy", "pcm16"))
    assert (result.format, result.mime) == ("wav", "audio/wav")
    with wave.open(io.BytesIO(result.data)) as reader:
        assert (reader.getnchannels(), reader.getframerate(), reader.getsampwidth()) == (1, 24000, 2)
        assert reader.getnframes() == 4800  # 0.2 s at 24 kHz
    assert result.transcript == "Hello from a test tone."
    assert (result.model, result.provider) == ("openai/gpt-audio", "OpenAI")
    assert result.usage is not None and result.usage.completion_tokens == 33
    assert result.usage.cost == Decimal("0.00062")


async def test_error_chunk_mid_stream_is_classified_despite_http_200() -> None:
    with use_cassette("gen_audio_stream_error"):
        async with upstream() as http:
            with pytest.raises(UpstreamError) as info:
                await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "Say hello", "alloy", "wav"))
    assert info.value.code is ErrorCode.UPSTREAM_HTTP and info.value.status == 502
    assert "audio synthesis backend unavailable" in info.value.message


async def test_recorded_stream_error_chunk_is_classified() -> None:
    with use_cassette("gen_stream_error_recorded"):
        async with upstream() as http:
            with pytest.raises(UpstreamError) as info:
                await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "Hello there", "alloy", "wav"))
    assert info.value.status == 400
    assert "Token limit reached" in info.value.message


async def test_stream_without_audio_is_a_refusal_quoting_the_transcript() -> None:
    stream = sse({"choices": [{"delta": {"audio": {"transcript": "I cannot say that."}}}]},
                 {"choices": [{"delta": {}, "finish_reason": "stop"}]})
    async with upstream(lambda r: httpx.Response(200, content=stream,
                                                 headers={"content-type": "text/event-stream"})) as http:
        with pytest.raises(UpstreamError) as info:
            await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "x", "alloy", "mp3"))
    assert info.value.code is ErrorCode.UPSTREAM_REFUSED
    assert "I cannot say that." in info.value.message
    assert info.value.details["reason"] == "no_audio_in_stream"


async def test_mp3_in_separately_padded_fragments_passes_through_and_request_is_streamed() -> None:
    mp3 = (MEDIA / "tone.mp3").read_bytes()
    pieces = [mp3[i:i + 1000] for i in range(0, len(mp3), 1000)]  # each fragment its own padded encoding
    stream = sse(*({"model": "openai/gpt-audio", "choices": [{"delta": {"audio": {
        "data": base64.b64encode(p).decode()}}}]} for p in pieces))
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=stream, headers={"content-type": "text/event-stream"})

    async with upstream(handler) as http:
        result = await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "Say hi", " nova ", "mp3"))
    assert (result.format, result.data) == ("mp3", mp3)
    sent = json.loads(seen[0].content)
    assert sent["stream"] is True and sent["modalities"] == ["text", "audio"]
    assert sent["audio"] == {"voice": "nova", "format": "mp3"}
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"


async def test_a_plain_json_answer_is_read_too_and_its_error_classified() -> None:
    pcm = bytes(480)
    answer = {"model": "openai/gpt-audio", "choices": [{"message": {"audio": {
        "data": base64.b64encode(pcm).decode(), "transcript": "ok", "sample_rate": 16000}}}]}
    async with upstream(lambda r: httpx.Response(200, json=answer)) as http:
        result = await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "x", "alloy", "pcm16"))
    with wave.open(io.BytesIO(result.data)) as reader:
        assert (reader.getframerate(), reader.getnframes()) == (16000, 240)
    failure = {"error": {"code": 400, "message": "audio is not supported for this model"}}
    async with upstream(lambda r: httpx.Response(200, json=failure)) as http:
        with pytest.raises(UpstreamError, match="audio is not supported"):
            await OpenRouterSpeech(http).generate(AudioRequest(AUDIO_MODEL, "x", "alloy", "wav"))


# --- videos ------------------------------------------------------------------------------------------------------


async def test_video_job_submit_poll_and_download() -> None:
    clip = (MEDIA / "clip.mp4").read_bytes()
    sink = ListSink()
    with use_cassette("gen_video_complete"):
        async with upstream() as http:
            videos = OpenRouterVideos(http)
            submitted = await videos.submit(VideoRequest(VIDEO_MODEL, "a river at dawn", duration=4))
            done = await videos.poll(submitted.id)
            mime = await videos.download(done.id, 0, sink, max_bytes=1_000_000)
    assert (submitted.id, submitted.status) == (VIDEO_ID, "pending")
    assert submitted.polling_url == f"https://openrouter.ai/api/v1/videos/{VIDEO_ID}"
    assert done.is_completed and done.progress == 100 and done.cost == Decimal("0.4")
    assert done.result_urls == (f"https://openrouter.ai/api/v1/videos/{VIDEO_ID}/content?index=0",)
    assert mime == "video/mp4"
    assert b"".join(sink.chunks) == clip


async def test_failed_video_job_is_a_snapshot_with_the_error() -> None:
    with use_cassette("gen_video_failed"):
        async with upstream() as http:
            snapshot = await OpenRouterVideos(http).poll(VIDEO_ID)
    assert snapshot.status == "failed" and snapshot.is_terminal
    assert snapshot.error == "The prompt was blocked by the provider's safety filter."


def test_video_body_shape_drops_unset_fields() -> None:
    request = VideoRequest(VIDEO_MODEL, "pan left", resolution="720p", seed=7, generate_audio=False,
                           frame_images=(("first_frame", "data:image/png;base64,AAAA"),),
                           reference_images=("https://example.com/ref.png",),
                           provider_options={"google-vertex": {"parameters": {"negativePrompt": "blur"}}})
    assert video_body(request) == {
        "model": "google/veo-3.1", "prompt": "pan left", "resolution": "720p", "seed": 7, "generate_audio": False,
        "frame_images": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"},
                          "frame_type": "first_frame"}],
        "input_references": [{"type": "image_url", "image_url": {"url": "https://example.com/ref.png"}}],
        "provider": {"options": {"google-vertex": {"parameters": {"negativePrompt": "blur"}}}}}
    assert video_body(VideoRequest(VIDEO_MODEL, "x")) == {"model": "google/veo-3.1", "prompt": "x"}


async def test_relative_polling_url_resolves_against_the_configured_origin_and_ids_are_quoted() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"id": "a/b c", "status": "in_progress", "progress": 42.4,
                                         "polling_url": "/api/v1/videos/a%2Fb%20c", "error": None})

    base = "https://proxy.example:8443/api/v1"
    async with upstream(handler, base_url=base) as http:
        snapshot = await OpenRouterVideos(http).poll(" a/b c ")
    assert seen == ["/api/v1/videos/a%2Fb%20c"]
    assert snapshot.polling_url == "https://proxy.example:8443/api/v1/videos/a%2Fb%20c"
    assert (snapshot.status, snapshot.progress, snapshot.is_terminal) == ("in_progress", 42, False)


async def test_submit_is_not_retried_but_poll_is() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "POST" or len(calls) == 2:
            return httpx.Response(503, json={"error": {"code": 503, "message": "Service Unavailable"}})
        return httpx.Response(200, json={"id": "j1", "status": "failed", "error": "quota exhausted"})

    async with upstream(handler) as http:
        videos = OpenRouterVideos(http, retry=FAST)
        with pytest.raises(UpstreamError) as info:
            await videos.submit(VideoRequest(VIDEO_MODEL, "x"))
        assert info.value.code is ErrorCode.UPSTREAM_HTTP and calls == ["POST"]
        snapshot = await videos.poll("j1")
    assert calls == ["POST", "GET", "GET"]
    assert snapshot.error == "quota exhausted"


async def test_poll_error_without_a_job_is_classified() -> None:
    body = {"error": {"code": 404, "message": "Video job not found"}}
    async with upstream(lambda r: httpx.Response(200, json=body)) as http:
        with pytest.raises(UpstreamError, match="Video job not found"):
            await OpenRouterVideos(http).poll("nope")


async def test_download_refuses_a_declared_length_over_the_cap_before_reading() -> None:
    sink = ListSink()
    async with upstream(lambda r: httpx.Response(200, content=b"x" * 5000, headers={"content-type": "video/mp4"})) \
            as http:
        with pytest.raises(ResourceTooLarge) as info:
            await OpenRouterVideos(http).download("j1", 0, sink, max_bytes=4096)
    assert "${video_gen_max_bytes}" in info.value.message
    assert info.value.details["size_bytes"] == 5000
    assert sink.chunks == []


async def test_download_enforces_the_cap_while_streaming_without_content_length() -> None:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"v" * 1000

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body(), headers={"content-type": "video/webm"})

    sink = ListSink()
    async with upstream(handler) as http:
        with pytest.raises(ResourceTooLarge, match=r"\$\{video_gen_max_bytes\}"):
            await OpenRouterVideos(http).download("j1", 2, sink, max_bytes=3500)
    assert sum(map(len, sink.chunks)) <= 3500
    assert seen[0].url.path == "/api/v1/videos/j1/content" and seen[0].url.params["index"] == "2"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"


async def test_download_of_a_json_error_is_classified() -> None:
    body = {"error": {"code": 404, "message": "No content for this job yet"}}
    async with upstream(lambda r: httpx.Response(200, json=body)) as http:
        with pytest.raises(UpstreamError, match="No content for this job yet"):
            await OpenRouterVideos(http).download("j1", 0, ListSink(), max_bytes=10)


# --- rerank ------------------------------------------------------------------------------------------------------


async def test_rerank_returns_hits_best_first_with_documents_and_cost() -> None:
    docs = ("Berlin has many museums.", "Bananas are yellow.", "Paris is the capital of France.")
    with use_cassette("gen_rerank"):
        async with upstream() as http:
            result = await OpenRouterRerank(http).rerank(
                RerankRequest(ModelId.parse("cohere/rerank-v3.5"), "capital of France", docs, top_n=3))
    assert [(h.index, h.document) for h in result.hits] == [(2, docs[2]), (0, docs[0]), (1, docs[1])]
    assert result.hits[0].score == pytest.approx(0.912)
    assert (result.model, result.provider, result.cost) == ("cohere/rerank-v3.5", "Cohere", Decimal("0.002"))


async def test_rerank_accepts_score_and_falls_back_to_the_input_documents() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"results": [{"index": 1, "score": 0.2}, {"index": 0, "score": 0.9,
                                                                                  "document": "alpha"},
                                                     {"index": "bad", "score": 1}, {"index": 5, "score": 0.1}]})

    async with upstream(handler) as http:
        result = await OpenRouterRerank(http).rerank(RerankRequest(ModelId.parse("cohere/rerank-v3.5"), "q",
                                                                   ("alpha", "beta")))
    assert seen == [{"model": "cohere/rerank-v3.5", "query": "q", "documents": ["alpha", "beta"]}]
    assert [(h.index, h.score, h.document) for h in result.hits] == [(0, 0.9, "alpha"), (1, 0.2, "beta"),
                                                                     (5, 0.1, None)]
    assert result.model == "cohere/rerank-v3.5" and result.usage is None
