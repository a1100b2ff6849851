"""A run from its :class:`~nnlearn.training.config.RunConfig`: its network, data and Trainer.

``nnlearn train`` describes a run once, as a ``RunConfig``; :func:`prepare_trainer`
builds what it describes, and every checkpoint stores it, so that
:func:`restore_network` (``nnlearn evaluate``) and ``--resume`` rebuild the same
network.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from nnlearn.data.datasets import load_dataset
from nnlearn.nn.multi_layer_net import MultiLayerNet
from nnlearn.nn.optimizers import Optimizer, make_optimizer
from nnlearn.nn.simple_conv_net import SimpleConvNet
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training.checkpoints import (
    check_training_header,
    group_arrays,
    load_arrays,
    load_checkpoint,
)
from nnlearn.training.config import RunConfig
from nnlearn.training.trainer import Trainer

#: The settings that fix a network's architecture: a resumed run cannot change them.
ARCHITECTURE = ("dataset", "model", "hidden", "activation", "dtype", "dropout", "batchnorm")
#: Bytes per parameter that training holds besides the weight: gradient, optimizer state
#: (up to two arrays, Adam), a work array.
_BYTES_PER_WEIGHT_FACTOR = 5


def layer_sizes(run: RunConfig, input_size: int, output_size: int) -> list[int]:
    """Widths from input to output: ``[input_size, *run.hidden, output_size]``."""
    return [input_size, *run.hidden, output_size]


def parameter_shapes(run: RunConfig, input_size: int, output_size: int) -> dict[str, tuple]:
    """The shape of every parameter of the network ``run`` describes, computed without building it.

    Examples
    --------
    >>> parameter_shapes(RunConfig(), 784, 10)
    {'W1': (784, 50), 'b1': (50,), 'W2': (50, 10), 'b2': (10,)}
    """
    if run.model == "convnet":
        return _convnet_shapes(run, input_size, output_size)
    sizes = layer_sizes(run, input_size, output_size)
    shapes: dict[str, tuple] = {}
    for i in range(1, len(sizes)):
        shapes[f"W{i}"], shapes[f"b{i}"] = (sizes[i - 1], sizes[i]), (sizes[i],)
        if run.batchnorm and i < len(sizes) - 1:
            shapes[f"gamma{i}"], shapes[f"beta{i}"] = (sizes[i],), (sizes[i],)
    return shapes


#: The chapter's convolution of ``model="convnet"``: 30 filters of 5x5, stride 1, no padding,
#: then 2x2 max pooling with stride 2.
CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


def image_shape(input_size: int) -> tuple[int, int, int]:
    """``(1, side, side)``: the one-channel square images whose flat rows have ``input_size``."""
    side = math.isqrt(input_size)
    if side * side != input_size:
        raise ValueError(f"model 'convnet' needs square images, but the samples have "
                         f"{input_size} values, not a square number")
    return 1, side, side


def _convnet_shapes(run: RunConfig, input_size: int, output_size: int) -> dict[str, tuple]:
    channels, height, width = image_shape(input_size)
    filters, size = CONV_PARAM["filter_num"], CONV_PARAM["filter_size"]
    out_h, out_w = height - size + 1, width - size + 1
    if out_h < 2 or out_w < 2:
        raise ValueError(f"model 'convnet' needs images of at least {size + 1}x{size + 1} "
                         f"pixels, got {height}x{width}")
    pooled = filters * (out_h // 2) * (out_w // 2)
    hidden = run.hidden[0]
    return {"W1": (filters, channels, size, size), "b1": (filters,), "W2": (pooled, hidden),
            "b2": (hidden,), "W3": (hidden, output_size), "b3": (output_size,)}


def check_memory(run: RunConfig, input_size: int, output_size: int) -> None:
    """Refuse, before allocating, a network whose training would not fit in memory."""
    itemsize = np.dtype(run.dtype).itemsize
    weights = sum(int(np.prod(shape)) for shape in parameter_shapes(
        run, input_size, output_size).values())
    needed = weights * itemsize * _BYTES_PER_WEIGHT_FACTOR
    try:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf: nothing to compare with
        return
    if needed > available:
        sizes = "-".join(map(str, layer_sizes(run, input_size, output_size)))
        raise ValueError(
            f"a {sizes} network has {weights:,} weights: training it needs about "
            f"{needed / 2**30:,.1f} GiB, more than this machine's {available / 2**30:,.1f} GiB; "
            "choose smaller hidden sizes"
        )


def build_network(run: RunConfig, input_size: int, output_size: int) -> Any:
    """The network that ``run`` describes (``model``, ``hidden``, ``activation``, ``dtype``,
    ``weight_init`` and, for mlp, ``weight_decay``, ``dropout``, ``batchnorm``).

    ``"two-layer"`` is :class:`~nnlearn.TwoLayerNet` with the book's initial
    weight scale 0.01 (or ``weight_init``); ``"mlp"`` is
    :class:`~nnlearn.MultiLayerNet` with He initialisation for ReLU and Xavier
    otherwise (or ``weight_init``). The initial weights are drawn from the
    run's seed.
    """
    check_memory(run, input_size, output_size)
    options = {"activation": run.activation, "dtype": np.dtype(run.dtype),
               "rng": run.schedule.seed}
    if run.model == "two-layer":
        scale = 0.01 if run.weight_init is None else run.weight_init
        return TwoLayerNet(input_size, run.hidden[0], output_size, scale, **options)
    if run.model == "convnet":
        scale = 0.01 if run.weight_init is None else run.weight_init
        return SimpleConvNet(image_shape(input_size), dict(CONV_PARAM), run.hidden[0],
                             output_size, scale, dtype=options["dtype"], rng=options["rng"])
    init = run.weight_init or ("he" if run.activation == "relu" else "xavier")
    return MultiLayerNet(
        input_size, list(run.hidden), output_size, weight_init=init,
        weight_decay_lambda=run.weight_decay, use_dropout=run.dropout > 0,
        dropout_ratio=run.dropout or 0.5, use_batchnorm=run.batchnorm, **options,
    )


def build_optimizer(run: RunConfig) -> Optimizer:
    """The optimizer that ``run`` names, at its initial learning rate."""
    return make_optimizer(run.optimizer, lr=run.lr)


def _sizes(meta: dict[str, Any], path: str | os.PathLike) -> tuple[int, int]:
    sizes = meta.get("metadata")
    for key in ("input_size", "output_size"):
        value = sizes.get(key) if isinstance(sizes, dict) else None
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{path}: the checkpoint does not say which network it holds "
                             f"(no valid {key!r})")
    return sizes["input_size"], sizes["output_size"]


def _checked_run(path: str | os.PathLike) -> tuple[RunConfig, dict[str, dict], int, int]:
    """A checkpoint's run, arrays by group and sizes, the parameters checked against the run.

    So a damaged or crafted header can neither pass nor make anything
    allocate more than the file holds.
    """
    arrays, meta = load_checkpoint(path)
    check_training_header(meta, path)
    input_size, output_size = _sizes(meta, path)
    run = RunConfig.from_dict(meta["run"], f"{path}")
    groups = group_arrays(arrays)
    params = groups.get("param", {})
    expected = parameter_shapes(run, input_size, output_size)
    stored = {name: array.shape for name, array in params.items()}
    if stored != expected:
        raise ValueError(f"{path}: the stored parameters {stored} do not match the network its "
                         f"settings describe, {expected}")
    return run, groups, input_size, output_size


def saved_run(path: str | os.PathLike) -> RunConfig:
    """The run settings stored in a checkpoint written by ``nnlearn train``, checked."""
    return _checked_run(path)[0]


def restore_network(path: str | os.PathLike) -> tuple[Any, RunConfig]:
    """Rebuild the network saved in a checkpoint of ``nnlearn train``; return it and its run."""
    run, groups, input_size, output_size = _checked_run(path)
    network = build_network(run, input_size, output_size)
    load_arrays(network.params, groups.get("param", {}), f"{path}: parameter")
    # batch norm's running statistics (none without batch norm)
    load_arrays(network.buffers, groups.get("buffer", {}), f"{path}: buffer")
    return network, run


def check_resume(saved: RunConfig, changes: dict[str, Any], path: str | os.PathLike) -> None:
    """Refuse settings that would change the architecture of a resumed run."""
    for key in ARCHITECTURE:
        if key in changes:
            given, kept = changes[key], getattr(saved, key)
            if (list(given) if key == "hidden" else given) != (
                    list(kept) if key == "hidden" else kept):
                raise ValueError(
                    f"{key}={given!r} conflicts with the checkpoint {path}, which holds "
                    f"{key}={kept!r}: a resumed run keeps its network"
                )


def prepare_trainer(
    run: RunConfig,
    *,
    data_dir: str | os.PathLike | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: str | os.PathLike | None = None,
    quiet: bool = False,
    threads: int | str | None = None,
) -> Trainer:
    """Load the data, build the network and optimizer of ``run``, and return its Trainer.

    Images are kept as uint8 pixels (the Trainer scales each batch); ``threads``
    is the Trainer's (BLAS threads, chosen by the work by default). With
    ``resume``, the trainer continues from that checkpoint.
    """
    dtype = np.dtype(run.dtype)
    (x, t), (x_test, t_test) = load_dataset(
        run.dataset, data_dir=data_dir, dtype=dtype, seed=run.schedule.seed, pixels=True
    )
    input_size, output_size = x.shape[1], int(max(t.max(), t_test.max())) + 1
    network = build_network(run, input_size, output_size)
    trainer = Trainer(
        network, build_optimizer(run), x, t, x_test, t_test, run=run, quiet=quiet,
        checkpoint=checkpoint, metadata={"input_size": input_size, "output_size": output_size},
        threads=threads,
    )
    if resume is not None:
        trainer.load_checkpoint(resume)
    return trainer


def describe_run(trainer: Trainer) -> str:
    """One line saying what a trainer made by :func:`prepare_trainer` will do."""
    run, meta = trainer.run_config, trainer.metadata
    sizes = layer_sizes(run, meta["input_size"], meta["output_size"])
    if run.model == "convnet":
        conv = f"conv{CONV_PARAM['filter_num']}x{CONV_PARAM['filter_size']}x" \
               f"{CONV_PARAM['filter_size']}-pool"
        sizes = [sizes[0], conv, *sizes[1:]]
    sizes = "-".join(map(str, sizes))
    start = f", from step {trainer.step}" if trainer.step else ""
    decay = run.schedule.lr_decay
    decaying = f" decaying by {decay:g} per epoch" if decay != 1 else ""
    extras = [f"init {run.weight_init}" if run.weight_init is not None else "",
              f"weight decay {run.weight_decay:g}" if run.weight_decay else "",
              f"dropout {run.dropout:g}" if run.dropout else "",
              "batch norm" if run.batchnorm else ""]
    extra = "".join(f" {item}," for item in extras if item)
    return (
        f"{run.dataset}, {run.model} {sizes} {run.activation} {run.dtype},{extra} "
        f"{trainer.optimizer!r}{decaying}, batch {run.schedule.batch_size} "
        f"({run.schedule.sampling}), {trainer.total_steps} steps{start}; "
        f"{trainer.threads.describe()}"
    )
