"""A separate OS process for the cross-process tests: waits for a go file, fires N concurrent admits, prints how
many were let through. Usage: python -m tests.policy.policy_worker STATE_URL PREFIX NOW CALLS GO_FILE"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from openrouter_multimodal.adapters.state_store_factory import open_state_store
from openrouter_multimodal.domain.errors import QuotaExceeded

from .conftest import FakeClock
from .engine_support import admit, engine

RULES = {"limits": [{"tools": ["chat_completion"], "per": "server", "max": 10, "window": "minute"}]}
GO_POLLS = 2000


async def burst(url: str, prefix: str, now: float, calls: int) -> int:
    store = open_state_store(url, default_path=Path(url), redis_prefix=prefix)
    gate = engine(store, FakeClock(now), RULES)

    async def one() -> int:
        try:
            admission = await admit(gate, "chat_completion")
        except QuotaExceeded:
            return 0
        await gate.settle(admission, None, "ok")
        return 1

    try:
        await store.ping()
        return sum(await asyncio.gather(*(one() for _ in range(calls))))
    finally:
        await store.aclose()


def main() -> None:
    url, prefix, now, calls, go = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
    for _ in range(GO_POLLS):
        if go.exists():
            break
        time.sleep(0.005)
    print(asyncio.run(burst(url, prefix, now, calls)))


if __name__ == "__main__":
    main()
