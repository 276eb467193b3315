"""structlog JSON lines on stderr only (stdout carries the protocol), with secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

from ..domain.redaction import REDACTED, redact_text, secret_set

_SECRET_KEYS = re.compile(r"authorization|api[_-]?key|secret|token|password|cookie", re.IGNORECASE)
_KEY_PATTERN = re.compile(r"sk-or-[A-Za-z0-9\-_]{8,}|(Bearer|Basic)\s+[A-Za-z0-9\-_.=+/]{8,}")
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@]+@")
__all__ = ["REDACTED", "SecretRedactor", "configure_logging"]


class SecretRedactor:
    """A structlog processor that blanks secret-looking keys and any configured secret value.

    Runs last before rendering, so nothing a tool logs (including exception text) can carry
    the API key, an ``Authorization`` header or the credentials of a URL (``http://user:PASS@proxy``)
    to the log, whether or not they are configured secrets.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = secret_set(secrets)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            value = redact_text(value, self._secrets)
            return _URL_USERINFO.sub(REDACTED + "@", _KEY_PATTERN.sub(REDACTED, value))
        if isinstance(value, dict):
            return {k: REDACTED if _SECRET_KEYS.search(str(k)) and not str(k).endswith("_tokens")
                    else self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(v) for v in value]
        return value

    def __call__(self, logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key in list(event_dict):
            if _SECRET_KEYS.search(key) and not key.endswith("_tokens"):
                event_dict[key] = REDACTED
            else:
                event_dict[key] = self._clean(event_dict[key])
        return event_dict


def configure_logging(level: str = "info", secrets: Iterable[str] = (), stream: Any = None,
                      stdlib: bool = True) -> None:
    """Route structlog (and, with ``stdlib``, the root logger the MCP SDK uses) to JSON lines on stderr."""
    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.INFO
    redactor = SecretRedactor(secrets)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, redactor, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )
    if not stdlib:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, redactor,
                    structlog.processors.JSONRenderer()],
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder(),
                           structlog.processors.format_exc_info],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric, logging.INFO) if numeric < logging.INFO else numeric)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
