"""Sphinx configuration of nnlearn's documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    sphinx-build -W --keep-going docs docs/_build/html

The build needs no network: cross-links to NumPy, Python and matplotlib
(intersphinx) are fetched only when ``NNLEARN_DOCS_INTERSPHINX=1``.
How to add a gallery example or an API entry: docs/contributing.rst.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nnlearn

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

import api_reference  # noqa: E402 (docs/_ext)

project = "nnlearn"
author = "the nnlearn authors"
copyright = "the nnlearn authors, MIT licence"
release = version = nnlearn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
    "api_reference",  # docs/_ext: one page per public name, and links to it
]
if os.environ.get("NNLEARN_DOCS_INTERSPHINX") == "1":  # needs the network
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
    }

templates_path = ["_templates"]
# sphinx-gallery writes a notebook beside each example page: a download, not a page.
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# Every cross-reference must resolve: a `:func:` to a moved function fails the
# -W build. Names of other projects resolve only with intersphinx, so without
# it they are let through.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|matplotlib|scipy|joblib|threadpoolctl|pathlib|collections|typing|os"
               r"|io)(\..*)?"),
    (r"py:.*", r"nnlearn(\.\w+)*\._\w+"),  # private modules and classes have no page
]

# -- API reference ------------------------------------------------------------
# api/index.rst lists the packages (one line each); autosummary writes one page
# per package and per public module, and one per public function or class
# (what goes where: _ext/api_reference.py).
autosummary_generate = True
autodoc_typehints = "none"  # the types are in the numpydoc Parameters sections
autodoc_default_options = {"member-order": "bysource"}
numpydoc_show_class_members = False  # the class template lists the members


_plan = api_reference.api_plan()
autosummary_context = {"api": _plan, "values_hidden": api_reference.values_hidden(_plan)}

# -- Gallery: examples/plot_*.py ------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # every plot_*.py is run and its figures kept
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("nnlearn",),
    "backreferences_dir": "gen_modules/backreferences",
    # nnlearn's figures are built without pyplot: _ext/gallery_figures.py finds them.
    "image_scrapers": ("gallery_figures.scrape", "matplotlib"),
}

# -- The notebooks ----------------------------------------------------------------
# They are stored without outputs (tests/notebooks/), so the build runs them:
# seconds each, plus a few hundred MNIST steps and the chapter-6 experiments' quick
# versions when NNLEARN_DATA_DIR is set.
NOTEBOOKS = ("ch04_learning_math.ipynb", "ch06_experiments.ipynb", "curvature.ipynb")
nb_execution_mode = "auto"
# The notebook's "python3" kernel runs `python` from PATH: make it this interpreter.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath"]


def _copy_notebooks(app, config) -> None:
    """Copy the NOTEBOOKS from examples/ to docs/examples/, where the README's links find them.

    An unchanged copy is left alone, so that an incremental build does not run it again.
    """
    for name in NOTEBOOKS:
        source, target = ROOT / "examples" / name, DOCS / "examples" / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, target)


def setup(app) -> None:
    app.connect("config-inited", _copy_notebooks)


# -- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"nnlearn {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
# Pages without sub-pages need no left sidebar.
html_sidebars = {page: [] for page in ("index", "guide", "layout", "BENCHMARKS", "contributing",
                                       "examples/*")}
html_static_path: list[str] = []
html_show_sourcelink = True
