"""Bad input to the derivatives: the seed's closure idiom in every function, wrong dtypes.

The seed differentiates ``f = lambda w: net.loss(x, t)`` at ``net.W``: ``f``
ignores its argument and reads ``net.W``. Every derivative must give the right
numbers for that ``f`` and for one that uses its argument, or, where the array
cannot hold the points, a clear error: never a silent 0.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import nnlearn as nl

BOOK_W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
X, T = np.array([0.6, 0.9]), np.array([0, 0, 1])
#: The seed's printed numerical gradient of SimpleNet's loss.
BOOK_DW = np.array([[0.21924757, 0.14356243, -0.36281], [0.32887136, 0.21534364, -0.544215]])
#: A direction along which the loss changes (softmax ignores a shift of every score).
V = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])


def closure():
    """The seed's style: f reads net.W, whatever it is given (``read`` says what f reads)."""
    net = nl.SimpleNet(W=BOOK_W)
    read = lambda w: net.W  # noqa: E731
    return net, (lambda w: net.loss(X, T)), read


def argument():
    """f that uses its argument (and a net whose W is the point)."""
    net = nl.SimpleNet(W=BOOK_W)
    read = lambda w: w  # noqa: E731
    return net, (lambda w: nl.SimpleNet(W=w).loss(X, T)), read


def exact_gradient(W):
    """The analytic gradient of the loss with the book's delta (to ~1e-7)."""
    return nl.SimpleNet(W=W).gradient(X, T)


STYLES = [closure, argument]
ALL_METHODS = ["auto", "central", "richardson"]


@pytest.mark.parametrize("style", STYLES, ids=["closure", "argument"])
class TestSimpleNetInEveryFunction:
    def test_numerical_gradient(self, style):
        net, f, _ = style()
        assert_allclose(nl.numerical_gradient(f, net.W), BOOK_DW, atol=1e-8)
        assert_array_equal(net.W, BOOK_W)

    @pytest.mark.parametrize("method", ALL_METHODS)
    def test_gradient(self, style, method):
        net, f, _ = style()
        assert_allclose(nl.gradient(f, net.W, method=method), BOOK_DW, atol=1e-8)
        assert_array_equal(net.W, BOOK_W)

    @pytest.mark.parametrize("method", ALL_METHODS)
    def test_jacobian(self, style, method):
        net, f, _ = style()
        J = nl.jacobian(lambda w: np.array([f(w), 2 * f(w)]), net.W, method=method)
        assert_allclose(J, [BOOK_DW.ravel(), 2 * BOOK_DW.ravel()], atol=2e-8)
        assert_array_equal(net.W, BOOK_W)

    def test_hessian(self, style):
        net, f, _ = style()
        H = nl.hessian(f, net.W)
        # the Hessian is the Jacobian of the gradient: compare with the analytic gradient
        reference = nl.jacobian(lambda w: exact_gradient(w.reshape(2, 3)).ravel(), net.W.ravel())
        assert_allclose(H, reference, atol=1e-6)
        assert np.abs(H).max() > 0.1
        assert_array_equal(net.W, BOOK_W)

    @pytest.mark.parametrize("method", ALL_METHODS)
    def test_directional_derivative(self, style, method):
        net, f, _ = style()
        value = nl.directional_derivative(f, net.W, V, method=method)
        assert value == pytest.approx(float(np.sum(BOOK_DW * V)), abs=5e-8)  # 8 decimals
        assert_array_equal(net.W, BOOK_W)

    def test_numerical_diff(self, style):
        # all of W moves by h: the loss does not change (softmax ignores a shift of every
        # score), so a term that does is added: d/dh sum((W + h)^2) = 2 sum(W)
        net, f, read = style()
        g = lambda w: f(w) + float(np.sum(read(w) ** 2))  # noqa: E731
        assert nl.numerical_diff(g, net.W) == pytest.approx(2 * np.sum(BOOK_W), rel=1e-8)
        assert_array_equal(net.W, BOOK_W)

    def test_gradient_descent(self, style):
        net, f, _ = style()
        end = nl.gradient_descent(f, net.W, lr=0.1, step_num=20)
        assert_array_equal(net.W, BOOK_W)  # init_x is never left modified
        reference = np.array(BOOK_W)
        for _ in range(20):  # the same walk with the analytic gradient
            reference = reference - 0.1 * exact_gradient(reference)
        assert_allclose(end, reference, atol=1e-6)
        assert nl.SimpleNet(W=end).loss(X, T) < 0.6 < net.loss(X, T)


def test_the_closure_with_the_complex_step_is_a_clear_error():
    net, f, _ = closure()
    with pytest.raises(ValueError, match="f reads the array passed as x.*method='complex'.*"
                                         "use method='auto'"):
        nl.gradient(f, net.W, method="complex")
    assert_array_equal(net.W, BOOK_W)
    _, g, _ = argument()  # SimpleNet refuses complex weights, and says so
    with pytest.raises(TypeError, match="W must hold real numbers, got dtype complex128"):
        nl.gradient(g, net.W, method="complex")


