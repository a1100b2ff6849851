"""The ``nnlearn`` command: parses arguments and calls the library, nothing more.

Each subcommand is a pair of functions: ``_add_<name>(subparsers)`` declares
its arguments and ``_run_<name>(args)`` calls the library. Imports of the
heavier modules happen inside ``_run_*`` so ``nnlearn --help`` stays instant.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _add_tour(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tour",
        help="walk through the chapter: losses, derivatives, gradients, descent, SimpleNet",
        description="Print the chapter's values section by section and save its figures.",
    )
    parser.add_argument("--out", default="nnlearn-tour", help="folder for the figures (PNG)")
    parser.add_argument(
        "--lang", choices=("en", "ko"), default=None,
        help="language of the text (default: from the locale, English otherwise)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for SimpleNet's random W")
    parser.add_argument("--no-figures", action="store_true", help="print only, save no figures")
    parser.add_argument("--chapter", choices=("4", "5", "6", "curvature"), default="4",
                        help="4: numerical gradients and learning (default); 5: backpropagation, "
                             "from the computational graph to a gradient check; 6: the "
                             "experiments of chapter 6 in their quick versions; curvature: why "
                             "lr = 10 explodes (step-size limit, the Hessian of a network, the "
                             "edge of stability, loss landscapes)")
    parser.set_defaults(run=_run_tour)


def _run_tour(args: argparse.Namespace) -> int:
    from nnlearn import tour

    out = None if args.no_figures else _output_folder(args.out, (), overwrite=True)
    if args.chapter == "curvature":
        from nnlearn.tour import curvature

        curvature.run(out=out, lang=args.lang)
        return 0
    if args.chapter == "6":
        from nnlearn.tour import chapter6

        chapter6.run(out=out, lang=args.lang)
        return 0
    tour.run(out=out, lang=args.lang, seed=args.seed, chapter=int(args.chapter))
    return 0


def _add_plot(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.tour import ALL_FIGURES

    parser = subparsers.add_parser(
        "plot",
        help="draw one figure of the chapters, an experiment's or several runs' curves",
        description="Draw one figure of the chapters and save it as PNG or SVG (chosen by the "
                    "suffix of --out): chapter 4's, the computational graphs of chapter 5 "
                    "(graph, graph-apple-orange) and chapter 7's convolutional network "
                    "(conv-filters, feature-maps: a few seconds of training on MNIST). "
                    "'plot experiment RUN_DIR' redraws an experiment's figures from its saved "
                    "data; 'plot curves RUN [RUN ...]' overlays the learning curves of runs of "
                    "'nnlearn train'.",
    )
    parser.add_argument("name", choices=[*ALL_FIGURES, *PLOT_RUNS], help="the figure")
    parser.add_argument("runs", nargs="*", metavar="RUN",
                        help="for 'experiment': its run folder; for 'curves': run folders "
                             "(or their history.json)")
    parser.add_argument("--out", default=None, help="file to write, .png or .svg "
                        "(default: NAME.png; for 'experiment': the run folder)")
    parser.add_argument(
        "--lang", choices=("en", "ko"), default=None,
        help="language of the labels (default: from the locale, English otherwise)",
    )
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the data and network of the network figures (default 0)")
    parser.add_argument("--checkpoint", default=None, metavar="CKPT",
                        help="for the MNIST network figures: draw the network of this "
                             "checkpoint of 'nnlearn train' instead of training one")
    parser.add_argument("--data-dir", default=None,
                        help="folder with the MNIST .gz files (default: NNLEARN_DATA_DIR, the "
                             "cache, else download)")
    parser.set_defaults(run=_run_plot)


#: What ``nnlearn plot`` draws from saved runs rather than from the chapter.
PLOT_RUNS = ("experiment", "curves")


def _run_plot(args: argparse.Namespace) -> int:
    from nnlearn import plots, tour

    if args.name == "experiment":
        return _plot_experiment(args)
    if args.name != "curves" and args.runs:
        raise ValueError(f"'plot {args.name}' takes no RUN, got {' '.join(args.runs)}")
    path = plots.check_figure_path(args.out or f"{args.name}.png")  # before drawing
    _output_folder(str(path.parent), (), overwrite=True)
    if args.name == "curves":
        from nnlearn.training.history import History

        if not args.runs:
            raise ValueError("'plot curves' needs one RUN or more (folders of 'nnlearn train')")
        histories = {run: History.from_json(_history_file(run)) for run in args.runs}
        figure = plots.plot_runs(histories, lang=args.lang)
    else:
        figure = tour.make_figure(args.name, lang=args.lang, seed=args.seed,
                                  data_dir=args.data_dir, checkpoint=args.checkpoint)
    plots.save(figure, path)
    print(f"nnlearn: wrote {path}")
    return 0


def _history_file(run: str) -> Path:
    path = Path(run)
    path = path / "history.json" if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"{run}: no history.json (a folder of 'nnlearn train' holds one)")
    return path


def _plot_experiment(args: argparse.Namespace) -> int:
    from nnlearn import plots
    from nnlearn.experiments import load_experiment

    if len(args.runs) != 1:
        raise ValueError(f"'plot experiment' takes one RUN_DIR, got {len(args.runs)}")
    result = load_experiment(args.runs[0])
    folder = Path(args.out) if args.out else result.path
    _output_folder(str(folder), (), overwrite=True)
    written = plots.save_experiment(result, folder, lang=args.lang)
    print(f"nnlearn: wrote {', '.join(map(str, written))}")
    return 0


def _add_experiment(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.experiments import EXPERIMENTS

    parser = subparsers.add_parser(
        "experiment",
        help="run an experiment of chapter 6 over seeds, in parallel, into a run folder",
        description="Run one of the chapter's experiments at the book's settings (change "
                    "any with --set), over seeds, with its cells in parallel; write the tidy "
                    "CSV, the settings (JSON) and the figures (PNG, SVG) to --out. Rerun "
                    "into the same folder to compute only what is missing. Experiments: "
                    + "; ".join(f"{name}: {e.title}" for name, e in EXPERIMENTS.items()),
    )
    parser.add_argument("name", choices=list(EXPERIMENTS), help="the experiment")
    parser.add_argument("--seeds", type=int, default=None, metavar="N",
                        help="run seeds 0..N-1 (default: 1)")
    parser.add_argument("--quick", action="store_true",
                        help="a reduced version that runs in seconds")
    parser.add_argument("--jobs", type=int, default=-1, metavar="N",
                        help="cells computed at once, in worker processes (default: -1, "
                             "one per core)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="settings",
                        help="change a setting, VALUE in JSON (--set iters=500 --set "
                             "'weight_scales=[1, 0.01]'); --show-settings lists them")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the experiment's settings (the book's) and stop")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="run folder (default: experiments/NAME, or NAME-quick)")
    parser.add_argument("--overwrite", action="store_true",
                        help="start again in a folder that holds other settings")
    parser.add_argument("--lang", choices=("en", "ko"), default=None,
                        help="language of the figures (default: from the locale)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(run=_run_experiment)


def _run_experiment(args: argparse.Namespace) -> int:
    import json

    from nnlearn import plots
    from nnlearn.experiments import get_experiment, parse_settings, run_experiment

    experiment = get_experiment(args.name)
    changes = parse_settings(args.settings)
    if args.show_settings:
        settings = experiment.settings(changes, quick=args.quick)
        print("\n".join(f"{key} = {json.dumps(value)}" for key, value in settings.items()))
        return 0
    out = args.out or f"experiments/{args.name}{'-quick' if args.quick else ''}"
    _output_folder(out, (), overwrite=True)
    print(f"nnlearn experiment {args.name}: {experiment.title}", flush=True)
    result = run_experiment(args.name, out, seeds=args.seeds, quick=args.quick,
                            settings=changes, jobs=args.jobs, overwrite=args.overwrite,
                            progress=not args.quiet)
    if result.reused:
        print(f"{result.reused} cells found done in {out}, {result.computed} computed")
    print("\n".join(result.summary))
    written = plots.save_experiment(result, lang=args.lang)
    print(f"wrote {out}/: results.csv, settings.json, "
          f"{', '.join(path.name for path in written)}")
    return 0


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
            "epochs", "iters", "sampling", "eval_every", "seed", "dtype", "weight_init",
            "weight_decay", "dropout", "batchnorm")
    threads = check_threads(args.threads, "--threads")
    given = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    settings = {**(PRESETS[args.preset] if args.preset else {}), **given}
    if args.resume:
        saved = runs.saved_run(args.resume)
        runs.check_resume(saved, settings, args.resume)
        run = saved.with_settings(settings)
    else:
        run = RunConfig.from_settings(settings)
    out = _output_folder(args.out, RUN_FILES, overwrite=args.overwrite, resume=args.resume)
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
    if tracker is not None:
        history.metadata["sharpness"] = tracker.to_dict()
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
    print(f"train accuracy {history.train_acc[-1]:.4f}{test}")
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
                               tol=1e-6)
    trainer.monitors += ((args.track_sharpness, tracker),)
    return tracker


def _output_folder(
    path: str, run_files: Sequence[str], *, overwrite: bool, resume: str | None = None
) -> Path:
    """Make sure ``path`` is a folder we may write into, before any work starts.

    A folder that already holds one of ``run_files`` is refused unless
    ``overwrite``, or unless the run resumes from a checkpoint inside it.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {path} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise ValueError(f"--out {path} cannot be written: {error.strerror or error}") from None
    existing = [name for name in run_files if (out / name).exists()]
    continues_here = resume is not None and Path(resume).resolve().parent == out.resolve()
    if existing and not overwrite and not continues_here:
        raise ValueError(
            f"--out {path} already holds a run ({', '.join(existing)}): choose another --out, "
            "or add --overwrite to replace it"
        )
    return out


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


