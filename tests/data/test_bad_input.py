"""Bad data files, downloads cut short, partial files of killed writers: named, never loaded."""

import dataclasses
import gzip
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlearn._shared.atomic import STALE_AFTER, atomic_write, remove_stale_parts
from nnlearn.data import _download, datasets
from nnlearn.data._idx import TYPE_CODES, read_idx, write_idx
from nnlearn.data._verify import UnverifiedDataWarning
from nnlearn.data.datasets import FASHION_MNIST, MNIST, TRAIN_IMAGES, load_fashion_mnist, load_mnist

# --- fuzzed IDX headers and bodies -------------------------------------------------------------

HEADERS = st.builds(
    lambda code, dims: (code, dims),
    st.sampled_from(sorted(TYPE_CODES) + [0x07, 0xFF]),
    st.lists(st.one_of(st.integers(0, 6), st.integers(0, 2**32 - 1)), min_size=0, max_size=5),
)


def idx_bytes(code, dims, body):
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + body


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=HEADERS, body=st.binary(max_size=64), compress=st.booleans(),
       cut=st.integers(0, 80))
def test_fuzzed_files_load_or_fail_naming_the_file(tmp_path, header, body, compress, cut):
    code, dims = header
    data = idx_bytes(code, dims, body)
    if cut < len(data) and cut % 3 == 0:
        data = data[:cut]  # sometimes cut short anywhere
    path = tmp_path / ("fuzz.idx.gz" if compress else "fuzz.idx")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    try:
        array = read_idx(path)
    except ValueError as error:
        assert str(error).startswith(f"{path}: "), error
        return
    assert array.shape == tuple(dims) and array.size > 0  # loaded: what the header declares
    assert array.nbytes == len(data) - 4 - 4 * len(dims)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 7)), min_size=1,
                      max_size=4))
def test_bit_flipped_gzip_files_fail_naming_the_file(tmp_path, flips):
    path = tmp_path / "x.idx.gz"
    write_idx(path, np.arange(600, dtype=np.uint8).reshape(20, 30))
    data = bytearray(path.read_bytes())
    for position, bit in flips:
        data[position % len(data)] ^= 1 << bit
    path.write_bytes(bytes(data))
    try:
        read_idx(path)
    except ValueError as error:
        assert str(error).startswith(f"{path}: "), error


@pytest.mark.parametrize(
    ("dims", "compress", "message"),
    [
        ((10000, 0), False, r"IDX header declares an empty dimension, shape \(10000, 0\)"),
        ((0,), True, r"IDX header declares an empty dimension, shape \(0,\)"),
        ((60000, 28, 2**32 - 1), True, r"corrupt IDX header: it declares a \(60000, 28, "
                                       r"4294967295\) array \(7,215,545,055,600,000 bytes\), "
                                       r"more than a gzip file of \d+ bytes can hold"),
        ((2**32 - 1,) * 4, False, r"corrupt or truncated IDX file: its header declares a "),
        ((2**32 - 1,) * 4, True, r"corrupt IDX header: it declares"),
    ],
)
def test_empty_and_huge_declared_sizes(tmp_path, dims, compress, message):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    data = idx_bytes(0x08, dims, bytes(16))
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ": " + message):
        read_idx(path)


# --- files checked against the published sha256 -------------------------------------------------


def fake_dataset(folder, rng=0, *, compress=True):
    rng = np.random.default_rng(rng)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for name in MNIST.sha256:
        n = 6 if name.startswith("train") else 4
        array = rng.integers(0, 10 if "labels" in name else 256,
                             (n,) if "labels" in name else (n, 28, 28), dtype=np.uint8)
        write_idx(folder / (name if compress else name.removesuffix(".gz")), array)
        arrays[name] = array
    return arrays


