"""Shared argument types for the tool schemas: bounded strings, ASCII-only patterns, bounded free-form JSON.

Every string a caller sends has a ``maxLength``, every list a ``maxItems``, and every number
that reaches an upstream request a range, so no argument that passes the schema can exhaust
memory, overflow a URL or a header, or stall the server. Free-form objects (provider options,
message content parts) cannot be described by JSON Schema alone: ``JsonBounds`` checks their
depth, size and string lengths before pydantic walks them, and a failure is INVALID_INPUT
naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

MODEL_MAX = 200
TEXT_MAX = 20_000
SAVE_PATH_MAX = 1_000
TOKENS_MAX = 1_000_000
MESSAGE_MAX = 4_000_000
PARTS_MAX = 100


@dataclass(frozen=True, slots=True)
class JsonBounds:
    """Refuses free-form JSON nested deeper than ``depth``, with more than ``nodes`` values, or a long string.

    Walks iteratively, so a hostile nesting depth costs one loop, never a recursion.
    """

    depth: int
    nodes: int
    string: int

    def __call__(self, value: Any) -> Any:
        stack: list[tuple[Any, int]] = [(value, 0)]
        seen = 0
        while stack:
            node, level = stack.pop()
            seen += 1
            if seen > self.nodes:
                raise ValueError(f"too large: at most {self.nodes} values in total")
            if isinstance(node, dict | list):
                if level >= self.depth:
                    raise ValueError(f"nested deeper than {self.depth} levels")
                items = node.items() if isinstance(node, dict) else enumerate(node)
                for key, child in items:
                    if isinstance(key, str) and len(key) > self.string:
                        raise ValueError(f"a key is longer than {self.string} characters")
                    stack.append((child, level + 1))
            elif isinstance(node, str) and len(node) > self.string:
                raise ValueError(f"a string is longer than {self.string} characters")
        return value


CONTENT_PART = JsonBounds(depth=6, nodes=200, string=32 * 1024 * 1024)
PROVIDER_OPTIONS = JsonBounds(depth=8, nodes=500, string=10_000)

Model = Annotated[str | None, Field(max_length=MODEL_MAX)]


def model_defaulting_to(default: str) -> Any:
    """A ``model`` argument's field that names the model used when it is left out."""
    return Field(max_length=MODEL_MAX, description=f"Default {default}.")
CacheTtl = Annotated[str | None, Field(max_length=6, pattern=r"^[0-9]{1,5}[smh]$")]
MaxTokens = Annotated[int | None, Field(ge=1, le=TOKENS_MAX)]
SavePath = Annotated[str | None, Field(max_length=SAVE_PATH_MAX)]
ProviderOptions = Annotated[dict[str, Any] | None, BeforeValidator(PROVIDER_OPTIONS)]


def source_max_chars(max_data_url_bytes: int) -> int:
    """The longest path, URL or data URL accepted for media capped at ``max_data_url_bytes`` when decoded.

    Base64 of the cap plus room for the ``data:<mime>;base64,`` header, rounded up to a whole
    million so the published number stays readable.
    """
    chars = 4 * -(-max_data_url_bytes // 3) + 1024
    return -(-chars // 1_000_000) * 1_000_000
