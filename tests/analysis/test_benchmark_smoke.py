"""benchmarks/bench_curvature.py at tiny size: it runs and its numbers hold together."""

import importlib.util
from pathlib import Path


def _benchmark():
    path = Path(__file__).parents[2] / "benchmarks" / "bench_curvature.py"
    spec = importlib.util.spec_from_file_location("bench_curvature", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_benchmark_smoke_run(capsys):
    results = _benchmark().main(["--quick"])
    spectrum = results["spectrum"]
    assert spectrum["eigsh_top1_rel_error"] < 1e-8 and spectrum["eigsh_top1_hvp"] <= 60
    assert spectrum["top5"][0] == max(spectrum["top5"])
    assert results["trace"]["exact"] > 0
    assert set(results["trace"]["rms_rel_error"]) == {"hutch++", "hutch++ (paper's split)"}
    assert "nnlearn loss_surface" in results["surface"]["times"]
    assert "lambda_max" in capsys.readouterr().out


def test_benchmark_runs_only_the_parts_asked_for():
    assert set(_benchmark().main(["--quick", "--parts", "trace"])) == {"trace"}
