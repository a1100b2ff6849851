"""Full-batch gradient descent on the book's network past 2/λ_max: sharpness and loss.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist
    $ python benchmarks/edge_of_stability.py                    # 1000 steps at 4 rates
    $ python benchmarks/edge_of_stability.py --multiples 0.5,5 --steps 300
    $ python benchmarks/edge_of_stability.py --lrs 0.5,2,4,7

``TwoLayerNet(784, 50, 10)``, sigmoid, the book's initial weights (std 0.01,
seed 0), float64, trained by full-batch gradient descent on the first 1000
MNIST training images, at learning rates that are multiples of 2/λ_max at
initialisation. Every ``--every`` steps :class:`~nnlearn.analysis.SharpnessTracker`
records λ_max and the loss; the table prints them next to 2/lr.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv: list[str] | None = None) -> list[dict]:
    from nnlearn import SGD, Trainer, TwoLayerNet
    from nnlearn.analysis import SharpnessTracker, top_eigenvalues
    from nnlearn.data import load_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--multiples", default="0.5,1.5,2.9,5",
                        help="learning rates as multiples of 2/lambda_max(0), comma-separated")
    parser.add_argument("--lrs", default=None,
                        help="learning rates themselves, comma-separated (instead of --multiples)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--every", type=int, default=25, help="steps between measurements")
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args(argv)
    (x, t), _ = load_dataset("mnist", dtype=np.float64, seed=0)
    x, t = x[:args.images], t[:args.images]
    sharpness0 = top_eigenvalues(TwoLayerNet(784, 50, 10, rng=0), x, t).values[0]
    print(f"lambda_max at initialisation {sharpness0:.6f}, 2/lambda_max {2 / sharpness0:.6f}")
    print("| lr | × 2/λ₀ | 2/lr | λ_max: start, highest, at the end | loss: start, highest after "
          "the start, end | diverged | seconds |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    if args.lrs:
        lrs = [float(lr) for lr in args.lrs.split(",")]
    else:
        lrs = [float(m) * 2 / sharpness0 for m in args.multiples.split(",")]
    for lr in lrs:
        multiple = lr * sharpness0 / 2
        net, tracker = TwoLayerNet(784, 50, 10, rng=0), SharpnessTracker(x, t)
        tic, diverged = time.perf_counter(), False
        try:
            Trainer(net, SGD(lr), x, t, iters=args.steps, batch_size=len(x),
                    eval_every=args.every, callbacks=[tracker], quiet=True).run()
        except FloatingPointError:
            diverged = True
        s, losses = tracker.sharpness, tracker.losses
        rows.append({"lr": lr, "multiple": multiple, **tracker.to_dict(), "diverged": diverged})
        print(f"| {lr:.3f} | {multiple:.2f} | {2 / lr:.3f} | {s[0]:.3f}, {max(s):.3f}, {s[-1]:.3f} "
              f"| {losses[0]:.3f}, {max(losses[1:]):.3f}, {losses[-1]:.4f} | {diverged} "
              f"| {time.perf_counter() - tic:.0f} |")
    return rows


if __name__ == "__main__":
    main()
