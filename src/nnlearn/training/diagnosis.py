"""Did training work? A run whose loss grew or whose accuracy stayed at chance says so."""

from __future__ import annotations

from typing import Any

import numpy as np

#: A final training accuracy below this multiple of chance (1 / classes) means nothing was learnt.
CHANCE_MARGIN = 1.5
#: A loss whose end (mean of the last tenth of the steps) exceeds its start by this factor grew.
GROWTH = 2.0


def diagnose(history: Any, n_classes: int, lr: float) -> str | None:
    """What went wrong in a finished run, with the likely cause and what to try; None if nothing.

    A run failed when its final training accuracy is within :data:`CHANCE_MARGIN`
    times chance, or when its loss ended :data:`GROWTH` times above where it
    started. A loss that rose above its start points at a learning rate that
    is too large; a loss that barely moved, at one too small or a run too short.

    Examples
    --------
    >>> from nnlearn.training import History
    >>> diagnose(History(loss=[2.3, 1.0, 0.5], eval_steps=[0, 3], train_acc=[0.1, 0.9]), 10, 0.1)
    >>> print(diagnose(History(loss=[2.3, 9.0, 40.0], eval_steps=[0, 3],
    ...                        train_acc=[0.1, 0.1]), 10, 10.0))
    training failed: the final training accuracy 0.1000 is at chance (1/10 = 0.1000), and the
    loss grew from 2.3 to 40; the learning rate 10 is likely too large: try --lr 1
    """
    if not history.loss or not history.train_acc or n_classes < 2:
        return None
    losses = np.asarray(history.loss, dtype=np.float64)
    tenth = max(1, len(losses) // 10)
    start, end = float(losses[:tenth].mean()), float(losses[-tenth:].mean())
    peak = float(np.nanmax(losses))
    chance = 1.0 / n_classes
    accuracy = history.train_acc[-1]
    problems = []
    if accuracy < CHANCE_MARGIN * chance:
        problems.append(f"the final training accuracy {accuracy:.4f} is at chance "
                        f"(1/{n_classes} = {chance:.4f})")
    if end > GROWTH * start:
        problems.append(f"the loss grew from {start:.3g} to {end:.3g}")
    if not problems:
        return None
    if peak > GROWTH * start:
        cause = f"the learning rate {lr:g} is likely too large: try --lr {lr / 10:g}"
    elif abs(end - start) < 0.01 * abs(start):
        cause = (f"the loss barely moved: the learning rate {lr:g} may be too small, or the "
                 "run too short (--epochs, --iters)")
    else:
        cause = f"try another learning rate than {lr:g} or a longer run"
    return f"training failed: {', and '.join(problems)}; {cause}"
