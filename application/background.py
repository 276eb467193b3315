"""``BackgroundWork``: tasks that outlive the call that started them, owned by the app and drained at its stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("openrouter_multimodal.background")


class BackgroundWork:
    """The app's own tasks (a chat left running after its call returned), keyed by job id.

    Why owned by the app and not by the request: the request's task ends when the call returns,
    and its transport may close; the work must go on until it ends or the app stops. At the stop,
    ``drain`` lets running work finish for a grace period, then cancels what is left and waits
    (bounded) for it to record that it was stopped, so no job is left marked running by a clean stop.
    One per app (a singleton): a later ``cancel_job`` finds the task here.
    """

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, key: str, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work, name=f"background:{key}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))
        return task

    def _forget(self, key: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("background_task_failed", extra={"key": key, "error": type(task.exception()).__name__})

    def get(self, key: str) -> asyncio.Task[None] | None:
        return self._tasks.get(key)

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, grace_s: float, stop_s: float) -> None:
        """Wait up to ``grace_s`` for every task, then cancel the rest and give them ``stop_s`` to wind up."""
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=max(grace_s, 0.0))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=stop_s)
