"""``openrouter-multimodal-mcp`` / ``python -m openrouter_multimodal.entrypoints``: the stdio server.

SIGINT and SIGTERM stop it within a moment, whether or not stdin is open, and the exit code is 0: a stop
that was asked for is not a failure. While serving, the event loop owns both signals and cancels the
server, which closes its upstream clients. Before that (imports, settings) and after the first signal,
nothing is in flight, so the process simply exits: an exception raised from a signal handler can land in
a weakref callback during an import and be swallowed, which would leave the server running.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anyio import CancelScope
    from anyio.abc import TaskStatus

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SHUTDOWN_SECONDS = 5.0


def _exit_now(signum: int, frame: FrameType | None) -> None:
    sys.stderr.flush()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """No arguments: the stdio server. ``serve``, ``token new`` and ``usage``: see ``cli``."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        from .cli import run

        return run(args)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _exit_now)
    try:
        code = _run()
    except KeyboardInterrupt:
        code = 0
    _leave(code)
    return code


def _leave(code: int) -> None:
    """End the process once the server has stopped cleanly, skipping the interpreter's teardown.

    By then the session is over, every resource is closed (``shutdown``) and the event loop has joined its
    worker threads, so only module and object finalisation is left: about 250 ms that a client waiting
    for the process to exit would otherwise wait through. Output is flushed first; nothing is lost.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run() -> int:
    import anyio
    import structlog

    from .bootstrap import bootstrap
    from .container import stop
    from .logging_setup import configure_logging
    from .server import build_server
    from .setting_names import render_for_env
    from .stdio_transport import serve_stdio

    container, problem = bootstrap()
    settings = container.settings()
    configure_logging(settings.log_level, settings.secret_values())
    log = structlog.get_logger("openrouter_multimodal")
    if problem:
        log.warning("configuration_problem", problem=render_for_env(problem))
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
                await stop(container)

    log.info("server_starting", transport="stdio")
    anyio.run(serve)
    log.info("server_stopped")
    return 0


async def _stop_on_signal(scope: CancelScope, log: Any, *, task_status: TaskStatus[None]) -> None:
    """Turn the first SIGINT/SIGTERM into a cancellation of the server; a second one during the shutdown
    exits at once (the loop would otherwise leave SIG_DFL / KeyboardInterrupt behind)."""
    import anyio

    try:
        with anyio.open_signal_receiver(*STOP_SIGNALS) as received:
            task_status.started()
            async for signum in received:
                log.info("server_stopping", reason=signal.Signals(signum).name)
                scope.cancel()
                return
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, _exit_now)


if __name__ == "__main__":
    sys.exit(main())
