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
from nnlearn.training.runs import build_network, parameter_shapes, restore_network, saved_run


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
        with pytest.raises(ValueError, match="does not say which network it holds"):
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

    def test_eval_samples_from_the_command_line(self, tmp_path, capsys):
        out = tmp_path / "run"
        assert main(["train", "--dataset", "spiral", "--iters", "30", "--eval-samples", "50",
                     "--out", str(out), "--quiet"]) == 0
        meta = History.from_json(out / "history.json").metadata
        assert (meta["eval_samples"], meta["n_eval_train"]) == (50, 50)
        assert meta["n_eval_test"] == 50 < meta["n_test"]
        assert f"(on 50 of the {meta['n_train']:,} training images)" in capsys.readouterr().out

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

    def test_threads(self, tmp_path, capsys, monkeypatch):
        common = ["train", "--dataset", "spiral", "--iters", "30", "--quiet", "--overwrite",
                  "--out", str(tmp_path)]
        assert main([*common, "--threads", "1"]) == 0
        printed = capsys.readouterr().out
        assert "30 steps; 1 BLAS thread (fixed)\n" in printed
        assert "BLAS threads: 1 for 30 steps" in printed
        monkeypatch.setenv("NNLEARN_THREADS", "1")
        assert main(common) == 0
        assert "30 steps; 1 BLAS thread (NNLEARN_THREADS)" in capsys.readouterr().out
        assert main([*common, "--threads", "0"]) == 1
        assert capsys.readouterr().err == ("nnlearn: error: --threads must be 'auto' or an "
                                           "integer >= 1, got '0'\n")

    def test_errors_exit_1_with_a_message(self, tmp_path, capsys):
        assert main(["evaluate", str(tmp_path / "missing.npz")]) == 1
        assert "missing.npz' does not exist" in capsys.readouterr().err
        assert main(["train", "--dataset", "spiral", "--lr", "1e20", "--optimizer", "sgd",
                     "--batch-size", "100", "--iters", "50", "--quiet", "--out",
                     str(tmp_path)]) == 1
        assert "loss became nan at step 3 with learning rate 1e+20" in capsys.readouterr().err


def _train_spiral(out, *extra):
    return main(["train", "--dataset", "spiral", "--iters", "30", "--quiet", "--out", str(out),
                 *extra])


