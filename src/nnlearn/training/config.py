"""One description of a training run: a :class:`~nnlearn.training.config.Schedule` inside a
:class:`~nnlearn.training.config.RunConfig`.

A run is described once. ``nnlearn train`` builds a :class:`RunConfig` from the
defaults, the dataset's defaults, a preset and the command-line options
(:meth:`RunConfig.from_settings`); :class:`~nnlearn.training.Trainer` consumes
its :class:`Schedule`; the checkpoint stores :meth:`RunConfig.to_dict` and
:meth:`RunConfig.from_dict` restores it, checking every value. Both classes are
frozen: a changed run is a new object (:meth:`RunConfig.with_settings`).
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnlearn._shared.validation import (
    check_non_negative_finite,
    check_positive_finite,
    check_positive_int,
)
from nnlearn.data.datasets import DATASETS
from nnlearn.nn.layer_net import ACTIVATIONS
from nnlearn.nn.optimizers import OPTIMIZERS

#: Ways of drawing mini-batches: a fresh permutation per epoch, or the book's draw with replacement.
SAMPLING = ("shuffle", "replacement")
#: Models that a run can train: the chapter's two-layer net, and a deeper MLP.
MODELS = ("two-layer", "mlp", "convnet")
#: The dtypes a run can compute in.
DTYPES = ("float32", "float64")


def _optional_positive_int(value: Any, name: str) -> int | None:
    return None if value is None else check_positive_int(value, name)


def _choice(value: Any, name: str, choices: tuple[str, ...] | Mapping[str, Any]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


@dataclass(frozen=True)
class Schedule:
    """How the training loop runs: length, batches, evaluations, learning-rate decay, seed.

    Parameters
    ----------
    batch_size : int, default 100
    epochs, iters : int, optional
        Length of training: exactly one of them. An epoch is ``N // batch_size`` steps.
    sampling : {"shuffle", "replacement"}, default "shuffle"
        ``"shuffle"``: each epoch visits a fresh permutation of the samples;
        ``"replacement"``: each batch is drawn independently, as in the book.
    eval_every : int, optional
        Steps between evaluations (default: one epoch).
    eval_samples : int, optional
        Measure the accuracies during training on a fixed subset: at most
        ``eval_samples`` training and as many test samples, evenly spaced
        through each set; the evaluation at the end of training measures the
        test accuracy on the whole test set (the training accuracy stays on the
        subset). Default: every evaluation on the whole sets.
    lr_decay : float, default 1.0
        Factor in (0, 1] applied to the learning rate after every epoch:
        :math:`\\eta_e = \\eta_0 \\, \\mathrm{lr\\_decay}^e`.
    seed : int, optional
        Seed of the batch sampling (and, in a :class:`RunConfig`, of the weights).

    Examples
    --------
    >>> schedule = Schedule(batch_size=100, iters=10_000, sampling="replacement")
    >>> schedule.total_steps(60_000), schedule.steps_per_epoch(60_000)
    (10000, 600)
    >>> Schedule(epochs=2, iters=5)
    Traceback (most recent call last):
        ...
    ValueError: give exactly one of epochs and iters, got epochs=2 and iters=5
    """

    batch_size: int = 100
    epochs: int | None = None
    iters: int | None = None
    sampling: str = "shuffle"
    eval_every: int | None = None
    eval_samples: int | None = None
    lr_decay: float = 1.0
    seed: int | None = None

    def __post_init__(self) -> None:
        check_positive_int(self.batch_size, "batch_size")
        if (self.epochs is None) == (self.iters is None):
            raise ValueError(
                f"give exactly one of epochs and iters, got epochs={self.epochs!r} and "
                f"iters={self.iters!r}"
            )
        _optional_positive_int(self.epochs, "epochs")
        _optional_positive_int(self.iters, "iters")
        _choice(self.sampling, "sampling", SAMPLING)
        _optional_positive_int(self.eval_every, "eval_every")
        _optional_positive_int(self.eval_samples, "eval_samples")
        decay = check_positive_finite(self.lr_decay, "lr_decay")
        if decay > 1:
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay!r}")
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral)
            or self.seed < 0
        ):
            raise ValueError(f"seed must be an integer >= 0 or None, got {self.seed!r}")

    def steps_per_epoch(self, n_train: int) -> int:
        """Steps in one epoch over ``n_train`` samples: ``n_train // batch_size``."""
        if self.batch_size > n_train:
            raise ValueError(
                f"batch_size must be <= the {n_train} training samples, got {self.batch_size}"
            )
        return n_train // self.batch_size

    def total_steps(self, n_train: int) -> int:
        """Steps of the whole run: ``iters``, or ``epochs`` times the steps of an epoch."""
        per_epoch = self.steps_per_epoch(n_train)
        return self.iters if self.iters is not None else self.epochs * per_epoch


