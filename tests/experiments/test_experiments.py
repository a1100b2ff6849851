"""Each experiment's quick version runs, and its numbers make the chapter's lesson."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from nnlearn.experiments import EXPERIMENTS, get_experiment, run_experiment
from nnlearn.experiments.optimizer_paths import elongated_bowl


class BookRules:
    """The update rules of the book's common/optimizer.py, written out for scalars."""

    def __init__(self, name, lr):
        self.name, self.lr, self.state, self.iter = name, lr, {}, 0

    def update(self, params, grads):
        lr, s = self.lr, self.state
        self.iter += 1
        for key in params:
            p, g = params[key], grads[key]
            if self.name == "sgd":
                p -= lr * g
            elif self.name == "momentum":
                s[key] = 0.9 * s.get(key, 0.0) - lr * g
                p += s[key]
            elif self.name == "nesterov":
                v = s.get(key, 0.0)
                p += 0.9 * 0.9 * v
                p -= (1 + 0.9) * lr * g
                s[key] = 0.9 * v - lr * g
            elif self.name == "adagrad":
                s[key] = s.get(key, 0.0) + g * g
                p -= lr * g / (np.sqrt(s[key]) + 1e-7)
            elif self.name == "rmsprop":
                s[key] = 0.99 * s.get(key, 0.0) + (1 - 0.99) * g * g
                p -= lr * g / (np.sqrt(s[key]) + 1e-7)
            elif self.name == "adam":
                lr_t = lr * np.sqrt(1.0 - 0.999**self.iter) / (1.0 - 0.9**self.iter)
                m, v = s.get(key, (0.0, 0.0))
                m += (1 - 0.9) * (g - m)
                v += (1 - 0.999) * (g**2 - v)
                s[key] = (m, v)
                p -= lr_t * m / (np.sqrt(v) + 1e-7)
            params[key] = p


def book_path(name, lr, steps=30):
    params, path = {"x": -7.0, "y": 2.0}, [(-7.0, 2.0)]
    rule = BookRules(name, lr)
    for _ in range(steps):
        rule.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
        path.append((params["x"], params["y"]))
    return np.array(path)


def test_optimizer_paths_follow_the_book_update_rules(quick_run):
    result = quick_run("optimizer-paths")
    assert result.table.settings() == ["sgd", "momentum", "adagrad", "adam", "rmsprop",
                                       "nesterov"]
    for name, lr in result.settings["optimizers"].items():
        rows = result.table.select(name)
        path = np.array([(row["x"], row["y"]) for row in rows])
        assert path.shape == (31, 2)
        assert_allclose(path, book_path(name, lr), rtol=1e-12, atol=1e-15, err_msg=name)
        assert_allclose([row["f"] for row in rows], elongated_bowl(path[:, 0], path[:, 1]))
    # the book's figure: SGD zigzags along y, AdaGrad's y settles at once
    sgd_y = np.array([row["y"] for row in result.table.select("sgd")])
    assert np.all(np.sign(sgd_y[1:11]) == -np.sign(sgd_y[:10]))
    assert abs(result.table.select("adagrad")[-1]["y"]) < 1e-6


def test_optimizer_paths_summary_names_the_final_points(quick_run):
    summary = quick_run("optimizer-paths").summary
    assert summary[0].startswith("sgd       lr 0.95  after 30 steps: (-0.3504, +0.0848)")


def test_he_beats_std_001_with_relu(quick_run):
    result = quick_run("init")
    table = result.table
    loss = {name: np.nanmean(table.curve(name, "loss")[1][:, -20:]) for name in table.settings()}
    assert loss["relu/std=0.01"] > 2.29  # the signal vanished: log 10 = 2.303, nothing learnt
    assert loss["relu/he"] < loss["relu/std=0.01"] - 0.1
    assert table.final("relu/he", "test_acc")[0] > table.final("relu/std=0.01", "test_acc")[0] + 0.2
    assert table.settings() == ["relu/std=0.01", "relu/xavier", "relu/he"]  # the book's run