class TestNoLostRun:
    def test_out_is_checked_before_any_work(self, tmp_path, capsys):
        file = tmp_path / "file"
        file.write_text("x")
        assert _train_spiral(file) == 1
        assert f"--out {file} is a file, not a folder" in capsys.readouterr().err
        assert _train_spiral(file / "under") == 1
        assert f"--out {file / 'under'} cannot be written" in capsys.readouterr().err
        assert file.read_text() == "x"

    def test_an_earlier_run_is_not_overwritten_unless_asked(self, tmp_path, capsys):
        assert _train_spiral(tmp_path) == 0
        before = (tmp_path / "checkpoint.npz").read_bytes()
        capsys.readouterr()
        assert _train_spiral(tmp_path, "--seed", "3") == 1
        assert "already holds a run (checkpoint.npz, history.json" in capsys.readouterr().err
        assert (tmp_path / "checkpoint.npz").read_bytes() == before
        assert _train_spiral(tmp_path, "--seed", "3", "--overwrite") == 0
        assert (tmp_path / "checkpoint.npz").read_bytes() != before

    def test_resume_continues_in_its_own_folder_and_keeps_its_network(self, tmp_path, capsys):
        assert _train_spiral(tmp_path) == 0
        ckpt = str(tmp_path / "checkpoint.npz")
        assert main(["train", "--resume", ckpt, "--iters", "40", "--quiet",
                     "--out", str(tmp_path)]) == 0
        assert load_checkpoint(ckpt)[1]["step"] == 40
        capsys.readouterr()
        assert main(["train", "--resume", ckpt, "--model", "mlp", "--iters", "50", "--quiet",
                     "--out", str(tmp_path / "b")]) == 1
        assert (f"model='mlp' conflicts with the checkpoint {ckpt}, which holds "
                "model='two-layer': a resumed run keeps its network") in capsys.readouterr().err
        assert main(["train", "--resume", ckpt, "--hidden", "7", "--quiet",
                     "--out", str(tmp_path / "c")]) == 1
        assert "hidden=[7] conflicts with the checkpoint" in capsys.readouterr().err

    def test_spiral_defaults_learn_the_spiral(self, tmp_path, capsys):
        assert main(["train", "--dataset", "spiral", "--quiet", "--out", str(tmp_path)]) == 0
        assert History.from_json(tmp_path / "history.json").test_acc[-1] > 0.95

    @pytest.mark.parametrize(("options", "cause"), [
        (["--lr", "1e-9", "--optimizer", "sgd"], "the loss barely moved: the learning rate 1e-09"),
        (["--lr", "300", "--optimizer", "sgd", "--activation", "sigmoid"],
         "the learning rate 300 is likely too large: try --lr 30"),
    ])
    def test_a_run_that_learns_nothing_fails_but_keeps_its_files(self, tmp_path, capsys, options,
                                                                  cause):
        assert _train_spiral(tmp_path, *options) == 1
        err = capsys.readouterr().err
        assert "nnlearn: error: training failed: the final training accuracy" in err
        assert "is at chance (1/3 = 0.3333)" in err and cause in err
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "checkpoint.npz", "history.csv", "history.json", "learning_curves.png"]

    def test_evaluate_on_a_dataset_that_does_not_fit(self, tmp_path, capsys, mnist_dir):
        assert _train_spiral(tmp_path) == 0
        capsys.readouterr()
        assert main(["evaluate", str(tmp_path / "checkpoint.npz"), "--dataset", "mnist",
                     "--data-dir", mnist_dir]) == 1
        assert ("the network takes 2 inputs, but the samples of mnist have 784: evaluate it on "
                "the dataset it was trained on") in capsys.readouterr().err


def _rewrite_header(path, change):
    """A copy of checkpoint ``path`` whose JSON header went through ``change(meta)``."""
    import json
    arrays = dict(np.load(path))
    meta = json.loads(str(arrays.pop("meta")))
    change(meta)
    target = path.parent / f"crafted-{len(list(path.parent.iterdir()))}.npz"
    np.savez(target, **arrays, meta=np.array(json.dumps(meta)))
    return target


def _set(*keys, value):
    def change(meta):
        node = meta
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return change


