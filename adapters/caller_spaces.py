"""Per-caller file spaces on the local disk: which outputs a caller writes and which inputs they may read."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..domain.caller import Caller
from ..domain.save_policy import SavePolicy
from .input_sandbox import SandboxedFileReader
from .output_store import LocalOutputStore

USERS_DIR = "users"


class LocalCallerSpaces:
    """``OutputSpaces`` and ``InputSpaces`` over one output root.

    Layout: the machine's owner (the stdio user) writes to the root itself, today's layout; any
    other caller writes to ``<root>/users/<subject>/`` (subjects are validated as one safe path
    component by ``Caller``). Reading: the owner reads the configured input roots (which always include
    the output root); others read only their own output folder plus ``shared_roots`` (an opt-in, read-only
    root for HTTP users). ``allow_unsafe`` applies to the owner only: a remote caller can never
    switch the sandboxes off. Stores are cached per subject; they hold no open resources.
    """

    def __init__(self, *, output_root: str, input_roots: Sequence[Path], allow_unsafe: bool,
                 shared_roots: Sequence[Path] = ()) -> None:
        self._output_root = os.path.abspath(os.path.expanduser(output_root))
        self._input_roots = tuple(input_roots)
        self._shared_roots = tuple(shared_roots)
        self._allow_unsafe = allow_unsafe
        self._outputs: dict[str, LocalOutputStore] = {}
        self._inputs: dict[str, SandboxedFileReader] = {}

    def output_root_for(self, caller: Caller) -> str:
        if caller.owns_machine:
            return self._output_root
        return os.path.join(self._output_root, USERS_DIR, caller.subject)

    def for_caller(self, caller: Caller) -> LocalOutputStore:
        key = self._key(caller)
        store = self._outputs.get(key)
        if store is None:
            policy = SavePolicy(self.output_root_for(caller), self._allow_unsafe and caller.owns_machine)
            store = self._outputs[key] = LocalOutputStore(policy, show_paths=caller.owns_machine)
        return store

    def reader_for(self, caller: Caller) -> SandboxedFileReader:
        key = self._key(caller)
        reader = self._inputs.get(key)
        if reader is None:
            if caller.owns_machine:
                reader = SandboxedFileReader(list(self._input_roots), self._allow_unsafe)
            else:
                reader = SandboxedFileReader([Path(self.output_root_for(caller)), *self._shared_roots], False,
                                             remote=True)
            self._inputs[key] = reader
        return reader

    @staticmethod
    def _key(caller: Caller) -> str:
        return "\x00owner" if caller.owns_machine else caller.subject


class CallerInputs:
    """The ``InputSpaces`` view of ``LocalCallerSpaces`` (one object, two ports with the same method name)."""

    def __init__(self, spaces: LocalCallerSpaces) -> None:
        self._spaces = spaces

    def for_caller(self, caller: Caller) -> SandboxedFileReader:
        return self._spaces.reader_for(caller)
