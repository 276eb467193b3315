"""``OpenRouterImagesApi``: the ImageGenerator port over the dedicated ``POST /images`` endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.errors import UpstreamError
from ...domain.generation import GeneratedImage, ImageRequest, ImageResult
from .http import OpenRouterHttp
from .images import decode_base64
from .wire import parse_usage, session_header, short_text

CONTEXT = "generate_image (/images)"
MAX_IMAGES = 10
"""The endpoint's upper bound for ``n``; anything past it in a reply is ignored."""
_MEDIA_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/svg+xml", "image/gif"})


def images_body(request: ImageRequest) -> dict[str, Any]:
    """The ``/images`` body: no ``user`` or ``session_id`` fields here (the session goes in a header)."""
    body: dict[str, Any] = {"model": str(request.model), "prompt": request.prompt}
    options = (("n", request.n if request.n > 1 else None), ("aspect_ratio", request.aspect_ratio),
               ("resolution", request.resolution), ("seed", request.seed), ("output_format", request.output_format),
               ("quality", request.quality))
    body.update({name: value for name, value in options if value is not None})
    if request.reference_images:
        body["input_references"] = [{"type": "image_url", "image_url": {"url": url}}
                                    for url in request.reference_images]
    return body


def parse_images(body: Any, request: ImageRequest, headers: Mapping[str, str]) -> ImageResult:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise UpstreamError(f"{CONTEXT}: OpenRouter's reply has no image list: retry, or try another model.")
    images: list[GeneratedImage] = []
    for item in data[:MAX_IMAGES]:
        encoded = item.get("b64_json") if isinstance(item, Mapping) else None
        decoded = decode_base64(encoded) if isinstance(encoded, str) else None
        if decoded:
            mime = item.get("media_type")
            images.append(GeneratedImage(decoded, mime if mime in _MEDIA_TYPES else "image/png"))
    assert isinstance(body, Mapping)
    return ImageResult(images=tuple(images), text="", model=str(request.model), usage=parse_usage(body.get("usage")),
                       generation_id=short_text(headers.get("x-generation-id")))


class OpenRouterImagesApi:
    """Generated images arrive inline as base64, so the reply is read under ``max_media_response_bytes``."""

    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def generate(self, request: ImageRequest) -> ImageResult:
        with self._http.redacting():
            body, headers = await self._http.request_json("POST", "images", context=CONTEXT,
                                                          json_body=images_body(request), media=True,
                                                          headers=session_header(request.attribution))
            return parse_images(body, request, headers)
