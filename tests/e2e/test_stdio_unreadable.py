"""Over real stdio, every request the transport cannot read still gets an answer for its id."""

from __future__ import annotations

import json
import os
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openrouter_multimodal.entrypoints.tool_specs import tool_specs
from tests.support.deep_json import nested
from tests.support.stdio import console_script

pytestmark = pytest.mark.e2e
WAIT_S = 20.0


class RawStdio:
    """The installed console script, spoken to line by line."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.buffer = b""

    def send(self, message: Any) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def answer_for(self, request_id: Any) -> dict[str, Any]:
        """The next message with ``request_id``; fails after a bounded wait instead of hanging."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        for _ in range(1000):
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                message = json.loads(line)
                if message.get("id") == request_id:
                    return message  # type: ignore[no-any-return]
            ready, _, _ = select.select([fd], [], [], WAIT_S)
            if not ready:
                break
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            self.buffer += chunk
        raise AssertionError(f"no answer for id {request_id!r}")


@pytest.fixture
def stdio(tmp_path: Path) -> Iterator[RawStdio]:
    env = {"OPENROUTER_API_KEY": "sk-or-v1-" + "0" * 64, "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1",
           "OPENROUTER_INPUT_DIR": str(tmp_path), "OPENROUTER_OUTPUT_DIR": str(tmp_path / "out"),
           "OPENROUTER_MAX_RETRIES": "0", "HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}
    process = subprocess.Popen([console_script()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    raw = RawStdio(process)
    try:
        raw.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
        assert "result" in raw.answer_for(0)
        raw.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield raw
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stderr is not None and process.stdout is not None
        stderr = process.stderr.read().decode()
        process.stderr.close()
        process.stdout.close()
        assert "Traceback" not in stderr


def _call(request_id: Any, arguments: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
            "params": {"name": "chat_completion", "arguments": arguments}}


def test_unreadable_requests_are_answered_for_their_id_and_the_session_goes_on(stdio: RawStdio) -> None:
    deep_arguments = _call(1, {"messages": [{"role": "user", "content": "hi"}], "provider": nested(198)})
    surrogate = ('{"jsonrpc":"2.0","id":"two","method":"tools/call","params":{"name":"validate_model",'
                 '"arguments":{"model":"a\\ud800b"}}}')
    params_list = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": ["validate_model"]}
    deep_meta = {"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {"_meta": nested(250)}}
    stdio.send(deep_arguments)
    stdio.send(surrogate)
    stdio.send(params_list)
    stdio.send(deep_meta)
    answers = {key: stdio.answer_for(key) for key in (1, "two", 3, 4)}
    assert answers[1]["error"]["code"] == -32700 and "nested too deeply" in answers[1]["error"]["message"]
    assert answers["two"]["error"]["code"] == -32700 and "surrogate" in answers["two"]["error"]["message"]
    assert answers[3]["error"]["code"] == -32600 and "params" in answers[3]["error"]["message"]
    assert answers[4]["error"]["code"] == -32700
    stdio.send({"jsonrpc": "2.0", "id": 5, "method": "tools/list"})
    assert len(stdio.answer_for(5)["result"]["tools"]) == len(tool_specs())



def test_arguments_nested_past_the_tool_bound_are_invalid_input_over_stdio(stdio: RawStdio) -> None:
    stdio.send(_call(6, {"messages": [{"role": "user", "content": [{"type": "text", "text": nested(150)}]}]}))
    result = stdio.answer_for(6)["result"]
    assert result["isError"] and result["_meta"]["code"] == "INVALID_INPUT"
    assert "nested" in result["content"][0]["text"]