def _add_curvature(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "curvature",
        help="eigenvalues, trace and spectral density of a trained network's Hessian",
        description="Load a checkpoint written by 'nnlearn train', and print the largest "
                    "eigenvalues of the Hessian of its loss on training samples (exact "
                    "Hessian-vector products, Lanczos), the step-size limit 2/lambda_max, and "
                    "optionally the trace and the eigenvalue density.",
    )
    parser.add_argument("checkpoint", metavar="CKPT", help="checkpoint (.npz)")
    parser.add_argument("--k", type=int, default=5, help="how many eigenvalues (default: 5)")
    parser.add_argument("--trace", action="store_true",
                        help="the trace: exact for one hidden layer, else Hutch++")
    parser.add_argument("--density", action="store_true",
                        help="draw the eigenvalue density (stochastic Lanczos quadrature)")
    parser.add_argument("--samples", type=int, default=1000,
                        help="training samples the loss is taken on (default: 1000)")
    parser.add_argument("--out", default="hessian_density.png",
                        help="file for the density figure, .png or .svg")
    parser.add_argument("--lang", choices=("en", "ko"), default=None,
                        help="language of the figure labels")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="folder with the dataset's .gz files")
    parser.set_defaults(run=_run_curvature)


def _checkpoint_problem(args: argparse.Namespace):
    """The network of a checkpoint, its run settings and its first training samples (float64)."""
    import numpy as np

    from nnlearn.data.datasets import load_dataset
    from nnlearn.training import runs

    if args.samples < 1:
        raise ValueError(f"--samples must be at least 1, got {args.samples}")
    network, run = runs.restore_network(args.checkpoint)
    (x, t), _ = load_dataset(run.dataset, data_dir=args.data_dir, dtype=np.float64,
                             seed=run.schedule.seed)
    return network, run, x[:args.samples], t[:args.samples]


