"""The mini-batch training loop, with evaluations, progress bar and checkpoints.

:class:`Trainer` drives any network that has ``params`` (name -> array, updated
in place), ``loss_and_gradient(x, t)`` and ``predict(x)``, with any optimizer
of :mod:`nnlearn.nn.optimizers`. Accuracy is computed in batches so memory stays
bounded; the loss of every step and the accuracies of every evaluation go to a
:class:`History` that saves itself as JSON or CSV.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from tqdm import tqdm

from nnlearn._shared.validation import check_positive_finite, check_positive_int, make_rng
from nnlearn.nn.optimizers import Optimizer
from nnlearn.training.checkpoints import group_arrays, load_arrays, load_checkpoint, save_checkpoint
from nnlearn.training.evaluation import evaluate_accuracy
from nnlearn.training.history import History

#: Ways of drawing mini-batches: a fresh permutation per epoch, or the book's draw with replacement.
SAMPLING = ("shuffle", "replacement")
#: Steps between two refreshes of the progress bar.
PROGRESS_EVERY = 50


def _check_data(x: Any, t: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Check a dataset's shapes without copying it (no full-array scans)."""
    x, t = np.asarray(x), np.asarray(t)
    if x.dtype.kind != "f":
        raise TypeError(f"x_{name} must be a floating-point array, got dtype {x.dtype}")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x_{name} must be a non-empty batch of samples, got shape {x.shape}")
    if t.ndim not in (1, 2) or len(t) != len(x):
        raise ValueError(
            f"t_{name} must hold one label (or one-hot row) per sample of x_{name}: "
            f"expected length {len(x)}, got shape {t.shape}"
        )
    return x, t


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
    x_test, t_test : numpy.ndarray, optional
        Test set, evaluated with the training set.
    epochs, iters : int
        Length of training: exactly one of them. An epoch is ``N // batch_size`` steps.
    batch_size : int, default 100
    sampling : {"shuffle", "replacement"}, default "shuffle"
        ``"shuffle"``: each epoch visits a fresh permutation of the samples;
        ``"replacement"``: each batch is drawn independently, as in the book.
    eval_every : int, optional
        Steps between evaluations (default: one epoch). Accuracy is also
        measured before the first step and after the last.
    lr_decay : float, default 1.0
        Factor in (0, 1] applied to the learning rate after every epoch:
        :math:`\\eta_e = \\eta_0 \\, \\mathrm{lr\\_decay}^e`.
    seed : int or numpy.random.Generator, optional
        Seed of the batch sampling.
    callbacks : sequence of callables
        Each called as ``callback(trainer)`` after every evaluation; training
        stops early if one returns ``True``.
    quiet : bool, default False
        No progress bar (it is also silent when stderr is not a terminal).
    checkpoint : path, optional
        Where to save a checkpoint after every epoch, at the end, and on Ctrl-C.
    metadata : dict, optional
        JSON-serialisable facts (model, dataset) kept in the history and checkpoints.

    Attributes
    ----------
    history : History
    step : int
        Steps done so far.
    total_steps : int
    train_time : float
        Seconds spent in training steps (evaluations excluded).

    Examples
    --------
    >>> from nnlearn.data.datasets import make_spiral
    >>> from nnlearn.nn.two_layer_net import TwoLayerNet
    >>> from nnlearn.nn.optimizers import Adam
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
        lr_decay: float = 1.0,
        seed: int | np.random.Generator | None = None,
        callbacks: Sequence[Callable[[Trainer], bool | None]] = (),
        quiet: bool = False,
        checkpoint: str | os.PathLike | None = None,
        metadata: dict[str, Any] | None = None,
    ):
        for attribute in ("params", "loss_and_gradient", "predict"):
            if not hasattr(network, attribute):
                raise TypeError(f"network must have {attribute!r}, got {type(network).__name__}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be an nnlearn Optimizer, got {optimizer!r}")
        self.network, self.optimizer = network, optimizer
        self.x_train, self.t_train = _check_data(x_train, t_train, "train")
        if (x_test is None) != (t_test is None):
            raise ValueError("x_test and t_test must be given together")
        self.x_test, self.t_test = (
            (None, None) if x_test is None else _check_data(x_test, t_test, "test")
        )
        self.batch_size = check_positive_int(batch_size, "batch_size")
        n = len(self.x_train)
        if self.batch_size > n:
            raise ValueError(f"batch_size must be <= the {n} training samples, got {batch_size}")
        if sampling not in SAMPLING:
            raise ValueError(f"sampling must be one of {SAMPLING}, got {sampling!r}")
        self.sampling = sampling
        self.steps_per_epoch = n // self.batch_size
        if (epochs is None) == (iters is None):
            raise ValueError("give exactly one of epochs and iters")
        self.total_steps = (
            check_positive_int(iters, "iters") if iters is not None
            else check_positive_int(epochs, "epochs") * self.steps_per_epoch
        )
        if eval_every is None:
            eval_every = self.steps_per_epoch
        self.eval_every = check_positive_int(eval_every, "eval_every")
        self.lr_decay = check_positive_finite(lr_decay, "lr_decay")
        if self.lr_decay > 1:
            raise ValueError(f"lr_decay must be in (0, 1], got {lr_decay!r}")
        self.initial_lr = optimizer.lr
        self.rng = make_rng(seed, "seed")
        self.seed = seed if isinstance(seed, int) else None
        self.callbacks = tuple(callbacks)
        self.quiet = quiet
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.step = 0
        self._queue = np.empty(0, dtype=np.int64)  # sample indices of the coming batches
        self._position = 0
        self._interrupted = False
        self.train_time = 0.0  # seconds spent in training steps (evaluations excluded)
        self.wall_time = 0.0  # seconds spent in run(), over all runs of this training
        self.metadata = dict(metadata or {})
        self.history = History(metadata={**self.metadata, **self.config()})

    # ------------------------------------------------------------------ configuration

    def config(self) -> dict[str, Any]:
        """The settings that define the run (stored in the history and checkpoints)."""
        return {
            "optimizer": type(self.optimizer).__name__.lower(),
            **self.optimizer.hyperparameters(),
            "lr": self.initial_lr,
            "lr_decay": self.lr_decay,
            "batch_size": self.batch_size,
            "sampling": self.sampling,
            "total_steps": self.total_steps,
            "steps_per_epoch": self.steps_per_epoch,
            "eval_every": self.eval_every,
            "seed": self.seed,
            "n_train": len(self.x_train),
            "n_test": 0 if self.x_test is None else len(self.x_test),
        }

    # ------------------------------------------------------------------ evaluation

    def evaluate(self) -> tuple[float, float | None]:
        """Train and test accuracy of the network as it is now (test is None without a test set)."""
        train = evaluate_accuracy(self.network, self.x_train, self.t_train)
        test = None if self.x_test is None else evaluate_accuracy(
            self.network, self.x_test, self.t_test
        )
        return train, test

    def _record_evaluation(self) -> bool:
        train, test = self.evaluate()
        history = self.history
        history.eval_steps.append(self.step)
        history.train_acc.append(train)
        if test is not None:
            history.test_acc.append(test)
        return any(callback(self) for callback in self.callbacks)

    # ------------------------------------------------------------------ the loop

    def _next_batch(self) -> np.ndarray:
        """Indices of the next mini-batch, taken from a queue refilled once per epoch.

        ``"shuffle"`` refills it with a permutation of the samples; ``"replacement"``
        with one epoch of independent draws, ``rng.integers(0, N, ...)``, the very
        numbers that one call per batch would give.
        """
        size = self.batch_size
        if self._position + size > len(self._queue):
            n = len(self.x_train)
            if self.sampling == "shuffle":
                self._queue = self.rng.permutation(n)
            else:
                self._queue = self.rng.integers(0, n, self.steps_per_epoch * size)
            self._position = 0
        start = self._position
        self._position = start + size
        return self._queue[start : start + size]

    def _train_steps(self, stop: int) -> None:
        """Run steps until ``self.step == stop`` or an interruption; the hot loop."""
        network, optimizer = self.network, self.optimizer
        params, losses, x, t = network.params, self.history.loss, self.x_train, self.t_train
        next_batch, isfinite, take = self._next_batch, math.isfinite, np.take
        x_batch = np.empty((self.batch_size, *x.shape[1:]), x.dtype)  # reused by every step
        step = self.step
        while step < stop and not self._interrupted:
            batch = next_batch()
            take(x, batch, axis=0, out=x_batch, mode="wrap")  # "wrap": no temporary copy
            loss, grads = network.loss_and_gradient(x_batch, t[batch])
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

    @contextmanager
    def _catch_interrupt(self) -> Iterator[None]:
        """Turn Ctrl-C into a flag checked between steps, so state is never half-updated."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum, frame):
            self._interrupted = True

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _postfix(self) -> dict[str, str]:
        history = self.history
        postfix = {"loss": f"{history.loss[-1]:.4f}"} if history.loss else {}
        if history.train_acc:
            postfix["train"] = f"{history.train_acc[-1]:.4f}"
        if history.test_acc:
            postfix["test"] = f"{history.test_acc[-1]:.4f}"
        return postfix

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
            stop_early = self._record_evaluation()
        bar = tqdm(
            total=self.total_steps, initial=self.step, unit="step", dynamic_ncols=True,
            disable=True if self.quiet else None, leave=False,
        )
        with bar, self._catch_interrupt(), np.errstate(over="ignore", invalid="ignore"):
            while self.step < self.total_steps and not stop_early:
                step = self.step
                boundary = min(
                    self.total_steps,
                    (step // self.eval_every + 1) * self.eval_every,
                    (step // self.steps_per_epoch + 1) * self.steps_per_epoch,
                    (step // PROGRESS_EVERY + 1) * PROGRESS_EVERY,
                )
                tic = time.perf_counter()
                self._train_steps(boundary)
                self.train_time += time.perf_counter() - tic
                bar.update(self.step - step)
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
                bar.set_postfix(self._postfix(), refresh=False)
        if self.history.eval_steps[-1] != self.step:
            self._record_evaluation()
        self._stamp(wall_before, started)
        self._save_if_asked()
        return self.history

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
        self.optimizer.lr = self.initial_lr * self.lr_decay ** (self.step // self.steps_per_epoch)

    # ------------------------------------------------------------------ checkpoints

    def _save_if_asked(self) -> None:
        if self.checkpoint is not None:
            self.save_checkpoint(self.checkpoint)

    def save_checkpoint(self, path: str | os.PathLike) -> Path:
        """Save weights, optimizer state, random states, step and history to ``path``."""
        network = self.network
        arrays = {f"param/{k}": v for k, v in network.params.items()}
        arrays |= {f"buffer/{k}": v for k, v in getattr(network, "buffers", {}).items()}
        arrays |= {f"optimizer/{k}": v for k, v in self.optimizer.state_dict().items()}
        arrays["sampling/queue"] = self._queue
        network_rng = getattr(network, "rng", None)
        meta = {
            "step": self.step,
            "position": self._position,
            "train_time": self.train_time,
            "wall_time": self.wall_time,
            "rng": self.rng.bit_generator.state,
            "network_rng": None if network_rng is None else network_rng.bit_generator.state,
            "config": self.config(),
            "history": self.history.to_dict(),
        }
        return save_checkpoint(path, arrays, meta)

    def load_checkpoint(self, path: str | os.PathLike) -> None:
        """Restore a checkpoint so that :meth:`run` continues exactly where it stopped.

        The trainer must be built with the same network architecture, optimizer,
        batch size and sampling as the run that saved it; ``total_steps`` may differ.
        """
        arrays, meta = load_checkpoint(path)
        saved, mine = meta["config"], self.config()
        for key in ("optimizer", "batch_size", "sampling", "n_train"):
            if saved.get(key) != mine[key]:
                raise ValueError(
                    f"{path}: saved with {key}={saved.get(key)!r}, this run has {mine[key]!r}"
                )
        groups = group_arrays(arrays)
        buffers = getattr(self.network, "buffers", {})
        load_arrays(self.network.params, groups.get("param", {}), f"{path}: parameter")
        load_arrays(buffers, groups.get("buffer", {}), f"{path}: buffer")
        self.optimizer.load_state_dict(groups.get("optimizer", {}))
        self._queue = groups["sampling"]["queue"].astype(np.int64)
        self._position = int(meta["position"])
        self.rng.bit_generator.state = meta["rng"]
        if meta["network_rng"] is not None and getattr(self.network, "rng", None) is not None:
            self.network.rng.bit_generator.state = meta["network_rng"]
        self.step = int(meta["step"])
        self._schedule_lr()
        self.train_time = float(meta["train_time"])
        self.wall_time = float(meta["wall_time"])
        history = History.from_dict(meta["history"])
        history.metadata.update({**self.metadata, **self.config()})
        self.history = history
