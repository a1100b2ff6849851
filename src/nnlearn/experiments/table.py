"""The data of an experiment: a tidy table, one row per setting × seed × step.

Every experiment writes the same leading columns, ``setting`` (a label such as
``"adam"`` or ``"he/relu"``), ``seed`` and ``step`` (a training step, a
descent step or a layer), then its own numeric columns (``loss``,
``train_acc``, ...). A value that was not measured at a step (accuracies
between evaluations) is empty in the CSV and NaN in memory.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnlearn._shared.atomic import atomic_write

#: The columns every experiment's table starts with.
KEY_COLUMNS = ("setting", "seed", "step")


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


@dataclass
class Table:
    """Rows of ``{column: value}`` with the columns
    :data:`~nnlearn.experiments.table.KEY_COLUMNS` + ``metrics``.

    Examples
    --------
    >>> table = Table(("loss", "test_acc"))
    >>> table.extend([{"setting": "sgd", "seed": 0, "step": 1, "loss": 2.3},
    ...               {"setting": "sgd", "seed": 0, "step": 2, "loss": 2.1, "test_acc": 0.4},
    ...               {"setting": "sgd", "seed": 1, "step": 1, "loss": 2.5},
    ...               {"setting": "sgd", "seed": 1, "step": 2, "loss": 1.9, "test_acc": 0.5}])
    >>> steps, values = table.curve("sgd", "loss")
    >>> steps.tolist(), values.tolist()
    ([1, 2], [[2.3, 2.1], [2.5, 1.9]])
    >>> table.final("sgd", "test_acc").tolist()
    [0.4, 0.5]
    >>> print(table.to_csv_text())
    setting,seed,step,loss,test_acc
    sgd,0,1,2.3,
    sgd,0,2,2.1,0.4
    sgd,1,1,2.5,
    sgd,1,2,1.9,0.5
    """

    metrics: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*KEY_COLUMNS, *self.metrics)

    def extend(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append rows, checking that each has the key columns and no unknown column."""
        known = set(self.columns)
        for row in rows:
            unknown = set(row) - known
            if unknown or any(key not in row for key in KEY_COLUMNS):
                raise ValueError(f"a row must have the columns {', '.join(KEY_COLUMNS)} and "
                                 f"only {', '.join(self.metrics)} besides, got {sorted(row)}")
            self.rows.append(dict(row))

    def settings(self) -> list[str]:
        """The settings in the order of their first row."""
        return list(dict.fromkeys(row["setting"] for row in self.rows))

    def seeds(self, setting: str | None = None) -> list[int]:
        """The seeds (of one setting, or of all), sorted."""
        return sorted({row["seed"] for row in self.rows
                       if setting is None or row["setting"] == setting})

    def select(self, setting: str, seed: int | None = None) -> list[dict[str, Any]]:
        """The rows of ``setting`` (and ``seed``), in step order."""
        rows = [row for row in self.rows if row["setting"] == setting
                and (seed is None or row["seed"] == seed)]
        return sorted(rows, key=lambda row: (row["seed"], row["step"]))

    def curve(self, setting: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """Steps where ``metric`` was measured, and its values, one row per seed (NaN: missing).

        Raises ValueError for an unknown setting or metric.
        """
        if metric not in self.metrics:
            raise ValueError(f"metric must be one of {', '.join(self.metrics)}, got {metric!r}")
        rows = [row for row in self.select(setting) if _measured(row.get(metric))]
        if not self.select(setting):
            raise ValueError(f"setting must be one of {', '.join(self.settings())}, "
                             f"got {setting!r}")
        steps = np.array(sorted({row["step"] for row in rows}), dtype=np.int64)
        seeds = self.seeds(setting)
        values = np.full((len(seeds), len(steps)), np.nan)
        column = {step: j for j, step in enumerate(steps.tolist())}
        for row in rows:
            values[seeds.index(row["seed"]), column[row["step"]]] = row[metric]
        return steps, values

    def final(self, setting: str, metric: str) -> np.ndarray:
        """The last measured value of ``metric`` for each seed of ``setting`` (NaN: none)."""
        finals = []
        for seed in self.seeds(setting):
            measured = [row[metric] for row in self.select(setting, seed)
                        if _measured(row.get(metric))]
            finals.append(measured[-1] if measured else np.nan)
        return np.array(finals, dtype=np.float64)

    # --- files ------------------------------------------------------------------------

    def to_csv_text(self) -> str:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_cell_text(row.get(column)) for column in self.columns])
        return text.getvalue().rstrip("\n")

    def to_csv(self, path: str | os.PathLike) -> Path:
        """Write the table as CSV (atomically)."""
        with atomic_write(path) as out:
            out.write((self.to_csv_text() + "\n").encode())
        return Path(path)

    @classmethod
    def from_csv(cls, path: str | os.PathLike, metrics: Sequence[str] | None = None) -> Table:
        """Read a table written by :meth:`to_csv`; with ``metrics``, its columns are checked."""
        with open(path, encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = tuple(next(reader, ()))
            if header[:3] != KEY_COLUMNS or (metrics is not None and
                                              header[3:] != tuple(metrics)):
                expected = (*KEY_COLUMNS, *(metrics or ("...",)))
                raise ValueError(f"{path}: expected the columns {', '.join(expected)}, "
                                 f"got {', '.join(header) or 'none'}")
            table = cls(header[3:])
            for line, values in enumerate(reader, start=2):
                if len(values) != len(header):
                    raise ValueError(f"{path}, line {line}: {len(values)} values for "
                                     f"{len(header)} columns")
                try:
                    row: dict[str, Any] = {"setting": values[0], "seed": int(values[1]),
                                           "step": int(values[2])}
                    row.update({name: float(value) for name, value in
                                zip(header[3:], values[3:], strict=True) if value != ""})
                except ValueError as error:
                    raise ValueError(f"{path}, line {line}: {error}") from None
                table.rows.append(row)
        return table


def _measured(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