def _run_curvature(args: argparse.Namespace) -> int:
    from nnlearn import analysis

    network, run, x, t = _checkpoint_problem(args)
    loss = analysis.NetworkLoss(network, x, t)
    print(f"nnlearn curvature: {network!r}, {loss.size:,} parameters")
    print(f"loss on {len(x)} {run.dataset} training samples: {loss.loss:.6f}")
    top = analysis.top_eigenvalues(loss, k=args.k)
    print(f"largest eigenvalues ({top.n_hvp} Hessian-vector products): "
          + ", ".join(f"{value:.6g}" for value in top.values))
    low = analysis.top_eigenvalues(loss, k=1, which="smallest")
    print(f"most negative eigenvalue: {low.values[0]:.6g}")
    sharpness = top.values[0]
    print(f"sharpness lambda_max = {sharpness:.6g}: gradient descent on a quadratic this "
          f"sharp needs lr < 2/lambda_max = {2 / sharpness:.6g}")
    if args.trace:
        trace = analysis.hessian_trace(loss, method="auto")
        error = f" ± {trace.std_error:.3g}" if trace.std_error else ""
        print(f"trace: {trace.value:.6g}{error} ({trace.method}, {trace.n_hvp} products)")
    if args.density:
        from nnlearn import plots

        path = plots.check_figure_path(args.out)
        density = analysis.spectral_density(loss, steps=min(80, loss.size))
        plots.save(plots.plot_spectral_density(density, lang=args.lang), path)
        print(f"nnlearn: wrote {path} ({density.n_hvp} products)")
    return 0


