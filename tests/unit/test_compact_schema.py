"""``compact_schema``: smaller published tool schemas without changing their meaning."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from openrouter_multimodal.entrypoints.tools.registry import compact_schema


def test_title_keys_are_dropped_but_a_property_named_title_is_kept() -> None:
    schema = {
        "title": "Arguments",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string"},
            "count": {"title": "Count", "type": "integer"},
        },
        "required": ["title"],
    }
    assert compact_schema(schema) == {
        "type": "object",
        "properties": {"title": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["title"],
    }


def test_optional_with_default_none_folds_into_the_type() -> None:
    schema = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Model",
              "description": "An OpenRouter model id."}
    assert compact_schema(schema) == {"type": "string", "description": "An OpenRouter model id."}


def test_null_first_and_nested_optionals_fold_too() -> None:
    schema = {"type": "object", "properties": {
        "tags": {"anyOf": [{"type": "null"}, {"type": "array", "items": {"type": "string", "title": "Tag"}}],
                 "default": None},
    }}
    assert compact_schema(schema) == {"type": "object", "properties": {
        "tags": {"type": "array", "items": {"type": "string"}},
    }}


def test_nullable_without_a_null_default_stays_an_any_of_never_a_type_list() -> None:
    with_default = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": 20}
    required_nullable = {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Remaining"}
    assert compact_schema(with_default) == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": 20}
    assert compact_schema(required_nullable) == {"anyOf": [{"type": "integer"}, {"type": "null"}]}


def test_other_unions_are_left_alone() -> None:
    union = {"anyOf": [{"type": "string"}, {"type": "integer"}], "default": None}
    rich = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}
    assert compact_schema(union) == union
    assert compact_schema(rich) == rich


def test_an_optional_flag_loses_its_false_default_but_keeps_a_true_one() -> None:
    assert compact_schema({"type": "boolean", "default": False}) == {"type": "boolean"}
    assert compact_schema({"type": "boolean", "default": True}) == {"type": "boolean", "default": True}


def test_open_objects_drop_the_default_additional_properties() -> None:
    assert compact_schema({"type": "object", "additionalProperties": True}) == {"type": "object"}
    assert compact_schema({"type": "object", "additionalProperties": False}) == {
        "type": "object", "additionalProperties": False}


def test_non_string_title_values_and_scalars_survive() -> None:
    assert compact_schema({"const": "x", "title": 3}) == {"const": "x", "title": 3}
    assert compact_schema([{"title": "T", "type": "null"}, 1, "s"]) == [{"type": "null"}, 1, "s"]


def test_a_real_pydantic_schema_loses_titles_and_optional_wrappers() -> None:
    class Ref(BaseModel):
        url: str

    class Args(BaseModel):
        title: str
        model: str | None = None
        ref: Ref | None = Field(default=None, description="A reference.")

    compact: dict[str, Any] = compact_schema(Args.model_json_schema())
    assert "title" not in compact
    assert compact["properties"]["title"] == {"type": "string"}
    assert compact["properties"]["model"] == {"type": "string"}
    assert compact["properties"]["ref"] == {"$ref": "#/$defs/Ref", "description": "A reference."}
    assert compact["$defs"]["Ref"] == {"type": "object", "properties": {"url": {"type": "string"}},
                                       "required": ["url"]}
    assert compact["required"] == ["title"]
