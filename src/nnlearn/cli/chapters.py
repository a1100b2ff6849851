"""``nnlearn tour`` and ``nnlearn plot``: the chapters' text and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnlearn.cli._output import output_folder


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

    out = None if args.no_figures else output_folder(args.out, (), overwrite=True)
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
    output_folder(str(path.parent), (), overwrite=True)
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
    output_folder(str(folder), (), overwrite=True)
    written = plots.save_experiment(result, folder, lang=args.lang)
    print(f"nnlearn: wrote {', '.join(map(str, written))}")
    return 0
