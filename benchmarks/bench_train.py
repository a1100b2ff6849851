"""Training speed on MNIST: nnlearn against PyTorch and a book-style float64 loop.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist       # the four MNIST .gz files
    $ python benchmarks/bench_train.py              # the book preset, 10,000 steps
    $ python benchmarks/bench_train.py --steps 300 --variants nnlearn,book

Every variant trains the chapter's network (784-50-10, sigmoid, softmax
cross-entropy) by SGD with learning rate 0.1 on batches of 100 drawn with
replacement, from the same initial weights and the same batch indices
(``numpy.random.default_rng(seed).integers(0, 60000, 100)`` per step), and
measures train and test accuracy every 600 steps in batches. Each variant runs
in its own process so that its peak memory (ru_maxrss) is its own:

- ``nnlearn``: :class:`nnlearn.training.trainer.Trainer` with ``TwoLayerNet`` in float32;
- ``torch``: the same model and loop in PyTorch on the CPU (skipped when
  PyTorch is not installed: ``pip install -e ".[bench]"``);
- ``book``: the book's layer classes and loop in float64 with one-hot labels,
  accuracy on the whole set at once, as the chapter's code does;
- ``matmul``: the five float32 matrix products of a step, alone (a floor);
- ``cli-book`` and ``cli-fast``: ``nnlearn train --preset book|fast`` as a user
  runs it (data loading, training, history, checkpoint, figure), wall time
  and peak memory of the whole command.

µs/step counts the training steps only (batch drawing included, evaluations
excluded); wall time is the whole variant. With ``--repeat N`` the variants run
N times, interleaved, and each row keeps its fastest run: on a shared machine
the minimum is the figure least disturbed by other processes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

VARIANTS = ("nnlearn", "torch", "book", "matmul", "cli-book", "cli-fast")
INPUT, HIDDEN, OUTPUT = 784, 50, 10
LR, BATCH, EVAL_EVERY = 0.1, 100, 600


def _initial_weights(seed: int) -> dict[str, np.ndarray]:
    """The float64 weights that nnlearn's TwoLayerNet draws with this seed (then cast)."""
    from nnlearn.nn.two_layer_net import TwoLayerNet

    net = TwoLayerNet(INPUT, HIDDEN, OUTPUT, 0.01, activation="sigmoid", rng=seed)
    return {name: value.copy() for name, value in net.params.items()}


def _batches(seed: int, n: int):
    rng = np.random.default_rng(seed)
    while True:
        yield rng.integers(0, n, BATCH)


# --------------------------------------------------------------------------- variants


def run_nnlearn(steps: int, seed: int) -> dict:
    from nnlearn.data.datasets import load_mnist
    from nnlearn.nn.optimizers import SGD
    from nnlearn.nn.two_layer_net import TwoLayerNet
    from nnlearn.training.trainer import Trainer

    (x, t), (x_test, t_test) = load_mnist()
    net = TwoLayerNet(INPUT, HIDDEN, OUTPUT, 0.01, activation="sigmoid", dtype=np.float32,
                      rng=seed)
    trainer = Trainer(net, SGD(LR), x, t, x_test, t_test, iters=steps, batch_size=BATCH,
                      sampling="replacement", eval_every=EVAL_EVERY, seed=seed, quiet=True)
    history = trainer.run()
    return {"train_time": trainer.train_time, "test_acc": history.test_acc[-1]}


def run_torch(steps: int, seed: int) -> dict:
    import torch

    from nnlearn.data.datasets import load_mnist

    (x, t), (x_test, t_test) = load_mnist()
    x, t = torch.from_numpy(x), torch.from_numpy(t)
    x_test, t_test = torch.from_numpy(x_test), torch.from_numpy(t_test)
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUT, HIDDEN), torch.nn.Sigmoid(), torch.nn.Linear(HIDDEN, OUTPUT)
    )
    weights = _initial_weights(seed)
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(weights["W1"].T.astype(np.float32)))
        model[0].bias.zero_()
        model[2].weight.copy_(torch.from_numpy(weights["W2"].T.astype(np.float32)))
        model[2].bias.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def accuracy(xs, ts):
        with torch.no_grad():
            hits = sum(int((model(xs[i:i + 2000]).argmax(1) == ts[i:i + 2000]).sum())
                       for i in range(0, len(xs), 2000))
        return hits / len(xs)

    batches = _batches(seed, len(x))
    train_time, test_acc = 0.0, None
    for step in range(1, steps + 1):
        tic = time.perf_counter()
        idx = torch.from_numpy(next(batches))
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), t[idx])
        loss.backward()
        optimizer.step()
        train_time += time.perf_counter() - tic
        if step % EVAL_EVERY == 0 or step == steps:
            accuracy(x, t)
            test_acc = accuracy(x_test, t_test)
    return {"train_time": train_time, "test_acc": test_acc,
            "threads": torch.get_num_threads(), "version": torch.__version__}


class _BookAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class _BookSigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class _BookSoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        x = x - np.max(x, axis=1, keepdims=True)
        self.y = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
        return -np.sum(t * np.log(self.y + 1e-7)) / x.shape[0]

    def backward(self):
        return (self.y - self.t) / self.t.shape[0]


