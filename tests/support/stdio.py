"""The installed console script, and how the end-to-end tests start it as a stdio server."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from mcp import StdioServerParameters

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "media"
KEY = "sk-or-v1-e2e0000000000000000000000000000000000000000000000000000000000"
EXPECTED_TOOLS = {"chat_completion", "analyze_image", "analyze_audio", "analyze_video", "search_models",
                  "get_model_info", "validate_model", "health_check"}


def console_script() -> str:
    """``openrouter-multimodal-mcp`` as installed next to this Python (never another install on PATH)."""
    found = shutil.which("openrouter-multimodal-mcp", path=str(Path(sys.executable).parent))
    assert found, "the console script is not installed next to this Python"
    return found


def params(tmp_path: Path, base_url: str, **extra: str) -> StdioServerParameters:
    """The stdio server with ``KEY``, upstream ``base_url``, inputs/outputs under ``tmp_path`` and no retries."""
    (tmp_path / "inputs").mkdir(exist_ok=True)
    env = {"OPENROUTER_API_KEY": KEY, "OPENROUTER_BASE_URL": base_url, "HOME": str(tmp_path),
           "OPENROUTER_INPUT_DIR": str(tmp_path / "inputs"), "OPENROUTER_OUTPUT_DIR": str(tmp_path / "outputs"),
           "OPENROUTER_MAX_RETRIES": "0", "PATH": os.environ.get("PATH", ""), **extra}
    return StdioServerParameters(command=console_script(), args=[], env=env, cwd=str(tmp_path))
