"""The OpenRouter adapters against a real loopback upstream that answers strangely: caps, deadlines,
Retry-After, odd shapes and numbers, redirects instead of content, maintenance pages, echoed secrets."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from openrouter_multimodal.adapters.openrouter.catalog import OpenRouterCatalog
from openrouter_multimodal.adapters.openrouter.chat import OpenRouterChat
from openrouter_multimodal.adapters.openrouter.http import OpenRouterConfig, OpenRouterHttp, RetryPolicy
from openrouter_multimodal.adapters.openrouter.speech import OpenRouterSpeech
from openrouter_multimodal.adapters.openrouter.videos import OpenRouterVideos
from openrouter_multimodal.application.model_catalog import ModelCatalog
from openrouter_multimodal.domain.chat import ChatMessage, ChatRequest
from openrouter_multimodal.domain.errors import ErrorCode, OpenRouterMcpError, UpstreamError
from openrouter_multimodal.domain.generation import AudioRequest
from openrouter_multimodal.domain.model_id import ModelId
from tests.fakes import FakeClock
from tests.support import fault_upstream as fu
from tests.support.deep_json import nested
from tests.support.loopback import free_port

pytestmark = pytest.mark.anyio
KEY = "sk-or-v1-feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"
PATIENT = RetryPolicy(attempts=3, base_delay_s=0.001, max_delay_s=30.0, max_total_s=60.0)
MODEL = ModelId.parse("openai/gpt-4o-mini")
AUDIO = AudioRequest(ModelId.parse("openai/gpt-audio"), "hi", "alloy", "wav")
CATALOGUE = {"data": [{"id": "openai/gpt-4o-mini", "name": "GPT-4o mini", "context_length": 128000}]}


@asynccontextmanager
async def session(base_url: str, retry: RetryPolicy = PATIENT, **limits: Any) -> AsyncIterator[OpenRouterHttp]:
    config = OpenRouterConfig(api_key=KEY, base_url=base_url, **limits)
    http = OpenRouterHttp(config, retry=retry)
    try:
        yield http
    finally:
        await http.aclose()


def chat_reply(content: Any, **extra: Any) -> dict[str, Any]:
    return {"id": "gen-1", "model": "openai/gpt-4o-mini",
            "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}], **extra}


async def complete(http: OpenRouterHttp) -> Any:
    return await OpenRouterChat(http).complete(ChatRequest(model=MODEL, messages=(ChatMessage("user", "hi"),)))


def shown(error: OpenRouterMcpError) -> str:
    return json.dumps([error.message, list(error.suggestions), error.details], default=str)


# --- item 7: the catalogue ---------------------------------------------------------------------------------------


async def test_a_maintenance_page_is_an_error_and_the_last_good_catalogue_is_kept() -> None:
    maintenance = fu.body(200, b"<html><body>Down for maintenance</body></html>", "text/html")
    with fu.fault_upstream({("GET", "/models"): fu.json_reply(CATALOGUE)}) as upstream:
        async with session(upstream.base_url) as http:
            source = OpenRouterCatalog(http)
            clock = FakeClock()
            catalog = ModelCatalog(source=source, clock=clock, ttl_seconds=60)
            assert list(await catalog.models()) == ["openai/gpt-4o-mini"]
            upstream.routes[("GET", "/models")] = maintenance
            with pytest.raises(UpstreamError) as caught:
                await source.fetch_models()
            assert caught.value.code is ErrorCode.UPSTREAM_HTTP
            clock.advance(61)
            assert list(await catalog.models()) == ["openai/gpt-4o-mini"]
            upstream.routes[("GET", "/models")] = fu.json_reply({"error": None, "unexpected": True})
            with pytest.raises(UpstreamError):
                await source.fetch_models()


# --- item 6: only 2xx is a download ------------------------------------------------------------------------------


class ListSink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)


async def test_a_redirect_with_a_small_html_body_is_never_a_video() -> None:
    html = b"<html>Found</html>"
    statuses = (301, 302, 307)
    routes = {("GET", f"/videos/job-{status}/content"): fu.body(status, html, "text/html", Location="https://x.example/v.mp4")
              for status in statuses}
    with fu.fault_upstream(routes) as upstream:
        async with session(upstream.base_url) as http:
            for status in statuses:
                sink = ListSink()
                with pytest.raises(UpstreamError) as caught:
                    await OpenRouterVideos(http).download(f"job-{status}", 0, sink, 10_000_000)
                assert caught.value.status == status and caught.value.code is ErrorCode.UPSTREAM_HTTP
                assert sink.chunks == []


# --- item 8: secrets echoed by the upstream ----------------------------------------------------------------------


async def test_a_key_echoed_in_an_error_message_or_provider_raw_is_redacted() -> None:
    echo = {"error": {"code": 400, "message": f"Invalid header Authorization: Bearer {KEY}",
                      "metadata": {"provider_name": "Gateway", "raw": json.dumps({"error": {
                          "message": f"bad auth 'Bearer {KEY}' for key {KEY}"}})}}}
    with fu.fault_upstream({("POST", "/chat/completions"): fu.json_reply(echo, 400)}) as upstream:
        async with session(upstream.base_url) as http:
            with pytest.raises(UpstreamError) as caught:
                await complete(http)
    assert KEY not in shown(caught.value) and KEY[:20] not in shown(caught.value)
    assert "Bearer [REDACTED]" in caught.value.message


async def test_a_failed_video_jobs_error_does_not_carry_the_key() -> None:
    failed = {"id": "job-1", "status": "failed", "error": f"provider said: Authorization: Bearer {KEY} invalid"}
    with fu.fault_upstream({("GET", "/videos/job-1"): fu.json_reply(failed)}) as upstream:
        async with session(upstream.base_url) as http:
            snapshot = await OpenRouterVideos(http).poll("job-1")
    assert snapshot.status == "failed" and snapshot.error is not None
    assert KEY not in snapshot.error and "[REDACTED]" in snapshot.error


async def test_base_url_credentials_never_appear_in_a_network_error() -> None:
    port = free_port()  # nothing listens there
    async with session(f"http://user:S3cretPass@127.0.0.1:{port}/api/v1", RetryPolicy(attempts=1)) as http:
        with pytest.raises(UpstreamError) as caught:
            await complete(http)
        videos = OpenRouterVideos(http, f"http://user:S3cretPass@127.0.0.1:{port}/api/v1")
        snapshot = videos.parse_snapshot({"id": "job-1", "status": "pending",
                                          "unsigned_urls": [f"http://user:S3cretPass@127.0.0.1:{port}/v.mp4"]})
    assert "S3cretPass" not in shown(caught.value)
    assert f"http://127.0.0.1:{port}/api/v1" in caught.value.message
    assert snapshot.polling_url == f"http://127.0.0.1:{port}/api/v1/videos/job-1"
    assert "S3cretPass" not in json.dumps(snapshot.result_urls)


async def test_an_id_too_long_for_a_url_is_invalid_input_not_a_crash() -> None:
    with fu.fault_upstream({}) as upstream:
        async with session(upstream.base_url) as http:
            with pytest.raises(OpenRouterMcpError) as caught:
                await OpenRouterVideos(http).poll("v" * 70_000)
    assert caught.value.code is ErrorCode.INVALID_INPUT


# --- item 4: strange numbers and shapes --------------------------------------------------------------------------


async def test_a_reply_nested_200000_levels_deep_is_an_upstream_error() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    with fu.fault_upstream({("POST", "/chat/completions"): fu.body(200, deep)}) as upstream:
        async with session(upstream.base_url) as http:
            with pytest.raises(UpstreamError) as caught:
                await complete(http)
    assert caught.value.code is ErrorCode.UPSTREAM_HTTP


ODD_PROGRESS: list[Any] = [1e999, "1e999", float("nan"), "NaN", "half", 10**400, [], {"p": 1}, True]


async def test_odd_progress_or_cost_in_a_poll_never_raises() -> None:
    routes = {("GET", f"/videos/job-{n}"): fu.body(200, json.dumps(
        {"id": f"job-{n}", "status": "in_progress", "progress": progress, "usage": {"cost": "1e999999"}}
    ).encode().replace(b"Infinity", b"1e999")) for n, progress in enumerate(ODD_PROGRESS)}
    with fu.fault_upstream(routes) as upstream:
        async with session(upstream.base_url) as http:
            videos = OpenRouterVideos(http)
            for n in range(len(ODD_PROGRESS)):
                snapshot = await videos.poll(f"job-{n}")
                assert (snapshot.id, snapshot.status, snapshot.progress, snapshot.cost) == (
                    f"job-{n}", "in_progress", None, None), ODD_PROGRESS[n]


async def test_odd_shapes_in_a_chat_reply_give_a_plain_result() -> None:
    deep = nested(900, "bottom", key="n")
    odd = {"id": {"x": 1}, "model": "m" * 1_000_000, "provider": ["p"],
           "usage": {"prompt_tokens": 10**300, "completion_tokens": -5, "total_tokens": 1e308, "cost": 1e300,
                     "completion_tokens_details": [], "prompt_tokens_details": "x"},
           "choices": [{"finish_reason": {"why": nested(50, "bottom", key="n")}, "native_finish_reason": 7,
                        "message": {"content": "answer", "images": 5, "reasoning": 3,
                                    "annotations": [deep, {"type": "url_citation", "url_citation": {
                                        "url": "https://a.example", "title": "\x1b[31mT", "deep": deep}}]}}]}
    with fu.fault_upstream({("POST", "/chat/completions"): fu.json_reply(odd)}) as upstream:
        async with session(upstream.base_url) as http:
            result = await complete(http)
    assert (result.text, result.model, result.provider, result.finish_reason) == ("answer", "m" * 200, None, None)
    assert result.generation_id is None and result.images == () and result.reasoning is None
    assert result.usage is not None and (result.usage.prompt_tokens, result.usage.completion_tokens) == (0, 0)
    assert result.usage.cost is None
    assert result.annotations[1] == {"type": "url_citation",
                                     "url_citation": {"url": "https://a.example", "title": "T"}}
    json.dumps([result.annotations, result.model])


async def test_five_megabytes_of_escape_codes_come_back_as_clean_text() -> None:
    content = "\x1b[2J\x1b[31mX\x1b]0;pwned\x07\x9b1m\r" * 100_000
    with fu.fault_upstream({("POST", "/chat/completions"): fu.json_reply(chat_reply(content))}) as upstream:
        async with session(upstream.base_url, max_result_chars=200_000) as http:
            result = await complete(http)
    assert "\x1b" not in result.text and "\x9b" not in result.text and "\x07" not in result.text
    assert set(result.text.split("\n[cut:")[0]) <= {"X", "\n"}
    assert len(result.text) <= 200_000 + 200


async def test_result_text_is_capped_with_a_note() -> None:
    with fu.fault_upstream({("POST", "/chat/completions"): fu.json_reply(chat_reply("y" * 50_000))}) as upstream:
        async with session(upstream.base_url, max_result_chars=1_000) as http:
            result = await complete(http)
    assert result.text.startswith("y" * 1_000) and "${max_result_chars}" in result.text
    assert len(result.text) < 1_200


# --- items 1-3: caps, deadlines, Retry-After ---------------------------------------------------------------------


async def test_a_declared_or_streamed_body_over_the_cap_is_refused() -> None:
    routes = {("POST", "/chat/completions"): fu.json_reply(chat_reply("z" * 300_000)),
              ("GET", "/models"): fu.huge(50 * fu.MIB)}
    with fu.fault_upstream(routes) as upstream:
        async with session(upstream.base_url, max_response_bytes=100_000) as http:
            with pytest.raises(UpstreamError) as declared:
                await complete(http)
            with pytest.raises(UpstreamError) as streamed:
                await OpenRouterCatalog(http).fetch_models()
    for caught in (declared, streamed):
        assert caught.value.code is ErrorCode.RESOURCE_TOO_LARGE
        assert "${max_response_bytes}" in caught.value.message


async def test_a_gzip_bomb_stops_at_the_cap_and_honest_gzip_is_read() -> None:
    honest = gzip.compress(json.dumps(chat_reply("fine")).encode())
    routes = {("POST", "/chat/completions"): fu.gzipped(fu.gzip_bomb(64))}
    with fu.fault_upstream(routes) as upstream:
        async with session(upstream.base_url, max_response_bytes=1_000_000) as http:
            with pytest.raises(UpstreamError) as caught:
                await complete(http)
            upstream.routes[("POST", "/chat/completions")] = fu.gzipped(honest)
            assert (await complete(http)).text == "fine"
    assert caught.value.code is ErrorCode.RESOURCE_TOO_LARGE


async def test_a_drip_ends_at_the_total_deadline() -> None:
    with fu.fault_upstream({("POST", "/chat/completions"): fu.drip}) as upstream:
        async with session(upstream.base_url, timeout_s=1.0) as http:
            with pytest.raises(UpstreamError) as caught:
                await complete(http)
    assert caught.value.code is ErrorCode.UPSTREAM_TIMEOUT
    assert "${http_timeout_ms}" in caught.value.message


async def test_an_sse_stream_of_comments_ends_at_the_idle_limit() -> None:
    with fu.fault_upstream({("POST", "/chat/completions"): fu.endless_sse}) as upstream:
        async with session(upstream.base_url, timeout_s=30.0, stream_idle_timeout_s=0.5) as http:
            with pytest.raises(UpstreamError) as caught:
                await OpenRouterSpeech(http).generate(AUDIO)
    assert caught.value.code is ErrorCode.UPSTREAM_TIMEOUT
    assert "${stream_idle_timeout_ms}" in caught.value.message


async def test_an_sse_stream_that_never_ends_stops_at_the_total_deadline() -> None:
    with fu.fault_upstream({("POST", "/chat/completions"): fu.endless_sse_data}) as upstream:
        async with session(upstream.base_url, timeout_s=1.0, stream_idle_timeout_s=0.5) as http:
            with pytest.raises(UpstreamError) as caught:
                await OpenRouterSpeech(http).generate(AUDIO)
    assert caught.value.code is ErrorCode.UPSTREAM_TIMEOUT
    assert "${http_timeout_ms}" in caught.value.message


async def test_a_long_retry_after_returns_at_once_with_the_wait() -> None:
    limited = fu.json_reply({"error": {"code": 429, "message": "Rate limit exceeded"}}, 429, Retry_After="3600")
    with fu.fault_upstream({("GET", "/videos/job-1"): limited, ("GET", "/models"): limited}) as upstream:
        async with session(upstream.base_url) as http:
            with pytest.raises(UpstreamError) as polled:
                await OpenRouterVideos(http, PATIENT).poll("job-1")
            with pytest.raises(UpstreamError) as listed:
                await OpenRouterCatalog(http).fetch_models()
    for caught in (polled, listed):
        assert caught.value.code is ErrorCode.UPSTREAM_REFUSED and caught.value.retry_after_seconds == 3600
    assert upstream.count("GET", "/videos/job-1") == 1 and upstream.count("GET", "/models") == 1
