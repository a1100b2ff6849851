"""``nnlearn tour``: the chapter's sections in order, their values and their figures.

Each section of the seed notebook becomes a :class:`Section`: a heading, the
formula on one line and the values the seed shows, every one computed by the
library when the tour runs. :func:`run` prints them in English or Korean and
saves the chapter's figures as PNG.

SimpleNet's weights are the book's printed ``W`` by default, so the tour is
reproducible and shows the book's loss 0.9280682857864075; ``seed=N`` draws
a random ``W`` from ``numpy.random.default_rng(N)`` instead.

The figures go beyond the seed to the end of the chapter: a two-layer network
trained on the spiral data (always, offline, in a fraction of a second) and
one trained on MNIST for a few hundred steps, when the MNIST files are at
hand (``NNLEARN_DATA_DIR`` or the cache; the tour never downloads). Their
data and initial weights are seeded by ``seed``, else :data:`TRAINING_SEED`.

``run(chapter=5)`` walks chapter 5 instead (:mod:`~nnlearn.tour.chapter5`):
the computational graph, ``Affine``, ``SoftmaxWithLoss`` and the gradient
check of ``TwoLayerNet``. :data:`CHAPTER_FIGURES` lists every chapter's
figures, chapter 7's convolutional network included, for ``nnlearn plot``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from nnlearn._shared.i18n import check_lang
from nnlearn.tour import chapter5
from nnlearn.tour.figures import (
    ALL_FIGURES,
    CHAPTER_FIGURES,
    FIGURES,
    TRAINING_SEED,
    _Chapter,
    _plots,
    make_figure,
)
from nnlearn.tour.sections import BOOK_W, Section, sections
from nnlearn.tour.text import say

#: The chapters the tour walks through: 4 (the default) and 5.
CHAPTERS = (4, 5)

__all__ = ["ALL_FIGURES", "BOOK_W", "CHAPTERS", "CHAPTER_FIGURES", "FIGURES", "TRAINING_SEED",
           "Section", "make_figure", "run", "sections"]


def run(
    out: str | Path | None = "nnlearn-tour",
    lang: str | None = None,
    seed: int | None = None,
    *,
    file: TextIO | None = None,
    chapter: int = 4,
) -> list[Path]:
    """Print the tour's sections and save the chapter's figures as PNG in ``out``.

    Parameters
    ----------
    out : str or Path or None
        Folder for the figures (created if needed); None saves none.
    lang : {"en", "ko"} or None
        Language of the text and the figure labels (None: from the locale).
    seed : int, optional
        Seed for SimpleNet's random ``W``; by default the book's printed ``W``.
    file : text stream, optional
        Where to print (standard output by default).
    chapter : {4, 5}, default 4
        Chapter 4 (learning from numerical gradients) or chapter 5
        (backpropagation: the computational graph, ``Affine``,
        ``SoftmaxWithLoss``, the gradient check of ``TwoLayerNet``).

    Returns
    -------
    list of Path
        The figures written. Without MNIST at hand, its figures are skipped
        and the tour says how to get them.
    """
    lang = check_lang(lang)
    if chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {', '.join(map(str, CHAPTERS))}, "
                         f"got {chapter!r}")
    file = sys.stdout if file is None else file
    text = say(lang)
    chapter_sections = sections(lang, seed) if chapter == 4 else chapter5.sections(lang)
    for number, section in enumerate(chapter_sections, start=1):
        print(section.format(number), end="\n\n", file=file)
    if out is None:
        print(text("no_figures"), file=file)
        return []
    out = Path(out)
    print(text("figures", out=out), file=file)
    context = _Chapter(lang, seed)
    written, missing = [], []
    for filename, build in (FIGURES if chapter == 4 else CHAPTER_FIGURES[chapter]).values():
        try:
            figure = build(context)
        except FileNotFoundError:  # only the MNIST figures read files
            missing.append(filename)
            continue
        written.append(_plots().save(figure, out / filename))
        print(f"   {written[-1]}", file=file)
    for trained in context.trained:
        print(f"   {trained.summary}", file=file)
    if missing:
        print(text("no_mnist", files=", ".join(missing)), file=file)
    return written
