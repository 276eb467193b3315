"""The policy file's contract: parsing, the keys a mistake is reported under, globs, windows and the env shortcuts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.domain.errors import ConfigurationError
from openrouter_multimodal.domain.policy_parse import PolicyInvalid, parse_duration, parse_policy
from openrouter_multimodal.domain.policy_rules import (
    Budget,
    Cooldown,
    CountLimit,
    Default,
    ModelRule,
    Policy,
    Scope,
    with_image_shortcuts,
)
from openrouter_multimodal.domain.policy_windows import Window, iso_utc, reset_at, window_start

CONTRACT: dict[str, Any] = {
    "default": "allow",
    "hide": ["generate_video"],
    "models": {"allow": ["*"], "deny": ["openai/o1-pro*"]},
    "limits": [
        {"tools": ["chat_completion"], "per": "server", "max": 10, "window": "minute"},
        {"tools": ["generate_image"], "per": "user", "max": 5, "window": "day"},
        {"tools": ["generate_image"], "per": "user", "cooldown": "30s"},
    ],
    "budgets": [{"per": "user", "usd": 2.00, "window": "day"},
                {"per": "server", "usd": 50, "window": "month", "tools": ["generate_video"]}],
}


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_the_issue_example_parses_to_its_rules() -> None:
    policy = parse_policy(CONTRACT)
    assert policy.default is Default.ALLOW and policy.hide == frozenset({"generate_video"})
    assert policy.limits == (CountLimit(("chat_completion",), Scope.SERVER, 10, Window.MINUTE),
                             CountLimit(("generate_image",), Scope.USER, 5, Window.DAY))
    assert policy.cooldowns == (Cooldown(("generate_image",), Scope.USER, 30.0),)
    assert policy.budgets == (Budget(Scope.USER, Decimal("2.0"), Window.DAY),
                              Budget(Scope.SERVER, Decimal(50), Window.MONTH, ("generate_video",)))
    assert policy.budgets_for("chat_completion") == policy.budgets[:1]
    assert not policy.permits_tool("generate_video") and policy.permits_tool("anything")


def test_an_empty_document_changes_nothing() -> None:
    assert parse_policy(None) == Policy() and parse_policy({}) == Policy()


@pytest.mark.parametrize(("document", "key"), [
    ({"defualt": "deny"}, "defualt"),
    ({"default": "maybe"}, "default"),
    ({"limits": [{"tools": ["x"], "max": 5, "window": "dya"}]}, "limits[0].window"),
    ({"limits": [{"tools": ["x"], "max": -1, "window": "day"}]}, "limits[0].max"),
    ({"limits": [{"tools": ["x"], "max": True, "window": "day"}]}, "limits[0].max"),
    ({"limits": [{"max": 5, "window": "day"}]}, "limits[0].tools"),
    ({"limits": [{"tools": ["x"], "per": "team", "max": 1, "window": "day"}]}, "limits[0].per"),
    ({"limits": [{"tools": ["x"], "cooldown": "soon"}]}, "limits[0].cooldown"),
    ({"limits": [{"tools": ["x"]}]}, "limits[0]"),
    ({"limits": [{"tools": ["x"], "cooldown": "1s", "burst": 3}]}, "limits[0].burst"),
    ({"budgets": [{"usd": "lots"}]}, "budgets[0].usd"),
    ({"budgets": [{"usd": 1, "window": "year"}]}, "budgets[0].window"),
    ({"models": {"allow": "x", "block": []}}, "models.block"),
    ({"hide": [""]}, "hide"),
    ([1, 2], ""),
])
def test_a_mistake_names_its_key(document: Any, key: str) -> None:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(document, origin="OPENROUTER_POLICY_FILE /etc/p.yaml")
    assert caught.value.key == key and isinstance(caught.value, ConfigurationError)
    assert caught.value.message.startswith(f"OPENROUTER_POLICY_FILE /etc/p.yaml: '{key}'")


def test_default_deny_allows_only_named_tools_and_get_usage() -> None:
    policy = parse_policy({"default": "deny", "tools": ["list_models"],
                           "limits": [{"tools": ["*"], "max": 9, "window": "hour"},
                                      {"tools": ["chat_completion"], "cooldown": 2}]})
    assert [policy.permits_tool(t) for t in ("list_models", "chat_completion", "get_usage", "generate_image")] == [
        True, True, True, False]
    assert not parse_policy({"hide": ["*"]}).permits_tool("get_usage")


@pytest.mark.parametrize(("model", "permitted"), [
    ("openai/o1-pro", False), ("openai/o1-pro:online", False), ("openai/o1-pro-2025", False),
    ("openai/o1", True), ("anthropic/claude-x", False), ("anthropic/claude-x:beta", False), ("google/gemini", True),
])
def test_model_globs_include_variants(model: str, permitted: bool) -> None:
    rule = ModelRule(allow=("openai/*", "google/*", "anthropic/claude-x"), deny=("openai/o1-pro*", "anthropic/*"))
    assert rule.permits(model) is permitted


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("2m", 120), ("1h", 3600), ("1d", 86400), (45, 45),
                                                ("500ms", 0.5), ("1.5m", 90)])
def test_durations(text: Any, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "-3", "3 weeks", True, "s", "400d"])
def test_bad_durations(text: Any) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(("window", "moment", "start", "end"), [
    (Window.SECOND, "2026-12-01T10:20:30.7", "2026-12-01T10:20:30", "2026-12-01T10:20:31"),
    (Window.MINUTE, "2026-12-01T10:20:30", "2026-12-01T10:20:00", "2026-12-01T10:21:00"),
    (Window.HOUR, "2026-12-01T23:59:59", "2026-12-01T23:00:00", "2026-12-02T00:00:00"),
    (Window.DAY, "2026-12-31T15:00:00", "2026-12-31T00:00:00", "2027-01-01T00:00:00"),
    (Window.WEEK, "2026-12-03T08:00:00", "2026-11-30T00:00:00", "2026-12-07T00:00:00"),
    (Window.MONTH, "2026-12-15T08:00:00", "2026-12-01T00:00:00", "2027-01-01T00:00:00"),
    (Window.MONTH, "2028-02-29T23:59:59", "2028-02-01T00:00:00", "2028-03-01T00:00:00"),
])
def test_windows_are_calendar_aligned_utc(window: Window, moment: str, start: str, end: str) -> None:
    assert window_start(window, at(moment)) == at(start)
    assert reset_at(window, at(moment)) == at(end)
    assert iso_utc(reset_at(window, at(moment))) == end + "Z"


def test_rule_state_ids_ignore_the_limit_so_raising_it_keeps_todays_counts() -> None:
    five = CountLimit(("a",), Scope.USER, 5, Window.DAY)
    assert five.rule_id == CountLimit(("a",), Scope.USER, 9, Window.DAY).rule_id
    assert five.rule_id != CountLimit(("a",), Scope.SERVER, 5, Window.DAY).rule_id


def test_librechat_shortcuts_add_per_user_rules_for_generate_image() -> None:
    policy = with_image_shortcuts(parse_policy(CONTRACT), 3, 15.0)
    assert policy.limits[-1] == CountLimit(("generate_image",), Scope.USER, 3, Window.DAY)
    assert policy.cooldowns[-1] == Cooldown(("generate_image",), Scope.USER, 15.0)
    assert with_image_shortcuts(Policy(), None, None) == Policy() == with_image_shortcuts(Policy(), 0, 0)
