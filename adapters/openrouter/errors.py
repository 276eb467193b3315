"""One classifier from OpenRouter's HTTP status, ``error`` body and headers to the closed taxonomy.

Fixes the anchor's misfires: 401 is UNAUTHORIZED (not INVALID_INPUT), a refused TCP
connection is a network failure (not a policy refusal), and 402 says how to fix it.
Messages never include the API key or request headers.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping
from typing import Any

from ...domain.errors import ErrorCode, OpenRouterMcpError, ResourceTooLarge, UpstreamError
from ...domain.setting_refs import setting

CREDITS_URL = "https://openrouter.ai/settings/credits"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def brief(value: Any, limit: int) -> str:
    """``value`` as at most ``limit`` characters of text; a structure too deep to print becomes its type name."""
    if isinstance(value, str):
        return value[:limit]
    try:
        return json.dumps(value, default=str)[:limit] if isinstance(value, Mapping | list) else str(value)[:limit]
    except (RecursionError, ValueError):
        return type(value).__name__


def _provider_detail(metadata: Mapping[str, Any]) -> str:
    raw = metadata.get("raw")
    if raw is None:
        return ""
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return raw[:300]
        raw = parsed
    if isinstance(raw, Mapping):
        inner = raw.get("error", raw)
        if isinstance(inner, Mapping):
            return brief(inner.get("message") or inner.get("type") or "", 300)
        return brief(inner, 300)
    return brief(raw, 300)


def error_status(error: Mapping[str, Any], http_status: int) -> int:
    for key in ("code", "http_status", "status"):
        value = error.get(key)
        if isinstance(value, int) and 100 <= value <= 599:
            return value
        if isinstance(value, str) and value.isdigit() and len(value) == 3:
            return int(value)
    return http_status if http_status >= 400 else 500


def classify(http_status: int, body: Any, headers: Mapping[str, str], context: str) -> OpenRouterMcpError:
    """Turn one upstream error response into a domain error with a fix-it message."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        error = {"message": brief(error or body or f"HTTP {http_status}", 300)}
    status = error_status(error, http_status)
    metadata = error.get("metadata") if isinstance(error.get("metadata"), Mapping) else {}
    assert isinstance(metadata, Mapping)
    message = brief(error.get("message") or f"HTTP {status}", 500)
    detail = _provider_detail(metadata)
    provider = metadata.get("provider_name")
    text = message + (f" ({provider}: {detail})" if detail and provider else f" ({detail})" if detail else "")
    lowered = f"{message} {detail} {error.get('error_type', '')}".lower()
    availability = error.get("availability") if isinstance(error.get("availability"), Mapping) else {}
    assert isinstance(availability, Mapping)
    retry_after = parse_retry_after(headers.get("retry-after"))
    hinted = availability.get("retry_after")
    if retry_after is None and isinstance(hinted, int | float) and not isinstance(hinted, bool) \
            and math.isfinite(hinted):
        retry_after = max(0.0, float(hinted))
    details: dict[str, Any] = {"status": status}
    if provider:
        details["provider"] = provider

    def upstream(code: ErrorCode, msg: str, *suggestions: str, retry: float | None = None) -> UpstreamError:
        return UpstreamError(f"{context}: {msg}", code=code, status=status, suggestions=suggestions,
                             retry_after_seconds=retry, details=details)

    if status == 401:
        return upstream(ErrorCode.UNAUTHORIZED,
                        f"OpenRouter rejected the API key ({message}): check {setting('api_key')}.",
                        "Create or copy a key at https://openrouter.ai/keys")
    if status == 402 or (status != 429 and ("requires more credits" in lowered or "insufficient credits" in lowered
                                            or "can only afford" in lowered)):
        details["reason"] = "credits"
        return upstream(ErrorCode.UPSTREAM_REFUSED,
                        f"not enough OpenRouter credits ({text}): add credits at {CREDITS_URL}, "
                        "lower max_tokens, or use a ':free' model.",
                        f"Top up at {CREDITS_URL}", "Lower max_tokens", "Switch to a ':free' model")
    if "zdr" in lowered or "zero data retention" in lowered:
        return upstream(ErrorCode.ZDR_INCOMPATIBLE,
                        f"{text}: no zero-data-retention endpoint serves this model; pick another model "
                        "or relax provider.zdr / provider.data_collection.")
    if (availability.get("code") in {"model_not_found", "no_endpoints", "model_deprecated", "free_variant_ended"}
            or "no endpoints found" in lowered or "not a valid model" in lowered
            or ("model" in lowered and ("does not exist" in lowered or "not found" in lowered))):
        return upstream(ErrorCode.MODEL_NOT_FOUND,
                        f"{text}: use search_models or validate_model to find an available model id.",
                        "search_models", "validate_model")
    if status == 403 and ("moderation" in lowered or "flagged" in lowered or metadata.get("reasons")
                          or "guardrail" in lowered):
        details["reason"] = "policy"
        return upstream(ErrorCode.UPSTREAM_REFUSED,
                        f"refused by content moderation ({text}): rephrase the request or try another provider.")
    if status == 429 or "rate limit" in lowered or "rate-limited" in lowered:
        details["reason"] = "rate_limit"
        wait = f"wait {int(retry_after)}s and retry" if retry_after is not None else "wait and retry"
        return upstream(ErrorCode.UPSTREAM_REFUSED, f"rate limited ({text}): {wait}, or use a paid model.",
                        wait.capitalize(), retry=retry_after)
    if status in (408, 504, 524) or "timeout" in lowered or "timed out" in lowered:
        return upstream(ErrorCode.UPSTREAM_TIMEOUT, f"upstream timed out ({text}): retry, or try a faster model.")
    if status == 413:
        return ResourceTooLarge(f"{context}: the request is too large for the provider ({text}): send smaller "
                                "media or fewer messages.", details=details)
    if 400 <= status < 500:
        return UpstreamError(f"{context}: OpenRouter rejected the request ({text}).", code=ErrorCode.INVALID_INPUT,
                             status=status, details=details)
    return upstream(ErrorCode.UPSTREAM_HTTP, f"OpenRouter error {status} ({text}): retry after a short delay.",
                    "Retry after a short delay", "Check https://status.openrouter.ai", retry=retry_after)
