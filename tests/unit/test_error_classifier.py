"""The upstream error classifier and ``OpenRouterHttp`` (retries, lenient JSON, auth) over httpx.MockTransport."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from openrouter_multimodal.adapters.openrouter.errors import CREDITS_URL, classify, parse_retry_after
from openrouter_multimodal.adapters.openrouter.http import OpenRouterConfig, OpenRouterHttp, RetryPolicy, build_client
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, OpenRouterMcpError, UpstreamError

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-0123456789abcdef0123456789abcdef"
CTX = "chat_completion"
FAST = RetryPolicy(base_delay_s=0.001, max_delay_s=0.01)


def err(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, **extra}}


def text_of(error: OpenRouterMcpError) -> str:
    return " ".join([str(error), error.message, *error.suggestions, json.dumps(error.details, default=str)])


# --- classify -------------------------------------------------------------------------------------------------


def test_plain_400_is_invalid_input() -> None:
    error = classify(400, err(400, "temperature must be <= 2"), {}, CTX)
    assert error.code is ErrorCode.INVALID_INPUT
    assert isinstance(error, UpstreamError) and error.status == 400
    assert error.message.startswith("chat_completion: OpenRouter rejected the request")
    assert "temperature must be <= 2" in error.message


def test_401_is_unauthorized_and_names_the_variable() -> None:
    error = classify(401, err(401, "User not found."), {}, CTX)
    assert error.code is ErrorCode.UNAUTHORIZED
    assert "${api_key}" in error.message
    assert "User not found." in error.message


def test_402_says_how_to_get_more_credits() -> None:
    body = err(402, "This request requires more credits, or fewer max_tokens. You requested up to 65536 tokens, "
                    "but can only afford 1234.")
    error = classify(402, body, {}, CTX)
    assert error.code is ErrorCode.UPSTREAM_REFUSED
    assert error.details["reason"] == "credits"
    assert CREDITS_URL in error.message
    assert "lower max_tokens" in error.message
    assert "':free'" in error.message


@pytest.mark.parametrize("body", [err(402, "Payment Required"), {"error": {"message": "Nope"}},
                                  "<html>payment gateway</html>", {}])
def test_402_is_a_credits_refusal_by_its_status_alone(body: Any) -> None:
    error = classify(402, body, {}, CTX)
    assert error.code is ErrorCode.UPSTREAM_REFUSED
    assert error.details["reason"] == "credits"
    assert CREDITS_URL in error.message


def test_403_moderation_is_a_policy_refusal() -> None:
    body = err(403, "Your chosen model requires moderation and your input was flagged",
               metadata={"reasons": ["harassment"], "flagged_input": "...", "provider_name": "OpenAI"})
    error = classify(403, body, {}, CTX)
    assert error.code is ErrorCode.UPSTREAM_REFUSED
    assert error.details["reason"] == "policy"
    assert error.details["provider"] == "OpenAI"
    assert "moderation" in error.message


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "No endpoints found for google/gemini-2.5-flash:free."),
        (400, "x is not a valid model ID"),
        (400, "The model `foo/bar` does not exist"),
    ],
)
def test_unknown_models_are_model_not_found(status: int, message: str) -> None:
    error = classify(status, err(status, message), {}, CTX)
    assert error.code is ErrorCode.MODEL_NOT_FOUND
    assert "search_models" in error.message


def test_availability_code_without_a_code_field_is_model_not_found() -> None:
    body = {"error": {"message": "Unavailable.", "error_type": "model_not_found", "http_status": 404,
                      "availability": {"code": "model_not_found"}}}
    error = classify(404, body, {}, CTX)
    assert error.code is ErrorCode.MODEL_NOT_FOUND
    assert isinstance(error, UpstreamError) and error.status == 404


def test_zero_data_retention_mismatch() -> None:
    body = err(404, "No endpoints found matching your data policy (Zero Data Retention). Configure: "
                    "https://openrouter.ai/settings/privacy")
    error = classify(404, body, {}, CTX)
    assert error.code is ErrorCode.ZDR_INCOMPATIBLE
    assert "provider.zdr" in error.message


def test_429_with_delta_seconds_retry_after() -> None:
    error = classify(429, err(429, "Rate limit exceeded: free-models-per-min."), {"retry-after": "7"}, CTX)
    assert error.code is ErrorCode.UPSTREAM_REFUSED
    assert error.retry_after_seconds == 7.0
    assert error.details["reason"] == "rate_limit"
    assert "wait 7s" in error.message


def test_429_with_an_http_date_retry_after() -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    error = classify(429, err(429, "Too many requests"), {"retry-after": when}, CTX)
    assert error.code is ErrorCode.UPSTREAM_REFUSED
    assert error.retry_after_seconds is not None
    assert 100 <= error.retry_after_seconds <= 121


def test_429_without_retry_after_uses_the_availability_hint() -> None:
    body = err(429, "Too many requests", availability={"retry_after": 12})
    assert classify(429, body, {}, CTX).retry_after_seconds == 12.0


def test_408_is_a_timeout() -> None:
    assert classify(408, err(408, "Request Timeout"), {}, CTX).code is ErrorCode.UPSTREAM_TIMEOUT


def test_413_is_resource_too_large() -> None:
    error = classify(413, err(413, "Payload Too Large"), {}, CTX)
    assert error.code is ErrorCode.RESOURCE_TOO_LARGE
    assert "smaller" in error.message


@pytest.mark.parametrize("status", [500, 502])
def test_5xx_includes_the_providers_inner_message(status: int) -> None:
    raw = json.dumps({"error": {"message": "The engine is currently overloaded", "type": "server_error"}})
    body = err(status, "Provider returned error", metadata={"raw": raw, "provider_name": "Chutes"})
    error = classify(status, body, {}, CTX)
    assert error.code is ErrorCode.UPSTREAM_HTTP
    assert "Chutes: The engine is currently overloaded" in error.message
    assert error.details == {"status": status, "provider": "Chutes"}


def test_error_code_in_a_200_body_decides_the_status() -> None:
    error = classify(200, err(429, "Rate limit exceeded"), {}, CTX)
    assert error.code is ErrorCode.UPSTREAM_REFUSED
    assert isinstance(error, UpstreamError) and error.status == 429


def test_non_json_error_body_is_still_classified() -> None:
    error = classify(502, "<html>Bad gateway</html>", {}, CTX)
    assert error.code is ErrorCode.UPSTREAM_HTTP
    assert "Bad gateway" in error.message


def test_classified_messages_never_carry_the_request_key() -> None:
    headers = {"authorization": f"Bearer {KEY}", "retry-after": "1"}
    for status, body in [(401, err(401, "User not found.")), (429, err(429, "slow down")), (500, err(500, "oops"))]:
        assert KEY not in text_of(classify(status, body, headers, CTX))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), (" 2.5 ", 2.5), ("-3", 0.0), ("later please", None), ("", None), (None, None),
     ("inf", None), ("nan", None)],
)
def test_parse_retry_after_vectors(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_dates() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0


# --- OpenRouterHttp -------------------------------------------------------------------------------------------


class Upstream:
    """A scripted httpx handler: each call pops the next response (or exception) and records the request."""

    def __init__(self, *script: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step


def refused() -> httpx.ConnectError:
    return httpx.ConnectError("[Errno 111] Connection refused")


async def call(upstream: Upstream, method: str = "GET", *, key: str | None = KEY, retry: RetryPolicy = FAST,
               auth: bool = True) -> Any:
    config = OpenRouterConfig(api_key=key, base_url="https://openrouter.test/api/v1")
    async with build_client(config, httpx.MockTransport(upstream)) as client:
        http = OpenRouterHttp(config, retry=retry, client=client)
        body, _ = await http.request_json(method, "/chat/completions" if method == "POST" else "/models",
                                          context=CTX, json_body={"x": 1} if method == "POST" else None, auth=auth)
        return body


async def test_get_is_retried_on_503_then_succeeds() -> None:
    upstream = Upstream(httpx.Response(503, json=err(503, "busy")), httpx.Response(200, json={"data": []}))
    assert await call(upstream) == {"data": []}
    assert len(upstream.requests) == 2
    assert str(upstream.requests[0].url) == "https://openrouter.test/api/v1/models"


async def test_post_is_not_retried_on_503() -> None:
    upstream = Upstream(httpx.Response(503, json=err(503, "busy")), httpx.Response(200, json={"ok": True}))
    with pytest.raises(UpstreamError) as caught:
        await call(upstream, "POST")
    assert caught.value.code is ErrorCode.UPSTREAM_HTTP
    assert caught.value.status == 503
    assert len(upstream.requests) == 1


async def test_post_is_retried_when_the_connection_was_refused() -> None:
    upstream = Upstream(refused(), httpx.Response(200, json={"choices": []}))
    assert await call(upstream, "POST") == {"choices": []}
    assert len(upstream.requests) == 2


async def test_get_429_uses_every_attempt_when_retry_after_fits_then_reports_it() -> None:
    upstream = Upstream(httpx.Response(429, json=err(429, "Rate limit exceeded"), headers={"Retry-After": "0.005"}))
    with pytest.raises(UpstreamError) as caught:
        await call(upstream)
    assert len(upstream.requests) == FAST.attempts
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert caught.value.retry_after_seconds == 0.005


async def test_a_retry_after_longer_than_the_budget_is_not_slept() -> None:
    upstream = Upstream(httpx.Response(429, json=err(429, "Rate limit exceeded"), headers={"Retry-After": "3600"}))
    patient = RetryPolicy(attempts=5, base_delay_s=0.001, max_delay_s=30.0, max_total_s=60.0)
    with pytest.raises(UpstreamError) as caught:
        await call(upstream, retry=patient)
    assert len(upstream.requests) == 1
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert caught.value.retry_after_seconds == 3600.0


def test_next_wait_gives_up_on_a_retry_after_beyond_the_budget_and_honours_one_within() -> None:
    policy = RetryPolicy(attempts=5, base_delay_s=0.001, max_delay_s=10.0, max_total_s=30.0)
    assert policy.next_wait(0, 3600.0, waited=0.0, remaining=120.0) is None
    assert policy.next_wait(0, 11.0, waited=0.0, remaining=120.0) is None
    assert policy.next_wait(0, 5.0, waited=26.0, remaining=120.0) is None
    assert policy.next_wait(0, 5.0, waited=0.0, remaining=4.0) is None
    assert policy.next_wait(0, 5.0, waited=0.0, remaining=120.0) == 5.0


async def test_get_429_stops_when_the_wait_budget_is_spent() -> None:
    upstream = Upstream(httpx.Response(429, json=err(429, "Rate limit exceeded")))
    budget = RetryPolicy(attempts=5, base_delay_s=0.004, max_delay_s=0.01, max_total_s=0.005)
    with pytest.raises(UpstreamError):
        await call(upstream, retry=budget)
    assert 2 <= len(upstream.requests) < 5


async def test_json_with_leading_whitespace_is_parsed() -> None:
    upstream = Upstream(httpx.Response(200, content=b"\n\n   \n{\"data\": [{\"id\": \"a/b\"}]}"))
    assert await call(upstream) == {"data": [{"id": "a/b"}]}


async def test_http_200_with_an_error_body_raises() -> None:
    upstream = Upstream(httpx.Response(200, json=err(402, "Insufficient credits")))
    with pytest.raises(UpstreamError) as caught:
        await call(upstream, "POST")
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert caught.value.details["reason"] == "credits"


async def test_authorization_is_sent_but_never_in_the_error() -> None:
    upstream = Upstream(httpx.Response(401, json=err(401, "User not found.")))
    with pytest.raises(UpstreamError) as caught:
        await call(upstream)
    sent = upstream.requests[0].headers
    assert sent["authorization"] == f"Bearer {KEY}"
    assert sent["x-title"] == "openrouter-multimodal-mcp"
    assert "http-referer" in sent
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    assert KEY not in text_of(caught.value)


async def test_missing_key_is_a_configuration_error_without_any_request() -> None:
    upstream = Upstream(httpx.Response(200, json={}))
    with pytest.raises(ConfigurationError, match=r"\$\{api_key\}"):
        await call(upstream, key=None)
    assert upstream.requests == []


async def test_unauthenticated_requests_need_no_key() -> None:
    upstream = Upstream(httpx.Response(200, json={"data": []}))
    assert await call(upstream, key=None, auth=False) == {"data": []}
    assert "authorization" not in upstream.requests[0].headers


async def test_refused_connection_on_every_attempt_is_a_network_error() -> None:
    upstream = Upstream(refused())
    with pytest.raises(UpstreamError) as caught:
        await call(upstream, "POST")
    assert caught.value.code is ErrorCode.UPSTREAM_HTTP
    assert "${base_url}" in caught.value.message
    assert "https://openrouter.test/api/v1" in caught.value.message
    assert len(upstream.requests) == FAST.attempts
