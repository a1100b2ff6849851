"""SimpleConvNet: backprop against numerical gradients, its input, and a short MNIST training."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nnlearn import Adam, SimpleConvNet, Trainer, check_network
from nnlearn.data.datasets import load_mnist
from nnlearn.nn.convolution import im2col
from nnlearn.training.checkpoints import load_checkpoint

TINY = dict(input_dim=(1, 8, 8), conv_param={"filter_num": 3, "filter_size": 3},
            hidden_size=5, output_size=3)


def tiny(dtype=np.float64, std=0.1, **kwargs):
    return SimpleConvNet(**{**TINY, **kwargs}, weight_init_std=std, dtype=dtype, rng=0)


@pytest.fixture
def batch():
    rng = np.random.default_rng(1)
    return rng.random((4, 64)), np.array([0, 2, 1, 1])


def test_the_books_network_has_the_books_shapes():
    net = SimpleConvNet(rng=0)
    assert {name: p.shape for name, p in net.params.items()} == {
        "W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,),
        "W3": (100, 10), "b3": (10,)}
    assert net.buffers == {}
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.05)
    assert repr(net) == ("SimpleConvNet(input_dim=(1, 28, 28), conv_param={'filter_num': 30, "
                         "'filter_size': 5, 'pad': 0, 'stride': 1}, hidden_size=100, "
                         "output_size=10, dtype=float64)")


def test_gradient_matches_the_numerical_gradient(batch):
    net = tiny()
    grads, numerical = net.gradient(*batch), net.numerical_gradient(*batch)
    assert list(grads) == list(net.params)
    for name in grads:
        assert_allclose(grads[name], numerical[name], rtol=1e-5, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_check_network_passes_in_full_mode(batch, dtype):
    net = tiny(dtype, conv_param={"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1})
    report = check_network(net, *batch, mode="full")
    assert report.ok, str(report)
    assert report.n_evaluations == 2 * sum(p.size for p in net.params.values())


def test_check_network_finds_a_wrong_convolution_gradient(batch):
    net = tiny()
    conv = net.layers[0]
    backward = conv.backward

    def wrong(dout):  # the bias gradient of one filter twice too large
        result = backward(dout)
        conv.db = conv.db * np.array([2.0, 1.0, 1.0])
        return result

    conv.backward = wrong
    report = check_network(net, *batch, mode="fast", rng=0)
    assert report.failed == ["b1"]
    assert report.worst[0].index == (0,)


def test_flat_rows_images_and_one_image_give_the_same_scores(batch):
    net = tiny()
    x = batch[0]
    scores = net.predict(x)
    assert scores.shape == (4, 3)
    assert_array_equal(net.predict(x.reshape(4, 1, 8, 8)), scores)
    assert_allclose(net.predict(x[1]), scores[1], rtol=1e-12)  # one image: other BLAS paths
    assert_array_equal(net.predict(x[1].reshape(1, 8, 8)), net.predict(x[1]))
    assert net.loss(x[1], 2) == pytest.approx(net.loss(x[1:2], [2]))


def test_predict_in_chunks_equals_one_pass(batch, monkeypatch):
    from nnlearn.nn import simple_conv_net

    net = tiny()
    x = np.random.default_rng(2).random((7, 64))
    whole = net.predict(x)
    monkeypatch.setattr(simple_conv_net, "PREDICT_CHUNK", 3)
    assert_allclose(net.predict(x), whole, rtol=1e-12)


def test_accuracy_takes_labels_or_one_hot(batch):
    net = tiny()
    x, _ = batch
    predicted = net.predict(x).argmax(axis=1)
    assert net.accuracy(x, predicted) == 1.0
    assert net.accuracy(x, np.eye(3)[predicted]) == 1.0
    assert net.accuracy(x, (predicted + 1) % 3) == 0.0


def test_the_first_layer_computes_no_input_gradient_and_float32_stays_float32(batch):
    net = tiny(np.float32)
    loss, grads = net.loss_and_gradient(batch[0].astype(np.float32), batch[1])
    assert net.layers[0].input_grad is False
    assert isinstance(loss, float)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    assert net.numerical_gradient(*batch)["W1"].dtype == np.float32


def test_the_convolution_uses_im2col_of_the_input(batch):
    net = tiny()
    x = batch[0].reshape(4, 1, 8, 8)
    conv = net.layers[0]
    out = conv.forward(x)
    expected = im2col(x, 3, 3) @ net.params["W1"].reshape(3, -1).T + net.params["b1"]
    assert_allclose(out, expected.reshape(4, 6, 6, 3).transpose(0, 3, 1, 2), rtol=1e-12)


def test_astype_copies_weights_and_generator():
    net = tiny(np.float32)
    twin = net.astype(np.float64)
    assert twin.dtype == np.float64 and twin is not net
    for name in net.params:
        assert_array_equal(twin.params[name], net.params[name].astype(np.float64))
    assert twin.rng.bit_generator.state == net.rng.bit_generator.state


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((4, 63)), r"x must be a batch of images \(N, 1, 8, 8\) or of flat rows "
                            r"\(N, 64\), or one image \(1, 8, 8\) or \(64,\), got shape \(4, 63\)"),
        (np.zeros((4, 8, 8)), r"got shape \(4, 8, 8\)"),
        (np.zeros((0, 64)), r"got shape \(0, 64\)"),
        (np.zeros((2, 2, 8, 8)), r"got shape \(2, 2, 8, 8\)"),
    ],
)
def test_bad_input_shapes_are_refused(x, message):
    with pytest.raises(ValueError, match=message):
        tiny().predict(x)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"conv_param": {"filter_num": 3, "filter_size": 4}}, ValueError,
         r"give a convolution output of 5×5, which the 2×2 pooling with stride 2 cannot halve"),
        ({"conv_param": {"filter_num": 3, "filter_size": 3, "stride": 2}}, ValueError,
         r"H = 8 does not fit a filter of 3 with stride 2 and pad 0: .* = 3.5 is not an integer"),
        ({"conv_param": {"filters": 3}}, ValueError, "conv_param must be a dict with keys among"),
        ({"conv_param": {"filter_num": 0}}, ValueError,
         r"conv_param\['filter_num'\] must be an integer >= 1, got 0"),
        ({"input_dim": (8, 8)}, ValueError, r"input_dim must be \(channels, height, width\)"),
        ({"dtype": np.int32}, ValueError, "dtype must be float32 or float64"),
    ],
)
def test_bad_settings_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        tiny(**kwargs)


def test_trainer_and_checkpoint_take_the_network_as_it_is(tmp_path):
    rng = np.random.default_rng(3)
    x, t = rng.random((40, 64)).astype(np.float32), rng.integers(0, 3, 40)
    net = tiny(np.float32)
    trainer = Trainer(net, Adam(0.01), x, t, iters=6, batch_size=10, seed=0, quiet=True,
                      checkpoint=tmp_path / "ckpt.npz")
    history = trainer.run()
    assert len(history.loss) == 6 and history.loss[-1] < history.loss[0]
    arrays, _ = load_checkpoint(tmp_path / "ckpt.npz")
    assert_array_equal(arrays["param/W1"], net.params["W1"])


def test_a_short_training_on_real_mnist_reaches_85_percent(mnist_dir):
    (x, t), (x_test, t_test) = load_mnist(data_dir=mnist_dir, download=False)
    net = SimpleConvNet(dtype=np.float32, rng=0)
    history = Trainer(net, Adam(0.01), x[:1000], t[:1000], x_test[:500], t_test[:500],
                      iters=60, batch_size=50, eval_every=60, seed=0, quiet=True).run()
    assert history.test_acc[0] < 0.2  # chance before training
    assert history.test_acc[-1] >= 0.85  # 0.91 measured (seeds 0 and 1)
