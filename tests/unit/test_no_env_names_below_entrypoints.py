"""Below the entrypoints, settings are named by ``${field}`` placeholders, never by environment variable:
embedders configure by keyword. Docstrings and comments may still mention variables for operators."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from openrouter_multimodal.domain.setting_refs import SETTING_REF
from openrouter_multimodal.entrypoints.setting_names import SETTING_FIELDS

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "application", "adapters")
ENV_NAME = re.compile(r"OPENROUTER_[A-Z_]+")
NOT_YET_SETTINGS = frozenset({"state_url"})
"""Named in the policy store's messages; no ``Settings`` field holds it yet, so it renders as written."""


def _nodes() -> Iterator[tuple[str, ast.AST, set[int]]]:
    """Each node of each module below the entrypoints, with the ids of that module's docstring constants
    (any string standing alone as a statement: module, class, function and attribute docstrings)."""
    files = [path for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))]
    assert len(files) > 50
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        for node in ast.walk(tree):
            yield str(path.relative_to(ROOT)), node, docstrings


def test_no_environment_variable_name_is_in_a_string_below_the_entrypoints() -> None:
    offenders = [f"{where}:{node.lineno}: {found.group(0)}"
                 for where, node, docstrings in _nodes()
                 if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                 and (found := ENV_NAME.search(node.value))]
    assert offenders == []


def test_every_placeholder_below_the_entrypoints_names_a_setting() -> None:
    unknown = []
    for where, node, docstrings in _nodes():
        names: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            names = SETTING_REF.findall(node.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setting"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names = [node.args[0].value]
        unknown += [f"{where}:{getattr(node, 'lineno', 0)}: {name}" for name in names
                    if name not in SETTING_FIELDS | NOT_YET_SETTINGS]
    assert unknown == []
