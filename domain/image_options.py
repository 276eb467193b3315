"""Image generation options: which route a model needs, which options each route takes, measured aspect ratios."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from math import gcd

from .errors import InvalidInput
from .model_card import ModelCard

RESOLUTIONS = ("512", "1K", "2K", "4K")
RESOLUTION_ALIASES = {"0.5K": "512"}
"""The chat route's ``image_config.image_size`` calls the smallest tier ``0.5K``; ``/images`` calls it ``512``."""
OUTPUT_FORMATS = ("png", "jpeg", "webp")
QUALITIES = ("auto", "low", "medium", "high")
MAX_VARIANTS = 4
RATIO_TOLERANCE = 0.02
NAMED_SUPPORTERS = 3

_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "9:21", "1:2", "2:1",
           "1:4", "4:1", "1:8", "8:1")


class ImageRoute(enum.StrEnum):
    """``chat``: a chat model with image output (``/chat/completions``); ``images``: the dedicated ``/images``."""

    CHAT = "chat"
    IMAGES = "images"


def resolution_tier(value: str | None) -> str | None:
    """``value`` as an ``/images`` tier (``0.5K`` → ``512``), INVALID_INPUT for anything else."""
    if value is None:
        return None
    tier = RESOLUTION_ALIASES.get(value, value)
    if tier not in RESOLUTIONS:
        raise InvalidInput(f"resolution '{value}' is not supported. Valid values: {', '.join(RESOLUTIONS)}.")
    return tier


def chat_image_size(tier: str | None) -> str | None:
    """The chat route's ``image_config.image_size`` for a tier (``512`` → ``0.5K``)."""
    return None if tier is None else next((k for k, v in RESOLUTION_ALIASES.items() if v == tier), tier)


def unsupported_options(card: ModelCard, options: Mapping[str, object]) -> list[str]:
    """The options (``name=value``) a dedicated-listing card says its model does not take, in order."""
    problems = []
    for name, value in options.items():
        spec = card.spec(name)
        if spec is None:
            problems.append(f"{name}")
        elif not spec.allows(value):
            problems.append(f"{name}={value} (it takes {spec.describe()})")
    return problems


def supporters(cards: Iterable[ModelCard], name: str, value: object, limit: int = NAMED_SUPPORTERS) -> list[str]:
    """Up to ``limit`` model ids (sorted) whose listing accepts ``name=value``."""
    found = sorted(card.id for card in cards if (spec := card.spec(name)) is not None and spec.allows(value))
    return found[:limit]


def measured_ratio(width: int, height: int) -> str:
    """The aspect ratio of ``width``x``height``: a named ratio within 2 %, else the reduced ``w:h``."""
    if width < 1 or height < 1:
        return "unknown"
    actual = width / height
    for name in _RATIOS:
        w, h = (float(part) for part in name.split(":"))
        if abs(actual / (w / h) - 1) <= RATIO_TOLERANCE:
            return name
    divisor = gcd(width, height)
    return f"{width // divisor}:{height // divisor}"
