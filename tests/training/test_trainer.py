"""Tests of nnlearn.training.trainer: confusion matrix, Trainer, history and checkpoints."""

import importlib.util
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from nnlearn.data.datasets import load_mnist, make_spiral
from nnlearn.functions import softmax
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import SGD, make_optimizer
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training import History, Trainer, confusion_matrix
from nnlearn.training.checkpoints import load_checkpoint, save_checkpoint
from nnlearn.training.evaluation import evaluate_accuracy, predict_labels


class TestConfusionMatrix:
    def test_counts_rows_true_columns_predicted(self):
        cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
        np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
        assert cm.dtype == np.int64

    def test_one_hot_and_scores_give_labels_and_width(self):
        t = np.eye(4)[[0, 1]]
        y = np.array([[0.9, 0.1, 0, 0], [0.2, 0.1, 0.7, 0]])
        np.testing.assert_array_equal(
            confusion_matrix(t, y), [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
        )

    def test_n_classes_pads_and_sum_is_sample_count(self):
        rng = np.random.default_rng(0)
        t, y = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
        cm = confusion_matrix(t, y, n_classes=7)
        assert cm.shape == (7, 7) and cm.sum() == 200
        assert np.trace(cm) == np.sum(t == y)

    def test_uint8_labels_do_not_overflow(self):
        t = np.array([20, 3], dtype=np.uint8)
        cm = confusion_matrix(t, t, n_classes=30)
        assert cm[20, 20] == 1 and cm[3, 3] == 1 and cm.sum() == 2

    def test_empty_input(self):
        np.testing.assert_array_equal(confusion_matrix([], [], n_classes=2), np.zeros((2, 2)))

    @pytest.mark.parametrize(
        ("t", "y", "kwargs", "match"),
        [
            ([0, 1], [0], {}, "as many samples"),
            ([0, 3], [0, 1], {"n_classes": 3}, "labels must be < n_classes=3"),
            ([0.5, 1], [0, 1], {}, "t must hold integer class labels"),
            ([0, -1], [0, 1], {}, "t must hold labels >= 0"),
            ([[[0]]], [0], {}, "t must be labels of shape"),
        ],
    )
    def test_errors(self, t, y, kwargs, match):
        with pytest.raises(ValueError, match=match):
            confusion_matrix(t, y, **kwargs)


# --------------------------------------------------------------------------- a tiny network


class SoftmaxRegression:
    """Softmax regression following the networks' contract, with optional input dropout.

    The dropout draws from ``self.rng`` so that checkpoints must restore it.
    """

    def __init__(self, n_in, n_out, *, dropout=0.0, rng=0, nan_at_call=None, sigint_at_call=None):
        self.rng = np.random.default_rng(rng)
        self.params = {
            "W": 0.01 * self.rng.standard_normal((n_in, n_out)),
            "b": np.zeros(n_out),
        }
        self.dropout = dropout
        self.calls = 0
        self.batches = []
        self.nan_at_call, self.sigint_at_call = nan_at_call, sigint_at_call

    def predict(self, x, train_flg=False):
        return x @ self.params["W"] + self.params["b"]

    def loss_and_gradient(self, x, t):
        self.calls += 1
        self.batches.append(t.copy())
        if self.calls == self.sigint_at_call:
            os.kill(os.getpid(), signal.SIGINT)
        if self.dropout:
            x = x * (self.rng.random(x.shape) >= self.dropout)
        y = softmax(self.predict(x))
        n = len(x)
        loss = -np.log(y[np.arange(n), t]).mean()
        if self.calls == self.nan_at_call:
            loss = float("nan")
        dy = y.copy()
        dy[np.arange(n), t] -= 1
        dy /= n
        return float(loss), {"W": x.T @ dy, "b": dy.sum(axis=0)}


def _blobs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) % 3
    x = rng.standard_normal((n, 2)) * 0.5 + np.array([[0, 2], [2, -1], [-2, -1]])[t]
    return x, t