def test_the_extras_are_one_setting_away():
    from nnlearn.experiments.base import parse_settings

    init = get_experiment("init")
    settings = init.settings(parse_settings(["activations=relu,sigmoid,tanh"]))
    cells = init.cells(settings, [0, 1], 0, None)
    assert len(cells) == 18 and cells[-1].setting == "tanh/he"
    optimizers = get_experiment("optimizers")
    assert list(optimizers.settings()["optimizers"]) == ["sgd", "momentum", "adagrad", "adam"]
    named = optimizers.settings(parse_settings(["optimizers=sgd,adam,rmsprop, nesterov"]))
    assert named["optimizers"] == {"sgd": 0.01, "adam": 0.001, "rmsprop": 0.01, "nesterov": 0.01}
    assert optimizers.settings({"optimizers": {"adam": 0.01}})["optimizers"] == {"adam": 0.01}
    overfitting = get_experiment("overfitting")
    swept = overfitting.settings({"dropout_sweep": [0.1, 0.5]})
    assert [cell.setting for cell in overfitting.cells(swept, [0], 0, None)] == [
        "none", "weight_decay=0.1", "dropout=0.1", "dropout=0.2", "dropout=0.5"]


def test_batch_norm_wins_at_the_smallest_weight_scales(quick_run):
    result = quick_run("batchnorm")
    smallest = min(result.settings["weight_scales"])
    with_bn = result.table.final(f"batchnorm/w={smallest:.3g}", "train_acc")
    without = result.table.final(f"plain/w={smallest:.3g}", "train_acc")
    assert with_bn[0] > without[0] + 0.2
    assert without[0] < 0.2  # the plain network is stuck near chance
    errors = [row["grad_error"] for row in result.table.select("gradient-check")]
    assert len(errors) == 10 and max(errors) < 1e-6 and min(errors) > 0


def test_regularisation_narrows_the_train_test_gap(quick_run):
    from nnlearn.experiments.overfitting import gap

    result = quick_run("overfitting")
    assert result.table.settings() == ["none", "weight_decay=0.1", "dropout=0.2"]
    assert gap(result.table, "none") > 0.15  # 300 images are memorised
    assert gap(result.table, "none") > gap(result.table, "weight_decay=0.1")
    assert gap(result.table, "none") > gap(result.table, "dropout=0.2")
    assert result.summary[-1].endswith("narrower")
    steps, counts = result.table.curve("none", "test_n")  # every epoch on 300 test images ...
    assert steps.tolist() == list(range(0, 181, 3)) and counts[0, -1] == 1000  # ... then all
    assert (counts[0, :-1] == 300).all() and (result.table.curve("none", "train_n")[1] == 300).all()


def test_optimizers_adaptive_methods_beat_plain_sgd(quick_run):
    from nnlearn.experiments.optimizers import last_loss

    table = quick_run("optimizers").table
    assert last_loss(table, "adam") < last_loss(table, "sgd")
    assert last_loss(table, "adagrad") < last_loss(table, "sgd")


def test_init_histograms_show_vanishing_and_saturation(quick_run):
    table = quick_run("init-histograms").table
    stats = {name: [row for row in table.select(name) if row["bin"] == 0]
             for name in table.settings()}
    assert len(stats) == 12 and all(len(layers) == 5 for layers in stats.values())
    assert all(layer["zeros"] > 0.4 for layer in stats["relu/he"])  # half of ReLU is exactly 0
    assert stats["relu/he"][-1]["std"] > 0.5 > stats["relu/xavier"][-1]["std"]
    assert stats["tanh/std=0.01"][-1]["std"] < 1e-4  # vanishes layer after layer
    assert stats["sigmoid/std=0.01"][0]["grad_std"] < 1e-5  # and so does its gradient
    counts = [row["count"] for row in table.select("relu/he", 0) if row["step"] == 1]
    assert sum(counts) == round(300 * 100 * (1 - stats["relu/he"][0]["zeros"]))
    tanh = [row for row in table.select("tanh/xavier") if row["step"] == 1]
    assert tanh[0]["low"] == -1.0 and tanh[-1]["high"] == pytest.approx(1.0)


