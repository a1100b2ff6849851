"""Training speed and memory on MNIST: nnlearn against PyTorch, on a quiet and on a busy machine.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist       # the four MNIST .gz files
    $ python benchmarks/bench_train.py              # both presets, quiet and busy: ~10 minutes
    $ python benchmarks/bench_train.py --steps 300 --loads quiet --variants nnlearn,torch
    $ python benchmarks/bench_train.py --cpu-time   # CPU time per step, one thread: ~1 minute

Two runs, each against the same model and loop in PyTorch (CPU) from the same
initial weights, on the same batches:

- ``nnlearn`` / ``torch``: the book's run (784-50-10 sigmoid, softmax
  cross-entropy, float32, SGD with learning rate 0.1, batches of 100 drawn with
  replacement, ``default_rng(seed).integers(0, 60000, 100)`` per step, 10,000
  steps, train and test accuracy every 600);
- ``nnlearn-fast`` / ``torch-fast``: the ``fast`` preset (784-256-10 ReLU, He
  initialisation, Adam with learning rate 0.003 times 0.6 after each epoch,
  shuffled epochs of ``default_rng(seed).permutation(60000)``, 6 epochs,
  accuracy after each);
- ``book``: the book's layer classes and loop in float64 with one-hot labels;
- ``matmul``: the five float32 matrix products of a book step, alone (a floor);
- ``cli-book`` and ``cli-fast``: ``nnlearn train --preset book|fast`` as a user
  runs it, under ``/usr/bin/time -v``: its peak memory (maximum resident set
  size) and wall time.

nnlearn chooses its BLAS threads (``--threads`` fixes them); each PyTorch row
runs with the threads that the nnlearn row before it used most
(``torch.set_num_threads``), so that both do the same arithmetic on the same
cores. On a busy machine that is one thread: the ``torch-own`` and
``torch-fast-own`` rows (with ``--own``) keep PyTorch's default instead.

``--loads quiet,busy``: on ``busy`` the benchmark starts one other CPU-bound
process (``python -c "while True: pass"``) before each block of runs and stops
it after. µs/step counts training steps only (batch drawing included,
evaluations excluded). Every variant runs in its own process, ``--repeat``
times, the variants and the loads interleaved; each row keeps its fastest run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np

VARIANTS = ("nnlearn", "torch", "nnlearn-fast", "torch-fast", "book", "matmul", "cli-book",
            "cli-fast")
EXTRA = ("torch-own", "torch-fast-own")
INPUT, HIDDEN, OUTPUT = 784, 50, 10
LR, BATCH, EVAL_EVERY = 0.1, 100, 600
BOOK_STEPS, FAST_STEPS = 10000, 3600
SPINNER = "while True: pass"
#: The goals of issue 15, checked in the summary.
TARGETS = {"ratio": 0.5, "busy_over_quiet": 2.0, "peak_mb": 150}


# --------------------------------------------------------------------------- variants


def _pixels():
    from nnlearn.data.datasets import load_mnist

    return load_mnist(normalize=False, dtype=np.uint8)


def _book_weights(seed: int) -> dict[str, np.ndarray]:
    """The initial weights of nnlearn's book network with this seed."""
    from nnlearn.nn.two_layer_net import TwoLayerNet

    net = TwoLayerNet(INPUT, HIDDEN, OUTPUT, 0.01, activation="sigmoid", rng=seed)
    return {name: value.copy() for name, value in net.params.items()}


def _fast_run(steps: int, seed: int):
    from nnlearn.training.config import PRESETS, RunConfig

    length = {} if steps == FAST_STEPS else {"iters": steps}
    return RunConfig.from_settings(PRESETS["fast"], {"seed": seed, **length})


def _batches(seed: int, n: int):
    rng = np.random.default_rng(seed)
    while True:
        yield rng.integers(0, n, BATCH)


