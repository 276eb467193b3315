"""Shared fixtures: an environment free of the developer's OPENROUTER_* variables, and asyncio for anyio tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in list(os.environ):
        if name.startswith("OPENROUTER_") or name == "DEFAULT_MODEL":
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def anyio_backend() -> str:
    """Every ``@pytest.mark.anyio`` test runs on asyncio, the event loop the server runs on."""
    return "asyncio"
