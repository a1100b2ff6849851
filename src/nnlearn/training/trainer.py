"""The mini-batch training loop, with evaluations, progress bar and checkpoints.

:class:`Trainer` drives any network that has ``params`` (name -> array, updated
in place), ``loss_and_gradient(x, t)`` and ``predict(x)``, with any optimizer
of :mod:`nnlearn.nn.optimizers`, following a
:class:`~nnlearn.training.config.Schedule`. Batches come from
:class:`~nnlearn.training.sampling.BatchSampler`, accuracy from
:mod:`~nnlearn.training.evaluation`, checkpoints from
:mod:`~nnlearn.training.checkpoints`; what happens goes to a
:class:`~nnlearn.training.History`.

:class:`Trainer` is about 300 lines, a quarter of them its docstring: the loop,
where it pauses (evaluations, epochs, the progress bar, Ctrl-C) and its timings
read best in one place; everything else lives in the modules above.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from tqdm import tqdm

from nnlearn._shared.validation import check_positive_int, make_rng
from nnlearn.nn.optimizers import Optimizer
from nnlearn.training import checkpoints
from nnlearn.training._interrupt import deferred_interrupt
from nnlearn.training.config import RunConfig, Schedule, schedule_of
from nnlearn.training.evaluation import (
    PIXEL_MAX,
    check_dataset,
    evaluate_accuracy,
    input_dtype,
    spaced_subset,
)
from nnlearn.training.history import History
from nnlearn.training.sampling import BatchSampler
from nnlearn.training.threads import ThreadPolicy

#: Steps between two refreshes of the progress bar.
PROGRESS_EVERY = 50


def optimizer_name(optimizer: Optimizer) -> str:
    """The command-line name of ``optimizer`` (``"sgd"``, ``"adam"``, ...)."""
    return type(optimizer).__name__.lower()


def _trusting_options(method: Callable) -> dict[str, bool]:
    """``{"check_finite": False}`` if ``method`` takes that option (else ``{}``): its NaN scan
    skipped, since the Trainer checks its data once and the network would scan every batch."""
    try:
        takes_option = "check_finite" in inspect.signature(method).parameters
    except (TypeError, ValueError):  # no signature to read
        takes_option = False
    return {"check_finite": False} if takes_option else {}


def largest_product(network: Any, batch_size: int) -> int:
    """Multiply-adds of the largest matrix product of a step: batch times a weight matrix."""
    sizes = [p.shape[0] * p.shape[1] for p in network.params.values() if np.ndim(p) == 2]
    return batch_size * max(sizes, default=0)


def _check_interface(network: Any, optimizer: Any) -> None:
    for attribute in ("params", "loss_and_gradient", "predict"):
        if not hasattr(network, attribute):
            raise TypeError(f"network must have {attribute!r}, got {type(network).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nnlearn Optimizer, got {optimizer!r}")


class Trainer:
    """Mini-batch training with evaluation, history, progress bar and checkpoints.

    Each step draws a batch, calls ``network.loss_and_gradient`` once, checks
    that the loss is finite, then ``optimizer.update(network.params, grads)``.

    Parameters
    ----------
    network : object
        Has ``params`` (dict of arrays, updated in place),
        ``loss_and_gradient(x, t) -> (float, dict)`` and ``predict(x)``;
        optionally ``rng`` (its generator, e.g. for dropout) and ``buffers``
        (dict of non-trained arrays such as batch-norm running statistics),
        both saved in checkpoints.
    optimizer : Optimizer
        From :mod:`nnlearn.nn.optimizers`.
    x_train, t_train : numpy.ndarray
        Training samples (N, ...) and labels (N,) or one-hot rows (N, classes).
        The samples are floats, or uint8 pixels (``load_mnist(normalize=False,
        dtype=np.uint8)``), a quarter of float32's memory: each batch is then
        divided by 255 into the network's dtype, the very values that
        ``load_mnist()`` would have given.
    x_test, t_test : numpy.ndarray, optional
        Test set, evaluated with the training set.
    epochs, iters, batch_size, sampling, eval_every, eval_samples, lr_decay, seed
        The :class:`~nnlearn.training.config.Schedule` of the run (see there);
        or give the whole ``schedule``, or a ``run``
        (:class:`~nnlearn.training.config.RunConfig`, whose schedule is used and
        which checkpoints store), instead of these.
    callbacks : sequence of callables
        Each called as ``callback(trainer)`` after every evaluation; training
        stops early if one returns ``True``.
    monitors : sequence of (int, callable)
        ``(every, monitor)``: ``monitor(trainer)`` is called before the first
        step and after every ``every`` steps (for example an
        :class:`~nnlearn.analysis.SharpnessTracker`), apart from evaluations.
    quiet : bool, default False
        No progress bar (it is also silent when stderr is not a terminal).
    checkpoint : path, optional
        Where to save a checkpoint after every epoch, at the end, and on Ctrl-C.
    metadata : dict, optional
        JSON-serialisable facts (sizes of the data) kept in the history and checkpoints.
    threads : int, "auto" or None
        BLAS threads of the matrix products: a number, or chosen by the size
        of the products and the load of the machine
        (:class:`~nnlearn.training.threads.ThreadPolicy`; ``NNLEARN_THREADS``
        sets it too). The history's metadata counts the steps run with each
        number (``"blas_threads"``).

    Attributes
    ----------
    schedule : Schedule
    history : History
    step : int
        Steps done so far.
    total_steps, steps_per_epoch : int
    train_time : float
        Seconds spent in training steps (evaluations excluded).
    threads : ThreadPolicy

    Examples
    --------
    >>> from nnlearn.data import make_spiral
    >>> from nnlearn.nn import Adam, TwoLayerNet
    >>> x, t = make_spiral(100, 3, noise=0.1, rng=0)
    >>> net = TwoLayerNet(2, 50, 3, 1.0, activation="relu", rng=0)
    >>> trainer = Trainer(net, Adam(0.02), x, t, epochs=100, batch_size=30,
    ...                   eval_every=500, seed=0, quiet=True)
    >>> history = trainer.run()
    >>> len(history.loss), history.eval_steps
    (1000, [0, 500, 1000])
    >>> round(history.train_acc[0], 2), round(history.train_acc[-1], 2)
    (0.27, 0.99)
    """

    def __init__(
        self,
        network: Any,
        optimizer: Optimizer,
        x_train: ArrayLike,
        t_train: ArrayLike,
        x_test: ArrayLike | None = None,
        t_test: ArrayLike | None = None,
        *,
        epochs: int | None = None,
        iters: int | None = None,
        batch_size: int = 100,
        sampling: str = "shuffle",
        eval_every: int | None = None,
        eval_samples: int | None = None,
        lr_decay: float = 1.0,
        seed: int | np.random.Generator | None = None,
        schedule: Schedule | None = None,
        run: RunConfig | None = None,
        callbacks: Sequence[Callable[[Trainer], bool | None]] = (),
        monitors: Sequence[tuple[int, Callable[[Trainer], Any]]] = (),
        quiet: bool = False,
        checkpoint: str | os.PathLike | None = None,
        metadata: dict[str, Any] | None = None,
        threads: int | str | None = None,
    ):
        _check_interface(network, optimizer)
        self.network, self.optimizer, self.run_config = network, optimizer, run
        self.schedule = schedule_of(
            run, schedule, optimizer_name(optimizer), optimizer.lr,
            (batch_size, epochs, iters, sampling, eval_every, eval_samples, lr_decay, seed),
        )
        self._predict_options = _trusting_options(network.predict)
        self.x_train, self.t_train = check_dataset(network, x_train, t_train, "train")
        if (x_test is None) != (t_test is None):
            raise ValueError("x_test and t_test must be given together")
        self.x_test, self.t_test = (
            (None, None) if x_test is None else check_dataset(network, x_test, t_test, "test")
        )
        n = len(self.x_train)
        size = self.schedule.eval_samples  # accuracies during training on these subsets
        self.train_subset = spaced_subset(self.x_train, self.t_train, size)
        self.test_subset = None if self.x_test is None else spaced_subset(
            self.x_test, self.t_test, size)
        self.steps_per_epoch = self.schedule.steps_per_epoch(n)
        self.total_steps = self.schedule.total_steps(n)
        self.eval_every = self.schedule.eval_every or self.steps_per_epoch
        self.initial_lr = optimizer.lr
        self.rng = make_rng(seed if self.schedule.seed is None else self.schedule.seed, "seed")
        self.sampler = BatchSampler(n, self.schedule.batch_size, self.schedule.sampling, self.rng)
        self.threads = ThreadPolicy(
            threads, work=largest_product(network, self.schedule.batch_size)
        )
        self.callbacks = tuple(callbacks)
        self.monitors = tuple((check_positive_int(every, "monitor's every"), monitor)
                              for every, monitor in monitors)
        self.quiet = quiet
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.step = 0
        self._interrupted = False
        self.train_time = 0.0  # seconds spent in training steps (evaluations excluded)
        self.wall_time = 0.0  # seconds spent in run(), over all runs of this training
        self.metadata = dict(metadata or {})
        self.history = History(metadata=self.describe())

    def settings(self) -> dict[str, Any]:
        """The run's flat settings: the whole run if known, else the optimizer and schedule."""
        known = self.run_config.to_dict() if self.run_config is not None else {}
        schedule = {**vars(self.schedule)}
        return {**known, "optimizer": optimizer_name(self.optimizer), "lr": self.initial_lr,
                **schedule}

    def describe(self) -> dict[str, Any]:
        """What the history records about the run: settings, optimizer, data sizes, metadata."""
        return {
            **self.settings(),
            **self.optimizer.hyperparameters(),
            "lr": self.initial_lr,
            "total_steps": self.total_steps,
            "steps_per_epoch": self.steps_per_epoch,
            "n_train": len(self.x_train),
            "n_test": 0 if self.x_test is None else len(self.x_test),
            "n_eval_train": len(self.train_subset[0]),
            "n_eval_test": 0 if self.test_subset is None else len(self.test_subset[0]),
            **self.metadata,
        }

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, *, final: bool = False) -> tuple[float, float | None]:
        """Train and test accuracy of the network as it is now (test is None without a test set).

        Measured on the subsets of ``eval_samples`` (the whole sets without it);
        ``final``: the test accuracy on the whole test set.
        """
        options = self._predict_options
        train = evaluate_accuracy(self.network, *self.train_subset, **options)
        test_set = self.test_subset
        if final and test_set is not None:
            test_set = (self.x_test, self.t_test)
        test = None if test_set is None else evaluate_accuracy(self.network, *test_set, **options)
        return train, test

    def _record_evaluation(self) -> bool:
        with self.threads.limit():
            train, test = self.evaluate(final=self.step == self.total_steps)
        self.history.record_evaluation(self.step, train, test)
        return any(callback(self) for callback in self.callbacks)

    # ------------------------------------------------------------------ the loop

    def _train_steps(self, stop: int) -> None:
        """Run steps until ``self.step == stop`` or an interruption; the hot loop."""
        network, optimizer = self.network, self.optimizer
        params, losses, x, t = network.params, self.history.loss, self.x_train, self.t_train
        next_batch, isfinite, take, divide = self.sampler.next, math.isfinite, np.take, np.divide
        shape = (self.schedule.batch_size, *x.shape[1:])
        x_batch = np.empty(shape, input_dtype(network, x))  # reused
        pixels = np.empty(shape, x.dtype) if x.dtype == np.uint8 else None
        loss_and_gradient = functools.partial(network.loss_and_gradient,
                                              **_trusting_options(network.loss_and_gradient))
        step = self.step
        while step < stop and not self._interrupted:
            batch = next_batch()
            if pixels is None:
                take(x, batch, axis=0, out=x_batch, mode="wrap")  # "wrap": no temporary copy
            else:
                take(x, batch, axis=0, out=pixels, mode="wrap")
                divide(pixels, PIXEL_MAX, out=x_batch, dtype=x_batch.dtype)
            loss, grads = loss_and_gradient(x_batch, t[batch])
            if not isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} at step {step + 1} with learning rate "
                    f"{optimizer.lr:g}: training stopped before that update; "
                    "try a smaller learning rate"
                )
            optimizer.update(params, grads)
            losses.append(loss)
            step += 1
            self.step = step

    def _next_boundary(self) -> int:
        """The next step where the loop pauses: an evaluation, an epoch's end, the progress bar."""
        step = self.step
        return min(
            self.total_steps,
            (step // self.eval_every + 1) * self.eval_every,
            (step // self.steps_per_epoch + 1) * self.steps_per_epoch,
            (step // PROGRESS_EVERY + 1) * PROGRESS_EVERY,
            *((step // every + 1) * every for every, _ in self.monitors),
        )

    def _call_monitors(self) -> None:
        for every, monitor in self.monitors:
            if self.step % every == 0:
                monitor(self)

    def run(self) -> History:
        """Train until ``total_steps`` (continuing from ``step``); return the history.

        Raises
        ------
        FloatingPointError
            The loss became NaN or infinite; the message names the step and
            learning rate. The parameters are those before that step.
        KeyboardInterrupt
            On Ctrl-C, after finishing the current step and saving the checkpoint.
        """
        self._interrupted = False
        started, wall_before = time.perf_counter(), self.wall_time
        stop_early = False
        if not self.history.eval_steps:
            self._call_monitors()
            stop_early = self._record_evaluation()
        bar = tqdm(
            total=self.total_steps, initial=self.step, unit="step", dynamic_ncols=True,
            disable=True if self.quiet else None, leave=False,
        )
        with bar, deferred_interrupt(self._interrupt), np.errstate(over="ignore", invalid="ignore"):
            while self.step < self.total_steps and not stop_early:
                step = self.step
                tic = time.perf_counter()
                with self.threads.limit() as threads:
                    self._train_steps(self._next_boundary())
                elapsed = time.perf_counter() - tic
                self.train_time += elapsed
                self.threads.record(threads, self.step - step, elapsed)
                self._count_threads(threads, self.step - step)
                bar.update(self.step - step)
                self._call_monitors()
                if self._interrupted:
                    self._stamp(wall_before, started)
                    self._save_if_asked()
                    raise KeyboardInterrupt(f"training interrupted after step {self.step}")
                if self.step % self.eval_every == 0 or self.step == self.total_steps:
                    stop_early = self._record_evaluation()
                if self.step % self.steps_per_epoch == 0 and self.step < self.total_steps:
                    self._schedule_lr()
                    self._stamp(wall_before, started)
                    self._save_if_asked()
                bar.set_postfix(self.history.latest(), refresh=False)
        if self.history.eval_steps[-1] != self.step:
            self._record_evaluation()
        self._stamp(wall_before, started)
        self._save_if_asked()
        return self.history

    def _interrupt(self) -> None:
        self._interrupted = True

    def _count_threads(self, threads: int, steps: int) -> None:
        counts = self.history.metadata.setdefault("blas_threads", {})
        counts[str(threads)] = counts.get(str(threads), 0) + steps

    def _stamp(self, wall_before: float, started: float) -> None:
        """Bring the timings up to date, in the trainer and in the history's metadata."""
        self.wall_time = wall_before + time.perf_counter() - started
        self.history.metadata.update(
            steps=self.step,
            train_time=self.train_time,
            wall_time=self.wall_time,
            steps_per_second=self.step / self.train_time if self.train_time else None,
        )

    def _schedule_lr(self) -> None:
        """Set the optimizer's learning rate for the epoch that ``step`` is in."""
        epoch = self.step // self.steps_per_epoch
        self.optimizer.lr = self.initial_lr * self.schedule.lr_decay**epoch

    # ------------------------------------------------------------------ checkpoints

    def _save_if_asked(self) -> None:
        if self.checkpoint is not None:
            self.save_checkpoint(self.checkpoint)

    def save_checkpoint(self, path: str | os.PathLike) -> Path:
        """Save weights, optimizer state, random states, step and history to ``path``."""
        return checkpoints.save_training(self, path)

    def load_checkpoint(self, path: str | os.PathLike) -> None:
        """Restore a checkpoint so that :meth:`run` continues exactly where it stopped.

        The trainer must be built with the same network architecture, optimizer,
        batch size and sampling as the run that saved it; ``total_steps`` may differ.
        """
        checkpoints.restore_training(self, path)
        self._schedule_lr()
