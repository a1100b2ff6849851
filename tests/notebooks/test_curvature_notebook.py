"""The curvature notebook runs and shows the numbers the library computes."""

NOTEBOOK = "curvature.ipynb"


def test_notebook_runs_and_shows_the_numbers(outputs):
    text = outputs
    for value in ("(array([2., 2.]), 1.0)", "array([-19., -19.])", "array([0.1, 2. ])",
                  "largest eigenvalues: [1.11226", "2/lr ="):
        assert value in text, value


def test_notebook_figures_are_images(executed):
    cells = [cell for cell in executed.cells if "plots.plot_" in cell.source]
    assert len(cells) == 5
    for cell in cells:
        assert any("image/png" in output.get("data", {}) for output in cell.outputs)
