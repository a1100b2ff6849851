import numpy as np
import pytest
from numpy.testing import assert_allclose

from nnlearn.functions import softmax
from nnlearn.networks import SimpleNet

SEED_W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
SEED_X = np.array([0.6, 0.9])
SEED_T = np.array([0, 0, 1])
SEED_DW = [[0.21924757, 0.14356243, -0.36281000], [0.32887136, 0.21534364, -0.54421500]]


class TestSimpleNet:
    def test_seed_loss_and_numerical_gradient(self):
        net = SimpleNet(W=SEED_W)
        assert net.loss(SEED_X, SEED_T) == pytest.approx(0.9280682857864075, abs=1e-12)
        assert_allclose(net.numerical_gradient(SEED_X, SEED_T), SEED_DW, atol=1e-6)

    def test_closure_style_of_the_seed(self):
        from nnlearn.differentiate import numerical_gradient

        net = SimpleNet(W=SEED_W)
        dW = numerical_gradient(lambda w: net.loss(SEED_X, SEED_T), net.W)
        assert_allclose(dW, SEED_DW, atol=1e-6)
        assert_allclose(net.W, SEED_W, rtol=0, atol=0)

    def test_analytic_gradient_agrees_to_the_delta(self):
        net = SimpleNet(W=SEED_W)
        analytic = net.gradient(SEED_X, SEED_T)
        assert_allclose(analytic, net.numerical_gradient(SEED_X, SEED_T), atol=1e-6)
        assert_allclose(analytic, np.outer(SEED_X, softmax(SEED_X @ net.W) - SEED_T), rtol=1e-15)
        assert_allclose(net.gradient(SEED_X, 2), analytic, rtol=1e-15)

    def test_batch_gradient_is_the_mean(self, rng):
        net = SimpleNet(rng=rng)
        x = rng.standard_normal((4, 2))
        t = np.array([0, 2, 1, 2])
        per_sample = [net.gradient(x[i], t[i]) for i in range(4)]
        assert_allclose(net.gradient(x, t), np.mean(per_sample, axis=0), rtol=1e-12)
        assert_allclose(net.gradient(x, t), net.numerical_gradient(x, t), atol=1e-6)

    def test_random_weights_are_seeded(self):
        assert np.array_equal(SimpleNet(rng=3).W, SimpleNet(rng=3).W)
        assert SimpleNet(rng=3).W.shape == (2, 3)
        assert np.array_equal(SimpleNet(rng=3).W, np.random.default_rng(3).standard_normal((2, 3)))

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"W must have shape \(2, 3\), got \(3, 2\)"):
            SimpleNet(W=np.zeros((3, 2)))
        net = SimpleNet(W=SEED_W)
        with pytest.raises(ValueError, match=r"x must have shape \(2,\) or \(batch, 2\)"):
            net.predict([0.6, 0.9, 1.0])
        with pytest.raises(ValueError, match="label out of range"):
            net.loss(SEED_X, 3)
        with pytest.raises(TypeError, match="rng must be"):
            SimpleNet(rng="seed")
