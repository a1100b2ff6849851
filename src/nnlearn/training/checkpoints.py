"""Checkpoint files: named arrays plus a JSON header in one ``.npz``, written atomically.

A checkpoint never needs pickle: arrays are stored as arrays, and everything
else (step, random-generator states, the run's settings, history) as one JSON
string under the key ``"meta"``. Files are loaded with ``allow_pickle=False``.
:func:`save_training` and :func:`restore_training` hold what a
:class:`~nnlearn.training.Trainer` needs to continue bit for bit.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnlearn._shared.atomic import atomic_write
from nnlearn.training.history import History

if TYPE_CHECKING:
    from nnlearn.training.trainer import Trainer

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
    try:
        meta = json.loads(str(arrays.pop(META_KEY)))
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{path}: damaged checkpoint header ({error})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: damaged checkpoint header (not a JSON object)")
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


def save_training(trainer: Trainer, path: str | os.PathLike) -> Path:
    """Save what ``trainer`` needs to continue: weights, optimizer, random states, history."""
    network = trainer.network
    arrays = {f"param/{k}": v for k, v in network.params.items()}
    arrays |= {f"buffer/{k}": v for k, v in getattr(network, "buffers", {}).items()}
    arrays |= {f"optimizer/{k}": v for k, v in trainer.optimizer.state_dict().items()}
    arrays["sampling/queue"] = trainer.sampler.queue
    network_rng = getattr(network, "rng", None)
    meta = {
        "step": trainer.step,
        "position": trainer.sampler.position,
        "train_time": trainer.train_time,
        "wall_time": trainer.wall_time,
        "rng": trainer.rng.bit_generator.state,
        "network_rng": None if network_rng is None else network_rng.bit_generator.state,
        "run": trainer.settings(),
        "n_train": len(trainer.x_train),
        "metadata": trainer.metadata,
        "history": trainer.history.to_dict(),
    }
    return save_checkpoint(path, arrays, meta)


#: What :func:`restore_training` requires of each part of the header, and the checks
#: that must pass; a damaged or crafted header fails here with one clear message.
_TRAINING_HEADER = {
    "step": lambda v: isinstance(v, int) and v >= 0,
    "position": lambda v: isinstance(v, int) and v >= 0,
    "train_time": lambda v: isinstance(v, (int, float)) and v >= 0,
    "wall_time": lambda v: isinstance(v, (int, float)) and v >= 0,
    "rng": lambda v: isinstance(v, dict),
    "network_rng": lambda v: v is None or isinstance(v, dict),
    "run": lambda v: isinstance(v, dict),
    "n_train": lambda v: isinstance(v, int) and v > 0,
    "history": lambda v: isinstance(v, dict),
}


def check_training_header(meta: dict[str, Any], path: str | os.PathLike) -> None:
    """Raise ValueError naming ``path`` if ``meta`` lacks a part of a training checkpoint."""
    for key, valid in _TRAINING_HEADER.items():
        if key not in meta:
            raise ValueError(f"{path}: not a training checkpoint (no {key!r} in its header)")
        if not valid(meta[key]):
            raise ValueError(f"{path}: damaged checkpoint header ({key!r} is {meta[key]!r})")
    try:
        History.from_dict(meta["history"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: damaged checkpoint header (history: {error})") from None


def restore_training(trainer: Trainer, path: str | os.PathLike) -> None:
    """Put ``trainer`` in the state that :func:`save_training` saved to ``path``.

    The trainer must be built with the same network architecture, optimizer,
    batch size and sampling; its number of steps may differ.
    """
    arrays, meta = load_checkpoint(path)
    check_training_header(meta, path)
    saved, mine = meta["run"], trainer.settings()
    for key in ("optimizer", "batch_size", "sampling"):
        if saved.get(key) != mine[key]:
            raise ValueError(
                f"{path}: saved with {key}={saved.get(key)!r}, this run has {mine[key]!r}"
            )
    if meta["n_train"] != len(trainer.x_train):
        raise ValueError(f"{path}: saved with {meta['n_train']} training samples, this run "
                         f"has {len(trainer.x_train)}")
    groups = group_arrays(arrays)
    network = trainer.network
    load_arrays(network.params, groups.get("param", {}), f"{path}: parameter")
    load_arrays(getattr(network, "buffers", {}), groups.get("buffer", {}), f"{path}: buffer")
    queue = groups.get("sampling", {}).get("queue")
    if queue is None or queue.ndim != 1 or queue.dtype.kind not in "iu" or (
        queue.size and (queue.min() < 0 or queue.max() >= len(trainer.x_train))
    ):
        raise ValueError(f"{path}: damaged checkpoint (its batch queue does not fit the data)")
    try:
        trainer.optimizer.load_state_dict(groups.get("optimizer", {}))
        trainer.rng.bit_generator.state = meta["rng"]
        if meta["network_rng"] is not None and getattr(network, "rng", None) is not None:
            network.rng.bit_generator.state = meta["network_rng"]
        history = History.from_dict(meta["history"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: damaged checkpoint ({error})") from None
    trainer.sampler.queue = queue.astype(np.int64)
    trainer.sampler.position = meta["position"]
    trainer.step = meta["step"]
    trainer.train_time = float(meta["train_time"])
    trainer.wall_time = float(meta["wall_time"])
    history.metadata.update(trainer.describe())
    trainer.history = history
