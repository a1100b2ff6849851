"""``nnlearn curvature`` and ``nnlearn landscape`` on a checkpoint of a small spiral run."""

import re

import numpy as np
import pytest

from nnlearn.analysis import NetworkLoss, hessian_trace, top_eigenvalues
from nnlearn.cli import main
from nnlearn.data import load_dataset
from nnlearn.training import runs


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(["train", "--dataset", "spiral", "--optimizer", "adam", "--lr", "0.01",
                 "--batch-size", "30", "--iters", "100", "--out", str(out), "--quiet"]) == 0
    return out / "checkpoint.npz"


def _problem(checkpoint, samples):
    network, run = runs.restore_network(checkpoint)
    (x, t), _ = load_dataset("spiral", dtype=np.float64, seed=run.schedule.seed)
    return network, x[:samples], t[:samples]


def test_curvature_prints_eigenvalues_limit_and_trace(checkpoint, tmp_path, capsys):
    out = tmp_path / "density.png"
    assert main(["curvature", str(checkpoint), "--k", "3", "--trace", "--density",
                 "--samples", "200", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    network, x, t = _problem(checkpoint, 200)
    top = top_eigenvalues(network, x, t, k=3).values
    assert "largest eigenvalues" in printed and ", ".join(f"{v:.6g}" for v in top) in printed
    assert f"needs lr < 2/lambda_max = {2 / top[0]:.6g}" in printed
    trace = hessian_trace(network, x, t, method="exact").value
    assert f"trace: {trace:.6g} (exact (closed-form diagonal), 0 products)" in printed
    assert f"loss on 200 spiral training samples: {NetworkLoss(network, x, t).loss:.6f}" in printed
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kind", [[], ["--surface"], ["--line"]])
def test_landscape_draws_each_kind(checkpoint, tmp_path, capsys, kind):
    out = tmp_path / "landscape.png"
    assert main(["landscape", str(checkpoint), *kind, "--num", "9", "--samples", "100",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert out.read_bytes()[:4] == b"\x89PNG" and f"wrote {out}" in printed
    network, x, t = _problem(checkpoint, 100)
    if kind == ["--line"]:
        value = float(re.search(r"\.\.\. (\d\.\d+)", printed).group(1))
        assert value != pytest.approx(network.loss(x, t), abs=1e-6)  # alpha 1.25, past the end
    else:
        assert f"(at the weights {network.astype(np.float64).loss(x, t):.6f})" in printed


def test_bad_arguments(checkpoint, capsys):
    assert main(["curvature", str(checkpoint), "--samples", "0"]) == 1
    assert "--samples must be at least 1, got 0" in capsys.readouterr().err
    assert main(["landscape", str(checkpoint), "--out", "x.jpg"]) == 1
    assert "path must end in .png or .svg" in capsys.readouterr().err
    assert main(["curvature", str(checkpoint), "--k", "500"]) == 1
    assert "k must be less than the number of parameters (303), got 500" in capsys.readouterr().err


def test_train_tracks_the_sharpness(tmp_path, capsys):
    from nnlearn.analysis import top_eigenvalues
    from nnlearn.training import History
    from nnlearn.training.runs import build_network, saved_run

    out = tmp_path / "run"
    assert main(["train", "--dataset", "spiral", "--optimizer", "sgd", "--lr", "0.5",
                 "--iters", "100", "--track-sharpness", "50", "--sharpness-samples", "120",
                 "--out", str(out), "--quiet"]) == 0
    record = History.from_json(out / "history.json").metadata["sharpness"]
    assert record["steps"] == [0, 50, 100] and record["lr"] == [0.5] * 3
    run = saved_run(out / "checkpoint.npz")
    (x, t), _ = load_dataset("spiral", seed=run.schedule.seed)
    initial = build_network(run, 2, 3)
    expected = top_eigenvalues(initial, x[:120].astype(np.float64), t[:120], k=1).values[0]
    assert record["sharpness"][0] == pytest.approx(expected, rel=1e-5)
    assert "(2/lr = 4)" in capsys.readouterr().out
    assert (out / "sharpness.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["train", "--dataset", "spiral", "--track-sharpness", "0", "--out",
                 str(tmp_path / "b")]) == 1


def test_a_resumed_run_continues_the_sharpness_record(tmp_path):
    from nnlearn.training import History

    common = ["train", "--dataset", "spiral", "--optimizer", "sgd", "--lr", "0.5", "--quiet",
              "--track-sharpness", "20", "--sharpness-samples", "90"]
    assert main([*common, "--iters", "80", "--out", str(tmp_path / "long")]) == 0
    assert main([*common, "--iters", "40", "--out", str(tmp_path / "short")]) == 0
    assert main([*common, "--resume", str(tmp_path / "short" / "checkpoint.npz"),
                 "--iters", "80", "--out", str(tmp_path / "resumed")]) == 0
    long, resumed = (History.from_json(tmp_path / run / "history.json").metadata["sharpness"]
                     for run in ("long", "resumed"))
    assert resumed["steps"] == long["steps"] == [0, 20, 40, 60, 80]
    np.testing.assert_allclose(resumed["sharpness"], long["sharpness"], rtol=1e-6)
