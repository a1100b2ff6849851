"""The chapter-6 notebook runs from top to bottom and shows the experiments' lessons."""

NOTEBOOK = "ch06_experiments.ipynb"
TIMEOUT = 300  # seconds per cell


def test_a_heading_for_every_experiment(notebook):
    assert sum(cell.cell_type == "markdown" and cell.source.startswith("#")
               for cell in notebook.cells) >= 7


def test_the_notebook_runs_and_shows_the_paths_and_their_data(executed, outputs):
    text = outputs
    assert "sgd       lr 0.95  after 30 steps: (-0.3504, +0.0848)" in text
    assert "'setting,seed,step,x,y,f'" in text
    assert executed.cells[-1].outputs[-1]["data"]["text/plain"] == "True"
    images = [cell for cell in executed.cells if cell.cell_type == "code" and any(
        "image/png" in output.get("data", {}) for output in cell.outputs)]
    assert len(images) >= 3


def test_on_mnist_he_beats_std_001(outputs, mnist_dir):
    text = outputs
    line = next(line for line in text.splitlines() if line.startswith("ReLU test accuracy"))
    he, small = (float(part.split()[-1]) for part in line.split(":")[1].split(","))
    assert he > small + 0.2
