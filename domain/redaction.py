"""Secret redaction: pure functions that blank known secret values in text and nested values.

Results, stored errors and log lines may carry text an upstream echoed back (``Invalid header
Authorization: Bearer <key>``, a proxy error quoting its URL); every such place runs it through
``redact`` with the configured secrets before it leaves the server.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not redacted on their own: blanking every 'ab' would garble all output while hiding nothing
an attacker could not guess. They are still redacted inside longer secrets (``user:ab``, the Basic token)."""
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[^\s\"'<>,;]+")
_OPENROUTER_KEY = re.compile(r"sk-or-[A-Za-z0-9_-]{8,}")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"'<>]+@")


def secret_set(values: Iterable[str]) -> tuple[str, ...]:
    """Distinct secrets worth redacting, longest first so a secret that contains another is blanked whole."""
    unique = {value for value in values if len(value) >= MIN_SECRET_LENGTH}
    return tuple(sorted(unique, key=lambda value: (-len(value), value)))


def redact_text(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every occurrence of every secret replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """Redact strings anywhere in nested dicts, lists and tuples (keys too); other values are returned as they are."""
    if not secrets:
        return value
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {redact(k, secrets): redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, secrets) for item in value]
    if isinstance(value, tuple):
        return tuple(redact(item, secrets) for item in value)
    return value


def url_credentials(url: str) -> tuple[str, ...]:
    """The secrets a URL's userinfo carries: the password and ``user:password`` (or a lone user, which is then
    the token) as written and percent-decoded, and the HTTP Basic token httpx builds from them (what a proxy
    sees, and may echo, in ``Authorization``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ()
    if "@" not in parts.netloc:
        return ()
    userinfo = parts.netloc.rpartition("@")[0]
    user, has_password, password = userinfo.partition(":")
    found: list[str] = []
    for raw_user, raw_password in {(user, password), (unquote(user), unquote(password))}:
        found += [raw_password, f"{raw_user}:{raw_password}"] if has_password else [raw_user]
        pair = f"{raw_user}:{raw_password}" if has_password else raw_user
        found.append(base64.b64encode(pair.encode()).decode())
    return tuple(value for value in found if value)


def url_without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed, for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return _URL_USERINFO.sub(r"\1", url)
    if "@" not in parts.netloc or host is None:
        return _URL_USERINFO.sub(r"\1", url)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces known secret values, ``Bearer <token>``, OpenRouter-style keys and URL credentials.

    Secrets shorter than 4 characters are ignored: replacing them would mangle ordinary text
    and they are not worth hiding behind.
    """

    secrets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "secrets", secret_set(self.secrets))

    def __call__(self, text: str) -> str:
        text = redact_text(text, self.secrets)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _OPENROUTER_KEY.sub(REDACTED, text)
        return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
