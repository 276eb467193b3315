"""``OpenRouterCatalog``: the model list (``GET /models``) and the key check (``GET /key``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...application.ports import KeyStatus
from ...domain.errors import ErrorCode, OpenRouterMcpError, UpstreamError
from ...domain.model_card import ModelCard
from .http import OpenRouterHttp
from .wire import decimal_or_none, parse_model, short_text


class OpenRouterCatalog:
    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def fetch_models(self) -> Sequence[ModelCard]:
        """The catalogue; a reply without a ``data`` list (a maintenance page, an HTML 200, a bare error)
        raises UPSTREAM_HTTP rather than reading as an empty catalogue, so the last good one is kept."""
        body, _ = await self._http.request_json("GET", "models", context="model catalogue",
                                                auth=self._http.configured)
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list):
            raise UpstreamError("model catalogue: OpenRouter's GET /models reply has no model list: retry after "
                                "a short delay, or check ${base_url}.", code=ErrorCode.UPSTREAM_HTTP)
        cards = (parse_model(item) for item in data if isinstance(item, Mapping))
        return [card for card in cards if card is not None]

    async def inspect_key(self) -> KeyStatus:
        if not self._http.configured:
            return KeyStatus(present=False, valid=False,
                             error="${api_key} is not set: set it and restart the server.")
        try:
            body, _ = await self._http.request_json("GET", "key", context="key check")
        except OpenRouterMcpError as exc:
            valid_but_unreachable = exc.code not in (ErrorCode.UNAUTHORIZED,)
            return KeyStatus(present=True, valid=False,
                             error=exc.message if not valid_but_unreachable else f"could not check the key: "
                             f"{exc.message}")
        data = body.get("data") if isinstance(body, Mapping) else None
        data = data if isinstance(data, Mapping) else {}
        return KeyStatus(
            present=True,
            valid=True,
            label=short_text(data.get("label")),
            limit=decimal_or_none(data.get("limit")),
            limit_remaining=decimal_or_none(data.get("limit_remaining")),
            usage=decimal_or_none(data.get("usage")),
            is_free_tier=data.get("is_free_tier") if isinstance(data.get("is_free_tier"), bool) else None,
        )
