"""Pure text hygiene for anything an upstream sends back: control-sequence stripping, length caps, secret redaction.

Why: model output and upstream error text reach a terminal, a model's context and the job store. Escape
sequences can rewrite a terminal or hide text, an unbounded string can flood a client, and a gateway that
echoes the Authorization header would leak the key. These functions never raise on any ``str``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
RESULT_CHARS_SETTING = "OPENROUTER_MAX_RESULT_CHARS"

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: ESC [ params intermediates final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings up to ST
    r"|\x1b[ -/]*[0-~]?"  # any other escape sequence (or a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other C0 and C1 controls (keeps \t and \n)
)
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[^\s\"'<>,;]+")
_OPENROUTER_KEY = re.compile(r"sk-or-[A-Za-z0-9_-]{8,}")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"'<>]+@")


def strip_controls(text: str) -> str:
    """``text`` without terminal control sequences (ANSI CSI/OSC/DCS, other escapes) or C0/C1 controls.

    Newlines and tabs are kept; ``\\r\\n`` becomes ``\\n``; a lone ``\\r`` (which can overwrite a line on a
    terminal) becomes ``\\n``.
    """
    if text.isprintable():
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def cap_text(text: str, max_chars: int, setting: str = RESULT_CHARS_SETTING) -> str:
    """``text`` cut to at most ``max_chars`` characters, with a note naming ``setting`` when it was cut."""
    if len(text) <= max_chars:
        return text
    note = f"\n[cut: the text had {len(text)} characters, over the {max_chars}-character limit ({setting})]"
    return text[: max(0, max_chars)] + note


def sanitize_result_text(text: str, max_chars: int) -> str:
    """Model output as shown to a caller: controls stripped, then capped (with a note when cut)."""
    return cap_text(strip_controls(text), max_chars)


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


def url_secrets(url: str) -> tuple[str, ...]:
    """The password of ``url`` (when present), which must never be echoed in any form."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    if not password:
        return ()
    return tuple(dict.fromkeys(value for value in (password, unquote(password)) if len(value) >= 4))


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces known secret values, ``Bearer <token>``, OpenRouter-style keys and URL credentials.

    Secrets shorter than 4 characters are ignored: replacing them would mangle ordinary text
    and they are not worth hiding behind.
    """

    secrets: tuple[str, ...] = ()

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if len(secret) >= 4 and secret in text:
                text = text.replace(secret, REDACTED)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _OPENROUTER_KEY.sub(REDACTED, text)
        return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
