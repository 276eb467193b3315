"""OPENROUTER_INCLUDE_REASONING shows the reasoning it pays for, through the real server and client."""

from __future__ import annotations

from tests.support.harness import make_container, make_settings, server_for, sync_client
from tests.support.replay import use_cassette

ASK = {"model": "anthropic/claude-sonnet-4.5",
       "messages": [{"role": "user", "content": "Reply with the single word: ok"}]}


def call(include_reasoning_setting: bool, **arguments: object) -> dict[str, object]:
    settings = make_settings(include_reasoning=include_reasoning_setting, max_retries=0)
    with use_cassette("chat_reasoning"), sync_client(server_for(make_container(settings))) as client:
        result = client.call("chat_completion", {**ASK, **arguments})
    assert not result.is_error, result.content
    return dict(result.meta or {})


def test_the_setting_alone_puts_the_reasoning_in_meta() -> None:
    meta = call(True)
    assert "single word" in str(meta.get("reasoning"))


def test_an_explicit_false_overrides_the_setting() -> None:
    assert "reasoning" not in call(True, include_reasoning=False)


def test_without_setting_or_argument_no_reasoning_is_shown() -> None:
    assert "reasoning" not in call(False)


def test_the_argument_alone_still_shows_it() -> None:
    assert "single word" in str(call(False, include_reasoning=True).get("reasoning"))
