"""``OpenRouterRerank``: the Reranker port over ``POST /rerank``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...domain.errors import UpstreamError
from ...domain.generation import RerankHit, RerankRequest, RerankResult
from .http import OpenRouterHttp
from .wire import parse_usage, session_header, short_text

CONTEXT = "rerank"


def rerank_body(request: RerankRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"model": str(request.model), "query": request.query, "documents": list(request.documents)}
    if request.top_n is not None:
        body["top_n"] = request.top_n
    return body


def _score(item: Mapping[str, Any]) -> float | None:
    for key in ("relevance_score", "score"):
        value = item.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:
                continue
            if math.isfinite(number):
                return number
    return None


def _document(item: Mapping[str, Any], index: int, documents: tuple[str, ...]) -> str | None:
    document = item.get("document")
    if isinstance(document, Mapping) and isinstance(document.get("text"), str):
        return str(document["text"])
    if isinstance(document, str):
        return document
    return documents[index] if 0 <= index < len(documents) else None


def parse_rerank(body: Any, request: RerankRequest) -> RerankResult:
    results = body.get("results") if isinstance(body, Mapping) else None
    if not isinstance(results, list):
        raise UpstreamError(f"{CONTEXT}: OpenRouter returned no results: retry, or try another rerank model.")
    hits: list[RerankHit] = []
    for item in results:
        if not isinstance(item, Mapping):
            continue
        index, score = item.get("index"), _score(item)
        if isinstance(index, int) and not isinstance(index, bool) and score is not None:
            hits.append(RerankHit(index=index, score=score, document=_document(item, index, request.documents)))
    hits.sort(key=lambda hit: hit.score, reverse=True)
    assert isinstance(body, Mapping)
    return RerankResult(model=short_text(body.get("model")) or str(request.model), hits=tuple(hits),
                        provider=short_text(body.get("provider")), usage=parse_usage(body.get("usage")))


class OpenRouterRerank:
    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def rerank(self, request: RerankRequest) -> RerankResult:
        with self._http.redacting():
            body, _ = await self._http.request_json("POST", "rerank", context=CONTEXT,
                                                    json_body=rerank_body(request),
                                                    headers=session_header(request.attribution))
            return parse_rerank(body, request)
