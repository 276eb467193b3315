"""``SavePolicy``: where generated files may be written, decided lexically before the disk is touched."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from .errors import ConfigurationError, InvalidInput, UnsafePath
from .media import format_from_extension
from .setting_refs import setting

APP_DIR = "openrouter-multimodal-mcp"

_WINDOWS_ROOT = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|\\\\)")
_SEPARATORS = re.compile(r"[\\/]")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_output_root(platform: str, home: str, env: Mapping[str, str]) -> str:
    """The per-user data directory for outputs, so files never land in a client's working directory.

    ``platform`` is ``sys.platform``. Linux and other POSIX systems follow XDG (a relative
    ``XDG_DATA_HOME`` is ignored, as the spec says); Windows uses ``%LOCALAPPDATA%``.
    """
    if platform.startswith("win"):
        local = env.get("LOCALAPPDATA", "").strip()
        base: PurePath = PureWindowsPath(local) if local else PureWindowsPath(home, "AppData", "Local")
        return str(base / APP_DIR / "outputs")
    if platform == "darwin":
        return str(PurePosixPath(home, "Library", "Application Support", APP_DIR, "outputs"))
    xdg = env.get("XDG_DATA_HOME", "").strip()
    base = PurePosixPath(xdg) if xdg.startswith("/") else PurePosixPath(home, ".local", "share")
    return str(base / APP_DIR / "outputs")


def split_extension(name: str) -> tuple[str, str]:
    """``("photo", "png")`` for ``photo.png``; a dotfile's leading dot is not an extension (``.hidden``)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip("."):
        return name, ""
    return stem, ext


def _same_format(a: str, b: str) -> bool:
    if a.lower() == b.lower():
        return True
    fmt = format_from_extension(f"x.{a}")
    return fmt is not None and fmt is format_from_extension(f"x.{b}")


def correct_extension(path: str, real_ext: str) -> str:
    """Make ``path`` end in the extension of the format actually received.

    A media extension naming another format is replaced (``out.png`` holding JPEG becomes
    ``out.jpg``); aliases of the same format are kept (``.jpeg`` for JPEG, ``.m4v`` for MP4);
    a missing extension is added (``out`` becomes ``out.png``); an unknown suffix is kept and
    the real extension appended (``shot.v2`` becomes ``shot.v2.png``) so no part of the name is lost.
    """
    real = real_ext.strip().lstrip(".").lower()
    if not real:
        return path
    cut = max(path.rfind("/"), path.rfind("\\")) + 1
    head, name = path[:cut], path[cut:]
    stem, ext = split_extension(name.rstrip("."))
    if not ext:
        return f"{head}{stem}.{real}"
    if _same_format(ext, real):
        return path
    if format_from_extension(f"x.{ext}") is not None:
        return f"{head}{stem}.{real}"
    return f"{head}{stem}.{ext}.{real}"


def _normalised(path: PurePath) -> PurePath:
    """``path`` with every ``..`` applied lexically; ``..`` above the anchor stays at the anchor."""
    parts: list[str] = []
    for part in path.parts[1 if path.anchor else 0 :]:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return type(path)(path.anchor, *parts)


def _safe_name(text: str) -> str:
    return _NAME_UNSAFE.sub("-", text).strip("-.")


@dataclass(frozen=True, slots=True)
class SavePolicy:
    """The output sandbox's rules, applied to names only; the file adapter adds the symlink checks.

    Why: ``save_path`` comes from a model through an MCP client, so ``../../.bashrc`` or
    ``/etc/cron.d/x`` must not become a write primitive. How: relative names are joined to
    ``root`` (Windows-style ``\\`` counts as a separator), ``..`` is applied lexically and the
    result must stay within ``root`` component-wise (a sibling ``/out-evil`` is outside ``/out``).
    ``root`` must be absolute; a ``C:\\`` or ``\\\\server`` root is treated with Windows rules.

    How it fails: ``UnsafePath`` (naming the ``output_dir`` and ``allow_unsafe_paths`` settings)
    for a name outside ``root`` unless ``allow_unsafe``; ``InvalidInput`` for an empty,
    NUL-containing or directory-like name; ``ConfigurationError`` for a relative ``root``.
    """

    root: str
    allow_unsafe: bool = False

    def candidate(self, requested: str | None, *, stem: str, extension: str, unique: str) -> str:
        """The absolute, lexically normalised target for ``requested``.

        ``None`` gives ``<root>/<stem>-<unique>.<extension>``; ``unique`` (a timestamp or random
        token chosen by the caller) keeps this pure. A requested name without an extension gets
        ``extension``; a different extension is kept here and fixed by ``correct_extension``
        once the real format is known.
        """
        flavour: type[PurePath] = PureWindowsPath if _WINDOWS_ROOT.match(self.root) else PurePosixPath
        root = _normalised(flavour(self.root))
        if not root.is_absolute():
            raise ConfigurationError(
                f"the output directory '{self.root}' is not an absolute path: set {setting('output_dir')} to one."
            )
        ext = extension.strip().lstrip(".").lower()
        if requested is None:
            name = "-".join(p for p in (_safe_name(stem) or "output", _safe_name(unique)) if p)
            return str(root / (f"{name}.{ext}" if ext else name))
        text = requested.strip()
        if not text:
            raise InvalidInput(
                "save_path is empty: pass a file name such as 'out.png', or omit it for an automatic name."
            )
        if "\x00" in text:
            raise InvalidInput("save_path contains a NUL character: pass a plain file name such as 'out.png'.")
        if flavour is PurePosixPath:
            if _WINDOWS_ABSOLUTE.match(text):
                raise InvalidInput(
                    f"save_path '{text}' is a Windows path and this server runs on POSIX: "
                    "pass a name relative to the output directory, or a POSIX path."
                )
            text = text.replace("\\", "/")
        target = _normalised(root / flavour(text))
        if not self.allow_unsafe and not target.is_relative_to(root):
            raise UnsafePath(
                f"save_path '{requested.strip()}' resolves to {target}, outside the output directory {root}: "
                "pass a name inside it, set ${output_dir} to a directory that contains it, "
                "or set ${allow_unsafe_paths}=1 to allow any path.",
                suggestions=("Omit save_path to get an automatic name inside the output directory",),
            )
        leaf = _SEPARATORS.split(text)[-1]
        if leaf in ("", ".", "..") or target == root or not target.name:
            raise InvalidInput(
                f"save_path '{requested.strip()}' names a directory: add a file name such as 'out.png' to it."
            )
        if ext and not split_extension(target.name.rstrip("."))[1]:
            target = target.with_name(f"{target.name.rstrip('.')}.{ext}")
        return str(target)