def test_hparams_search_narrows_and_tests_the_best_once(quick_run):
    from nnlearn.experiments.hparams import ranking

    result = quick_run("hparams")
    settings, table = result.settings, result.table
    first = [name for name in table.settings() if name.startswith("stage1-")]
    second = [name for name in table.settings() if name.startswith("stage2-")]
    assert (len(first), len(second)) == (settings["trials"], settings["second_trials"])
    for name in first:
        lr, decay = table.final(name, "lr")[0], table.final(name, "weight_decay")[0]
        assert 1e-6 <= lr <= 1e-2 and 1e-8 <= decay <= 1e-4
    best = ranking(table)[0]
    assert table.final("best", "lr")[0] == table.final(best, "lr")[0]
    assert not np.isnan(table.final("best", "test_acc")[0])
    assert np.isnan(table.final(best, "test_acc")).all()  # trials never see the test set
    assert set(table.curve(best, "train_n")[1].ravel()) == {100}  # 100 of the 400 images
    assert set(table.curve(best, "val_n")[1].ravel()) == {100}  # all 100
    assert table.final("best", "test_n")[0] == 1000 and table.final("best", "train_n")[0] == 100
    assert table.final(best, "val_acc")[0] >= max(table.final(name, "val_acc")[0]
                                                  for name in table.settings() if name != "best")


def test_every_experiment_has_a_quick_version_of_its_own_settings():
    for name, experiment in EXPERIMENTS.items():
        assert set(experiment.quick) <= set(experiment.defaults), name
        assert experiment.settings(quick=True) and experiment.settings(), name


@pytest.mark.parametrize(("name", "settings", "match"), [
    ("batchnorm", {"weight_scales": []}, "weight_scales must be a non-empty list"),
    ("batchnorm", {"check_batch": 1}, "batch of one sample is degenerate for batch "
                                      "normalisation: the batch mean is the sample itself"),
    ("batchnorm", {"check_batch": 2}, "two samples is degenerate"),
    ("optimizers", {"optimizers": {}}, "optimizers must be a non-empty mapping"),
    ("optimizers", {"optimizers": {"lbfgs": 0.1}}, "unknown name 'lbfgs'"),
    ("optimizers", {"optimizers": "sgd,lbfgs"}, "unknown name 'lbfgs'"),
    ("batchnorm", {"test_curve": "yes"}, "test_curve must be true or false"),
    ("overfitting", {"eval_samples": 0}, "eval_samples must be an integer >= 1"),
    ("optimizers", {"momentum": 0.5}, "unknown setting 'momentum' of experiment 'optimizers'; "
                                      "known: batch_size"),
    ("init", {"inits": ["he", "glorot"]}, r"inits\[1\] must be 'he', 'xavier'"),
    ("init", {"activations": ["relu", "relu"]}, "names one item twice"),
    ("overfitting", {"dropout": 1.0}, "dropout must be < 1"),
    ("overfitting", {"weight_decay_sweep": [0.1, -1]}, r"weight_decay_sweep\[1\] must be"),
    ("hparams", {"lr_range": [-2, -6]}, "low < high"),
    ("optimizer-paths", {"start": [1.0]}, "start must be two finite numbers"),
    ("init-histograms", {"layers": 0}, "layers must be an integer >= 1"),
    ("optimizers", {"batch_size": 100, "n_train": 50}, "batch_size .100. must be at most"),
])
def test_bad_settings_are_refused_with_a_clear_message(name, settings, match):
    with pytest.raises(ValueError, match=match):
        run_experiment(name, settings=settings, progress=False)


def test_unknown_experiment_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown experiment 'dropout'; known: optimizer-paths, "
                                         "optimizers, init-histograms, init, batchnorm, "
                                         "overfitting, hparams"):
        get_experiment("dropout")
