"""``${field}`` placeholders that name a setting in messages, rendered by each entrypoint for its audience.

Code below the entrypoints does not know whether its caller configured the server through environment
variables (MCP over stdio) or keyword arguments (an embedding program), so it names a setting by its
``Settings`` field name inside ``${...}``; the MCP presenters render ``OPENROUTER_<FIELD>`` and the
Python API the keyword. Text that is never rendered still reads sensibly: ``${video_gen_max_bytes}``.
"""

from __future__ import annotations

import re

__all__ = ["SETTING_REF", "setting"]

SETTING_REF = re.compile(r"\$\{([a-z][a-z0-9_]{0,63})\}")
"""One placeholder; group 1 is the field name."""


def setting(name: str) -> str:
    """The placeholder naming the setting whose ``Settings`` field is ``name``: ``${input_dir}`` for ``input_dir``."""
    return "${" + name + "}"
