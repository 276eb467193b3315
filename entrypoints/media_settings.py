"""Settings for media input: the input sandbox, per-kind limits, image preparation, default models."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..domain.media import MEDIA_LIMIT_DEFAULTS, MediaKind, MediaLimits
from ..domain.save_policy import default_output_root

MIB = 1024 * 1024


class MediaSettings(BaseSettings):
    """``OPENROUTER_INPUT_DIR`` holds one or several roots separated by the OS path separator (``:``/``;``)."""

    model_config = SettingsConfigDict(env_prefix="OPENROUTER_", extra="ignore", populate_by_name=True, defer_build=True)

    output_dir: str | None = None
    input_dir: str | None = None
    allow_unsafe_paths: bool = False
    allow_private_urls: bool = False
    image_max_dimension: int = Field(default=800, ge=64, le=8192)
    image_jpeg_quality: int = Field(default=80, ge=1, le=100)
    image_fetch_timeout_ms: int = Field(default=30_000, ge=1_000)
    image_max_download_bytes: int = Field(default=MEDIA_LIMIT_DEFAULTS[MediaKind.IMAGE].max_download_bytes, ge=1024)
    image_max_data_url_bytes: int = Field(default=MEDIA_LIMIT_DEFAULTS[MediaKind.IMAGE].max_data_url_bytes, ge=1024)
    image_max_redirects: int = Field(default=8, ge=0, le=20)
    audio_fetch_timeout_ms: int = Field(default=30_000, ge=1_000)
    audio_max_download_bytes: int = Field(default=MEDIA_LIMIT_DEFAULTS[MediaKind.AUDIO].max_download_bytes, ge=1024)
    audio_max_data_url_bytes: int = Field(default=MEDIA_LIMIT_DEFAULTS[MediaKind.AUDIO].max_data_url_bytes, ge=1024)
    audio_max_redirects: int = Field(default=8, ge=0, le=20)
    video_fetch_timeout_ms: int = Field(default=60_000, ge=1_000)
    video_max_download_bytes: int = Field(default=MEDIA_LIMIT_DEFAULTS[MediaKind.VIDEO].max_download_bytes, ge=1024)
    video_max_data_url_bytes: int = Field(default=MEDIA_LIMIT_DEFAULTS[MediaKind.VIDEO].max_data_url_bytes, ge=1024)
    video_max_redirects: int = Field(default=8, ge=0, le=20)
    default_vision_model: str | None = None
    default_audio_model: str | None = None
    default_video_model: str | None = None

    def media_limits(self) -> dict[MediaKind, MediaLimits]:
        def limits(prefix: str) -> MediaLimits:
            return MediaLimits(
                max_download_bytes=getattr(self, f"{prefix}_max_download_bytes"),
                max_data_url_bytes=getattr(self, f"{prefix}_max_data_url_bytes"),
                max_redirects=getattr(self, f"{prefix}_max_redirects"),
                fetch_timeout_s=getattr(self, f"{prefix}_fetch_timeout_ms") / 1000,
            )

        return {MediaKind.IMAGE: limits("image"), MediaKind.AUDIO: limits("audio"), MediaKind.VIDEO: limits("video")}

    def output_root(self) -> str:
        """``OPENROUTER_OUTPUT_DIR`` or the per-user data directory (never the client's working directory)."""
        if self.output_dir and self.output_dir.strip():
            return str(Path(self.output_dir.strip()).expanduser())
        return default_output_root(sys.platform, str(Path.home()), os.environ)

    def input_roots(self, output_root: str) -> list[Path]:
        """Explicit roots, else the working directory (unless it contains the home directory); outputs always last.

        The output directory is always an input root, so a generated file can be described or
        edited next. A client that starts servers in ``/``, ``/home`` or ``~`` would otherwise
        open the whole disk or ``~/.ssh`` to any tool call, so such working directories are
        never used implicitly.
        """
        if self.input_dir and self.input_dir.strip():
            parts = [p for chunk in self.input_dir.split(os.pathsep) for p in chunk.split(",") if p.strip()]
            explicit = [Path(p.strip()).expanduser() for p in parts]
            return [*explicit, Path(output_root)] if Path(output_root) not in explicit else explicit
        roots = [Path(output_root)]
        cwd = Path.cwd().resolve()
        if not Path.home().resolve().is_relative_to(cwd):
            roots.insert(0, cwd)
        return roots
