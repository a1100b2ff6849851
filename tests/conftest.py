"""Shared fixtures: headless matplotlib, a seeded generator and the real-MNIST folder."""

import os

import numpy as np
import pytest
from hypothesis import settings

# No per-example deadline: a loaded CI machine must not turn a slow example into a failure.
settings.register_profile("nnlearn", deadline=None)
settings.load_profile("nnlearn")

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
