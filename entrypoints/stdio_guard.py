"""``answer_unreadable_lines``: every unreadable stdio line gets a JSON-RPC error instead of silence.

The SDK's stdio transport (mcp 2.3) turns a line it cannot validate into an ``Exception`` item,
and its dispatcher drops that item with a debug log: a request nested past the JSON parser's
depth limit, one with a lone surrogate escape (``\\ud800``), or one whose ``params`` is a list
never gets an answer, and the client waits out its timeout. This wrapper sits between the
transport and the server, answers such a line itself (-32700 for JSON the parser refused,
-32600 for a well-formed message that is not a valid JSON-RPC message) with the request's
``id`` when it can be recovered, logs a warning without the line's content, and passes every
good message through untouched. It is installed on the low-level server's ``run``, so it holds
for ``run_stdio_async`` and for any custom stdio loop that calls ``run`` with the transport's streams.
"""

from __future__ import annotations

import json
import re
from types import TracebackType
from typing import Any

import anyio
import structlog
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError, JSONRPCNotification
from pydantic import ValidationError

log = structlog.get_logger("openrouter_multimodal.stdio")

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]', re.DOTALL)
_ID_VALUE = re.compile(r'\s*:\s*(-?[0-9]{1,18}(?![0-9.eE])|"(?:[^"\\]|\\.){0,200}"|null)')
_MAX_TOKENS = 100_000
RequestId = int | str | None


def _scan_top_level(text: str) -> tuple[RequestId, set[str]]:
    """The top-level ``id`` and which of method/result/error keys appear, without parsing the whole line.

    Walks string and bracket tokens only (no recursion), so it works on text the JSON parser
    refused for its depth; it stops after a bounded number of tokens.
    """
    depth, found, request_id = 0, set(), None
    for count, match in enumerate(_TOKEN.finditer(text)):
        if count > _MAX_TOKENS:
            break
        token = match.group()
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
        elif depth == 1 and token in ('"id"', '"method"', '"result"', '"error"'):
            found.add(token.strip('"'))
            value = _ID_VALUE.match(text, match.end()) if token == '"id"' else None
            if value is not None:
                request_id = _safe_id(value.group(1))
    return request_id, found


def _safe_id(raw: str) -> RequestId:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return value if isinstance(value, int | str) else None


def _from_parsed(exc: ValidationError) -> tuple[RequestId, set[str], str]:
    """For a message that parsed but is not JSON-RPC: its id, its keys, and the request-shaped complaint."""
    errors = exc.errors()
    message: dict[str, Any] = next((e["input"] for e in errors if isinstance(e.get("input"), dict)), {})
    keys: set[str] = {k for k in ("id", "method", "result", "error") if k in message}
    raw_id = message.get("id")
    request_id = raw_id if isinstance(raw_id, int | str) and not isinstance(raw_id, bool) else None
    reason = next((f"'{'.'.join(str(p) for p in e['loc'][1:])}': {e['msg']}" for e in errors
                   if e["loc"][:1] == ("JSONRPCRequest",) and len(e["loc"]) > 1), "not a JSON-RPC 2.0 request")
    return request_id, keys, reason


def error_for(exc: Exception) -> tuple[JSONRPCError | None, dict[str, Any]]:
    """The answer for an unreadable line (``None`` when it was a notification or a response) and log fields."""
    if not isinstance(exc, ValidationError):
        error = ErrorData(code=PARSE_ERROR, message="Parse error: the line could not be read as JSON.")
        return JSONRPCError(jsonrpc="2.0", id=None, error=error), {"reason": type(exc).__name__}
    errors = exc.errors()
    if errors and errors[0]["type"] == "json_invalid":
        text = errors[0].get("input")
        request_id, keys = _scan_top_level(text) if isinstance(text, str) else (None, set())
        reason = errors[0]["msg"].split(" at line ")[0].removeprefix("Invalid JSON: ")
        hint = ""
        if "recursion limit" in reason:
            hint = " The message is nested too deeply (the limit is about 200 levels): flatten the arguments."
        elif "escape" in reason or "surrogate" in reason:
            hint = " A lone UTF-16 surrogate escape (e.g. \\ud800) is not valid text: send the character itself."
        code, message = PARSE_ERROR, f"Parse error: {reason}.{hint}"
    else:
        request_id, keys, reason = _from_parsed(exc)
        code, message = INVALID_REQUEST, f"Invalid Request: {reason}."
    fields = {"code": code, "request_id": request_id, "reason": message}
    is_notification = "method" in keys and "id" not in keys
    is_response = bool({"result", "error"} & keys) and "method" not in keys
    if is_notification or is_response:
        return None, fields
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message)), fields


class AnsweringReadStream:
    """A read stream that answers the transport's ``Exception`` items and yields only messages."""

    def __init__(self, inner: Any, write_stream: Any) -> None:
        self._inner = inner
        self._write = write_stream

    @property
    def last_context(self) -> Any:
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage:
        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                message = item.message
                if isinstance(message, JSONRPCNotification) and not message.method.startswith("notifications/"):
                    log.warning("request_without_usable_id", method=message.method[:100],
                                reason="a request needs a string or integer id; the SDK reads it as a notification")
                return item  # type: ignore[no-any-return]
            answer, fields = error_for(item)
            log.warning("unreadable_message", answered=answer is not None, **fields)
            if answer is not None:
                await self._write.send(SessionMessage(answer))

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> AnsweringReadStream:
        return self

    async def __anext__(self) -> SessionMessage:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> AnsweringReadStream:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


def answer_unreadable_lines(server: Any) -> None:
    """Wrap ``server.run`` (an ``mcp.server.Server``) so its read stream is an ``AnsweringReadStream``."""
    inner = server.run

    async def run(read_stream: Any, write_stream: Any, *args: Any, **kwargs: Any) -> None:
        await inner(AnsweringReadStream(read_stream, write_stream), write_stream, *args, **kwargs)

    server.run = run
