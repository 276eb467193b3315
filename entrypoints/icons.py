"""Icons for the server and its tools (MCP 2025-11-25 ``icons``): one tiny SVG data URI per tool family."""

from __future__ import annotations

from mcp.types import Icon

_SVG = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'>{}</svg>"

FAMILY_SHAPES: dict[str, str] = {
    "chat": "<path d='M1 1h6v4H3L1 7z' fill='%2306c'/>",
    "media": "<circle cx='4' cy='4' r='3' fill='%2390c'/>",
    "generation": "<path d='M4 0l1 3 3 1-3 1-1 3-1-3-3-1 3-1z' fill='%23e80'/>",
    "video": "<path d='M2 1l5 3-5 3z' fill='%23c03'/>",
    "jobs": "<path d='M4 1v3h2' stroke='%23555' fill='none'/>",
    "catalog": "<path d='M1 1h6v1H1zm0 2h6v1H1zm0 2h6v1H1z' fill='%23393'/>",
}
"""Tool families by the ``tools`` module that registers them; health and usage share the catalogue's icon, and a
new module gets the server's. Each is under 120 bytes: tools/list carries every tool's icon to every client."""
ALIASES = {"health": "catalog", "usage": "catalog", "library": "media", "transcribe_embed": "media"}
SERVER_SHAPE = "<circle cx='4' cy='4' r='3' fill='none' stroke='%2306c' stroke-width='2'/>"


def _icon(shape: str) -> list[Icon]:
    return [Icon(src=_SVG.format(shape))]


SERVER_ICONS = _icon(SERVER_SHAPE)


def family_icons(module: str) -> list[Icon]:
    """The icon of the family whose ``tools`` module is ``module`` (a dotted name)."""
    family = module.rsplit(".", 1)[-1]
    family = ALIASES.get(family, family)
    shape = FAMILY_SHAPES.get(family)
    return _icon(shape) if shape else SERVER_ICONS
