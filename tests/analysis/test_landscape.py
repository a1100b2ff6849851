"""Loss landscapes: lines, planes, filter normalisation and projected paths."""

import numpy as np
import pytest

from nnlearn import MultiLayerNet, TwoLayerNet
from nnlearn.analysis import (
    filter_normalized_direction,
    loss_line,
    loss_surface,
    trajectory_directions,
)


@pytest.fixture
def problem(rng):
    net = MultiLayerNet(4, [6, 5], 3, activation="tanh", weight_decay_lambda=0.1, rng=0)
    return net, rng.standard_normal((12, 4)), rng.integers(0, 3, 12)


def _loss_at(net, x, t, params):
    twin = net.astype(np.float64)
    for name, value in params.items():
        twin.params[name][...] = value
    return twin.loss(x, t)


def test_surface_points_are_the_loss_of_the_moved_network(problem):
    net, x, t = problem
    centred = loss_surface(net, x, t, num=5, rng=3)
    assert centred.losses[2, 2] == pytest.approx(net.loss(x, t), rel=1e-13)  # the centre
    surface = loss_surface(net, x, t, num=5, span=((-1.0, 1.0), (-0.5, 2.0)), rng=3)
    d1, d2 = surface.directions
    for i, j in [(0, 0), (4, 1), (3, 4)]:
        a, b = surface.alphas[j], surface.betas[i]
        moved = {k: p + a * d1[k] + b * d2[k] for k, p in net.params.items()}
        assert surface.losses[i, j] == pytest.approx(_loss_at(net, x, t, moved), rel=1e-12)


def test_given_directions_and_many_points_in_batches(problem, monkeypatch):
    from nnlearn.analysis import landscape

    net, x, t = problem
    directions = [filter_normalized_direction(net, rng=s, include_biases=True) for s in (1, 2)]
    whole = loss_surface(net, x, t, num=7, directions=directions)
    monkeypatch.setattr(landscape, "_VALUES_PER_BATCH", 100)  # a few points per batch
    np.testing.assert_allclose(loss_surface(net, x, t, num=7, directions=directions).losses,
                               whole.losses, rtol=1e-14)


def test_filter_normalisation_keeps_each_columns_norm(problem):
    net, *_ = problem
    d = filter_normalized_direction(net, rng=0)
    for name, p in net.params.items():
        if p.ndim == 2:
            np.testing.assert_allclose(np.linalg.norm(d[name], axis=0),
                                       np.linalg.norm(p, axis=0), rtol=1e-13)
        else:
            assert not d[name].any()
    with_biases = filter_normalized_direction(net, rng=0, include_biases=True)
    net.params["b1"][:] = 0.5
    with_biases = filter_normalized_direction(net, rng=0, include_biases=True)
    assert np.linalg.norm(with_biases["b1"]) == pytest.approx(np.linalg.norm(net.params["b1"]))


def test_line_between_two_sets_of_weights(problem):
    net, x, t = problem
    start = {k: p * 0.1 for k, p in net.params.items()}
    line = loss_line(net, x, t, start, net.params, num=11, span=(-0.5, 1.5))
    assert line.alphas[0] == -0.5 and line.alphas[-1] == 1.5
    for alpha, value in zip(line.alphas[::5], line.losses[::5], strict=True):
        point = {k: start[k] + alpha * (net.params[k] - start[k]) for k in start}
        assert value == pytest.approx(_loss_at(net, x, t, point), rel=1e-12)


def test_trajectory_coordinates_reconstruct_a_planar_path(rng):
    net = TwoLayerNet(3, 4, 2, rng=0)
    u, v = ({k: rng.standard_normal(p.shape) for k, p in net.params.items()} for _ in range(2))
    coefficients = [(2.0, 1.0), (1.0, 0.5), (0.3, -0.4), (0.0, 0.0)]
    path = [{k: net.params[k] + a * u[k] + b * v[k] for k in u} for a, b in coefficients]
    trajectory = trajectory_directions(net, path)
    assert trajectory.explained.sum() == pytest.approx(1.0)
    d1, d2 = trajectory.directions
    for (c1, c2), point in zip(trajectory.coords, path, strict=True):
        for k in u:
            np.testing.assert_allclose(net.params[k] + c1 * d1[k] + c2 * d2[k], point[k],
                                       atol=1e-12)
    assert trajectory.coords[0, 0] < 0


def test_landscape_bad_input(problem):
    net, x, t = problem
    with pytest.raises(ValueError, match="directions must be 'filter' or two dicts"):
        loss_surface(net, x, t, directions="random")
    with pytest.raises(ValueError, match="span\\[0\\] must be two finite numbers with low < high"):
        loss_surface(net, x, t, span=((1.0, -1.0), (0.0, 1.0)))
    with pytest.raises(ValueError, match="end must have the keys of net.params"):
        loss_line(net, x, t, net.params, {"W1": net.params["W1"]})
    with pytest.raises(ValueError, match="path must hold at least 2 sets of weights, got 1"):
        trajectory_directions(net, [net.params])
