"""``openrouter-multimodal-mcp`` / ``python -m openrouter_multimodal.entrypoints``: the stdio server."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import anyio
import structlog

from .bootstrap import bootstrap
from .container import shutdown
from .logging_setup import configure_logging


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    container, problem = bootstrap()
    settings = container.settings()
    configure_logging(settings.log_level, settings.secret_values())
    log = structlog.get_logger("openrouter_multimodal")
    if problem:
        log.warning("configuration_problem", problem=problem)
    elif not settings.api_key:
        log.warning("api_key_missing", hint="set OPENROUTER_API_KEY; paid tools answer CONFIGURATION until then")
    from .server import build_server

    server = build_server(container, problem)
    signal.signal(signal.SIGTERM, _terminate)
    log.info("server_starting", transport="stdio")
    async def serve() -> None:
        try:
            await server.run_stdio_async()
        finally:
            await shutdown(container)

    try:
        anyio.run(serve)
    except KeyboardInterrupt:
        log.info("server_stopping", reason="signal")
    log.info("server_stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
