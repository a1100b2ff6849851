"""``nnlearn curvature`` and ``nnlearn landscape``: the Hessian and the loss of a trained net."""

from __future__ import annotations

import argparse


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
