"""A separate OS process for the cross-process tests: opens the store, writes ``GO_FILE.<pid>.ready``, waits for
``GO_FILE``, fires CALLS concurrent admits and prints how many were let through.

Usage: python -m tests.policy.policy_worker STATE_URL PREFIX NOW CALLS MAX GO_FILE"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from openrouter_multimodal.adapters.state_store_factory import open_state_store

from .conftest import FakeClock
from .engine_support import admitted_of, engine

GO_POLLS = 20_000


async def burst(url: str, prefix: str, now: float, calls: int, maximum: int, go: Path) -> int:
    store = open_state_store(url, default_path=Path(url), redis_prefix=prefix)
    rules = {"limits": [{"tools": ["chat_completion"], "per": "server", "max": maximum, "window": "minute"}]}
    gate = engine(store, FakeClock(now), rules)

    try:
        await store.ping()
        go.with_name(f"{go.name}.{os.getpid()}.ready").touch()
        for _ in range(GO_POLLS):
            if go.exists():
                break
            time.sleep(0.001)
        return await admitted_of(gate, calls)
    finally:
        await store.aclose()


def main() -> None:
    url, prefix, now = sys.argv[1], sys.argv[2], float(sys.argv[3])
    calls, maximum, go = int(sys.argv[4]), int(sys.argv[5]), Path(sys.argv[6])
    print(asyncio.run(burst(url, prefix, now, calls, maximum, go)))


if __name__ == "__main__":
    main()
