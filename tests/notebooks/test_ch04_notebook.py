"""The chapter-4 notebook runs from top to bottom and shows the seed's values."""

import os
import re

NOTEBOOK = "ch04_learning_math.ipynb"


def test_a_heading_for_every_section(notebook):
    assert sum(cell.cell_type == "markdown" and cell.source.startswith("#")
               for cell in notebook.cells) >= 8


def test_notebook_uses_nnlearn_instead_of_redefining_it(notebook):
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for name in ("cross_entropy_error", "numerical_diff", "numerical_gradient",
                 "gradient_descent", "softmax", "function_1", "function_2", "SimpleNet"):
        assert f"def {name}" not in source and f"class {name}" not in source


def test_notebook_runs_and_shows_the_seed_values(outputs):
    for value in ("0.510825457099338", "0.1999999999990898", "0.2999999999986347",
                  "array([6., 8.])", "array([6.11110793e-10, 8.14814391e-10])", "(1, 2) 6",
                  "0.9280682857864075", "[ 0.32887136,  0.21534364, -0.544215  ]"):
        assert value in outputs


def test_notebook_figures_are_shown_as_images(executed):
    with_mnist = bool(os.environ.get("NNLEARN_DATA_DIR"))
    figure_cells = [cell for cell in executed.cells if cell.cell_type == "code"
                    and "plots.plot_" in cell.source and (with_mnist or "mnist" not in cell.source)]
    assert len(figure_cells) >= 7
    for cell in figure_cells:
        assert any("image/png" in output.get("data", {}) for output in cell.outputs), cell.source


def test_notebook_trains_the_spiral_network(executed, text_of):
    cell = next(cell for cell in executed.cells if "history.test_acc[-1]" in cell.source)
    assert float(text_of(cell)) >= 0.9


def test_notebook_trains_on_mnist_when_it_is_at_hand(outputs, mnist_dir):
    accuracy = re.search(r"MNIST test accuracy: (\d\.\d+)", outputs)
    assert accuracy and float(accuracy.group(1)) >= 0.85


def test_notebook_mnist_cell_looks_where_load_mnist_looks(notebook):
    cell = next(cell for cell in notebook.cells if "load_mnist(" in cell.source)
    assert "download=False" in cell.source and "except FileNotFoundError" in cell.source
    assert "os.environ" not in cell.source  # not gated on NNLEARN_DATA_DIR: the cache counts too


