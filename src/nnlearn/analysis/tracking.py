"""Callbacks for :class:`~nnlearn.training.Trainer`: the sharpness and the weights along a run.

Both are called as ``callback(trainer)`` after every evaluation (every
``eval_every`` steps, and at the start and the end) and read only
``trainer.network``, ``trainer.step`` and ``trainer.optimizer.lr``, so this
module needs nothing from the training package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnlearn._shared.validation import check_non_negative_finite, check_positive_int
from nnlearn.analysis.loss import NetworkLoss
from nnlearn.analysis.spectrum import top_eigenvalues


class SharpnessTracker:
    """Record :math:`\\lambda_{\\max}` of the Hessian of the loss on ``(x, t)`` during training.

    Use it as ``Trainer(..., callbacks=[tracker], eval_every=N)``: at every
    evaluation whose step is a multiple of ``every``, it computes the top
    eigenvalue of the full loss on ``(x, t)`` (Lanczos, started from the
    previous top eigenvector, so later calls cost fewer products) and records
    it with the step, the learning rate and the loss. Gradient descent on a
    quadratic is stable only when the sharpness is below ``2 / lr``
    (:attr:`limits`); a network trained with a large rate drives it there
    and keeps it near that edge.

    Parameters
    ----------
    x, t : array_like
        The samples the sharpness is measured on (for full-batch gradient
        descent, the training set itself).
    every : int, default 1
        Measure only at steps that are multiples of this.
    tol : float, default 1e-8
        Relative accuracy of each eigenvalue.
    record : dict, optional
        A record saved by :meth:`to_dict` to continue (a resumed run).

    Attributes
    ----------
    steps, sharpness, lrs, losses : list
        One entry per measurement.
    n_hvp : int
        Hessian-vector products spent so far.

    Examples
    --------
    >>> from nnlearn import TwoLayerNet, SGD, Trainer, make_spiral
    >>> x, t = make_spiral(30, 3, rng=0)
    >>> net = TwoLayerNet(2, 10, 3, weight_init_std=1.0, rng=0)
    >>> tracker = SharpnessTracker(x, t)
    >>> _ = Trainer(net, SGD(0.5), x, t, iters=20, batch_size=90, eval_every=10,
    ...             callbacks=[tracker], quiet=True).run()
    >>> tracker.steps, tracker.limits
    ([0, 10, 20], [4.0, 4.0, 4.0])
    >>> all(s > 0 for s in tracker.sharpness)
    True
    """

    def __init__(self, x: ArrayLike, t: ArrayLike, *, every: int = 1, tol: float = 1e-8,
                 record: Mapping[str, Sequence[float]] | None = None):
        self.x, self.t = x, t
        self.every = check_positive_int(every, "every")
        self.tol = check_non_negative_finite(tol, "tol")
        columns = _check_record(record) if record is not None else ([], [], [], [])
        self.steps: list[int] = [int(step) for step in columns[0]]
        self.sharpness: list[float] = [float(value) for value in columns[1]]
        self.lrs: list[float] = [float(value) for value in columns[2]]
        self.losses: list[float] = [float(value) for value in columns[3]]
        self.n_hvp = 0
        self._start: np.ndarray | None = None

    def __call__(self, trainer: Any) -> None:
        if trainer.step % self.every or (self.steps and self.steps[-1] == trainer.step):
            return
        loss = NetworkLoss(trainer.network, self.x, self.t)
        top = top_eigenvalues(loss, k=1, tol=self.tol, v0=self._start)
        self._start = top.vectors[:, 0]
        self.n_hvp += top.n_hvp
        self.steps.append(int(trainer.step))
        self.sharpness.append(float(top.values[0]))
        self.lrs.append(float(trainer.optimizer.lr))
        self.losses.append(loss.loss)

    @property
    def limits(self) -> list[float]:
        """:math:`2 / \\eta` at each measurement: the sharpness a quadratic could bear."""
        return [2.0 / lr for lr in self.lrs]

    def to_dict(self) -> dict[str, list]:
        """The measurements as JSON-serialisable lists."""
        return {"steps": self.steps, "sharpness": self.sharpness, "lr": self.lrs,
                "loss": self.losses}


def _check_record(record: Mapping[str, Sequence[float]]) -> tuple[Sequence[float], ...]:
    """The four columns of a saved record, or ValueError naming what is wrong."""
    keys = ("steps", "sharpness", "lr", "loss")
    if not isinstance(record, Mapping) or set(record) != set(keys):
        raise ValueError(f"record must be a dict with the keys {', '.join(keys)} "
                         f"(SharpnessTracker.to_dict()), got {record!r:.80}")
    columns = tuple(record[key] for key in keys)
    if len({len(column) for column in columns}) != 1:
        raise ValueError(f"record's lists must have one length, got lengths "
                         f"{[len(column) for column in columns]}")
    return columns


class TrajectoryRecorder:
    """Keep a copy of the network's parameters at every evaluation (for the landscape figures).

    Examples
    --------
    >>> from nnlearn import TwoLayerNet, SGD, Trainer, make_spiral
    >>> x, t = make_spiral(30, 3, rng=0)
    >>> net = TwoLayerNet(2, 10, 3, weight_init_std=1.0, rng=0)
    >>> recorder = TrajectoryRecorder()
    >>> _ = Trainer(net, SGD(0.5), x, t, iters=20, batch_size=90, eval_every=5,
    ...             callbacks=[recorder], quiet=True).run()
    >>> recorder.steps, recorder.params[-1]["W1"].shape
    ([0, 5, 10, 15, 20], (2, 10))
    """

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.params: list[dict[str, np.ndarray]] = []

    def __call__(self, trainer: Any) -> None:
        if not self.steps or self.steps[-1] != trainer.step:
            self.steps.append(int(trainer.step))
            self.params.append({k: np.array(v, dtype=np.float64)
                                for k, v in trainer.network.params.items()})