def _nnlearn_result(trainer, history) -> dict:
    counts = history.metadata.get("blas_threads", {})
    return {"train_time": trainer.train_time, "test_acc": history.test_acc[-1],
            "threads": int(max(counts, key=counts.get)) if counts else None,
            "blas_threads": counts}


def run_nnlearn(steps: int, seed: int, threads: str | None) -> dict:
    from nnlearn.nn.optimizers import SGD
    from nnlearn.nn.two_layer_net import TwoLayerNet
    from nnlearn.training.trainer import Trainer

    (x, t), (x_test, t_test) = _pixels()
    net = TwoLayerNet(INPUT, HIDDEN, OUTPUT, 0.01, activation="sigmoid", dtype=np.float32,
                      rng=seed)
    trainer = Trainer(net, SGD(LR), x, t, x_test, t_test, iters=steps, batch_size=BATCH,
                      sampling="replacement", eval_every=EVAL_EVERY, seed=seed, quiet=True,
                      threads=threads)
    return _nnlearn_result(trainer, trainer.run())


def run_nnlearn_fast(steps: int, seed: int, threads: str | None) -> dict:
    from nnlearn.training.runs import prepare_trainer

    trainer = prepare_trainer(_fast_run(steps, seed), quiet=True, threads=threads)
    return _nnlearn_result(trainer, trainer.run())


def _torch_data(torch):
    """The same floats as nnlearn's batches (pixels / 255 in float32), as tensors."""
    (x, t), (x_test, t_test) = _pixels()
    x, x_test = (torch.from_numpy(a.astype(np.float32) / np.float32(255)) for a in (x, x_test))
    return (x, torch.from_numpy(t)), (x_test, torch.from_numpy(t_test))


def _torch_accuracy(torch, model, xs, ts) -> float:
    with torch.no_grad():
        hits = sum(int((model(xs[i:i + 2000]).argmax(1) == ts[i:i + 2000]).sum())
                   for i in range(0, len(xs), 2000))
    return hits / len(xs)


def _torch_linear(torch, layer, W: np.ndarray, b: np.ndarray) -> None:
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W.T.astype(np.float32)))
        layer.bias.copy_(torch.from_numpy(b.astype(np.float32)))


def _set_torch_threads(torch, threads: str | None) -> None:
    if threads not in (None, "auto"):
        torch.set_num_threads(int(threads))


def run_torch(steps: int, seed: int, threads: str | None) -> dict:
    import torch

    _set_torch_threads(torch, threads)
    (x, t), (x_test, t_test) = _torch_data(torch)
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUT, HIDDEN), torch.nn.Sigmoid(), torch.nn.Linear(HIDDEN, OUTPUT)
    )
    weights = _book_weights(seed)
    _torch_linear(torch, model[0], weights["W1"], weights["b1"])
    _torch_linear(torch, model[2], weights["W2"], weights["b2"])
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
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
            _torch_accuracy(torch, model, x, t)
            test_acc = _torch_accuracy(torch, model, x_test, t_test)
    return {"train_time": train_time, "test_acc": test_acc, "threads": torch.get_num_threads(),
            "version": torch.__version__}


def run_torch_fast(steps: int, seed: int, threads: str | None) -> dict:
    import torch

    from nnlearn.training.runs import build_network

    _set_torch_threads(torch, threads)
    run = _fast_run(steps, seed)
    (x, t), (x_test, t_test) = _torch_data(torch)
    params = build_network(run, INPUT, OUTPUT).params  # nnlearn's initial weights
    hidden = run.hidden[0]
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUT, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, OUTPUT)
    )
    _torch_linear(torch, model[0], params["W1"], params["b1"])
    _torch_linear(torch, model[2], params["W2"], params["b2"])
    optimizer = torch.optim.Adam(model.parameters(), lr=run.lr, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed)  # the Trainer's batches: a permutation per epoch
    per_epoch = len(x) // BATCH
    train_time, test_acc, step = 0.0, None, 0
    while step < steps:
        order = torch.from_numpy(rng.permutation(len(x)))
        for group in optimizer.param_groups:
            group["lr"] = run.lr * run.schedule.lr_decay ** (step // per_epoch)
        for i in range(min(per_epoch, steps - step)):
            tic = time.perf_counter()
            idx = order[i * BATCH:(i + 1) * BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), t[idx])
            loss.backward()
            optimizer.step()
            train_time += time.perf_counter() - tic
            step += 1
        _torch_accuracy(torch, model, x, t)
        test_acc = _torch_accuracy(torch, model, x_test, t_test)
    return {"train_time": train_time, "test_acc": test_acc, "threads": torch.get_num_threads(),
            "version": torch.__version__}


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


