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


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    """``quick_run(name)``: the quick version of an experiment, run once per session into a
    folder; the MNIST ones are skipped without NNLEARN_DATA_DIR."""
    from nnlearn.experiments import get_experiment, run_experiment

    runs = {}

    def run(name):
        if name not in runs:
            if get_experiment(name).uses_mnist and not os.environ.get("NNLEARN_DATA_DIR"):
                pytest.skip("real MNIST needed: set NNLEARN_DATA_DIR to a folder with the "
                            "MNIST .gz files")
            out = tmp_path_factory.mktemp(name)
            runs[name] = run_experiment(name, out, quick=True, progress=False)
        return runs[name]

    return run
