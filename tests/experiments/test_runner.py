"""Run folders: the CSV and JSON on disk, resuming, more seeds, the parallel path."""

import json

import pytest

from nnlearn.experiments import Table, get_experiment, load_experiment, run_experiment
from nnlearn.experiments import runner as runner_module
from nnlearn.experiments.optimizer_paths import OptimizerPaths


def test_results_csv_schema_one_row_per_setting_seed_step(quick_run):
    result = quick_run("optimizers")
    header = (result.path / "results.csv").read_text().splitlines()[0]
    assert header == "setting,seed,step,loss,train_acc,test_acc,train_n,test_n,diverged"
    table = Table.from_csv(result.path / "results.csv", get_experiment("optimizers").metrics)
    keys = [(row["setting"], row["seed"], row["step"]) for row in table.rows]
    assert len(keys) == len(set(keys)) == 4 * (100 + 1)  # steps 1..100 and the evaluation at 0
    steps, accuracy = table.curve("adam", "test_acc")
    assert steps.tolist() == [0, 100] and accuracy.shape == (1, 2)
    assert all(row["diverged"] == 0 for row in table.rows if "diverged" in row)
    saved = json.loads((result.path / "settings.json").read_text())
    assert saved["experiment"] == "optimizers" and saved["seeds"] == [0] and saved["quick"]
    assert saved["settings"]["optimizers"]["adam"] == 0.001
    assert saved["metrics"] == ["loss", "train_acc", "test_acc", "train_n", "test_n", "diverged"]
    assert len(list((result.path / "cells").glob("*.csv"))) == 4


def test_a_run_folder_reads_back_as_it_was_written(quick_run):
    result = quick_run("optimizer-paths")
    again = load_experiment(result.path)
    assert again.name == "optimizer-paths" and again.settings == result.settings
    assert again.table.rows == result.table.rows
    assert again.summary == result.summary


def test_an_interrupted_run_recomputes_nothing_that_finished(tmp_path, monkeypatch):
    calls = []
    original = OptimizerPaths.run_cell

    def interrupted_after_three(params, seed):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(params["optimizer"])
        return original(params, seed)

    monkeypatch.setattr(OptimizerPaths, "run_cell", staticmethod(interrupted_after_three))
    with pytest.raises(KeyboardInterrupt):
        run_experiment("optimizer-paths", tmp_path, progress=False)
    assert len(list((tmp_path / "cells").glob("*.csv"))) == 3
    assert not (tmp_path / "results.csv").exists()
    with pytest.raises(FileNotFoundError, match="the run did not finish; rerun it"):
        load_experiment(tmp_path)

    finished, calls[:] = list(calls), []
    monkeypatch.setattr(OptimizerPaths, "run_cell", staticmethod(
        lambda params, seed: calls.append(params["optimizer"]) or original(params, seed)))
    result = run_experiment("optimizer-paths", tmp_path, progress=False)
    assert (result.reused, result.computed) == (3, 3)
    assert sorted(calls) == sorted(set(result.settings["optimizers"]) - set(finished))
    assert result.table.rows == run_experiment("optimizer-paths", progress=False).table.rows


def test_more_seeds_add_cells_and_keep_the_finished_ones(tmp_path):
    first = run_experiment("init-histograms", tmp_path, seeds=1, quick=True, progress=False)
    assert (first.computed, first.reused) == (12, 0)
    second = run_experiment("init-histograms", tmp_path, seeds=2, quick=True, progress=False)
    assert (second.computed, second.reused) == (12, 12)
    assert second.table.seeds() == [0, 1]
    assert [row for row in second.table.rows if row["seed"] == 0] == first.table.rows


def test_two_workers_give_the_same_table_as_one(tmp_path, monkeypatch):
    from nnlearn.experiments.init_histograms import InitHistograms

    monkeypatch.setattr(InitHistograms, "light", False)  # so that it starts workers
    one = run_experiment("init-histograms", quick=True, seeds=1, progress=False)
    two = run_experiment("init-histograms", tmp_path, quick=True, seeds=1, jobs=2,
                         progress=False)
    assert two.table.rows == one.table.rows


def test_a_light_experiment_runs_in_this_process(monkeypatch):
    import os

    pids, original = [], OptimizerPaths.run_cell
    monkeypatch.setattr(OptimizerPaths, "run_cell",
                        staticmethod(lambda params, seed: pids.append(os.getpid())
                                     or original(params, seed)))
    run_experiment("optimizer-paths", jobs=2, progress=False)
    assert pids == [os.getpid()] * 6  # no worker started


def test_progress_is_one_line_of_cells_done(tmp_path):
    import io

    stream = io.StringIO()
    run_experiment("optimizer-paths", tmp_path, progress=stream)
    last = stream.getvalue().split("\r")[-1]
    assert "nnlearn experiment optimizer-paths" in last and "6/6" in last


def test_a_folder_with_other_settings_is_refused_unless_overwritten(tmp_path):
    run_experiment("optimizer-paths", tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"holds other settings \(steps\): choose another "
                                         "folder, or add --overwrite"):
        run_experiment("optimizer-paths", tmp_path, settings={"steps": 5}, progress=False)
    with pytest.raises(ValueError, match="holds experiment 'optimizer-paths'"):
        run_experiment("init-histograms", tmp_path, quick=True, progress=False)
    result = run_experiment("optimizer-paths", tmp_path, settings={"steps": 5}, overwrite=True,
                            progress=False)
    assert result.computed == 6 and result.table.select("sgd")[-1]["step"] == 5


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"seeds": 0}, "seeds must be an integer >= 1"),
    ({"seeds": []}, "seeds must be a count >= 1 or a non-empty list"),
    ({"jobs": 0}, "jobs must be an integer >= 1, or -1"),
])
def test_bad_runs_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_experiment("optimizer-paths", progress=False, **kwargs)


def test_not_an_experiment_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not an experiment's folder"):
        load_experiment(tmp_path)
    (tmp_path / "settings.json").write_text('{"experiment": "nope"}')
    with pytest.raises(ValueError, match="not the settings of an nnlearn experiment"):
        load_experiment(tmp_path)


def test_a_damaged_csv_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("setting,seed,step,x\nsgd,0,1,2.5\nsgd,zero,2,1.0\n")
    with pytest.raises(ValueError, match=r"t.csv, line 3: invalid literal"):
        Table.from_csv(path)
    with pytest.raises(ValueError, match="expected the columns setting, seed, step, y"):
        Table.from_csv(path, ["y"])


def test_runner_module_documents_the_cluster_backends():
    assert 'parallel_config(backend="dask")' in runner_module.__doc__
