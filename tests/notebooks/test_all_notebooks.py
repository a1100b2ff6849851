"""What every example notebook keeps: no stored outputs, Korean headings with English under them."""

from pathlib import Path

import nbformat
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_every_notebook_is_tested():
    tested = {path.stem.removeprefix("test_").removesuffix("_notebook")
              for path in Path(__file__).parent.glob("test_*_notebook.py")}
    assert {path.stem.split("_")[0] for path in NOTEBOOKS} == tested


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_headings_are_korean_with_english_under_them(path):
    notebook = nbformat.read(path, as_version=4)
    headings = [cell.source.splitlines() for cell in notebook.cells
                if cell.cell_type == "markdown" and cell.source.startswith("#")]
    assert len(headings) >= 4
    for lines in headings:
        assert any("\uac00" <= ch <= "\ud7a3" for ch in lines[0]), lines[0]
        assert lines[1].startswith("*") and lines[1].isascii(), lines[1]
