"""``nnlearn train``, ``evaluate`` and ``gradcheck``: a network, its run and its gradients."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from nnlearn.cli._output import output_folder


def _add_train(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.data.datasets import DATASETS
    from nnlearn.nn.optimizers import OPTIMIZERS
    from nnlearn.training.config import MODELS, PRESETS, SAMPLING
    from nnlearn.training.threads import ENV_VARIABLE as ENV_THREADS

    parser = subparsers.add_parser(
        "train",
        help="train a network on MNIST, Fashion-MNIST or the spiral, with a progress bar",
        description="Train by mini-batch gradient descent; write the history (JSON, CSV), "
                    "the final checkpoint and the learning curves to --out, then print a "
                    "summary. Options left out come from --preset, else from the resumed "
                    "checkpoint, else from the defaults shown.",
    )
    parser.add_argument("--preset", choices=list(PRESETS), default=None,
                        help="book: the chapter's run (784-50-10 sigmoid, SGD 0.1, 10,000 "
                             "iterations); fast: an MLP with Adam that reaches 0.98 in seconds")
    parser.add_argument("--dataset", choices=DATASETS, default=None, help="default: mnist")
    parser.add_argument("--model", choices=MODELS, default=None, help="default: two-layer")
    parser.add_argument("--hidden", type=int, action="append", default=None, metavar="N",
                        help="hidden layer size, repeat for more layers (default: 50)")
    parser.add_argument("--activation", choices=("sigmoid", "relu", "tanh"), default=None,
                        help="default: sigmoid for two-layer, relu for mlp")
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS), default=None,
                        help="default: sgd")
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: 0.1)")
    parser.add_argument("--weight-init", type=_weight_init, default=None, metavar="INIT",
                        help="initial weights: he, xavier or a standard deviation (default: "
                             "0.01 for two-layer, he for relu and xavier otherwise for mlp)")
    parser.add_argument("--weight-decay", type=float, default=None, metavar="LAMBDA",
                        help="L2 penalty λ/2·Σ‖W‖² on the weights (mlp; default: 0)")
    parser.add_argument("--dropout", type=float, default=None, metavar="RATIO",
                        help="dropout after every hidden layer (mlp; default: 0, none)")
    parser.add_argument("--batchnorm", action="store_const", const=True, default=None,
                        help="batch normalisation before every hidden activation (mlp)")
    parser.add_argument("--lr-decay", type=float, default=None, metavar="FACTOR",
                        help="multiply the learning rate by FACTOR after every epoch "
                             "(default: 1, constant)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: 100")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=int, default=None, help="default: 1")
    length.add_argument("--iters", type=int, default=None, help="number of steps")
    parser.add_argument("--sampling", choices=SAMPLING, default=None,
                        help="shuffle each epoch, or draw each batch with replacement as the "
                             "book does (default: shuffle)")
    parser.add_argument("--eval-every", type=int, default=None, metavar="STEPS",
                        help="steps between accuracy evaluations (default: one epoch)")
    parser.add_argument("--eval-samples", type=int, default=None, metavar="N",
                        help="accuracies during training on N evenly spaced training and N test "
                             "samples, the last test accuracy on the whole test set (default: "
                             "the whole sets; the convnet preset: 10000)")
    parser.add_argument("--seed", type=int, default=None, help="default: 0")
    parser.add_argument("--dtype", choices=("float32", "float64"), default=None,
                        help="default: float32")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="folder with the dataset's .gz files (else NNLEARN_DATA_DIR, the "
                             "cache, or a download)")
    parser.add_argument("--out", default="nnlearn-run", metavar="DIR",
                        help="folder for history, checkpoint and figure (default: nnlearn-run)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the run already in --out (refused otherwise)")
    parser.add_argument("--resume", default=None, metavar="CKPT",
                        help="continue the run saved in this checkpoint (its network is kept: "
                             "options may change the length, learning rate and evaluations)")
    parser.add_argument("--track-sharpness", type=int, default=None, metavar="N",
                        help="every N steps, measure the sharpness (the largest eigenvalue of the "
                             "Hessian of the loss on --sharpness-samples training samples): "
                             "saved in history.json and drawn in sharpness.png against 2/lr")
    parser.add_argument("--sharpness-samples", type=int, default=1000, metavar="M",
                        help="training samples the sharpness is measured on (default: 1000)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--threads", default=None, metavar="N",
                        help="BLAS threads of the matrix products, a number or 'auto' (default: "
                             f"{ENV_THREADS} if set, else auto: one for small networks, else one "
                             "per core that other programs leave idle)")
    parser.set_defaults(run=_run_train)


def _weight_init(value: str) -> str | float:
    """``he``, ``xavier`` or a number, for --weight-init."""
    try:
        return float(value)
    except ValueError:
        return value


#: The files a training run writes in its --out folder.
RUN_FILES = ("checkpoint.npz", "history.json", "history.csv", "learning_curves.png")


def _run_train(args: argparse.Namespace) -> int:
    from nnlearn import plots
    from nnlearn.training import runs
    from nnlearn.training.config import PRESETS, RunConfig
    from nnlearn.training.diagnosis import diagnose
    from nnlearn.training.threads import check_threads

    keys = ("dataset", "model", "hidden", "activation", "optimizer", "lr", "lr_decay", "batch_size",
            "epochs", "iters", "sampling", "eval_every", "eval_samples", "seed", "dtype",
            "weight_init", "weight_decay", "dropout", "batchnorm")
    threads = check_threads(args.threads, "--threads")
    given = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    settings = {**(PRESETS[args.preset] if args.preset else {}), **given}
    if args.resume:
        saved = runs.saved_run(args.resume)
        runs.check_resume(saved, settings, args.resume)
        run = saved.with_settings(settings)
    else:
        run = RunConfig.from_settings(settings)
    out = output_folder(args.out, RUN_FILES, overwrite=args.overwrite, resume=args.resume)
    trainer = runs.prepare_trainer(
        run, data_dir=args.data_dir, checkpoint=out / "checkpoint.npz", resume=args.resume,
        quiet=args.quiet, threads=threads,
    )
    tracker = _sharpness_tracker(args, trainer)
    print(f"nnlearn train: {runs.describe_run(trainer)}", flush=True)
    try:
        history = trainer.run()  # saves the checkpoint at the end, before anything else
    except KeyboardInterrupt:
        print(f"nnlearn: stopped after step {trainer.step}; continue with --resume "
              f"{trainer.checkpoint}", file=sys.stderr)
        raise
    del trainer  # and with it the dataset, before matplotlib draws: a lower peak of memory
    history.to_json(out / "history.json")
    history.to_csv(out / "history.csv")
    plots.save(plots.plot_learning_curves(history), out / "learning_curves.png")
    if tracker is not None:
        plots.save(plots.plot_sharpness([tracker]), out / "sharpness.png")
        limit = f" (2/lr = {2 / run.lr:.4g})" if run.optimizer == "sgd" else ""
        print(f"sharpness {tracker.sharpness[0]:.4g} at the start, {tracker.sharpness[-1]:.4g} "
              f"at the end{limit}; wrote {out}/sharpness.png")
    meta = history.metadata
    test = f"  test accuracy {history.test_acc[-1]:.4f}" if history.test_acc else ""
    evaluated, n_train = meta.get("n_eval_train", meta["n_train"]), meta["n_train"]
    subset = (f" (on {evaluated:,} of the {n_train:,} training images)"
              if evaluated < n_train else "")
    print(f"train accuracy {history.train_acc[-1]:.4f}{subset}{test}")
    print(f"wall time {meta['wall_time']:.1f} s  ({meta['train_time']:.1f} s in "
          f"{meta['steps']} steps, {meta['steps_per_second']:.0f} steps/s)")
    print("BLAS threads: " + ", ".join(f"{n} for {steps} steps" for n, steps in sorted(
        meta.get("blas_threads", {}).items())))
    print(f"wrote {out}/: {', '.join(RUN_FILES)}")
    problem = diagnose(history, meta["output_size"], run.lr)
    if problem:
        print(f"nnlearn: error: {problem}", file=sys.stderr)
        return 1
    return 0


def _sharpness_tracker(args: argparse.Namespace, trainer: Any) -> Any:
    """A SharpnessTracker on the first --sharpness-samples samples, monitoring ``trainer``."""
    if args.track_sharpness is None:
        return None
    import numpy as np

    from nnlearn.analysis import SharpnessTracker
    from nnlearn.training.evaluation import as_input

    for option, value in (("--track-sharpness", args.track_sharpness),
                          ("--sharpness-samples", args.sharpness_samples)):
        if value < 1:
            raise ValueError(f"{option} must be at least 1, got {value}")
    samples = args.sharpness_samples
    x = as_input(trainer.x_train[:samples], np.dtype(np.float64)).copy()  # not a view of it all
    tracker = SharpnessTracker(x, trainer.t_train[:samples].copy(), every=args.track_sharpness,
                               tol=1e-6, record=trainer.history.metadata.get("sharpness"))

    def measure_and_keep(trainer: Any) -> None:
        # in the history, hence in every checkpoint: a resumed run continues the record
        tracker(trainer)
        trainer.history.metadata["sharpness"] = tracker.to_dict()

    trainer.monitors += ((args.track_sharpness, measure_and_keep),)
    return tracker


def _add_evaluate(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.data.datasets import DATASETS

    parser = subparsers.add_parser(
        "evaluate",
        help="accuracy and confusion matrix of a trained checkpoint",
        description="Load a checkpoint written by 'nnlearn train' and print its accuracy "
                    "and confusion matrix on the test set.",
    )
    parser.add_argument("checkpoint", metavar="CKPT", help="checkpoint (.npz)")
    parser.add_argument("--dataset", choices=DATASETS, default=None,
                        help="default: the dataset it was trained on")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="folder with the dataset's .gz files")
    parser.set_defaults(run=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    from nnlearn.training import runs
    from nnlearn.training.evaluation import evaluate_on

    network, run = runs.restore_network(args.checkpoint)
    print(evaluate_on(
        network, args.dataset or run.dataset, data_dir=args.data_dir, dtype=run.dtype,
        seed=run.schedule.seed,
    ))
    return 0


def _add_gradcheck(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gradcheck",
        help="check a network's backpropagation against numerical gradients",
        description="Compute the gradient of a 784-input network by backpropagation on a few "
                    "samples (MNIST test images when the files are at hand, random data "
                    "otherwise), compare it with central differences of the loss and print "
                    "a table naming any wrong entries. Exit status 1 if a gradient is wrong.",
    )
    parser.add_argument("--model", choices=("two-layer", "mlp"), default="two-layer",
                        help="two-layer: TwoLayerNet(784, 50, 10), sigmoid; mlp: "
                             "784-50-50-10 ReLU with batch norm, dropout 0.2 and weight decay "
                             "0.01 (default: two-layer)")
    parser.add_argument("--mode", choices=("full", "fast"), default="full",
                        help="full: every entry; fast: 8 random directions per parameter, "
                             "then every entry of a parameter that fails (default: full)")
    parser.add_argument("--batch", type=int, default=3, help="number of samples (default: 3)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="of the network; float32 is checked through a float64 copy "
                             "(default: float64)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the weights, samples and directions (default: 0)")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="folder with the MNIST .gz files (else NNLEARN_DATA_DIR or the "
                             "cache; nothing is downloaded)")
    parser.set_defaults(run=_run_gradcheck)


def _run_gradcheck(args: argparse.Namespace) -> int:
    import numpy as np

    from nnlearn import MultiLayerNet, TwoLayerNet, check_network
    from nnlearn.data.datasets import load_mnist

    if args.batch < 1:
        raise ValueError(f"--batch must be at least 1, got {args.batch}")
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise FileNotFoundError(f"--data-dir {args.data_dir} is not a folder")
    rng = np.random.default_rng(args.seed)
    try:
        _, (x_test, t_test) = load_mnist(data_dir=args.data_dir, download=False)
    except FileNotFoundError:
        if args.data_dir is not None:  # asked for that folder: no quiet fallback
            raise
        x = rng.random((args.batch, 784))
        t = rng.integers(0, 10, args.batch)
        source = "random data (MNIST not found: pass --data-dir DIR or set NNLEARN_DATA_DIR)"
    else:
        chosen = rng.choice(len(x_test), size=min(args.batch, len(x_test)), replace=False)
        x, t = x_test[chosen], t_test[chosen]
        source = f"MNIST test images {', '.join(map(str, chosen))}"
    if args.model == "two-layer":
        net = TwoLayerNet(784, 50, 10, dtype=args.dtype, rng=args.seed)
    else:
        net = MultiLayerNet(
            784, [50, 50], 10, use_batchnorm=True, use_dropout=True, dropout_ratio=0.2,
            weight_decay_lambda=0.01, dtype=args.dtype, rng=args.seed,
        )
    print(f"nnlearn gradcheck: {net!r}")
    print(f"on {len(t)} samples: {source}")
    if args.dtype != "float64":
        print(f"the {args.dtype} network is checked through its float64 copy")
    sys.stdout.flush()
    report = check_network(net, x, t, mode=args.mode, rng=args.seed)
    print(report)
    return 0 if report.ok else 1
