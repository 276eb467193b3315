"""``ToolRegistry``: adds tools to the server with compact, client-friendly input schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from ..container import Container


def compact_schema(node: Any) -> Any:
    """Drop pydantic's per-field titles and defaults the schema already implies, and shorten type unions.

    An optional input's ``anyOf[X, null]`` (default null) becomes ``X``; other unions of bare
    types become a ``type`` list; ``additionalProperties: true`` (the default) is dropped.

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
    optional_input = "default" in out and out["default"] is None
    if optional_input and isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        other = next(item for item in any_of if item != {"type": "null"})
        del out["anyOf"], out["default"]
        out = {**other, **out}
    any_of = out.get("anyOf")
    if isinstance(any_of, list) and all(isinstance(i, dict) and set(i) == {"type"} for i in any_of):
        del out["anyOf"]
        out["type"] = [i["type"] for i in any_of]
    return out


class ToolRegistry:
    def __init__(self, server: MCPServer, container: Container) -> None:
        self.server = server
        self.container = container

    def add(self, fn: Callable[..., Any], *, title: str, description: str, annotations: ToolAnnotations,
            structured_output: bool | None = None) -> None:
        annotations = annotations.model_copy(update={"title": title})
        self.server.add_tool(fn, title=title, description=description, annotations=annotations,
                             structured_output=structured_output)
        tool = self.server._tool_manager.get_tool(fn.__name__)
        assert tool is not None
        tool.parameters = compact_schema(tool.parameters)
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = compact_schema(tool.fn_metadata.output_schema)
