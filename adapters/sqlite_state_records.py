"""Versioned records with compare-and-set on one SQLite connection (the job store's future home)."""

from __future__ import annotations

import sqlite3

from ..application.state_ports import Record, VersionConflict

_SELECT = "SELECT namespace, key, value, version, owner, created_at FROM records"


def _record(row: tuple[object, ...]) -> Record:
    namespace, key, value, version, owner, created_at = row
    return Record(str(namespace), str(key), str(value), int(str(version)), None if owner is None else str(owner),
                  float(str(created_at)))


def get(db: sqlite3.Connection, namespace: str, key: str) -> Record | None:
    row = db.execute(f"{_SELECT} WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
    return None if row is None else _record(tuple(row))


def put(db: sqlite3.Connection, namespace: str, key: str, value: str, expected_version: int, owner: str | None,
        created_at: float) -> int:
    row = db.execute("SELECT version FROM records WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
    current = int(row[0]) if row else 0
    if current != expected_version:
        raise VersionConflict(namespace, key, current)
    db.execute("INSERT OR REPLACE INTO records (namespace, key, value, version, owner, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?)", (namespace, key, value, current + 1, owner, created_at))
    return current + 1


def list_records(db: sqlite3.Connection, namespace: str, owner: str | None, limit: int) -> list[Record]:
    order = "ORDER BY created_at DESC, key DESC LIMIT ?"
    if owner is None:
        rows = db.execute(f"{_SELECT} WHERE namespace = ? {order}", (namespace, max(limit, 0)))
    else:
        rows = db.execute(f"{_SELECT} WHERE namespace = ? AND owner = ? {order}", (namespace, owner, max(limit, 0)))
    return [_record(tuple(row)) for row in rows]
