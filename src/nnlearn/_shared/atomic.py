"""Atomic file writes: a temporary file beside the target, renamed into place on success.

A process killed outright (SIGKILL, a power cut) cannot remove its temporary
file. Each one is named after the process that writes it
(``.<name>.<pid>-<random>.part``), and every write to a folder first removes
the partial files there whose writer is gone: its process no longer exists on
this machine, or the file has not changed for :data:`STALE_AFTER` seconds
(a pid reused by another process, another machine on a shared folder, or a
file named by an older version). A file another live process is writing is
left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

#: A partial file untouched for this long (seconds) is stale whatever its pid says.
STALE_AFTER = 3600.0

_PART = re.compile(r"^\..+\.part$")
_PID = re.compile(r"\.(\d+)-[^.]*\.part$")


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # it exists but is someone else's (or cannot be asked): keep its file
    return True


def remove_stale_parts(folder: str | os.PathLike, *, now: float | None = None) -> list[Path]:
    """Remove the partial files of :func:`atomic_write` in ``folder`` whose writer is gone.

    Returns the paths removed. Files that vanish or cannot be removed meanwhile
    are skipped: cleaning up never makes a write fail.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _PART.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            pid = _PID.search(entry.name)
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if age > STALE_AFTER or (pid is not None and not _process_exists(int(pid.group(1)))):
                os.remove(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes ``path`` only if the block ends without error.

    The data goes to a hidden ``.part`` file in the same folder, then
    ``os.replace`` swaps it in, so readers see the old file or the whole new
    one, never a partial one. On any exception (Ctrl-C included) the
    temporary file is removed and ``path`` is left as it was. Partial files
    left in the folder by writers that were killed are removed first (see the
    module notes).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(path.parent)
    handle, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=".part"
    )
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)  # mkstemp's 0600 would make every file private
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.remove(temp_name)
