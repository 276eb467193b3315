"""A thread that flips a directory between a real folder and a symlink to somewhere else, for race tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def _flip_forever(link: Path, outside: Path, parked: Path, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            os.rename(link, parked)
            os.symlink(outside, link)
            time.sleep(0)
            os.unlink(link)
            os.rename(parked, link)
            time.sleep(0)
        except OSError:
            _restore(link, parked)


def _restore(link: Path, parked: Path) -> None:
    """Back to the real folder, whatever the code under test created meanwhile."""
    with contextlib.suppress(OSError):
        if link.is_symlink():
            link.unlink()
        elif link.is_dir() and parked.exists():
            shutil.rmtree(link)
        if parked.exists():
            os.rename(parked, link)


@contextlib.contextmanager
def flipping(link: Path, outside: Path) -> Iterator[None]:
    """While the block runs, ``link`` (a real directory) keeps turning into a symlink to ``outside`` and back.

    The interpreter's thread switch interval is lowered for the block so the flips interleave
    with the code under test often enough that an unguarded check-then-use is caught.
    """
    parked = link.with_name(link.name + ".parked")
    stop = threading.Event()
    thread = threading.Thread(target=_flip_forever, args=(link, outside, parked, stop), daemon=True)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
        _restore(link, parked)
