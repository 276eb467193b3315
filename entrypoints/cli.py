"""The command line beyond stdio: ``serve`` (HTTP), ``token new`` and ``usage`` (ledger export)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TextIO

PROG = "openrouter-multimodal-mcp"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog=PROG, description="MCP server for every OpenRouter model. With no "
                                  "command it speaks MCP over stdio.")
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve MCP over HTTP: Streamable HTTP at /mcp, SSE at /sse")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    token = commands.add_parser("token", help="manage bearer tokens for the HTTP service")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    new = token_commands.add_parser("new", help="print a new token once, and the line for the tokens file")
    new.add_argument("subject", help="who the token is for (a user id, or the gateway's own name)")
    new.add_argument("--gateway", action="store_true",
                     help="a chat front-end that names its users in the user header (x-user-id)")
    usage = commands.add_parser("usage", help="export the paid-call ledger")
    usage.add_argument("--since", required=True, help="UTC date or time, e.g. 2026-12-01")
    usage.add_argument("--format", choices=("csv", "json"), default="csv")
    usage.add_argument("--subject", default=None, help="only this caller's rows")
    return top


def token_new(subject: str, gateway: bool, out: TextIO) -> int:
    from .tokens import file_line, new_token

    token = new_token()
    line = file_line(token, subject, gateway=gateway)
    out.write(f"token (shown once; give it to the client): {token}\n")
    out.write(f"tokens file line (append to OPENROUTER_MCP_TOKENS_FILE): {line}\n")
    return 0


def since_timestamp(text: str) -> float:
    moment = datetime.fromisoformat(text.strip())
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


async def export_usage(since: float, fmt: str, subject: str | None, out: TextIO) -> int:
    from ..application.ledger_export import export_ledger, export_text
    from .bootstrap import bootstrap
    from .container import resolve, start, stop

    container, problem = bootstrap()
    if problem:
        sys.stderr.write(f"configuration problem: {problem}\n")
        return 2
    await start(container)
    try:
        store = await resolve(container.storage.state)
        async for piece in export_text(export_ledger(store, since, subject=subject), fmt):
            out.write(piece)
    finally:
        await stop(container)
    return 0


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.command == "token":
        return token_new(args.subject, args.gateway, sys.stdout)
    if args.command == "usage":
        try:
            since = since_timestamp(args.since)
        except ValueError:
            sys.stderr.write(f"--since '{args.since}' is not a date: use e.g. 2026-12-01\n")
            return 2
        return asyncio.run(export_usage(since, args.format, args.subject, sys.stdout))
    from .http_main import serve

    return serve(args.host, args.port)
