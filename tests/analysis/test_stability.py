"""The step-size limit 2/λ_max on quadratics; the sharpness and the path recorded in training."""

import numpy as np
import pytest

from nnlearn import SGD, DivergenceError, Trainer, TwoLayerNet, function_2, gradient_descent
from nnlearn.analysis import NetworkLoss, SharpnessTracker, TrajectoryRecorder, top_eigenvalues
from nnlearn.analysis.stability import step_size_limit


def elongated(x):
    return x[0] ** 2 / 20 + x[1] ** 2


@pytest.mark.parametrize(("f", "eigenvalues"), [(function_2, [2.0, 2.0]),
                                                (elongated, [0.1, 2.0])])
def test_quadratics_have_the_limit_two_over_lambda_max(f, eigenvalues):
    for point in ([-3.0, 4.0], [0.5, -7.0]):
        limit = step_size_limit(f, point)
        np.testing.assert_allclose(limit.eigenvalues, eigenvalues, rtol=1e-10)  # numerical H
        assert limit.sharpness == pytest.approx(2.0, rel=1e-12)
        assert limit.limit == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("f", [function_2, elongated])
def test_just_below_the_limit_converges_and_just_above_diverges(f):
    start = np.array([-3.0, 4.0])
    below = gradient_descent(f, start, lr=0.99, step_num=3000)
    assert np.linalg.norm(below) < 1e-12
    try:
        above = gradient_descent(f, start, lr=1.01, step_num=3000)
    except DivergenceError:
        return
    assert np.linalg.norm(above) > 1e6 * np.linalg.norm(start)


def test_the_seeds_two_failures_follow_from_the_factors():
    limit = step_size_limit(function_2, [-3.0, 4.0])
    factor = limit.factors(10.0)[0]
    assert factor == pytest.approx(-19.0, rel=1e-12)
    _, path = gradient_descent(function_2, [-3.0, 4.0], lr=10.0, step_num=5, return_path=True)
    np.testing.assert_allclose(path[1:] / path[:-1], -19.0, rtol=1e-6)
    slow = gradient_descent(function_2, [-3.0, 4.0], lr=1e-10, step_num=100)
    moved = 1 - slow / np.array([-3.0, 4.0])
    np.testing.assert_allclose(moved, 1 - limit.factors(1e-10)[0] ** 100, rtol=1e-4)
    assert moved[0] == pytest.approx(2e-8, rel=1e-4)
    assert limit.factors(0.5)[0] == pytest.approx(0.0, abs=1e-15)  # lr = 0.5: there in one step


@pytest.fixture
def spiral():
    from nnlearn import make_spiral

    return make_spiral(30, 3, rng=0)


def test_sharpness_tracker_records_lambda_max_at_each_evaluation(spiral):
    x, t = spiral
    net = TwoLayerNet(2, 10, 3, weight_init_std=1.0, rng=0)
    tracker = SharpnessTracker(x, t, every=10)
    trainer = Trainer(net, SGD(2.0), x, t, iters=30, batch_size=len(x), eval_every=5,
                      callbacks=[tracker], quiet=True)
    trainer.run()
    assert tracker.steps == [0, 10, 20, 30]
    assert tracker.lrs == [2.0] * 4 and tracker.limits == [1.0] * 4
    final = top_eigenvalues(net, x, t, k=1).values[0]
    assert tracker.sharpness[-1] == pytest.approx(final, rel=1e-7)
    assert tracker.losses[-1] == pytest.approx(net.loss(x, t), rel=1e-12)
    assert tracker.losses[-1] < tracker.losses[0]
    assert tracker.to_dict()["sharpness"] == tracker.sharpness
    assert tracker.n_hvp > 0


def test_trajectory_recorder_keeps_copies(spiral):
    x, t = spiral
    net = TwoLayerNet(2, 10, 3, weight_init_std=1.0, rng=0)
    recorder = TrajectoryRecorder()
    Trainer(net, SGD(0.5), x, t, iters=10, batch_size=len(x), eval_every=5,
            callbacks=[recorder], quiet=True).run()
    assert recorder.steps == [0, 5, 10]
    np.testing.assert_array_equal(recorder.params[-1]["W1"], net.params["W1"])
    assert not np.array_equal(recorder.params[0]["W1"], net.params["W1"])


def test_tracker_bad_input(spiral):
    x, t = spiral
    with pytest.raises(ValueError, match="every must be an integer >= 1, got 0"):
        SharpnessTracker(x, t, every=0)
    with pytest.raises(ValueError, match="record must be a dict with the keys steps, sharpness"):
        SharpnessTracker(x, t, record={"steps": [0]})
    with pytest.raises(ValueError, match=r"record's lists must have one length, got lengths "
                                         r"\[2, 1, 1, 1\]"):
        SharpnessTracker(x, t, record={"steps": [0, 5], "sharpness": [1.0], "lr": [0.1],
                                       "loss": [2.0]})
    kept = SharpnessTracker(x, t, record={"steps": [0], "sharpness": [1.5], "lr": [0.1],
                                          "loss": [2.0]})
    assert kept.to_dict() == {"steps": [0], "sharpness": [1.5], "lr": [0.1], "loss": [2.0]}
    assert NetworkLoss(TwoLayerNet(2, 3, 3, rng=0), x, t).size == 21
