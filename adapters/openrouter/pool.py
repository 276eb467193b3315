"""``ShardedTransport``: the upstream connection pool split into small pools, so a burst of calls stays cheap.

Why: httpcore's pool scans every connection for every queued request each time a request arrives or
ends (O(connections x requests), encode/httpcore#1035). At 200 simultaneous calls on 200 connections
that bookkeeping took about 3 s of CPU, serialising the burst behind it. Pools of ``SHARD_CONNECTIONS``
keep each scan short. A request goes to the pool with the fewest requests in flight (the first on a
tie), so sequential calls reuse one warm connection and a burst spreads over all of them. All pools
share one TLS context, built with the transport (on the first upstream call, never at start-up).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import httpx

SHARD_CONNECTIONS = 32


def proxied(url: str) -> bool:
    """Whether the environment sends ``url`` through a proxy (``HTTPS_PROXY``, ``ALL_PROXY``...): httpx applies
    those only to a client that builds its own transport, so such a client keeps httpx's single pool."""
    parts = urlsplit(url)
    proxies = getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not (parts.hostname and proxy_bypass(parts.hostname))


class ShardedTransport(httpx.AsyncBaseTransport):
    """``limits`` split over ``ceil(max_connections / SHARD_CONNECTIONS)`` ``AsyncHTTPTransport`` pools."""

    def __init__(self, limits: httpx.Limits) -> None:
        total = limits.max_connections or SHARD_CONNECTIONS
        count = max(1, math.ceil(total / SHARD_CONNECTIONS))
        keep = limits.max_keepalive_connections
        shard_limits = httpx.Limits(
            max_connections=math.ceil(total / count),
            max_keepalive_connections=None if keep is None else math.ceil(keep / count),
            keepalive_expiry=limits.keepalive_expiry)
        tls = httpx.create_ssl_context()
        self._shards = [httpx.AsyncHTTPTransport(verify=tls, limits=shard_limits) for _ in range(count)]
        self._busy = [0] * count

    @property
    def shards(self) -> int:
        return len(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = self._busy.index(min(self._busy))
        self._busy[index] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._busy[index] -= 1

        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _Released(response.stream, release)
        else:
            release()
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed (the request is no longer in flight)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._release()
