"""Pure text hygiene for anything an upstream sends back: control-sequence stripping and length caps.

Why: model output and upstream error text reach a terminal, a model's context and the job store. Escape
sequences can rewrite a terminal or hide text, and an unbounded string can flood a client. Secrets are
``redaction``'s job. These functions never raise on any ``str``.
"""

from __future__ import annotations

import re

from .setting_refs import setting

RESULT_CHARS_SETTING = setting("max_result_chars")

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: ESC [ params intermediates final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings up to ST
    r"|\x1b[ -/]*[0-~]?"  # any other escape sequence (or a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other C0 and C1 controls (keeps \t and \n)
)


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
