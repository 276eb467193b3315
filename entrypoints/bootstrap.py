"""``bootstrap``: settings plus container, for the stdio server and for embedding in other programs."""

from __future__ import annotations

from .container import Container
from .settings import Settings, load_settings


def bootstrap(settings: Settings | None = None) -> tuple[Container, str | None]:
    """Build the container from ``settings`` (or the environment); also return any configuration problem."""
    problem = None
    if settings is None:
        settings, problem = load_settings()
    container = Container(settings=settings, configuration_problem=problem)
    return container, problem
