"""The example notebooks, read and run once per test module in a fresh kernel, headless.

A test module names its notebook (``NOTEBOOK``, a file of ``examples/``) and
may set ``TIMEOUT`` (seconds per cell); the fixtures give it the notebook as
stored, the notebook run, and the text of every code cell's outputs.
"""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def notebook(request):
    """The module's notebook as stored."""
    return nbformat.read(EXAMPLES / request.module.NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def executed(request, notebook, tmp_path_factory):
    """The module's notebook run in a fresh kernel of this interpreter, headless."""
    run = notebook.copy()
    with pytest.MonkeyPatch.context() as patch:
        # The "python3" kernel runs `python` from PATH: make it this interpreter.
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        patch.setenv("MPLBACKEND", "Agg")
        folder = str(tmp_path_factory.mktemp("notebook"))
        NotebookClient(run, kernel_name="python3", timeout=getattr(request.module, "TIMEOUT", 120),
                       resources={"metadata": {"path": folder}}).execute()
    return run


def cell_text(cell) -> str:
    """What a code cell printed or showed as text."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture
def text_of():
    """:func:`cell_text`, for the tests that read one cell."""
    return cell_text


@pytest.fixture(scope="module")
def outputs(executed):
    """The text of every code cell's outputs, in order."""
    return "\n".join(cell_text(cell) for cell in executed.cells if cell.cell_type == "code")
