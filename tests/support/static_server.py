"""A real HTTP server on loopback serving files from a directory (for URL inputs), counting requests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.support.loopback import serving


class _Handler(SimpleHTTPRequestHandler):
    hits: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        super().do_GET()


@contextlib.contextmanager
def serve_directory(root: Path) -> Iterator[tuple[int, list[str]]]:
    """Serve ``root`` on 127.0.0.1 at a free port; yields (port, paths requested)."""
    hits: list[str] = []
    handler = type("Handler", (_Handler,), {"hits": hits})
    with serving(partial(handler, directory=str(root))) as port:
        yield port, hits
