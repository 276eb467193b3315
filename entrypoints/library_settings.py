"""Settings for the user's image library: the folder adapter's directory, or LibreChat's database and folders."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LIBRARY_KINDS = ("folder", "librechat")


class LibrarySettings(BaseSettings):
    """``OPENROUTER_LIBRARY`` picks the adapter: ``folder`` (``OPENROUTER_LIBRARY_DIR/<subject>/``) or
    ``librechat`` (``OPENROUTER_LIBRECHAT_MONGO_URI`` plus the mounted images and uploads folders)."""

    model_config = SettingsConfigDict(env_prefix="OPENROUTER_", extra="ignore", populate_by_name=True, defer_build=True)

    library: str = "folder"
    library_dir: str | None = None
    librechat_mongo_uri: str | None = Field(default=None, max_length=4096)
    librechat_mongo_db: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]*$")
    librechat_images_dir: str | None = None
    librechat_uploads_dir: str | None = None

    @field_validator("library")
    @classmethod
    def _kind(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in LIBRARY_KINDS:
            raise ValueError(f"must be one of {', '.join(LIBRARY_KINDS)}")
        return lowered

    @field_validator("library_dir", "librechat_mongo_uri", "librechat_mongo_db", "librechat_images_dir",
                     "librechat_uploads_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def library_root(self, output_root: str) -> str:
        """``OPENROUTER_LIBRARY_DIR``, else a ``library`` folder beside the output directory."""
        if self.library_dir:
            return str(Path(self.library_dir.strip()).expanduser())
        return str(Path(output_root).expanduser().parent / "library")
