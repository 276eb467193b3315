"""Result profiles: shaping tool results for what a client really does with them (LibreChat, everyone else)."""

from __future__ import annotations

from typing import Any

from mcp.types import AudioContent, CallToolResult, EmbeddedResource, ImageContent, ResourceLink, TextContent

LIBRECHAT = "librechat"
STANDARD = "standard"
LIBRECHAT_IMAGE_MAX_B64 = 4_700_000
"""LibreChat caps one SSE line at 5 MiB and throws a whole result over ``MCP_IMAGE_DATA_MAX_BYTES``; an image
whose base64 is under ~4.7 MB (about 3.5 MB decoded) keeps the whole result under both."""
SHOWN_NOTE = "The image is already shown to the user; do not call again to display it."


def client_name(ctx: Any | None) -> str:
    """The client's declared name (``clientInfo.name``), or ``""`` when the session did not say."""
    for path in (("session", "client_params"), ("connection", "client_params"),
                 ("request_context", "session", "client_params")):
        node: Any = ctx
        for attribute in path:
            try:
                node = getattr(node, attribute, None)
            except (AttributeError, ValueError, RuntimeError):
                node = None
            if node is None:
                break
        info = getattr(node, "client_info", None)
        name = getattr(info, "name", None)
        if isinstance(name, str):
            return name
    return ""


def choose_profile(configured: str, ctx: Any | None) -> str:
    """``configured`` unless it is ``auto``; then LibreChat's clients get the LibreChat profile."""
    if configured != "auto":
        return configured
    return LIBRECHAT if "librechat" in client_name(ctx).lower() else STANDARD


def apply_profile(result: CallToolResult, profile: str) -> CallToolResult:
    """The LibreChat profile, from how LibreChat turns results into model input (reference ``librechat.md`` §6).

    It stringifies ``resource_link`` and ``audio`` blocks into the prompt (base64 audio would become
    text the model pays for), drops embedded blobs, moves images out of the text, and fails a whole
    result with a too large image. So: no links, no audio, no blobs, only images that fit, and a text
    summary always first, telling the model the image is on screen. Other profiles pass unchanged.
    """
    if profile != LIBRECHAT or result.is_error:
        return result
    content: list[Any] = []
    images = 0
    for block in result.content:
        if isinstance(block, ResourceLink | AudioContent):
            continue
        if isinstance(block, EmbeddedResource) and getattr(block.resource, "blob", None) is not None:
            continue
        if isinstance(block, ImageContent):
            if len(block.data) > LIBRECHAT_IMAGE_MAX_B64:
                continue
            images += 1
        content.append(block)
    if not content or not isinstance(content[0], TextContent):
        content.insert(0, TextContent(type="text", text="Done."))
    if images:
        first = content[0]
        content[0] = TextContent(type="text", text=f"{first.text}\n{SHOWN_NOTE}")
    return result.model_copy(update={"content": content})
