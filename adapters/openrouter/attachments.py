"""Streamed request bodies for chat completions that carry one large audio or video attachment."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from ...application.ports import StreamedAttachment
from ...domain.chat import ChatRequest
from ...domain.errors import InvalidInput
from ...domain.media import MediaKind
from ..base64_stream import JsonBodyStream, is_padded_base64, split_json_template, stream_json_with_base64
from .wire import chat_body

_SLICE = 1 << 20


def _placeholder() -> str:
    """A fresh marker per request, so no caller text can collide with it."""
    return f"@@attachment-{secrets.token_hex(16)}@@"


def _part(attachment: StreamedAttachment, placeholder: str) -> dict[str, Any]:
    part: dict[str, Any]
    if attachment.kind is MediaKind.AUDIO:
        part = {"type": "input_audio", "input_audio": {"data": placeholder, "format": attachment.audio_format}}
    else:
        part = {"type": "video_url", "video_url": {"url": f"data:{attachment.mime};base64,{placeholder}"}}
    if attachment.cache_control:
        part["cache_control"] = {"type": "ephemeral"}
    return part


def attachment_document(request: ChatRequest, attachment: StreamedAttachment, placeholder: str) -> dict[str, Any]:
    body = chat_body(request)
    last_user = next(m for m in reversed(body["messages"]) if m["role"] == "user")
    content = last_user["content"]
    last_user["content"] = ([{"type": "text", "text": content}] if isinstance(content, str) else content)
    last_user["content"].append(_part(attachment, placeholder))
    return body


async def _text_slices(text: str) -> AsyncIterator[bytes]:
    for start in range(0, len(text), _SLICE):
        yield text[start : start + _SLICE].encode("ascii")


def streamed_body(request: ChatRequest, attachment: StreamedAttachment) -> tuple[AsyncIterable[bytes], int]:
    """The JSON body as an async byte stream, and its exact length (so no chunked encoding is needed).

    Base64 text from the caller goes into the body unescaped, so it is checked whole first: any
    character outside padded standard base64 (a quote could rewrite the paid request) is
    INVALID_INPUT before anything is sent.
    """
    if attachment.base64 is not None and not is_padded_base64(attachment.base64):
        kind = attachment.kind.value
        raise InvalidInput(f"the {kind} attachment is not valid base64: "
                           "re-encode the file with standard base64.")
    placeholder = _placeholder()
    prefix, suffix = split_json_template(attachment_document(request, attachment, placeholder), placeholder)
    if attachment.base64 is not None:
        length = len(prefix) + len(attachment.base64) + len(suffix)
        return stream_json_with_base64(prefix, _text_slices(attachment.base64), suffix), length
    assert attachment.chunks is not None
    body = JsonBodyStream(prefix, attachment.chunks(), attachment.size, suffix)
    return body, body.content_length
