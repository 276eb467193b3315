"""Loads the policy: ``OPENROUTER_POLICY_FILE`` (YAML) plus the LibreChat ``IMAGE_GEN_*`` shortcuts."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..domain.errors import ConfigurationError
from ..domain.policy_parse import parse_policy
from ..domain.policy_rules import Policy, with_image_shortcuts

POLICY_FILE_ENV = "OPENROUTER_POLICY_FILE"
MAX_POLICY_BYTES = 1_000_000


def read_policy_file(path: Path) -> Policy:
    """The ``Policy`` in ``path``. Why bounded: the file is read once at start-up, at most 1 MB.

    How it fails: ``ConfigurationError`` naming the file and what is wrong: missing or
    unreadable, too large, not YAML (with line and column), or a bad key (``PolicyInvalid``).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(f"{POLICY_FILE_ENV} {path}: cannot be read ({exc.strerror or exc}); "
                                 "fix the path or unset it.") from None
    if len(data) > MAX_POLICY_BYTES:
        raise ConfigurationError(f"{POLICY_FILE_ENV} {path}: larger than {MAX_POLICY_BYTES} bytes; "
                                 "a policy file is a few lines of YAML.")
    try:
        document = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigurationError(f"{POLICY_FILE_ENV} {path}: not UTF-8 text; save it as UTF-8.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigurationError(f"{POLICY_FILE_ENV} {path}: not valid YAML{where} ({problem}); "
                                 "fix the file and restart.") from None
    return parse_policy(document, origin=f"{POLICY_FILE_ENV} {path}")


def policy_from(*, policy_file: str | None, daily_limit: int | None, cooldown_seconds: float | None) -> Policy:
    """The policy from explicit values (settings passed in code, or read from the environment by ``Settings``).
    Reads a file synchronously: call it at start-up. Fails like ``read_policy_file``."""
    location = (policy_file or "").strip()
    policy = read_policy_file(Path(location).expanduser()) if location else Policy()
    return with_image_shortcuts(policy, daily_limit or None, cooldown_seconds or None)