def run_book(steps: int, seed: int, threads: str | None) -> dict:
    from nnlearn.data.datasets import load_mnist

    (x, t), (x_test, t_test) = load_mnist(one_hot_label=True, dtype=np.float64)
    net = _BookTwoLayerNet(_book_weights(seed))
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


def run_matmul(steps: int, seed: int, threads: str | None) -> dict:
    from nnlearn.training.threads import ThreadPolicy

    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, INPUT), dtype=np.float32)
    W1 = rng.random((INPUT, HIDDEN), dtype=np.float32)
    W2 = rng.random((HIDDEN, OUTPUT), dtype=np.float32)
    policy = ThreadPolicy(threads, work=BATCH * INPUT * HIDDEN)
    chosen: Counter = Counter()
    train_time = 0.0
    for start in range(0, steps, 50):
        with policy.limit() as n:
            tic = time.perf_counter()
            for _ in range(min(50, steps - start)):
                h = x @ W1
                dy = h @ W2
                h.T @ dy
                dh = dy @ W2.T
                x.T @ dh
            train_time += time.perf_counter() - tic
        chosen[n] += min(50, steps - start)
    return {"train_time": train_time, "test_acc": None, "threads": chosen.most_common(1)[0][0]}


def cpu_time_per_step(preset: str, seed: int, rounds: int = 9) -> dict[str, float]:
    """CPU µs per step of nnlearn's Trainer and of PyTorch, one thread each, in this process.

    Interleaved rounds of steps, the fastest kept; ``time.thread_time`` counts only the
    time this thread ran, so other processes on the machine inflate it far less than
    the wall clock (they still share the caches). Keys ``nnlearn`` and ``torch``; for
    the fast preset also the floor of a NumPy step in the same rounds (:func:`_floor`):
    ``products`` and ``adam``.
    """
    import torch
    from threadpoolctl import threadpool_limits

    from nnlearn.training.runs import build_network, build_optimizer
    from nnlearn.training.trainer import Trainer

    torch.set_num_threads(1)
    run = _fast_run(FAST_STEPS, seed) if preset == "fast" else None
    (x, t), _ = _pixels()
    if run is None:
        from nnlearn.nn.optimizers import SGD
        from nnlearn.nn.two_layer_net import TwoLayerNet

        net = TwoLayerNet(INPUT, HIDDEN, OUTPUT, 0.01, activation="sigmoid", dtype=np.float32,
                          rng=seed)
        optimizer, sampling = SGD(LR), "replacement"
    else:
        net, optimizer = build_network(run, INPUT, OUTPUT), build_optimizer(run)
        sampling = "shuffle"
    trainer = Trainer(net, optimizer, x, t, iters=10**9, batch_size=BATCH, sampling=sampling,
                      eval_every=10**9, seed=seed, quiet=True, threads=1)
    (xf, tf), _ = _torch_data(torch)
    hidden = HIDDEN if run is None else run.hidden[0]
    model = torch.nn.Sequential(torch.nn.Linear(INPUT, hidden),
                                torch.nn.Sigmoid() if run is None else torch.nn.ReLU(),
                                torch.nn.Linear(hidden, OUTPUT))
    torch_optimizer = (torch.optim.SGD(model.parameters(), lr=LR) if run is None
                       else torch.optim.Adam(model.parameters(), lr=run.lr, eps=1e-7))
    loss_fn, batches = torch.nn.CrossEntropyLoss(), _batches(seed, len(x))
    steps = 300 if run is None else 100
    times: dict[str, list[float]] = {"nnlearn": [], "torch": []}
    with threadpool_limits(1, user_api="blas"):
        for _ in range(rounds):
            tic = time.thread_time()
            trainer._train_steps(trainer.step + steps)
            times["nnlearn"].append((time.thread_time() - tic) / steps)
            if run is not None:
                for part, seconds in _floor(trainer, steps).items():
                    times.setdefault(part, []).append(seconds)
            tic = time.thread_time()
            for _ in range(steps):
                idx = torch.from_numpy(next(batches))
                torch_optimizer.zero_grad(set_to_none=True)
                loss_fn(model(xf[idx]), tf[idx]).backward()
                torch_optimizer.step()
            times["torch"].append((time.thread_time() - tic) / steps)
    return {key: 1e6 * min(values) for key, values in times.items()}


