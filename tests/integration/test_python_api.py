"""The Python API: the README example as written, two event loops, use after close, isolation, typing."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from openrouter_multimodal.domain.caller import Caller, IdentitySource
from openrouter_multimodal.domain.errors import ConfigurationError, InvalidInput, UnsafePath
from openrouter_multimodal.entrypoints import OpenRouterMultimodal
from tests.support.harness import TEST_KEY
from tests.support.openrouter_stub import serve_cassette

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_python_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Use it from Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "the README's 'Use it from Python' section has no python block"
    return match.group(1)


def test_the_readme_example_runs_as_written_against_a_loopback_upstream(tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(readme_python_example(), encoding="utf-8")
    with serve_cassette("chat_free_auto") as (base_url, log):
        env = {**os.environ, "OPENROUTER_API_KEY": TEST_KEY, "OPENROUTER_BASE_URL": base_url,
               "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                              env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Hello!" in done.stdout and "minimax/minimax-m2:free" in done.stdout
    assert ("POST", "/api/v1/chat/completions") in {(m, p) for m, p, _ in log.requests}
    assert TEST_KEY not in done.stdout + done.stderr


def test_an_embedders_script_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "embedder.py"
    script.write_text(readme_python_example() + textwrap.dedent('''
        async def typed() -> str:
            async with OpenRouterMultimodal(api_key="k") as app:
                reply = await app.chat_completion("hi")
                usage = reply.usage
                cost = usage.cost if usage is not None else None
                image = await app.analyze_image("cat.png", question="What is it?")
                return f"{reply.text} {reply.model} {cost} {image.text}"
        '''), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent",
                           str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]


def _app(tmp_path: Path, base_url: str, **options: object) -> OpenRouterMultimodal:
    return OpenRouterMultimodal(api_key=TEST_KEY, base_url=base_url, output_dir=str(tmp_path / "out"),
                                input_dir=str(tmp_path / "in"), state_url=str(tmp_path / "state.sqlite3"),
                                **options)


def test_one_app_serves_two_asyncio_runs_and_refuses_use_after_close(tmp_path: Path) -> None:
    with serve_cassette("chat_free_auto") as (base_url, _log):
        app = _app(tmp_path, base_url)

        async def once() -> str:
            async with app:
                reply = await app.chat_completion("Say hi", model="openai/gpt-4o-mini")
            return reply.text

        first = asyncio.run(once())
        second = asyncio.run(once())
        assert first == second and first.startswith("Hello!")

        with pytest.raises(ConfigurationError, match="async with"):
            asyncio.run(app.chat_completion("after close"))


def test_settings_come_only_from_keywords_not_from_the_environment(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_ALLOW_UNSAFE_PATHS", "1")
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-from-the-environment")
    (tmp_path / "in").mkdir()
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    with serve_cassette("chat_free_auto") as (base_url, log):
        app = _app(tmp_path, base_url)
        assert not app.settings.allow_unsafe_paths
        assert app.settings.api_key is not None and app.settings.api_key.get_secret_value() == TEST_KEY

        async def read_outside() -> None:
            async with app:
                await app.analyze_image(str(outside), model="openai/gpt-4o-mini")

        with pytest.raises(UnsafePath) as caught:
            asyncio.run(read_outside())
        assert "OPENROUTER_" not in caught.value.message
        assert "input_dir" in caught.value.message
        assert log.requests == []


def test_unknown_settings_are_refused_at_construction() -> None:
    with pytest.raises(TypeError, match="ouput_dir"):
        OpenRouterMultimodal(api_key="k", ouput_dir="/tmp/x")


def test_a_host_acting_for_its_users_keeps_their_jobs_apart(tmp_path: Path) -> None:
    alice, bob = Caller("alice", IdentitySource.EMBEDDED), Caller("bob", IdentitySource.EMBEDDED)
    with serve_cassette("chat_free_auto") as (base_url, _log):
        app = _app(tmp_path, base_url)

        async def scenario() -> None:
            async with app:
                assert (await app.list_video_jobs(caller=alice)).jobs == ()
                with pytest.raises(InvalidInput, match="of yours"):
                    await app.get_video_status("job-of-somebody-else", caller=bob)
                with pytest.raises(UnsafePath):
                    await app.analyze_image("/etc/hostname", caller=alice)

        asyncio.run(scenario())


def test_every_tool_has_a_python_method_with_the_same_name() -> None:
    from openrouter_multimodal.entrypoints.tool_specs import tool_specs

    missing = sorted(name for name in tool_specs() if not callable(getattr(OpenRouterMultimodal, name, None)))
    assert missing == []
