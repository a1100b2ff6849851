"""Curvature of the book's network: nnlearn's exact HVPs, spectrum, trace and surface vs PyTorch.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist       # the four MNIST .gz files
    $ OMP_NUM_THREADS=2 python benchmarks/bench_curvature.py --repeat 7
    $ python benchmarks/bench_curvature.py --quick   # smoke run (no PyTorch needed)

The problem is the issue's: ``TwoLayerNet(784, 50, 10)`` with sigmoid and the
book's initial weights (std 0.01, seed 0), float64, the loss on the first
1000 MNIST training images. PyTorch (CPU, float64, 2 threads) gets the same
weights. Measured, each the fastest of ``--repeat`` interleaved runs:

- one Hessian-vector product: nnlearn's :func:`~nnlearn.analysis.hvp` (forward,
  backward and both R-passes) and :meth:`NetworkLoss.hvp` (R-passes only,
  the gradient pass kept), against PyTorch's double backward (full, and
  reusing the gradient graph), its gradient and its forward pass; and the
  relative difference between nnlearn's and PyTorch's HVP;
- the top eigenvalue: ``eigsh`` on nnlearn's operator (HVPs to 1e-8 relative),
  the top 5, PyHessian-style power iteration (stops when the estimate changes
  by less than 1e-3 relatively) and plain power iteration to 1e-6;
- the trace: exact (closed-form diagonal), the HVPs Hutchinson needs for a 1%
  relative standard error, and the RMS relative error over 20 seeds of
  nnlearn's Hutch++ (small sketch, layer-stratified probes) and of the paper's
  Hutch++ (a third of the budget for the sketch, plain probes) at each budget;
- a 41 x 41 filter-normalised loss surface over the 1000 images: nnlearn's
  batched :func:`~nnlearn.analysis.loss_surface` against the same grid of
  PyTorch forward passes.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import numpy as np

N_IMAGES, HIDDEN = 1000, 50


def _problem(quick: bool):
    from nnlearn.data.datasets import load_dataset
    from nnlearn.nn.two_layer_net import TwoLayerNet

    if quick:
        rng = np.random.default_rng(0)
        x, t = rng.random((20, 784)), rng.integers(0, 10, 20)
    else:
        (x, t), _ = load_dataset("mnist", dtype=np.float64, seed=0)
        x, t = np.ascontiguousarray(x[:N_IMAGES]), t[:N_IMAGES]
    return TwoLayerNet(784, HIDDEN, 10, 0.01, activation="sigmoid", rng=0), x, t


def _fastest(
    functions: dict[str, Callable[[], object]], repeat: int, inner: int = 5
) -> dict[str, float]:
    """Seconds of one call of each function: the fastest call over ``repeat`` interleaved rounds.

    Each round calls each function ``inner`` times in a row, so that the thread pools of
    NumPy's BLAS and of PyTorch, which spin for a while after a call, do not slow down
    the first calls of the other library only.
    """
    best = dict.fromkeys(functions, np.inf)
    for _ in range(repeat):
        for name, function in functions.items():
            for _ in range(inner):
                tic = time.perf_counter()
                function()
                best[name] = min(best[name], time.perf_counter() - tic)
    return best


def _torch_model(net, x, t):
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    params = [torch.tensor(net.params[k], dtype=torch.float64, requires_grad=True)
              for k in ("W1", "b1", "W2", "b2")]
    xs, ts = torch.from_numpy(x), torch.from_numpy(np.asarray(t, dtype=np.int64))

    def loss_of(p):
        W1, b1, W2, b2 = p
        return torch.nn.functional.cross_entropy(torch.sigmoid(xs @ W1 + b1) @ W2 + b2, ts)

    return torch, params, loss_of


def bench_hvp(net, x, t, repeat: int, with_torch: bool) -> dict:
    from nnlearn.analysis import NetworkLoss, hvp

    f = NetworkLoss(net, x, t)
    v = np.random.default_rng(1).standard_normal(f.size)
    vd = f.unflatten(v)
    functions = {
        "nnlearn hvp() (forward, backward, R-passes)": lambda: hvp(net, x, t, vd),
        "nnlearn NetworkLoss.hvp (R-passes, gradient pass kept)": lambda: f.hvp(v),
        "nnlearn gradient (NetworkLoss: forward, backward)": lambda: NetworkLoss(net, x, t),
    }
    result = {}
    if with_torch:
        torch, params, loss_of = _torch_model(net, x, t)
        tv = [torch.from_numpy(np.ascontiguousarray(vd[k])) for k in ("W1", "b1", "W2", "b2")]

        def double_backward():
            grads = torch.autograd.grad(loss_of(params), params, create_graph=True)
            return torch.autograd.grad(grads, params, tv)

        graph = torch.autograd.grad(loss_of(params), params, create_graph=True)

        def reuse_graph():
            return torch.autograd.grad(graph, params, tv, retain_graph=True)

        def gradient():
            return torch.autograd.grad(loss_of(params), params)

        def forward():
            with torch.no_grad():
                return loss_of(params)

        functions |= {"torch HVP, full double backward": double_backward,
                      "torch HVP, reusing the gradient graph": reuse_graph,
                      "torch gradient": gradient, "torch forward": forward}
        mine = f.hvp(v)
        theirs = np.concatenate([g.detach().numpy().ravel() for g in double_backward()])
        result["hvp_rel_error_vs_torch"] = float(np.abs(mine - theirs).max()
                                                 / np.abs(theirs).max())
        result["torch"] = torch.__version__
        result["torch_threads"] = torch.get_num_threads()
    result["times"] = _fastest(functions, repeat)
    return result


def bench_spectrum(net, x, t) -> dict:
    from nnlearn.analysis import NetworkLoss, hessian_operator, top_eigenvalues

    op = hessian_operator(net, x, t)
    reference = top_eigenvalues(op, k=1, tol=0).values[0]
    one = top_eigenvalues(NetworkLoss(net, x, t), k=1, tol=1e-10)
    five = top_eigenvalues(NetworkLoss(net, x, t), k=5, tol=1e-10)

    def power(rtol: float, limit: int = 5000) -> tuple[float, int]:
        v = np.random.default_rng(0).standard_normal(op.shape[0])
        v /= np.linalg.norm(v)
        estimate = None
        for count in range(1, limit + 1):
            w = op @ v
            value = float(v @ w)
            if estimate is not None and abs(value - estimate) < rtol * abs(estimate):
                return value, count
            estimate, v = value, w / np.linalg.norm(w)
        return estimate, limit

    pyhessian, pyhessian_count = power(1e-3)
    plain, plain_count = power(1e-6)
    return {
        "lambda_max": float(reference),
        "eigsh_top1_hvp": one.n_hvp,
        "eigsh_top1_rel_error": float(abs(one.values[0] - reference) / reference),
        "eigsh_top5_hvp": five.n_hvp,
        "top5": five.values.tolist(),
        "pyhessian_power_hvp": pyhessian_count,
        "pyhessian_power_rel_error": abs(pyhessian - reference) / reference,
        "power_1e-6_hvp": plain_count,
        "power_1e-6_rel_error": abs(plain - reference) / reference,
    }


def bench_trace(net, x, t, quick: bool) -> dict:
    from nnlearn.analysis import NetworkLoss, hessian_trace

    f = NetworkLoss(net, x, t)
    tic = time.perf_counter()
    exact = hessian_trace(f, method="exact").value
    exact_time = time.perf_counter() - tic
    probe = hessian_trace(f, method="hutchinson", n_hvp=60 if quick else 300, rng=0)
    sample_std = probe.std_error * np.sqrt(probe.n_hvp)
    hutchinson_needed = int(np.ceil((sample_std / (0.01 * exact)) ** 2))
    budgets = (30,) if quick else (90, 150, 300, 450, 600)
    variants = {"hutch++": {}, "hutch++ (paper's split)": {"stratify": False}}
    errors: dict[str, dict[int, float]] = {name: {} for name in variants}
    for m in budgets:
        for name, options in variants.items():
            if name != "hutch++":
                options = {**options, "sketch": m // 3}
            values = [hessian_trace(f, n_hvp=m, rng=s, **options).value
                      for s in range(3 if quick else 20)]
            errors[name][m] = float(np.sqrt(np.mean((np.array(values) / exact - 1) ** 2)))
    return {"exact": exact, "exact_seconds": exact_time,
            "hutchinson_hvp_for_1pct": hutchinson_needed, "rms_rel_error": errors}


def bench_surface(net, x, t, num: int, repeat: int, with_torch: bool) -> dict:
    from nnlearn.analysis import filter_normalized_direction, loss_surface

    d1, d2 = (filter_normalized_direction(net, rng=s) for s in (1, 2))
    grid = np.linspace(-1, 1, num)
    functions = {"nnlearn loss_surface": lambda: loss_surface(net, x, t, num=num,
                                                              directions=(d1, d2))}
    result = {}
    if with_torch:
        torch, params, loss_of = _torch_model(net, x, t)
        names = ("W1", "b1", "W2", "b2")
        base = [p.detach() for p in params]
        t1 = [torch.from_numpy(d1[k]) for k in names]
        t2 = [torch.from_numpy(d2[k]) for k in names]

        def torch_grid():
            out = np.empty((num, num))
            with torch.no_grad():
                for i, b in enumerate(grid):
                    for j, a in enumerate(grid):
                        point = [p + a * u + b * w for p, u, w in zip(base, t1, t2, strict=True)]
                        out[i, j] = float(loss_of(point))
            return out

        functions["torch forward passes"] = torch_grid
        mine = loss_surface(net, x, t, num=num, directions=(d1, d2)).losses
        result["max_rel_difference"] = float(np.abs(mine / torch_grid() - 1).max())
    result["times"] = _fastest(functions, repeat, inner=1)
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="random data, small sizes, no PyTorch (a smoke run)")
    parser.add_argument("--parts", default="hvp,spectrum,trace,surface",
                        help="comma-separated parts to run (default: all four)")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    unknown = set(parts) - {"hvp", "spectrum", "trace", "surface"}
    if unknown:
        parser.error(f"--parts: unknown part(s) {sorted(unknown)}; "
                     "choose from hvp, spectrum, trace, surface")
    with_torch = False
    if not args.quick:
        try:
            import torch  # noqa: F401

            with_torch = True
        except ImportError:
            print("PyTorch is not installed (pip install -e '.[bench]'): nnlearn alone")
    net, x, t = _problem(args.quick)
    repeat = 1 if args.quick else args.repeat
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}; numpy {np.__version__}")
    benches = {"hvp": lambda: bench_hvp(net, x, t, repeat, with_torch),
               "spectrum": lambda: bench_spectrum(net, x, t),
               "trace": lambda: bench_trace(net, x, t, args.quick),
               "surface": lambda: bench_surface(net, x, t, 5 if args.quick else 41, repeat,
                                                with_torch)}
    results = {part: benches[part]() for part in parts}
    hvp = results.get("hvp", {"times": {}})
    for name, seconds in hvp["times"].items():
        print(f"{name:<56} {seconds * 1e3:8.2f} ms")
    if "hvp_rel_error_vs_torch" in hvp:
        print(f"nnlearn HVP vs torch double backward: max rel. difference "
              f"{hvp['hvp_rel_error_vs_torch']:.1e}  (torch {hvp['torch']}, "
              f"{hvp['torch_threads']} threads)")
    for key, value in results.get("spectrum", {}).items():
        print(f"{key:<28} {value}")
    for key, value in results.get("trace", {}).items():
        print(f"trace {key:<28} {value}")
    surface = results.get("surface", {"times": {}})
    for name, seconds in surface["times"].items():
        print(f"surface {name:<30} {seconds:8.3f} s")
    if "max_rel_difference" in surface:
        print(f"surface nnlearn vs torch: max rel. difference "
              f"{surface['max_rel_difference']:.1e}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return results


if __name__ == "__main__":
    main()
