"""Reading what an MCP tool call returned."""

from __future__ import annotations

from typing import Any


def text_of(result: Any) -> str:
    """Every text block of a ``CallToolResult``, one per line (other blocks count as empty lines)."""
    return "\n".join(getattr(block, "text", "") for block in result.content)
