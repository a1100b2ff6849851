"""Is this the published file? Reading an IDX file and checking it against known sha256 digests.

Two digests are known per file: that of the ``.gz`` bytes the mirrors serve,
and (for MNIST) that of the decompressed content, which survives
recompression and decompression (the copy in a folder of yours may be either).
A file passes if either matches. Otherwise:

* in nnlearn's cache, which only verified downloads write, the file was altered
  or damaged afterwards: an error that says to delete it (the next load
  downloads a verified copy);
* in a folder you point at, it may be a subset or your own data in the IDX
  format: it is loaded for its structure, with a warning naming the file.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np

from nnlearn.data._idx import read_idx


class UnverifiedDataWarning(UserWarning):
    """A data file in a folder you pointed at is not the published one."""


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_verified(
    path: Path, title: str, sha256: str, content_sha256: str | None, *, in_cache: bool
) -> np.ndarray:
    """Read an IDX file and check it against the published digests (see the module notes).

    Raises
    ------
    ValueError
        A file in the cache that matches neither digest (naming it, and how to
        recover).

    Warns
    -----
    UnverifiedDataWarning
        A file elsewhere that matches neither digest.
    """
    array, content = read_idx(path, digest=True)
    if content == content_sha256 or file_sha256(path) == sha256:
        return array
    known = f"the published .gz file (sha256 {sha256[:16]}...)"
    if content_sha256:
        known += f" or its decompressed content (sha256 {content_sha256[:16]}...)"
    what = f"{path}: not the published {title} {path.name}: it matches neither {known}"
    if in_cache:
        raise ValueError(
            f"{what}. The file was altered or damaged after nnlearn downloaded and verified it; "
            f"delete it ({path}) and load again: a verified copy is downloaded"
        )
    warnings.warn(
        f"{what}. It is loaded as found (only its IDX structure is checked); if it should be "
        f"the original, replace it with a fresh copy, or remove it and let nnlearn download "
        f"a verified one",
        UnverifiedDataWarning,
        stacklevel=6,  # the caller of load_mnist
    )
    return array
