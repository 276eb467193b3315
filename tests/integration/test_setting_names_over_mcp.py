"""Over MCP, errors from below the entrypoints name the environment variable to set, never a ``${field}``
placeholder; through the real container, server and in-memory client."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.support.harness import make_container, make_settings, server_for, sync_client


def test_an_unsafe_path_names_the_input_dir_and_unsafe_paths_variables(tmp_path: Path) -> None:
    container = make_container(make_settings(input_dir=str(tmp_path)))
    with sync_client(server_for(container)) as client:
        result = client.call("analyze_image", {"image": "/etc/passwd"})
    assert result.is_error and result.meta is not None and result.meta["code"] == "UNSAFE_PATH"
    text = result.content[0].text  # type: ignore[union-attr]
    assert "OPENROUTER_INPUT_DIR" in text and "OPENROUTER_ALLOW_UNSAFE_PATHS=1" in text
    assert any("OPENROUTER_INPUT_DIR" in s for s in result.meta["suggestions"])
    assert "${" not in result.model_dump_json(by_alias=True)


def test_a_data_url_over_the_limit_names_its_variable_in_text_and_details() -> None:
    container = make_container(make_settings(image_max_data_url_bytes=1024))
    data_url = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000).decode()
    with sync_client(server_for(container)) as client:
        result = client.call("analyze_image", {"image": data_url})
    assert result.is_error and result.meta is not None and result.meta["code"] == "RESOURCE_TOO_LARGE"
    assert "OPENROUTER_IMAGE_MAX_DATA_URL_BYTES" in result.content[0].text  # type: ignore[union-attr]
    assert result.meta["details"]["setting"] == "OPENROUTER_IMAGE_MAX_DATA_URL_BYTES"
    assert "${" not in result.model_dump_json(by_alias=True)
