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
    parser.set_defaults(run=_run_plot)


def _run_plot(args: argparse.Namespace) -> int:
    from nnlearn import plots, tour

    path = plots.check_figure_path(args.out or f"{args.name}.png")  # before drawing
    plots.save(tour.make_figure(args.name, lang=args.lang), path)
    print(f"nnlearn: wrote {path}")
    return 0


#: Every subcommand's ``_add_*`` function, in the order ``--help`` lists them.
COMMANDS = [_add_tour, _add_plot]


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
