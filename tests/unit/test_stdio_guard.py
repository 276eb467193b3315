"""``error_for``: the answer for a line the SDK's stdio transport could not read."""

from __future__ import annotations

import json
from typing import Any

import mcp_types
import pytest

from openrouter_multimodal.entrypoints.stdio_guard import error_for
from tests.support.deep_json import nested


def _rejected(line: str) -> Exception:
    try:
        mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except Exception as exc:
        return exc
    raise AssertionError("the SDK accepted the line")


def test_the_top_level_id_is_found_after_params_nested_past_the_parser_limit() -> None:
    meta = nested(300, 7, key="id")
    line = json.dumps({"jsonrpc": "2.0", "method": "tools/list", "params": {"_meta": meta}, "id": "late"})
    answer, fields = error_for(_rejected(line))
    assert answer is not None and answer.id == "late" and answer.error.code == -32700
    assert fields["request_id"] == "late"


@pytest.mark.parametrize("raw_id,expected", [('"a\\"b"', 'a"b'), ("42", 42), ("null", None), ('"\\ud800"', None),
                                              ("1.5", None), ("12345678901234567890", None)])
def test_ids_are_read_as_json_and_unusable_ones_become_null(raw_id: str, expected: Any) -> None:
    line = '{"jsonrpc":"2.0","id":' + raw_id + ',"method":"x","params":{"s":"\\udc00"}}'
    answer, _ = error_for(_rejected(line))
    assert answer is not None and answer.id == expected


def test_notifications_and_responses_are_logged_but_not_answered() -> None:
    notification, fields = error_for(_rejected('{"jsonrpc":"2.0","method":"notifications/x","params":{"s":"\\ud800"}}'))
    response, _ = error_for(_rejected('{"jsonrpc":"2.0","id":3,"result":{"s":"\\ud800"}}'))
    assert notification is None and response is None
    assert fields["code"] == -32700


def test_a_parsed_message_that_is_not_a_request_is_invalid_request_with_its_id() -> None:
    answer, _ = error_for(_rejected('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":[1]}'))
    assert answer is not None and answer.id == 9 and answer.error.code == -32600
    assert answer.error.message == "Invalid Request: 'params': Input should be an object."


def test_text_that_is_not_json_gets_a_parse_error_with_a_null_id() -> None:
    answer, _ = error_for(_rejected("hello"))
    assert answer is not None and answer.id is None and answer.error.code == -32700
    assert "hello" not in answer.error.message
