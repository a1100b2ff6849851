"""Run an experiment into a folder, in parallel, keeping every finished cell; read one back.

A run folder holds:

- ``settings.json``: the experiment, its settings, the seeds, the table's columns;
- ``results.csv``: the tidy table (one row per setting × seed × step);
- ``cells/``: one CSV per finished cell, written the moment it finishes.

A rerun into the same folder with the same settings computes only the cells
that are not in ``cells/`` (more seeds than before add cells; an interrupted
run continues). Figures are drawn from these files by :mod:`nnlearn.plots`.

Cells run through :class:`joblib.Parallel`: in worker processes with
``jobs > 1``, each limited to one BLAS thread (threadpoolctl), since these
networks are too small for a threaded BLAS to help. The backend is joblib's
choice, so ``with joblib.parallel_config(backend="dask"): run_experiment(...)``
(with a ``dask.distributed.Client`` open) or ``backend="ray"`` (after
``ray.util.joblib.register_ray()``) sends the same cells to a cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from nnlearn._shared.atomic import atomic_write
from nnlearn._shared.validation import check_positive_int
from nnlearn.experiments.base import Cell, Experiment
from nnlearn.experiments.catalog import EXPERIMENTS, get_experiment
from nnlearn.experiments.table import Table

SETTINGS_FILE = "settings.json"
RESULTS_FILE = "results.csv"
CELLS_FOLDER = "cells"


@dataclass
class ExperimentResult:
    """An experiment's settings and data, as run or as read back from its folder."""

    name: str
    settings: dict[str, Any]
    seeds: list[int]
    table: Table
    path: Path | None = None
    quick: bool = False
    computed: int = 0  # cells computed by this run
    reused: int = 0  # cells found done in the folder
    summary: list[str] = field(default_factory=list)

    @property
    def experiment(self) -> Experiment:
        return get_experiment(self.name)


def _check_seeds(seeds: int | Sequence[int] | None, experiment: Experiment) -> list[int]:
    if seeds is None:
        return list(range(experiment.default_seeds))
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        return list(range(check_positive_int(seeds, "seeds")))
    values = list(seeds)
    if not values or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in values):
        raise ValueError(f"seeds must be a count >= 1 or a non-empty list of integers >= 0, "
                         f"got {seeds!r}")
    return sorted(set(values))


def _prepare_folder(out: Path, header: dict[str, Any], overwrite: bool) -> None:
    """Check that ``out`` is empty, or holds this very experiment; clear it with ``overwrite``."""
    saved_path = out / SETTINGS_FILE
    if saved_path.exists() and overwrite:
        for name in (SETTINGS_FILE, RESULTS_FILE):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / CELLS_FOLDER, ignore_errors=True)
    elif saved_path.exists():
        saved = _read_header(out)
        same = {key: saved.get(key) for key in ("experiment", "settings", "metrics")}
        mine = {key: header[key] for key in ("experiment", "settings", "metrics")}
        if same != mine:
            changed = sorted(key for key in set(saved["settings"]) | set(header["settings"])
                             if saved["settings"].get(key) != header["settings"].get(key))
            what = (f"experiment {saved.get('experiment')!r}" if
                    saved.get("experiment") != header["experiment"]
                    else f"other settings ({', '.join(changed)})")
            raise ValueError(f"{out} holds {what}: choose another folder, or add --overwrite "
                             "(overwrite=True) to start again")
    (out / CELLS_FOLDER).mkdir(parents=True, exist_ok=True)
    _write_json(saved_path, header)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_write(path) as file:
        file.write((json.dumps(data, indent=1) + "\n").encode())


def _read_header(path: Path) -> dict[str, Any]:
    file = path / SETTINGS_FILE
    if not file.is_file():
        raise FileNotFoundError(f"{path} is not an experiment's folder (no {SETTINGS_FILE})")
    try:
        header = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"{file}: damaged ({error})") from None
    if not isinstance(header, dict) or header.get("experiment") not in EXPERIMENTS or not all(
            key in header for key in ("settings", "seeds", "metrics")):
        raise ValueError(f"{file}: not the settings of an nnlearn experiment")
    return header