def _add_landscape(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "landscape",
        help="draw the loss landscape around a trained network",
        description="Load a checkpoint written by 'nnlearn train' and draw its loss on "
                    "training samples: contour lines over the plane of two filter-normalised "
                    "random directions (default), that plane as a 3-D surface, or the line "
                    "from the initial weights (rebuilt from the run's seed) to the trained ones.",
    )
    parser.add_argument("checkpoint", metavar="CKPT", help="checkpoint (.npz)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--line", action="store_true",
                      help="the line from the initial to the trained weights")
    kind.add_argument("--surface", action="store_true", help="a 3-D surface")
    parser.add_argument("--num", type=int, default=None,
                        help="points per axis (default: 41, 51 for --line)")
    parser.add_argument("--span", type=float, default=1.0,
                        help="half-width of the plane in filter-normalised units (default: 1)")
    parser.add_argument("--samples", type=int, default=1000,
                        help="training samples the loss is taken on (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random directions")
    parser.add_argument("--out", default="landscape.png", help="file to write, .png or .svg")
    parser.add_argument("--lang", choices=("en", "ko"), default=None,
                        help="language of the figure labels")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="folder with the dataset's .gz files")
    parser.set_defaults(run=_run_landscape)


def _run_landscape(args: argparse.Namespace) -> int:
    from nnlearn import analysis, plots
    from nnlearn.training import runs

    path = plots.check_figure_path(args.out)
    network, run, x, t = _checkpoint_problem(args)
    if args.line:
        initial = runs.build_network(run, network.input_size, network.output_size)
        line = analysis.loss_line(network, x, t, initial.params, network.params,
                                  num=args.num or 51, span=(-0.25, 1.25))
        figure = plots.plot_loss_line(line, lang=args.lang)
        print(f"loss from the initial weights to the trained ones: {line.losses[0]:.6f} ... "
              f"{line.losses[-1]:.6f} (alpha {line.alphas[0]:g} to {line.alphas[-1]:g})")
    else:
        surface = analysis.loss_surface(network, x, t, num=args.num or 41, span=args.span,
                                        rng=args.seed)
        draw = plots.plot_loss_surface_3d if args.surface else plots.plot_loss_contour
        figure = draw(surface, lang=args.lang)
        print(f"loss over the plane: {surface.losses.min():.6f} to {surface.losses.max():.6f}"
              f" (at the weights {_loss_at_centre(surface):.6f})")
    plots.save(figure, path)
    print(f"nnlearn: wrote {path}")
    return 0


def _loss_at_centre(surface) -> float:
    """The loss at the grid point nearest to the weights themselves."""
    i = int(abs(surface.betas).argmin())
    j = int(abs(surface.alphas).argmin())
    return float(surface.losses[i, j])



#: Failures the library reports with a message for the user: one line on stderr, exit status 1.
#: (OSError covers missing, unreadable and unwritable files; MemoryError a size beyond the
#: machine.) Anything else is a bug in nnlearn and keeps its traceback.
EXPECTED_ERRORS = (ValueError, TypeError, OSError, FloatingPointError, MemoryError)
#: Environment variable that asks for tracebacks, as ``--traceback`` does.
TRACEBACK_VARIABLE = "NNLEARN_TRACEBACK"

#: Every subcommand's ``_add_*`` function, in the order ``--help`` lists them.
COMMANDS = [_add_tour, _add_plot, _add_train, _add_evaluate, _add_gradcheck, _add_experiment,
            _add_curvature, _add_landscape]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``nnlearn`` command."""
    from nnlearn import __version__

    parser = argparse.ArgumentParser(
        prog="nnlearn",
        description="The mathematics of neural-network learning, from scratch on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"nnlearn {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="on an error, show the full Python traceback (also: set "
                             f"{TRACEBACK_VARIABLE}=1)")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``nnlearn`` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except BrokenPipeError:  # the output was piped into a reader that stopped (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except EXPECTED_ERRORS as error:
        if args.traceback or os.environ.get(TRACEBACK_VARIABLE, "") not in ("", "0"):
            raise
        print(f"nnlearn: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nnlearn: interrupted", file=sys.stderr)
        return 130
