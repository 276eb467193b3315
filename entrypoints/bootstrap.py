"""``bootstrap``: settings plus container, for the stdio server and for embedding in other programs."""

from __future__ import annotations

import structlog

from ..domain.errors import OpenRouterMcpError
from ..domain.policy_rules import Policy
from .container import Container
from .logging_setup import configure_logging
from .policy_file import policy_from
from .settings import Settings, load_settings


def bootstrap(settings: Settings | None = None) -> tuple[Container, str | None]:
    """Build the container from ``settings`` (or the environment); also return any configuration problem.

    If the host has not configured structlog, it is pointed at stderr with secrets redacted, because
    structlog's own default prints to stdout (the stdio protocol's channel) and shows traceback locals.
    The host's stdlib logging is left alone. A policy file that cannot be read is a configuration
    problem: every tool but health_check answers CONFIGURATION naming it until it is fixed, so a broken
    limit never means no limit.
    """
    problem = None
    if settings is None:
        settings, problem = load_settings()
    if not structlog.is_configured():
        configure_logging(settings.log_level, settings.secret_values(), stdlib=False)
    try:
        rules = policy_from(policy_file=settings.policy_file, daily_limit=settings.image_gen_daily_limit,
                            cooldown_seconds=settings.image_gen_cooldown_sec)
    except OpenRouterMcpError as exc:
        rules = Policy()
        problem = "; ".join(p for p in (problem, f"the spend policy cannot be loaded: {exc.message}") if p)
    container = Container(settings=settings, configuration_problem=problem)
    container.calls.rules.override(rules)
    return container, problem
