"""Ports for fetching remote media by URL: name resolution and the guarded HTTP download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.setting_refs import setting


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Bounds on one download; ``setting_prefix`` (``image``, ``audio``, ``video``) names the settings a user raises
    when one is hit, as ``${<prefix>_max_download_bytes}`` placeholders.

    ``timeout_s`` covers the whole exchange (resolution, every redirect hop and the body), and
    ``max_bytes`` caps the decoded body whatever ``Content-Length`` claims.
    """

    max_bytes: int
    max_redirects: int
    timeout_s: float
    setting_prefix: str = "media"

    def setting(self, limit: str) -> str:
        """The placeholder for this kind's ``limit`` setting: ``${image_max_redirects}`` for ``max_redirects``."""
        return setting(f"{self.setting_prefix}_{limit}")


@dataclass(frozen=True, slots=True)
class FetchedResource:
    """A downloaded body with the URL it finally came from (after redirects)."""

    final_url: str
    content_type: str | None
    data: bytes


class Resolver(Protocol):
    """Name resolution (DNS) as a port.

    The fetcher checks the addresses this returns and then connects to exactly those, so the
    resolver is the single source of truth for where a name points. Being a port lets tests
    resolve invented names to loopback test servers deliberately, and lets them prove a name is
    looked up once per hop.
    """

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` resolves to as IP strings, or an empty list when it does not."""
        ...


class UrlFetcher(Protocol):
    """Downloads a caller-supplied http(s) URL without letting it reach private networks."""

    async def fetch(self, url: str, limits: FetchLimits) -> FetchedResource:
        """The body at ``url``; raises ``InvalidInput``, ``ResourceTooLarge`` or ``UpstreamError``."""
        ...

    async def aclose(self) -> None:
        """Release connections held by the fetcher."""
        ...
