"""The state store's SQLite schema as numbered migrations, applied in order and recorded in ``schema_version``."""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX counters_expiry ON counters (expires_at);
    CREATE TABLE cooldowns (key TEXT PRIMARY KEY, last_at REAL NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX cooldowns_expiry ON cooldowns (expires_at);
    CREATE TABLE budgets (key TEXT PRIMARY KEY, spent_nanos INTEGER NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX budgets_expiry ON budgets (expires_at);
    CREATE TABLE reservations (
        id TEXT NOT NULL, budget_key TEXT NOT NULL, amount_nanos INTEGER NOT NULL, budget_expires_at REAL NOT NULL,
        lease_until REAL NOT NULL, job_key TEXT, PRIMARY KEY (id, budget_key)) WITHOUT ROWID;
    CREATE INDEX reservations_budget ON reservations (budget_key, lease_until);
    CREATE INDEX reservations_job ON reservations (job_key);
    CREATE INDEX reservations_lease ON reservations (lease_until);
    CREATE TABLE ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, subject TEXT NOT NULL, tool TEXT NOT NULL,
        model TEXT NOT NULL, outcome TEXT NOT NULL, estimate_usd TEXT, cost_usd TEXT, generation_id TEXT,
        job_id TEXT, settled_at REAL);
    CREATE INDEX ledger_at ON ledger (at, id);
    CREATE INDEX ledger_subject_at ON ledger (subject, at, id);
    CREATE INDEX ledger_job ON ledger (subject, job_id);
    CREATE TABLE records (
        namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL, owner TEXT,
        created_at REAL NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID;
    CREATE INDEX records_recent ON records (namespace, created_at DESC);
    CREATE INDEX records_owner_recent ON records (namespace, owner, created_at DESC);
    """,
)


class SchemaTooNew(Exception):
    """The file was written by a newer release; opening it could lose data, so the store refuses."""


def migrate(db: sqlite3.Connection) -> int:
    """Brings the file to the latest schema, one transaction per step, and returns its version.

    Two processes opening a fresh file at once are safe: each step runs under ``BEGIN IMMEDIATE``
    and re-reads the version inside it, so a step is applied exactly once.
    """
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = int(row[0]) if row else 0
            if version > len(MIGRATIONS):
                raise SchemaTooNew(f"schema version {version} is newer than this release's {len(MIGRATIONS)}")
            if version == len(MIGRATIONS):
                db.execute("COMMIT")
                return version
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            if row:
                db.execute("UPDATE schema_version SET version = ?", (version + 1,))
            else:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
