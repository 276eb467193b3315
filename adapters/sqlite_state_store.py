"""``SqliteStateStore``: the embedded ``StateStore`` in one WAL-mode SQLite file, worked on by one thread."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from ..application.state_ports import (
    BudgetClaim,
    BudgetLevel,
    JobSettled,
    LedgerRow,
    Record,
    Refusal,
    Reservation,
    StateUnavailable,
    VersionConflict,
)
from . import sqlite_state_ops as ops
from . import sqlite_state_records as records
from .sqlite_state_schema import SchemaTooNew, migrate

_T = TypeVar("_T")
BUSY_TIMEOUT_SECONDS = 10.0
PURGE_EVERY = 256


class SqliteStateStore:
    """The ``StateStore`` port on a SQLite file: counts, budgets and the ledger survive restarts.

    Why this shape: one connection lives on one dedicated worker thread, so the event loop never
    blocks and calls from this process are serialised without a lock; each operation is one
    ``BEGIN IMMEDIATE`` transaction, which also serialises it against other processes sharing the
    file (they wait up to ``BUSY_TIMEOUT_SECONDS``). WAL mode lets readers run alongside.
    How it fails: every ``sqlite3``/OS error, a busy timeout, or a file from a newer release
    (``schema_version`` too high) is ``StateUnavailable`` naming the file; the transaction is
    rolled back, so nothing was half-applied.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path).expanduser()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-sqlite")
        self._db: sqlite3.Connection | None = None
        self._writes = 0

    @property
    def path(self) -> str:
        return str(self._path)

    async def reserve(self, reservation: Reservation) -> Refusal | None:
        return await self._transaction(lambda db: ops.reserve(db, reservation), purge_at=reservation.now)

    async def settle(self, reservation_id: str, charge_usd: Decimal, now: float, row: LedgerRow | None) -> None:
        await self._transaction(lambda db: ops.settle(db, reservation_id, charge_usd, now, row))

    async def hold_for_job(self, reservation_id: str, lease_until: float, row: LedgerRow) -> None:
        await self._transaction(lambda db: ops.hold_for_job(db, reservation_id, lease_until, row))

    async def settle_job(self, row: LedgerRow, charge_usd: Decimal | None,
                         fallback: Sequence[BudgetClaim]) -> JobSettled:
        return await self._transaction(lambda db: ops.settle_job(db, row, charge_usd, fallback))

    async def levels(self, counters: Sequence[str], budgets: Sequence[str], now: float) -> tuple[
            list[int], list[BudgetLevel]]:
        return await self._run(lambda db: ops.levels(db, counters, budgets, now))

    async def ledger_since(self, since: float, *, subject: str | None = None, offset: int = 0,
                           limit: int = 1000) -> list[LedgerRow]:
        return await self._run(lambda db: ops.ledger_since(db, since, subject, offset, limit))

    async def get(self, namespace: str, key: str) -> Record | None:
        return await self._run(lambda db: records.get(db, namespace, key))

    async def put(self, namespace: str, key: str, value: str, *, expected_version: int, owner: str | None,
                  created_at: float) -> int:
        return await self._transaction(
            lambda db: records.put(db, namespace, key, value, expected_version, owner, created_at))

    async def list_records(self, namespace: str, *, owner: str | None = None, limit: int = 50) -> list[Record]:
        return await self._run(lambda db: records.list_records(db, namespace, owner, limit))

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def aclose(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        finally:
            self._executor.shutdown(wait=False)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _run(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._guarded, action)

    async def _transaction(self, action: Callable[[sqlite3.Connection], _T], purge_at: float | None = None) -> _T:
        def atomic(db: sqlite3.Connection) -> _T:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = action(db)
                if purge_at is not None:
                    self._writes += 1
                    if self._writes % PURGE_EVERY == 0:
                        ops.purge(db, purge_at)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        return await self._run(atomic)

    def _guarded(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            return action(self._connection())
        except VersionConflict:
            raise
        except (sqlite3.Error, OSError, SchemaTooNew) as exc:
            raise StateUnavailable(
                f"the state store {self._path} failed ({exc}): check that its directory is writable and not on "
                "a network share, then retry.", retry_after_seconds=5) from None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                 check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                migrate(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db