#: :class:`Schedule`'s settings in order, when none is given (as ``Trainer``'s keywords).
_SCHEDULE_DEFAULTS = (100, None, None, "shuffle", None, None, 1.0, None)


def schedule_of(
    run: RunConfig | None,
    schedule: Schedule | None,
    optimizer: str,
    lr: float,
    settings: tuple[Any, ...],
) -> Schedule:
    """The one schedule given to a ``Trainer``: by ``run``, by ``schedule``, or by its keywords.

    ``settings`` are the keywords in :class:`Schedule`'s order; ``seed`` may be
    a generator there (then the schedule's seed is None). A ``run`` must name
    the ``optimizer`` and ``lr`` that the trainer was given.
    """
    given = sum([run is not None, schedule is not None, settings != _SCHEDULE_DEFAULTS])
    if given > 1:
        raise ValueError("give the schedule as keywords, as schedule= or as run=, not two")
    if run is not None:
        if (run.optimizer, run.lr) != (optimizer, lr):
            raise ValueError(f"the run says {run.optimizer} with lr={run.lr}, but the trainer "
                             f"was given {optimizer} with lr={lr}")
        return run.schedule
    if schedule is not None:
        return schedule
    *rest, seed = settings
    return Schedule(*rest, None if isinstance(seed, np.random.Generator) else seed)


#: The settings of :class:`Schedule`, by name.
SCHEDULE_SETTINGS = tuple(f.name for f in dataclasses.fields(Schedule))


