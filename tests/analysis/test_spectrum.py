"""Operator, eigenvalues, trace and density of small networks against their dense Hessians."""

import numpy as np
import pytest
from scipy.sparse.linalg import LinearOperator

import nnlearn as nl
from nnlearn import MultiLayerNet, TwoLayerNet
from nnlearn.analysis import (
    NetworkLoss,
    dense_hessian,
    hessian_diagonal,
    hessian_operator,
    hessian_trace,
    spectral_density,
    top_eigenvalues,
)
from nnlearn.analysis.density import lanczos


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(5)
    net = TwoLayerNet(5, 7, 3, 1.0, rng=0)
    x, t = rng.standard_normal((20, 5)), rng.integers(0, 3, 20)
    return net, x, t, dense_hessian(net, x, t)


def test_operator_is_a_linear_operator(problem):
    net, x, t, H = problem
    op = hessian_operator(net, x, t)
    assert isinstance(op, LinearOperator) and op.shape == (H.shape[0],) * 2
    v = np.random.default_rng(0).standard_normal(op.shape[0])
    np.testing.assert_allclose(op @ v, H @ v, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(op.T @ v, H @ v, rtol=1e-13, atol=1e-15)


def test_dense_hessian_is_nnlearn_hessian_of_the_loss_of_the_flat_parameters(rng):
    net = TwoLayerNet(3, 3, 2, 1.0, activation="tanh", rng=0)
    x, t = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    f = NetworkLoss(net, x, t)

    def loss(theta):
        for name, value in f.unflatten(theta).items():
            net.params[name][...] = value
        return net.loss(x, t)

    numerical = nl.hessian(loss, f.theta.copy())
    dense = dense_hessian(f, None, None)
    np.testing.assert_allclose(dense, numerical, rtol=0, atol=1e-9 * np.abs(dense).max())


def test_dense_hessian_refuses_large_networks(problem):
    net, x, t, _ = problem
    with pytest.raises(ValueError, match="the network has 66 parameters, more than max_size=10"):
        dense_hessian(net, x, t, max_size=10)


@pytest.mark.parametrize("which", ["largest", "smallest"])
def test_extreme_eigenvalues_are_those_of_eigvalsh(problem, which):
    net, x, t, H = problem
    exact = np.linalg.eigvalsh(H)
    result = top_eigenvalues(net, x, t, k=3, which=which)
    expected = exact[::-1][:3] if which == "largest" else exact[:3]
    np.testing.assert_allclose(result.values, expected, rtol=1e-9)
    assert expected[0] > 0 if which == "largest" else expected[0] < 0
    for value, vector in zip(result.values, result.vectors.T, strict=True):
        np.testing.assert_allclose(H @ vector, value * vector, atol=1e-8)
    assert 0 < result.n_hvp < 100


def test_eigenvalues_bad_input(problem):
    net, x, t, _ = problem
    with pytest.raises(ValueError, match=r"k must be less than the number of parameters \(66\), "
                                         "got 66"):
        top_eigenvalues(net, x, t, k=66)
    with pytest.raises(ValueError, match="which must be one of 'largest', 'smallest'"):
        top_eigenvalues(net, x, t, which="biggest")
    with pytest.raises(ValueError, match="x and t are needed"):
        top_eigenvalues(net)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_closed_form_diagonal_is_the_dense_diagonal(activation, rng):
    net = MultiLayerNet(5, [6], 3, activation=activation, weight_decay_lambda=0.2, rng=0)
    x, t = rng.standard_normal((10, 5)), rng.integers(0, 3, 10)
    f = NetworkLoss(net, x, t)
    diagonal = f.flatten(hessian_diagonal(net, x, t))
    np.testing.assert_allclose(diagonal, np.diag(dense_hessian(f, None, None)), rtol=1e-12,
                               atol=1e-15)
    exact = hessian_trace(net, x, t, method="exact")
    assert exact.n_hvp == 0 and exact.value == pytest.approx(diagonal.sum(), rel=1e-15)


def test_exact_trace_of_a_deeper_network_is_the_dense_trace(rng):
    net = MultiLayerNet(3, [4, 4], 2, activation="tanh", rng=0)
    x, t = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    result = hessian_trace(net, x, t, method="exact")
    assert result.value == pytest.approx(np.trace(dense_hessian(net, x, t)), rel=1e-13)
    with pytest.raises(ValueError, match="closed-form diagonal needs a network with one hidden"):
        hessian_diagonal(net, x, t)


@pytest.mark.parametrize("method", ["hutchinson", "hutch++"])
def test_trace_estimators_are_unbiased_and_within_their_error(problem, method):
    net, x, t, H = problem
    exact = np.trace(H)
    f = NetworkLoss(net, x, t)
    results = [hessian_trace(f, method=method, n_hvp=30, rng=seed) for seed in range(200)]
    values = np.array([r.value for r in results])
    errors = np.array([r.std_error for r in results])
    assert all(r.n_hvp == 30 for r in results)
    # unbiased: the mean over seeds is within 4 standard errors of that mean
    assert abs(values.mean() - exact) < 4 * values.std(ddof=1) / np.sqrt(len(values))
    # the stated standard error is that of the spread over seeds, and covers the truth
    assert 0.7 < errors.mean() / values.std(ddof=1) < 1.3
    assert np.mean(np.abs(values - exact) < 2 * errors) > 0.85


def test_hutch_plus_plus_beats_hutchinson_on_a_decaying_spectrum(problem):
    net, x, t, _ = problem
    f = NetworkLoss(net, x, t)
    plain = np.std([hessian_trace(f, method="hutchinson", n_hvp=45, rng=s).value
                    for s in range(40)])
    paper = np.std([hessian_trace(f, n_hvp=45, sketch=15, stratify=False, rng=s).value
                    for s in range(40)])
    assert paper < plain / 2


def test_small_sketch_and_layer_probes_beat_the_papers_split_on_a_network():
    # sigmoid 20-16-4 network: a few outlying eigenvalues, and layers coupled by the bulk
    rng = np.random.default_rng(5)
    net = TwoLayerNet(20, 16, 4, 0.1, activation="sigmoid", rng=0)
    f = NetworkLoss(net, rng.random((60, 20)), rng.integers(0, 4, 60))
    exact = hessian_trace(f, method="exact").value

    def rms_error(**options):
        values = [hessian_trace(f, n_hvp=90, rng=s, **options).value for s in range(40)]
        return np.sqrt(np.mean((np.array(values) - exact) ** 2))

    hutchinson, paper = rms_error(method="hutchinson"), rms_error(sketch=30, stratify=False)
    default = rms_error()
    assert paper < hutchinson / 4
    assert default < paper / 1.5


def test_trace_bad_input(problem):
    net, x, t, _ = problem
    with pytest.raises(ValueError,
                       match="method must be one of 'hutch\\+\\+', 'hutchinson', 'exact', 'auto'"):
        hessian_trace(net, x, t, method="power")
    with pytest.raises(ValueError, match="n_hvp must be at least 10 for Hutch\\+\\+ with a "
                                         "sketch of 3 and 2 probe group\\(s\\), got 9"):
        hessian_trace(net, x, t, n_hvp=9)
    with pytest.raises(ValueError, match="n_hvp must be at least 4 for Hutchinson with 2 probe"):
        hessian_trace(net, x, t, method="hutchinson", stratify=True, n_hvp=3)
    with pytest.raises(ValueError, match="sketch must be an integer >= 1, got 0"):
        hessian_trace(net, x, t, sketch=0)


def test_lanczos_quadrature_is_exact_for_low_degree_moments(problem, rng):
    *_, H = problem
    v = rng.standard_normal(len(H))
    v /= np.linalg.norm(v)
    ((alpha, beta),) = lanczos(lambda V: H @ V, v[:, None], 5)
    from scipy.linalg import eigh_tridiagonal

    nodes, vectors = eigh_tridiagonal(alpha, beta)
    for power in range(10):  # degree < 2 * steps
        expected = v @ np.linalg.matrix_power(H, power) @ v
        assert np.sum(vectors[0] ** 2 * nodes**power) == pytest.approx(expected, rel=1e-11,
                                                                         abs=1e-17)


def test_full_lanczos_recovers_every_distinct_eigenvalue_with_its_projection(problem):
    net, x, t, H = problem
    exact, basis = np.linalg.eigh(H)
    slq = spectral_density(net, x, t, n_vectors=1, steps=len(H), rng=3)
    nodes, weights = slq.nodes[0], slq.weights[0]
    v = np.random.default_rng(3).choice([-1.0, 1.0], size=(len(H), 1))[:, 0]
    v /= np.linalg.norm(v)
    projections = (basis.T @ v) ** 2
    for node, weight in zip(nodes, weights, strict=True):
        near = np.abs(exact - node) < 1e-9 * max(1.0, abs(node))
        assert near.any()
        assert weight == pytest.approx(projections[near].sum(), abs=1e-10)
    assert weights.sum() == pytest.approx(1.0, rel=1e-13)


def test_slq_moments_estimate_the_spectrum_moments(problem):
    net, x, t, H = problem
    exact = np.linalg.eigvalsh(H)
    slq = spectral_density(net, x, t, n_vectors=64, steps=12, rng=1)
    for power in (1, 2, 3):
        samples = [np.sum(w * q**power) for q, w in zip(slq.nodes, slq.weights, strict=True)]
        error = np.std(samples, ddof=1) / np.sqrt(len(samples))
        assert abs(slq.moment(power) - np.mean(exact**power)) < 4 * error
    grid = np.linspace(exact.min() - 1, exact.max() + 1, 4001)
    assert np.sum(slq.density(grid)) * (grid[1] - grid[0]) == pytest.approx(1.0, rel=1e-6)


def test_density_bad_input(problem):
    net, x, t, _ = problem
    with pytest.raises(ValueError, match=r"steps must be at most the number of parameters \(66\)"):
        spectral_density(net, x, t, steps=67)
