"""The storage container: the clock, per-caller file spaces, the state store (a resource), jobs, audit, locks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from .deferred import deferred
from .settings import Settings

if TYPE_CHECKING:
    from ..adapters.caller_spaces import LocalCallerSpaces
    from ..application.state_ports import StateStore


def caller_spaces(settings: Settings) -> LocalCallerSpaces:
    from ..adapters.caller_spaces import LocalCallerSpaces

    root = settings.output_root()
    shared = [Path(settings.http_input_dir).expanduser()] if settings.http_input_dir else []
    return LocalCallerSpaces(output_root=root, input_roots=settings.input_roots(root),
                             allow_unsafe=settings.allow_unsafe_paths, shared_roots=shared)


def default_state_path(settings: Settings) -> Path:
    """``state.sqlite3`` beside the output directory (in the per-user data directory by default)."""
    return Path(settings.output_root()).expanduser().parent / "state.sqlite3"


def open_state(settings: Settings) -> StateStore:
    """The shared state store (it connects on first use); ``keep_state`` readies it and closes it."""
    from ..adapters.state_store_factory import open_state_store

    return open_state_store(settings.state_url, default_path=default_state_path(settings),
                            redis_prefix=settings.state_prefix)


async def keep_state(settings: Settings, store: StateStore) -> AsyncIterator[None]:
    """At the app's start, import the jobs earlier versions saved (``jobs.sqlite3``) once; at its stop, close
    the store."""
    from ..adapters.legacy_jobs import import_legacy_jobs
    from ..adapters.state_job_store import StateJobStore

    try:
        await import_legacy_jobs(Path(settings.job_store_file(settings.output_root())), StateJobStore(store))
        yield None
    finally:
        await store.aclose()


class Storage(containers.DeclarativeContainer):
    """Where state lives. ``clock`` and ``audit`` are test seams."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(deferred("adapters.clock:SystemClock"))
    spaces = providers.Singleton(caller_spaces, settings=settings)
    inputs = providers.Singleton(deferred("adapters.caller_spaces:CallerInputs"), spaces=spaces)
    state = providers.Singleton(open_state, settings=settings)
    state_kept = providers.Resource(keep_state, settings=settings, store=state)
    jobs = providers.Singleton(deferred("adapters.state_job_store:StateJobStore"), state=state)
    audit = providers.Singleton(deferred("adapters.structlog_audit:StructlogAudit"))
    locks = providers.Singleton(deferred("adapters.memory_locks:InProcessLocks"))