def _trainer(net=None, optimizer=None, **kwargs):
    x, t = _blobs()
    options = {"epochs": 3, "batch_size": 20, "seed": 1, "quiet": True}
    return Trainer(
        net or SoftmaxRegression(2, 3), optimizer or SGD(0.5), x[:240], t[:240], x[240:], t[240:],
        **{**options, **kwargs},
    )


class TestTrainer:
    def test_learns_and_records_history(self):
        trainer = _trainer()
        history = trainer.run()
        assert trainer.steps_per_epoch == 12 and trainer.step == trainer.total_steps == 36
        assert len(history.loss) == 36
        assert history.eval_steps == [0, 12, 24, 36]
        assert len(history.train_acc) == len(history.test_acc) == 4
        assert history.test_acc[-1] > 0.95 and history.train_acc[0] < 0.6
        assert history.loss[-1] < history.loss[0]
        meta = history.metadata
        assert meta["optimizer"] == "sgd" and meta["lr"] == 0.5 and meta["batch_size"] == 20
        assert meta["steps"] == 36 and meta["steps_per_second"] > 0

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_uint8_pixels_train_exactly_like_their_floats(self, dtype):
        rng = np.random.default_rng(5)
        pixels = rng.integers(0, 256, (150, 12), dtype=np.uint8)
        pixels[:, :3] = 0  # blank borders, as in MNIST
        t = rng.integers(0, 3, 150)
        floats = pixels.astype(dtype) / 255  # what load_mnist() gives
        assert floats.dtype == dtype

        def train(x):
            net = TwoLayerNet(12, 6, 3, 0.5, dtype=dtype, rng=0)
            trainer = Trainer(net, make_optimizer("adam", lr=0.01), x[:100], t[:100], x[100:],
                              t[100:], epochs=4, batch_size=10, eval_every=15, seed=2, quiet=True)
            return net, trainer.run()

        (net_u8, history_u8), (net_f, history_f) = train(pixels), train(floats)
        assert history_u8.loss == history_f.loss
        assert history_u8.train_acc == history_f.train_acc
        assert history_u8.test_acc == history_f.test_acc
        for name, value in net_f.params.items():
            np.testing.assert_array_equal(net_u8.params[name], value)
        assert predict_labels(net_f, pixels, 7).tolist() == predict_labels(net_f, floats).tolist()

    def test_accuracy_in_batches_equals_direct(self):
        net = SoftmaxRegression(2, 3, rng=3)
        x, t = _blobs(1001)
        direct = np.mean(net.predict(x).argmax(axis=1) == t)
        assert evaluate_accuracy(net, x, t, batch_size=97) == direct
        assert evaluate_accuracy(net, x, np.eye(3)[t], batch_size=1000) == direct
        np.testing.assert_array_equal(predict_labels(net, x, 10), net.predict(x).argmax(axis=1))

    def test_shuffle_visits_every_sample_once_per_epoch(self):
        idx = np.arange(60)
        x = np.column_stack([idx, np.zeros(60)])  # the first feature tells the sample
        net = SoftmaxRegression(2, 3)
        trainer = Trainer(net, SGD(0.1), x, idx % 3, iters=6, batch_size=20, seed=5, quiet=True)
        trainer.network.loss_and_gradient = _spy(net)
        trainer.run()
        first, second = np.concatenate(net.batches[:3]), np.concatenate(net.batches[3:])
        np.testing.assert_array_equal(np.sort(first), idx)
        np.testing.assert_array_equal(np.sort(second), idx)
        assert not np.array_equal(first, second)
        expected = np.random.default_rng(5)
        np.testing.assert_array_equal(first, expected.permutation(60))

    def test_replacement_draws_like_the_book(self):
        x, t = np.column_stack([np.arange(50), np.zeros(50)]), np.arange(50) % 3
        net = SoftmaxRegression(2, 3)
        trainer = Trainer(
            net, SGD(0.1), x, t, iters=4, batch_size=10, sampling="replacement", seed=9, quiet=True
        )
        trainer.network.loss_and_gradient = _spy(net)
        trainer.run()
        expected = np.random.default_rng(9)
        for batch in net.batches:
            np.testing.assert_array_equal(batch, expected.integers(0, 50, 10))

    def test_eval_every_and_last_step(self):
        history = _trainer(iters=25, epochs=None, eval_every=10).run()
        assert history.eval_steps == [0, 10, 20, 25]

    def test_eval_samples_subsets_then_the_whole_test_set(self):
        x, t = _blobs()
        seen = []

        def measure(trainer):  # the accuracies on every 12th training, every 3rd test sample
            net = trainer.network
            seen.append((evaluate_accuracy(net, x[:240:12], t[:240:12]),
                         evaluate_accuracy(net, x[240::3], t[240::3]),
                         evaluate_accuracy(net, x[:240], t[:240]),
                         evaluate_accuracy(net, x[240:], t[240:])))

        history = _trainer(optimizer=SGD(0.05), eval_samples=20, epochs=1, eval_every=3,
                           callbacks=[measure]).run()
        train, test, train_all, test_all = map(list, zip(*seen, strict=True))
        assert history.metadata["n_eval_train"] == 20 and history.metadata["n_eval_test"] == 20
        assert history.train_acc == train
        assert history.test_acc == test[:-1] + test_all[-1:]
        assert train != train_all and test[:-1] != test_all[:-1]  # the subsets tell apart

    def test_no_test_set(self):
        x, t = _blobs(100)
        history = Trainer(SoftmaxRegression(2, 3), SGD(0.1), x, t, iters=5, quiet=True,
                          batch_size=10).run()
        assert history.test_acc == [] and len(history.train_acc) == 2

    def test_callback_stops_early(self):
        seen = []

        def stop_at_24(trainer):
            seen.append(trainer.step)
            return trainer.step >= 24

        trainer = _trainer(callbacks=[stop_at_24])
        trainer.run()
        assert seen == [0, 12, 24] and trainer.step == 24

    def test_nan_loss_stops_with_step_and_learning_rate(self):
        trainer = _trainer(SoftmaxRegression(2, 3, nan_at_call=3), SGD(0.5))
        with pytest.raises(FloatingPointError, match=r"nan at step 3 with learning rate 0\.5"):
            trainer.run()
        assert trainer.step == 2 and len(trainer.history.loss) == 2
        twin = _trainer(SoftmaxRegression(2, 3), SGD(0.5), iters=2, epochs=None)
        twin.run()
        for name, value in twin.network.params.items():  # the bad step was not applied
            np.testing.assert_array_equal(trainer.network.params[name], value)

    def test_lr_decay_per_epoch(self):
        class RecordingSGD(SGD):
            seen = []

            def update(self, params, grads):
                self.seen.append(self.lr)
                super().update(params, grads)

        trainer = _trainer(optimizer=RecordingSGD(0.5), lr_decay=0.5)
        trainer.run()
        assert RecordingSGD.seen == [0.5] * 12 + [0.25] * 12 + [0.125] * 12
        assert trainer.history.metadata["lr"] == 0.5
        assert trainer.history.metadata["lr_decay"] == 0.5
        with pytest.raises(ValueError, match=r"lr_decay must be in \(0, 1\], got 1.5"):
            _trainer(lr_decay=1.5)

    def test_silent_when_not_on_a_terminal(self, capsys):
        _trainer(quiet=False).run()
        assert capsys.readouterr().err == ""

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"iters": 5}, ValueError, "give exactly one of epochs and iters"),
            ({"epochs": None}, ValueError, "give exactly one of epochs and iters"),
            ({"batch_size": 241}, ValueError, "batch_size must be <= the 240 training samples"),
            ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
            ({"sampling": "random"}, ValueError, "sampling must be one of"),
            ({"eval_every": -1}, ValueError, "eval_every must be an integer >= 0"),
        ],
    )
    def test_argument_errors(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            _trainer(**kwargs)

    def test_data_errors(self):
        net, x, t = SoftmaxRegression(2, 3), *_blobs(30)
        with pytest.raises(ValueError, match="x_test and t_test must be given together"):
            Trainer(net, SGD(0.1), x, t, x, iters=1)
        with pytest.raises(ValueError, match=r"t_train must hold one label .* expected length 30"):
            Trainer(net, SGD(0.1), x, t[:-1], iters=1)
        with pytest.raises(TypeError, match="x_train must be a floating-point array or uint8 "
                                            "pixels, got dtype int64"):
            Trainer(net, SGD(0.1), x.astype(np.int64), t, iters=1)
        with pytest.raises(TypeError, match="network must have 'params', got object"):
            Trainer(object(), SGD(0.1), x, t, iters=1)
        with pytest.raises(TypeError, match="optimizer must be an nnlearn Optimizer"):
            Trainer(net, "sgd", x, t, iters=1)


class TestHistory:
    def _history(self):
        return History(
            loss=[2.0, 1.5, 1.25], eval_steps=[0, 2, 3], train_acc=[0.1, 0.5, 0.75],
            test_acc=[0.125, 0.5, 0.625], metadata={"lr": 0.1},
        )

    def test_json_round_trip(self, tmp_path):
        history = self._history()
        back = History.from_json(history.to_json(tmp_path / "h.json"))
        assert back == history
        assert back.to_dict()["eval_steps"] == [0, 2, 3]

    def test_csv_rows(self, tmp_path):
        text = self._history().to_csv(tmp_path / "h.csv").read_text()
        assert text.splitlines() == [
            "step,loss,train_acc,test_acc",
            "0,,0.1,0.125",
            "1,2.0,,",
            "2,1.5,0.5,0.5",
            "3,1.25,0.75,0.625",
        ]

    def test_from_dict_requires_keys(self):
        with pytest.raises(ValueError, match=r"history lacks \['eval_steps', 'train_acc'\]"):
            History.from_dict({"loss": []})


class TestCheckpoints:
    @pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
    @pytest.mark.parametrize("optimizer", ["sgd", "adam"])
    def test_resume_after_ctrl_c_is_bit_identical(self, tmp_path, sampling, optimizer):
        def make(**kwargs):
            net = SoftmaxRegression(2, 3, dropout=0.2, rng=4, **kwargs)
            return _trainer(net, make_optimizer(optimizer, lr=0.1), sampling=sampling,
                            epochs=4, eval_every=5, lr_decay=0.5,
                            checkpoint=tmp_path / f"{kwargs}.npz")

        straight = make()
        straight.run()

        interrupted = make(sigint_at_call=19)
        with pytest.raises(KeyboardInterrupt, match="interrupted after step 19"):
            interrupted.run()
        assert interrupted.step == 19
        resumed = make()
        resumed.load_checkpoint(interrupted.checkpoint)
        assert resumed.step == 19
        resumed.run()
        for name, value in straight.network.params.items():
            np.testing.assert_array_equal(resumed.network.params[name], value)
        assert resumed.history.loss == straight.history.loss
        assert resumed.history.eval_steps == straight.history.eval_steps
        assert resumed.history.test_acc == straight.history.test_acc

    def test_checkpoint_every_epoch_and_at_the_end(self, tmp_path):
        saved_steps = []
        trainer = _trainer(checkpoint=tmp_path / "run.npz")
        original = trainer.save_checkpoint

        def spy(path):
            saved_steps.append(trainer.step)
            return original(path)

        trainer.save_checkpoint = spy
        trainer.run()
        assert saved_steps == [12, 24, 36]
        arrays, meta = load_checkpoint(tmp_path / "run.npz")
        assert meta["step"] == 36 and meta["run"]["batch_size"] == 20
        np.testing.assert_array_equal(arrays["param/W"], trainer.network.params["W"])
        assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]
        umask = os.umask(0)
        os.umask(umask)
        assert (tmp_path / "run.npz").stat().st_mode & 0o777 == 0o666 & ~umask
        assert meta["wall_time"] >= meta["train_time"] > 0

    def test_mismatched_checkpoint_is_refused(self, tmp_path):
        trainer = _trainer(iters=3, epochs=None, checkpoint=tmp_path / "a.npz")
        trainer.run()
        with pytest.raises(ValueError, match="saved with batch_size=20, this run has 10"):
            _trainer(batch_size=10).load_checkpoint(tmp_path / "a.npz")
        with pytest.raises(ValueError, match=r"parameter W has shape \(2, 3\), the network's"):
            _trainer(SoftmaxRegression(2, 4)).load_checkpoint(tmp_path / "a.npz")

    def test_damaged_or_missing_files(self, tmp_path):
        (tmp_path / "bad.npz").write_bytes(b"not a zip")
        with pytest.raises(ValueError, match=r"bad\.npz: not a readable checkpoint"):
            load_checkpoint(tmp_path / "bad.npz")
        np.savez(tmp_path / "plain.npz", x=np.zeros(2))
        with pytest.raises(ValueError, match=r"plain\.npz: not an nnlearn checkpoint"):
            load_checkpoint(tmp_path / "plain.npz")
        with pytest.raises(FileNotFoundError, match="does not exist"):
            load_checkpoint(tmp_path / "none.npz")
        with pytest.raises(ValueError, match="'meta' is reserved"):
            save_checkpoint(tmp_path / "x.npz", {"meta": np.zeros(1)}, {})


