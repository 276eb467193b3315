"""Our server's child processes, found and measured through /proc (the stdio client spawns them itself)."""

from __future__ import annotations

import os
from pathlib import Path


def server_pids() -> list[int]:
    """PIDs of this test process's children running the ``openrouter-multimodal-mcp`` console script."""
    mine = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == mine and b"openrouter-multimodal-mcp" in cmdline:
            found.append(int(entry.name))
    return found


def status_bytes(pid: int, field_name: str) -> int:
    """A memory line of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``…) in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field_name} line")
