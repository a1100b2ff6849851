"""The ``nnlearn`` command: parses arguments and calls the library, nothing more.

Each subcommand is a pair of functions: ``_add_<name>(subparsers)`` declares
its arguments and ``_run_<name>(args)`` calls the library; they live in one
module per group (:mod:`~nnlearn.cli.chapters`, :mod:`~nnlearn.cli.train`,
:mod:`~nnlearn.cli.experiment`, :mod:`~nnlearn.cli.analysis`). Imports of the
heavier modules happen inside ``_run_*`` so ``nnlearn --help`` stays instant.
"""

import argparse
import os
import sys
from collections.abc import Sequence

from nnlearn.cli.analysis import _add_curvature, _add_landscape
from nnlearn.cli.chapters import _add_plot, _add_tour
from nnlearn.cli.experiment import _add_experiment
from nnlearn.cli.train import _add_evaluate, _add_gradcheck, _add_train

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
