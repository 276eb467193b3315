"""Settings for identity, the spend policy and the shared state store."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """``OPENROUTER_USER`` names the stdio user; ``OPENROUTER_STATE_URL`` picks the state store (SQLite file
    by default, ``redis://`` for replicas); the policy comes from ``OPENROUTER_POLICY_FILE`` plus the
    LibreChat shortcuts ``IMAGE_GEN_DAILY_LIMIT`` and ``IMAGE_GEN_COOLDOWN_SEC`` (no prefix, as there)."""

    model_config = SettingsConfigDict(env_prefix="OPENROUTER_", extra="ignore", populate_by_name=True, defer_build=True)

    user: str | None = Field(default=None, max_length=128)
    user_id_salt: str = Field(default="", max_length=256)
    state_url: str | None = None
    state_prefix: str = Field(default="ormcp:", max_length=64)
    policy_file: str | None = None
    policy_paid_fail: str = "closed"
    policy_free_fail: str = "open"
    image_gen_daily_limit: int | None = Field(default=None, ge=0, validation_alias=AliasChoices(
        "IMAGE_GEN_DAILY_LIMIT", "image_gen_daily_limit"))
    image_gen_cooldown_sec: float | None = Field(default=None, ge=0, validation_alias=AliasChoices(
        "IMAGE_GEN_COOLDOWN_SEC", "image_gen_cooldown_sec"))

    @field_validator("policy_paid_fail", "policy_free_fail")
    @classmethod
    def _fail_mode(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in ("open", "closed"):
            raise ValueError("must be open or closed")
        return lowered

    @field_validator("image_gen_daily_limit", "image_gen_cooldown_sec", "state_url", "policy_file", "user",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value
