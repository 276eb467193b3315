"""``OpenRouterEmbeddings``: the Embedder port over ``POST /embeddings``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...domain.embeddings import EmbeddingRequest, EmbeddingResult
from ...domain.errors import UpstreamError
from .http import OpenRouterHttp
from .wire import parse_usage, session_header, short_text

CONTEXT = "embed_texts"


def embeddings_body(request: EmbeddingRequest) -> dict[str, Any]:
    """``user`` is the one attribution field this endpoint takes in its body; the session goes in a header."""
    body: dict[str, Any] = {"model": str(request.model), "input": list(request.texts), "encoding_format": "float"}
    if request.dimensions is not None:
        body["dimensions"] = request.dimensions
    if request.attribution.user:
        body["user"] = request.attribution.user
    return body


def _vector(raw: Any) -> list[float] | None:
    if not isinstance(raw, list) or not raw:
        return None
    values = [float(v) for v in raw if isinstance(v, int | float) and not isinstance(v, bool)]
    return values if len(values) == len(raw) and all(math.isfinite(v) for v in values) else None


def _broken(what: str) -> UpstreamError:
    return UpstreamError(f"{CONTEXT}: OpenRouter's reply {what}: retry, or try another embedding model.")


def parse_embeddings(body: Any, request: EmbeddingRequest) -> EmbeddingResult:
    """Vectors in input order; a reply that does not give exactly one finite vector per text, all of one length,
    is an error rather than a result that would silently misalign texts and vectors."""
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise _broken("has no embeddings")
    by_index: dict[int, list[float]] = {}
    for position, item in enumerate(data[: len(request.texts) + 1]):
        if not isinstance(item, Mapping):
            raise _broken("holds an entry that is not an embedding")
        index = item.get("index", position)
        vector = _vector(item.get("embedding"))
        if not isinstance(index, int) or isinstance(index, bool) or vector is None or index in by_index:
            raise _broken("holds an embedding that is not a list of numbers")
        by_index[index] = vector
    if sorted(by_index) != list(range(len(request.texts))):
        raise _broken(f"has {len(by_index)} embeddings for {len(request.texts)} texts")
    vectors = [by_index[i] for i in range(len(request.texts))]
    if len({len(v) for v in vectors}) != 1:
        raise _broken("has embeddings of different lengths")
    assert isinstance(body, Mapping)
    return EmbeddingResult(model=short_text(body.get("model")) or str(request.model), vectors=vectors,
                           provider=short_text(body.get("provider")), usage=parse_usage(body.get("usage")),
                           generation_id=short_text(body.get("id")))


class OpenRouterEmbeddings:
    """256 long vectors make a large reply, so it is read under ``max_media_response_bytes``."""

    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def embed(self, request: EmbeddingRequest) -> EmbeddingResult:
        with self._http.redacting():
            body, _ = await self._http.request_json("POST", "embeddings", context=CONTEXT,
                                                    json_body=embeddings_body(request), media=True,
                                                    headers=session_header(request.attribution))
            return parse_embeddings(body, request)
