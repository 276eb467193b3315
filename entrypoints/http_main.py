"""``openrouter-multimodal-mcp serve``: the HTTP service on uvicorn, refusing unsafe binds, draining on SIGTERM."""

from __future__ import annotations

import asyncio
import sys


def serve(host: str, port: int) -> int:
    """Serve until SIGINT/SIGTERM; then refuse new connections and let calls in flight finish within
    ``OPENROUTER_SHUTDOWN_GRACE_MS``. Exit code 2 (with the setting named) when the configuration is unsafe."""
    import structlog
    import uvicorn

    from ..domain.errors import OpenRouterMcpError
    from .bootstrap import bootstrap
    from .http_app import build_http_app, check_bind, load_tokens
    from .http_drain import STREAMS_CLOSE_S, Drain, DrainingServer
    from .logging_setup import configure_logging
    from .setting_names import render_for_env

    container, problem = bootstrap()
    settings = container.settings()
    configure_logging(settings.log_level, settings.secret_values())
    log = structlog.get_logger("openrouter_multimodal")
    try:
        tokens = load_tokens(settings)
        check_bind(host, tokens)
    except OpenRouterMcpError as exc:
        sys.stderr.write(f"openrouter-multimodal-mcp serve: {render_for_env(exc.message)}\n")
        return 2
    waits = {name: settings.http_max_wait_ms for name in ("video_max_wait_ms", "chat_max_wait_ms")
             if name not in settings.model_fields_set}
    if waits:
        container.settings.override(settings.model_copy(update=waits))
    if problem:
        log.warning("configuration_problem", problem=render_for_env(problem))
    drain = Drain()
    app = build_http_app(container, problem, host=host, port=port, tokens=tokens, drain=drain)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="on",
                            timeout_graceful_shutdown=STREAMS_CLOSE_S, server_header=False)
    log.info("server_starting", transport="http", host=host, port=port,
             bearer_tokens=0 if tokens is None else len(tokens))
    server = DrainingServer(config, drain=drain, grace_s=settings.shutdown_grace_ms / 1000, log=log)
    asyncio.run(server.serve())
    log.info("server_stopped")
    return 0
