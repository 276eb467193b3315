"""The upstream session's settings: retry policy, limits and deadline, the httpx client and the key's auth."""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx

from .body import ACCEPT_ENCODING
from .pool import ShardedTransport, proxied

MIB = 1024 * 1024


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

    def next_wait(self, attempt: int, retry_after: float | None, waited: float, remaining: float) -> float | None:
        """Seconds to sleep before the next attempt, or None to give up now.

        A ``Retry-After`` longer than the largest single wait or the budget left (``max_total_s``
        minus ``waited``, and the call's own ``remaining`` deadline) is not slept at all: the error
        goes back at once with ``retry_after_seconds``, rather than waiting and failing anyway.
        """
        budget = min(self.max_total_s - waited, remaining)
        if budget <= 0 or (retry_after is not None and retry_after > min(self.max_delay_s, budget)):
            return None
        return min(self.delay(attempt, retry_after), budget)


@dataclass(frozen=True, slots=True)
class OpenRouterConfig:
    """``timeout_s`` is one total deadline per upstream call (connect, headers, body and retries together).

    The pool is sized for bursts: ``max_connections`` calls in flight at once (httpx's default is 100, so a
    burst of 200 ran in two waves), and as many idle connections kept for ``keepalive_s``, so the next burst
    reuses them instead of paying a TCP and TLS handshake each (httpx keeps only 20, for 5 s)."""

    api_key: str | None
    base_url: str = "https://openrouter.ai/api/v1"
    referer: str = "https://github.com/openrouter-multimodal-mcp/openrouter-multimodal-mcp"
    title: str = "openrouter-multimodal-mcp"
    timeout_s: float = 120.0
    connect_timeout_s: float = 10.0
    max_connections: int = 256
    max_keepalive: int = 256
    keepalive_s: float = 60.0
    max_response_bytes: int = 8 * MIB
    max_media_response_bytes: int = 64 * MIB
    stream_idle_timeout_s: float = 60.0
    max_result_chars: int = 200_000


def build_client(config: OpenRouterConfig, transport: httpx.AsyncBaseTransport | None = None,
                 event_hooks: dict[str, list[Callable[..., Any]]] | None = None) -> httpx.AsyncClient:
    """The one ``httpx.AsyncClient`` for the upstream. The key is sent per request, never stored in headers
    that a log line could print. Only encodings that ``body`` can inflate in bounded pieces are accepted."""
    headers = {"HTTP-Referer": config.referer, "X-Title": config.title, "X-OpenRouter-Title": config.title,
               "User-Agent": f"{config.title} (+{config.referer})", "Accept-Encoding": ACCEPT_ENCODING}
    timeout = httpx.Timeout(config.timeout_s, connect=min(config.connect_timeout_s, config.timeout_s))
    limits = httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=config.max_keepalive,
                          keepalive_expiry=config.keepalive_s)
    if transport is None and not proxied(config.base_url):
        transport = ShardedTransport(limits)
    return httpx.AsyncClient(base_url=config.base_url.rstrip("/") + "/", headers=headers, timeout=timeout,
                             limits=limits, transport=transport, event_hooks=event_hooks)


class BearerAuth(httpx.Auth):
    """Adds the key at send time, so it never sits in a headers dict that a traceback could show."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth([REDACTED])"
