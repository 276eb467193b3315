"""Hypothesis strategies for tool arguments, read from a tool's own published ``inputSchema``.

``valid_arguments`` draws values the schema accepts (strings kept short so runs stay fast);
``invalid_arguments`` takes such a draw and breaks it in one way a hostile or confused client
would: a wrong type, a bound crossed, a hostile string (non-ASCII digits, a lone surrogate, NUL,
a path escape, a quote in a data URL), free-form JSON nested 150-240 deep, a required key
dropped or an unknown one added.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.support.deep_json import nested

SHORT_TEXT = 24
HOSTILE_STRINGS = (
    "\u0665m", "\u0661\u0662\u0663", "a\ud800b", "\udfff", "nul\x00byte", "", " ", "../../etc/passwd", "/etc/passwd",
    "~/x.png", "file:///etc/passwd", "http://127.0.0.1:1/x.png", "https://user:pw@example.com/a.png",
    'data:audio/wav;base64,AAAA","model":"openai/o1-pro","x":"', "data:image/png;base64,%%%",
    "openai/gpt-4o-mini:free", "\u202e\u0000\x1b[31m", "\U0001f4a5" * 5,
)
WRONG_TYPES: dict[str, tuple[Any, ...]] = {
    "string": (7, True, [], {}, 1.5),
    "integer": ("7", 1.5, True, [], {}, -(10**30), 10**30),
    "number": ("1", [], {}, 10**400),
    "boolean": ("true", 0, [], {}),
    "array": ("x", {}, 3, [[[]]]),
    "object": ("x", [], 3),
}


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**defs[ref.removeprefix("#/$defs/")], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _json_leaf() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))


def from_schema(schema: dict[str, Any], defs: dict[str, Any],
                hints: dict[str, st.SearchStrategy[Any]] | None = None) -> st.SearchStrategy[Any]:
    """Values ``schema`` accepts (the subset of JSON Schema the tools publish).

    ``hints`` add likely values for named properties (a real model id, say), so draws also get
    past the first checks and into the code that talks upstream.
    """
    schema = _resolve(schema, defs)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([from_schema(branch, defs) for branch in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "string":
        top = min(schema.get("maxLength", SHORT_TEXT), SHORT_TEXT)
        low = schema.get("minLength", 0)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= top)
        return st.text(min_size=low, max_size=max(top, low))
    if kind == "integer":
        low = schema.get("minimum", -(10**6))
        return st.integers(low, schema.get("maximum", low + 10**6))
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e6), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), defs), min_size=schema.get("minItems", 0),
                        max_size=min(schema.get("maxItems", 3), 3))
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        props = schema["properties"]
        hints = hints or {}

        def prop(name: str, sub: dict[str, Any]) -> st.SearchStrategy[Any]:
            drawn = from_schema(sub, defs)
            return st.one_of(hints[name], drawn) if name in hints else drawn

        return st.fixed_dictionaries({k: prop(k, v) for k, v in props.items() if k in required},
                                     optional={k: prop(k, v) for k, v in props.items() if k not in required})
    if kind == "object":
        return st.dictionaries(st.text(max_size=6), _json_leaf(), max_size=3)
    return _json_leaf()


HINTS: dict[str, st.SearchStrategy[Any]] = {
    "model": st.sampled_from(["openai/gpt-4o-mini", "google/gemini-2.5-flash", "anthropic/claude-sonnet-4:free"]),
    "cache": st.just(True),
    "messages": st.just([{"role": "user", "content": "hi"}]),
    "prompt": st.just("a cat"),
}


def valid_arguments(input_schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(input_schema, input_schema.get("$defs", {}), HINTS)  # type: ignore[no-any-return]


def _broken(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """One value ``schema`` should refuse, or a hostile one it may accept but the tool must survive."""
    schema = _resolve(schema, defs)
    kind = schema.get("type")
    options: list[st.SearchStrategy[Any]] = [st.sampled_from(WRONG_TYPES.get(kind, ("x", 1, [])))]
    if kind == "string" or "anyOf" in schema:
        options.append(st.sampled_from(HOSTILE_STRINGS))
    if kind == "string":
        cap = schema.get("maxLength")
        overlong = st.just("a" * (cap + 1 if cap and cap < 100_000 else 70_000))
        options += [overlong, overlong]
    if kind == "integer":
        options.append(st.sampled_from([schema.get("minimum", 0) - 1, schema.get("maximum", 10**9) + 1]))
    if kind == "array":
        options.append(st.just(["x"] * (schema.get("maxItems", 10) + 1)))
    if kind in ("object", "array") or "anyOf" in schema:
        options.append(st.integers(150, 240).map(nested))
        options.append(st.integers(150, 240).map(lambda depth: [{"type": "text", "text": nested(depth)}]))
    return st.one_of(options)


@st.composite
def invalid_arguments(draw: st.DrawFn, input_schema: dict[str, Any]) -> dict[str, Any]:
    defs = input_schema.get("$defs", {})
    arguments: dict[str, Any] = dict(draw(valid_arguments(input_schema)))
    props: dict[str, Any] = input_schema.get("properties", {})
    how = draw(st.sampled_from(["field", "field", "field", "drop_required", "unknown_key", "nested_message"]))
    if how == "field" and props:
        name = draw(st.sampled_from(sorted(props)))
        arguments[name] = draw(_broken(props[name], defs))
    elif how == "drop_required" and input_schema.get("required"):
        arguments.pop(draw(st.sampled_from(input_schema["required"])), None)
    elif how == "nested_message" and "messages" in props:
        depth = draw(st.integers(150, 240))
        arguments["messages"] = [{"role": "user", "content": [{"type": "text", "text": nested(depth)}]}]
    else:
        arguments[draw(st.sampled_from(["unknown", "__proto__", "arguments"]))] = draw(_broken({}, defs))
    return arguments
