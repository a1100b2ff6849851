"""Checkpoint files: named arrays plus a JSON header in one ``.npz``, written atomically.

A checkpoint never needs pickle: arrays are stored as arrays, and everything
else (step, random-generator states, configuration, history) as one JSON
string under the key ``"meta"``. Files are loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nnlearn._shared.atomic import atomic_write

#: Version of the layout, stored in every checkpoint's header.
FORMAT_VERSION = 1
META_KEY = "meta"


def save_checkpoint(
    path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict[str, Any]
) -> Path:
    """Write ``arrays`` and the JSON-serialisable ``meta`` to ``path`` (``.npz``), atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.npz"
    >>> _ = save_checkpoint(path, {"param/W": np.eye(2)}, {"step": 3})
    >>> arrays, meta = load_checkpoint(path)
    >>> meta["step"], arrays["param/W"].tolist()
    (3, [[1.0, 0.0], [0.0, 1.0]])
    """
    if META_KEY in arrays:
        raise ValueError(f"array name {META_KEY!r} is reserved for the header")
    header = json.dumps({"format": FORMAT_VERSION, **meta})
    with atomic_write(path) as out:
        np.savez(out, **arrays, **{META_KEY: np.array(header)})
    return Path(path)


def load_checkpoint(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Return ``(arrays, meta)`` from a file written by :func:`save_checkpoint`.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is not an nnlearn checkpoint, or is damaged (named in the message).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {str(path)!r} does not exist")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("a single array, not an .npz archive")
        with data:
            arrays = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ValueError(f"{path}: not a readable checkpoint (.npz) file ({error})") from None
    if META_KEY not in arrays:
        raise ValueError(f"{path}: not an nnlearn checkpoint (no {META_KEY!r} header)")
    meta = json.loads(str(arrays.pop(META_KEY)))
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: checkpoint format {meta.get('format')!r}, this nnlearn reads "
            f"{FORMAT_VERSION}"
        )
    return arrays, meta


def group_arrays(arrays: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Split checkpoint keys ``"<group>/<name>"`` into ``{group: {name: array}}``."""
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key, array in arrays.items():
        group, _, name = key.partition("/")
        groups.setdefault(group, {})[name] = array
    return groups


def load_arrays(target: dict[str, np.ndarray], saved: dict[str, np.ndarray], what: str) -> None:
    """Copy ``saved`` into the arrays of ``target`` in place, checking names and shapes."""
    if saved.keys() != target.keys():
        raise ValueError(f"{what}s {sorted(saved)} do not match the network's {sorted(target)}")
    for name, array in target.items():
        if saved[name].shape != array.shape:
            raise ValueError(
                f"{what} {name} has shape {saved[name].shape}, the network's has {array.shape}"
            )
        array[...] = saved[name]
