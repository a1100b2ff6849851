"""The record of a training run: the loss of every step, the accuracies of every evaluation."""

from __future__ import annotations

import csv
import io
import json
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlearn._shared.atomic import atomic_write


@dataclass
class History:
    """What happened during training: the loss of each step, accuracies at each evaluation.

    ``loss[i]`` is the mini-batch loss of step ``i + 1`` (before its update);
    ``train_acc[j]`` and ``test_acc[j]`` were measured after ``eval_steps[j]``
    steps (``test_acc`` stays empty without a test set); ``metadata`` holds the
    configuration and timings.
    """

    loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def record_evaluation(self, step: int, train_acc: float, test_acc: float | None) -> None:
        """Append the accuracies measured after ``step`` steps (``test_acc`` None: no test set)."""
        self.eval_steps.append(step)
        self.train_acc.append(train_acc)
        if test_acc is not None:
            self.test_acc.append(test_acc)

    def latest(self) -> dict[str, str]:
        """The last loss and accuracies, formatted for a progress bar.

        Examples
        --------
        >>> History(loss=[2.0, 0.5], eval_steps=[0], train_acc=[0.25]).latest()
        {'loss': '0.5000', 'train': '0.2500'}
        """
        latest = {"loss": f"{self.loss[-1]:.4f}"} if self.loss else {}
        if self.train_acc:
            latest["train"] = f"{self.train_acc[-1]:.4f}"
        if self.test_acc:
            latest["test"] = f"{self.test_acc[-1]:.4f}"
        return latest

    def check(self) -> History:
        """Return ``self`` if its lists fit together, else raise ``ValueError`` saying how not.

        One accuracy per evaluation (``test_acc`` may also be empty), and
        evaluation steps that are whole numbers in ``0 .. len(loss)``, increasing.
        """
        n_evals = len(self.eval_steps)
        if len(self.train_acc) != n_evals or len(self.test_acc) not in (0, n_evals):
            raise ValueError(
                f"history must hold one accuracy per evaluation: {n_evals} eval_steps, "
                f"{len(self.train_acc)} train_acc and {len(self.test_acc)} test_acc values "
                "(test_acc may be empty)"
            )
        steps = list(self.eval_steps)
        if any(not isinstance(s, numbers.Integral) or isinstance(s, bool) for s in steps) or any(
            not 0 <= s <= len(self.loss) for s in steps
        ) or steps != sorted(set(steps)):
            raise ValueError(
                f"history eval_steps must be increasing whole numbers from 0 to the "
                f"{len(self.loss)} steps of loss, got {_preview(steps)}"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and dicts, ready for JSON."""
        return {
            "loss": [float(v) for v in self.loss],
            "eval_steps": [int(v) for v in self.eval_steps],
            "train_acc": [float(v) for v in self.train_acc],
            "test_acc": [float(v) for v in self.test_acc],
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Inverse of :meth:`to_dict`."""
        missing = {"loss", "eval_steps", "train_acc"} - set(data)
        if missing:
            raise ValueError(f"history lacks {sorted(missing)}")
        return cls(
            loss=list(data["loss"]),
            eval_steps=list(data["eval_steps"]),
            train_acc=list(data["train_acc"]),
            test_acc=list(data.get("test_acc", [])),
            metadata=dict(data.get("metadata", {})),
        ).check()

    def to_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as JSON (atomically)."""
        with atomic_write(path) as out:
            out.write(json.dumps(self.to_dict(), indent=1).encode())
        return Path(path)

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> History:
        """Read a file written by :meth:`to_json`."""
        with open(path, encoding="utf-8") as file:
            return cls.from_dict(json.load(file))

    def to_csv(self, path: str | os.PathLike) -> Path:
        """One row per step: ``step,loss,train_acc,test_acc`` (accuracies only at evaluations).

        Raises ``ValueError`` (see :meth:`check`) if the lists do not fit together.
        """
        self.check()
        evals = dict(zip(self.eval_steps, range(len(self.eval_steps)), strict=True))
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["step", "loss", "train_acc", "test_acc"])
        for step in range(len(self.loss) + 1):
            j = evals.get(step)
            writer.writerow([
                step,
                repr(float(self.loss[step - 1])) if step else "",
                repr(float(self.train_acc[j])) if j is not None else "",
                repr(float(self.test_acc[j])) if j is not None and self.test_acc else "",
            ])
        with atomic_write(path) as out:
            out.write(text.getvalue().encode())
        return Path(path)


def _preview(values: list[Any], count: int = 6) -> str:
    """The first ``count`` values, and how many more."""
    shown = ", ".join(map(repr, values[:count]))
    more = len(values) - count
    return f"[{shown}{f', ... ({more} more)' if more > 0 else ''}]"
