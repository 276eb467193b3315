"""The ``os.open`` flags every descriptor-pinned path walk uses, defined once (flags a platform lacks are 0).

Directories are opened read-only as directories; files for reading never block on a FIFO or adopt a
terminal; ``NO_FOLLOW`` on each component is what makes a symlink swapped in mid-walk fail instead of
being followed; new files are created exclusively, so nothing existing is ever truncated or replaced.
"""

from __future__ import annotations

import os

CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | CLOEXEC
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | CLOEXEC
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW | CLOEXEC
