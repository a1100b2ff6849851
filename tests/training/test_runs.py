"""Tests of nnlearn.training.runs and the train / evaluate commands: presets, networks, resuming."""

import numpy as np
import pytest

from nnlearn.cli import main
from nnlearn.data.datasets import make_spiral
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import SGD
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training import History, Trainer
from nnlearn.training.checkpoints import load_checkpoint
from nnlearn.training.config import PRESETS, RunConfig
from nnlearn.training.evaluation import Evaluation
from nnlearn.training.runs import build_network, restore_network, saved_run


def _spiral_trainer(checkpoint):
    x, t = make_spiral(30, 3, rng=0)
    return Trainer(TwoLayerNet(2, 5, 3, rng=0), SGD(0.1), x, t, iters=2, batch_size=10,
                   quiet=True, checkpoint=checkpoint)


class TestRuns:
    def test_build_network(self):
        run = RunConfig.from_settings({"model": "mlp", "hidden": [8, 4], "dtype": "float64",
                                       "seed": 1})
        net = build_network(run, 2, 3)
        assert isinstance(net, MultiLayerNet)
        assert [p.shape for p in net.params.values()] == [(2, 8), (8,), (8, 4), (4,), (4, 3), (3,)]
        two = build_network(RunConfig.from_settings(), 784, 10)
        assert isinstance(two, TwoLayerNet) and two.params["W1"].dtype == np.float32
        assert abs(float(two.params["W1"].std()) - 0.01) < 1e-3
        with pytest.raises(ValueError, match="model 'two-layer' has one hidden layer"):
            RunConfig.from_settings({"hidden": [5, 5]})
        with pytest.raises(ValueError, match="model must be one of"):
            RunConfig.from_settings({"model": "cnn"})

    def test_from_settings(self):
        assert RunConfig.from_settings().schedule.epochs == 1
        run = RunConfig.from_settings(PRESETS["fast"], {"iters": 7})
        assert run.schedule.iters == 7 and run.schedule.epochs is None
        assert run.optimizer == "adam"
        with pytest.raises(ValueError, match="unknown run setting 'momentum'"):
            RunConfig.from_settings({"momentum": 0.9})

    def test_checkpoint_without_run_settings(self, tmp_path):
        _spiral_trainer(tmp_path / "plain.npz").run()
        with pytest.raises(ValueError, match="the run settings lack activation"):
            saved_run(tmp_path / "plain.npz")
        with pytest.raises(ValueError, match="does not say which network it holds"):
            restore_network(tmp_path / "plain.npz")

    def test_evaluation_report(self):
        report = str(Evaluation("spiral", 0.75, np.array([[2, 1], [0, 1]])))
        assert report.splitlines() == [
            "test accuracy on spiral: 0.7500 (3 / 4)",
            "confusion matrix (rows: true label, columns: predicted label)",
            "true    0    1",
            "   0    2    1",
            "   1    0    1",
        ]


class TestCommandLine:
    def test_train_writes_outputs_then_evaluate(self, tmp_path, capsys):
        out = tmp_path / "run"
        args = ["train", "--dataset", "spiral", "--model", "mlp", "--hidden", "32",
                "--optimizer", "adam", "--lr", "0.01", "--batch-size", "30", "--epochs", "40",
                "--out", str(out), "--quiet"]
        assert main(args) == 0
        printed = capsys.readouterr().out
        assert "spiral, mlp 2-32-3 relu float32, Adam(lr=0.01" in printed
        assert "steps/s" in printed
        assert sorted(p.name for p in out.iterdir()) == [
            "checkpoint.npz", "history.csv", "history.json", "learning_curves.png"
        ]
        history = History.from_json(out / "history.json")
        assert len(history.loss) == 400 and history.eval_steps[-1] == 400
        assert history.test_acc[-1] > 0.9
        assert f"test accuracy {history.test_acc[-1]:.4f}" in printed

        assert main(["evaluate", str(out / "checkpoint.npz")]) == 0
        report = capsys.readouterr().out
        assert f"test accuracy on spiral: {history.test_acc[-1]:.4f}" in report
        assert "true    0    1    2" in report

    def test_resume_extends_a_run_like_one_long_run(self, tmp_path, capsys):
        common = ["train", "--dataset", "spiral", "--optimizer", "momentum", "--lr", "0.5",
                  "--batch-size", "20", "--quiet"]
        assert main([*common, "--iters", "60", "--out", str(tmp_path / "long")]) == 0
        assert main([*common, "--iters", "25", "--out", str(tmp_path / "short")]) == 0
        assert main(["train", "--resume", str(tmp_path / "short" / "checkpoint.npz"),
                     "--iters", "60", "--out", str(tmp_path / "resumed"), "--quiet"]) == 0
        assert "from step 25" in capsys.readouterr().out
        long, resumed = (load_checkpoint(tmp_path / d / "checkpoint.npz")[0]
                         for d in ("long", "resumed"))
        for key in ("param/W1", "param/b2", "optimizer/v/W1"):
            np.testing.assert_array_equal(long[key], resumed[key])

    def test_errors_exit_1_with_a_message(self, tmp_path, capsys):
        assert main(["evaluate", str(tmp_path / "missing.npz")]) == 1
        assert "missing.npz' does not exist" in capsys.readouterr().err
        assert main(["train", "--dataset", "spiral", "--lr", "1e20", "--optimizer", "sgd",
                     "--batch-size", "100", "--iters", "50", "--quiet", "--out",
                     str(tmp_path)]) == 1
        assert "loss became nan at step 3 with learning rate 1e+20" in capsys.readouterr().err
