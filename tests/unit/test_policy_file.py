"""``OPENROUTER_POLICY_FILE`` loading from real files, and the ``IMAGE_GEN_*`` environment shortcuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from openrouter_multimodal.domain.errors import ConfigurationError
from openrouter_multimodal.domain.policy_rules import Cooldown, CountLimit, Policy, Scope
from openrouter_multimodal.domain.policy_windows import Window
from openrouter_multimodal.entrypoints.policy_file import load_policy

YAML = """
default: allow                 # allow | deny
hide: [generate_video]
models: {allow: ["*"], deny: ["openai/o1-pro*"]}
limits:
  - tools: [chat_completion]
    per: server
    max: 10
    window: minute
  - tools: [generate_image]
    per: user
    cooldown: 30s
budgets:
  - per: user
    usd: 2.00
    window: day
"""


def write(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return {"OPENROUTER_POLICY_FILE": str(path)}


def test_no_file_and_no_shortcuts_is_the_empty_policy() -> None:
    assert load_policy({}) == Policy()


def test_the_file_and_the_shortcuts_combine(tmp_path: Path) -> None:
    env = write(tmp_path, YAML) | {"IMAGE_GEN_DAILY_LIMIT": "4", "IMAGE_GEN_COOLDOWN_SEC": "20"}
    policy = load_policy(env)
    assert policy.hides("generate_video") and len(policy.budgets) == 1
    assert policy.limits[-1] == CountLimit(("generate_image",), Scope.USER, 4, Window.DAY)
    assert policy.cooldowns == (Cooldown(("generate_image",), Scope.USER, 30.0),
                                Cooldown(("generate_image",), Scope.USER, 20.0))


@pytest.mark.parametrize(("text", "fragment"), [
    ("limits: [{tools: [x], max: 3, window: fortnight}]", "'limits[0].window' must be one of"),
    ("limits: [\n  - tools: [x\n", "not valid YAML at line"),
    ("budgets: {per: user}", "'budgets' must be a list"),
])
def test_a_malformed_file_names_the_file_and_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    env = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        load_policy(env)
    assert env["OPENROUTER_POLICY_FILE"] in caught.value.message and fragment in caught.value.message


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_policy({"OPENROUTER_POLICY_FILE": str(tmp_path / "absent.yaml")})


@pytest.mark.parametrize("env", [{"IMAGE_GEN_DAILY_LIMIT": "many"}, {"IMAGE_GEN_DAILY_LIMIT": "-1"},
                                 {"IMAGE_GEN_COOLDOWN_SEC": "later"}])
def test_bad_shortcuts_are_configuration_errors(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match=next(iter(env))):
        load_policy(env)