def _compute(name: str, cell: Cell) -> tuple[str, list[dict[str, Any]]]:
    """One cell, in whichever process joblib chose, with one BLAS thread."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        rows = get_experiment(name).run_cell(dict(cell.params), cell.seed)
    return cell.key, [{"setting": cell.setting, "seed": cell.seed, **row} for row in rows]


def _run_cells(experiment: Experiment, cells: list[Cell], jobs: int, cells_dir: Path | None,
               table: Table, bar: Any) -> None:
    from joblib import Parallel, delayed

    by_key = {cell.key: cell for cell in cells}
    if len(by_key) != len(cells):
        raise RuntimeError(f"experiment {experiment.name} gave two cells of one name")
    parallel = Parallel(n_jobs=1 if experiment.light else jobs, return_as="generator_unordered")
    for key, rows in parallel(delayed(_compute)(experiment.name, cell) for cell in cells):
        part = Table(experiment.metrics)
        part.extend(rows)
        if cells_dir is not None:
            part.to_csv(cells_dir / f"{key}.csv")
        table.extend(part.rows)
        bar.update(1)


def run_experiment(
    name: str,
    out: str | os.PathLike | None = None,
    *,
    seeds: int | Sequence[int] | None = None,
    quick: bool = False,
    settings: Mapping[str, Any] | None = None,
    jobs: int = 1,
    overwrite: bool = False,
    progress: bool | TextIO = True,
    download: bool = True,
) -> ExperimentResult:
    """Run the experiment ``name`` (see :data:`~nnlearn.experiments.EXPERIMENTS`); return its data.

    Parameters
    ----------
    name : str
        ``"optimizer-paths"``, ``"optimizers"``, ``"init-histograms"``,
        ``"init"``, ``"batchnorm"``, ``"overfitting"`` or ``"hparams"``.
    out : path, optional
        Run folder (see the module's docstring). Without it nothing is saved
        and nothing can be resumed.
    seeds : int or list of int, optional
        A count (seeds 0, 1, ...) or the seeds themselves; default: the
        experiment's ``default_seeds``.
    quick : bool
        The reduced version that runs in seconds.
    settings : mapping, optional
        Changes to the book's settings (``Experiment.defaults`` lists them).
    jobs : int
        Cells computed at once (worker processes when > 1); -1: one per core.
        A light experiment (``Experiment.light``) runs in this process.
    overwrite : bool
        Start again in a folder that holds another experiment or other settings.
    progress : bool or text stream
        One progress line (cells done, time left), on stderr or on the stream.
    download : bool
        Whether MNIST may be downloaded when it is not at hand (else FileNotFoundError).
    """
    from tqdm import tqdm

    experiment = get_experiment(name)
    settings = experiment.settings(settings, quick=quick)
    seeds = _check_seeds(seeds, experiment)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise ValueError(f"jobs must be an integer >= 1, or -1 for every core, got {jobs!r}")
    path = None if out is None else Path(out)
    cells_dir = None if path is None else path / CELLS_FOLDER
    header = json.loads(json.dumps({  # as it reads back from the file
        "experiment": name, "title": experiment.title, "settings": settings, "seeds": seeds,
        "quick": quick, "metrics": list(experiment.metrics)}))
    if experiment.uses_mnist:
        from nnlearn.experiments._training import mnist

        mnist(settings, download=download)  # here, once, not in every worker
    if path is not None:
        _prepare_folder(path, header, overwrite)
    table, computed, reused = Table(experiment.metrics), 0, 0
    order: dict[str, int] = {}  # settings in the order the experiment lists its cells
    stream = sys.stderr if progress is True else (progress or None)
    with tqdm(desc=f"nnlearn experiment {name}", unit="cell", file=stream,
              disable=stream is None, dynamic_ncols=True, leave=True) as bar:
        for stage in range(experiment.stages):
            cells = experiment.cells(settings, seeds, stage, table)
            bar.total = (bar.total or 0) + len(cells)
            for cell in cells:
                order.setdefault(cell.setting, len(order))
            missing = []
            for cell in cells:
                saved = None if cells_dir is None else cells_dir / f"{cell.key}.csv"
                if saved is not None and saved.is_file():
                    table.extend(Table.from_csv(saved, experiment.metrics).rows)
                    reused += 1
                    bar.update(1)
                else:
                    missing.append(cell)
            _run_cells(experiment, missing, jobs, cells_dir, table, bar)
            computed += len(missing)
    table.rows.sort(key=lambda row: (order[row["setting"]], row["seed"], row["step"]))
    if path is not None:
        table.to_csv(path / RESULTS_FILE)
    return ExperimentResult(name, settings, seeds, table, path, quick, computed, reused,
                            experiment.summary(table, settings))


def load_experiment(path: str | os.PathLike) -> ExperimentResult:
    """Read back a finished run folder written by :func:`run_experiment`."""
    path = Path(path)
    header = _read_header(path)
    experiment = get_experiment(header["experiment"])
    if not (path / RESULTS_FILE).is_file():
        raise FileNotFoundError(f"{path} holds no {RESULTS_FILE}: the run did not finish; "
                                f"rerun it into {path} to compute the missing cells")
    table = Table.from_csv(path / RESULTS_FILE, experiment.metrics)
    settings = dict(header["settings"])
    return ExperimentResult(header["experiment"], settings, list(header["seeds"]), table, path,
                            bool(header.get("quick")),
                            summary=experiment.summary(table, settings))
