"""Settings for the HTTP service: tokens, identity headers, allowed hosts, result profile, waits, shutdown."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

RESULT_PROFILES = ("auto", "standard", "librechat")


class HttpSettings(BaseSettings):
    """``OPENROUTER_MCP_TOKENS_FILE`` holds ``<sha256 hex of a token> <subject> [gateway]`` lines; once it
    has any token, every HTTP request needs a valid ``Authorization: Bearer`` token."""

    model_config = SettingsConfigDict(env_prefix="OPENROUTER_", extra="ignore", populate_by_name=True, defer_build=True)

    mcp_tokens_file: str | None = None
    mcp_user_header: str = Field(default="x-user-id", min_length=1, max_length=64)
    mcp_conversation_header: str = Field(default="x-conversation-id", min_length=1, max_length=64)
    mcp_allowed_hosts: str | None = None
    http_input_dir: str | None = None
    result_profile: str = "auto"
    http_max_wait_ms: int = Field(default=20_000, ge=0, le=600_000)
    shutdown_grace_ms: int = Field(default=10_000, ge=0, le=600_000)

    @field_validator("result_profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in RESULT_PROFILES:
            raise ValueError(f"must be one of {', '.join(RESULT_PROFILES)}")
        return lowered

    @field_validator("mcp_user_header", "mcp_conversation_header")
    @classmethod
    def _header(cls, value: str) -> str:
        lowered = value.strip().lower()
        if not lowered.replace("-", "").replace("_", "").isalnum() or not lowered.isascii():
            raise ValueError("must be an HTTP header name such as x-user-id")
        return lowered

    @field_validator("mcp_tokens_file", "mcp_allowed_hosts", "http_input_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def allowed_host_list(self) -> list[str]:
        return [h.strip() for h in (self.mcp_allowed_hosts or "").split(",") if h.strip()]
