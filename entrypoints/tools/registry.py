"""``ToolRegistry``: our tools with compact, client-friendly schemas, and the one way their bodies dispatch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.types import ToolAnnotations

from ...domain.media import MediaKind
from ..icons import family_icons
from ..identity import Identity, request_of
from ..runtime import AppRuntime
from ..settings import Settings
from .fields import source_max_chars

if TYPE_CHECKING:
    from ...application.job_ports import OutputSpaces, OutputStore


def compact_schema(node: Any) -> Any:
    """Drop pydantic's per-field titles and defaults the schema already implies, and shorten type unions.

    An optional input's ``anyOf[X, null]`` (default null) becomes ``X``; ``additionalProperties:
    true`` (the default) and an optional flag's ``default: false`` are dropped. Other unions stay ``anyOf`` branches with one ``type`` each,
    never a ``type`` list: clients that map schemas onto a single-type dialect (Gemini's OpenAPI
    subset) reject type lists, and the MCP Inspector's ``--strict`` lint warns about them.

    ``tools/list`` is paid for in every client's context, so the published schema carries
    only what a caller needs. Validation still uses the full pydantic model.
    """
    if isinstance(node, list):
        return [compact_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: compact_schema(prop) for name, prop in value.items()}
            continue
        out[key] = compact_schema(value)
    any_of = out.get("anyOf")
    if out.get("additionalProperties") is True:
        del out["additionalProperties"]
    if out.get("type") == "boolean" and out.get("default") is False:
        del out["default"]
    optional_input = "default" in out and out["default"] is None
    if optional_input and isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        other = next(item for item in any_of if item != {"type": "null"})
        del out["anyOf"], out["default"]
        out = {**other, **out}
    return out


def essential(annotations: ToolAnnotations) -> ToolAnnotations | None:
    """Only the hints that differ from MCP's defaults (read-write, destructive, not idempotent, open world).

    The meaning is unchanged for every client (a missing hint *is* its default), and tools/list, paid for in
    every client's context, carries about 60 bytes less per tool. Destructive and idempotent hints are
    dropped for read-only tools, where the spec says they mean nothing.
    """
    read_only = annotations.read_only_hint is True
    if not read_only and annotations.destructive_hint is not False and annotations.idempotent_hint is not True \
            and annotations.open_world_hint is not False:
        return None
    return ToolAnnotations(
        read_only_hint=True if read_only else None,
        destructive_hint=False if not read_only and annotations.destructive_hint is False else None,
        idempotent_hint=True if not read_only and annotations.idempotent_hint is True else None,
        open_world_hint=False if annotations.open_world_hint is False else None)


class ToolRegistry:
    """Our own list of tools: each published with a compact schema, and each call dispatched through the pipeline.

    The SDK's ``Tool`` is built once per function (``Tool.from_function``) and handed to the server's
    constructor, so no private part of the SDK is touched. ``dispatch`` is what every tool body calls:
    it resolves the caller from the MCP context, wires progress, and runs the ``CallPipeline``.
    """

    def __init__(self, runtime: AppRuntime, identity: Identity) -> None:
        self.runtime = runtime
        self.identity = identity
        self.tools: list[Tool] = []
        self._names: frozenset[str] | None = None

    @property
    def settings(self) -> Settings:
        return self.runtime.container.settings()

    def source_max_chars(self, kind: MediaKind) -> int:
        """``maxLength`` for a media input of ``kind``: room for a data URL up to the configured cap."""
        return source_max_chars(self.settings.media_limits()[kind].max_data_url_bytes)

    def add(self, fn: Callable[..., Any], *, title: str, description: str, annotations: ToolAnnotations,
            structured_output: bool | None = None, aliases: tuple[str, ...] = (), required: tuple[str, ...] = ()
            ) -> None:
        """Register ``fn``; ``aliases`` are accepted but not published, ``required`` is published as required.

        An input that may also arrive under an alias cannot be required in the validation model,
        yet callers need to see which field to send: the published schema names it in
        ``required`` (no top-level ``anyOf``, which some clients reject) and leaves the aliases,
        kept for older callers, out. The top-level ``title`` is the display name; annotations do
        not repeat it. The icon is the family's (by the module that registers the tool).
        """
        tool = Tool.from_function(fn, title=title, description=description, annotations=essential(annotations),
                                  structured_output=structured_output, icons=family_icons(fn.__module__))
        parameters = compact_schema(tool.parameters)
        for alias in aliases:
            del parameters["properties"][alias]
        if required:
            parameters["required"] = [*required, *parameters.get("required", [])]
        tool.parameters = parameters
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = compact_schema(tool.fn_metadata.output_schema)
        self.tools.append(tool)

    @property
    def names(self) -> frozenset[str]:
        if self._names is None or len(self._names) != len(self.tools):
            self._names = frozenset(tool.name for tool in self.tools)
        return self._names

    async def dispatch(self, tool: str, command: Any, ctx: Context | None, *, progress: bool = False) -> Any:
        """Run ``command`` as ``tool`` for the caller behind ``ctx``; ``progress`` forwards MCP progress."""
        caller = self.identity.caller(request_of(ctx))
        reporter = ContextProgress(ctx) if progress and ctx is not None else None
        dispatcher = await self.runtime.ready()
        return await dispatcher.dispatch(tool, command, caller, reporter)


    def outputs(self, ctx: Context | None) -> OutputStore:
        """The output store of the caller behind ``ctx`` (for presenting saved files)."""
        caller = self.identity.caller(request_of(ctx))
        spaces: OutputSpaces = self.runtime.container.storage.spaces()
        return spaces.for_caller(caller)


class ContextProgress:
    """The progress port on MCP progress notifications (a no-op when the caller sent no progress token)."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def report(self, progress: float, total: float | None, message: str) -> None:
        await self._ctx.report_progress(progress, total, message)
