"""The server and protocol versions reported to clients."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    SERVER_VERSION = version("openrouter-multimodal-mcp")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    SERVER_VERSION = "0.0.0+local"

SERVER_NAME = "openrouter-multimodal-mcp"
