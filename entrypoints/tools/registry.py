"""``ToolRegistry``: adds tools to the server with compact, client-friendly input schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from ...domain.media import MediaKind
from ..container import Container
from .fields import source_max_chars


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


class ToolRegistry:
    def __init__(self, server: MCPServer, container: Container) -> None:
        self.server = server
        self.container = container

    def source_max_chars(self, kind: MediaKind) -> int:
        """``maxLength`` for a media input of ``kind``: room for a data URL up to the configured cap."""
        return source_max_chars(self.container.settings().media_limits()[kind].max_data_url_bytes)

    def add(self, fn: Callable[..., Any], *, title: str, description: str, annotations: ToolAnnotations,
            structured_output: bool | None = None, aliases: tuple[str, ...] = (), required: tuple[str, ...] = ()
            ) -> None:
        """Register ``fn``; ``aliases`` are accepted but not published, ``required`` is published as required.

        An input that may also arrive under an alias cannot be required in the validation model,
        yet callers need to see which field to send: the published schema names it in
        ``required`` (no top-level ``anyOf``, which some clients reject) and leaves the aliases,
        kept for older callers, out.
        """
        annotations = annotations.model_copy(update={"title": title})
        self.server.add_tool(fn, title=title, description=description, annotations=annotations,
                             structured_output=structured_output)
        tool = self.server._tool_manager.get_tool(fn.__name__)
        assert tool is not None
        parameters = compact_schema(tool.parameters)
        for alias in aliases:
            del parameters["properties"][alias]
        if required:
            parameters["required"] = [*required, *parameters.get("required", [])]
        tool.parameters = parameters
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = compact_schema(tool.fn_metadata.output_schema)
