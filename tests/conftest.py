"""Shared fixtures: headless matplotlib, the seed's functions and a seeded generator."""

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def function_1(x):
    """The seed's one-variable example: 0.01 x^2 + 0.1 x."""
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    """The seed's two-variable example: x0^2 + x1^2."""
    return x[0] ** 2 + x[1] ** 2


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
