"""The health_check tool: key, credit and catalogue state; never an error result."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations

from ..presenters import guarded, success, text
from .registry import ToolRegistry

DESCRIPTION = """Report whether this server can work: version, whether the API key is set and accepted (free), credit left, catalogue size.
Use first when tools fail with CONFIGURATION or UNAUTHORIZED. Never an error: problems are listed, ok is false."""


def register(registry: ToolRegistry) -> None:

    async def health_check(ctx: Context) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.health import HealthQuery

            query = HealthQuery(str(ctx.protocol_version or "unknown"))
            report = await registry.dispatch("health_check", query, ctx)
            data = report.as_dict()
            credit = (f"; credit remaining ${data['credit_remaining_usd']:.2f} of ${data['credit_limit_usd']:.2f}"
                      if report.credit_limit is not None and report.credit_remaining is not None else "")
            status = "ok" if report.ok else "NOT OK: " + "; ".join(report.problems)
            line = (f"{status}. Server {report.server_version}, protocol {report.protocol_version}; key "
                    f"{report.key_state}"
                    f"{credit}; {report.models_cached} models cached.")
            return success([text(line)], structured=data)

        return await guarded("health_check", body)

    registry.add(health_check, title="Health check", description=DESCRIPTION,
                 annotations=ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                             open_world_hint=True))
