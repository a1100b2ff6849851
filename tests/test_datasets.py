"""Tests of nnlearn.datasets: IDX files, MNIST loading, downloads and the spiral."""

import numpy as np
import pytest

from nnlearn.datasets import make_spiral


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
