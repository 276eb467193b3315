"""A small JSON-RPC-over-stdio MCP client for the benchmarks: the same thin client drives every server measured.

It does no validation and no thread hops of its own, so what it adds to a measurement is the same for the
server under test and for the reference beside it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

PROTOCOL = "2025-06-18"


class StdioServer:
    """A server process spoken to over its stdin/stdout; ``await start()``, then ``call``/``request``."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> None:
        self.argv = list(argv)
        self.env = {**os.environ, **env}
        self.cwd = cwd
        self.proc: asyncio.subprocess.Process | None = None
        self._next = 0
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.spawned_at = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> float:
        """Spawn, initialize and list tools; returns seconds from spawn to the tools/list reply."""
        self.spawned_at = time.perf_counter()
        with open(os.environ.get("BENCH_STDERR", os.devnull), "ab") as errors:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors,
                env=self.env, cwd=self.cwd, limit=512 * 1024 * 1024)
        self._reader = asyncio.create_task(self._read())
        await self.request("initialize", {"protocolVersion": PROTOCOL, "capabilities": {},
                                          "clientInfo": {"name": "bench", "version": "1"}})
        self.notify("notifications/initialized", {})
        self.tools = (await self.request("tools/list", {}))["tools"]
        return time.perf_counter() - self.spawned_at

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            message = json.loads(line)
            waiter = self._waiting.pop(message.get("id", -1), None) if "method" not in message else None
            if waiter is not None and not waiter.done():
                if "error" in message:
                    waiter.set_exception(RuntimeError(json.dumps(message["error"])[:300]))
                else:
                    waiter.set_result(message["result"])
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError(f"{self.argv[:3]} closed stdout"))

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = future
        self._send({"jsonrpc": "2.0", "id": self._next, "method": method, "params": params})
        return await future

    async def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("tools/call", {"name": tool, "arguments": arguments})
        if result.get("isError"):
            raise RuntimeError(f"{tool} failed: {json.dumps(result)[:400]}")
        return result

    async def close(self) -> float:
        """Close stdin and wait for the exit; returns seconds from EOF to exit."""
        if self.proc is None:
            return 0.0
        start = time.perf_counter()
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        took = time.perf_counter() - start
        if self._reader is not None:
            await self._reader
        return took


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """``VmRSS`` or ``VmHWM`` (the peak) of ``pid`` in KiB, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak(pid: int) -> bool:
    """Reset the process's peak RSS (``VmHWM``) to its current RSS; False where the kernel does not allow it."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False
