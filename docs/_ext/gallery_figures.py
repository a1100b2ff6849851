"""A sphinx-gallery image scraper for figures built without pyplot.

nnlearn's ``plot_*`` functions return a :class:`matplotlib.figure.Figure`
that pyplot does not know about, so sphinx-gallery's matplotlib scraper does
not see them. After each code block this scraper saves every figure bound to
a name of the example (in the order the names were first bound) that it has
not shown yet, as a notebook would show it.
"""

from __future__ import annotations

import weakref
from pathlib import PurePosixPath

from sphinx_gallery.scrapers import figure_rst

_shown: weakref.WeakSet = weakref.WeakSet()


def scrape(block, block_vars, gallery_conf, **kwargs) -> str:
    """Save the example's new figures and return the reST that shows them."""
    from matplotlib.figure import Figure

    figures = [value for value in block_vars["example_globals"].values()
               if isinstance(value, Figure) and value not in _shown
               and value.canvas.manager is None]  # pyplot's own are matplotlib's scraper's
    paths = []
    for figure, path in zip(figures, block_vars["image_path_iterator"], strict=False):
        figure.savefig(PurePosixPath(path))
        _shown.add(figure)
        paths.append(path)
    if not paths:
        return ""
    return figure_rst(paths, gallery_conf["src_dir"])
