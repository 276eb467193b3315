"""The shared OpenRouter HTTP session: auth, attribution, lenient JSON, bounded retries."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from ...domain.errors import ErrorCode, UpstreamError, missing_api_key
from .errors import classify, parse_retry_after

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 524, 529})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Jittered exponential backoff; ``max_total_s`` bounds the time spent waiting across attempts."""

    attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 10.0
    max_total_s: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = self.base_delay_s * (2**attempt) * random.uniform(0.5, 1.5)
        return float(min(max(backoff, retry_after or 0.0), self.max_delay_s))


@dataclass(frozen=True, slots=True)
class OpenRouterConfig:
    api_key: str | None
    base_url: str = "https://openrouter.ai/api/v1"
    referer: str = "https://github.com/openrouter-multimodal-mcp/openrouter-multimodal-mcp"
    title: str = "openrouter-multimodal-mcp"
    timeout_s: float = 120.0
    connect_timeout_s: float = 10.0


def build_client(config: OpenRouterConfig, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The one ``httpx.AsyncClient`` for the upstream. The key is sent per request, never stored in headers
    that a log line could print."""
    headers = {"HTTP-Referer": config.referer, "X-Title": config.title, "X-OpenRouter-Title": config.title,
               "User-Agent": f"{config.title} (+{config.referer})"}
    timeout = httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s)
    return httpx.AsyncClient(base_url=config.base_url.rstrip("/") + "/", headers=headers, timeout=timeout,
                             transport=transport)


class BearerAuth(httpx.Auth):
    """Adds the key at send time, so it never sits in a headers dict that a traceback could show."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth([REDACTED])"


def parse_json(text: str) -> Any:
    """Parse a body that may start with whitespace padding (OpenRouter keep-alives)."""
    return json.loads(text.lstrip())


class OpenRouterHttp:
    """Sends requests to OpenRouter and turns every failure into a classified ``UpstreamError``.

    Retries 429/5xx and connection failures only for idempotent requests (GET); a POST is
    retried only when the connection never opened, because a generation may be billed.
    An ``error`` key in the body is an error whatever the HTTP status.
    """

    def __init__(self, client: httpx.AsyncClient, config: OpenRouterConfig,
                 retry: RetryPolicy | None = None) -> None:
        self._client = client
        self._config = config
        self._retry = retry or RetryPolicy()
        self._bearer = BearerAuth(config.api_key) if config.api_key else None

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def configured(self) -> bool:
        return bool(self._config.api_key)

    def ensure_configured(self) -> None:
        if not self._config.api_key:
            raise missing_api_key()

    def _auth(self, auth: bool) -> BearerAuth | None:
        if not auth:
            return None
        self.ensure_configured()
        return self._bearer

    async def request_json(self, method: str, path: str, *, context: str, json_body: Any = None,
                           params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                           auth: bool = True,
                           content_factory: Callable[[], tuple[Any, dict[str, str]]] | None = None,
                           ) -> tuple[Any, httpx.Headers]:
        """One JSON exchange. ``content_factory`` builds a fresh streamed body for each attempt."""
        bearer = self._auth(auth)
        send_headers = dict(headers or {})
        idempotent = method in ("GET", "HEAD")
        waited = 0.0
        for attempt in range(self._retry.attempts):
            last = attempt == self._retry.attempts - 1
            content, extra = content_factory() if content_factory else (None, {})
            try:
                response = await self._client.request(method, path.lstrip("/"), json=json_body, params=params,
                                                      content=content, headers={**send_headers, **extra},
                                                      auth=bearer or httpx.USE_CLIENT_DEFAULT)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last or waited >= self._retry.max_total_s:
                    raise _network_error(exc, context, self._config.base_url) from None
                delay = self._retry.delay(attempt, None)
            except httpx.TimeoutException as exc:
                raise _network_error(exc, context, self._config.base_url) from None
            except httpx.TransportError as exc:
                if not idempotent or last:
                    raise _network_error(exc, context, self._config.base_url) from None
                delay = self._retry.delay(attempt, None)
            else:
                body = _decode(response)
                has_error = isinstance(body, dict) and body.get("error") is not None
                if response.status_code < 400 and not has_error:
                    return body, response.headers
                retryable = idempotent and response.status_code in RETRYABLE_STATUS
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if not retryable or last or waited >= self._retry.max_total_s:
                    raise classify(response.status_code, body, response.headers, context)
                delay = self._retry.delay(attempt, retry_after)
            delay = min(delay, max(0.0, self._retry.max_total_s - waited))
            waited += delay
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def stream(self, method: str, path: str, *, context: str, json_body: Any = None,
                     content: Any = None, headers: Mapping[str, str] | None = None,
                     auth: bool = True) -> AsyncIterator[httpx.Response]:
        """Open a streamed response (SSE or binary download); error statuses are classified first."""
        bearer = self._auth(auth)
        try:
            async with self._client.stream(method, path.lstrip("/"), json=json_body, content=content,
                                           headers=dict(headers or {}),
                                           auth=bearer or httpx.USE_CLIENT_DEFAULT) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise classify(response.status_code, _decode(response), response.headers, context)
                yield response
        except httpx.TransportError as exc:
            raise _network_error(exc, context, self._config.base_url) from None

    async def aclose(self) -> None:
        await self._client.aclose()


def _decode(response: httpx.Response) -> Any:
    try:
        return parse_json(response.text)
    except ValueError:
        return {"error": {"message": response.text.strip()[:300] or f"HTTP {response.status_code}",
                          "code": response.status_code}} if response.status_code >= 400 else response.text


def _network_error(exc: httpx.TransportError, context: str, base_url: str) -> UpstreamError:
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return UpstreamError(f"{context}: OpenRouter did not answer in time: retry, lower max_tokens, "
                             "or choose a faster model.", code=ErrorCode.UPSTREAM_TIMEOUT,
                             suggestions=("Retry", "Use a ':nitro' variant"))
    return UpstreamError(f"{context}: could not reach {base_url} ({type(exc).__name__}): check the network "
                         "or OPENROUTER_BASE_URL, then retry.", code=ErrorCode.UPSTREAM_HTTP,
                         suggestions=("Retry after a short delay",))
