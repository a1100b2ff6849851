"""The example notebook: stored without outputs, and it runs from top to bottom."""

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "ch04_learning_math.ipynb"


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_stored_without_outputs(notebook):
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


def test_notebook_headings_are_korean_with_english_under_them(notebook):
    headings = [cell.source.splitlines() for cell in notebook.cells
                if cell.cell_type == "markdown" and cell.source.startswith("#")]
    assert len(headings) >= 8
    for lines in headings:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in lines[0]), lines[0]
        assert lines[1].startswith("*") and lines[1].isascii(), lines[1]


def test_notebook_uses_nnlearn_instead_of_redefining_it(notebook):
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for name in ("cross_entropy_error", "numerical_diff", "numerical_gradient",
                 "gradient_descent", "softmax", "function_1", "function_2", "SimpleNet"):
        assert f"def {name}" not in source and f"class {name}" not in source


@pytest.fixture(scope="module")
def executed(notebook, tmp_path_factory):
    """The notebook run in a fresh kernel of this interpreter, headless."""
    run = notebook.copy()
    with pytest.MonkeyPatch.context() as patch:
        # The "python3" kernel runs `python` from PATH: make it this interpreter.
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        patch.setenv("MPLBACKEND", "Agg")
        folder = str(tmp_path_factory.mktemp("notebook"))
        NotebookClient(run, kernel_name="python3", timeout=120,
                       resources={"metadata": {"path": folder}}).execute()
    return run


def _text(cell):
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_runs_and_shows_the_seed_values(executed):
    text = "\n".join(_text(cell) for cell in executed.cells if cell.cell_type == "code")
    for value in ("0.510825457099338", "0.1999999999990898", "0.2999999999986347",
                  "array([6., 8.])", "array([6.11110793e-10, 8.14814391e-10])", "(1, 2) 6",
                  "0.9280682857864075", "[ 0.32887136,  0.21534364, -0.544215  ]"):
        assert value in text


def test_notebook_figures_are_shown_as_images(executed):
    with_mnist = bool(os.environ.get("NNLEARN_DATA_DIR"))
    figure_cells = [cell for cell in executed.cells if cell.cell_type == "code"
                    and "plots.plot_" in cell.source and (with_mnist or "mnist" not in cell.source)]
    assert len(figure_cells) >= 7
    for cell in figure_cells:
        assert any("image/png" in output.get("data", {}) for output in cell.outputs), cell.source


def test_notebook_trains_the_spiral_network(executed):
    cell = next(cell for cell in executed.cells if "history.test_acc[-1]" in cell.source)
    assert float(_text(cell)) >= 0.9


def test_notebook_trains_on_mnist_when_it_is_at_hand(executed, mnist_dir):
    text = "\n".join(_text(cell) for cell in executed.cells if cell.cell_type == "code")
    accuracy = re.search(r"MNIST test accuracy: (\d\.\d+)", text)
    assert accuracy and float(accuracy.group(1)) >= 0.85


def test_notebook_mnist_cell_looks_where_load_mnist_looks(notebook):
    cell = next(cell for cell in notebook.cells if "load_mnist(" in cell.source)
    assert "download=False" in cell.source and "except FileNotFoundError" in cell.source
    assert "os.environ" not in cell.source  # not gated on NNLEARN_DATA_DIR: the cache counts too
