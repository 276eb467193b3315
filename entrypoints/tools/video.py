"""The tools generate_video, generate_video_from_image, get_video_status and list_video_jobs."""

from __future__ import annotations

from .registry import ToolRegistry


def register(registry: ToolRegistry) -> None:
    """Registers nothing yet."""
