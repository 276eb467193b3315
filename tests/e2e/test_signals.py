"""SIGINT and SIGTERM stop the real console script while its stdin is still open: exit 0, no traceback."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
from pathlib import Path

import pytest

from tests.support.stdio import console_script

pytestmark = pytest.mark.e2e
FAILURE_BOUND_S = 10.0
"""Not a speed assertion: only how long a stuck server is waited for before the test fails."""


def initialize_line() -> bytes:
    request = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
               "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                          "clientInfo": {"name": "signal-test", "version": "1"}}}
    return json.dumps(request).encode() + b"\n"


def started_server(tmp_path: Path) -> subprocess.Popen[bytes]:
    """The console script, answering ``initialize`` over pipes that stay open."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "OPENROUTER_OUTPUT_DIR": str(tmp_path / "outputs"), "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1"}
    process = subprocess.Popen([console_script()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(initialize_line())
    process.stdin.flush()
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "the server never answered initialize"
    answer = json.loads(process.stdout.readline())
    assert answer["id"] == 1 and "result" in answer
    return process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_the_server_while_stdin_is_open(tmp_path: Path, signum: signal.Signals) -> None:
    process = started_server(tmp_path)
    try:
        process.send_signal(signum)
        try:
            code = process.wait(timeout=FAILURE_BOUND_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {FAILURE_BOUND_S:.0f} s after {signum.name} with stdin open")
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        assert code == 0, stderr
        assert "Traceback" not in stderr
        events = [json.loads(line).get("event") for line in stderr.splitlines() if line.startswith("{")]
        assert events[-2:] == ["server_stopping", "server_stopped"]
        assert signum.name in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def test_closing_stdin_still_ends_the_server_cleanly(tmp_path: Path) -> None:
    process = started_server(tmp_path)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.close()
    try:
        code = process.wait(timeout=FAILURE_BOUND_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("still running after stdin was closed")
    stderr = process.stderr.read().decode()
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()
    assert code == 0 and "Traceback" not in stderr
    assert "stdin closed" in stderr


def test_stdin_at_dev_null_ends_the_server_at_once(tmp_path: Path) -> None:
    """/dev/null cannot be polled; it must still read as end of input, not hang."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "OPENROUTER_OUTPUT_DIR": str(tmp_path / "o")}
    try:
        done = subprocess.run([console_script()], stdin=subprocess.DEVNULL, capture_output=True, env=env,
                              cwd=tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the server did not end on stdin at /dev/null")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()


def test_ctrl_c_in_a_terminal_stops_it_and_leaves_the_terminal_blocking(tmp_path: Path) -> None:
    """A terminal as stdin (the Ctrl-C case); the O_NONBLOCK flag the loop set on it is taken off again."""
    import fcntl
    import pty

    controller, terminal = pty.openpty()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "OPENROUTER_OUTPUT_DIR": str(tmp_path / "o")}
    process = subprocess.Popen([console_script()], stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=tmp_path)
    try:
        assert process.stderr is not None
        for _ in range(200):  # until it serves: its stderr says so
            line = process.stderr.readline()
            if not line or b"server_starting" in line:
                break
        os.write(controller, initialize_line())
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready and json.loads(process.stdout.readline())["id"] == 1
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=FAILURE_BOUND_S)
        except subprocess.TimeoutExpired:
            pytest.fail("still running after SIGINT with a terminal as stdin")
        assert code == 0
        assert b"Traceback" not in process.stderr.read()
        assert not fcntl.fcntl(terminal, fcntl.F_GETFL) & os.O_NONBLOCK
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
        os.close(terminal)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
