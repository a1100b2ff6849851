"""The IDX file format of MNIST: read and write, gzip-compressed or raw.

An IDX file is a header then the data, big-endian::

    0x00 0x00 <type code> <ndim>   uint32 dim_0 ... uint32 dim_{ndim-1}   data

Every check names the file, so a truncated download or a file of the wrong
kind is reported as such rather than as a reshape error further down.
"""

from __future__ import annotations

import gzip
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


def _open(path: Path) -> BinaryIO:
    with open(path, "rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _read_exactly(stream: BinaryIO, n_bytes: int, path: Path, what: str) -> bytes:
    data = stream.read(n_bytes)
    if len(data) != n_bytes:
        raise ValueError(
            f"{path}: truncated IDX file: expected {n_bytes} bytes of {what}, found {len(data)}"
        )
    return data


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Return the array stored in an IDX file (gzip or raw), in native byte order.

    Raises
    ------
    ValueError
        Naming the file, when the magic number, type code, dimensions or byte
        count are wrong, or when the gzip stream is corrupt or cut short.
    """
    path = Path(path)
    try:
        with _open(path) as stream:
            magic = _read_exactly(stream, 4, path, "header")
            if magic[:2] != b"\x00\x00":
                raise ValueError(
                    f"{path}: not an IDX file: the magic number must start with two zero "
                    f"bytes, got {magic.hex()}"
                )
            type_code, ndim = magic[2], magic[3]
            if type_code not in TYPE_CODES:
                raise ValueError(f"{path}: unknown IDX type code 0x{type_code:02x}")
            if ndim == 0:
                raise ValueError(f"{path}: IDX header declares 0 dimensions")
            dims = np.frombuffer(_read_exactly(stream, 4 * ndim, path, "dimensions"), ">u4")
            shape = tuple(int(d) for d in dims)
            dtype = TYPE_CODES[type_code]
            data = _read_exactly(stream, int(np.prod(shape)) * dtype.itemsize, path, "data")
            if stream.read(1):
                raise ValueError(
                    f"{path}: corrupt IDX file: extra bytes after the {shape} array "
                    "its header declares"
                )
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{path}: corrupt or truncated gzip file ({error})") from None
    return np.frombuffer(data, dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)


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
