"""``OpenRouterChat``: the ChatCompletions and Credentials ports over ``POST /chat/completions``."""

from __future__ import annotations

from ...application.ports import StreamedAttachment
from ...domain.chat import ChatRequest, ChatResult
from .attachments import streamed_body
from .http import OpenRouterHttp
from .wire import cache_headers, chat_body, parse_chat


class OpenRouterChat:
    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    def ensure_configured(self) -> None:
        self._http.ensure_configured()

    async def complete(self, request: ChatRequest) -> ChatResult:
        with self._http.redacting():
            body, headers = await self._http.request_json(
                "POST", "chat/completions", context="chat_completion", json_body=chat_body(request),
                headers=cache_headers(request))
            return parse_chat(body, str(request.model), headers, "chat_completion",
                              self._http.config.max_result_chars)

    async def complete_with_attachment(self, request: ChatRequest, attachment: StreamedAttachment) -> ChatResult:
        def content() -> tuple[object, dict[str, str]]:
            stream, length = streamed_body(request, attachment)
            return stream, {"Content-Type": "application/json", "Content-Length": str(length)}

        with self._http.redacting():
            body, headers = await self._http.request_json(
                "POST", "chat/completions", context="media analysis", content_factory=content,
                headers=cache_headers(request))
            return parse_chat(body, str(request.model), headers, "media analysis",
                              self._http.config.max_result_chars)
