"""Tests of nnlearn.data.datasets: IDX files, MNIST loading, downloads and the spiral."""

import dataclasses
import gzip
import hashlib
import io
import os
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from nnlearn.data import _download, datasets
from nnlearn.data._idx import read_idx, write_idx
from nnlearn.data.datasets import (
    MNIST,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    make_spiral,
)

# Fake MNIST files in folders of the tests' own are not the published ones, and say so.
pytestmark = pytest.mark.filterwarnings("ignore::nnlearn.data._verify.UnverifiedDataWarning")


class TestMakeSpiral:
    def test_shapes_dtypes_and_labels(self):
        x, t = make_spiral(50, 3, noise=0.1, rng=0)
        assert x.shape == (150, 2) and x.dtype == np.float64
        assert t.dtype == np.int64
        np.testing.assert_array_equal(np.bincount(t), [50, 50, 50])

    def test_noise_free_points_follow_the_formula(self):
        x, t = make_spiral(5, 2, noise=0.0)
        r = np.tile(np.linspace(0, 1, 5), 2)
        theta = 4 * (t + r)
        np.testing.assert_allclose(x, np.c_[r * np.sin(theta), r * np.cos(theta)])

    def test_seeded_and_inside_unit_disc(self):
        a, _ = make_spiral(30, 4, noise=0.3, rng=7)
        b, _ = make_spiral(30, 4, noise=0.3, rng=np.random.default_rng(7))
        np.testing.assert_array_equal(a, b)
        assert np.all(np.hypot(a[:, 0], a[:, 1]) <= 1 + 1e-12)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"n_per_class": 0}, ValueError, "n_per_class must be an integer >= 1"),
            ({"n_classes": 2.5}, TypeError, "n_classes must be an integer"),
            ({"noise": -0.1}, ValueError, "noise must be a finite number >= 0"),
        ],
    )
    def test_errors(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            make_spiral(**kwargs)


# --------------------------------------------------------------------------- IDX files


def _fake_mnist(folder, n_train=6, n_test=4, *, rng=None):
    """Write four small MNIST-like IDX files; return the arrays written."""
    rng = np.random.default_rng(rng)
    arrays = {
        TRAIN_IMAGES: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        TRAIN_LABELS: rng.integers(0, 10, n_train, dtype=np.uint8),
        TEST_IMAGES: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        TEST_LABELS: rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(folder / name, array)
    return arrays


def trust(monkeypatch, folder):
    """Make the MNIST files in ``folder`` the published ones (their sha256 become MNIST's)."""
    digests = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
               for name in MNIST.sha256}
    monkeypatch.setattr(datasets, "MNIST", dataclasses.replace(MNIST, sha256=digests))


class TestIdx:
    @pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", "<i4", "f4", "f8"])
    @pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
    def test_round_trip(self, tmp_path, rng, dtype, name):
        array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
        write_idx(tmp_path / name, array)
        back = read_idx(tmp_path / name)
        np.testing.assert_array_equal(back, array)
        assert back.dtype == np.dtype(dtype).newbyteorder("=")

    def test_header_bytes_follow_the_format(self, tmp_path):
        write_idx(tmp_path / "labels.idx", np.array([7, 2, 1], dtype=np.uint8))
        assert (tmp_path / "labels.idx").read_bytes() == bytes(
            [0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 1]
        )

    def test_real_file_header(self, mnist_dir):
        labels = read_idx(os.path.join(mnist_dir, TEST_LABELS))
        assert labels.shape == (10000,) and labels.dtype == np.uint8
        np.testing.assert_array_equal(labels[:5], [7, 2, 1, 0, 4])

    def _raw(self, tmp_path):
        path = tmp_path / "x.idx"
        write_idx(path, np.arange(12, dtype=np.uint8).reshape(3, 4))
        return path, path.read_bytes()

    @pytest.mark.parametrize(
        ("mutate", "match"),
        [
            (lambda b: b[:-1], r"x\.idx: corrupt or truncated IDX file: its header declares a "
                               r"\(3, 4\) array \(12 bytes of data\), but the file holds 11"),
            (lambda b: b[:6], r"x\.idx: truncated IDX file: expected 8 bytes of dimensions"),
            (lambda b: b[:2], r"x\.idx: truncated IDX file: expected 4 bytes of header"),
            (lambda b: b + b"\x00", r"x\.idx: corrupt or truncated IDX file: .* holds 13 after"),
            (lambda b: b"\x01" + b[1:], r"x\.idx: not an IDX file"),
            (lambda b: b[:2] + b"\x07" + b[3:], r"x\.idx: unknown IDX type code 0x07"),
            (lambda b: b[:3] + b"\x00" + b[4:], r"x\.idx: IDX header declares 0 dimensions"),
        ],
    )
    def test_corrupt_raw_files_are_named(self, tmp_path, mutate, match):
        path, data = self._raw(tmp_path)
        path.write_bytes(mutate(data))
        with pytest.raises(ValueError, match=match):
            read_idx(path)

    def test_truncated_gzip_is_named(self, tmp_path):
        path = tmp_path / "x.idx.gz"
        write_idx(path, np.arange(1000, dtype=np.uint8))
        path.write_bytes(path.read_bytes()[:-20])
        with pytest.raises(ValueError, match=r"x\.idx\.gz: corrupt or truncated gzip file"):
            read_idx(path)

    def test_corrupt_gzip_is_named(self, tmp_path):
        path = tmp_path / "x.idx.gz"
        write_idx(path, np.arange(100, dtype=np.uint8))
        data = bytearray(path.read_bytes())
        data[-8] ^= 0xFF  # the CRC-32 of the content
        path.write_bytes(bytes(data))
        with pytest.raises(ValueError, match=r"x\.idx\.gz: corrupt or truncated gzip file"):
            read_idx(path)

    def test_write_refuses_unknown_dtype(self, tmp_path):
        with pytest.raises(ValueError, match="dtype complex128 has no IDX type code"):
            write_idx(tmp_path / "c.idx", np.zeros(2, complex))


# --------------------------------------------------------------------------- loading


class TestLoadMnist:
    def test_data_dir_shapes_normalisation_and_labels(self, no_env):
        arrays = _fake_mnist(no_env / "data", rng=1)
        (x, t), (x_test, t_test) = load_mnist(data_dir=no_env / "data")
        assert x.shape == (6, 784) and x.dtype == np.float32
        assert x_test.shape == (4, 784)
        np.testing.assert_array_equal(x, arrays[TRAIN_IMAGES].reshape(6, -1) / np.float32(255))
        np.testing.assert_array_equal(t, arrays[TRAIN_LABELS])
        np.testing.assert_array_equal(t_test, arrays[TEST_LABELS])
        assert t.dtype == np.int64

    def test_book_options(self, no_env):
        arrays = _fake_mnist(no_env / "data", rng=2)
        (x, t), _ = load_mnist(
            normalize=False, flatten=False, one_hot_label=True, data_dir=no_env / "data",
            dtype=np.float64,
        )
        assert x.shape == (6, 1, 28, 28) and x.dtype == np.float64
        np.testing.assert_array_equal(x[:, 0], arrays[TRAIN_IMAGES])
        np.testing.assert_array_equal(t, np.eye(10)[arrays[TRAIN_LABELS]])
        (x8, _), _ = load_mnist(normalize=False, data_dir=no_env / "data", dtype=np.uint8)
        assert x8.dtype == np.uint8

    def test_load_dataset_pixels(self, no_env):
        arrays = _fake_mnist(no_env / "data", rng=7)
        (x, t), (x_test, _) = load_dataset("mnist", data_dir=no_env / "data", pixels=True)
        assert x.dtype == x_test.dtype == np.uint8 and x.shape == (6, 784)
        np.testing.assert_array_equal(x.reshape(-1, 28, 28), arrays[TRAIN_IMAGES])
        np.testing.assert_array_equal(t, arrays[TRAIN_LABELS])
        (spiral, _), _ = load_dataset("spiral", dtype=np.float64, pixels=True)  # no pixels
        assert spiral.dtype == np.float64

    def test_uncompressed_files_and_dataset_subfolder(self, no_env):
        arrays = _fake_mnist(no_env / "data" / "mnist", rng=3)
        for name in list(arrays):
            path = no_env / "data" / "mnist" / name
            path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
            path.unlink()
        (x, _), _ = load_mnist(data_dir=no_env / "data", normalize=False)
        np.testing.assert_array_equal(x.reshape(-1, 28, 28), arrays[TRAIN_IMAGES])

    def test_search_order_data_dir_env_cache(self, no_env, monkeypatch):
        first = _fake_mnist(no_env / "a", rng=4)
        _fake_mnist(no_env / "env", rng=5)
        cached = _fake_mnist(no_env / "cache" / "nnlearn" / "mnist", rng=6)
        trust(monkeypatch, no_env / "cache" / "nnlearn" / "mnist")  # the cache is checked
        monkeypatch.setenv("NNLEARN_DATA_DIR", str(no_env / "env"))
        (_, t), _ = load_mnist(data_dir=no_env / "a")
        np.testing.assert_array_equal(t, first[TRAIN_LABELS])
        env = read_idx(no_env / "env" / TRAIN_LABELS)
        np.testing.assert_array_equal(load_mnist()[0][1], env)
        monkeypatch.delenv("NNLEARN_DATA_DIR")
        np.testing.assert_array_equal(load_mnist()[0][1], cached[TRAIN_LABELS])

    def test_fashion_mnist_ignores_flat_mnist_in_env_folder(self, no_env, monkeypatch):
        _fake_mnist(no_env / "env", rng=7)
        fashion = _fake_mnist(no_env / "env" / "fashion-mnist", rng=8)
        monkeypatch.setenv("NNLEARN_DATA_DIR", str(no_env / "env"))
        (_, t), _ = load_fashion_mnist()
        np.testing.assert_array_equal(t, fashion[TRAIN_LABELS])

    def test_offline_says_how_to_pass_a_folder(self, no_env):
        with pytest.raises(FileNotFoundError, match=r"could not be downloaded.*--data-dir DIR"):
            load_mnist()
        with pytest.raises(FileNotFoundError, match=r"not found\. Looked in .*NNLEARN_DATA_DIR"):
            load_mnist(download=False)
        assert not any((no_env / "cache").rglob("*.*"))

    def test_mismatched_files_are_named(self, no_env):
        folder = no_env / "data"
        _fake_mnist(folder, rng=9)
        write_idx(folder / TRAIN_LABELS, np.zeros(5, np.uint8))
        with pytest.raises(ValueError, match=r"labels-idx1-ubyte.gz: expected 6 uint8 labels"):
            load_mnist(data_dir=folder)
        write_idx(folder / TRAIN_LABELS, np.full(6, 10, np.uint8))
        with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.gz: labels must be < 10"):
            load_mnist(data_dir=folder)
        write_idx(folder / TRAIN_IMAGES, np.zeros((6, 784), np.uint8))
        with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz: expected uint8 images"):
            load_mnist(data_dir=folder)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"dtype": np.int32}, ValueError, "dtype must be a floating type"),
            ({"dtype": np.uint8}, ValueError, r"or uint8 with normalize=False"),
            ({"data_dir": "/no/such/folder"}, FileNotFoundError, "is not a folder"),
        ],
    )
    def test_argument_errors(self, no_env, kwargs, error, match):
        with pytest.raises(error, match=match):
            load_mnist(**kwargs)

    def test_real_mnist(self, mnist_dir):
        (x, t), (x_test, t_test) = load_mnist(data_dir=mnist_dir)
        assert x.shape == (60000, 784) and x_test.shape == (10000, 784)
        assert x.dtype == x_test.dtype == np.float32
        assert t.shape == (60000,) and t_test.shape == (10000,)
        assert 0.0 == x.min() and x.max() == 1.0
        np.testing.assert_array_equal(
            np.bincount(t_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        )
        np.testing.assert_array_equal(t[:5], [5, 0, 4, 1, 9])


# --------------------------------------------------------------------------- downloads


class FakeResponse(io.BytesIO):
    """What urlopen returns, from bytes: read(), headers and a context manager."""

    def __init__(self, data):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def _served(files):
    """A fake urlopen serving ``files`` (name -> bytes) at any mirror; records the URLs."""
    calls = []

    def opener(url, timeout):
        calls.append(url)
        name = url.rsplit("/", 1)[-1]
        if name not in files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        return FakeResponse(files[name])

    return opener, calls


def _gz_files(tmp_path):
    _fake_mnist(tmp_path / "src", rng=10)
    return {name: (tmp_path / "src" / name).read_bytes() for name in MNIST.sha256}


class TestDownload:
    def test_download_verifies_and_caches(self, no_env, monkeypatch):
        files = _gz_files(no_env)
        spec = dataclasses.replace(
            MNIST, sha256={name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        )
        opener, calls = _served(files)
        monkeypatch.setattr(_download, "urlopen", opener)
        monkeypatch.setattr(datasets, "MNIST", spec)
        (x, _), _ = load_mnist(normalize=False)
        cache = no_env / "cache" / "nnlearn" / "mnist"
        assert sorted(p.name for p in cache.iterdir()) == sorted(files)
        assert all(url.startswith(MNIST.mirrors[0]) for url in calls) and len(calls) == 4
        np.testing.assert_array_equal(x.reshape(-1, 28, 28), read_idx(cache / TRAIN_IMAGES))
        load_mnist()  # the second load reads the cache: no more requests
        assert len(calls) == 4

    def test_checksum_mismatch_leaves_no_file(self, no_env, monkeypatch):
        opener, calls = _served(_gz_files(no_env))  # not the published bytes
        monkeypatch.setattr(_download, "urlopen", opener)
        with pytest.raises(ValueError, match="sha256 mismatch"):
            load_mnist()
        assert len(calls) == len(MNIST.mirrors)  # every mirror was tried
        cache = no_env / "cache" / "nnlearn"
        assert [p for p in cache.rglob("*") if p.is_file()] == []

    def test_next_mirror_after_a_dead_one(self, tmp_path):
        data = b"payload"
        opener, calls = _served({"f.bin": data})

        def flaky(url, timeout):
            if url.startswith("https://dead/"):
                raise urllib.error.URLError("403 Forbidden")
            return opener(url, timeout)

        dest = tmp_path / "f.bin"
        _download.download_from_mirrors(
            "f.bin", ["https://dead/", "https://alive/"], dest,
            hashlib.sha256(data).hexdigest(), opener=flaky,
        )
        assert dest.read_bytes() == data and calls == ["https://alive/f.bin"]

    def test_interrupted_download_leaves_no_file(self, tmp_path):
        class Broken(FakeResponse):
            def read(self, size=-1):
                if self.tell() > 0:
                    raise ConnectionResetError("connection reset")
                return super().read(size)

        def opener(url, timeout):
            return Broken(bytes(300_000))

        with pytest.raises(OSError, match="connection reset"):
            _download.download_from_mirrors("f", ["https://m/"], tmp_path / "f", "0" * 64,
                                            opener=opener)
        assert list(tmp_path.iterdir()) == []


def test_the_test_set_alone_needs_only_its_two_files(tmp_path, monkeypatch, mnist_dir):
    """``evaluate`` reads the test files only: no download of the training images."""
    import shutil

    from nnlearn.data import load_dataset, load_test_set

    monkeypatch.delenv("NNLEARN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_download, "urlopen", lambda *a, **k: pytest.fail("tried to download"))
    folder = tmp_path / "only-test"
    folder.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(Path(mnist_dir) / name, folder / name)
    x_test, t_test = load_test_set("mnist", data_dir=folder)
    (_, _), (x_ref, t_ref) = load_dataset("mnist", data_dir=mnist_dir)
    np.testing.assert_array_equal(x_test, x_ref)
    np.testing.assert_array_equal(t_test, t_ref)
    pixels, _ = load_test_set("mnist", data_dir=mnist_dir, pixels=True)
    assert pixels.dtype == np.uint8 and np.array_equal(pixels / np.float32(255), x_ref)
