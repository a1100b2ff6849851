"""Gradient checking of TwoLayerNet(784, 50, 10): nnlearn against the book's loop and PyTorch.

    $ NNLEARN_DATA_DIR=/work/shared/datasets/mnist python benchmarks/bench_gradcheck.py
    $ OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gradcheck.py
      # one thread each: on a busy machine, PyTorch's spinning thread pool can take 40x longer
    $ python benchmarks/bench_gradcheck.py --quick   # tiny network on random data: a smoke run

Part 1 checks the backpropagation gradient of TwoLayerNet(784, 50, 10), float64,
on 3 MNIST test images: ``check_network`` in full and fast mode (and fast mode
with a wrong sigmoid derivative, which then checks W1 and b1 entry by entry),
the book's check (its ``numerical_gradient`` loop over all 39,760 parameters,
then a comparison), and ``torch.autograd.gradcheck`` (slow and fast mode) on
the same network when PyTorch is installed. The nnlearn and PyTorch rows run
interleaved, ``--repeat`` rounds, and the fastest of each is kept, so that a
busy machine slows them alike; the ratio to PyTorch is printed. Part 2
computes the whole-network numerical gradient on a batch of 100 images with
``net.numerical_gradient`` and with the book's loop, and reports the speed-up
and the largest difference between them. Prints Markdown tables for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

from nnlearn import TwoLayerNet, check_network

BOOK_H = 1e-4


def book_numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The book's ``numerical_gradient`` (common/gradient.py), line for line."""
    h = BOOK_H
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
        it.iternext()
    return grad


def book_network_gradient(net: TwoLayerNet, x: np.ndarray, t: np.ndarray) -> dict:
    """The book's ``TwoLayerNet.numerical_gradient``: the loop over every parameter."""

    def loss_W(W):
        return net.loss(x, t, train_flg=True)

    return {name: book_numerical_gradient(loss_W, p) for name, p in net.params.items()}


