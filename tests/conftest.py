"""Shared fixtures: headless matplotlib, a seeded generator and the real-MNIST folder."""

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A fresh generator with a fixed seed, so every test is reproducible."""
    return np.random.default_rng(0)


@pytest.fixture
def mnist_dir():
    """The folder with real MNIST, from NNLEARN_DATA_DIR; skip when it is unset."""
    path = os.environ.get("NNLEARN_DATA_DIR")
    if not path:
        pytest.skip("real MNIST needed: set NNLEARN_DATA_DIR to a folder with the MNIST .gz files")
    return path
