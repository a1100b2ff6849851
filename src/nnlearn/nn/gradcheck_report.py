"""What a gradient check found: per-parameter results, the worst entries, the printed table.

:func:`compare_entries` and :func:`compare_directions` turn analytic and
numerical derivatives into a :class:`ParamCheck`; :func:`build_report` puts
them together. Shared by :func:`~nnlearn.gradcheck` (any loss) and
:func:`~nnlearn.check_network` (a network's own structure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

#: How many of the worst entries a report keeps.
WORST_COUNT = 10


class WorstEntry(NamedTuple):
    """One checked entry: parameter name, index, analytic and numerical derivative."""

    name: str
    index: tuple[int, ...]
    analytic: float
    numerical: float


@dataclass(frozen=True)
class ParamCheck:
    """The result for one parameter.

    ``method`` is ``"entries"`` (every entry checked; ``n_checked`` entries,
    ``n_failed`` of them outside the tolerance) or ``"directions"`` (fast mode,
    all ``n_checked`` directions agreed; the errors are those of the
    directional derivatives).

    ``loss_changed`` is False when every numerical derivative was exactly 0:
    the loss never changed when the parameter moved. Such a parameter passes
    only if ``depends_known`` says that the loss is known to read it (a
    network's own loss, for which 0 is then the true derivative, as for a bias
    before batch normalisation); otherwise nothing was checked, and it fails.
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    method: str
    n_checked: int
    n_failed: int
    max_abs_error: float
    max_rel_error: float
    rtol: float
    atol: float
    loss_changed: bool = True
    depends_known: bool = False

    @property
    def ok(self) -> bool:
        return self.n_failed == 0 and (self.loss_changed or self.depends_known)


@dataclass(frozen=True)
class GradcheckReport:
    """What :func:`~nnlearn.gradcheck` found.

    Attributes
    ----------
    ok : bool
        Every parameter passed.
    mode : str
        ``"full"`` or ``"fast"``.
    params : dict of str to ParamCheck
        Per parameter: entries or directions checked, failures, the largest
        absolute error :math:`|a - n|` and relative error
        :math:`|a - n| / \\max(|a|, |n|, \\mathrm{atol})` (the floor keeps
        gradients that are 0, such as a bias before batch norm, from showing
        rounding noise as a relative error of 1).
    worst : tuple of WorstEntry
        The entries furthest outside (or closest to) the tolerance, sorted by
        :math:`|a - n| / (\\mathrm{atol} + \\mathrm{rtol} |n|)`, worst first
        (above 1: outside), at most :data:`WORST_COUNT`. In fast mode only
        parameters that failed were checked entry by entry, so a passing
        report lists none.
    n_evaluations : int
        Loss evaluations made (for a network's structured check: perturbed
        losses computed, each as cheap as the part of the network it reruns).
    """

    ok: bool
    mode: str
    params: dict[str, ParamCheck]
    worst: tuple[WorstEntry, ...]
    n_evaluations: int

    @property
    def failed(self) -> list[str]:
        """Names of the parameters that did not pass (wrong, or not checked at all)."""
        return [name for name, check in self.params.items() if not check.ok]

    @property
    def unchanged(self) -> list[str]:
        """Names of the parameters whose moves never changed the loss."""
        return [name for name, check in self.params.items() if not check.loss_changed]

    def __str__(self) -> str:
        status = "OK" if self.ok else f"FAILED for {', '.join(self.failed)}"
        lines = [f"gradcheck ({self.mode} mode, {self.n_evaluations:,} loss evaluations): {status}"]
        unchecked = [n for n in self.unchanged if not self.params[n].depends_known]
        flat = [n for n in self.unchanged if self.params[n].depends_known]
        if unchecked:
            lines.append(f"!! {unchanged_message(unchecked)}")
        if flat:
            lines.append(
                f"note: the loss does not depend on {', '.join(flat)} here (every numerical "
                "derivative exactly 0, as for a bias before batch normalisation): checked against 0"
            )
        rows = [("parameter", "shape", "dtype", "checked", "failed", "max abs err", "max rel err")]
        for check in self.params.values():
            rows.append((
                check.name,
                str(check.shape),
                check.dtype,
                f"{check.n_checked:,} {check.method}",
                f"{check.n_failed:,}",
                f"{check.max_abs_error:.2e}",
                f"{check.max_rel_error:.2e}",
            ))
        lines += _table(rows)
        if self.worst:
            lines.append("worst entries, by |analytic - numerical| / (atol + rtol |numerical|):")
            rows = [("entry", "analytic", "numerical", "abs err", "check")]
            for entry in self.worst:
                check = self.params[entry.name]
                error = abs(entry.analytic - entry.numerical)
                bad = error > check.atol + check.rtol * abs(entry.numerical)
                rows.append((
                    f"{entry.name}[{', '.join(map(str, entry.index))}]",
                    f"{entry.analytic: .6e}",
                    f"{entry.numerical: .6e}",
                    f"{error:.2e}",
                    "WRONG" if bad else "ok",
                ))
            lines += _table(rows, indent="  ")
        return "\n".join(lines)