def _drop(key):
    return lambda meta: meta.pop(key)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A checkpoint of a short spiral run."""
    out = tmp_path_factory.mktemp("run")
    assert _train_spiral(out) == 0
    return out / "checkpoint.npz"


class TestDamagedCheckpoints:
    """Crafted or damaged headers: one line naming the file, exit status 1, no traceback."""

    CHANGES = [
        _set("run", "hidden", value=[10**9]),
        _set("run", "hidden", value="many"),
        _set("run", "model", value=None),
        _set("run", value=[1, 2]),
        _set("metadata", "input_size", value=-3),
        _set("metadata", value="x"),
        _set("step", value="ten"),
        _set("position", value=-1),
        _set("rng", value=7),
        _set("history", value=None),
        _set("history", "loss", value=None),
        _set("n_train", value=0),
        _drop("run"),
        _drop("rng"),
        _set("format", value=99),
    ]

    @pytest.mark.parametrize("change", CHANGES)
    @pytest.mark.parametrize("command", ["evaluate", "resume"])
    def test_one_clear_error(self, checkpoint, change, command, tmp_path, capsys):
        crafted = _rewrite_header(checkpoint, change)
        args = (["evaluate", str(crafted)] if command == "evaluate" else
                ["train", "--resume", str(crafted), "--quiet", "--out", str(tmp_path / "r")])
        capsys.readouterr()
        assert main(args) == 1
        err = capsys.readouterr().err
        assert err.startswith("nnlearn: error: ") and err.count("\n") == 1, err
        assert str(crafted) in err, err

    def test_not_json_header(self, checkpoint, tmp_path, capsys):
        arrays = dict(np.load(checkpoint))
        arrays["meta"] = np.array("{not json")
        np.savez(tmp_path / "bad.npz", **arrays)
        assert main(["evaluate", str(tmp_path / "bad.npz")]) == 1
        assert "bad.npz: damaged checkpoint header" in capsys.readouterr().err

    def test_traceback_on_request(self, tmp_path, monkeypatch):
        with pytest.raises(FileNotFoundError):
            main(["--traceback", "evaluate", str(tmp_path / "none.npz")])
        monkeypatch.setenv("NNLEARN_TRACEBACK", "1")
        with pytest.raises(FileNotFoundError):
            main(["evaluate", str(tmp_path / "none.npz")])


class TestUpFront:
    """Mistakes found before any work: one line, exit status 1."""

    def test_a_network_too_large_for_the_machine(self, tmp_path, capsys):
        assert _train_spiral(tmp_path, "--hidden", "1000000000") == 1
        err = capsys.readouterr().err
        assert "a 2-1000000000-3 network has 6,000,000,003 weights: training it needs about" in err
        assert "choose smaller hidden sizes" in err

    def test_tour_and_plot_outputs(self, tmp_path, capsys):
        file = tmp_path / "file"
        file.write_text("x")
        assert main(["tour", "--out", str(file)]) == 1
        assert f"--out {file} is a file, not a folder" in capsys.readouterr().err
        assert main(["plot", "tangent", "--out", str(file / "t.png")]) == 1
        assert f"--out {file} is a file, not a folder" in capsys.readouterr().err

    def test_gradcheck_with_a_missing_data_folder(self, tmp_path, capsys, monkeypatch):
        monkeypatch.delenv("NNLEARN_DATA_DIR", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        assert main(["gradcheck", "--data-dir", str(tmp_path / "none")]) == 1
        assert f"--data-dir {tmp_path / 'none'} is not a folder" in capsys.readouterr().err
        assert main(["gradcheck", "--data-dir", str(tmp_path), "--batch", "1"]) == 1
        assert "nnlearn: error:" in capsys.readouterr().err


class TestChapter6Options:
    def test_train_with_batchnorm_dropout_weight_decay_and_restore(self, tmp_path, capsys):
        out = tmp_path / "run"
        args = ["train", "--dataset", "spiral", "--model", "mlp", "--hidden", "32", "--hidden",
                "32", "--batchnorm", "--dropout", "0.1", "--weight-decay", "0.001",
                "--weight-init", "0.3", "--iters", "300", "--out", str(out), "--quiet"]
        assert main(args) == 0
        printed = capsys.readouterr().out
        assert ("spiral, mlp 2-32-32-3 relu float32, init 0.3, weight decay 0.001, dropout 0.1, "
                "batch norm, Adam" in printed)
        network, run = restore_network(out / "checkpoint.npz")
        assert (run.batchnorm, run.dropout, run.weight_decay, run.weight_init) == (
            True, 0.1, 0.001, 0.3)
        assert network.use_batchnorm and network.use_dropout
        arrays, _ = load_checkpoint(out / "checkpoint.npz")
        np.testing.assert_array_equal(network.buffers["running_var1"],
                                      arrays["buffer/running_var1"])
        assert not np.all(network.buffers["running_var1"] == 1)  # the statistics were restored
        history = History.from_json(out / "history.json")
        assert history.test_acc[-1] > 0.8
        assert main(["evaluate", str(out / "checkpoint.npz")]) == 0
        accuracy = float(capsys.readouterr().out.split()[4])
        assert accuracy == pytest.approx(history.test_acc[-1], abs=5e-5)  # printed to 4 places

    def test_a_checkpoint_from_before_the_new_options_still_reads(self, tmp_path):
        from nnlearn.training.checkpoints import save_checkpoint
        from nnlearn.training.config import ADDED_SETTINGS

        out = tmp_path / "run"
        assert main(["train", "--dataset", "spiral", "--iters", "5", "--out", str(out),
                     "--quiet"]) in (0, 1)
        arrays, meta = load_checkpoint(out / "checkpoint.npz")
        for key in ADDED_SETTINGS:
            del meta["run"][key]
        del meta["format"]
        save_checkpoint(tmp_path / "old.npz", arrays, meta)
        run = saved_run(tmp_path / "old.npz")
        assert (run.weight_init, run.weight_decay, run.dropout, run.batchnorm) == (
            None, 0.0, 0.0, False)

    @pytest.mark.parametrize(("settings", "match"), [
        ({"batchnorm": True}, "batchnorm need model 'mlp' .MultiLayerNet., not 'two-layer'"),
        ({"weight_decay": 0.1, "dropout": 0.5},
         "weight_decay, dropout need model 'mlp'"),
        ({"model": "mlp", "dropout": 1.0}, r"dropout must be in \[0, 1\), got 1.0"),
        ({"model": "mlp", "weight_decay": -1.0}, "weight_decay must be a finite number >= 0"),
        ({"model": "mlp", "weight_init": "glorot"}, "weight_init must be 'he', 'xavier' or a "
                                                    "standard deviation > 0, got 'glorot'"),
        ({"weight_init": "he"}, "model 'two-layer' takes a weight_init standard deviation"),
    ])
    def test_bad_options(self, settings, match):
        with pytest.raises(ValueError, match=match):
            RunConfig.from_settings(settings)

    def test_resume_keeps_batchnorm(self, tmp_path, capsys):
        out = tmp_path / "run"
        assert main(["train", "--dataset", "spiral", "--model", "mlp", "--batchnorm",
                     "--iters", "20", "--out", str(out), "--quiet"]) in (0, 1)
        capsys.readouterr()
        assert main(["train", "--resume", str(out / "checkpoint.npz"), "--iters", "40",
                     "--out", str(out), "--quiet"]) in (0, 1)
        assert main(["train", "--resume", str(out / "checkpoint.npz"), "--dropout", "0.5",
                     "--out", str(out), "--quiet"]) == 1
        assert "dropout=0.5 conflicts with the checkpoint" in capsys.readouterr().err


class TestConvnetRuns:
    def test_the_preset_builds_the_chapters_convnet(self):
        run = RunConfig.from_settings(PRESETS["convnet"])
        net = build_network(run, 784, 10)
        assert type(net).__name__ == "SimpleConvNet" and net.params["W1"].dtype == np.float32
        assert {k: v.shape for k, v in net.params.items()} == parameter_shapes(run, 784, 10)
        assert parameter_shapes(run, 784, 10)["W2"] == (4320, 100)

    @pytest.mark.parametrize(("settings", "match"), [
        ({"model": "convnet", "activation": "sigmoid"}, "model 'convnet' .* uses relu"),
        ({"model": "convnet", "hidden": [10, 10]}, "model 'convnet' has one hidden layer"),
        ({"model": "convnet", "dropout": 0.5}, "dropout need model 'mlp'"),
    ])
    def test_settings_it_cannot_take(self, settings, match):
        with pytest.raises(ValueError, match=match):
            RunConfig.from_settings(settings)

    def test_it_needs_square_images(self, tmp_path, capsys):
        assert main(["train", "--dataset", "spiral", "--model", "convnet", "--out",
                     str(tmp_path)]) == 1
        assert ("model 'convnet' needs square images, but the samples have 2 values"
                in capsys.readouterr().err)
