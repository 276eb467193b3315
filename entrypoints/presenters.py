"""Presenters: domain results and errors to MCP ``CallToolResult``s (the only place codes meet MCP)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import anyio
import structlog
from mcp.types import CallToolResult, ContentBlock, TextContent
from pydantic import BaseModel

from ..domain.chat import ChatResult
from ..domain.errors import ErrorCode, OpenRouterMcpError
from ..domain.redaction import redact_text
from ..domain.usage import Usage
from .setting_names import render_for_env, render_value
from .version import SERVER_VERSION

log = structlog.get_logger("openrouter_multimodal.tools")
_BINARY_FIELDS = frozenset({"data", "blob"})
_Model = TypeVar("_Model", bound=BaseModel)


def usd(amount: Decimal | None) -> float | None:
    """A cost for ``_meta.cost_usd``: a JSON number, or null when the upstream did not report one."""
    return None if amount is None else float(amount)


def text(value: str) -> TextContent:
    return TextContent(type="text", text=value)


def error_text(exc: OpenRouterMcpError) -> str:
    """``CODE: message`` with settings named as environment variables, for results, logs and resource errors."""
    return f"{exc.code.value}: {render_for_env(exc.message)}"


def error_result(exc: OpenRouterMcpError) -> CallToolResult:
    """The coded error result; setting placeholders in the message, suggestions and details name env variables."""
    meta: dict[str, Any] = {"code": exc.code.value, "server_version": SERVER_VERSION}
    if exc.suggestions:
        meta["suggestions"] = [render_for_env(s) for s in exc.suggestions]
    if exc.retry_after_seconds is not None:
        meta["retry_after_seconds"] = round(exc.retry_after_seconds, 1)
    if exc.details:
        meta["details"] = render_value(exc.details, render_for_env)
    return CallToolResult(content=[text(error_text(exc))], is_error=True, _meta=meta)


def invalid_input(message: str, **details: Any) -> CallToolResult:
    return error_result(OpenRouterMcpError(message, code=ErrorCode.INVALID_INPUT, details=details))


def success(content: list[ContentBlock], meta: dict[str, Any] | None = None,
            structured: dict[str, Any] | None = None) -> CallToolResult:
    return CallToolResult(content=content, structured_content=structured,
                          _meta={"server_version": SERVER_VERSION, **(meta or {})})


def usage_meta(usage: Usage | None) -> dict[str, Any]:
    if usage is None:
        return {}
    meta: dict[str, Any] = {"usage": usage.as_meta()}
    if usage.cost is not None:
        meta["cost_usd"] = float(usage.cost)
    return meta


def chat_meta(result: ChatResult) -> dict[str, Any]:
    """The ``_meta`` of a model answer; reasoning is shown when the use case asked for it (argument or setting)."""
    meta: dict[str, Any] = {"model": result.model, **usage_meta(result.usage)}
    if result.provider:
        meta["provider"] = result.provider
    if result.finish_reason:
        meta["finish_reason"] = result.finish_reason
    if result.native_finish_reason:
        meta["native_finish_reason"] = result.native_finish_reason
    if result.generation_id:
        meta["generation_id"] = result.generation_id
    if result.cache_status:
        meta["cache"] = result.cache_status
    if result.reasoning_requested and result.reasoning and not result.notes.get("answer_from_reasoning"):
        meta["reasoning"] = result.reasoning
    if result.annotations:
        meta["citations"] = [a["url_citation"].get("url") for a in result.annotations
                             if isinstance(a.get("url_citation"), dict)]
    meta.update(result.notes)
    return meta


async def guarded(tool: str, body: Callable[[], Awaitable[CallToolResult]]) -> CallToolResult:
    """Run a tool body; domain errors become error results, anything else INTERNAL without a trace.

    Cancellation is re-raised so an abandoned call stops its work.
    """
    try:
        return await body()
    except OpenRouterMcpError as exc:
        log.info("tool_failed", tool=tool, code=exc.code.value, message=render_for_env(exc.message))
        return error_result(exc)
    except anyio.get_cancelled_exc_class():
        raise
    except Exception:
        incident = uuid.uuid4().hex[:12]
        log.exception("tool_crashed", tool=tool, incident=incident)
        return error_result(OpenRouterMcpError(
            f"unexpected server error (incident {incident}); the server log has the details. Retry, or report it.",
            code=ErrorCode.INTERNAL))


def final_result(result: CallToolResult, secrets: Sequence[str]) -> CallToolResult:
    """The last pass over every tool result, one walk over text, ``_meta`` and structured content: each
    ``${field}`` placeholder (notes, structured problems, errors built anywhere) is named as its environment
    variable, and each configured secret is blanked, whatever field an upstream echoed it into.

    Base64 payloads (image/audio ``data``, resource ``blob``) are left alone: a short secret could occur in
    them by chance, and rewriting them would corrupt the media without hiding anything.
    """

    def clean(text: str) -> str:
        return redact_text(render_for_env(text), secrets)

    return _map_model(result, lambda value: render_value(value, clean))


def _map_model(model: _Model, clean: Callable[[Any], Any]) -> _Model:
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        if name in _BINARY_FIELDS:
            continue
        value = getattr(model, name)
        cleaned = _map_value(value, clean)
        if cleaned != value:
            updates[name] = cleaned
    return model.model_copy(update=updates) if updates else model


def _map_value(value: Any, clean: Callable[[Any], Any]) -> Any:
    if isinstance(value, BaseModel):
        return _map_model(value, clean)
    if isinstance(value, list):
        return [_map_value(item, clean) for item in value]
    return clean(value)
