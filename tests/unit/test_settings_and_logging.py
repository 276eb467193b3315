"""Settings from OPENROUTER_* variables (never raising), and JSON logging with secrets redacted."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog

from openrouter_multimodal.entrypoints.logging_setup import REDACTED, configure_logging
from openrouter_multimodal.entrypoints.settings import Settings, load_settings

SECRET = "sk-or-v1-0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("OPENROUTER_") or name.upper() == "DEFAULT_MODEL":
            monkeypatch.delenv(name)


# --- settings -------------------------------------------------------------------------------------------------


def test_defaults_without_any_environment() -> None:
    settings, problem = load_settings()
    assert problem is None
    assert settings.api_key is None
    assert settings.default_model is None
    assert settings.max_tokens is None
    assert settings.base_url == "https://openrouter.ai/api/v1"
    assert settings.provider_defaults().as_body() is None


def test_quantizations_csv_becomes_a_tuple(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_PROVIDER_QUANTIZATIONS", "fp16, int8,int4")
    assert Settings().provider_defaults().quantizations == ("fp16", "int8", "int4")


@pytest.mark.parametrize("value", ['["anthropic", "openai"]', "anthropic,openai", " anthropic , openai , "])
def test_order_accepts_a_json_array_or_csv(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OPENROUTER_PROVIDER_ORDER", value)
    assert Settings().provider_defaults().order == ("anthropic", "openai")


def test_sort_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_PROVIDER_SORT", "PRICE")
    assert Settings().provider_defaults().sort == "price"


def test_flags_and_data_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_PROVIDER_ALLOW_FALLBACKS", "no")
    monkeypatch.setenv("OPENROUTER_PROVIDER_REQUIRE_PARAMETERS", "1")
    monkeypatch.setenv("OPENROUTER_PROVIDER_DATA_COLLECTION", "Deny")
    prefs = Settings().provider_defaults()
    assert prefs.as_body() == {"allow_fallbacks": False, "require_parameters": True, "data_collection": "deny"}


def test_invalid_sort_is_a_problem_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_PROVIDER_SORT", "cheapest")
    settings, problem = load_settings()
    assert problem is not None
    assert "OPENROUTER_PROVIDER_SORT" in problem
    assert settings.provider_sort is None


@pytest.mark.parametrize(("value", "expected"), [("0", None), ("-1", None), ("", None), ("4096", 4096)])
def test_max_tokens(monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None) -> None:
    monkeypatch.setenv("OPENROUTER_MAX_TOKENS", value)
    settings, problem = load_settings()
    assert problem is None
    assert settings.max_tokens == expected


def test_non_numeric_max_tokens_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_MAX_TOKENS", "abc")
    settings, problem = load_settings()
    assert problem is not None and "OPENROUTER_MAX_TOKENS" in problem
    assert settings.max_tokens is None


@pytest.mark.parametrize("name", ["OPENROUTER_DEFAULT_MODEL", "DEFAULT_MODEL"])
def test_default_model_and_its_alias(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "google/gemini-2.5-flash")
    assert Settings().default_model == "google/gemini-2.5-flash"


@pytest.mark.parametrize("value", ["", "   "])
def test_blank_api_key_is_missing(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", value)
    settings, problem = load_settings()
    assert problem is None
    assert settings.api_key is None
    assert settings.secret_values() == ()


def test_api_key_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", f"  {SECRET}\n")
    settings = Settings()
    assert settings.secret_values() == (SECRET,)
    assert SECRET not in repr(settings)


def test_load_settings_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-abc def")
    monkeypatch.setenv("OPENROUTER_HTTP_TIMEOUT_MS", "fast")
    monkeypatch.setenv("OPENROUTER_LOG_LEVEL", "loud")
    settings, problem = load_settings()
    assert isinstance(settings, Settings)
    assert problem is not None
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_HTTP_TIMEOUT_MS", "OPENROUTER_LOG_LEVEL"):
        assert name in problem
    assert "abc def" not in problem
    assert settings.log_level == "info"


# --- logging --------------------------------------------------------------------------------------------------


@pytest.fixture
def json_logs() -> Iterator[tuple[Callable[..., None], io.StringIO]]:
    """``configure(secrets)`` installs the real logging on a StringIO; teardown restores global state."""
    root = logging.getLogger()
    level = root.level
    noisy = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    stream = io.StringIO()
    installed: list[logging.Handler] = []

    def configure(secrets: tuple[str, ...] = ()) -> None:
        kept = root.handlers[:]
        configure_logging("info", secrets=secrets, stream=stream)
        assert len(root.handlers) == 1  # configure_logging owns the root handler list
        installed.extend(root.handlers)
        for handler in kept:  # give pytest's capture handlers back so pytest removes them itself
            root.addHandler(handler)

    yield configure, stream
    structlog.reset_defaults()
    for handler in installed:
        root.removeHandler(handler)
    root.setLevel(level)
    for name, old in noisy.items():
        logging.getLogger(name).setLevel(old)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_structlog_events_are_json_with_secrets_redacted(json_logs: tuple[Callable[..., None], io.StringIO]) -> None:
    configure, stream = json_logs
    configure(secrets=(SECRET,))
    structlog.get_logger("test").info(f"upstream said {SECRET} was wrong", authorization=f"Bearer {SECRET}",
                                      api_key=SECRET, prompt_tokens=12, completion_tokens=3, model="a/b")
    assert SECRET not in stream.getvalue()
    [event] = lines(stream)
    assert event["event"] == f"upstream said {REDACTED} was wrong"
    assert event["authorization"] == REDACTED
    assert event["api_key"] == REDACTED
    assert event["prompt_tokens"] == 12
    assert event["completion_tokens"] == 3
    assert event["model"] == "a/b"
    assert event["level"] == "info"


def test_key_shaped_values_are_redacted_even_when_not_configured(
        json_logs: tuple[Callable[..., None], io.StringIO]) -> None:
    configure, stream = json_logs
    configure()
    structlog.get_logger().warning("retrying", headers={"Authorization": f"Bearer {SECRET}", "X-Title": "t"},
                                   detail=[f"key {SECRET}"])
    assert SECRET not in stream.getvalue()
    [event] = lines(stream)
    assert event["headers"] == {"Authorization": REDACTED, "X-Title": "t"}
    assert event["detail"] == [f"key {REDACTED}"]


def test_configured_secret_of_any_shape_is_redacted(json_logs: tuple[Callable[..., None], io.StringIO]) -> None:
    configure, stream = json_logs
    configure(secrets=("hunter2-custom",))
    structlog.get_logger().info("login", note="password was hunter2-custom")
    assert "hunter2-custom" not in stream.getvalue()
    assert lines(stream)[0]["note"] == f"password was {REDACTED}"


def test_stdlib_logging_goes_through_the_same_redaction(json_logs: tuple[Callable[..., None], io.StringIO]) -> None:
    configure, stream = json_logs
    configure(secrets=(SECRET,))
    logging.getLogger("mcp.server.lowlevel").warning("request failed with %s", f"Authorization: Bearer {SECRET}")
    logging.getLogger("httpx").info("HTTP Request: GET https://openrouter.ai/api/v1/models")  # quietened
    assert SECRET not in stream.getvalue()
    [event] = lines(stream)
    assert event["logger"] == "mcp.server.lowlevel"
    assert event["level"] == "warning"
    assert REDACTED in event["event"]


def test_debug_is_filtered_at_info(json_logs: tuple[Callable[..., None], io.StringIO]) -> None:
    configure, stream = json_logs
    configure()
    structlog.get_logger().debug("noise")
    structlog.get_logger().info("signal")
    assert [e["event"] for e in lines(stream)] == ["signal"]
