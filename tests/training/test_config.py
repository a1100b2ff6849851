"""Tests of nnlearn.training.config: one validated, immutable description of a run."""

import dataclasses

import numpy as np
import pytest

from nnlearn.data import make_spiral
from nnlearn.nn import SGD, Adam, TwoLayerNet
from nnlearn.training import Trainer
from nnlearn.training.config import (
    DEFAULT_SETTINGS,
    PRESETS,
    RunConfig,
    Schedule,
)


class TestSchedule:
    def test_steps(self):
        schedule = Schedule(batch_size=100, epochs=3)
        assert schedule.steps_per_epoch(1050) == 10 and schedule.total_steps(1050) == 30
        with pytest.raises(ValueError, match="batch_size must be <= the 50 training samples"):
            schedule.total_steps(50)

    @pytest.mark.parametrize(("settings", "match"), [
        ({}, "give exactly one of epochs and iters, got epochs=None and iters=None"),
        ({"epochs": 1, "iters": 2}, "give exactly one of epochs and iters"),
        ({"iters": 0}, "iters must be an integer >= 1"),
        ({"iters": 5, "sampling": "random"}, "sampling must be one of 'shuffle', 'replacement'"),
        ({"iters": 5, "lr_decay": 1.5}, r"lr_decay must be in \(0, 1\], got 1.5"),
        ({"iters": 5, "eval_every": 0}, "eval_every must be an integer >= 1"),
        ({"iters": 5, "eval_samples": 0}, "eval_samples must be an integer >= 1"),
        ({"iters": 5, "seed": -1}, "seed must be an integer >= 0 or None, got -1"),
        ({"iters": 5, "batch_size": 2.5}, "batch_size must be an integer"),
    ])
    def test_errors(self, settings, match):
        with pytest.raises((ValueError, TypeError), match=match):
            Schedule(**settings)


class TestRunConfig:
    def test_defaults_are_the_book_network(self):
        run = RunConfig.from_settings()
        assert (run.dataset, run.model, run.hidden, run.activation, run.dtype) == (
            "mnist", "two-layer", (50,), "sigmoid", "float32")
        assert run.schedule == Schedule(epochs=1, seed=0)
        assert RunConfig() == run

    def test_activation_follows_the_model_unless_given(self):
        assert RunConfig.from_settings({"model": "mlp"}).activation == "relu"
        assert RunConfig.from_settings({"model": "mlp", "activation": "tanh"}).activation == "tanh"

    def test_dataset_defaults_sit_under_the_options(self):
        spiral = RunConfig.from_settings({"dataset": "spiral"})
        assert (spiral.activation, spiral.optimizer) == ("relu", "adam")
        assert spiral.schedule.iters == 1000
        mine = RunConfig.from_settings({"dataset": "spiral"}, {"epochs": 3, "optimizer": "sgd"})
        assert mine.schedule.epochs == 3 and mine.schedule.iters is None
        assert mine.optimizer == "sgd"

    def test_later_layers_win_and_epochs_replace_iters(self):
        run = RunConfig.from_settings(PRESETS["book"], {"epochs": 2, "lr": 0.5})
        assert run.lr == 0.5 and run.schedule.epochs == 2 and run.schedule.iters is None
        assert run.schedule.sampling == "replacement"
        assert run.with_settings({"iters": 7}).schedule == dataclasses.replace(
            run.schedule, epochs=None, iters=7)

    def test_round_trip_through_a_dict(self):
        run = RunConfig.from_settings(PRESETS["fast"], {"seed": 4})
        data = run.to_dict()
        assert set(data) == set(DEFAULT_SETTINGS) and data["hidden"] == [256]
        assert RunConfig.from_dict(data) == run

    def test_frozen(self):
        with pytest.raises(dataclasses.FrozenInstanceError):
            RunConfig().lr = 1.0

    @pytest.mark.parametrize(("change", "match"), [
        ({"hidden": [5, 5]}, "model 'two-layer' has one hidden layer, got hidden sizes"),
        ({"hidden": [0]}, r"hidden\[0\] must be an integer >= 1"),
        ({"hidden": "50"}, "hidden must be a tuple of widths"),
        ({"dtype": "float16"}, "dtype must be one of 'float32', 'float64'"),
        ({"optimizer": "lbfgs"}, "optimizer must be one of"),
        ({"lr": -1}, "lr must be"),
        ({"dataset": "cifar"}, "dataset must be one of"),
    ])
    def test_each_value_is_checked(self, change, match):
        with pytest.raises((ValueError, TypeError), match=match):
            RunConfig.from_settings(change)

    def test_from_dict_names_its_source(self):
        data = RunConfig().to_dict()
        with pytest.raises(ValueError, match="ckpt.npz: the run settings lack hidden"):
            RunConfig.from_dict({k: v for k, v in data.items() if k != "hidden"}, "ckpt.npz")
        with pytest.raises(ValueError, match=r"ckpt.npz: invalid run settings: hidden\[0\]"):
            RunConfig.from_dict({**data, "hidden": [10**9 * 1.5]}, "ckpt.npz")
        with pytest.raises(ValueError, match="ckpt.npz: the run settings must be a mapping"):
            RunConfig.from_dict([1, 2], "ckpt.npz")


class TestTrainerTakesOneSchedule:
    def _data(self):
        return make_spiral(20, 3, rng=0)

    def test_run_gives_the_schedule(self):
        x, t = self._data()
        run = RunConfig.from_settings({"dataset": "spiral", "iters": 4, "batch_size": 10,
                                       "optimizer": "sgd", "lr": 0.1})
        trainer = Trainer(TwoLayerNet(2, 5, 3, rng=0), SGD(0.1), x, t, run=run, quiet=True)
        assert trainer.schedule is run.schedule and trainer.total_steps == 4
        assert trainer.settings() == run.to_dict()

    def test_conflicts_are_errors(self):
        x, t = self._data()
        run = RunConfig.from_settings({"dataset": "spiral"})
        net = TwoLayerNet(2, 5, 3, rng=0)
        with pytest.raises(ValueError, match="the run says adam with lr=0.03, but the trainer "
                                             "was given sgd with lr=0.1"):
            Trainer(net, SGD(0.1), x, t, run=run)
        with pytest.raises(ValueError, match="not two"):
            Trainer(net, Adam(0.03), x, t, run=run, iters=5)
        with pytest.raises(ValueError, match="not two"):
            Trainer(net, SGD(0.1), x, t, schedule=Schedule(iters=2), epochs=1)

    def test_test_labels_and_samples_are_checked_once(self):
        x, t = self._data()
        net = TwoLayerNet(2, 5, 3, rng=0)
        with pytest.raises(ValueError, match=r"t_test holds label 7, but the network scores 3 "
                                             r"classes \(labels 0 to 2\)"):
            Trainer(net, SGD(0.1), x, t, x, np.full(len(t), 7), iters=1)
        bad = x.copy()
        bad[5, 1] = np.nan
        with pytest.raises(ValueError, match=r"x_train holds NaN or infinity \(first in sample 5"):
            Trainer(net, SGD(0.1), bad, t, iters=1)
        with pytest.raises(ValueError, match="t_train has one-hot rows of width 4, but the network "
                                             "scores 3 classes"):
            Trainer(net, SGD(0.1), x, np.eye(4)[t], iters=1)