def _floor(trainer, steps: int) -> dict[str, float]:
    """CPU seconds of the two parts of a fast step that no NumPy code can avoid.

    ``products``: the two products with ``W1`` over the columns that are not blank in
    the trainer's last batch, as :class:`~nnlearn.nn.input_affine.InputAffine` does
    them (``x[:, S] @ W[S]`` and ``x[:, S].T @ dout``), at this core's peak. ``adam``:
    Adam's update of ``W1`` alone, in NumPy, on copies of the trainer's weights and
    moments. Both repeat in a tight loop, so their data stay in the caches: a lower
    bound for the same work inside a step.
    """
    import copy

    layer = trainer.network.layers[0]
    W = trainer.network.params["W1"]
    if layer.columns is None:
        raise RuntimeError("the fast preset's first layer used every column")
    kept, rows = layer._kept, W[layer.columns]
    dout = np.random.default_rng(0).standard_normal((kept.shape[0], W.shape[1]), np.float32)
    tic = time.thread_time()
    for _ in range(steps):
        kept @ rows
        kept.T @ dout
    products = (time.thread_time() - tic) / steps
    optimizer, params = copy.deepcopy(trainer.optimizer), {"W1": W.copy()}
    grads = {"W1": layer.dW}
    tic = time.thread_time()
    for _ in range(steps):
        optimizer.update(params, grads)
    return {"products": products, "adam": (time.thread_time() - tic) / steps}


RUNNERS = {
    "nnlearn": run_nnlearn,
    "torch": run_torch,
    "torch-own": lambda steps, seed, threads: run_torch(steps, seed, None),
    "nnlearn-fast": run_nnlearn_fast,
    "torch-fast": run_torch_fast,
    "torch-fast-own": lambda steps, seed, threads: run_torch_fast(steps, seed, None),
    "book": run_book,
    "matmul": run_matmul,
}


# --------------------------------------------------------------------------- driver


def _child(variant: str, steps: int, seed: int, threads: str | None) -> None:
    """Run one variant in this process and print its result as one JSON line."""
    tic = time.perf_counter()
    result = RUNNERS[variant](steps, seed, threads)
    result["wall"] = time.perf_counter() - tic
    result.setdefault("steps", steps)
    print(json.dumps(result))


def _steps(variant: str, steps: int | None) -> int:
    if steps is not None:
        return steps
    return FAST_STEPS if "fast" in variant else BOOK_STEPS


def _spawn(variant: str, steps: int, seed: int, threads: str | None) -> dict | None:
    """Run a variant in a child process; return its result with its peak RSS in MB."""
    command = [sys.executable, __file__, "--child", variant, "--steps", str(steps),
               "--seed", str(seed)]
    if threads is not None:
        command += ["--threads", threads]
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


