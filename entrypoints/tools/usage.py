"""The get_usage tool: the caller's spend, remaining budgets and limits for the current windows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations

from ..presenters import guarded, success, text
from .registry import ToolRegistry

if TYPE_CHECKING:
    from ...application.usage import UsageReport

DESCRIPTION = """Your own spend: USD per tool and in total for today and each budget window, remaining budgets, rate and quota counters, reset times. Free, no upstream call.
Use before costly calls, or after QUOTA_EXCEEDED to see how long to wait."""


def register(registry: ToolRegistry) -> None:
    async def get_usage(ctx: Context) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.usage import UsageQuery

            report: UsageReport = await registry.dispatch("get_usage", UsageQuery(), ctx)
            return success([text(report.summary())], structured=report.as_dict())

        return await guarded("get_usage", body)

    registry.add(get_usage, title="Get usage", description=DESCRIPTION,
                 annotations=ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                             open_world_hint=False))
