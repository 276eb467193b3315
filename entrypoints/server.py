"""The MCP server: ``OpenRouterMcpServer`` and ``build_server`` (tools registered from ``tools/``)."""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import CallToolResult, InputRequiredResult
from mcp.types import Resource as MCPResource
from mcp.types import Tool as MCPTool
from pydantic import ValidationError

from ..domain.caller import local_caller
from ..domain.errors import ConfigurationError, OpenRouterMcpError
from .container import Container
from .icons import SERVER_ICONS
from .identity import Identity, LocalIdentity
from .media_player import bind_player, for_client, player_app
from .output_resources import relative_from_uri, uri_for
from .presenters import error_result, error_text, final_result, invalid_input
from .result_profiles import apply_profile, choose_profile
from .runtime import AppRuntime
from .stdio_guard import answer_unreadable_lines
from .tool_specs import TOOL_NAMES
from .tools import catalog, chat, generation, health, jobs, library, media, transcribe_embed, usage, video
from .tools.registry import ToolRegistry
from .version import SERVER_NAME, SERVER_VERSION

INSTRUCTIONS = (
    "Gives you every OpenRouter model. Start with search_models to choose a model id; health_check explains "
    "CONFIGURATION or UNAUTHORIZED errors. Paid tools say their cost in _meta.cost_usd."
)
ALWAYS_AVAILABLE = frozenset({"health_check", "get_usage"})
RESOURCE_MAX_BYTES = 64 * 1024 * 1024

_request: ContextVar[Any] = ContextVar("openrouter_mcp_request", default=None)
_context: ContextVar[ServerRequestContext[Any, Any] | None] = ContextVar("openrouter_mcp_context", default=None)


async def remember_request(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: keep the transport request and context of the message being handled, for handlers the SDK
    gives no context (``resources/list``, ``tools/list``), so they too can tell who is calling and what the
    client supports."""
    token = _request.set(ctx.request)
    context_token = _context.set(ctx)
    try:
        return await call_next(ctx)
    finally:
        _context.reset(context_token)
        _request.reset(token)


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        field = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"'{field}': {err['msg']}")
    return "; ".join(parts)


class OpenRouterMcpServer(MCPServer):
    """``MCPServer`` whose tools, resources and failures all go through our registry and the call pipeline.

    Argument and configuration failures are INVALID_INPUT / CONFIGURATION results (the SDK would answer
    schema-invalid arguments with un-coded text), every result leaves through the secret redaction, and
    resources are the calling user's own generated files.
    """

    def __init__(self, *args: Any, registry: ToolRegistry, configuration_problem: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, tools=registry.tools, middleware=[remember_request], **kwargs)
        answer_unreadable_lines(self._lowlevel_server)
        self.registry = registry
        self.runtime = registry.runtime
        self.container = registry.runtime.container
        self.configuration_problem = configuration_problem

    async def list_tools(self) -> list[MCPTool]:
        """Every tool the policy lets this server show (``hide`` and ``default: deny`` leave tools out), bound to
        the media player only for a client that negotiated MCP Apps."""
        tools = for_client(await super().list_tools(), _context.get())
        return [tool for tool in tools if self._listed(tool.name)]

    def _listed(self, name: str) -> bool:
        """Whether the policy shows ``name`` (before the app starts, from the loaded rules, as the pipeline would)."""
        if self.runtime.started:
            return self.runtime.dispatcher.pipeline.lists(name)
        return name in TOOL_NAMES and self.container.calls.rules().permits_tool(name)

    def _space(self) -> Any:
        caller = self.registry.identity.caller(_request.get())
        return self.container.storage.spaces().for_caller(caller)

    async def list_resources(self) -> list[MCPResource]:
        """The caller's generated files, newest first, readable with ``resources/read``."""
        try:
            files = await self._space().list_files()
        except OpenRouterMcpError as exc:
            raise ResourceError(error_text(exc)) from None
        return [*await super().list_resources(),
                *(MCPResource(uri=uri_for(f.name), name=f.name, mime_type=f.mime, size=f.size,
                              description="Generated by openrouter-multimodal-mcp") for f in files)]

    async def read_resource(self, uri: Any, context: Context[Any, Any] | None = None
                            ) -> Iterable[ReadResourceContents] | InputRequiredResult:
        relative = relative_from_uri(str(uri))
        if relative is None:
            return await super().read_resource(uri, context)
        try:
            data = await self._space().read(relative, RESOURCE_MAX_BYTES)
        except OpenRouterMcpError as exc:
            raise ResourceError(error_text(exc)) from None
        mime = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        return [ReadResourceContents(content=data, mime_type=mime)]

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context[Any, Any] | None = None) -> CallToolResult | InputRequiredResult:
        """Every tool result leaves through ``final_result``: settings named as env variables, no configured
        secret reaches a client."""
        result = await self._call_tool(name, arguments, context)
        if isinstance(result, CallToolResult):
            settings = self.container.settings()
            shaped = apply_profile(result, choose_profile(settings.result_profile, context))
            return final_result(shaped, settings.secret_values())
        return result

    async def _call_tool(self, name: str, arguments: dict[str, Any],
                         context: Context[Any, Any] | None) -> CallToolResult | InputRequiredResult:
        if name not in self.registry.names or not self._listed(name):
            shown = sorted(tool for tool in self.registry.names if self._listed(tool))
            return invalid_input(f"unknown tool '{name}': this server offers {', '.join(shown)}.")
        if self.configuration_problem and name not in ALWAYS_AVAILABLE:
            return error_result(ConfigurationError(self.configuration_problem))
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                return invalid_input(f"invalid arguments for {name}: {_field_errors(exc.__cause__)}.")
            raise


def _lifespan(runtime: AppRuntime) -> Callable[[MCPServer], Any]:
    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with runtime.serving():
            yield {}

    return lifespan


def build_server(container: Container, configuration_problem: str | None = None, *,
                 identity: Identity | None = None, runtime: AppRuntime | None = None) -> OpenRouterMcpServer:
    """The server over ``container``. The app's resources open on the first call that needs them (or earlier,
    when an outer ``runtime.running()`` holds them, as the HTTP service does) and close after the last session."""
    runtime = runtime or AppRuntime(container)
    identity = identity or LocalIdentity(local_caller(container.settings().user))
    registry = ToolRegistry(runtime, identity)
    for family in (chat, media, generation, transcribe_embed, video, jobs, catalog, usage, library, health):
        family.register(registry)
    bind_player(registry.tools)
    return OpenRouterMcpServer(SERVER_NAME, version=SERVER_VERSION, instructions=INSTRUCTIONS, icons=SERVER_ICONS,
                               log_level="WARNING", registry=registry, configuration_problem=configuration_problem,
                               lifespan=_lifespan(runtime), extensions=[player_app()])
