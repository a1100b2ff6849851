"""Output folders and files of the commands, checked before any work starts."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path


def output_folder(
    path: str, run_files: Sequence[str], *, overwrite: bool, resume: str | None = None
) -> Path:
    """Make sure ``path`` is a folder we may write into, before any work starts.

    A folder that already holds one of ``run_files`` is refused unless
    ``overwrite``, or unless the run resumes from a checkpoint inside it.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {path} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise ValueError(f"--out {path} cannot be written: {error.strerror or error}") from None
    existing = [name for name in run_files if (out / name).exists()]
    continues_here = resume is not None and Path(resume).resolve().parent == out.resolve()
    if existing and not overwrite and not continues_here:
        raise ValueError(
            f"--out {path} already holds a run ({', '.join(existing)}): choose another --out, "
            "or add --overwrite to replace it"
        )
    return out