def _run_cli(preset: str, steps: int | None, seed: int, threads: str | None) -> dict | None:
    """``nnlearn train --preset`` under ``/usr/bin/time -v`` (peak RSS from its report)."""
    timer = shutil.which("time", path="/usr/bin")
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "nnlearn", "train", "--preset", preset, "--seed",
                   str(seed), "--out", out, "--quiet"]
        command += ["--iters", str(steps)] if steps is not None else []
        command += ["--threads", threads] if threads is not None else []
        tic = time.perf_counter()
        process = subprocess.run(([timer, "-v"] if timer else []) + command,
                                 capture_output=True, text=True)
        wall = time.perf_counter() - tic
        if process.returncode:
            print(f"cli-{preset}: failed\n{process.stderr}", file=sys.stderr)
            return None
        history = json.loads((Path(out) / "history.json").read_text())
    meta = history["metadata"]
    counts = meta.get("blas_threads", {})
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", process.stderr)
    return {"train_time": meta["train_time"], "test_acc": history["test_acc"][-1],
            "steps": meta["steps"], "wall": wall,
            "peak_mb": int(peak.group(1)) / 1024 if peak else float("nan"),
            "threads": int(max(counts, key=counts.get)) if counts else None}


def _torch_available() -> bool:
    """Whether PyTorch is installed, without importing it (children inherit the driver's RSS)."""
    return importlib.util.find_spec("torch") is not None


