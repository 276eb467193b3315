"""Fixtures for the policy tests: a fake clock and the state stores (SQLite file, real Redis) to run them on."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.redis_state_store import RedisStateStore
from openrouter_multimodal.adapters.sqlite_state_store import SqliteStateStore
from openrouter_multimodal.application.state_ports import StateStore
from tests.support.redis_server import RedisServer, redis_server

__all__ = ["redis_server"]

StoreFactory = Callable[[], StateStore]
DAY = 86400.0
# 09:00 UTC the day after tomorrow: in Redis's future, so window keys' PEXPIREAT never fires during a test.
_TODAY = time.time() // DAY * DAY
T0 = _TODAY + 2 * DAY + 9 * 3600


class FakeClock:
    """Wall time under the test's control; starts at 09:00:00 UTC on a fixed day."""

    def __init__(self, now: float = T0) -> None:
        self.t = now

    def now(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "redis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_store(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Opens a new handle on the same backing store each call (a restart is calling it again); call it
    inside the running loop and ``aclose`` what it returns."""
    if store_kind == "sqlite":
        path = tmp_path / "state.sqlite3"
        return lambda: SqliteStateStore(path)
    server: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    return lambda: RedisStateStore.from_url(server.url, prefix=prefix)
