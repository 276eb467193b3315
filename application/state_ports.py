"""``StateStore``: the one port behind counters, cool-downs, budgets, the paid-call ledger and versioned records."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from ..domain.errors import ErrorCode, OpenRouterMcpError


class StateUnavailable(OpenRouterMcpError):
    """The store cannot be reached or used (Redis down, disk full, file locked past its timeout).

    The policy engine turns it into its fail-closed/fail-open decision; elsewhere it is a
    CONFIGURATION error, because the fix (start Redis, free the disk) is the operator's.
    """

    code = ErrorCode.CONFIGURATION


class VersionConflict(Exception):
    """``put`` lost a compare-and-set race: ``current`` is the version now stored (0: no record)."""

    def __init__(self, namespace: str, key: str, current: int) -> None:
        super().__init__(f"{namespace}/{key} is at version {current}")
        self.current = current


@dataclass(frozen=True, slots=True)
class CounterClaim:
    """Take one call from ``key`` (a window's counter) unless it already holds ``limit``; the key lapses at
    ``expires_at`` (the window's end), so no sweeper is needed."""

    key: str
    limit: int
    expires_at: float


@dataclass(frozen=True, slots=True)
class CooldownClaim:
    """Mark a call at ``now`` on ``key`` unless the last mark is less than ``gap_seconds`` old."""

    key: str
    gap_seconds: float


@dataclass(frozen=True, slots=True)
class BudgetClaim:
    """Reserve the reservation's amount on ``key`` unless settled spend + open reservations + amount > limit."""

    key: str
    limit_usd: Decimal
    expires_at: float


@dataclass(frozen=True, slots=True)
class Reservation:
    """Everything one call needs, taken all or nothing. ``lease_until``: when an unsettled budget
    reservation lapses on its own (a crashed process must not hold a budget for ever)."""

    id: str
    now: float
    counters: tuple[CounterClaim, ...] = ()
    cooldowns: tuple[CooldownClaim, ...] = ()
    budgets: tuple[BudgetClaim, ...] = ()
    amount_usd: Decimal = Decimal(0)
    lease_until: float = 0.0


@dataclass(frozen=True, slots=True)
class Refusal:
    """Which claim failed (``kind`` and its ``index`` in the reservation) and what stood in the way."""

    kind: Literal["counter", "cooldown", "budget"]
    index: int
    count: int = 0
    last_at: float = 0.0
    committed_usd: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class BudgetLevel:
    spent_usd: Decimal
    reserved_usd: Decimal


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One paid call. ``settled_at`` is None while a job is still running; ``id`` is set by the store."""

    at: float
    subject: str
    tool: str
    model: str
    outcome: str
    estimate_usd: Decimal | None = None
    cost_usd: Decimal | None = None
    generation_id: str | None = None
    job_id: str | None = None
    settled_at: float | None = None
    id: int | None = None


class JobSettled(enum.StrEnum):
    SETTLED = "settled"
    ALREADY = "already"
    ORPHAN = "orphan"


@dataclass(frozen=True, slots=True)
class Record:
    """A versioned value (JSON text); versions start at 1 and grow by one per ``put``."""

    namespace: str
    key: str
    value: str
    version: int
    owner: str | None
    created_at: float


class StateStore(Protocol):
    """Shared, durable policy state. SQLite (one host) and Redis (replicas) pass one contract suite.

    Every method raises ``StateUnavailable`` when the store cannot be reached or written, and
    nothing else for store trouble; a method that raised changed nothing it was asked to change
    (each is one transaction or one Lua script). Times are the caller's clock (epoch seconds),
    so replicas need synchronised clocks. Keys are opaque strings chosen by the caller.
    """

    async def reserve(self, reservation: Reservation) -> Refusal | None:
        """Takes every counter, cool-down and budget claim at once, or none: the first claim that
        would pass its limit is returned as a ``Refusal`` and nothing changes."""
        ...

    async def settle(self, reservation_id: str, charge_usd: Decimal, now: float, row: LedgerRow | None) -> None:
        """Ends a reservation: its budgets get ``charge_usd`` as spend (0 releases it) and ``row`` is
        appended to the ledger. An unknown or lapsed reservation charges nothing; the row is still written."""
        ...

    async def hold_for_job(self, reservation_id: str, lease_until: float, row: LedgerRow) -> None:
        """Keeps a reservation open for the job ``row.job_id`` (of ``row.subject``) until ``lease_until``
        and appends ``row`` (unsettled) so a later call can settle both with ``settle_job``."""
        ...

    async def settle_job(self, row: LedgerRow, charge_usd: Decimal | None,
                         fallback: Sequence[BudgetClaim]) -> JobSettled:
        """Settles ``row.subject``'s job ``row.job_id``: charges its held reservation (``None``: the held
        amount) and fills in the ledger row's cost, outcome, generation id and ``settled_at``.
        Idempotent: a settled job is ``ALREADY`` and changes nothing. A job with no ledger row is
        ``ORPHAN``: ``row`` is appended and ``charge_usd`` goes to the ``fallback`` budgets."""
        ...

    async def levels(self, counters: Sequence[str], budgets: Sequence[str], now: float) -> tuple[
            list[int], list[BudgetLevel]]:
        """Current counts and budget levels (spend, live reservations) for ``get_usage``; absent keys are 0."""
        ...

    async def ledger_since(self, since: float, *, subject: str | None = None, offset: int = 0,
                           limit: int = 1000) -> list[LedgerRow]:
        """Ledger rows with ``at >= since`` (one subject's, or all), oldest first, paged by ``offset``."""
        ...

    async def get(self, namespace: str, key: str) -> Record | None: ...

    async def put(self, namespace: str, key: str, value: str, *, expected_version: int, owner: str | None,
                  created_at: float) -> int:
        """Writes ``value`` if the stored version is ``expected_version`` (0: must not exist yet) and
        returns the new version; ``VersionConflict`` otherwise, so two replicas never overwrite each other."""
        ...

    async def list_records(self, namespace: str, *, owner: str | None = None, limit: int = 50) -> list[Record]:
        """Records of a namespace (one owner's, or all), newest ``created_at`` first."""
        ...

    async def ping(self) -> None:
        """Returns when the store answers; ``StateUnavailable`` otherwise (for health checks)."""
        ...

    async def aclose(self) -> None: ...
