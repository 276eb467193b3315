"""Secret redaction: the pure domain function, URL credentials, Settings.secret_values and the result pass."""

from __future__ import annotations

import base64

import pytest
from mcp.types import CallToolResult, EmbeddedResource, ImageContent, TextContent, TextResourceContents

from openrouter_multimodal.domain.redaction import REDACTED, redact, redact_text, secret_set, url_credentials
from openrouter_multimodal.entrypoints.presenters import final_result
from openrouter_multimodal.entrypoints.settings import Settings

KEY = "sk-or-v1-unit00000000000000000000000000000000000000000000000000000000"


def test_every_occurrence_in_nested_values_is_blanked() -> None:
    value = {"a": [f"x{KEY}y", (KEY, 3)], KEY: {"n": None, "deep": [{"m": f"Bearer {KEY}"}]}}
    assert redact(value, (KEY,)) == {"a": [f"x{REDACTED}y", (REDACTED, 3)],
                                     REDACTED: {"n": None, "deep": [{"m": f"Bearer {REDACTED}"}]}}
    assert redact_text("nothing here", (KEY,)) == "nothing here"


def test_longer_secrets_are_blanked_before_the_ones_they_contain() -> None:
    secrets = secret_set(["PASS", "user:PASS", "ab", ""])
    assert secrets == ("user:PASS", "PASS")  # too-short values are dropped
    assert redact_text("user:PASS and PASS", secrets) == f"{REDACTED} and {REDACTED}"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://openrouter.ai/api/v1", set()),
    ("http://user:PASS@proxy:8080/v1", {"PASS", "user:PASS", base64.b64encode(b"user:PASS").decode()}),
    ("http://us%40er:p%2Fss@proxy/", {"p%2Fss", "us%40er:p%2Fss", "p/ss", "us@er:p/ss",
                                      base64.b64encode(b"us%40er:p%2Fss").decode(),
                                      base64.b64encode(b"us@er:p/ss").decode()}),
    ("http://tokenonly@proxy/", {"tokenonly", base64.b64encode(b"tokenonly").decode()}),
])
def test_url_credentials(url: str, expected: set[str]) -> None:
    assert set(url_credentials(url)) == expected


def test_settings_secret_values_hold_the_key_and_the_url_credentials() -> None:
    settings = Settings(api_key=KEY, base_url="http://user:PASS@127.0.0.1:9/api/v1")
    assert {KEY, "PASS", "user:PASS"} <= set(settings.secret_values())
    assert Settings(api_key=None).secret_values() == ()


def test_the_result_pass_covers_text_meta_structured_and_resources_but_not_media_bytes() -> None:
    image = base64.b64encode(b"\x00PASS" * 10).decode()
    result = CallToolResult(
        content=[TextContent(type="text", text=f"Invalid header Authorization: Bearer {KEY}"),
                 ImageContent(type="image", data=image, mime_type="image/png"),
                 EmbeddedResource(type="resource", resource=TextResourceContents(uri="file:///x", text=KEY))],
        structured_content={"problems": [f"could not reach http://user:PASS@proxy ({KEY})"]},
        _meta={"details": {"metadata": {"raw": f"authorization: Bearer {KEY}"}}}, is_error=True)
    cleaned = final_result(result, secret_set([KEY, "PASS", "user:PASS"]))
    dumped = cleaned.model_dump_json(by_alias=True)
    assert KEY not in dumped and "user:PASS" not in dumped
    assert cleaned.content[1] == result.content[1]  # the image bytes are not rewritten
    assert cleaned.content[0].text == f"Invalid header Authorization: Bearer {REDACTED}"  # type: ignore[union-attr]
    assert cleaned.structured_content == {"problems": [f"could not reach http://{REDACTED}@proxy ({REDACTED})"]}
    assert cleaned.is_error is True
    assert final_result(result, ()) is result


def test_log_lines_lose_configured_secrets_and_any_url_userinfo() -> None:
    from openrouter_multimodal.entrypoints.logging_setup import SecretRedactor

    event = SecretRedactor(Settings(api_key=KEY, base_url="http://user:PASS@proxy/v1").secret_values())(
        None, "info", {"event": "could not reach http://user:PASS@proxy/v1", "detail": "PASS",
                       "other": "http://someone:else@host/ and Basic dXNlcjpQQVNT"})
    assert event == {"event": f"could not reach http://{REDACTED}@proxy/v1", "detail": REDACTED,
                     "other": f"http://{REDACTED}@host/ and Basic {REDACTED}"}
