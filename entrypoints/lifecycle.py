"""``closing``: a container resource that closes a singleton when the app stops.

Why not make the closeable object itself the resource: dependency-injector hands out an async resource as
a future, which turns every provider that depends on it (every use case, on every call) into an awaited
chain of futures, about 0.1-0.3 ms a call. The object is a plain singleton that dependents resolve at
once; this resource, opened by ``start`` with the others, only closes it at ``stop``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class Closeable(Protocol):
    async def aclose(self) -> None: ...


async def closing(target: Closeable) -> AsyncIterator[None]:
    """Yield nothing; at the app's stop, ``await target.aclose()``."""
    try:
        yield None
    finally:
        await target.aclose()
