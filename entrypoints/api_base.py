"""What the Python API's method groups share: the one ``_call`` they all go through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.caller import Caller
from ..domain.chat import ChatMessage
from ..domain.errors import InvalidInput

ROLES = ("system", "user", "assistant")


class ApiBase:
    """Method groups call ``self._call(tool, command, caller)``; ``OpenRouterMultimodal`` provides it."""

    async def _call(self, tool: str, command: Any, caller: Caller | None) -> Any:
        raise NotImplementedError


def chat_messages(messages: str | Sequence[Mapping[str, Any] | ChatMessage]) -> tuple[ChatMessage, ...]:
    """``"Hi"`` or ``[{"role": "user", "content": "Hi"}, ...]`` (or ``ChatMessage``s) as domain messages."""
    if isinstance(messages, str):
        return (ChatMessage("user", messages),)
    out: list[ChatMessage] = []
    for index, message in enumerate(messages):
        if isinstance(message, ChatMessage):
            out.append(message)
            continue
        role, content = message.get("role"), message.get("content")
        if role not in ROLES or not isinstance(content, str | list | tuple):
            raise InvalidInput(f"messages[{index}] needs a role ({', '.join(ROLES)}) and a content (text or parts).")
        out.append(ChatMessage(role, content if isinstance(content, str) else tuple(content)))
    return tuple(out)
