"""Scrubbing of errors built from upstream text: secrets redacted, control sequences stripped, length capped.

Why: an upstream or a gateway may echo the Authorization header, the key or the base URL's credentials
in an error message, a provider's ``metadata.raw`` or a job's ``error``; those texts reach tool results,
the model's context and the job store. This is the adapter-side pass; presenters add a final one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ...domain.errors import OpenRouterMcpError
from ...domain.text_safety import strip_controls

E = TypeVar("E", bound=OpenRouterMcpError)
MESSAGE_CHARS = 2000
_DEPTH = 8


def clean(text: str, redact: Callable[[str], str], max_chars: int = MESSAGE_CHARS) -> str:
    """Upstream text made safe to show: controls stripped, secrets redacted, then cut to ``max_chars``."""
    text = redact(strip_controls(text[: max_chars * 4]))
    return text if len(text) <= max_chars else text[:max_chars] + " [cut]"


def _value(value: Any, redact: Callable[[str], str], depth: int) -> Any:
    if isinstance(value, str):
        return clean(value, redact)
    if depth >= _DEPTH:
        return value if isinstance(value, int | float | bool) or value is None else "[...]"
    if isinstance(value, Mapping):
        return {str(k): _value(v, redact, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_value(v, redact, depth + 1) for v in value]
    return value


def scrub(exc: E, redact: Callable[[str], str]) -> E:
    """``exc`` with its message, suggestions and details cleaned (in place, so its type and code are kept)."""
    exc.message = " ".join(clean(exc.message, redact).split())
    exc.args = (exc.message,)
    exc.suggestions = tuple(clean(s, redact) for s in exc.suggestions)
    exc.details = {str(k): _value(v, redact, 1) for k, v in exc.details.items()}
    return exc
