"""Helpers every paid generation shares: exactly one audit event per call, and loss-free saving."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from ..domain.errors import ErrorCode, InvalidInput, OpenRouterMcpError
from ..domain.save_policy import split_extension
from .audit import AuditLog, PaidCallEvent
from .job_ports import OutputStore

FREE_NAME_ATTEMPTS = 50


class PaidCall:
    """What a paid call cost so far; the block inside ``audited`` sets ``cost`` once the upstream says."""

    cost: Decimal | None = None


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, OpenRouterMcpError):
        return exc.code.value
    return "cancelled" if isinstance(exc, asyncio.CancelledError) else ErrorCode.INTERNAL.value


@contextmanager
def audited(audit: AuditLog, tool: str, model: str, prompt: str) -> Iterator[PaidCall]:
    """Write exactly one audit event for the paid call in the block: ``ok``, or the error code it ended with."""
    call = PaidCall()
    preview = PaidCallEvent.preview(prompt)
    try:
        yield call
    except BaseException as exc:
        detail = exc.message[:200] if isinstance(exc, OpenRouterMcpError) else type(exc).__name__
        audit.paid_call(PaidCallEvent(tool=tool, model=model, outcome=_outcome(exc), cost_usd=call.cost,
                                      prompt_preview=preview, detail=detail))
        raise
    audit.paid_call(PaidCallEvent(tool=tool, model=model, outcome="ok", cost_usd=call.cost, prompt_preview=preview))


def numbered(path: str, n: int) -> str:
    """``pets/cat.png`` → ``pets/cat-2.png`` (the last part only; separators of either style are kept)."""
    cut = max(path.rfind("/"), path.rfind("\\")) + 1
    stem, ext = split_extension(path[cut:])
    return f"{path[:cut]}{stem}-{n}" + (f".{ext}" if ext else "")


async def save_output(store: OutputStore, reserved: str, wanted: str, data: bytes, *, overwrite: bool,
                      stem: str) -> str:
    """Write ``data`` under the store name ``wanted`` and return the final name, never replacing a file the
    caller did not name.

    ``overwrite`` applies only when ``wanted`` is the ``reserved`` name itself. Any other name (a
    corrected extension, a second image), or the reserved name if another call took it after
    ``reserve``, must be free; if it is taken, ``-2``, ``-3``… is appended, because by now the
    generation is paid for and must not be lost to a name clash.
    """
    first = 1
    if wanted == reserved:
        try:
            return await store.write(reserved, data, overwrite=overwrite)
        except InvalidInput:
            if overwrite:
                raise
            first = 2
    ext = split_extension(wanted)[1]
    last: OpenRouterMcpError | None = None
    for attempt in range(first, FREE_NAME_ATTEMPTS + 1):
        candidate = wanted if attempt == 1 else numbered(wanted, attempt)
        try:
            name = await store.reserve(candidate, stem=stem, extension=ext, overwrite=False)
            return await store.write(name, data, overwrite=False)
        except InvalidInput as exc:
            last = exc
    assert last is not None
    raise last


