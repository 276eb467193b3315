"""Wire shapes: domain values to OpenRouter JSON and back, parsed leniently (every field optional)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ...domain.chat import ChatRequest, ChatResult
from ...domain.errors import UpstreamError
from ...domain.model_card import ModelCard, Pricing
from ...domain.usage import Usage
from .errors import classify


def chat_body(request: ChatRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"model": str(request.model), "messages": [m.as_body() for m in request.messages]}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens:
        body["max_tokens"] = request.max_tokens
    provider = request.provider.as_body()
    if provider:
        body["provider"] = provider
    if request.include_reasoning:
        body["include_reasoning"] = True
    if request.online:
        plugin: dict[str, Any] = {"id": "web"}
        if request.web_max_results:
            plugin["max_results"] = request.web_max_results
        body["plugins"] = [plugin]
    return body


def cache_headers(request: ChatRequest) -> dict[str, str]:
    headers: dict[str, str] = {}
    if request.cache.enabled:
        headers["X-OpenRouter-Cache"] = "true"
        if request.cache.ttl:
            headers["X-OpenRouter-Cache-TTL"] = request.cache.ttl
    if request.cache.clear:
        headers["X-OpenRouter-Cache-Clear"] = "true"
    return headers


def cache_status(headers: Mapping[str, str]) -> dict[str, Any] | None:
    status = headers.get("x-openrouter-cache-status")
    if not status:
        return None
    meta: dict[str, Any] = {"status": status}
    age = headers.get("x-openrouter-cache-age")
    if age and age.replace(".", "", 1).isdigit():
        meta["age_seconds"] = float(age)
    if headers.get("x-openrouter-cache-ttl"):
        meta["ttl"] = headers["x-openrouter-cache-ttl"]
    return meta


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_usage(raw: Any) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    completion_details = raw.get("completion_tokens_details") or {}
    prompt_details = raw.get("prompt_tokens_details") or {}
    return Usage(
        prompt_tokens=_int(raw.get("prompt_tokens")) or 0,
        completion_tokens=_int(raw.get("completion_tokens")) or 0,
        total_tokens=_int(raw.get("total_tokens")) or 0,
        reasoning_tokens=_int(completion_details.get("reasoning_tokens")) if completion_details else None,
        cached_tokens=_int(prompt_details.get("cached_tokens")) if prompt_details else None,
        cost=decimal_or_none(raw.get("cost")),
    )


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping) and p.get("type") == "text")
    return ""


def _reasoning_of(message: Mapping[str, Any]) -> str | None:
    if isinstance(message.get("reasoning"), str) and message["reasoning"]:
        return str(message["reasoning"])
    details = message.get("reasoning_details")
    if isinstance(details, list):
        texts = [str(d.get("text") or d.get("summary") or "") for d in details if isinstance(d, Mapping)]
        joined = "\n".join(t for t in texts if t)
        return joined or None
    return None


def _images_of(message: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for image in message.get("images") or []:
        if isinstance(image, Mapping):
            url = (image.get("image_url") or {}).get("url") if isinstance(image.get("image_url"), Mapping) \
                else image.get("url")
            if isinstance(url, str):
                found.append(url)
    return tuple(found)


def parse_chat(body: Any, requested_model: str, headers: Mapping[str, str], context: str) -> ChatResult:
    if not isinstance(body, Mapping) or not isinstance(body.get("choices"), list) or not body["choices"]:
        raise UpstreamError(f"{context}: OpenRouter returned no choices: retry, or try another model.")
    choice = body["choices"][0] if isinstance(body["choices"][0], Mapping) else {}
    if isinstance(choice.get("error"), Mapping):
        raise classify(200, {"error": choice["error"]}, headers, context)
    message = choice.get("message") if isinstance(choice.get("message"), Mapping) else {}
    assert isinstance(message, Mapping)
    return ChatResult(
        text=_text_of(message.get("content")),
        model=str(body.get("model") or requested_model),
        provider=body.get("provider") if isinstance(body.get("provider"), str) else None,
        finish_reason=choice.get("finish_reason"),
        native_finish_reason=choice.get("native_finish_reason"),
        reasoning=_reasoning_of(message),
        usage=parse_usage(body.get("usage")),
        generation_id=body.get("id") if isinstance(body.get("id"), str) else None,
        images=_images_of(message),
        annotations=tuple(dict(a) for a in message.get("annotations") or [] if isinstance(a, Mapping)),
        cache_status=cache_status(headers),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def parse_model(raw: Mapping[str, Any]) -> ModelCard | None:
    model_id = raw.get("id")
    if not isinstance(model_id, str) or "/" not in model_id:
        return None
    arch = raw.get("architecture") if isinstance(raw.get("architecture"), Mapping) else {}
    pricing = raw.get("pricing") if isinstance(raw.get("pricing"), Mapping) else {}
    top = raw.get("top_provider") if isinstance(raw.get("top_provider"), Mapping) else {}
    assert isinstance(arch, Mapping) and isinstance(pricing, Mapping) and isinstance(top, Mapping)
    return ModelCard(
        id=model_id,
        name=str(raw.get("name") or model_id),
        context_length=_int(raw.get("context_length")) or _int(top.get("context_length")),
        input_modalities=_strings(arch.get("input_modalities")) or ("text",),
        output_modalities=_strings(arch.get("output_modalities")) or ("text",),
        pricing=Pricing(prompt=decimal_or_none(pricing.get("prompt")),
                        completion=decimal_or_none(pricing.get("completion")),
                        request=decimal_or_none(pricing.get("request")),
                        image=decimal_or_none(pricing.get("image"))),
        max_completion_tokens=_int(top.get("max_completion_tokens")),
        supported_parameters=_strings(raw.get("supported_parameters")),
        description=str(raw.get("description") or "")[:500],
    )
