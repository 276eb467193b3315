"""The state store's operations as plain functions on one SQLite connection, each run inside a transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..application.state_ports import (
    BudgetClaim,
    BudgetLevel,
    JobSettled,
    LedgerRow,
    Refusal,
    Reservation,
)
from ..domain.cost_estimate import from_nanos, to_nanos

_LEDGER_COLUMNS = ("at", "subject", "tool", "model", "outcome", "estimate_usd", "cost_usd", "generation_id",
                   "job_id", "settled_at")


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount, "f")


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _scalar(db: sqlite3.Connection, sql: str, args: tuple[object, ...]) -> Any:
    row = db.execute(sql, args).fetchone()
    return None if row is None else row[0]


def _count(db: sqlite3.Connection, key: str, now: float) -> int:
    return int(_scalar(db, "SELECT value FROM counters WHERE key = ? AND expires_at > ?", (key, now)) or 0)


def _committed(db: sqlite3.Connection, key: str, now: float) -> int:
    spent = _scalar(db, "SELECT spent_nanos FROM budgets WHERE key = ? AND expires_at > ?", (key, now))
    held = _scalar(db, "SELECT SUM(amount_nanos) FROM reservations WHERE budget_key = ? AND lease_until > ?",
                   (key, now))
    return int(spent or 0) + int(held or 0)


def purge(db: sqlite3.Connection, now: float) -> None:
    for table, column in (("counters", "expires_at"), ("cooldowns", "expires_at"), ("budgets", "expires_at"),
                          ("reservations", "lease_until")):
        db.execute(f"DELETE FROM {table} WHERE {column} <= ?", (now,))


def reserve(db: sqlite3.Connection, r: Reservation) -> Refusal | None:
    now = r.now
    for index, claim in enumerate(r.counters):
        count = _count(db, claim.key, now)
        if count + 1 > claim.limit:
            return Refusal("counter", index, count=count)
    for index, gap in enumerate(r.cooldowns):
        last = _scalar(db, "SELECT last_at FROM cooldowns WHERE key = ? AND expires_at > ?", (gap.key, now))
        if last is not None and now - float(last) < gap.gap_seconds:
            return Refusal("cooldown", index, last_at=float(last))
    amount = to_nanos(r.amount_usd)
    for index, budget in enumerate(r.budgets):
        committed = _committed(db, budget.key, now)
        if committed + amount > to_nanos(budget.limit_usd):
            return Refusal("budget", index, committed_usd=from_nanos(committed))
    for claim in r.counters:
        db.execute("INSERT INTO counters (key, value, expires_at) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET "
                   "value = CASE WHEN expires_at > ? THEN value + 1 ELSE 1 END, expires_at = excluded.expires_at",
                   (claim.key, claim.expires_at, now))
    for gap in r.cooldowns:
        db.execute("INSERT OR REPLACE INTO cooldowns (key, last_at, expires_at) VALUES (?, ?, ?)",
                   (gap.key, now, now + gap.gap_seconds))
    for budget in r.budgets:
        db.execute("INSERT OR REPLACE INTO reservations (id, budget_key, amount_nanos, budget_expires_at, lease_until)"
                   " VALUES (?, ?, ?, ?, ?)", (r.id, budget.key, amount, budget.expires_at, r.lease_until))
    return None


def _charge(db: sqlite3.Connection, key: str, nanos: int, expires_at: float, now: float) -> None:
    db.execute("INSERT INTO budgets (key, spent_nanos, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
               "spent_nanos = CASE WHEN expires_at > ? THEN spent_nanos ELSE 0 END + excluded.spent_nanos, "
               "expires_at = MAX(expires_at, excluded.expires_at)", (key, nanos, expires_at, now))


def append(db: sqlite3.Connection, row: LedgerRow) -> None:
    values = (row.at, row.subject, row.tool, row.model, row.outcome, _text(row.estimate_usd), _text(row.cost_usd),
              row.generation_id, row.job_id, row.settled_at)
    db.execute(f"INSERT INTO ledger ({', '.join(_LEDGER_COLUMNS)}) VALUES ({', '.join('?' * len(values))})", values)


def settle(db: sqlite3.Connection, reservation_id: str, charge: Decimal, now: float, row: LedgerRow | None) -> None:
    held = db.execute("SELECT budget_key, budget_expires_at FROM reservations WHERE id = ? AND lease_until > ?",
                      (reservation_id, now)).fetchall()
    db.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
    nanos = to_nanos(charge)
    if nanos:
        for key, expires_at in held:
            _charge(db, key, nanos, expires_at, now)
    if row is not None:
        append(db, row)


def hold_for_job(db: sqlite3.Connection, reservation_id: str, lease_until: float, row: LedgerRow) -> None:
    db.execute("UPDATE reservations SET job_key = ?, lease_until = ? WHERE id = ? AND lease_until > ?",
               (f"{row.subject}/{row.job_id}", lease_until, reservation_id, row.at))
    append(db, row)


def settle_job(db: sqlite3.Connection, row: LedgerRow, charge: Decimal | None,
               fallback: Sequence[BudgetClaim]) -> JobSettled:
    now = row.at
    found = db.execute("SELECT id, settled_at, estimate_usd FROM ledger WHERE subject = ? AND job_id = ? "
                       "ORDER BY id DESC LIMIT 1", (row.subject, row.job_id)).fetchone()
    if found is not None and found[1] is not None:
        return JobSettled.ALREADY
    job_key = f"{row.subject}/{row.job_id}"
    held = db.execute("SELECT budget_key, amount_nanos, budget_expires_at FROM reservations WHERE job_key = ? "
                      "AND lease_until > ?", (job_key, now)).fetchall()
    db.execute("DELETE FROM reservations WHERE job_key = ?", (job_key,))
    estimate = _decimal(found[2]) if found is not None else None
    held_nanos = int(held[0][1]) if held else to_nanos(estimate or Decimal(0))
    nanos = held_nanos if charge is None else to_nanos(charge)
    targets = [(key, expires) for key, _, expires in held] or [(b.key, b.expires_at) for b in fallback]
    if nanos:
        for key, expires_at in targets:
            _charge(db, key, nanos, expires_at, now)
    if found is None:
        append(db, row)
        return JobSettled.ORPHAN
    db.execute("UPDATE ledger SET outcome = ?, cost_usd = ?, generation_id = COALESCE(?, generation_id), "
               "settled_at = ? WHERE id = ?", (row.outcome, _text(row.cost_usd), row.generation_id, now, found[0]))
    return JobSettled.SETTLED


def levels(db: sqlite3.Connection, counters: Sequence[str], budgets: Sequence[str], now: float) -> tuple[
        list[int], list[BudgetLevel]]:
    counts = [_count(db, key, now) for key in counters]
    found: list[BudgetLevel] = []
    for key in budgets:
        spent = _scalar(db, "SELECT spent_nanos FROM budgets WHERE key = ? AND expires_at > ?", (key, now))
        held = _scalar(db, "SELECT SUM(amount_nanos) FROM reservations WHERE budget_key = ? AND lease_until > ?",
                       (key, now))
        found.append(BudgetLevel(from_nanos(int(spent or 0)), from_nanos(int(held or 0))))
    return counts, found


def ledger_since(db: sqlite3.Connection, since: float, subject: str | None, offset: int, limit: int) -> list[LedgerRow]:
    where, args = ("at >= ? AND subject = ?", (since, subject)) if subject is not None else ("at >= ?", (since,))
    rows = db.execute(f"SELECT id, {', '.join(_LEDGER_COLUMNS)} FROM ledger WHERE {where} ORDER BY at, id "
                      "LIMIT ? OFFSET ?", (*args, max(limit, 0), max(offset, 0))).fetchall()
    return [LedgerRow(id=r[0], at=r[1], subject=r[2], tool=r[3], model=r[4], outcome=r[5],
                      estimate_usd=_decimal(r[6]), cost_usd=_decimal(r[7]), generation_id=r[8], job_id=r[9],
                      settled_at=r[10]) for r in rows]