@dataclass(frozen=True)
class RunConfig:
    """A whole training run: the data, the network, the optimizer and the :class:`Schedule`.

    Build it with :meth:`from_settings` (flat settings, later layers winning),
    which fills in what is not given; the constructor checks every value.

    Parameters
    ----------
    dataset : {"mnist", "fashion-mnist", "spiral"}
    model : {"two-layer", "mlp"}
        :class:`~nnlearn.TwoLayerNet` (one hidden layer, the book's weight
        scale 0.01) or :class:`~nnlearn.MultiLayerNet` (He initialisation for
        ReLU, Xavier otherwise).
    hidden : tuple of int
        Hidden-layer widths.
    activation : {"sigmoid", "relu", "tanh"}
    dtype : {"float32", "float64"}
    optimizer : str
        A name of :data:`nnlearn.nn.optimizers.OPTIMIZERS`.
    lr : float
        Initial learning rate.
    weight_init : "he", "xavier", float or None
        Initial weight scale (:class:`~nnlearn.MultiLayerNet`'s ``weight_init``;
        a standard deviation for ``two-layer``); None: the model's default (0.01
        for two-layer, He for ReLU and Xavier otherwise for mlp).
    weight_decay : float
        :math:`\\lambda` of the L2 penalty on the weights (mlp only).
    dropout : float
        Dropout ratio in [0, 1) after every hidden layer; 0 for none (mlp only).
    batchnorm : bool
        Batch normalisation before every hidden activation (mlp only).
    schedule : Schedule

    Examples
    --------
    >>> run = RunConfig.from_settings(PRESETS["book"], {"lr": 0.5})
    >>> run.model, run.hidden, run.activation, run.lr, run.schedule.iters
    ('two-layer', (50,), 'sigmoid', 0.5, 10000)
    >>> RunConfig.from_dict(run.to_dict()) == run
    True
    """

    dataset: str = "mnist"
    model: str = "two-layer"
    hidden: tuple[int, ...] = (50,)
    activation: str = "sigmoid"
    dtype: str = "float32"
    optimizer: str = "sgd"
    lr: float = 0.1
    weight_init: str | float | None = None
    weight_decay: float = 0.0
    dropout: float = 0.0
    batchnorm: bool = False
    schedule: Schedule = field(default_factory=lambda: Schedule(epochs=1, seed=0))

    def __post_init__(self) -> None:
        _choice(self.dataset, "dataset", DATASETS)
        _choice(self.model, "model", MODELS)
        if isinstance(self.hidden, (str, bytes)) or not isinstance(self.hidden, tuple):
            raise TypeError(f"hidden must be a tuple of widths, got {self.hidden!r}")
        for i, width in enumerate(self.hidden):
            check_positive_int(width, f"hidden[{i}]")
        if self.model in ("two-layer", "convnet") and len(self.hidden) != 1:
            raise ValueError(
                f"model {self.model!r} has one hidden layer, got hidden sizes {list(self.hidden)}"
            )
        _choice(self.activation, "activation", ACTIVATIONS)
        if self.model == "convnet" and self.activation != "relu":
            raise ValueError(f"model 'convnet' (the chapter's SimpleConvNet) uses relu, "
                             f"got activation {self.activation!r}")
        _choice(self.dtype, "dtype", DTYPES)
        _choice(self.optimizer, "optimizer", OPTIMIZERS)
        check_positive_finite(self.lr, "lr")
        self._check_regularisation()
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"schedule must be a Schedule, got {self.schedule!r}")

    def _check_regularisation(self) -> None:
        if self.weight_init is not None and self.weight_init not in ("he", "xavier"):
            if isinstance(self.weight_init, str):
                raise ValueError(f"weight_init must be 'he', 'xavier' or a standard deviation "
                                 f"> 0, got {self.weight_init!r}")
            check_positive_finite(self.weight_init, "weight_init")
        if self.model != "mlp" and isinstance(self.weight_init, str):
            raise ValueError(f"model {self.model!r} takes a weight_init standard deviation, not "
                             f"{self.weight_init!r} (use --model mlp)")
        check_non_negative_finite(self.weight_decay, "weight_decay")
        if check_non_negative_finite(self.dropout, "dropout") >= 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not isinstance(self.batchnorm, bool):
            raise TypeError(f"batchnorm must be True or False, got {self.batchnorm!r}")
        used = [name for name in ("weight_decay", "dropout", "batchnorm") if getattr(self, name)]
        if self.model != "mlp" and used:
            raise ValueError(f"{', '.join(used)} need model 'mlp' (MultiLayerNet), not "
                             f"{self.model!r}")

    # --- flat settings, as on the command line and in files ----------------------------

    @classmethod
    def from_settings(cls, *layers: Mapping[str, Any] | None) -> RunConfig:
        """The run described by flat settings over :data:`DEFAULT_SETTINGS`, later layers winning.

        The chosen dataset's :data:`DATASET_DEFAULTS` go between the defaults
        and the layers. Giving ``epochs`` clears ``iters`` and the other way
        round; with neither, the run lasts one epoch. ``activation`` left out
        (or None) is sigmoid for ``two-layer`` (the book's) and relu for ``mlp``
        and ``convnet``.

        Examples
        --------
        >>> RunConfig.from_settings({"model": "mlp", "hidden": [32], "epochs": 3}).activation
        'relu'
        >>> RunConfig.from_settings({"momentum": 0.9})
        Traceback (most recent call last):
            ...
        ValueError: unknown run setting 'momentum'; known: activation, batch_size, ...
        """
        layers = tuple(dict(layer or {}) for layer in layers)
        for layer in layers:
            for key in layer:
                if key not in DEFAULT_SETTINGS:
                    raise ValueError(
                        f"unknown run setting {key!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}"
                    )
        dataset = next((layer["dataset"] for layer in reversed(layers) if "dataset" in layer),
                       DEFAULT_SETTINGS["dataset"])
        settings: dict[str, Any] = {}
        for layer in (DEFAULT_SETTINGS, DATASET_DEFAULTS.get(dataset, {}), *layers):
            for key, value in layer.items():
                settings[key] = value
                if key in ("epochs", "iters") and value is not None:
                    settings["iters" if key == "epochs" else "epochs"] = None
        if settings["epochs"] is None and settings["iters"] is None:
            settings["epochs"] = 1
        if settings["activation"] is None:
            settings["activation"] = "sigmoid" if settings["model"] == "two-layer" else "relu"
        hidden = settings["hidden"]
        if isinstance(hidden, (list, tuple)):
            settings["hidden"] = tuple(hidden)
        schedule = Schedule(**{key: settings.pop(key) for key in SCHEDULE_SETTINGS})
        return cls(**settings, schedule=schedule)

    @classmethod
    def from_dict(cls, data: Any, source: str = "run settings") -> RunConfig:
        """The run that :meth:`to_dict` wrote, every key required and every value checked.

        ``source`` names where ``data`` came from (a checkpoint's path) in the errors.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"{source}: the run settings must be a mapping, got {data!r}")
        missing = sorted(set(DEFAULT_SETTINGS) - set(data) - set(ADDED_SETTINGS))
        if missing:
            raise ValueError(f"{source}: the run settings lack {', '.join(missing)}")
        try:
            return cls.from_settings(ADDED_SETTINGS, data)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}: invalid run settings: {error}") from None

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready settings: what checkpoints and histories store."""
        settings = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        settings.pop("schedule")
        settings["hidden"] = list(self.hidden)
        return {**settings, **dataclasses.asdict(self.schedule)}

    def with_settings(self, settings: Mapping[str, Any] | None) -> RunConfig:
        """This run with some settings changed (``epochs`` and ``iters`` replace each other)."""
        return RunConfig.from_settings(self.to_dict(), settings)


