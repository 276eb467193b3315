"""The tools generate_image, generate_audio and rerank_documents."""

from __future__ import annotations

from .registry import ToolRegistry


def register(registry: ToolRegistry) -> None:
    """Registers nothing yet."""
