"""Download a file from a list of mirrors, verify its sha256 and store it atomically.

The bytes go to a temporary file beside the destination and are renamed into
place only once their checksum matches (:func:`nnlearn._shared.atomic.atomic_write`),
so an interrupted or corrupt download never stays where a later load would
find it.
"""

from __future__ import annotations

import hashlib
import http.client
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


class IncompleteDownload(OSError):
    """The connection ended before the announced number of bytes arrived."""


def _copy_hashed(response: BinaryIO, out: BinaryIO, label: str, url: str) -> str:
    total = getattr(response, "headers", {}).get("Content-Length")
    received = 0
    digest = hashlib.sha256()
    with tqdm(
        total=int(total) if total else None, unit="B", unit_scale=True, unit_divisor=1024,
        desc=label, disable=None, leave=False,  # disable=None: silent when not on a terminal
    ) as bar:
        try:
            while chunk := response.read(CHUNK_SIZE):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        except http.client.IncompleteRead as error:  # http.client's own word for it
            received += len(error.partial)
            total = received + error.expected if error.expected else "more"
            raise _dropped(url, received, total) from None
    if total and received < int(total):  # urllib may just stop: compare with the announced size
        raise _dropped(url, received, int(total))
    return digest.hexdigest()


def _dropped(url: str, received: int, total: int | str) -> IncompleteDownload:
    total = f"{total:,}" if isinstance(total, int) else total
    return IncompleteDownload(
        f"{url}: the connection dropped after {received:,} of {total} bytes; try again"
    )


def download(url: str, dest: Path, sha256: str, *, opener: Opener | None = None) -> Path:
    """Fetch ``url`` into ``dest`` if its sha256 is ``sha256``; else leave ``dest`` untouched.

    Raises
    ------
    ChecksumError
        Every byte arrived but their digest differs (nothing is written).
    OSError
        The host could not be reached or answered with an error, or the
        connection dropped before the announced size arrived
        (:class:`IncompleteDownload`).
    """
    opener = opener or urlopen
    with atomic_write(dest) as out:
        with opener(url, timeout=TIMEOUT) as response:
            got = _copy_hashed(response, out, dest.name, url)
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
        except IncompleteDownload as error:
            failures.append(error)
        except (OSError, http.client.HTTPException) as error:  # URLError, HTTPError, timeouts
            failures.append(OSError(f"{mirror + filename}: {str(error) or type(error).__name__}"))
    detail = "; ".join(str(error) for error in failures)
    if any(isinstance(error, ChecksumError) for error in failures):
        raise ChecksumError(f"no mirror gave a verified copy of {filename}: {detail}")
    raise OSError(f"could not download {filename}: {detail}")
