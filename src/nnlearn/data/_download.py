"""Download a file from a list of mirrors, verify its sha256 and store it atomically.

The bytes go to a temporary file beside the destination and are renamed into
place only once their checksum matches (:func:`nnlearn._shared.atomic.atomic_write`),
so an interrupted or corrupt download never stays where a later load would
find it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO
from urllib.request import urlopen

from tqdm import tqdm

from nnlearn._shared.atomic import atomic_write

#: Bytes read per chunk while downloading.
CHUNK_SIZE = 1 << 16
#: Seconds before a silent connection is abandoned for the next mirror.
TIMEOUT = 30.0

Opener = Callable[..., BinaryIO]


class ChecksumError(ValueError):
    """A downloaded file's sha256 is not the published one."""


def _copy_hashed(response: BinaryIO, out: BinaryIO, label: str) -> str:
    total = getattr(response, "headers", {}).get("Content-Length")
    digest = hashlib.sha256()
    with tqdm(
        total=int(total) if total else None, unit="B", unit_scale=True, unit_divisor=1024,
        desc=label, disable=None, leave=False,  # disable=None: silent when not on a terminal
    ) as bar:
        while chunk := response.read(CHUNK_SIZE):
            digest.update(chunk)
            out.write(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


def download(url: str, dest: Path, sha256: str, *, opener: Opener | None = None) -> Path:
    """Fetch ``url`` into ``dest`` if its sha256 is ``sha256``; else leave ``dest`` untouched.

    Raises
    ------
    ChecksumError
        The bytes arrived but their digest differs (nothing is written).
    OSError
        The host could not be reached or answered with an error.
    """
    opener = opener or urlopen
    with atomic_write(dest) as out:
        with opener(url, timeout=TIMEOUT) as response:
            got = _copy_hashed(response, out, dest.name)
        if got != sha256:
            raise ChecksumError(f"{url}: sha256 mismatch, expected {sha256}, got {got}")
    return dest


def download_from_mirrors(
    filename: str,
    mirrors: Sequence[str],
    dest: Path,
    sha256: str,
    *,
    opener: Opener | None = None,
) -> Path:
    """Try each mirror in turn (``mirror + filename``) until one gives the right bytes.

    Raises
    ------
    ChecksumError
        At least one mirror answered, but never with the published bytes.
    OSError
        No mirror could be reached; the message lists each failure.
    """
    failures = []
    for mirror in mirrors:
        try:
            return download(mirror + filename, dest, sha256, opener=opener)
        except ChecksumError as error:
            failures.append(error)
        except OSError as error:  # URLError, HTTPError and timeouts are OSErrors
            failures.append(OSError(f"{mirror + filename}: {error}"))
    detail = "; ".join(str(error) for error in failures)
    if any(isinstance(error, ChecksumError) for error in failures):
        raise ChecksumError(f"no mirror gave a verified copy of {filename}: {detail}")
    raise OSError(f"could not download {filename}: {detail}")
