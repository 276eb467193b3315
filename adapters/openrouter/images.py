"""``OpenRouterImages``: the ImageGenerator port over ``POST /chat/completions`` with ``modalities``."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...domain.errors import UpstreamError
from ...domain.generation import IMAGE_MODALITIES, GeneratedImage, ImageRequest, ImageResult
from ...domain.image_options import chat_image_size
from ...domain.text_safety import sanitize_result_text
from .errors import classify
from .http import OpenRouterHttp
from .wire import DEFAULT_RESULT_CHARS, attribution_fields, parse_usage, short_text

CONTEXT = "generate_image"
_EMBEDDED = re.compile(r"data:image/[A-Za-z0-9.+-]+(?:;[^;,\s\"')]*)*;base64,[A-Za-z0-9+/=_-]+")
_MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}


def image_body(request: ImageRequest) -> dict[str, Any]:
    content: str | list[dict[str, Any]] = request.prompt
    if request.reference_images:
        content = [{"type": "text", "text": request.prompt}]
        content += [{"type": "image_url", "image_url": {"url": url}} for url in request.reference_images]
    body: dict[str, Any] = {"model": str(request.model), "messages": [{"role": "user", "content": content}],
                            "modalities": list(request.modalities or IMAGE_MODALITIES)}
    image_config = {k: v for k, v in (("aspect_ratio", request.aspect_ratio),
                                      ("image_size", chat_image_size(request.resolution))) if v is not None}
    if image_config:
        body["image_config"] = image_config
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    body.update(attribution_fields(request.attribution))
    return body


def decode_base64(text: str) -> bytes | None:
    """Lenient base64 (standard or URL-safe, padding optional, whitespace ignored); None if undecodable."""
    cleaned = "".join(text.split()).rstrip("=").replace("-", "+").replace("_", "/")
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_data_url(url: str, default_mime: str = "image/png") -> GeneratedImage | None:
    """``data:<mime>[;param=value…];base64,<payload>`` to bytes; None for anything else."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    params = [p.strip().lower() for p in header.split(";")]
    if not sep or "base64" not in params[1:]:
        return None
    mime = params[0] or default_mime
    data = decode_base64(payload)
    return GeneratedImage(data=data, mime=_MIME_ALIASES.get(mime, mime)) if data else None


def _url_of(part: Mapping[str, Any]) -> str | None:
    nested = part.get("image_url")
    url = nested.get("url") if isinstance(nested, Mapping) else nested if isinstance(nested, str) else part.get("url")
    return url if isinstance(url, str) else None


def _inline(data: Any, mime: Any) -> GeneratedImage | None:
    if not isinstance(data, str):
        return None
    if data.startswith("data:"):
        return parse_data_url(data)
    decoded = decode_base64(data)
    return GeneratedImage(decoded, mime if isinstance(mime, str) and mime else "image/png") if decoded else None


def _from_part(part: Mapping[str, Any]) -> GeneratedImage | None:
    url = _url_of(part)
    if url is not None:
        return parse_data_url(url)
    inline = part.get("inline_data") or part.get("inlineData")
    if isinstance(inline, Mapping):
        return _inline(inline.get("data"), inline.get("mime_type") or inline.get("mimeType"))
    if part.get("type") == "image":
        return _inline(part.get("data"), part.get("mime_type") or part.get("mimeType"))
    return None


def _candidates(message: Mapping[str, Any]) -> Iterator[GeneratedImage | None]:
    images = message.get("images")
    for image in images if isinstance(images, list) else ():
        if isinstance(image, Mapping):
            yield _from_part(image)
    content = message.get("content")
    if isinstance(content, list):
        for part in content:
            if isinstance(part, Mapping):
                yield _from_part(part)
    elif isinstance(content, str):
        for match in _EMBEDDED.finditer(content):
            yield parse_data_url(match.group(0))


def extract_images(message: Mapping[str, Any]) -> tuple[GeneratedImage, ...]:
    """Every distinct base64 image in the message, in order (http URLs are not fetched here)."""
    found: list[GeneratedImage] = []
    for image in _candidates(message):
        if image is not None and all(image.data != seen.data for seen in found):
            found.append(image)
    return tuple(found)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return _EMBEDDED.sub("", content).strip()
    if isinstance(content, list):
        return "".join(str(p.get("text") or "") for p in content
                       if isinstance(p, Mapping) and p.get("type") == "text").strip()
    return ""


def parse_image_result(body: Any, requested_model: str, headers: Mapping[str, str],
                       max_chars: int = DEFAULT_RESULT_CHARS) -> ImageResult:
    if not isinstance(body, Mapping):
        raise UpstreamError(f"{CONTEXT}: OpenRouter returned an unreadable response: retry, or try another model.")
    choices = body.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], Mapping) else {}
    if choice.get("error") is not None:
        raise classify(200, {"error": choice["error"]}, headers, CONTEXT)
    message = choice.get("message")
    message = message if isinstance(message, Mapping) else {}
    return ImageResult(images=extract_images(message),
                       text=sanitize_result_text(_text_of(message.get("content")), max_chars),
                       model=short_text(body.get("model")) or requested_model,
                       provider=short_text(body.get("provider")),
                       usage=parse_usage(body.get("usage")), finish_reason=short_text(choice.get("finish_reason")),
                       generation_id=short_text(body.get("id")))


class OpenRouterImages:
    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def generate(self, request: ImageRequest) -> ImageResult:
        """The reply may carry large inline images, so it is read under ``max_media_response_bytes``."""
        with self._http.redacting():
            body, headers = await self._http.request_json("POST", "chat/completions", context=CONTEXT,
                                                          json_body=image_body(request), media=True)
            return parse_image_result(body, str(request.model), headers, self._http.config.max_result_chars)
