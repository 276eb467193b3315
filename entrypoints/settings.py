"""Typed settings from ``OPENROUTER_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ..domain.provider_preferences import ProviderPreferences
from ..domain.redaction import secret_set, url_credentials
from .generation_settings import MIB, GenerationSettings
from .http_settings import HttpSettings
from .library_settings import LibrarySettings
from .media_settings import MediaSettings
from .service_settings import ServiceSettings

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _csv(value: str | None) -> tuple[str, ...] | None:
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("must be a JSON array of strings or a comma-separated list") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise ValueError("must be a JSON array of strings or a comma-separated list")
        return tuple(parsed)
    return tuple(part.strip() for part in text.split(",") if part.strip())


def base_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the upstream base URL, or None. Never echoes the value: it may hold credentials."""
    text = value.strip()
    if not text:
        return "is empty: unset it for https://openrouter.ai/api/v1, or set an http(s) URL"
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return "contains whitespace or control characters"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return "is not a valid URL: use e.g. https://openrouter.ai/api/v1"
    if parts.scheme.lower() not in ("http", "https"):
        return "must start with https:// (or http://), e.g. https://openrouter.ai/api/v1"
    if not parts.hostname:
        return "has no host name: use e.g. https://openrouter.ai/api/v1"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None


def _flag(value: str | None) -> bool | None:
    if value is None or not value.strip():
        return None
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("must be true/false (or 1/0, yes/no)")


