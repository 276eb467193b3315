"""``OpenRouterChat``: the ChatCompletions and Credentials ports over ``POST /chat/completions``."""

from __future__ import annotations

from ...domain.chat import ChatRequest, ChatResult
from .http import OpenRouterHttp
from .wire import cache_headers, chat_body, parse_chat


class OpenRouterChat:
    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    def ensure_configured(self) -> None:
        self._http.ensure_configured()

    async def complete(self, request: ChatRequest) -> ChatResult:
        body, headers = await self._http.request_json(
            "POST", "chat/completions", context="chat_completion", json_body=chat_body(request),
            headers=cache_headers(request))
        return parse_chat(body, str(request.model), headers, "chat_completion")