#: A run's settings when nothing else is said (``nnlearn train`` with no options).
DEFAULT_SETTINGS: dict[str, Any] = {
    "dataset": "mnist",
    "model": "two-layer",
    "hidden": [50],
    "activation": None,  # sigmoid for two-layer (the book's), relu for mlp
    "dtype": "float32",
    "optimizer": "sgd",
    "lr": 0.1,
    "weight_init": None,  # 0.01 for two-layer (the book's), He or Xavier for mlp
    "weight_decay": 0.0,
    "dropout": 0.0,  # no dropout
    "batchnorm": False,
    "lr_decay": 1.0,  # learning rate multiplied by this after every epoch
    "batch_size": 100,
    "epochs": None,
    "iters": None,  # with neither epochs nor iters: one epoch
    "sampling": "shuffle",
    "eval_every": None,  # once per epoch
    "eval_samples": None,  # every evaluation on the whole training and test sets
    "seed": 0,
}

#: Settings added after the first checkpoints were written, with the values those runs had:
#: a checkpoint without them is read as such a run.
ADDED_SETTINGS: dict[str, Any] = {"weight_init": None, "weight_decay": 0.0, "dropout": 0.0,
                                  "batchnorm": False, "eval_samples": None}

#: Defaults of each dataset, between :data:`DEFAULT_SETTINGS` and the options. The spiral's
#: 300 points make one epoch of batches of 100 three steps, and a sigmoid net trained by SGD
#: stays at chance there: its defaults train a ReLU net with Adam for 1000 steps, as the tour
#: does (test accuracy 0.99).
DATASET_DEFAULTS: dict[str, dict[str, Any]] = {
    "spiral": {
        "activation": "relu", "optimizer": "adam", "lr": 0.03, "batch_size": 30,
        "iters": 1000, "eval_every": 100,
    },
}

#: Named configurations for ``nnlearn train --preset``.
PRESETS: dict[str, dict[str, Any]] = {
    # The chapter's run: 784-50-10 sigmoid, SGD lr 0.1, batches of 100 drawn with
    # replacement, 10,000 iterations, accuracy every 600 (one "epoch").
    "book": {
        "dataset": "mnist", "model": "two-layer", "hidden": [50], "activation": "sigmoid",
        "optimizer": "sgd", "lr": 0.1, "batch_size": 100, "iters": 10000, "epochs": None,
        "sampling": "replacement", "eval_every": 600, "lr_decay": 1.0,
    },
    # >= 0.98 MNIST test accuracy in seconds: 784-256-10 ReLU, Adam with a learning rate
    # decaying by 0.6 each epoch, 6 epochs (0.9819-0.9827 test accuracy over seeds 0-2).
    "fast": {
        "dataset": "mnist", "model": "mlp", "hidden": [256], "activation": "relu",
        "optimizer": "adam", "lr": 0.003, "lr_decay": 0.6, "batch_size": 100, "epochs": 6,
        "iters": None, "sampling": "shuffle", "eval_every": None,
    },
    # The chapter-7 SimpleConvNet (conv 30x5x5 - relu - pool - affine 100 - relu - affine),
    # Adam with a learning rate halved after each epoch, 3 epochs: test accuracy 0.9886-0.9891
    # over seeds 0-2 (the book: about 0.99 after 20 epochs at 0.001). The accuracies of each
    # epoch are measured on 10,000 training and 10,000 test images (the test set), the last
    # test accuracy on all 10,000: evaluating all 60,000 training images took longer than
    # a third of an epoch's training.
    "convnet": {
        "dataset": "mnist", "model": "convnet", "hidden": [100], "activation": "relu",
        "optimizer": "adam", "lr": 0.003, "lr_decay": 0.5, "batch_size": 100, "epochs": 3,
        "iters": None, "sampling": "shuffle", "eval_every": None, "eval_samples": 10000,
    },
}
