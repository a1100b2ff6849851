"""benchmarks/bench_curvature.py at tiny size: it runs and its numbers hold together."""

import importlib.util
from pathlib import Path


def test_benchmark_smoke_run(capsys):
    path = Path(__file__).parents[2] / "benchmarks" / "bench_curvature.py"
    spec = importlib.util.spec_from_file_location("bench_curvature", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.main(["--quick"])
    spectrum = results["spectrum"]
    assert spectrum["eigsh_top1_rel_error"] < 1e-8 and spectrum["eigsh_top1_hvp"] <= 60
    assert spectrum["top5"][0] == max(spectrum["top5"])
    assert results["trace"]["exact"] > 0
    assert "nnlearn loss_surface" in results["surface"]["times"]
    assert "lambda_max" in capsys.readouterr().out
