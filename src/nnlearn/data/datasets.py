"""Datasets for training: MNIST and Fashion-MNIST from IDX files, and an embedded spiral.

This is the only module (with its private helpers :mod:`nnlearn.data._idx` and
:mod:`nnlearn.data._download`) that touches files or the network. The spiral needs
neither: it is generated from a seed.

Where the IDX files are looked for, in order: the ``data_dir`` argument, the
``NNLEARN_DATA_DIR`` environment variable, then the user cache
(``$XDG_CACHE_HOME/nnlearn`` or ``~/.cache/nnlearn``); if none has them they
are downloaded into the cache from the mirrors that PyTorch and TensorFlow
use, each file checked against its published sha256.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from nnlearn._shared.validation import check_non_negative_finite, check_positive_int, make_rng
from nnlearn.data import _download
from nnlearn.data._verify import read_verified

#: The four IDX files of MNIST and of Fashion-MNIST, which reuses MNIST's names.
TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
N_CLASSES = 10


@dataclass(frozen=True)
class IdxDataset:
    """Where an MNIST-like dataset's IDX files come from and how to check them.

    ``sha256`` holds the digest of each ``.gz`` file as the mirrors serve it
    (published with TensorFlow Datasets' checksums); ``content_sha256`` that
    of its decompressed content, which recompressed copies keep (known for
    MNIST). ``flat_env`` says whether the files may sit directly in
    ``NNLEARN_DATA_DIR`` rather than in its ``<name>/`` subfolder.
    """

    name: str
    title: str
    mirrors: tuple[str, ...]
    sha256: dict[str, str]
    content_sha256: dict[str, str] = field(default_factory=dict)
    flat_env: bool = False


MNIST = IdxDataset(
    name="mnist",
    title="MNIST",
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch (torchvision)
        "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow
    ),
    sha256={
        TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    content_sha256={
        TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    flat_env=True,
)

FASHION_MNIST = IdxDataset(
    name="fashion-mnist",
    title="Fashion-MNIST",
    mirrors=(
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",  # TensorFlow (Keras)
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",  # the authors' host
    ),
    sha256={
        TRAIN_IMAGES: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        TRAIN_LABELS: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        TEST_IMAGES: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        TEST_LABELS: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
)


def cache_dir() -> Path:
    """The user cache of nnlearn: ``$XDG_CACHE_HOME/nnlearn``, else ``~/.cache/nnlearn``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "nnlearn"


def _search_folders(spec: IdxDataset, data_dir: str | os.PathLike | None) -> list[Path]:
    folders = []
    if data_dir is not None:
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            raise FileNotFoundError(f"data_dir {str(data_dir)!r} is not a folder")
        folders += [data_dir, data_dir / spec.name]
    env_dir = os.environ.get("NNLEARN_DATA_DIR")
    if env_dir:
        folders += [Path(env_dir)] if spec.flat_env else []
        folders.append(Path(env_dir) / spec.name)
    folders.append(cache_dir() / spec.name)
    return folders


def _find(filename: str, folders: list[Path]) -> Path | None:
    for folder in folders:
        for candidate in (folder / filename, folder / filename.removesuffix(".gz")):
            if candidate.is_file():
                return candidate
    return None


def _locate(
    spec: IdxDataset, data_dir: str | os.PathLike | None, download: bool,
    names: tuple[str, ...] | None = None,
) -> dict[str, Path]:
    """The paths of the files ``names`` (all four by default), found or downloaded."""
    folders = _search_folders(spec, data_dir)
    paths = {name: _find(name, folders) for name in (names or tuple(spec.sha256))}
    missing = [name for name, path in paths.items() if path is None]
    if not missing:
        return paths
    looked = ", ".join(str(folder) for folder in folders)
    how_to = f"Looked in {looked}. {_how_to(spec)}"
    if not download:
        raise FileNotFoundError(f"{spec.title} files {missing} not found. {how_to}")
    for name in missing:
        try:
            paths[name] = _download.download_from_mirrors(
                name, spec.mirrors, cache_dir() / spec.name / name, spec.sha256[name]
            )
        except OSError as error:  # a checksum mismatch (ValueError) propagates as it is
            raise FileNotFoundError(
                f"{spec.title} is not on this machine and could not be downloaded ({error}). "
                f"{how_to}"
            ) from None
    return paths


def _how_to(spec: IdxDataset) -> str:
    """How to give nnlearn the files: a folder argument, or NNLEARN_DATA_DIR as it is now."""
    files = f"the four {spec.title} .gz files ({', '.join(spec.sha256)})"
    env_dir = os.environ.get("NNLEARN_DATA_DIR")
    if env_dir:
        folder = Path(env_dir) / spec.name
        env = f"put them in {folder}" + (f" or in {env_dir}" if spec.flat_env else "") + (
            " (NNLEARN_DATA_DIR is set)"
        )
    elif spec.flat_env:
        env = "set NNLEARN_DATA_DIR to a folder holding them"
    else:
        env = f"set NNLEARN_DATA_DIR to a folder with a {spec.name}/ subfolder holding them"
    return f"Put {files} in a folder and pass it as data_dir= (command line: --data-dir DIR), " \
        f"or {env}."


def _read(spec: IdxDataset, name: str, path: Path) -> np.ndarray:
    """The array of file ``name`` at ``path``, checked against the published digests."""
    in_cache = path.is_relative_to(cache_dir())
    return read_verified(
        path, spec.title, spec.sha256[name], spec.content_sha256.get(name), in_cache=in_cache
    )


def _check_dtype(dtype: DTypeLike, normalize: bool) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f" and not (dtype == np.uint8 and not normalize):
        raise ValueError(
            f"dtype must be a floating type (or uint8 with normalize=False), got {dtype}"
        )
    return dtype


def _split(
    spec: IdxDataset, paths: dict[str, Path], images_name: str, labels_name: str, *,
    normalize: bool, flatten: bool, one_hot_label: bool, dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray]:
    images_path, labels_path = paths[images_name], paths[labels_name]
    images = _read(spec, images_name, images_path)
    labels = _read(spec, labels_name, labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (N, rows, cols), "
            f"got {images.dtype} {images.shape}"
        )
    if labels.shape != images.shape[:1] or labels.dtype != np.uint8:
        raise ValueError(
            f"{labels_path}: expected {images.shape[0]} uint8 labels to match {images_path.name}, "
            f"got {labels.dtype} {labels.shape}"
        )
    if labels.size and labels.max() >= N_CLASSES:
        raise ValueError(f"{labels_path}: labels must be < {N_CLASSES}, got {labels.max()}")
    shape = (len(images), -1) if flatten else (len(images), 1, *images.shape[1:])
    x = images.reshape(shape).astype(dtype, copy=False)  # the one conversion from uint8
    if normalize:
        np.divide(x, 255, out=x)
    t = np.eye(N_CLASSES, dtype=dtype)[labels] if one_hot_label else labels.astype(np.int64)
    return x, t


def _load(
    spec: IdxDataset, normalize: bool, flatten: bool, one_hot_label: bool,
    data_dir: str | os.PathLike | None, dtype: DTypeLike, download: bool,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    dtype = _check_dtype(dtype, normalize)
    paths = _locate(spec, data_dir, download)
    options = {
        "normalize": normalize, "flatten": flatten, "one_hot_label": one_hot_label, "dtype": dtype
    }
    train = _split(spec, paths, TRAIN_IMAGES, TRAIN_LABELS, **options)
    test = _split(spec, paths, TEST_IMAGES, TEST_LABELS, **options)
    return train, test


_LOAD_DOC = """Load {title} as ``((x_train, t_train), (x_test, t_test))``, the book's layout.

    Parameters
    ----------
    normalize : bool, default True
        Scale pixels from 0..255 to [0, 1] (:math:`x / 255`).
    flatten : bool, default True
        Images as rows of 784 values; otherwise shape (N, 1, 28, 28).
    one_hot_label : bool, default False
        Labels as one-hot rows (N, 10) of ``dtype``; otherwise int64 labels (N,).
    data_dir : str or path, optional
        A folder holding the four IDX files (``.gz`` or uncompressed), looked in
        first; then ``NNLEARN_DATA_DIR``, then the user cache.
    dtype : numpy dtype, default float32
        Type of the images (converted once from the files' uint8).
    download : bool, default True
        Download missing files into the user cache (sha256-verified, atomic).

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
        60,000 training and 10,000 test samples.

    Raises
    ------
    FileNotFoundError
        The files are nowhere and cannot be downloaded; says how to pass a folder.
    ValueError
        A file is truncated or corrupt (named in the message), or a download's
        checksum does not match (nothing is kept).
    """


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    data_dir: str | os.PathLike | None = None,
    dtype: DTypeLike = np.float32,
    download: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    return _load(MNIST, normalize, flatten, one_hot_label, data_dir, dtype, download)


def load_fashion_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    data_dir: str | os.PathLike | None = None,
    dtype: DTypeLike = np.float32,
    download: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    return _load(FASHION_MNIST, normalize, flatten, one_hot_label, data_dir, dtype, download)


load_mnist.__doc__ = _LOAD_DOC.format(title="MNIST (handwritten digits)")
load_fashion_mnist.__doc__ = _LOAD_DOC.format(title="Fashion-MNIST (Zalando's clothing images)")


def make_spiral(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    rng: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved 2-D spiral arms, one per class: a dataset no straight line separates.

    .. math:: x = r (\\sin\\theta, \\cos\\theta),\\ r \\in [0, 1],\\
              \\theta = 4(k + r) + \\varepsilon,\\ \\varepsilon \\sim N(0, \\mathrm{noise}^2)

    Parameters
    ----------
    n_per_class : int, default 100
        Points per arm (>= 1).
    n_classes : int, default 3
        Number of arms, that is classes (>= 1).
    noise : float, default 0.2
        Standard deviation of the angle noise, in radians (>= 0).
    rng : int or numpy.random.Generator, optional
        Seed or generator for the noise.

    Returns
    -------
    x : numpy.ndarray, shape (n_per_class * n_classes, 2), float64
        Points, class after class, inside the unit disc.
    t : numpy.ndarray, shape (n_per_class * n_classes,), int64
        Class labels ``0 .. n_classes - 1``.

    Examples
    --------
    >>> x, t = make_spiral(4, 2, noise=0.0)
    >>> x.shape, t.tolist()
    ((8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
    >>> x[3].round(4)
    array([-0.7568, -0.6536])
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    n_classes = check_positive_int(n_classes, "n_classes")
    noise = check_non_negative_finite(noise, "noise")
    rng = make_rng(rng)
    radius = np.linspace(0.0, 1.0, n_per_class) if n_per_class > 1 else np.zeros(1)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * (labels + np.tile(radius, n_classes))
    theta += noise * rng.standard_normal(theta.shape)
    r = np.tile(radius, n_classes)
    x = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return x, labels.astype(np.int64)


#: Names accepted by :func:`load_dataset` (and ``nnlearn train --dataset``).
DATASETS = ("mnist", "fashion-mnist", "spiral")
#: Size of the spiral dataset of :func:`load_dataset`: points per arm, arms, angle noise.
SPIRAL = {"n_per_class": 100, "n_classes": 3, "noise": 0.2}


def load_dataset(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    dtype: DTypeLike = np.float32,
    seed: int | None = 0,
    pixels: bool = False,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Training and test sets by name: ``"mnist"``, ``"fashion-mnist"`` or ``"spiral"``.

    The images come flattened and normalised with integer labels; with
    ``pixels=True`` they stay uint8 pixel values 0..255 instead (a quarter of
    float32's memory; the Trainer divides each batch by 255), and ``dtype``
    applies to the spiral only. The spiral's training set is drawn with
    ``seed`` and its test set, of the same size, with ``seed + 1``.

    Examples
    --------
    >>> (x, t), (x_test, t_test) = load_dataset("spiral", seed=0)
    >>> x.shape, x.dtype, x_test.shape
    ((300, 2), dtype('float32'), (300, 2))
    """
    images = {"normalize": False, "dtype": np.uint8} if pixels else {"dtype": dtype}
    if name == "mnist":
        return load_mnist(data_dir=data_dir, **images)
    if name == "fashion-mnist":
        return load_fashion_mnist(data_dir=data_dir, **images)
    if name == "spiral":
        seed = 0 if seed is None else seed
        x, t = make_spiral(**SPIRAL, rng=seed)
        x_test, t_test = make_spiral(**SPIRAL, rng=seed + 1)
        return (x.astype(dtype), t), (x_test.astype(dtype), t_test)
    raise ValueError(f"dataset must be one of {DATASETS}, got {name!r}")


def load_test_set(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    dtype: DTypeLike = np.float32,
    seed: int | None = 0,
    pixels: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The test set of :func:`load_dataset`, reading (or downloading) only its two files.

    ``dtype``, ``seed`` and ``pixels`` as in :func:`load_dataset`.

    Examples
    --------
    >>> x_test, t_test = load_test_set("spiral", seed=0)
    >>> np.array_equal(x_test, load_dataset("spiral", seed=0)[1][0])
    True
    """
    if name == "spiral":
        seed = 0 if seed is None else seed
        x_test, t_test = make_spiral(**SPIRAL, rng=seed + 1)
        return x_test.astype(dtype), t_test
    specs = {"mnist": MNIST, "fashion-mnist": FASHION_MNIST}
    if name not in specs:
        raise ValueError(f"dataset must be one of {DATASETS}, got {name!r}")
    spec = specs[name]
    dtype = np.uint8 if pixels else dtype
    options = {"normalize": not pixels, "flatten": True, "one_hot_label": False,
               "dtype": _check_dtype(dtype, not pixels)}
    paths = _locate(spec, data_dir, True, (TEST_IMAGES, TEST_LABELS))
    return _split(spec, paths, TEST_IMAGES, TEST_LABELS, **options)