def published(monkeypatch, folder, *, gz=True, content=True, spec_name="MNIST"):
    """Make the files in ``folder`` the published ones (their .gz and/or content digests)."""
    spec = getattr(datasets, spec_name)
    gz_digests = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() if gz
                  else "0" * 64 for name in spec.sha256}
    contents = {name: read_idx(folder / name, digest=True)[1] for name in spec.sha256}
    replaced = dataclasses.replace(spec, sha256=gz_digests,
                                   content_sha256=contents if content else {})
    monkeypatch.setattr(datasets, spec_name, replaced)


def test_an_altered_cached_file_is_an_error_that_says_how_to_recover(no_env, monkeypatch):
    cache = no_env / "cache" / "nnlearn" / "mnist"
    fake_dataset(cache)
    published(monkeypatch, cache)
    load_mnist()  # the published files load
    write_idx(cache / TRAIN_IMAGES, np.zeros((6, 28, 28), np.uint8))  # altered afterwards
    message = (f"{cache / TRAIN_IMAGES}: not the published MNIST {TRAIN_IMAGES}: it matches "
               "neither the published .gz file")
    with pytest.raises(ValueError, match=re.escape(message) + ".*altered or damaged after "
                       r"nnlearn downloaded and verified it; delete it \(.*\) and load again: "
                       "a verified copy is downloaded"):
        load_mnist()


@pytest.mark.parametrize("compress", [True, False])
def test_recompressed_or_uncompressed_copies_pass_by_their_content(no_env, monkeypatch,
                                                                   compress):
    folder = no_env / "data"
    arrays = fake_dataset(folder, compress=compress)
    published(monkeypatch, folder if compress else _gz_twin(folder), gz=False)
    if compress:  # recompress at another level: other bytes, the same content
        for name in MNIST.sha256:
            content = gzip.decompress((folder / name).read_bytes())
            (folder / name).write_bytes(gzip.compress(content, compresslevel=1, mtime=1))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnverifiedDataWarning)
        (_, t), _ = load_mnist(data_dir=folder)
    np.testing.assert_array_equal(t, arrays["train-labels-idx1-ubyte.gz"])


def _gz_twin(folder):
    """The uncompressed files of ``folder`` as .gz files in a sibling folder (for digests)."""
    twin = folder.parent / "twin"
    twin.mkdir()
    for name in MNIST.sha256:
        (twin / name).write_bytes(gzip.compress((folder / name.removesuffix(".gz")).read_bytes()))
    return twin


def test_other_files_in_your_folder_load_with_a_warning_naming_them(no_env):
    folder = no_env / "data"
    fake_dataset(folder)
    with pytest.warns(UnverifiedDataWarning) as record:
        load_mnist(data_dir=folder)
    assert len(record) == 4 and record[0].filename == __file__
    assert str(record[0].message) == (
        f"{folder / TRAIN_IMAGES}: not the published MNIST {TRAIN_IMAGES}: it matches neither "
        "the published .gz file (sha256 440fcabf73cc546f...) or its decompressed content "
        "(sha256 ba891046e6505d7a...). It is loaded as found (only its IDX structure is "
        "checked); if it should be the original, replace it with a fresh copy, or remove it "
        "and let nnlearn download a verified one"
    )


def test_the_real_mnist_copy_is_verified_by_content(mnist_dir):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnverifiedDataWarning)
        for name in MNIST.sha256:  # recompressed copies: verified by their content
            path = datasets._find(name, [datasets.Path(mnist_dir)])
            assert read_idx(path, digest=True)[1] == MNIST.content_sha256[name]


def test_fashion_mnist_error_names_the_folder_it_looked_in(no_env, monkeypatch):
    env = no_env / "env"
    env.mkdir()
    monkeypatch.setenv("NNLEARN_DATA_DIR", str(env))
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist()
    message = str(info.value)
    assert f"Looked in {env / 'fashion-mnist'}" in message
    assert f"or put them in {env / 'fashion-mnist'} (NNLEARN_DATA_DIR is set)" in message
    assert "set NNLEARN_DATA_DIR to" not in message
    monkeypatch.delenv("NNLEARN_DATA_DIR")
    with pytest.raises(FileNotFoundError, match="or set NNLEARN_DATA_DIR to a folder with a "
                                                "fashion-mnist/ subfolder holding them"):
        load_fashion_mnist(download=False)
    assert FASHION_MNIST.content_sha256 == {}  # unknown: copies elsewhere are only warned about


