"""BLAS threads of a training step: one, two or chosen by nnlearn, on a quiet and a busy machine.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist     # else random pixels of MNIST's shape
    $ python benchmarks/bench_threads.py          # about 2 minutes
    $ python benchmarks/bench_threads.py --hidden 10,50 --loads 0,1 --repeat 1   # smoke run

The measurements behind :mod:`nnlearn.training.threads`. For each hidden width
``H``, a ``TwoLayerNet(784, H, 10)`` (sigmoid, float32) trains by SGD on
batches of 100 MNIST images, so that the step's largest products have
``100 * 784 * H`` multiply-adds, with BLAS limited to 1 thread, to 2 threads,
and with nnlearn's choice (``auto``: the Trainer's policy, re-deciding every
50 steps as in ``Trainer.run``). Each setting runs for about 0.15 s, the
settings interleaved, ``--repeat`` times; the table keeps each one's fastest
µs per step (wall clock).

The load is another process that spins on one core for a fraction of every
10 ms (``--loads``: 0 is a quiet machine, 1 one busy core, 0.25 a quarter of
one), started before and stopped after each block of measurements.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from nnlearn.nn.optimizers import SGD
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training.trainer import Trainer

#: A process that keeps one core busy for a fraction (argv[1]) of every 10 ms.
SPINNER = """
import sys, time
duty, period = float(sys.argv[1]), 0.01
while True:
    start = time.perf_counter()
    while time.perf_counter() - start < duty * period:
        pass
    if duty < 1:
        time.sleep((1 - duty) * period)
"""
SEGMENT = 50  # steps between two decisions of the auto policy, as Trainer.run's progress bar
WINDOW = 0.15  # seconds per timing


def start_load(duty: float) -> subprocess.Popen | None:
    """Start the spinner (None for a quiet machine); give it a moment to start spinning."""
    if duty <= 0:
        return None
    process = subprocess.Popen([sys.executable, "-c", SPINNER, str(duty)])
    time.sleep(0.3)
    return process


def stop_load(process: subprocess.Popen | None) -> None:
    if process is not None:
        process.terminate()
        process.wait()


def images() -> tuple[np.ndarray, np.ndarray]:
    """MNIST training images as uint8 pixels, or random pixels of that shape without MNIST."""
    from nnlearn.data.datasets import load_mnist

    try:
        (x, t), _ = load_mnist(normalize=False, dtype=np.uint8, download=False)
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x, t = rng.integers(0, 256, (60000, 784), dtype=np.uint8), rng.integers(0, 10, 60000)
    return x, t


def make_trainer(hidden: int, x: np.ndarray, t: np.ndarray) -> Trainer:
    net = TwoLayerNet(784, hidden, 10, 0.01, activation="sigmoid", dtype=np.float32, rng=0)
    return Trainer(net, SGD(0.1), x, t, iters=10**9, batch_size=100, sampling="replacement",
                   eval_every=10**9, seed=0, quiet=True, threads="auto")


def run_steps(trainer: Trainer, setting: str, steps: int) -> float:
    """Seconds for ``steps`` steps with 1 or 2 threads, or the auto policy per segment."""
    tic = time.perf_counter()
    if setting == "auto":
        for _ in range(steps // SEGMENT):
            with trainer.threads.limit():
                trainer._train_steps(trainer.step + SEGMENT)
    else:
        with threadpool_limits(int(setting), user_api="blas"):
            trainer._train_steps(trainer.step + steps)
    return time.perf_counter() - tic


def measure(hidden: int, duty: float, repeat: int, x, t) -> dict[str, float]:
    """Fastest µs per step of each setting, with the given load running throughout."""
    trainer = make_trainer(hidden, x, t)
    load = start_load(duty)
    try:
        segment = run_steps(trainer, "1", SEGMENT)
        steps = SEGMENT * max(1, round(WINDOW / segment))
        run_steps(trainer, "auto", SEGMENT * max(1, round(1.2 / segment)))  # auto settles
        best: dict[str, float] = {}
        for _ in range(repeat):
            for setting in ("1", "2", "auto"):
                us = 1e6 * run_steps(trainer, setting, steps) / steps
                best[setting] = min(best.get(setting, us), us)
        best["auto threads"] = trainer.threads.chosen
    finally:
        stop_load(load)
    return best


def machine() -> str:
    blas = [f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} threads)"
            for lib in threadpool_info() if lib["user_api"] == "blas"]
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, NumPy {np.__version__}, {', '.join(blas)}, "
            f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", default="10,20,30,50,100,256",
                        help="hidden widths H, comma-separated (default 10,20,30,50,100,256)")
    parser.add_argument("--loads", default="0,0.25,0.5,1",
                        help="busy fraction of the other process's core (default 0,0.25,0.5,1)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    x, t = images()
    print(f"machine: {machine()}")
    rows = []
    print("| other process | H | multiply-adds | 1 thread µs | 2 threads µs | 2 / 1 | auto µs "
          "| auto chose |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for duty in (float(v) for v in args.loads.split(",")):
        for hidden in (int(v) for v in args.hidden.split(",")):
            best = measure(hidden, duty, args.repeat, x, t)
            rows.append({"load": duty, "hidden": hidden, **best})
            print(f"| {duty:g} core | {hidden} | {100 * 784 * hidden / 1e6:.1f} M | "
                  f"{best['1']:.0f} | {best['2']:.0f} | {best['2'] / best['1']:.2f} | "
                  f"{best['auto']:.0f} | {best['auto threads']} |", flush=True)
    print(f"after: load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return rows


if __name__ == "__main__":
    main()
