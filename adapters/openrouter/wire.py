"""Wire shapes: domain values to OpenRouter JSON and back, parsed leniently (every field optional)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ...domain.caller import Attribution
from ...domain.chat import ChatMessage, ChatRequest, ChatResult, ContentPart, InlineImage
from ...domain.errors import UpstreamError
from ...domain.model_card import ModelCard, Pricing
from ...domain.text_safety import sanitize_result_text, strip_controls
from ...domain.usage import Usage
from .errors import classify

DEFAULT_RESULT_CHARS = 200_000


def part_body(part: ContentPart) -> dict[str, Any]:
    """One content part in OpenRouter's shape: prepared images become inline ``image_url`` data URLs."""
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if not isinstance(part, InlineImage):
        return part
    url = f"data:{part.mime};base64,{base64.b64encode(part.data).decode('ascii')}"
    body: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    if part.cache:
        body["cache_control"] = {"type": "ephemeral"}
    return body


def message_body(message: ChatMessage) -> dict[str, Any]:
    content = message.content if isinstance(message.content, str) else [part_body(p) for p in message.content]
    return {"role": message.role, "content": content}


def chat_body(request: ChatRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"model": str(request.model), "messages": [message_body(m) for m in request.messages]}
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
    body.update(attribution_fields(request.attribution))
    return body


def attribution_fields(attribution: Attribution) -> dict[str, str]:
    """OpenRouter's per-user body fields: ``user`` isolates abuse blocks per end user, ``session_id`` groups and
    routes one conversation (chat-shaped endpoints only)."""
    fields: dict[str, str] = {}
    if attribution.user:
        fields["user"] = attribution.user
    if attribution.session_id:
        fields["session_id"] = attribution.session_id
    return fields


def session_header(attribution: Attribution) -> dict[str, str]:
    """The only per-user field the media endpoints take: ``x-session-id`` (grouping only)."""
    return {"x-session-id": attribution.session_id} if attribution.session_id else {}


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


SHORT_CHARS = 200
MAX_AMOUNT = Decimal(10) ** 9
MAX_COUNT = 2**53
MAX_ANNOTATIONS = 100


def short_text(value: Any, max_chars: int = SHORT_CHARS) -> str | None:
    """A short upstream label (model, provider, finish reason, id): strings only, controls stripped, capped."""
    if not isinstance(value, str) or not value:
        return None
    return " ".join(strip_controls(value[: max_chars * 4]).split())[:max_chars] or None


def decimal_or_none(value: Any) -> Decimal | None:
    """A price or cost: finite, 0 ≤ x < 10⁹; anything else (1e999, NaN, a 5000-digit string) is None."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    text = str(value).strip()
    if len(text) > 64:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and 0 <= number < MAX_AMOUNT else None


def _int(value: Any) -> int | None:
    """A token count: an int in [0, 2**53), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_COUNT else None


