"""The gallery scripts (examples/plot_*.py): one per figure family, and each one runs.

The docs build runs them too (sphinx-gallery); here they run headless, in
process, so that a change in the library that breaks one fails the tests.
"""

import importlib
import inspect
import re
import runpy
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from nnlearn import plots

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
MODULES = sorted(path.stem for path in (ROOT / "src" / "nnlearn" / "plots").glob("*.py")
                 if not path.name.startswith("_"))
#: Public modules of nnlearn.plots that draw no figure of their own, and what they hold.
HELPERS = {
    "experiment_grids": "the grid figures that plot_experiment draws for three experiments",
    "experiment_labels": "the labels, bands and smoothing of the experiment figures",
}
FAMILIES = [module for module in MODULES if module not in HELPERS]


def _draws(module_name: str) -> bool:
    """Whether ``nnlearn.plots.<module_name>`` defines a public ``plot_*`` function."""
    module = importlib.import_module(f"nnlearn.plots.{module_name}")
    return any(name.startswith("plot_") and inspect.isfunction(value)
               and value.__module__ == module.__name__ for name, value in vars(module).items())


def test_a_module_of_plots_is_a_figure_family_exactly_when_it_defines_a_plot_function():
    assert [module for module in MODULES if not _draws(module)] == sorted(HELPERS), (
        "a module of nnlearn.plots without a plot_* function is a helper: name it in HELPERS")


def test_every_figure_family_has_a_gallery_script():
    assert FAMILIES, "no figure family found"
    missing = [f"examples/plot_{family}.py" for family in FAMILIES
               if not (ROOT / "examples" / f"plot_{family}.py").exists()]
    assert not missing, f"write {missing} (docs/contributing.rst, 'Add a gallery example')"


def test_every_plot_function_is_in_the_gallery():
    source = "\n".join(path.read_text() for path in EXAMPLES)
    unused = [name for name in plots.__all__
              if name.startswith("plot_") and not re.search(rf"\b{name}\(", source)]
    assert not unused, f"no gallery script calls {unused}"


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_gallery_script_has_a_title_and_a_korean_line(path):
    docstring = path.read_text().split('"""')[1]
    lines = docstring.strip().splitlines()
    assert lines[1] == "=" * len(lines[0]), "the title must be underlined with '=' to its length"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in docstring), "one line in Korean"


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_gallery_script_runs_and_draws(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a script that writes files writes them here
    monkeypatch.delenv("NNLEARN_DATA_DIR", raising=False)  # no MNIST needed
    names = runpy.run_path(str(path), run_name="__main__")
    figures = [value for value in names.values() if isinstance(value, Figure)]
    assert figures, "the gallery shows the figures bound to names: there are none"
    assert all(figure.axes for figure in figures)
    assert list(tmp_path.iterdir()) == []