def timed(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def interleaved(runs: dict[str, Callable[[], object]], repeat: int) -> tuple[dict, dict]:
    """Each run once per round, ``repeat`` rounds: the fastest time and last result of each."""
    best = {name: float("inf") for name in runs}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            results[name] = run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best, results


def relative_difference(grads: dict, reference: dict) -> float:
    """Largest entry difference over the largest reference entry, across all parameters."""
    scale = max(float(np.abs(g).max()) for g in reference.values())
    return max(float(np.abs(grads[k] - reference[k]).max()) for k in reference) / scale


def torch_gradcheck(net: TwoLayerNet, x: np.ndarray, t: np.ndarray, fast: bool) -> bool:
    import torch

    inputs = tuple(
        torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in net.params.values()
    )
    xt, tt = torch.tensor(x), torch.tensor(t)

    def loss(W1, b1, W2, b2):
        scores = torch.sigmoid(xt @ W1 + b1) @ W2 + b2
        return torch.nn.functional.cross_entropy(scores, tt)

    return torch.autograd.gradcheck(loss, inputs, fast_mode=fast)


def load_samples(quick: bool, n: int, input_size: int, seed: int):
    if quick:
        rng = np.random.default_rng(seed)
        return rng.random((n, input_size)), rng.integers(0, 10, n), "random samples"
    from nnlearn.data.datasets import load_mnist

    _, (x_test, t_test) = load_mnist(dtype=np.float64, download=False)
    return x_test[:n], t_test[:n], "MNIST test images"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
    except OSError:
        names = []
    return names[0] if names else platform.processor() or platform.machine()


def seconds(value: float) -> str:
    return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="TwoLayerNet(30, 5, 10) on random data, no book loop at batch 100")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the fast timings")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch rows")
    parser.add_argument("--no-book", action="store_true", help="skip the book's loops")
    args = parser.parse_args(argv)

    input_size, hidden = (30, 5) if args.quick else (784, 50)
    net = TwoLayerNet(input_size, hidden, 10, rng=0)
    n_params = sum(p.size for p in net.params.values())
    x, t, source = load_samples(args.quick, 100, input_size, seed=0)
    x3, t3 = x[:3], t[:3]
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
          f"NumPy {np.__version__}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"\nPart 1: check the backprop gradient of {net!r} ({n_params:,} parameters) "
          f"on 3 {source}, float64\n")
    print("| method | loss evaluations | time | result |")
    print("|---|---:|---:|---|")
    wrong = TwoLayerNet(input_size, hidden, 10, rng=0)
    wrong.layers[1].backward = lambda dout, layer=wrong.layers[1]: dout * layer.out  # y, not y(1-y)
    runs = {
        "full": lambda: check_network(net, x3, t3, mode="full"),
        "fast": lambda: check_network(net, x3, t3, mode="fast"),
        "fast, wrong": lambda: check_network(wrong, x3, t3, mode="fast"),
    }
    torch_version = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("(PyTorch not installed: pip install torch==2.13.0)")
        else:
            torch_version = torch.__version__
            runs["torch full"] = lambda: torch_gradcheck(net, x3, t3, False)
            runs["torch fast"] = lambda: torch_gradcheck(net, x3, t3, True)
    best, results = interleaved(runs, args.repeat)
    full, fast, fast_wrong = results["full"], results["fast"], results["fast, wrong"]
    worst = max(check.max_abs_error for check in full.params.values())
    print(f"| nnlearn check_network, full | {full.n_evaluations:,} | {seconds(best['full'])} | "
          f"{'OK' if full.ok else 'FAILED'}, max abs error {worst:.1e} |")
    print(f"| nnlearn check_network, fast (8 directions) | {fast.n_evaluations:,} | "
          f"{seconds(best['fast'])} | {'OK' if fast.ok else 'FAILED'} |")
    print(f"| nnlearn check_network, fast, sigmoid derivative wrong | "
          f"{fast_wrong.n_evaluations:,} | {seconds(best['fast, wrong'])} | "
          f"FAILED for {', '.join(fast_wrong.failed)} |")
    if torch_version:
        for mode in ("full", "fast"):
            print(f"| torch.autograd.gradcheck {torch_version}, fast_mode={mode == 'fast'} | | "
                  f"{seconds(best['torch ' + mode])} | {results['torch ' + mode]} |")
        print(f"\nnnlearn / PyTorch time: full 1/{best['torch full'] / best['full']:.0f} (target "
              f"<= 1/20), fast 1/{best['torch fast'] / best['fast']:.1f} (target <= 1/1), "
              f"PyTorch threads: {torch.get_num_threads()}")
    if not args.no_book:
        def book_check():
            numerical = book_network_gradient(net, x3, t3)
            analytic = net.gradient(x3, t3)
            return max(float(np.abs(analytic[k] - numerical[k]).max()) for k in numerical)

        book_time, gap = timed(book_check, 1)
        print(f"| book's loop (h = 1e-4), then compare | {2 * n_params:,} | "
              f"{seconds(book_time)} | max abs difference {gap:.1e} |")

    print(f"\nPart 2: whole-network numerical gradient (h = 1e-4) on a batch of {len(t)} "
          f"{source}\n")
    fast_time, fast_grads = timed(lambda: net.numerical_gradient(x, t), args.repeat)
    print("| method | time | speed-up | max relative difference |")
    print("|---|---:|---:|---:|")
    print(f"| nnlearn net.numerical_gradient | {seconds(fast_time)} | | |")
    if not args.no_book and not args.quick:
        book_time, book_grads = timed(lambda: book_network_gradient(net, x, t), 1)
        print(f"| book's loop | {seconds(book_time)} | {book_time / fast_time:.0f}x | "
              f"{relative_difference(fast_grads, book_grads):.1e} |")


if __name__ == "__main__":
    main()