def _spy(net):
    """Replace a network's step by one that records the batch's sample indices (feature 0)."""
    original = net.loss_and_gradient

    def step(x, t):
        loss, grads = original(x, t)
        net.batches[-1] = x[:, 0].astype(int)
        return loss, grads

    return step


# --------------------------------------------------------------------------- real networks


class TestRealTraining:
    def test_two_layer_net_learns_mnist_in_a_few_hundred_steps(self, mnist_dir):
        (x, t), (x_test, t_test) = load_mnist(data_dir=mnist_dir)
        net = TwoLayerNet(784, 50, 10, activation="sigmoid", dtype=np.float32, rng=0)
        trainer = Trainer(
            net, SGD(0.5), x, t, x_test, t_test, iters=400, batch_size=100,
            sampling="replacement", eval_every=200, seed=0, quiet=True,
        )
        history = trainer.run()
        assert history.eval_steps == [0, 200, 400]
        assert history.test_acc[0] < 0.2 and history.test_acc[-1] > 0.85
        assert net.params["W1"].dtype == np.float32

    def test_multi_layer_net_with_batchnorm_and_dropout_resumes_bit_identically(self, tmp_path):
        x, t = make_spiral(60, 3, noise=0.1, rng=0)

        def make(name):
            net = MultiLayerNet(2, [16, 16], 3, use_batchnorm=True, use_dropout=True,
                                dropout_ratio=0.1, rng=3)
            return Trainer(net, make_optimizer("momentum", lr=0.1), x, t, epochs=4,
                           batch_size=30, seed=2, quiet=True, checkpoint=tmp_path / name)

        straight = make("a.npz")
        straight.run()
        first = make("b.npz")
        first.total_steps = 9
        first.run()
        resumed = make("c.npz")
        resumed.load_checkpoint(tmp_path / "b.npz")
        resumed.run()
        assert resumed.network.buffers.keys() == {"running_mean1", "running_var1",
                                                  "running_mean2", "running_var2"}
        for name in ("params", "buffers"):
            for key, value in getattr(straight.network, name).items():
                np.testing.assert_array_equal(getattr(resumed.network, name)[key], value)


def test_benchmark_smoke_run(mnist_dir, capsys):
    """benchmarks/bench_train.py at tiny size: every variant gives the same accuracy."""
    path = Path(__file__).parents[2] / "benchmarks" / "bench_train.py"
    spec = importlib.util.spec_from_file_location("bench_train", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.main(["--steps", "30", "--repeat", "1", "--loads", "quiet",
                          "--variants", "nnlearn,book,matmul"])["quiet"]
    assert set(results) == {"nnlearn", "book", "matmul"}
    assert results["nnlearn"]["test_acc"] == pytest.approx(results["book"]["test_acc"], abs=2e-3)
    assert results["nnlearn"]["peak_mb"] > 0
    assert results["nnlearn"]["blas_threads"] in ({"1": 30}, {"2": 30})
    assert "| nnlearn | 30 |" in capsys.readouterr().out