# --- downloads cut short -----------------------------------------------------------------------


class Dropping(io.BytesIO):
    """A response that announces ``size`` bytes and ends after ``sent``: urllib's silent stop."""

    def __init__(self, data, size):
        super().__init__(data)
        self.headers = {"Content-Length": str(size)}


def test_a_dropped_connection_is_not_a_checksum_mismatch(tmp_path):
    data = bytes(range(256)) * 400
    digest = hashlib.sha256(data).hexdigest()

    def opener(url, timeout):
        return Dropping(data[:30_000], len(data))

    with pytest.raises(OSError, match=re.escape(
        "could not download f: https://m/f: the connection dropped after 30,000 of 102,400 "
        "bytes; try again"
    )) as info:
        _download.download_from_mirrors("f", ["https://m/"], tmp_path / "f", digest,
                                        opener=opener)
    assert not isinstance(info.value, _download.ChecksumError)
    assert list(tmp_path.iterdir()) == []


def test_http_client_incomplete_read_is_a_dropped_connection(tmp_path):
    import http.client

    class Incomplete(Dropping):
        def read(self, size=-1):
            raise http.client.IncompleteRead(b"x" * 10, 90)

    def opener(url, timeout):
        return Incomplete(b"", 100)

    with pytest.raises(OSError, match="the connection dropped after 10 of 100 bytes"):
        _download.download_from_mirrors("f", ["https://m/"], tmp_path / "f", "0" * 64,
                                        opener=opener)


# --- partial files of killed writers -----------------------------------------------------------


def killed_writer_part(folder):
    """A partial file left by a process killed with SIGKILL in the middle of a write."""
    script = (
        "import os, signal, sys; from nnlearn._shared.atomic import atomic_write\n"
        "with atomic_write(sys.argv[1]) as out:\n"
        "    out.write(b'x' * 1000); out.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(folder / "checkpoint.npz")], check=False)
    parts = sorted(folder.glob(".checkpoint.npz.*.part"))
    assert len(parts) == 1
    return parts[0]


def test_the_next_write_removes_a_killed_writers_part_file(tmp_path):
    left = killed_writer_part(tmp_path)
    with atomic_write(tmp_path / "other.json") as out:
        out.write(b"{}")
    assert not left.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json"]


def test_a_live_writers_part_file_is_left_alone(tmp_path):
    with atomic_write(tmp_path / "a.bin") as out:
        out.write(b"...")
        live = next(tmp_path.glob(".a.bin.*.part"))
        assert str(os.getpid()) in live.name
        with atomic_write(tmp_path / "b.bin") as other:  # another write to the same folder
            other.write(b"b")
        assert live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.bin"]


def test_old_or_unnamed_part_files_go_after_a_while(tmp_path):
    old = tmp_path / ".history.json.k2j3h4.part"  # no pid: an older naming
    old.write_bytes(b"x")
    young = tmp_path / ".history.json.zz9.part"
    young.write_bytes(b"x")
    mine = tmp_path / f".x.{os.getpid()}-abc.part"
    mine.write_bytes(b"x")
    other = tmp_path / "notes.part"  # not ours: no leading dot
    other.write_bytes(b"x")
    stamp = time.time() - STALE_AFTER - 10
    os.utime(old, (stamp, stamp))
    assert remove_stale_parts(tmp_path) == [old]
    assert remove_stale_parts(tmp_path, now=time.time() + 2 * STALE_AFTER) != []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.part"]
