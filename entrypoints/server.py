"""The MCP server: ``OpenRouterMcpServer`` and ``build_server`` (tools registered from ``tools/``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from ..domain.errors import ConfigurationError
from .container import Container, shutdown
from .presenters import error_result, invalid_input
from .tools import catalog, chat, generation, health, media, video
from .tools.registry import ToolRegistry
from .version import SERVER_NAME, SERVER_VERSION

INSTRUCTIONS = (
    "Gives you every OpenRouter model. Start with search_models to choose a model id; health_check explains "
    "CONFIGURATION or UNAUTHORIZED errors. Paid tools say their cost in _meta.cost_usd."
)
ALWAYS_AVAILABLE = frozenset({"health_check"})


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        field = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"'{field}': {err['msg']}")
    return "; ".join(parts)


class OpenRouterMcpServer(MCPServer):
    """``MCPServer`` whose argument and configuration failures are INVALID_INPUT / CONFIGURATION results.

    The SDK would answer schema-invalid arguments with its own un-coded text; callers here
    always get ``isError`` with ``_meta.code`` and the offending field named.
    """

    def __init__(self, *args: Any, configuration_problem: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.configuration_problem = configuration_problem

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context[Any, Any] | None = None) -> CallToolResult | InputRequiredResult:
        if self._tool_manager.get_tool(name) is None:
            known = ", ".join(sorted(t.name for t in self._tool_manager.list_tools()))
            return invalid_input(f"unknown tool '{name}': this server offers {known}.")
        if self.configuration_problem and name not in ALWAYS_AVAILABLE:
            return error_result(ConfigurationError(self.configuration_problem))
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                return invalid_input(f"invalid arguments for {name}: {_field_errors(exc.__cause__)}.")
            raise


def build_server(container: Container, configuration_problem: str | None = None) -> OpenRouterMcpServer:
    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await shutdown(container)

    server = OpenRouterMcpServer(SERVER_NAME, version=SERVER_VERSION, instructions=INSTRUCTIONS,
                                 lifespan=lifespan, log_level="WARNING",
                                 configuration_problem=configuration_problem)
    registry = ToolRegistry(server, container)
    for family in (chat, media, generation, video, catalog, health):
        family.register(registry)
    return server
