"""A malformed OPENROUTER_BASE_URL is CONFIGURATION naming the variable, at start-up and in health_check,
and nothing is sent upstream."""

from __future__ import annotations

import httpx
import pytest
from mcp import Client

from openrouter_multimodal.entrypoints.bootstrap import bootstrap
from openrouter_multimodal.entrypoints.container import shutdown
from openrouter_multimodal.entrypoints.server import build_server
from openrouter_multimodal.entrypoints.settings import load_settings
from tests.support.harness import TEST_KEY, record_requests

pytestmark = pytest.mark.anyio

MALFORMED = ["htps://openrouter.ai/api/v1", "not a url", "", "openrouter.ai/api/v1", "http://:8080/", "http://h:99999/",
             "htps://user:hunter2-PASS@proxy/api/v1"]


@pytest.mark.parametrize("url", MALFORMED)
def test_load_settings_reports_it_naming_the_variable_without_echoing_it(
        monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", url)
    settings, problem = load_settings()
    assert problem is not None and "OPENROUTER_BASE_URL" in problem
    assert "hunter2" not in problem
    assert settings.upstream_problem() is not None
    assert settings.api_key is not None  # the other settings are kept


@pytest.mark.parametrize("url", ["https://openrouter.ai/api/v1", "http://user:PASS@127.0.0.1:8080/api/v1",
                                 " https://proxy.example/v1/ "])
def test_well_formed_urls_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", url)
    settings, problem = load_settings()
    assert problem is None and settings.upstream_problem() is None
    assert settings.base_url == url.strip()


@pytest.mark.parametrize("url", ["htps://openrouter.ai/api/v1", "not a url", ""])
async def test_tools_and_health_check_say_configuration_and_send_nothing(
        monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", url)
    monkeypatch.setenv("OPENROUTER_MAX_RETRIES", "0")
    container, problem = bootstrap()
    sent: list[httpx.Request] = []
    record_requests(container, sent)
    try:
        async with Client(build_server(container, problem)) as client:
            chat = await client.call_tool("chat_completion", {"messages": [{"role": "user", "content": "Hi"}]})
            health = await client.call_tool("health_check", {})
    finally:
        await shutdown(container)
    assert chat.is_error and (chat.meta or {})["code"] == "CONFIGURATION"
    assert "OPENROUTER_BASE_URL" in chat.content[0].text  # type: ignore[union-attr]
    assert not health.is_error
    data = health.structured_content or {}
    assert data["ok"] is False and data["api_key_present"] is True and data["api_key_valid"] is False
    assert any("OPENROUTER_BASE_URL" in p for p in data["problems"])
    line = health.content[0].text  # type: ignore[union-attr]
    assert "not accepted" not in line and "not checked" in line
    assert sent == []
