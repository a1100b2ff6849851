"""``nnlearn experiment``: the experiments of chapter 6."""

from __future__ import annotations

import argparse

from nnlearn.cli._output import output_folder


def _add_experiment(subparsers: argparse._SubParsersAction) -> None:
    from nnlearn.experiments import EXPERIMENTS

    parser = subparsers.add_parser(
        "experiment",
        help="run an experiment of chapter 6 over seeds, in parallel, into a run folder",
        description="Run one of the chapter's experiments at the book's settings (change "
                    "any with --set), over seeds, with its cells in parallel; write the tidy "
                    "CSV, the settings (JSON) and the figures (PNG, SVG) to --out. Rerun "
                    "into the same folder to compute only what is missing. What goes beyond "
                    "the book's runs is one --set away: RMSprop and Nesterov (optimizers: "
                    "--set optimizers=sgd,momentum,adagrad,adam,rmsprop,nesterov), sigmoid "
                    "and tanh (init: --set activations=relu,sigmoid,tanh), sweeps "
                    "(overfitting: --set 'dropout_sweep=[0.1,0.3,0.5]'). Experiments: "
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
                        help="change a setting, VALUE in JSON or a list of names a,b,c "
                             "(--set iters=500 --set 'weight_scales=[1, 0.01]' --set "
                             "activations=relu,tanh); --show-settings lists them")
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
    output_folder(out, (), overwrite=True)
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
