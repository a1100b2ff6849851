"""What an experiment is: settings (the book's by default), independent cells, rows of data.

An :class:`Experiment` turns its settings and seeds into :class:`Cell` s, each
one setting with one seed, independent of the others, so that they can run in
any order, in parallel, and be skipped when a rerun finds them done. A cell's
work is a plain function of JSON-ready values (:meth:`Experiment.run_cell`)
that returns rows of the experiment's :class:`~nnlearn.experiments.table.Table`.
An experiment in stages (the random search, then a narrowed one) gives the
cells of each stage from the rows of the stages before.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from nnlearn.experiments.table import Table


@dataclass(frozen=True)
class Cell:
    """One setting with one seed: ``params`` is everything :meth:`Experiment.run_cell` needs."""

    setting: str
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A file-name-safe name, unique in the experiment: ``<setting>@seed<seed>``."""
        safe = "".join(ch if ch.isalnum() or ch in "-_.=" else "_" for ch in self.setting)
        return f"{safe}@seed{self.seed}"


class Experiment:
    """Base class of the chapter's experiments.

    Subclasses set the class attributes and implement :meth:`cells` and
    :meth:`run_cell`; :meth:`summary` says what the numbers show.

    Attributes
    ----------
    name : str
        The command-line name (``nnlearn experiment NAME``).
    title : str
        One line: what is compared.
    metrics : tuple of str
        The table's columns after ``setting``, ``seed``, ``step``.
    defaults : dict
        The book's settings.
    quick : dict
        What ``--quick`` changes: a version that runs in seconds.
    default_seeds : int
        Seeds run when none are asked for.
    stages : int
        Number of stages; the cells of a stage may depend on the rows of the ones before.
    uses_mnist : bool
        Whether the cells read MNIST (loaded once by the runner before they start).
    light : bool
        Whether the whole experiment takes about a second: then its cells run
        in the calling process whatever ``jobs`` says, since starting worker
        processes would take longer.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]
    defaults: ClassVar[dict[str, Any]]
    quick: ClassVar[dict[str, Any]] = {}
    default_seeds: ClassVar[int] = 1
    stages: ClassVar[int] = 1
    uses_mnist: ClassVar[bool] = True
    light: ClassVar[bool] = False

    def settings(self, changes: Mapping[str, Any] | None = None, *, quick: bool = False
                 ) -> dict[str, Any]:
        """The book's settings, then the quick ones if asked, then ``changes``, checked.

        Raises
        ------
        ValueError
            An unknown setting (the known ones are listed), or a value that
            :meth:`check` refuses.
        """
        settings = copy.deepcopy(self.defaults)
        if quick:
            settings.update(copy.deepcopy(self.quick))
        for key, value in (changes or {}).items():
            if key not in self.defaults:
                raise ValueError(f"unknown setting {key!r} of experiment {self.name!r}; "
                                 f"known: {', '.join(sorted(self.defaults))}")
            settings[key] = value
        self.check(settings)
        return settings

    def check(self, settings: dict[str, Any]) -> None:
        """Raise ValueError naming the setting if a value is invalid (values may be normalised)."""

    def cells(self, settings: Mapping[str, Any], seeds: Sequence[int], stage: int,
              done: Table) -> list[Cell]:
        """The cells of ``stage``; ``done`` holds the rows of every earlier stage."""
        raise NotImplementedError

    @staticmethod
    def run_cell(params: Mapping[str, Any], seed: int) -> list[dict[str, Any]]:
        """Compute one cell: its rows, with ``step`` and the metrics (setting, seed added)."""
        raise NotImplementedError

    def summary(self, table: Table, settings: Mapping[str, Any]) -> list[str]:
        """Lines that say what the numbers show, printed after the run."""
        return []


# --- checks shared by the experiments ---------------------------------------------------

def check_int(settings: dict[str, Any], key: str, minimum: int = 1) -> int:
    value = settings[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"setting {key} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_number(settings: dict[str, Any], key: str, *, positive: bool = True) -> float:
    value = settings[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            value > 0 if positive else value >= 0) or value != value or abs(value) == float("inf"):
        raise ValueError(f"setting {key} must be a finite number {'>' if positive else '>='} 0, "
                         f"got {value!r}")
    return float(value)


def check_sweep(settings: dict[str, Any], key: str, *, positive: bool = True,
                below_one: bool = False) -> list[float]:
    """A non-empty list of finite numbers (> 0, or >= 0), each < 1 if ``below_one``."""
    values = settings[key]
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"setting {key} must be a non-empty list of numbers, got {values!r}")
    checked = []
    for i, value in enumerate(values):
        checked.append(check_number({f"{key}[{i}]": value}, f"{key}[{i}]", positive=positive))
        if below_one and checked[-1] >= 1:
            raise ValueError(f"setting {key}[{i}] must be < 1, got {value!r}")
    settings[key] = checked
    return checked


def _listed(value: Any) -> Any:
    """``"a,b"`` (as ``--set key=a,b`` gives it) as ``["a", "b"]``; anything else unchanged."""
    return [name.strip() for name in value.split(",")] if isinstance(value, str) else value


def check_names(settings: dict[str, Any], key: str, known: Sequence[str]) -> list[str]:
    """A non-empty list of names (or one string of names and commas), each one of ``known``,
    without repeats."""
    values = settings[key] = _listed(settings[key])
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"setting {key} must be a non-empty list of names from "
                         f"{', '.join(known)}, got {values!r}")
    for value in values:
        if value not in known:
            raise ValueError(f"setting {key}: unknown name {value!r}; known: {', '.join(known)}")
    if len(set(values)) != len(values):
        raise ValueError(f"setting {key} names one item twice: {values!r}")
    settings[key] = list(values)
    return list(values)


def check_rates(settings: dict[str, Any], key: str, known: Sequence[str],
                defaults: Mapping[str, float] | None = None) -> dict[str, float]:
    """A non-empty mapping of names (each one of ``known``) to learning rates > 0.

    With ``defaults``, names alone (a list, or one string of names and commas)
    take their rates from it.
    """
    rates = _listed(settings[key])
    if defaults is not None and isinstance(rates, list):
        check_names({key: rates}, key, list(defaults))
        rates = {name: defaults[name] for name in rates}
    if not isinstance(rates, Mapping) or not rates:
        raise ValueError(f"setting {key} must be a non-empty mapping of names from "
                         f"{', '.join(known)} to learning rates, got {rates!r}")
    check_names({key: list(rates)}, key, known)
    settings[key] = {name: check_number({f"{key}[{name}]": lr}, f"{key}[{name}]")
                     for name, lr in rates.items()}
    return settings[key]


def parse_settings(pairs: Sequence[str]) -> dict[str, Any]:
    """Settings from ``KEY=VALUE`` strings, each VALUE read as JSON (else kept as a string).

    Examples
    --------
    >>> parse_settings(["iters=500", 'optimizers={"sgd": 0.1}', "dtype=float64"])
    {'iters': 500, 'optimizers': {'sgd': 0.1}, 'dtype': 'float64'}
    >>> parse_settings(["iters"])
    Traceback (most recent call last):
        ...
    ValueError: a setting must be KEY=VALUE (VALUE in JSON: ...), got 'iters'
    """
    import json

    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sign, value = pair.partition("=")
        if not sign or not key.strip():
            raise ValueError('a setting must be KEY=VALUE (VALUE in JSON: 500, 0.1, [1, 0.1], '
                             f'{{"sgd": 0.1}}), got {pair!r}')
        try:
            settings[key.strip()] = json.loads(value)
        except ValueError:
            settings[key.strip()] = value
    return settings
