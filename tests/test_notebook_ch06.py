"""The chapter-6 notebook: stored without outputs, and it runs from top to bottom."""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "ch06_experiments.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        patch.setenv("MPLBACKEND", "Agg")
        folder = str(tmp_path_factory.mktemp("notebook6"))
        NotebookClient(notebook, kernel_name="python3", timeout=300,
                       resources={"metadata": {"path": folder}}).execute()
    return notebook


def _text(cell):
    return "\n".join(output.get("text", "") or output.get("data", {}).get("text/plain", "")
                     for output in cell.outputs)


def test_headings_are_korean_with_english_under_them(executed):
    headings = [cell.source.splitlines() for cell in executed.cells
                if cell.cell_type == "markdown" and cell.source.startswith("#")]
    assert len(headings) >= 7
    for lines in headings:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in lines[0]), lines[0]
        assert lines[1].startswith("*") and lines[1].isascii(), lines[1]


def test_the_notebook_runs_and_shows_the_paths_and_their_data(executed):
    text = "\n".join(_text(cell) for cell in executed.cells if cell.cell_type == "code")
    assert "sgd       lr 0.95  after 30 steps: (-0.3504, +0.0848)" in text
    assert "'setting,seed,step,x,y,f'" in text
    assert executed.cells[-1].outputs[-1]["data"]["text/plain"] == "True"
    images = [cell for cell in executed.cells if cell.cell_type == "code" and any(
        "image/png" in output.get("data", {}) for output in cell.outputs)]
    assert len(images) >= 3


def test_on_mnist_he_beats_std_001(executed, mnist_dir):
    text = "\n".join(_text(cell) for cell in executed.cells if cell.cell_type == "code")
    line = next(line for line in text.splitlines() if line.startswith("ReLU test accuracy"))
    he, small = (float(part.split()[-1]) for part in line.split(":")[1].split(","))
    assert he > small + 0.2
