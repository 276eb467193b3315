"""JSON nested deeper than parsers and validators like: one builder for every test that needs it."""

from __future__ import annotations

from typing import Any


def nested(depth: int, leaf: Any = "x", key: str = "a") -> Any:
    """``leaf`` wrapped in ``depth`` one-key objects: ``nested(2)`` is ``{"a": {"a": "x"}}``."""
    value = leaf
    for _ in range(depth):
        value = {key: value}
    return value
