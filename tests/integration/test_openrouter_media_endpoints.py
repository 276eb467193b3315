"""Contract tests: the dedicated-endpoint adapters replaying the SYNTHESIZED ``media_*`` cassettes (documented
shapes) through OpenRouterHttp, plus the request bodies they send (httpx.MockTransport)."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
from PIL import Image

from openrouter_multimodal.adapters.openrouter.embeddings import OpenRouterEmbeddings
from openrouter_multimodal.adapters.openrouter.generations import OpenRouterGenerations
from openrouter_multimodal.adapters.openrouter.http import OpenRouterConfig, OpenRouterHttp, RetryPolicy
from openrouter_multimodal.adapters.openrouter.images_api import OpenRouterImagesApi
from openrouter_multimodal.adapters.openrouter.media_listings import listings
from openrouter_multimodal.adapters.openrouter.transcriptions import OpenRouterTranscriptions
from openrouter_multimodal.adapters.openrouter.tts import OpenRouterTts
from openrouter_multimodal.domain.caller import Attribution
from openrouter_multimodal.domain.embeddings import EmbeddingRequest
from openrouter_multimodal.domain.errors import UpstreamError
from openrouter_multimodal.domain.generation import ImageRequest, pcm16_to_wav
from openrouter_multimodal.domain.model_id import ModelId
from openrouter_multimodal.domain.transcription import TranscriptionRequest
from openrouter_multimodal.domain.tts import SpeechRequest
from tests.support.replay import use_cassette

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-test0000000000000000000000000000000000"
SEEDREAM = ModelId.parse("bytedance-seed/seedream-4.5")
TTS = ModelId.parse("openai/gpt-4o-mini-tts-2025-12-15")
STT = ModelId.parse("openai/whisper-large-v3")
EMBEDDER = ModelId.parse("openai/text-embedding-3-small")
SESSION = Attribution(user="u-1", session_id="s-1")
Handler = Callable[[httpx.Request], httpx.Response]


@asynccontextmanager
async def upstream(handler: Handler | None = None) -> AsyncIterator[OpenRouterHttp]:
    transport = httpx.MockTransport(handler) if handler else None
    http = OpenRouterHttp(OpenRouterConfig(api_key=KEY), retry=RetryPolicy(base_delay_s=0.001), transport=transport)
    try:
        yield http
    finally:
        await http.aclose()


def recorder(reply: httpx.Response) -> tuple[list[httpx.Request], Handler]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply

    return seen, handler


async def test_images_endpoint_returns_every_variant_with_usage_and_generation_id() -> None:
    with use_cassette("media_images_n3"):
        async with upstream() as http:
            result = await OpenRouterImagesApi(http).generate(ImageRequest(SEEDREAM, "three pandas", n=3))
    assert len(result.images) == 3 and result.usage is not None and result.usage.cost == Decimal("0.12")
    assert result.generation_id == "gen-1760000500-synthesizedimages01"
    with Image.open(io.BytesIO(result.images[2].data)) as image:
        assert image.size == (64, 36)


async def test_images_request_carries_options_and_the_session_only_as_a_header() -> None:
    seen, handler = recorder(httpx.Response(200, json={"created": 1, "data": []}))
    async with upstream(handler) as http:
        await OpenRouterImagesApi(http).generate(ImageRequest(
            SEEDREAM, "x", n=2, seed=5, output_format="jpeg", resolution="2K", aspect_ratio="16:9",
            reference_images=("data:image/png;base64,AAAA",), attribution=SESSION))
    body = json.loads(seen[0].content)
    assert body == {"model": str(SEEDREAM), "prompt": "x", "n": 2, "aspect_ratio": "16:9", "resolution": "2K",
                    "seed": 5, "output_format": "jpeg",
                    "input_references": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}
    assert seen[0].url.path.endswith("/images") and seen[0].headers["x-session-id"] == "s-1"


async def test_speech_pcm_is_wrapped_as_wav_and_its_cost_comes_from_the_generation_record() -> None:
    with use_cassette("media_speech_pcm"):
        async with upstream() as http:
            result = await OpenRouterTts(http).synthesize(SpeechRequest(TTS, "Hello", voice="alloy"))
            cost = await OpenRouterGenerations(http).cost(result.generation_id or "")
    assert result.format == "wav" and result.usage is None and cost == Decimal("0.0021")
    with wave.open(io.BytesIO(result.data)) as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getnframes()) == (1, 24_000, 4_800)


async def test_speech_request_puts_style_under_provider_options_and_an_error_body_is_classified() -> None:
    seen, handler = recorder(httpx.Response(200, content=b"ID3\x04" + b"\0" * 64,
                                            headers={"content-type": "audio/mpeg"}))
    async with upstream(handler) as http:
        result = await OpenRouterTts(http).synthesize(SpeechRequest(
            TTS, "Hi", voice="nova", response_format="mp3", speed=1.5,
            provider_options={"openai": {"instructions": "warm"}}, attribution=SESSION))
    assert result.format == "mp3" and json.loads(seen[0].content) == {
        "model": str(TTS), "input": "Hi", "response_format": "mp3", "voice": "nova", "speed": 1.5,
        "provider": {"options": {"openai": {"instructions": "warm"}}}}
    with use_cassette("media_speech_error"):
        async with upstream() as http:
            with pytest.raises(UpstreamError, match="Invalid voice") as caught:
                await OpenRouterTts(http).synthesize(SpeechRequest(TTS, "Hi", voice="bogus"))
    assert caught.value.status == 400


async def test_transcription_returns_segments_usage_and_sends_raw_base64() -> None:
    with use_cassette("media_transcription"):
        async with upstream() as http:
            result = await OpenRouterTranscriptions(http).transcribe(TranscriptionRequest(
                STT, pcm16_to_wav(b"\0\0" * 100), "wav", timed=True))
    assert result.text == "Hello from a test tone." and len(result.segments) == 3
    assert result.segments[1].start == 0.2 and result.usage is not None and result.usage.cost == Decimal("0.000006")
    assert result.generation_id == "gen-1760000700-synthesizedstt00001" and result.duration_s == 0.6
    seen, handler = recorder(httpx.Response(200, json={"text": "ok"}))
    async with upstream(handler) as http:
        await OpenRouterTranscriptions(http).transcribe(TranscriptionRequest(STT, b"abc", "mp3", language="de"))
    body = json.loads(seen[0].content)
    assert body == {"model": str(STT), "input_audio": {"data": "YWJj", "format": "mp3"}, "response_format": "json",
                    "language": "de"}


async def test_embeddings_come_back_in_input_order_with_usage() -> None:
    with use_cassette("media_embeddings"):
        async with upstream() as http:
            result = await OpenRouterEmbeddings(http).embed(EmbeddingRequest(EMBEDDER, ("a", "b", "c")))
    assert len(result.vectors) == 3 and result.dimensions == 8 and result.usage is not None
    assert result.usage.cost == Decimal("3E-7") and result.generation_id == "embd-1760000800-synthesized0001"


@pytest.mark.parametrize("data,fragment", [
    ([{"index": 0, "embedding": [0.1]}], "1 embeddings for 2 texts"),
    ([{"index": 0, "embedding": [0.1]}, {"index": 1, "embedding": [0.1, 0.2]}], "different lengths"),
    ([{"index": 0, "embedding": [0.1]}, {"index": 1, "embedding": ["x"]}], "not a list of numbers"),
])
async def test_embeddings_that_do_not_match_the_texts_are_an_error(data: list[Any], fragment: str) -> None:
    _, handler = recorder(httpx.Response(200, json={"data": data}))
    async with upstream(handler) as http:
        with pytest.raises(UpstreamError, match=fragment):
            await OpenRouterEmbeddings(http).embed(EmbeddingRequest(EMBEDDER, ("a", "b")))


async def test_the_dedicated_listings_parse_descriptors_voices_and_filter_by_output() -> None:
    with use_cassette("media_all"):
        async with upstream() as http:
            sources = listings(http)
            images = {card.id: card for card in await sources["images"].fetch_models()}
            speech = await sources["speech"].fetch_models()
            embeddings = await sources["embeddings"].fetch_models()
    seedream = images["bytedance-seed/seedream-4.5"]
    n = seedream.spec("n")
    assert n is not None and n.allows(4) and not n.allows(5) and seedream.spec("quality") is None
    assert [card.id for card in speech] == [str(TTS)] and speech[0].voices[:2] == ("alloy", "ash")
    assert [card.id for card in embeddings] == [str(EMBEDDER)]


async def test_a_generation_record_that_is_not_there_yet_is_retried_then_read() -> None:
    answers = [httpx.Response(404, json={"error": {"code": 404, "message": "Generation not found"}}),
               httpx.Response(200, json={"data": {"id": "gen-1", "total_cost": 0.5}})]
    seen, _ = recorder(answers[0])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[min(len(seen), 2) - 1]

    async with upstream(handler) as http:
        cost = await OpenRouterGenerations(http, wait_s=0.001).cost("gen-1")
    assert cost == Decimal("0.5") and len(seen) == 2 and seen[0].url.params["id"] == "gen-1"
