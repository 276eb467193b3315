"""The closed error taxonomy and the domain error family.

Every failure a user can cause ends as one of these, and the MCP presenter turns
it into a tool result with ``isError`` and ``_meta.code``. The hierarchy::

    OpenRouterMcpError            (code, message, suggestions, retry_after_seconds, details)
    ├── InvalidInput              INVALID_INPUT
    ├── UnsafePath                UNSAFE_PATH
    ├── UnsupportedFormat         UNSUPPORTED_FORMAT
    ├── ResourceTooLarge          RESOURCE_TOO_LARGE
    ├── ConfigurationError        CONFIGURATION
    ├── ModelNotFound             MODEL_NOT_FOUND
    ├── JobFailed                 JOB_FAILED
    ├── QuotaExceeded             QUOTA_EXCEEDED (details.reason says which rule)
    ├── UpstreamError             UPSTREAM_HTTP / UPSTREAM_TIMEOUT / UPSTREAM_REFUSED /
    │                             UNAUTHORIZED / ZDR_INCOMPATIBLE
    └── InternalError             INTERNAL

JOB_STILL_RUNNING is a *success* code (a resumable handle), never raised.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .paid_call import Billing


class ErrorCode(enum.StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    UNSAFE_PATH = "UNSAFE_PATH"
    UPSTREAM_HTTP = "UPSTREAM_HTTP"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_REFUSED = "UPSTREAM_REFUSED"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    RESOURCE_TOO_LARGE = "RESOURCE_TOO_LARGE"
    ZDR_INCOMPATIBLE = "ZDR_INCOMPATIBLE"
    MODEL_NOT_FOUND = "MODEL_NOT_FOUND"
    JOB_FAILED = "JOB_FAILED"
    JOB_STILL_RUNNING = "JOB_STILL_RUNNING"
    INTERNAL = "INTERNAL"
    CONFIGURATION = "CONFIGURATION"
    UNAUTHORIZED = "UNAUTHORIZED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"


class OpenRouterMcpError(Exception):
    """Base of every error we show to a caller; ``message`` is one line saying what to do.

    ``billing`` is set when the call had already been paid for before it failed, so the
    pipeline can audit and settle the real cost.
    """

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        suggestions: Sequence[str] = (),
        retry_after_seconds: float | None = None,
        details: Mapping[str, Any] | None = None,
        billing: Billing | None = None,
    ) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())
        if code is not None:
            self.code = code
        self.suggestions = tuple(suggestions)
        self.retry_after_seconds = retry_after_seconds
        self.details = dict(details or {})
        self.billing = billing


class InvalidInput(OpenRouterMcpError):
    code = ErrorCode.INVALID_INPUT


class UnsafePath(OpenRouterMcpError):
    code = ErrorCode.UNSAFE_PATH


class UnsupportedFormat(OpenRouterMcpError):
    code = ErrorCode.UNSUPPORTED_FORMAT


class ResourceTooLarge(OpenRouterMcpError):
    code = ErrorCode.RESOURCE_TOO_LARGE


class ConfigurationError(OpenRouterMcpError):
    code = ErrorCode.CONFIGURATION


class ModelNotFound(OpenRouterMcpError):
    code = ErrorCode.MODEL_NOT_FOUND


class JobFailed(OpenRouterMcpError):
    code = ErrorCode.JOB_FAILED


class QuotaExceeded(OpenRouterMcpError):
    """A call the spend and rate policy refused before anything was paid.

    ``details`` always has ``reason`` (``rate_limit``, ``daily_quota``, ``cooldown``, ``budget``,
    ``model_not_allowed``, ``tool_not_allowed`` or ``policy_unavailable``) and, where they apply,
    ``limit``, ``used``, ``reset_at`` (ISO 8601 UTC) and ``retry_after_seconds``.
    """

    code = ErrorCode.QUOTA_EXCEEDED

    def __init__(self, message: str, *, reason: str, retry_after_seconds: float | None = None,
                 details: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        merged = {"reason": reason, **dict(details or {})}
        if retry_after_seconds is not None:
            merged["retry_after_seconds"] = retry_after_seconds
        super().__init__(message, retry_after_seconds=retry_after_seconds, details=merged, **kwargs)

    @property
    def reason(self) -> str:
        return str(self.details["reason"])


class UpstreamError(OpenRouterMcpError):
    """Something OpenRouter (or the network towards it) said or failed to say."""

    code = ErrorCode.UPSTREAM_HTTP

    def __init__(self, message: str, *, status: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status = status


class UnauthorizedCaller(OpenRouterMcpError):
    """A caller of this server (not of OpenRouter) could not be identified: no or a wrong token."""

    code = ErrorCode.UNAUTHORIZED


class InternalError(OpenRouterMcpError):
    code = ErrorCode.INTERNAL


def missing_api_key() -> ConfigurationError:
    return ConfigurationError(
        "${api_key} is not set: set it (for this MCP server, in its env in your MCP client config) and restart it.",
        suggestions=("Create a key at https://openrouter.ai/keys",),
    )