class CoreSettings(BaseSettings):
    """Upstream, chat defaults, provider routing, catalogue cache and logging."""

    model_config = SettingsConfigDict(env_prefix="OPENROUTER_", extra="ignore", populate_by_name=True, defer_build=True)

    api_key: SecretStr | None = None
    base_url: str = "https://openrouter.ai/api/v1"
    http_referer: str = "https://github.com/openrouter-multimodal-mcp/openrouter-multimodal-mcp"
    app_title: str = "openrouter-multimodal-mcp"
    http_timeout_ms: int = Field(default=120_000, ge=1_000)
    http_max_connections: int = Field(default=256, ge=1, le=10_000)
    http_max_keepalive: int = Field(default=256, ge=0, le=10_000)
    http_keepalive_ms: int = Field(default=60_000, ge=0, le=3_600_000)
    max_retries: int = Field(default=2, ge=0, le=10)
    max_response_bytes: int = Field(default=8 * MIB, ge=64 * 1024)
    max_media_response_bytes: int = Field(default=64 * MIB, ge=MIB)
    stream_idle_timeout_ms: int = Field(default=60_000, ge=100)
    max_result_chars: int = Field(default=200_000, ge=1_000)
    default_model: str | None = Field(default=None, validation_alias=AliasChoices(
        "OPENROUTER_DEFAULT_MODEL", "DEFAULT_MODEL", "default_model"))
    max_tokens: int | None = None
    chat_max_wait_ms: int = Field(default=45_000, ge=0, le=600_000)
    include_reasoning: bool = False
    cache_responses: bool = False
    model_cache_ttl_ms: int = Field(default=3_600_000, ge=0)
    log_level: str = "info"
    provider_quantizations: str | None = None
    provider_ignore: str | None = None
    provider_only: str | None = None
    provider_order: str | None = None
    provider_sort: str | None = None
    provider_require_parameters: str | None = None
    provider_data_collection: str | None = None
    provider_allow_fallbacks: str | None = None
    _upstream_problem: str | None = PrivateAttr(default=None)

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_missing(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if any(ch.isspace() for ch in value) or not value.isprintable():
                raise ValueError("contains whitespace or control characters; paste the key again")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        problem = base_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("max_tokens", mode="before")
    @classmethod
    def _non_positive_is_unset(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        number = int(value)
        return number if number > 0 else None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in {"debug", "info", "warning", "warn", "error", "critical"}:
            raise ValueError("must be one of debug, info, warning, error")
        return "warning" if lowered == "warn" else lowered

    def provider_defaults(self) -> ProviderPreferences:
        """The provider-routing defaults; a malformed value raises ValueError naming its variable."""

        def named(field: str, parse: Any) -> Any:
            try:
                return parse(getattr(self, field))
            except ValueError as exc:
                raise ValueError(f"OPENROUTER_{field.upper()} {exc}") from None

        sort = (self.provider_sort or "").strip().lower() or None
        if sort not in (None, "price", "throughput", "latency"):
            raise ValueError("OPENROUTER_PROVIDER_SORT must be price, throughput or latency")
        collection = (self.provider_data_collection or "").strip().lower() or None
        if collection not in (None, "allow", "deny"):
            raise ValueError("OPENROUTER_PROVIDER_DATA_COLLECTION must be allow or deny")
        return ProviderPreferences(
            order=named("provider_order", _csv), only=named("provider_only", _csv),
            ignore=named("provider_ignore", _csv), quantizations=named("provider_quantizations", _csv),
            sort=sort,  # type: ignore[arg-type]
            require_parameters=named("provider_require_parameters", _flag),
            data_collection=collection,  # type: ignore[arg-type]
            allow_fallbacks=named("provider_allow_fallbacks", _flag),
        )

    def upstream_problem(self) -> str | None:
        """Set by ``load_settings`` when OPENROUTER_BASE_URL was malformed: then nothing may be sent upstream."""
        return self._upstream_problem

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret, longest first: the API key and the credentials in OPENROUTER_BASE_URL."""
        key = (self.api_key.get_secret_value(),) if self.api_key else ()
        return secret_set((*key, *url_credentials(self.base_url)))


class Settings(CoreSettings, MediaSettings, GenerationSettings, ServiceSettings, HttpSettings, LibrarySettings):
    """Every setting of the server, one mixin per concern."""

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret: the API key, credentials in the base, state and LibreChat database URLs,
        the pseudonym salt."""
        state = url_credentials(self.state_url) if self.state_url else ()
        mongo = url_credentials(self.librechat_mongo_uri) if self.librechat_mongo_uri else ()
        salt = (self.user_id_salt,) if self.user_id_salt else ()
        return secret_set((*super().secret_values(), *state, *mongo, *salt))


class ExplicitSettings(Settings):
    """Settings from keyword arguments only: neither the environment nor a ``.env`` file is read.

    Why: a library embedded in a host process must not change behaviour because the host happens to
    have ``OPENROUTER_ALLOW_UNSAFE_PATHS`` (or any other variable) set; only ``from_env`` reads them.
    """

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


_UNPREFIXED = {"image_gen_daily_limit": "IMAGE_GEN_DAILY_LIMIT", "image_gen_cooldown_sec": "IMAGE_GEN_COOLDOWN_SEC"}
"""LibreChat's own variable names, read as they are."""


def env_name(field: str) -> str:
    """The environment variable of the ``Settings`` field ``field``: ``OPENROUTER_INPUT_DIR`` for ``input_dir``."""
    return _UNPREFIXED.get(field) or "OPENROUTER_" + field.upper()


def load_settings() -> tuple[Settings, str | None]:
    """Read the environment without ever raising.

    A malformed value is replaced by its default (the other settings, the API key included,
    are kept) and reported as a CONFIGURATION problem naming the variable.
    """
    from pydantic import ValidationError

    defaults: dict[str, Any] = {}
    problems: list[str] = []
    for _ in range(len(Settings.model_fields) + 1):
        try:
            settings = Settings(**defaults)
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                field = name.lower().removeprefix("openrouter_")
                if field not in Settings.model_fields or field in defaults:
                    continue
                defaults[field] = Settings.model_fields[field].default
                problems.append(f"{env_name(field)} ({error['msg']})")
            continue
        try:
            settings.provider_defaults()
        except ValueError as exc:
            problems.append(str(exc))
            settings = settings.model_copy(update={f: None for f in Settings.model_fields if f.startswith("provider_")})
        break
    else:  # pragma: no cover - every field was reset and it still failed
        return Settings.model_construct(), "settings could not be read: check the OPENROUTER_* variables."
    if not problems:
        return settings, None
    base_url = next((p for p in problems if p.startswith("OPENROUTER_BASE_URL ")), None)
    if base_url:
        settings._upstream_problem = f"malformed setting {base_url}: nothing is sent upstream until it is fixed."
    return settings, f"malformed setting {'; '.join(problems)}: fix it in this server's env and restart."