def test_the_closure_in_derivative_is_a_clear_error():
    net, f, _ = closure()
    with pytest.raises(ValueError, match="must work elementwise.*use nnlearn.gradient"):
        nl.derivative(f, net.W)


# --- arrays that cannot hold the points: a clear error, never zeros --------------------------

INT_W = np.array([[1, 2, 3], [4, 5, 6]])


def int_closure():
    W = INT_W.copy()
    return W, (lambda w: float(np.sum(W.astype(float) ** 2)))


CALLS = {
    "numerical_gradient": lambda f, W: nl.numerical_gradient(f, W),
    "gradient": lambda f, W: nl.gradient(f, W),
    "gradient central": lambda f, W: nl.gradient(f, W, method="central"),
    "jacobian": lambda f, W: nl.jacobian(lambda w: np.array([f(w)]), W),
    "hessian": lambda f, W: nl.hessian(f, W),
    "directional_derivative": lambda f, W: nl.directional_derivative(f, W, np.ones(W.shape)),
    "numerical_diff": lambda f, W: nl.numerical_diff(f, W),
}
CLOSURE_ERROR = (
    r"f did not change when (x|init_x) moved, but it does when the array passed as (x|init_x) "
    r"changes: f reads that array \(a closure such as `lambda w: net.loss\(x, t\)`\) instead of "
    r"its argument, and an array of dtype (int64|float32) cannot hold the points where f must be "
    r"evaluated, so the derivative would be a meaningless 0; pass a writeable float64 array"
)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_integer_array_read_by_a_closure(call):
    W, f = int_closure()
    with pytest.raises(ValueError, match=CLOSURE_ERROR):
        call(f, W)
    assert_array_equal(W, INT_W)  # probed, then restored exactly


def test_integer_array_read_by_a_closure_in_gradient_descent():
    W, f = int_closure()
    with pytest.raises(ValueError, match=CLOSURE_ERROR):
        nl.gradient_descent(f, W)
    assert_array_equal(W, INT_W)


@pytest.mark.parametrize("call", list(CALLS.values())[1:-1], ids=list(CALLS)[1:-1])
def test_float32_array_read_by_a_closure_in_the_accurate_derivatives(call):
    W = INT_W.astype(np.float32)
    with pytest.raises(ValueError, match=CLOSURE_ERROR):
        call(lambda w: float(np.sum(W.astype(float) ** 2)), W)
    assert_array_equal(W, INT_W)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_read_only_array_and_an_f_that_never_changes(call):
    W = np.array(BOOK_W)
    W.flags.writeable = False
    with pytest.raises(ValueError, match="f did not change at any point near x, and x is a "
                                         "read-only array: if f reads x itself"):
        call(lambda w: float(np.sum(W**2)), W)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_integer_and_read_only_arrays_work_when_f_uses_its_argument(call):
    f = lambda w: float(np.sum(np.asarray(w, dtype=float) ** 3))  # noqa: E731
    W = INT_W.copy()
    expected = call(f, W.astype(np.float64))
    assert np.abs(expected).max() > 1
    assert_allclose(call(f, W), expected, rtol=1e-12)
    W.flags.writeable = False
    assert_allclose(call(f, W), expected, rtol=1e-12)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_constant_f_still_has_derivative_zero(call):
    W = INT_W.copy()  # copies are evaluated; the probe shows that f does not read W
    assert not np.any(call(lambda w: 4.0, W))


def test_f_returning_its_argument_is_not_spoiled_by_the_moves():
    x = np.array([1.0, 2.0])
    assert_allclose(nl.jacobian(lambda z: z, x), np.eye(2), atol=1e-12)
    assert_allclose(nl.numerical_diff(lambda z: z, x), [1.0, 1.0])
    assert_array_equal(x, [1.0, 2.0])


# --- wrong dtypes and shapes, at random ------------------------------------------------------

BAD_POINTS = st.sampled_from([
    np.array(["a", "b"]), np.array([1 + 2j, 3.0]), np.array([None, 1.0], dtype=object),
    np.array([1.0, np.nan]), np.array([np.inf]), np.zeros((0, 3)), "text", None,
])
FUNCTIONS = {
    "gradient": lambda x: nl.gradient(np.sum, x),
    "jacobian": lambda x: nl.jacobian(lambda z: z, x),
    "hessian": lambda x: nl.hessian(np.sum, x),
    "derivative": lambda x: nl.derivative(np.sin, x),
    "numerical_gradient": lambda x: nl.numerical_gradient(np.sum, x),
    "gradient_descent": lambda x: nl.gradient_descent(np.sum, x),
}


@settings(max_examples=60)
@given(point=BAD_POINTS, name=st.sampled_from(sorted(FUNCTIONS)))
def test_bad_points_are_named(point, name):
    argument = "init_x" if name == "gradient_descent" else "x"
    with pytest.raises((TypeError, ValueError), match=rf"^{argument} must (hold real numbers|"
                                                      r"not be empty|be finite)"):
        FUNCTIONS[name](point)
