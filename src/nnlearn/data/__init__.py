"""Datasets: MNIST and Fashion-MNIST from IDX files (found, or downloaded and verified), the spiral.

The only package that reads datasets from disk or the network: the IDX reader
is ``_idx``, downloads are ``_download``.
"""

from nnlearn.data.datasets import (
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    load_test_set,
    make_spiral,
)

__all__ = ["load_dataset", "load_fashion_mnist", "load_mnist", "load_test_set", "make_spiral"]
