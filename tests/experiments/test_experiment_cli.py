"""The experiment and plot commands: run, rerun, redraw, and their errors."""

import json

import pytest

from nnlearn.cli import main


@pytest.fixture(scope="module")
def paths_run(tmp_path_factory):
    """The optimizer-paths experiment run once by the command, and what it printed."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("cli") / "paths"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["experiment", "optimizer-paths", "--out", str(out), "--jobs", "1",
                     "--quiet"]) == 0
    return out, printed.getvalue()


def test_experiment_command_runs_saves_and_resumes(paths_run, capsys):
    out, printed = paths_run
    assert printed.splitlines()[0] == ("nnlearn experiment optimizer-paths: Paths of six "
                                       "optimizers on f(x, y) = x²/20 + y²")
    assert "sgd       lr 0.95  after 30 steps: (-0.3504, +0.0848)" in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "cells", "paths.png", "paths.svg", "results.csv", "settings.json"]
    assert main(["experiment", "optimizer-paths", "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert "6 cells found done" in capsys.readouterr().out


def test_set_changes_a_setting_and_show_settings_lists_them(tmp_path, capsys):
    assert main(["experiment", "optimizer-paths", "--show-settings",
                 "--set", "steps=5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["start = [-7.0, 2.0]", "steps = 5"]
    out = tmp_path / "run"
    assert main(["experiment", "optimizer-paths", "--out", str(out), "--quiet", "--jobs", "1",
                 "--set", 'optimizers={"sgd": 0.5}', "--set", "steps=3"]) == 0
    saved = json.loads((out / "settings.json").read_text())
    assert saved["settings"]["optimizers"] == {"sgd": 0.5} and saved["settings"]["steps"] == 3


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "weight_scales=[]"], "setting weight_scales must be a non-empty list"),
    (["--set", "check_batch=1"], "a batch of one sample is degenerate"),
    (["--set", "nope=1"], "unknown setting 'nope' of experiment 'batchnorm'"),
    (["--set", "nope"], "a setting must be KEY=VALUE"),
])
def test_bad_settings_are_one_line_errors(tmp_path, capsys, args, message):
    assert main(["experiment", "batchnorm", "--out", str(tmp_path), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nnlearn: error: ") and message in err and err.count("\n") == 1


def test_unknown_experiment_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["experiment", "dropout"])
    assert "invalid choice: 'dropout'" in capsys.readouterr().err


def test_plot_experiment_redraws_from_the_saved_data(paths_run, tmp_path, capsys):
    out = paths_run[0]
    for figure in ("paths.png", "paths.svg"):
        (out / figure).unlink()
    capsys.readouterr()
    assert main(["plot", "experiment", str(out), "--lang", "ko"]) == 0
    assert (out / "paths.png").exists() and (out / "paths.svg").exists()
    assert main(["plot", "experiment"]) == 1
    assert "'plot experiment' takes one RUN_DIR, got 0" in capsys.readouterr().err
    assert main(["plot", "experiment", str(tmp_path)]) == 1
    assert "is not an experiment's folder" in capsys.readouterr().err


def test_plot_curves_overlays_runs(tmp_path, capsys):
    runs = []
    for lr in ("0.01", "0.03"):
        runs.append(str(tmp_path / lr))
        assert main(["train", "--dataset", "spiral", "--iters", "100", "--lr", lr,
                     "--out", runs[-1], "--quiet"]) in (0, 1)
    out = tmp_path / "curves.svg"
    capsys.readouterr()
    assert main(["plot", "curves", *runs, "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    assert main(["plot", "curves", str(tmp_path / "none"), "--out", str(out)]) == 1
    assert "no history.json" in capsys.readouterr().err
    assert main(["plot", "descent", runs[0]]) == 1
    assert "'plot descent' takes no RUN" in capsys.readouterr().err


def test_training_figures_from_a_checkpoint(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--dataset", "spiral", "--iters", "50", "--out", str(run),
                 "--quiet"]) in (0, 1)
    out = tmp_path / "cm.png"
    capsys.readouterr()
    assert main(["plot", "mnist-confusion-matrix", "--checkpoint",
                 str(run / "checkpoint.npz"), "--out", str(out)]) == 0
    assert out.exists()
    assert main(["plot", "descent", "--checkpoint", str(run / "checkpoint.npz"),
                 "--out", str(out)]) == 1
    assert "a checkpoint draws only first-layer-weights" in capsys.readouterr().err
