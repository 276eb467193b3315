"""Model listings of the dedicated endpoints (images, speech, transcription, embeddings) as catalogue sources."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ...domain.errors import ErrorCode, UpstreamError
from ...domain.model_card import ModelCard, ParamSpec
from .http import OpenRouterHttp
from .wire import parse_model, short_text

MAX_PARAMETERS = 60
MAX_VALUES = 60


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def parse_spec(raw: Any) -> ParamSpec:
    """One ``/images/models`` capability descriptor (``enum`` / ``range`` / ``boolean``); unknown shapes are ``any``."""
    if not isinstance(raw, Mapping):
        return ParamSpec()
    kind = raw.get("type")
    if kind == "enum" and isinstance(raw.get("values"), list):
        values = tuple(v for v in (short_text(str(x), 40) for x in raw["values"][:MAX_VALUES]
                                   if isinstance(x, str | int | float) and not isinstance(x, bool)) if v)
        return ParamSpec("enum", values=values)
    if kind == "range":
        return ParamSpec("range", minimum=_number(raw.get("min")), maximum=_number(raw.get("max")))
    if kind == "boolean":
        return ParamSpec("boolean")
    return ParamSpec()


def parse_listed(raw: Mapping[str, Any]) -> ModelCard | None:
    """A listing entry; a ``supported_parameters`` map (the images listing) gives per-field descriptors."""
    card = parse_model(raw)
    params = raw.get("supported_parameters")
    if card is None or not isinstance(params, Mapping):
        return card
    specs = tuple((name[:60], parse_spec(spec)) for name, spec in list(params.items())[:MAX_PARAMETERS]
                  if isinstance(name, str) and name)
    return replace(card, supported_parameters=tuple(name for name, _ in specs), parameter_specs=specs)


class OpenRouterListing:
    """One listing (``path`` with ``params``), keeping only models whose output includes ``produces``.

    The filter is applied here too, so a server that ignores the query still yields the right models.
    A reply without a ``data`` list raises UPSTREAM_HTTP (the cache then keeps the last good list).
    """

    def __init__(self, http: OpenRouterHttp, *, path: str, produces: str,
                 params: Mapping[str, str] | None = None) -> None:
        self._http = http
        self._path = path
        self._produces = produces
        self._params = dict(params or {})

    async def fetch_models(self) -> Sequence[ModelCard]:
        body, _ = await self._http.request_json("GET", self._path, params=self._params or None,
                                                context=f"{self._produces} model list", auth=self._http.configured)
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list):
            raise UpstreamError(f"{self._produces} model list: OpenRouter's GET /{self._path} reply has no model "
                                "list: retry after a short delay.", code=ErrorCode.UPSTREAM_HTTP)
        cards = (parse_listed(item) for item in data if isinstance(item, Mapping))
        return [card for card in cards if card is not None and card.produces(self._produces)]


def listings(http: OpenRouterHttp) -> dict[str, OpenRouterListing]:
    """Every dedicated listing by route name (``/models`` answers text-output models unless asked)."""
    return {
        "images": OpenRouterListing(http, path="images/models", produces="image"),
        "speech": OpenRouterListing(http, path="models", produces="speech", params={"output_modalities": "speech"}),
        "transcription": OpenRouterListing(http, path="models", produces="transcription",
                                           params={"output_modalities": "transcription"}),
        "embeddings": OpenRouterListing(http, path="embeddings/models", produces="embeddings"),
    }
