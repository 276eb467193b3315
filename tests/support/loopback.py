"""Free 127.0.0.1 ports, and a stdlib HTTP request handler run on one in a background thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on right now (for a process that binds it itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(handler: Callable[..., Any], server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer
            ) -> Iterator[int]:
    """Yield the port while the server runs; shut it down and join its thread on exit."""
    server = server_class(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
