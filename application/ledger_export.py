"""Exports the paid-call ledger (rows since a date) as CSV or JSON, for the host's own accounting."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from ..domain.policy_windows import iso_utc
from .state_ports import LedgerRow, StateStore

PAGE_ROWS = 1000
FIELDS = ("id", "at", "subject", "tool", "model", "outcome", "estimate_usd", "cost_usd", "generation_id", "job_id",
          "settled_at")


def ledger_record(row: LedgerRow) -> dict[str, Any]:
    """One row as plain data: times ISO 8601 UTC, money as exact decimal strings (never floats)."""
    return {
        "id": row.id, "at": iso_utc(row.at), "subject": row.subject, "tool": row.tool, "model": row.model,
        "outcome": row.outcome,
        "estimate_usd": None if row.estimate_usd is None else format(row.estimate_usd, "f"),
        "cost_usd": None if row.cost_usd is None else format(row.cost_usd, "f"),
        "generation_id": row.generation_id, "job_id": row.job_id,
        "settled_at": None if row.settled_at is None else iso_utc(row.settled_at),
    }


async def export_ledger(store: StateStore, since: float, *, subject: str | None = None,
                        page_rows: int = PAGE_ROWS) -> AsyncIterator[dict[str, Any]]:
    """Every ledger row with ``at >= since`` (all subjects, or one), oldest first, read page by page so
    memory stays bounded however long the ledger is. How it fails: ``StateUnavailable`` from the store."""
    offset = 0
    while True:
        rows = await store.ledger_since(since, subject=subject, offset=offset, limit=page_rows)
        for row in rows:
            yield ledger_record(row)
        if len(rows) < page_rows:
            return
        offset += len(rows)


async def export_text(records: AsyncIterator[dict[str, Any]], fmt: str) -> AsyncIterator[str]:
    """``records`` as CSV (header first) or a JSON array, one piece at a time, holding one record at most."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        async for record in records:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
        return
    yield "["
    first = True
    async for record in records:
        yield ("" if first else ",") + "\n" + json.dumps(record, sort_keys=True)
        first = False
    yield "\n]\n"
