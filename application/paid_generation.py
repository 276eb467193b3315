"""Helpers every paid generation shares: charging a failure after payment, save locks, and loss-free saving."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..domain.errors import InvalidInput, OpenRouterMcpError
from ..domain.paid_call import Billing
from ..domain.save_policy import split_extension
from .job_ports import OutputStore

FREE_NAME_ATTEMPTS = 50


@contextmanager
def charged(billing: Billing) -> Iterator[None]:
    """Attach ``billing`` to any domain error raised in the block: the upstream was already paid, so the
    pipeline must audit and charge what it cost even though the call then failed (e.g. the disk filled)."""
    try:
        yield
    except OpenRouterMcpError as exc:
        if exc.billing is None:
            exc.billing = billing
        raise


def save_lock(save_path: str | None) -> tuple[str, ...]:
    """The lock key for an explicit save target, so two calls naming one file take turns (auto names never clash)."""
    text = (save_path or "").strip()
    return (f"save:{text}",) if text else ()


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


