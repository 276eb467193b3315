"""Renders the ``${field}`` setting placeholders of domain messages for an audience: env variables or keywords.

Layers below the entrypoints name a setting by its ``Settings`` field (``${video_gen_max_bytes}``), because
only the entrypoint knows how it was configured. An MCP client's user sets ``OPENROUTER_VIDEO_GEN_MAX_BYTES``
in the server's env; a Python embedder passes ``video_gen_max_bytes=...``. A placeholder that names no
``Settings`` field is left as written, and rendering never raises on any text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..domain.setting_refs import SETTING_REF
from .settings import Settings, env_name

__all__ = ["SETTING_FIELDS", "env_name", "render_for_env", "render_for_python", "render_value"]

SETTING_FIELDS: frozenset[str] = frozenset(Settings.model_fields)
_ENV_PREFIX = str(Settings.model_config.get("env_prefix") or "OPENROUTER_")
_BOOL_FIELDS = frozenset(name for name, info in Settings.model_fields.items() if info.annotation is bool)
_WITH_VALUE = re.compile(SETTING_REF.pattern + r"(?:=([A-Za-z0-9_.-]+))?")





def render_for_env(text: str) -> str:
    """``text`` with each known ``${field}`` as its environment variable: ``set ${input_dir}`` becomes
    ``set OPENROUTER_INPUT_DIR``; ``${allow_unsafe_paths}=1`` becomes ``OPENROUTER_ALLOW_UNSAFE_PATHS=1``."""
    if "${" not in text:
        return text
    return SETTING_REF.sub(lambda m: env_name(m.group(1)) if m.group(1) in SETTING_FIELDS else m.group(0), text)


def render_for_python(text: str) -> str:
    """``text`` with each known ``${field}`` as the keyword an embedder passes: ``raise ${video_gen_max_bytes}``
    becomes ``raise the `video_gen_max_bytes` setting``; ``${field}=value`` becomes ```field=value``` (``1`` for
    a boolean field reads ``True``)."""
    if "${" not in text:
        return text
    return _WITH_VALUE.sub(_python_form, text)


def _python_form(match: re.Match[str]) -> str:
    field, value = match.group(1), match.group(2)
    if field not in SETTING_FIELDS:
        return match.group(0)
    if value is None:
        return f"the `{field}` setting"
    if field in _BOOL_FIELDS and value in ("1", "true"):
        value = "True"
    return f"`{field}={value}`"


def render_value(value: Any, render: Callable[[str], str]) -> Any:
    """``render`` applied to every string in nested dicts (keys too), lists and tuples; other values as they are."""
    if isinstance(value, str):
        return render(value)
    if isinstance(value, dict):
        return {render_value(k, render): render_value(v, render) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(item, render) for item in value]
    if isinstance(value, tuple):
        return tuple(render_value(item, render) for item in value)
    return value
