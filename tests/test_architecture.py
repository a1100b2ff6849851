"""The package's layers (pyproject.toml's import-linter contracts) hold, and the check has teeth."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "nnlearn"


def _lint_imports(package_parent: Path, config_dir: Path) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` on the ``nnlearn`` found in ``package_parent``."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=config_dir, capture_output=True, text=True,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"}, timeout=300,
    )


def _copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package and its contracts, with ``line`` added to ``module``."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "nnlearn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "nnlearn" / module
    target.write_text(target.read_text() + f"\n{line}\n")
    return tmp_path


def test_the_layers_are_kept():
    result = _lint_imports(ROOT / "src", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_names_every_package():
    """Every subpackage and top-level module has its place in the layers contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = {name.strip("()") for name in config["contracts"][0]["layers"]}
    present = {f"nnlearn.{path.stem}" for path in PACKAGE.iterdir()
               if (path.is_dir() and (path / "__init__.py").exists())
               or (path.suffix == ".py" and not path.name.startswith("__"))}
    assert present <= layers, f"not in the layers contract: {sorted(present - layers)}"


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("functions.py", "import nnlearn.nn.layers", "Layers"),
    ("calculus/descent.py", "from nnlearn.training import Trainer", "Layers"),
    ("nn/layers.py", "import matplotlib", "matplotlib"),
    ("training/history.py", "import urllib.request", "network"),
])
def test_an_upward_or_forbidden_import_breaks_a_contract(tmp_path, module, line, broken):
    copy = _copy_with(tmp_path, module, line)
    result = _lint_imports(copy / "src", copy)
    assert result.returncode != 0, result.stdout
    assert "1 broken" in result.stdout
    assert any(broken in row and "BROKEN" in row for row in result.stdout.splitlines())


@pytest.mark.parametrize("module", ["nnlearn", "nnlearn.training", "nnlearn.cli"])
def test_importing_the_core_leaves_the_heavy_libraries_out(module):
    # SciPy (the curvature tools), joblib (the experiments) and matplotlib (the figures)
    # load when a command uses them, not with the package
    code = (f"import sys, {module}; "
            "print(sorted({'scipy', 'joblib', 'matplotlib'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_lazy_names_resolve_to_their_subpackage_and_unknown_names_fail():
    import nnlearn
    from nnlearn.analysis import hessian_trace
    from nnlearn.experiments import run_experiment

    assert nnlearn.hessian_trace is hessian_trace and nnlearn.run_experiment is run_experiment
    assert nnlearn.analysis.hvp is nnlearn.hvp
    assert set(nnlearn.__all__) <= set(dir(nnlearn))
    assert "importlib" not in dir(nnlearn) and "Any" not in dir(nnlearn)
    with pytest.raises(AttributeError, match="module 'nnlearn' has no attribute 'hesian_trace'"):
        nnlearn.hesian_trace  # noqa: B018


def test_every_name_that_dir_shows_can_be_got():
    import nnlearn

    for name in dir(nnlearn):
        assert getattr(nnlearn, name) is not None, name
