"""Test harness: a real container and the real in-memory MCP client, driven from sync or async code."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.types import CallToolResult

from openrouter_multimodal.entrypoints.bootstrap import bootstrap
from openrouter_multimodal.entrypoints.container import Container, shutdown
from openrouter_multimodal.entrypoints.server import OpenRouterMcpServer, build_server
from openrouter_multimodal.entrypoints.settings import Settings

TEST_KEY = "sk-or-v1-0000000000000000000000000000000000000000000000000000000000test"
LIVE_KEY = os.environ.get("OPENROUTER_TEST_KEY")


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"api_key": LIVE_KEY or TEST_KEY, **overrides}
    return Settings(**values)


def make_container(settings: Settings | None = None, problem: str | None = None) -> Container:
    container, _ = bootstrap(settings or make_settings())
    if problem:
        container.configuration_problem.override(problem)
    return container


def record_requests(container: Container, sink: list[httpx.Request]) -> None:
    """Keep every request the shared upstream client sends (an httpx event hook; works under vcrpy)."""
    from dependency_injector import providers

    async def hook(request: httpx.Request) -> None:
        sink.append(request)

    container.upstream.request_hooks.override(providers.Object([hook]))


class FakeResolver:
    """Our Resolver port, answering from a fixed table (names map to deliberately chosen addresses)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return list(self.table.get(host, []))


def test_fetcher(table: dict[str, list[str]], loopback_names: set[str]) -> Any:
    """A real SafeHttpFetcher whose resolver is a table; loopback is allowed only for ``loopback_names``."""
    from dependency_injector import providers

    from openrouter_multimodal.adapters.safe_fetcher import SafeHttpFetcher
    from openrouter_multimodal.domain.network_policy import refusal_reason

    table = {**table, **{name: ["127.0.0.1"] for name in loopback_names}}

    def policy(address: Any) -> str | None:
        if loopback_names and str(address) == "127.0.0.1":
            return None
        return refusal_reason(address)

    return providers.Singleton(SafeHttpFetcher, FakeResolver(table), "bdd-tests/1.0", address_policy=policy)


class SyncMcp:
    """Holds one in-memory ``mcp.Client`` session open on a portal thread, for sync pytest-bdd steps."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self._portal = portal
        self._client = client

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
        return self._portal.call(self._client.call_tool, name, arguments or {})

    def list_tools(self) -> Any:
        return self._portal.call(self._client.list_tools)


@contextlib.contextmanager
def sync_client(server: OpenRouterMcpServer, mode: str = "auto", extensions: list[Any] | None = None
                ) -> Iterator[SyncMcp]:
    with start_blocking_portal("asyncio") as portal:
        client = Client(server, mode=mode, extensions=extensions)  # type: ignore[arg-type]
        try:
            with portal.wrap_async_context_manager(client) as entered:
                yield SyncMcp(portal, entered)
        finally:
            portal.call(shutdown, server.container)  # the server's lifespan has closed it; this proves it is idempotent


def server_for(container: Container, problem: str | None = None) -> OpenRouterMcpServer:
    return build_server(container, problem)


def call_with_progress(
    client: SyncMcp, name: str, arguments: dict[str, Any] | None = None
) -> tuple[CallToolResult, list[tuple[float, float | None, str | None]]]:
    """Call a tool with a progress callback; return the result and every progress notification received."""
    received: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        received.append((progress, total, message))

    async def call() -> CallToolResult:
        return await client._client.call_tool(name, arguments or {}, progress_callback=on_progress)

    return client._portal.call(call), received
