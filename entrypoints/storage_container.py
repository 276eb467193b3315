"""The storage container: the clock, per-caller file spaces, the state store (a resource), jobs, audit, locks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from dependency_injector import containers, providers

from ..adapters.caller_spaces import CallerInputs, LocalCallerSpaces
from ..adapters.clock import SystemClock
from ..adapters.legacy_jobs import import_legacy_jobs
from ..adapters.memory_locks import InProcessLocks
from ..adapters.state_job_store import StateJobStore
from ..adapters.state_store_factory import open_state_store
from ..adapters.structlog_audit import StructlogAudit
from ..application.state_ports import StateStore
from .settings import Settings


def caller_spaces(settings: Settings) -> LocalCallerSpaces:
    root = settings.output_root()
    shared = [Path(settings.http_input_dir).expanduser()] if settings.http_input_dir else []
    return LocalCallerSpaces(output_root=root, input_roots=settings.input_roots(root),
                             allow_unsafe=settings.allow_unsafe_paths, shared_roots=shared)


def default_state_path(settings: Settings) -> Path:
    """``state.sqlite3`` beside the output directory (in the per-user data directory by default)."""
    return Path(settings.output_root()).expanduser().parent / "state.sqlite3"


async def open_state(settings: Settings) -> AsyncIterator[StateStore]:
    """The shared state store, opened in the running loop and closed at the app's stop. Jobs saved by earlier
    versions (``jobs.sqlite3``) are imported into it once."""
    store = open_state_store(settings.state_url, default_path=default_state_path(settings),
                             redis_prefix=settings.state_prefix)
    try:
        await import_legacy_jobs(Path(settings.job_store_file(settings.output_root())), StateJobStore(store))
        yield store
    finally:
        await store.aclose()


class Storage(containers.DeclarativeContainer):
    """Where state lives. ``clock`` and ``audit`` are test seams."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    spaces = providers.Singleton(caller_spaces, settings=settings)
    inputs = providers.Singleton(CallerInputs, spaces=spaces)
    state = providers.Resource(open_state, settings=settings)
    jobs = providers.Singleton(StateJobStore, state=state)
    audit = providers.Singleton(StructlogAudit)
    locks = providers.Singleton(InProcessLocks)
