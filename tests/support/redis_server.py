"""A real ``redis-server`` on a free loopback port, for the Redis state store tests (fails, never skips, without it)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

import pytest

from tests.support.loopback import free_port

START_ATTEMPTS = 3
READY_POLLS = 400


def _answers(port: int) -> bool:
    try:
        with closing(socket.create_connection(("127.0.0.1", port), timeout=0.2)) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` process with no persistence; ``stop`` ends it (the fail-closed tests use that)."""

    def __init__(self, executable: str) -> None:
        self._executable = executable
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            self._process = subprocess.Popen(
                [self._executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(READY_POLLS):
                if self._process.poll() is not None:
                    break
                if _answers(self.port):
                    return
                time.sleep(0.01)
            self.stop()
        raise RuntimeError("redis-server did not start on a free loopback port")

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None


def redis_executable() -> str:
    found = shutil.which("redis-server")
    if found is None:
        pytest.fail("redis-server is not installed: the Redis state store tests need it "
                    "(apt-get install redis-server; .ci/run does this).", pytrace=False)
    return found


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    server = RedisServer(redis_executable())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis shared by the session; tests keep apart by using their own key prefix."""
    with running_redis() as server:
        yield server
