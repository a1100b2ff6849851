"""The IDX file format of MNIST: read and write, gzip-compressed or raw.

An IDX file is a header then the data, big-endian::

    0x00 0x00 <type code> <ndim>   uint32 dim_0 ... uint32 dim_{ndim-1}   data

Every check names the file, so a truncated download or a file of the wrong
kind is reported as such rather than as a reshape error further down. The size
that a header declares is checked against what the file can hold before
anything is allocated: exactly the rest of an uncompressed file, and at most
:data:`MAX_DEFLATE_RATIO` times a gzip file (no DEFLATE stream expands more),
so a damaged header cannot ask for terabytes.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

#: IDX type code -> big-endian NumPy dtype of the data.
TYPE_CODES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"

#: The largest expansion of DEFLATE (zlib's documented bound is about 1032:1).
MAX_DEFLATE_RATIO = 1032

#: Bytes read at a time, so that memory grows only with the data actually present.
CHUNK = 1 << 22


def _open(path: Path) -> tuple[BinaryIO, bool]:
    with open(path, "rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
    return (gzip.open(path, "rb") if compressed else open(path, "rb")), compressed


def _read_exactly(stream: BinaryIO, n_bytes: int, path: Path, what: str) -> np.ndarray:
    """``n_bytes`` bytes of ``stream`` as a uint8 array, read in place, or ValueError.

    The bytes go straight into their final array, chunk by chunk: the peak
    memory is the data once (not once in pieces and once joined), and the
    pages of a short file's missing part are never touched, so it never
    costs ``n_bytes`` of memory.
    """
    data = np.empty(n_bytes, np.uint8)
    view, total = memoryview(data), 0
    while total < n_bytes:
        count = stream.readinto(view[total:total + CHUNK])
        if not count:
            break
        total += count
    if total != n_bytes:
        raise ValueError(
            f"{path}: truncated IDX file: expected {n_bytes:,} bytes of {what}, found {total:,}"
        )
    return data


def _check_declared(path: Path, shape: tuple[int, ...], n_bytes: int, compressed: bool) -> None:
    """Refuse an empty dimension, or a size the file cannot hold, before reading the data."""
    if 0 in shape:
        raise ValueError(
            f"{path}: IDX header declares an empty dimension, shape {shape}: no data to load"
        )
    header = 4 + 4 * len(shape)
    on_disk = path.stat().st_size
    if compressed and n_bytes + header > MAX_DEFLATE_RATIO * on_disk:
        raise ValueError(
            f"{path}: corrupt IDX header: it declares a {shape} array ({n_bytes:,} bytes), more "
            f"than a gzip file of {on_disk:,} bytes can hold"
        )
    if not compressed and n_bytes != on_disk - header:
        raise ValueError(
            f"{path}: corrupt or truncated IDX file: its header declares a {shape} array "
            f"({n_bytes:,} bytes of data), but the file holds {on_disk - header:,} after the header"
        )


def read_idx(path: str | os.PathLike, *, digest: bool = False) -> np.ndarray | tuple:
    """Return the array stored in an IDX file (gzip or raw), in native byte order.

    With ``digest=True``, return ``(array, sha256)``: the hex digest of the
    decompressed content (header and data), which a recompressed copy keeps.

    Raises
    ------
    ValueError
        Naming the file, when the magic number, type code or dimensions are
        wrong, the declared size is empty or more than the file can hold, the
        byte count differs, or the gzip stream is corrupt or cut short.
    """
    path = Path(path)
    try:
        stream, compressed = _open(path)
        with stream:
            magic = _read_exactly(stream, 4, path, "header")
            if magic[0] or magic[1]:
                raise ValueError(
                    f"{path}: not an IDX file: the magic number must start with two zero "
                    f"bytes, got {magic.tobytes().hex()}"
                )
            type_code, ndim = int(magic[2]), int(magic[3])
            if type_code not in TYPE_CODES:
                raise ValueError(f"{path}: unknown IDX type code 0x{type_code:02x}")
            if ndim == 0:
                raise ValueError(f"{path}: IDX header declares 0 dimensions")
            dims = _read_exactly(stream, 4 * ndim, path, "dimensions")
            shape = tuple(int(d) for d in dims.view(">u4"))
            dtype = TYPE_CODES[type_code]
            n_bytes = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
            _check_declared(path, shape, n_bytes, compressed)
            data = _read_exactly(stream, n_bytes, path, "data")
            if stream.read(1):
                raise ValueError(
                    f"{path}: corrupt IDX file: extra bytes after the {shape} array "
                    "its header declares"
                )
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{path}: corrupt or truncated gzip file ({error})") from None
    array = data.view(dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)
    if not digest:
        return array
    content = hashlib.sha256(magic)
    content.update(dims)
    content.update(data)
    return array, content.hexdigest()


def write_idx(path: str | os.PathLike, array: np.ndarray, *, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file; gzip-compressed if ``compress`` or the name ends in .gz."""
    path = Path(path)
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in TYPE_CODES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise ValueError(
            f"array dtype {array.dtype} has no IDX type code; use one of "
            f"{sorted(str(d) for d in codes)}"
        )
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"array must have 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, codes[native], array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    payload = header + np.ascontiguousarray(array, native.newbyteorder(">")).tobytes()
    if compress is None:
        compress = path.suffix == ".gz"
    path.write_bytes(gzip.compress(payload, mtime=0) if compress else payload)