def unchanged_message(names: list[str]) -> str:
    """Why the parameters ``names``, whose moves never changed the loss, were not checked."""
    listed = ", ".join(names)
    return (
        f"the loss did not change when {listed} moved (every numerical derivative exactly 0), "
        f"so {'its' if len(names) == 1 else 'their'} gradient was not checked: the loss must "
        f"compute from the arrays in params, which the checker moves in place (a loss that "
        f"reads copies never sees the moves), and must depend on them"
    )


def _table(rows: list[tuple[str, ...]], indent: str = "") -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    lines = []
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _relative(diff: np.ndarray, a: np.ndarray, n: np.ndarray, floor: float) -> np.ndarray:
    """:math:`|a - n| / \\max(|a|, |n|, \\mathrm{floor})`, 0 where that scale is 0."""
    scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    return np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)


def compare_entries(
    name: str,
    dtype: np.dtype,
    analytic: np.ndarray,
    numerical: np.ndarray,
    rtol: float,
    atol: float,
    *,
    depends_known: bool = False,
) -> tuple[ParamCheck, list[tuple[float, WorstEntry]]]:
    """Entry by entry: the :class:`ParamCheck` and the worst entries with their badness.

    An entry passes when :math:`|a - n| \\le \\mathrm{atol} + \\mathrm{rtol} |n|`;
    its badness is the left side over the right.
    """
    diff = np.abs(analytic - numerical)
    tolerance = atol + rtol * np.abs(numerical)
    with np.errstate(divide="ignore", invalid="ignore"):
        badness = np.where(tolerance > 0, diff / tolerance, np.where(diff > 0, np.inf, 0.0))
    check = ParamCheck(
        name=name, shape=analytic.shape, dtype=np.dtype(dtype).name, method="entries",
        n_checked=analytic.size, n_failed=int(np.count_nonzero(diff > tolerance)),
        max_abs_error=float(diff.max()),
        max_rel_error=float(_relative(diff, analytic, numerical, atol).max()),
        rtol=rtol, atol=atol, loss_changed=bool(numerical.any()), depends_known=depends_known,
    )
    worst = []
    count = min(WORST_COUNT, badness.size)
    flat_worst = np.argpartition(badness, badness.size - count, axis=None)[-count:]
    flat_worst = flat_worst[np.lexsort((flat_worst, -badness.ravel()[flat_worst]))]
    for flat in flat_worst:
        idx = np.unravel_index(flat, analytic.shape)
        entry = WorstEntry(name, tuple(int(i) for i in idx), float(analytic[idx]),
                           float(numerical[idx]))
        worst.append((float(badness[idx]), entry))
    return check, worst


def compare_directions(
    analytic: np.ndarray, numerical: np.ndarray, l1_norms: np.ndarray, rtol: float, atol: float
) -> tuple[bool, float, float]:
    """Directional derivatives along ``D`` directions: whether all agree, max abs and rel error.

    The tolerance is the entrywise one summed along each direction ``v``:
    :math:`\\mathrm{atol} \\lVert v \\rVert_1 + \\mathrm{rtol} |n|`.
    """
    error = np.abs(analytic - numerical)
    entrywise_atol = atol * l1_norms
    agree = bool(np.all(error <= entrywise_atol + rtol * np.abs(numerical)))
    relative = _relative(error, analytic, numerical, entrywise_atol)
    return agree, float(error.max()), float(relative.max())


def build_report(
    mode: str,
    checks: dict[str, ParamCheck],
    candidates: list[tuple[float, WorstEntry]],
    n_evaluations: int,
) -> GradcheckReport:
    """The report; raises ``ValueError`` if the loss changed for no parameter at all."""
    if not any(check.loss_changed or check.depends_known for check in checks.values()):
        raise ValueError(unchanged_message(list(checks)))
    candidates.sort(key=lambda pair: -pair[0])
    return GradcheckReport(
        ok=all(check.ok for check in checks.values()),
        mode=mode,
        params=checks,
        worst=tuple(entry for _, entry in candidates[:WORST_COUNT]),
        n_evaluations=n_evaluations,
    )
