"""Entry points: the stdio and HTTP MCP servers, and ``OpenRouterMultimodal``, the Python API.

``from openrouter_multimodal.entrypoints import OpenRouterMultimodal`` imports the API lazily, so running
the server (``python -m openrouter_multimodal.entrypoints``) does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import OpenRouterMultimodal

__all__ = ["OpenRouterMultimodal"]


def __getattr__(name: str) -> Any:
    if name == "OpenRouterMultimodal":
        from .api import OpenRouterMultimodal

        return OpenRouterMultimodal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
