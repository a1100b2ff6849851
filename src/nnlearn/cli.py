"""The ``nnlearn`` command: parses arguments and calls the library, nothing more.

Each subcommand is a pair of functions: ``_add_<name>(subparsers)`` declares
its arguments and ``_run_<name>(args)`` calls the library. Imports of the
heavier modules happen inside ``_run_*`` so ``nnlearn --help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


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
    parser.set_defaults(run=_run_tour)


def _run_tour(args: argparse.Namespace) -> int:
    from nnlearn import tour

    tour.run(out=None if args.no_figures else args.out, lang=args.lang, seed=args.seed)
    return 0


def _add_plot(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.tour import FIGURES

    parser = subparsers.add_parser(
        "plot",
        help="draw one figure of the chapter",
        description="Draw one figure of the chapter and save it as PNG or SVG "
                    "(chosen by the suffix of --out).",
    )
    parser.add_argument("name", choices=list(FIGURES), help="the figure")
    parser.add_argument("--out", default=None, help="file to write, .png or .svg "
                        "(default: NAME.png)")
    parser.add_argument(
        "--lang", choices=("en", "ko"), default=None,
        help="language of the labels (default: from the locale, English otherwise)",
    )
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the data and network of the network figures (default 0)")
    parser.add_argument("--data-dir", default=None,
                        help="folder with the MNIST .gz files (default: NNLEARN_DATA_DIR, the "
                             "cache, else download)")
    parser.set_defaults(run=_run_plot)


def _run_plot(args: argparse.Namespace) -> int:
    from nnlearn import plots, tour

    path = plots.check_figure_path(args.out or f"{args.name}.png")  # before drawing
    figure = tour.make_figure(args.name, lang=args.lang, seed=args.seed, data_dir=args.data_dir)
    plots.save(figure, path)
    print(f"nnlearn: wrote {path}")
    return 0


def _add_train(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.datasets import DATASETS
    from nnlearn.optimizers import OPTIMIZERS
    from nnlearn.training import MODELS, PRESETS, SAMPLING

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
    parser.add_argument("--resume", default=None, metavar="CKPT",
                        help="continue the run saved in this checkpoint")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    from pathlib import Path

    from nnlearn import plots, training

    keys = ("dataset", "model", "hidden", "activation", "optimizer", "lr", "lr_decay", "batch_size",
            "epochs", "iters", "sampling", "eval_every", "seed", "dtype")
    given = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    run = training.resolve_run(
        args.resume and training.saved_run(args.resume),
        args.preset and training.PRESETS[args.preset],
        given,
    )
    out = Path(args.out)
    trainer = training.prepare_trainer(
        run, data_dir=args.data_dir, checkpoint=out / "checkpoint.npz", resume=args.resume,
        quiet=args.quiet,
    )
    print(f"nnlearn train: {training.describe_run(trainer)}", flush=True)
    try:
        history = trainer.run()
    except KeyboardInterrupt:
        print(f"nnlearn: stopped after step {trainer.step}; continue with --resume "
              f"{trainer.checkpoint}", file=sys.stderr)
        raise
    history.to_json(out / "history.json")
    history.to_csv(out / "history.csv")
    plots.save(plots.plot_learning_curves(history), out / "learning_curves.png")
    meta = history.metadata
    test = f"  test accuracy {history.test_acc[-1]:.4f}" if history.test_acc else ""
    print(f"train accuracy {history.train_acc[-1]:.4f}{test}")
    print(f"wall time {meta['wall_time']:.1f} s  ({meta['train_time']:.1f} s in "
          f"{trainer.step} steps, {meta['steps_per_second']:.0f} steps/s)")
    print(f"wrote {out}/: history.json, history.csv, checkpoint.npz, learning_curves.png")
    return 0


def _add_evaluate(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.datasets import DATASETS

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
    from nnlearn import training

    network, metadata = training.restore_network(args.checkpoint)
    run = metadata["run"]
    dataset = args.dataset or run["dataset"]
    print(training.evaluate_on(
        network, dataset, data_dir=args.data_dir, dtype=run["dtype"], seed=run["seed"]
    ))
    return 0


#: Every subcommand's ``_add_*`` function, in the order ``--help`` lists them.
COMMANDS = [_add_tour, _add_plot, _add_train, _add_evaluate]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``nnlearn`` command."""
    from nnlearn import __version__

    parser = argparse.ArgumentParser(
        prog="nnlearn",
        description="The mathematics of neural-network learning, from scratch on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"nnlearn {__version__}")
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
    except (ValueError, FileNotFoundError, FloatingPointError) as error:
        print(f"nnlearn: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nnlearn: interrupted", file=sys.stderr)
        return 130
