"""``OpenRouterGenerations``: a finished generation's cost from ``GET /generation?id=`` (the CostLookup port)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal

from ...domain.errors import UpstreamError
from .http import OpenRouterHttp
from .wire import decimal_or_none

CONTEXT = "generation cost"


class OpenRouterGenerations:
    """The record can answer 404 for a few hundred ms to seconds after a call ends, so a 404 is retried
    ``attempts`` times with growing waits, all within ``timeout_s``; past that the lookup fails (the
    caller then reports no cost)."""

    def __init__(self, http: OpenRouterHttp, *, attempts: int = 3, timeout_s: float = 5.0,
                 wait_s: float = 0.5) -> None:
        self._http = http
        self._attempts = attempts
        self._timeout_s = timeout_s
        self._wait_s = wait_s

    async def cost(self, generation_id: str) -> Decimal | None:
        async with asyncio.timeout(self._timeout_s):
            for attempt in range(self._attempts):
                try:
                    body, _ = await self._http.request_json("GET", "generation", params={"id": generation_id},
                                                            context=CONTEXT)
                except UpstreamError as exc:
                    if exc.status != 404 or attempt == self._attempts - 1:
                        raise
                    await asyncio.sleep(self._wait_s * (attempt + 1))
                    continue
                data = body.get("data") if isinstance(body, Mapping) else None
                return decimal_or_none(data.get("total_cost")) if isinstance(data, Mapping) else None
        return None
