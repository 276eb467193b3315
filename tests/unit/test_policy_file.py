"""``OPENROUTER_POLICY_FILE`` loading from real files, and the ``IMAGE_GEN_*`` shortcuts read by the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from openrouter_multimodal.domain.errors import ConfigurationError
from openrouter_multimodal.domain.policy_rules import Cooldown, CountLimit, Policy, Scope
from openrouter_multimodal.domain.policy_windows import Window
from openrouter_multimodal.entrypoints.bootstrap import bootstrap
from openrouter_multimodal.entrypoints.policy_file import policy_from
from openrouter_multimodal.entrypoints.settings import load_settings

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


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def load(policy_file: str | None) -> Policy:
    return policy_from(policy_file=policy_file, daily_limit=None, cooldown_seconds=None)


def test_no_file_and_no_shortcuts_is_the_empty_policy() -> None:
    assert load(None) == Policy()


def test_the_file_and_the_shortcuts_from_the_environment_combine(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_POLICY_FILE", write(tmp_path, YAML))
    monkeypatch.setenv("IMAGE_GEN_DAILY_LIMIT", "4")
    monkeypatch.setenv("IMAGE_GEN_COOLDOWN_SEC", "20")
    container, problem = bootstrap(load_settings()[0])
    policy = container.calls.rules()
    assert problem is None
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
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        load(path)
    assert path in caught.value.message and fragment in caught.value.message


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load(str(tmp_path / "absent.yaml"))


@pytest.mark.parametrize("env", [{"IMAGE_GEN_DAILY_LIMIT": "many"}, {"IMAGE_GEN_DAILY_LIMIT": "-1"},
                                 {"IMAGE_GEN_COOLDOWN_SEC": "later"}])
def test_bad_shortcuts_are_configuration_problems(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings, problem = load_settings()
    assert problem is not None and next(iter(env)) in problem
    assert settings.image_gen_daily_limit is None and settings.image_gen_cooldown_sec is None
