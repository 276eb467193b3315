"""``RedisStateStore``: the ``StateStore`` shared by server replicas, one atomic Lua script per operation."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

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
from ..domain.cost_estimate import from_nanos, to_nanos
from . import redis_state_scripts as lua

Arg = str | int
DEFAULT_PREFIX = "ormcp:"
_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_LEDGER_TEXT = ("subject", "tool", "model", "outcome", "generation_id", "job_id")


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _row_json(row: LedgerRow) -> str:
    data: dict[str, str] = {"at": repr(row.at)}
    data.update({name: str(getattr(row, name)) for name in _LEDGER_TEXT if getattr(row, name) is not None})
    if row.estimate_usd is not None:
        data["estimate_usd"] = format(row.estimate_usd, "f")
        data["estimate_nanos"] = str(to_nanos(row.estimate_usd))
    if row.cost_usd is not None:
        data["cost_usd"] = format(row.cost_usd, "f")
    if row.settled_at is not None:
        data["settled_at"] = repr(row.settled_at)
    return json.dumps(data)


def _row(member: str, data: dict[str, str]) -> LedgerRow:
    def dec(name: str) -> Decimal | None:
        return Decimal(data[name]) if name in data else None

    return LedgerRow(id=int(member), at=float(data["at"]), subject=data["subject"], tool=data["tool"],
                     model=data["model"], outcome=data["outcome"], estimate_usd=dec("estimate_usd"),
                     cost_usd=dec("cost_usd"), generation_id=data.get("generation_id"), job_id=data.get("job_id"),
                     settled_at=float(data["settled_at"]) if "settled_at" in data else None)


def _namespace(namespace: str) -> str:
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"record namespace {namespace!r} must be 1-64 of [A-Za-z0-9_.-]")
    return namespace


class RedisStateStore:
    """The ``StateStore`` port on Redis, for several replicas behind a load balancer.

    Why Lua: every operation (take all claims, settle, hold a job, compare-and-set) is one script,
    which Redis runs without interleaving, so two replicas can never both take the tenth call.
    Window keys carry expiries (``PEXPIREAT`` at the window's end), so nothing needs sweeping.
    All keys start with ``prefix`` so several deployments can share one Redis.
    How it fails: a refused connection, a timeout (``timeout_seconds``, one retry) or any Redis
    error is ``StateUnavailable``; a script is atomic, so a failure changed nothing.
    """

    def __init__(self, client: Redis, *, prefix: str = DEFAULT_PREFIX) -> None:
        self._client = client
        self._prefix = prefix
        self._reserve = client.register_script(lua.RESERVE)
        self._settle = client.register_script(lua.SETTLE)
        self._hold = client.register_script(lua.HOLD)
        self._settle_job = client.register_script(lua.SETTLE_JOB)
        self._levels = client.register_script(lua.LEVELS)
        self._put = client.register_script(lua.PUT)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX, timeout_seconds: float = 2.0,
                 max_connections: int = 50, queue_seconds: float = 10.0) -> RedisStateStore:
        """A store for ``redis://host:port/db`` (or ``rediss://``); call inside the running loop.

        At most ``max_connections`` sockets; a burst beyond them waits up to ``queue_seconds`` for one
        (a queue is not an outage, so it must not trip fail-closed), each command up to ``timeout_seconds``.
        """
        pool = BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=queue_seconds, decode_responses=True,
            socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, retry=Retry(NoBackoff(), 1))
        return cls(Redis.from_pool(pool), prefix=prefix)

    async def reserve(self, reservation: Reservation) -> Refusal | None:
        r = reservation
        args: list[Arg] = [self._prefix, _ms(r.now), len(r.counters), len(r.cooldowns), len(r.budgets),
                                 str(to_nanos(r.amount_usd)), _ms(r.lease_until), r.id]
        for c in r.counters:
            args += [c.key, c.limit, _ms(c.expires_at)]
        for g in r.cooldowns:
            args += [g.key, max(1, _ms(g.gap_seconds))]
        for b in r.budgets:
            args += [b.key, str(to_nanos(b.limit_usd)), _ms(b.expires_at)]
        found = await self._call(lambda: self._reserve(args=args))
        if not found:
            return None
        kind, index, value = found[0], int(found[1]), found[2]
        if kind == "counter":
            return Refusal("counter", index, count=int(value))
        if kind == "cooldown":
            return Refusal("cooldown", index, last_at=float(value) / 1000)
        return Refusal("budget", index, committed_usd=from_nanos(int(Decimal(value))))

    async def settle(self, reservation_id: str, charge_usd: Decimal, now: float, row: LedgerRow | None) -> None:
        args: list[Arg] = [self._prefix, reservation_id, str(to_nanos(charge_usd)),
                           _row_json(row) if row else "", _ms(now)]
        await self._call(lambda: self._settle(args=args))

    async def hold_for_job(self, reservation_id: str, lease_until: float, row: LedgerRow) -> None:
        job_key = f"{row.subject}/{row.job_id}"
        args: list[Arg] = [self._prefix, reservation_id, _ms(lease_until), job_key, _row_json(row), _ms(row.at)]
        await self._call(lambda: self._hold(args=args))

    async def settle_job(self, row: LedgerRow, charge_usd: Decimal | None,
                         fallback: Sequence[BudgetClaim]) -> JobSettled:
        targets = [[b.key, _ms(b.expires_at)] for b in fallback]
        charge = "" if charge_usd is None else str(to_nanos(charge_usd))
        args: list[Arg] = [self._prefix, f"{row.subject}/{row.job_id}", charge,
                _row_json(row), json.dumps(targets), _ms(row.at)]
        return JobSettled(await self._call(lambda: self._settle_job(args=args)))

    async def levels(self, counters: Sequence[str], budgets: Sequence[str], now: float) -> tuple[
            list[int], list[BudgetLevel]]:
        args: list[Arg] = [self._prefix, _ms(now), len(counters), *counters, *budgets]
        values = await self._call(lambda: self._levels(args=args))
        counts = [int(v) for v in values[: len(counters)]]
        rest = values[len(counters):]
        found = [BudgetLevel(from_nanos(int(Decimal(rest[i]))), from_nanos(int(Decimal(rest[i + 1]))))
                 for i in range(0, len(rest), 2)]
        return counts, found

    async def ledger_since(self, since: float, *, subject: str | None = None, offset: int = 0,
                           limit: int = 1000) -> list[LedgerRow]:
        index = f"{self._prefix}l:u:{subject}" if subject is not None else f"{self._prefix}l:at"
        members = await self._call(lambda: self._client.zrangebyscore(
            index, repr(since), "+inf", start=max(offset, 0), num=max(limit, 0)))
        if not members:
            return []
        pipe = self._client.pipeline(transaction=False)
        for member in members:
            pipe.hgetall(f"{self._prefix}l:{member}")
        rows = await self._call(pipe.execute)
        return [_row(member, data) for member, data in zip(members, rows, strict=True) if data]

    async def get(self, namespace: str, key: str) -> Record | None:
        data = await self._call(lambda: self._client.hgetall(self._record_key(namespace, key)))
        return self._record(namespace, key, data)

    async def put(self, namespace: str, key: str, value: str, *, expected_version: int, owner: str | None,
                  created_at: float) -> int:
        args: list[Arg] = [self._prefix, _namespace(namespace), key, value, expected_version, owner or "",
                           repr(created_at)]
        ok, version = await self._call(lambda: self._put(args=args))
        if not ok:
            raise VersionConflict(namespace, key, int(version))
        return int(version)

    async def list_records(self, namespace: str, *, owner: str | None = None, limit: int = 50) -> list[Record]:
        ns = _namespace(namespace)
        index = f"{self._prefix}kvo:{ns}:{owner}" if owner is not None else f"{self._prefix}kvi:{ns}"
        keys = await self._call(lambda: self._client.zrevrange(index, 0, max(limit, 0) - 1)) if limit > 0 else []
        pipe = self._client.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(self._record_key(ns, key))
        rows = await self._call(pipe.execute) if keys else []
        found = (self._record(ns, key, data) for key, data in zip(keys, rows, strict=True))
        return [record for record in found if record is not None]

    async def ping(self) -> None:
        await self._call(self._client.ping)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _record_key(self, namespace: str, key: str) -> str:
        return f"{self._prefix}kv:{_namespace(namespace)}:{key}"

    @staticmethod
    def _record(namespace: str, key: str, data: dict[str, str]) -> Record | None:
        if not data:
            return None
        return Record(namespace, key, data["value"], int(data["version"]), data.get("owner"),
                      float(data["created_at"]))

    async def _call(self, action: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await action()
        except RedisError as exc:
            raise StateUnavailable(
                f"the Redis state store failed ({type(exc).__name__}: {str(exc)[:120]}): check that Redis is "
                "running and ${state_url} points at it.", retry_after_seconds=5) from None
