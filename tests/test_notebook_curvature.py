"""The curvature notebook: stored without outputs, and it runs, showing the computed numbers."""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "curvature.ipynb"


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_stored_without_outputs(notebook):
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


def test_headings_are_korean_with_english_under_them(notebook):
    headings = [cell.source.splitlines() for cell in notebook.cells
                if cell.cell_type == "markdown" and cell.source.startswith("#")]
    assert len(headings) >= 4
    for lines in headings:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in lines[0]), lines[0]
        assert lines[1].startswith("*") and lines[1].isascii(), lines[1]


@pytest.fixture(scope="module")
def executed(notebook, tmp_path_factory):
    run = notebook.copy()
    with pytest.MonkeyPatch.context() as patch:
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


def test_notebook_runs_and_shows_the_numbers(executed):
    text = "\n".join(_text(cell) for cell in executed.cells if cell.cell_type == "code")
    for value in ("(array([2., 2.]), 1.0)", "array([-19., -19.])", "array([0.1, 2. ])",
                  "largest eigenvalues: [1.11226", "2/lr ="):
        assert value in text, value


def test_notebook_figures_are_images(executed):
    cells = [cell for cell in executed.cells if "plots.plot_" in cell.source]
    assert len(cells) == 5
    for cell in cells:
        assert any("image/png" in output.get("data", {}) for output in cell.outputs)
