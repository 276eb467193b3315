"""``openrouter-multimodal-mcp`` / ``python -m openrouter_multimodal.entrypoints``: the stdio server.

SIGINT and SIGTERM stop it within a moment, whether or not stdin is open, and the exit code is 0: a stop
that was asked for is not a failure. Heavy imports happen inside ``main`` after the handlers are in place,
so even a signal during start-up ends the process quietly, never with a traceback.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anyio import CancelScope
    from anyio.abc import TaskStatus

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SHUTDOWN_SECONDS = 5.0


class _Stopped(BaseException):
    """Raised by the start-up signal handler; caught in ``main``, never shown."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def main() -> int:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop)
    try:
        return _run()
    except (_Stopped, KeyboardInterrupt):
        return 0


def _run() -> int:
    import anyio
    import structlog

    from .bootstrap import bootstrap
    from .container import shutdown
    from .logging_setup import configure_logging
    from .server import build_server
    from .stdio_transport import serve_stdio

    container, problem = bootstrap()
    settings = container.settings()
    configure_logging(settings.log_level, settings.secret_values())
    log = structlog.get_logger("openrouter_multimodal")
    if problem:
        log.warning("configuration_problem", problem=problem)
    elif not settings.api_key:
        log.warning("api_key_missing", hint="set OPENROUTER_API_KEY; paid tools answer CONFIGURATION until then")
    server = build_server(container, problem)

    async def serve() -> None:
        try:
            async with anyio.create_task_group() as tasks:
                await tasks.start(_stop_on_signal, tasks.cancel_scope, log)
                await serve_stdio(server)
                log.info("server_stopping", reason="stdin closed")
                tasks.cancel_scope.cancel()
        finally:
            with anyio.move_on_after(SHUTDOWN_SECONDS, shield=True):
                await shutdown(container)

    log.info("server_starting", transport="stdio")
    try:
        anyio.run(serve)
    except (_Stopped, KeyboardInterrupt):
        log.info("server_stopping", reason="signal")
    log.info("server_stopped")
    return 0


async def _stop_on_signal(scope: CancelScope, log: Any, *, task_status: TaskStatus[None]) -> None:
    """Turn the first SIGINT/SIGTERM into a cancellation of the server; the loop owns the signals from here."""
    import anyio

    with anyio.open_signal_receiver(*STOP_SIGNALS) as received:
        task_status.started()
        async for signum in received:
            log.info("server_stopping", reason=signal.Signals(signum).name)
            scope.cancel()
            return


if __name__ == "__main__":
    sys.exit(main())
