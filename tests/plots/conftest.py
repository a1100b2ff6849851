"""What every figure test may ask for."""

import pytest


def _texts_outside(fig):
    """The titles, labels and texts of ``fig`` that do not fit inside it once drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    renderer, box = fig.canvas.get_renderer(), fig.bbox
    artists = [*fig.texts, *([fig._suptitle] if fig._suptitle else [])]
    for ax in fig.axes:
        artists += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
    outside = []
    for artist in artists:
        if not artist.get_text() or not artist.get_visible():
            continue
        extent = artist.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1 \
                or extent.y1 > box.y1 + 1:
            outside.append(artist.get_text())
    return outside


@pytest.fixture
def texts_outside():
    """A function: the titles, labels and texts of a figure that stick out of it when drawn."""
    return _texts_outside
