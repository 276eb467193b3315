"""``${field}`` setting placeholders: rendered as env variables for MCP and as keywords for Python, through
nested values, presenters and the final pass over every result; unknown names left alone."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
import structlog
from mcp.types import CallToolResult, ImageContent, TextContent

from openrouter_multimodal.domain.errors import ResourceTooLarge, UnsafePath
from openrouter_multimodal.domain.setting_refs import SETTING_REF, setting
from openrouter_multimodal.entrypoints.presenters import error_result, error_text, final_result, guarded
from openrouter_multimodal.entrypoints.setting_names import (
    SETTING_FIELDS,
    env_name,
    render_for_env,
    render_for_python,
    render_value,
)
from openrouter_multimodal.entrypoints.settings import Settings


def test_the_placeholder_is_the_field_name_in_braces_and_the_pattern_finds_it() -> None:
    assert setting("video_gen_max_bytes") == "${video_gen_max_bytes}"
    assert [m.group(1) for m in SETTING_REF.finditer("raise ${a_b} or ${c}=1, not $d or ${E}")] == ["a_b", "c"]


def test_the_known_names_are_every_settings_field_including_the_mixins() -> None:
    assert {"api_key", "default_model", "input_dir", "allow_unsafe_paths", "video_gen_max_bytes"} <= SETTING_FIELDS
    assert set(Settings.model_fields) == SETTING_FIELDS
    assert env_name("default_model") == "OPENROUTER_DEFAULT_MODEL"


def test_env_rendering_names_the_variable() -> None:
    text = "add it to ${input_dir}, or set ${allow_unsafe_paths}=1; raise ${video_gen_max_bytes} (${api_key})"
    assert render_for_env(text) == ("add it to OPENROUTER_INPUT_DIR, or set OPENROUTER_ALLOW_UNSAFE_PATHS=1; "
                                    "raise OPENROUTER_VIDEO_GEN_MAX_BYTES (OPENROUTER_API_KEY)")


def test_python_rendering_names_the_keyword() -> None:
    text = "add it to ${input_dir}, or set ${allow_unsafe_paths}=1; ${max_retries}=3 and ${image_inline_max_bytes}"
    assert render_for_python(text) == ("add it to the `input_dir` setting, or set `allow_unsafe_paths=True`; "
                                       "`max_retries=3` and the `image_inline_max_bytes` setting")


@pytest.mark.parametrize("text", ["${nope}", "${job_store_url} is down", "${}", "${", "$ {api_key}", "${API_KEY}",
                                  "${api-key}", "${" + "a" * 500 + "}", "plain", "", "\x00${\udcff}"])
def test_unknown_or_malformed_placeholders_are_left_as_written(text: str) -> None:
    assert render_for_env(text) == text
    assert render_for_python(text) == text


def test_render_value_reaches_nested_dicts_lists_tuples_and_keys() -> None:
    value = {"setting": "${input_dir}", "${api_key}": [("${base_url}", 3), {"n": None, "x": 1.5}], "k": b"${x}"}
    assert render_value(value, render_for_env) == {
        "setting": "OPENROUTER_INPUT_DIR",
        "OPENROUTER_API_KEY": [("OPENROUTER_BASE_URL", 3), {"n": None, "x": 1.5}],
        "k": b"${x}"}
    assert render_value(7, render_for_python) == 7


def test_an_error_result_names_env_variables_in_text_suggestions_and_details() -> None:
    exc = UnsafePath("outside: add it to ${input_dir} or set ${allow_unsafe_paths}=1",
                     suggestions=("Add the file's directory to ${input_dir}",),
                     details={"setting": setting("video_gen_max_bytes"), "nested": ["${max_retries}"]})
    result = error_result(exc)
    assert result.content[0].text == (  # type: ignore[union-attr]
        "UNSAFE_PATH: outside: add it to OPENROUTER_INPUT_DIR or set OPENROUTER_ALLOW_UNSAFE_PATHS=1")
    assert result.meta is not None
    assert result.meta["suggestions"] == ["Add the file's directory to OPENROUTER_INPUT_DIR"]
    assert result.meta["details"] == {"setting": "OPENROUTER_VIDEO_GEN_MAX_BYTES", "nested": ["OPENROUTER_MAX_RETRIES"]}
    assert exc.details["setting"] == "${video_gen_max_bytes}"  # the error itself is not changed
    assert error_text(ResourceTooLarge("raise ${video_gen_max_bytes}")) == (
        "RESOURCE_TOO_LARGE: raise OPENROUTER_VIDEO_GEN_MAX_BYTES")


def test_the_final_pass_renders_success_notes_and_structured_content_but_not_media_bytes() -> None:
    data = base64.b64encode(b"${api_key}" * 4).decode()
    result = CallToolResult(
        content=[TextContent(type="text", text="saved; over ${image_inline_max_bytes}"),
                 ImageContent(type="image", data=data, mime_type="image/png")],
        structured_content={"problems": ["${api_key} is not set"]},
        _meta={"notes": ["image 1 is over ${image_inline_max_bytes} (4096)"]})
    final = final_result(result, ())
    assert final.content[0].text == "saved; over OPENROUTER_IMAGE_INLINE_MAX_BYTES"  # type: ignore[union-attr]
    assert final.content[1] == result.content[1]
    assert final.structured_content == {"problems": ["OPENROUTER_API_KEY is not set"]}
    assert final.meta == {"notes": ["image 1 is over OPENROUTER_IMAGE_INLINE_MAX_BYTES (4096)"]}
    plain = CallToolResult(content=[TextContent(type="text", text="nothing to render")])
    assert final_result(plain, ()) is plain


def test_the_failed_tool_log_line_names_the_env_variable() -> None:
    async def body() -> CallToolResult:
        raise ResourceTooLarge("raise ${video_gen_max_bytes}")

    with structlog.testing.capture_logs() as logs:
        result = asyncio.run(guarded("generate_video", body))
    assert result.is_error
    failed = [entry for entry in logs if entry["event"] == "tool_failed"]
    assert failed and failed[0]["message"] == "raise OPENROUTER_VIDEO_GEN_MAX_BYTES"
    assert "${" not in json.dumps(failed[0])