class _BookTwoLayerNet:
    """The chapter's TwoLayerNet: OrderedDict of layers, one-hot labels, float64."""

    def __init__(self, params):
        self.params = params
        self.layers = OrderedDict()
        self.layers["Affine1"] = _BookAffine(params["W1"], params["b1"])
        self.layers["Sigmoid1"] = _BookSigmoid()
        self.layers["Affine2"] = _BookAffine(params["W2"], params["b2"])
        self.last_layer = _BookSoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        return np.sum(y == np.argmax(t, axis=1)) / float(x.shape[0])

    def gradient(self, x, t):
        self.last_layer.forward(self.predict(x), t)
        dout = self.last_layer.backward()
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


def run_book(steps: int, seed: int) -> dict:
    from nnlearn.data.datasets import load_mnist

    (x, t), (x_test, t_test) = load_mnist(one_hot_label=True, dtype=np.float64)
    net = _BookTwoLayerNet(_initial_weights(seed))
    batches = _batches(seed, len(x))
    train_time, test_acc = 0.0, None
    for step in range(1, steps + 1):
        tic = time.perf_counter()
        mask = next(batches)
        grads = net.gradient(x[mask], t[mask])
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= LR * grads[key]
        train_time += time.perf_counter() - tic
        if step % EVAL_EVERY == 0 or step == steps:
            net.accuracy(x, t)
            test_acc = net.accuracy(x_test, t_test)
    return {"train_time": train_time, "test_acc": float(test_acc)}


def run_matmul(steps: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, INPUT), dtype=np.float32)
    W1 = rng.random((INPUT, HIDDEN), dtype=np.float32)
    W2 = rng.random((HIDDEN, OUTPUT), dtype=np.float32)
    h = x @ W1
    dy = (h @ W2)
    tic = time.perf_counter()
    for _ in range(steps):
        h = x @ W1
        dy = h @ W2
        h.T @ dy
        dh = dy @ W2.T
        x.T @ dh
    return {"train_time": time.perf_counter() - tic, "test_acc": None}


def run_cli(preset: str, steps: int, seed: int) -> dict:
    from nnlearn.cli import main

    with tempfile.TemporaryDirectory() as out:
        args = ["train", "--preset", preset, "--seed", str(seed), "--out", out, "--quiet"]
        if steps:
            args += ["--iters", str(steps)]
        tic = time.perf_counter()
        status = main(args)
        wall = time.perf_counter() - tic
        history = json.loads((Path(out) / "history.json").read_text())
    if status:
        raise SystemExit(status)
    return {"train_time": history["metadata"]["train_time"], "test_acc": history["test_acc"][-1],
            "steps": history["metadata"]["steps"], "cli_wall": wall}


RUNNERS = {
    "nnlearn": run_nnlearn,
    "torch": run_torch,
    "book": run_book,
    "matmul": run_matmul,
    "cli-book": lambda steps, seed: run_cli("book", steps, seed),
    "cli-fast": lambda steps, seed: run_cli("fast", 0, seed),
}


# --------------------------------------------------------------------------- driver


def _child(variant: str, steps: int, seed: int) -> None:
    """Run one variant in this process and print its result as one JSON line."""
    tic = time.perf_counter()
    result = RUNNERS[variant](steps, seed)
    result["wall"] = time.perf_counter() - tic
    result.setdefault("steps", steps)
    print(json.dumps(result))


def _spawn(variant: str, steps: int, seed: int) -> dict | None:
    """Run a variant in a child process; return its result with its peak RSS in MB."""
    command = [sys.executable, __file__, "--child", variant, "--steps", str(steps),
               "--seed", str(seed)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    if status:
        print(f"{variant}: failed\n{err}", file=sys.stderr)
        return None
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def _torch_available() -> bool:
    """Whether PyTorch is installed, without importing it (children inherit the driver's RSS)."""
    return importlib.util.find_spec("torch") is not None


def _table(results: dict[str, dict]) -> str:
    rows = ["| variant | steps | µs/step | × PyTorch | test accuracy | wall s | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    torch_us = None
    if "torch" in results:
        torch_us = 1e6 * results["torch"]["train_time"] / results["torch"]["steps"]
    for name, r in results.items():
        us = 1e6 * r["train_time"] / r["steps"]
        ratio = f"{us / torch_us:.2f}" if torch_us else "–"
        acc = "–" if r.get("test_acc") is None else f"{r['test_acc']:.4f}"
        wall = r.get("cli_wall", r["wall"])
        rows.append(f"| {name} | {r['steps']} | {us:.0f} | {ratio} | {acc} | {wall:.1f} | "
                    f"{r['peak_mb']:.0f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10000, help="training steps (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each variant; the fastest is kept (default 3)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, from {','.join(VARIANTS)}")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.steps, args.seed)
        return {}
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}")
    if "torch" in variants and not _torch_available():
        print("PyTorch is not installed: skipping its row (pip install -e '.[bench]')")
        variants.remove("torch")
    results: dict[str, dict] = {}
    for _ in range(args.repeat):
        for variant in variants:
            result = _spawn(variant, args.steps, args.seed)
            if result is None:
                continue
            best = results.get(variant)
            if best is None or result["train_time"] < best["train_time"]:
                results[variant] = result
            print(f"{variant}: {1e6 * result['train_time'] / result['steps']:.0f} µs/step",
                  file=sys.stderr, flush=True)
    print(_table(results))
    return results


if __name__ == "__main__":
    main()
