"""``bootstrap``: settings plus container, for the stdio server and for embedding in other programs."""

from __future__ import annotations

import structlog

from .container import Container
from .logging_setup import configure_logging
from .settings import Settings, load_settings


def bootstrap(settings: Settings | None = None) -> tuple[Container, str | None]:
    """Build the container from ``settings`` (or the environment); also return any configuration problem.

    If the host has not configured structlog, it is pointed at stderr with secrets redacted, because
    structlog's own default prints to stdout (the stdio protocol's channel) and shows traceback locals.
    The host's stdlib logging is left alone.
    """
    problem = None
    if settings is None:
        settings, problem = load_settings()
    if not structlog.is_configured():
        configure_logging(settings.log_level, settings.secret_values(), stdlib=False)
    container = Container(settings=settings, configuration_problem=problem)
    return container, problem
