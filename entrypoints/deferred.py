"""``deferred``: a provider target that is imported on its first call, so start-up loads no adapter or use case.

Why: the containers name every adapter and use case of every tool family; importing them all (with httpx,
redis, pymongo, Pillow, sqlite3) before the first ``tools/list`` answer cost more than the MCP SDK itself.
A family's modules now load when a provider first builds one of its objects. A target that does not exist
fails on that first call (``ImportError`` / ``AttributeError``); ``tests`` resolve every target, so a typo
cannot reach a user.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

PACKAGE = "openrouter_multimodal"


class Deferred:
    """Callable stand-in for ``module:name`` (relative to the ``openrouter_multimodal`` package)."""

    __slots__ = ("_module", "_name", "_target")

    def __init__(self, target: str) -> None:
        module, _, name = target.partition(":")
        if not module or not name:
            raise ValueError(f"deferred target {target!r} is not 'module:name'")
        self._module = f"{PACKAGE}.{module}"
        self._name = name
        self._target: Callable[..., Any] | None = None

    def load(self) -> Callable[..., Any]:
        if self._target is None:
            self._target = getattr(importlib.import_module(self._module), self._name)
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"deferred({self._module}:{self._name})"


def deferred(target: str) -> Callable[..., Any]:
    """``deferred("adapters.openrouter.chat:OpenRouterChat")``: imported when the provider first calls it."""
    return Deferred(target)