def parse_usage(raw: Any) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    completion_details = raw.get("completion_tokens_details")
    completion_details = completion_details if isinstance(completion_details, Mapping) else {}
    prompt_details = raw.get("prompt_tokens_details")
    prompt_details = prompt_details if isinstance(prompt_details, Mapping) else {}
    return Usage(
        prompt_tokens=_int(raw.get("prompt_tokens")) or 0,
        completion_tokens=_int(raw.get("completion_tokens")) or 0,
        total_tokens=_int(raw.get("total_tokens")) or 0,
        reasoning_tokens=_int(completion_details.get("reasoning_tokens")) if completion_details else None,
        cached_tokens=_int(prompt_details.get("cached_tokens")) if prompt_details else None,
        cost=decimal_or_none(raw.get("cost")),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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


def _flat(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Only scalar fields, strings cleaned and capped: nothing deeply nested or huge reaches a result."""
    flat: dict[str, Any] = {}
    for key, value in list(raw.items())[:20]:
        if isinstance(value, str):
            flat[str(key)[:40]] = strip_controls(value[:4000])[:2000]
        elif isinstance(value, bool) or (isinstance(value, int) and abs(value) < MAX_COUNT):
            flat[str(key)[:40]] = value
    return flat


def _annotation(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A citation annotation (``{"type": "url_citation", "url_citation": {url, title, ...}}``), flattened."""
    annotation = _flat(raw)
    citation = raw.get("url_citation")
    if isinstance(citation, Mapping):
        annotation["url_citation"] = _flat(citation)
    return annotation


def _images_of(message: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for image in _list(message.get("images")):
        if isinstance(image, Mapping):
            url = (image.get("image_url") or {}).get("url") if isinstance(image.get("image_url"), Mapping) \
                else image.get("url")
            if isinstance(url, str):
                found.append(url)
    return tuple(found)


def parse_chat(body: Any, requested_model: str, headers: Mapping[str, str], context: str,
               max_chars: int = DEFAULT_RESULT_CHARS) -> ChatResult:
    """The first choice as a ``ChatResult``; text and reasoning are stripped of control sequences and capped
    at ``max_chars`` (``max_result_chars``), labels are short strings or None."""
    if not isinstance(body, Mapping) or not isinstance(body.get("choices"), list) or not body["choices"]:
        raise UpstreamError(f"{context}: OpenRouter returned no choices: retry, or try another model.")
    choice = body["choices"][0] if isinstance(body["choices"][0], Mapping) else {}
    if isinstance(choice.get("error"), Mapping):
        raise classify(200, {"error": choice["error"]}, headers, context)
    message = choice.get("message") if isinstance(choice.get("message"), Mapping) else {}
    assert isinstance(message, Mapping)
    reasoning = _reasoning_of(message)
    return ChatResult(
        text=sanitize_result_text(_text_of(message.get("content")), max_chars),
        model=short_text(body.get("model")) or requested_model,
        provider=short_text(body.get("provider")),
        finish_reason=short_text(choice.get("finish_reason")),
        native_finish_reason=short_text(choice.get("native_finish_reason")),
        reasoning=sanitize_result_text(reasoning, max_chars) if reasoning else None,
        usage=parse_usage(body.get("usage")),
        generation_id=short_text(body.get("id")),
        images=_images_of(message),
        annotations=tuple(_annotation(a) for a in _list(message.get("annotations"))[:MAX_ANNOTATIONS]
                          if isinstance(a, Mapping)),
        cache_status=cache_status(headers),
    )


def _strings(value: Any) -> tuple[str, ...]:
    found = (short_text(v, 100) for v in value[:200]) if isinstance(value, list) else ()
    return tuple(v for v in found if v)


def parse_model(raw: Mapping[str, Any]) -> ModelCard | None:
    model_id = raw.get("id")
    if not isinstance(model_id, str) or "/" not in model_id or len(model_id) > SHORT_CHARS \
            or not model_id.isprintable():
        return None
    arch = raw.get("architecture") if isinstance(raw.get("architecture"), Mapping) else {}
    pricing = raw.get("pricing") if isinstance(raw.get("pricing"), Mapping) else {}
    top = raw.get("top_provider") if isinstance(raw.get("top_provider"), Mapping) else {}
    assert isinstance(arch, Mapping) and isinstance(pricing, Mapping) and isinstance(top, Mapping)
    return ModelCard(
        id=model_id,
        name=short_text(raw.get("name")) or model_id,
        context_length=_int(raw.get("context_length")) or _int(top.get("context_length")),
        input_modalities=_strings(arch.get("input_modalities")) or ("text",),
        output_modalities=_strings(arch.get("output_modalities")) or ("text",),
        pricing=Pricing(prompt=decimal_or_none(pricing.get("prompt")),
                        completion=decimal_or_none(pricing.get("completion")),
                        request=decimal_or_none(pricing.get("request")),
                        image=decimal_or_none(pricing.get("image"))),
        max_completion_tokens=_int(top.get("max_completion_tokens")),
        supported_parameters=_strings(raw.get("supported_parameters")),
        description=strip_controls(str(raw.get("description") or "")[:1000])[:500],
        voices=_strings(raw.get("supported_voices")),
    )
