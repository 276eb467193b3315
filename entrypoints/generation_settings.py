"""Settings for generation: default models, output sizing, video job waiting and storage."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class GenerationSettings(BaseSettings):
    """Inline caps default to 700 KiB (under 1 MB once base64-encoded), because some clients reject
    larger tool results; the saved file and its resource link are always returned."""

    model_config = SettingsConfigDict(env_prefix="OPENROUTER_", extra="ignore", populate_by_name=True, defer_build=True)

    default_image_model: str = "google/gemini-2.5-flash-image"
    default_speech_model: str = "openai/gpt-audio"
    default_video_gen_model: str = "google/veo-3.1"
    default_rerank_model: str = "cohere/rerank-v3.5"
    default_tts_model: str = "openai/gpt-4o-mini-tts-2025-12-15"
    default_transcription_model: str = "openai/whisper-large-v3"
    default_embedding_model: str = "openai/text-embedding-3-small"
    transcription_chunk_seconds: int = Field(default=600, ge=10, le=3600)
    transcription_chunk_bytes: int = Field(default=24 * MIB, ge=MIB, le=100 * MIB)
    embedding_inline_max_values: int = Field(default=4096, ge=0, le=1_000_000)
    preview_max_dimension: int = Field(default=1024, ge=64, le=4096)
    image_inline_max_bytes: int = Field(default=4 * MIB, ge=4096)
    audio_inline_max_bytes: int = Field(default=700 * 1024, ge=4096)
    video_inline_max_bytes: int = Field(default=700 * 1024, ge=4096)
    video_gen_max_bytes: int = Field(default=256 * MIB, ge=MIB)
    video_poll_interval_ms: int = Field(default=5_000, ge=50)
    video_max_wait_ms: int = Field(default=45_000, ge=0)
    job_store_path: str | None = None

    def job_store_file(self, output_root: str) -> str:
        """``OPENROUTER_JOB_STORE_PATH`` or ``jobs.sqlite3`` beside the output directory."""
        if self.job_store_path and self.job_store_path.strip():
            return str(Path(self.job_store_path.strip()).expanduser())
        return str(Path(output_root).expanduser().parent / "jobs.sqlite3")