def _table(results: dict[str, dict]) -> str:
    rows = ["| variant | steps | µs/step | × PyTorch | BLAS threads | test accuracy | wall s "
            "| peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        us = 1e6 * r["train_time"] / r["steps"]
        reference = results.get("torch-fast" if "fast" in name else "torch")
        ratio = (f"{us / (1e6 * reference['train_time'] / reference['steps']):.2f}"
                 if reference else "–")
        acc = "–" if r.get("test_acc") is None else f"{r['test_acc']:.4f}"
        threads = r.get("threads") or "–"
        rows.append(f"| {name} | {r['steps']} | {us:.0f} | {ratio} | {threads} | {acc} | "
                    f"{r['wall']:.1f} | {r['peak_mb']:.0f} |")
    return "\n".join(rows)


def _us(results: dict, load: str, variant: str) -> float | None:
    r = results.get(load, {}).get(variant)
    return None if r is None else 1e6 * r["train_time"] / r["steps"]


def _targets(results: dict[str, dict[str, dict]]) -> str:
    """The goals, measured: ratios to PyTorch, busy over quiet, peak memory."""
    rows = ["| target | measured | met |", "|---|---|---|"]

    def add(what: str, value: float | None, limit: float, unit: str = "") -> None:
        if value is not None:
            rows.append(f"| {what} <= {limit:g}{unit} | {value:.2f}{unit} | "
                        f"{'yes' if value <= limit else 'no'} |")

    for preset, ours, theirs in (("book", "nnlearn", "torch"), ("fast", "nnlearn-fast",
                                                                "torch-fast")):
        for load in results:
            mine, reference = _us(results, load, ours), _us(results, load, theirs)
            if mine and reference:
                add(f"{preset}, {load}: nnlearn / PyTorch (same threads)", mine / reference,
                    TARGETS["ratio"])
        quiet, busy = _us(results, "quiet", ours), _us(results, "busy", ours)
        if quiet and busy:
            add(f"{preset}: nnlearn busy / quiet", busy / quiet, TARGETS["busy_over_quiet"])
    for load in results:
        r = results[load].get("cli-book")
        if r:
            add(f"`nnlearn train --preset book` peak RSS, {load}", r["peak_mb"],
                TARGETS["peak_mb"], " MB")
    return "\n".join(rows)


def _machine() -> str:
    from threadpoolctl import threadpool_info

    blas = [f"{lib['internal_api']} {lib['version']}" for lib in threadpool_info()
            if lib["user_api"] == "blas"]
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {np.__version__} ({', '.join(blas)})")


def _load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None,
                        help=f"training steps of every variant (default {BOOK_STEPS}, "
                             f"{FAST_STEPS} for the fast preset)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each variant and load; the fastest is kept (default 3)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, from {','.join(VARIANTS + EXTRA)}")
    parser.add_argument("--own", action="store_true",
                        help="add PyTorch with its own default threads (torch-own, "
                             "torch-fast-own)")
    parser.add_argument("--loads", default="quiet,busy",
                        help="quiet, busy (one other CPU-bound process), or both (default)")
    parser.add_argument("--threads", default=None, help="nnlearn's threads (default: auto)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="only CPU time per step of nnlearn and PyTorch, one thread each, "
                             "both presets (little disturbed by other processes)")
    parser.add_argument("--child", choices=list(RUNNERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.steps, args.seed, args.threads)
        return {}
    if args.cpu_time:
        print(f"machine: {_machine()}; load average before: {_load_average()}")
        print("| preset | nnlearn CPU µs/step | PyTorch CPU µs/step | ratio |")
        print("|---|---:|---:|---:|")
        floor = {}
        for preset in ("book", "fast"):
            times = cpu_time_per_step(preset, args.seed)
            ours, theirs = times["nnlearn"], times["torch"]
            print(f"| {preset} | {ours:.0f} | {theirs:.0f} | {ours / theirs:.2f} |", flush=True)
            if "products" in times:
                floor = {**times, "ratio": (times["products"] + times["adam"]) / theirs}
        print(f"\nfloor of a NumPy fast step, same rounds: the two products with W1 "
              f"{floor['products']:.0f} µs + Adam's update of W1 {floor['adam']:.0f} µs = "
              f"{floor['ratio']:.2f} of PyTorch's step (the target is 0.5 for the whole step)")
        print(f"load average after: {_load_average()}")
        return {}
    variants = [v for v in args.variants.split(",") if v]
    if args.own:
        variants += [v for v in EXTRA if v.replace("-own", "") in variants]
    loads = [v for v in args.loads.split(",") if v]
    unknown = set(variants) - set(VARIANTS + EXTRA)
    if unknown or not set(loads) <= {"quiet", "busy"}:
        parser.error(f"unknown variants {sorted(unknown)} or loads {loads}")
    if not _torch_available():
        print("PyTorch is not installed: skipping its rows (pip install -e '.[bench]')")
        variants = [v for v in variants if not v.startswith("torch")]
    print(f"machine: {_machine()}; load average before: {_load_average()}")
    results: dict[str, dict[str, dict]] = {load: {} for load in loads}
    for _ in range(args.repeat):
        for load in loads:
            spinner = (subprocess.Popen([sys.executable, "-c", SPINNER]) if load == "busy"
                       else None)
            chosen: dict[str, int] = {}  # nnlearn's threads in this block, for PyTorch's
            try:
                for variant in variants:
                    steps = _steps(variant, args.steps)
                    preset = "fast" if "fast" in variant else "book"
                    if variant.startswith("cli-"):
                        result = _run_cli(variant[4:], args.steps, args.seed, args.threads)
                    else:
                        same = chosen.get(preset) if variant.startswith("torch") else None
                        threads = args.threads if variant.startswith("nnlearn") else None
                        result = _spawn(variant, steps, args.seed,
                                        str(same) if same else threads)
                    if result is None:
                        continue
                    if variant.startswith("nnlearn") and result.get("threads"):
                        chosen[preset] = result["threads"]
                    best = results[load].get(variant)
                    if best is None or result["train_time"] < best["train_time"]:
                        results[load][variant] = result
                    print(f"{load} {variant}: {1e6 * result['train_time'] / result['steps']:.0f}"
                          f" µs/step, threads {result.get('threads')}", file=sys.stderr,
                          flush=True)
            finally:
                if spinner is not None:
                    spinner.terminate()
                    spinner.wait()
    for load in loads:
        print(f"\n{load}:\n{_table(results[load])}")
    print(f"\n{_targets(results)}\n\nload average after: {_load_average()}")
    return results


if __name__ == "__main__":
    main()
