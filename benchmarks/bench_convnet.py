"""One training step of the chapter-7 SimpleConvNet: nnlearn against PyTorch and the book's code.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist     # the four MNIST .gz files (else random images)
    $ python benchmarks/bench_convnet.py                 # steps, 30 interleaved repeats
    $ python benchmarks/bench_convnet.py --threads 1     # pin every library to one thread
    $ python benchmarks/bench_convnet.py --preset        # also train the convnet preset to 0.988

A step is the forward pass, the backward pass and an Adam update of
``SimpleConvNet(input_dim=(1, 28, 28), conv_param={"filter_num": 30,
"filter_size": 5, "pad": 0, "stride": 1}, hidden_size=100, output_size=10)``
on the same 100 MNIST training images, from the same initial weights:

- ``nnlearn``: :class:`nnlearn.SimpleConvNet` in float32 and :class:`nnlearn.Adam`;
- ``torch``: ``Conv2d(1, 30, 5) - ReLU - MaxPool2d(2, 2) - Linear(4320, 100) - ReLU -
  Linear(100, 10)``, cross-entropy and ``torch.optim.Adam`` in float32 on the CPU
  (skipped when PyTorch is missing: ``pip install -e ".[bench]"``);
- ``book``: a minimal copy of the book's ``common/layers.py`` and ``common/util.py``
  (im2col, col2im, Convolution, Pooling, Relu, Affine, SoftmaxWithLoss; MIT licence,
  oreilly-japan/deep-learning-from-scratch) and its Adam, as the book runs it:
  float32 images, float64 weights and im2col buffers.

The variants run interleaved, ``--repeat`` times each, and each row keeps its
fastest step: on a shared machine the minimum is the least disturbed figure.
``--threads N`` sets ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` before NumPy
loads and ``torch.set_num_threads(N)``; by default every library uses its own
default (both one thread per core). Before timing, the three variants' losses
and gradients at the initial weights are compared.

``--preset`` then trains the preset below (in a child process, for its own
peak memory) and reports its time, test accuracy and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import sys

#: The shortest schedule found to reach test accuracy >= 0.988 (for ``nnlearn train``).
CONVNET_PRESET = {
    "dataset": "mnist", "model": "convnet", "hidden": [100], "activation": "relu",
    "optimizer": "adam", "lr": 0.003, "lr_decay": 0.5, "batch_size": 100, "epochs": 3,
    "iters": None, "sampling": "shuffle", "eval_every": None,
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="interleaved repeats (30)")
    parser.add_argument("--threads", type=int, default=None, help="threads of every library")
    parser.add_argument("--preset", action="store_true", help="also train the preset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-preset", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


ARGS = _arguments()
if ARGS.threads is not None:  # before NumPy loads OpenBLAS
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

BATCH = 100


# --------------------------------------------------------------------------- the book's code
# A faithful minimal copy of common/util.py and common/layers.py (MIT licence).

def book_im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def book_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
    return img[:, :, pad:H + pad, pad:W + pad]


class BookRelu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class BookAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class BookSoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        x = x - np.max(x, axis=-1, keepdims=True)
        self.y = np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)
        batch_size = self.y.shape[0]
        return -np.sum(np.log(self.y[np.arange(batch_size), t] + 1e-7)) / batch_size

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size


class BookConvolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + int((H + 2 * self.pad - FH) / self.stride)
        out_w = 1 + int((W + 2 * self.pad - FW) / self.stride)
        col = book_im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_W
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        dcol = np.dot(dout, self.col_W.T)
        return book_col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class BookPooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = book_im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
        self.x, self.arg_max = x, arg_max
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return book_col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class BookSimpleConvNet:
    """The book's SimpleConvNet (ch07/simple_convnet.py), from given weights."""

    def __init__(self, params):
        self.params = params
        self.layers = [BookConvolution(params["W1"], params["b1"]), BookRelu(),
                       BookPooling(2, 2, stride=2), BookAffine(params["W2"], params["b2"]),
                       BookRelu(), BookAffine(params["W3"], params["b3"])]
        self.last_layer = BookSoftmaxWithLoss()

    def loss(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        return self.last_layer.forward(x, t)

    def gradient(self, x, t):
        loss = self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for i, k in ((1, 0), (2, 3), (3, 5)):
            grads[f"W{i}"], grads[f"b{i}"] = self.layers[k].dW, self.layers[k].db
        return loss, grads


class BookAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter = lr, beta1, beta2, 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params:
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


# --------------------------------------------------------------------------- the variants

def _data(seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    from nnlearn.data.datasets import load_mnist

    try:
        (x, t), _ = load_mnist(download=False)
        return x[:BATCH].reshape(BATCH, 1, 28, 28), t[:BATCH], "the first 100 MNIST images"
    except FileNotFoundError:
        rng = np.random.default_rng(seed)
        x = rng.random((BATCH, 1, 28, 28)).astype(np.float32)
        return x, rng.integers(0, 10, BATCH), "100 random images (MNIST not found)"


def _steppers(seed: int):
    """One step function per variant (name -> callable), and the losses/gradients of each."""
    from nnlearn import Adam, SimpleConvNet

    x, t, source = _data(seed)
    reference = SimpleConvNet(rng=seed)  # float64 weights, the book's initialisation
    weights = {name: p.copy() for name, p in reference.params.items()}

    net = SimpleConvNet(dtype=np.float32, rng=seed)
    adam = Adam(0.001)

    def nnlearn_step():
        _, grads = net.loss_and_gradient(x, t)
        adam.update(net.params, grads)

    book = BookSimpleConvNet({name: w.copy() for name, w in weights.items()})
    book_adam = BookAdam(0.001)

    def book_step():
        _, grads = book.gradient(x, t)
        book_adam.update(book.params, grads)

    steps = {"nnlearn": nnlearn_step, "book": book_step}
    first = {"nnlearn": net.loss_and_gradient(x, t), "book": book.gradient(x, t)}
    try:
        import torch
    except ImportError:
        return steps, first, source, None
    if ARGS.threads is not None:
        torch.set_num_threads(ARGS.threads)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 30, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(), torch.nn.Linear(4320, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 10))
    with torch.no_grad():
        for layer, i in ((model[0], 1), (model[4], 2), (model[6], 3)):
            w = weights[f"W{i}"]
            layer.weight.copy_(torch.from_numpy(w if i == 1 else w.T.copy()).float())
            layer.bias.copy_(torch.from_numpy(weights[f"b{i}"]).float())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    criterion = torch.nn.CrossEntropyLoss()
    tx, tt = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))

    def torch_step():
        optimizer.zero_grad()
        loss = criterion(model(tx), tt)
        loss.backward()
        optimizer.step()
        return loss

    loss = torch_step()
    first["torch"] = (loss.item(), {"W1": model[0].weight.grad.numpy().copy(),
                                    "W2": model[4].weight.grad.numpy().T.copy()})
    steps["torch"] = torch_step
    return steps, first, source, torch.__version__


def _compare(first: dict) -> list[str]:
    loss, grads = first["nnlearn"]
    lines = []
    for name, (other_loss, other) in first.items():
        if name == "nnlearn":
            continue
        errors = [float(np.abs(grads[k] - other[k]).max() / np.abs(other[k]).max())
                  for k in ("W1", "W2")]
        lines.append(f"  {name}: loss {other_loss:.6f} (nnlearn {loss:.6f}), max relative "
                     f"difference of dW1 {errors[0]:.1e}, of dW2 {errors[1]:.1e}")
    return lines


def time_steps(repeat: int, seed: int) -> None:
    steps, first, source, torch_version = _steppers(seed)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}; Python {platform.python_version()}, NumPy "
          f"{np.__version__}, PyTorch {torch_version or 'not installed'}; threads "
          f"{ARGS.threads or 'default'}")
    print(f"batch: {source}; at the same initial weights:")
    print("\n".join(_compare(first)))
    for step in steps.values():  # warm up: allocations, thread pools
        for _ in range(3):
            step()
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(repeat):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            best[name] = min(best[name], time.perf_counter() - start)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"\n| variant | ms/step (fastest of {repeat}) | × PyTorch | × nnlearn |")
    print("|---|---:|---:|---:|")
    torch_time = best.get("torch")
    for name, seconds in best.items():
        versus_torch = f"{seconds / torch_time:.2f}" if torch_time else "–"
        print(f"| {name} | {seconds * 1e3:.1f} | {versus_torch} | "
              f"{seconds / best['nnlearn']:.2f} |")


def train_preset(seed: int) -> None:
    """Train the preset with nnlearn's Trainer; print one JSON line (child process)."""
    from nnlearn import Adam, SimpleConvNet, Trainer
    from nnlearn.data.datasets import load_mnist

    start = time.perf_counter()
    (x, t), (x_test, t_test) = load_mnist(download=False)
    net = SimpleConvNet(dtype=np.float32, rng=seed)
    run = CONVNET_PRESET
    history = Trainer(net, Adam(run["lr"]), x, t, x_test, t_test, epochs=run["epochs"],
                      batch_size=run["batch_size"], lr_decay=run["lr_decay"],
                      sampling=run["sampling"], seed=seed, quiet=True).run()
    print(json.dumps({"seed": seed, "test_acc": history.test_acc,
                      "train_time": history.metadata["train_time"],
                      "wall_time": time.perf_counter() - start,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def time_preset(seed: int) -> None:
    command = [sys.executable, __file__, "--train-preset", str(seed)]
    if ARGS.threads is not None:
        command += ["--threads", str(ARGS.threads)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True,
                                       text=True).stdout)
    print(f"\npreset {CONVNET_PRESET}, seed {seed}: test accuracy by epoch "
          f"{', '.join(f'{a:.4f}' for a in result['test_acc'][1:])}; "
          f"{result['train_time']:.1f} s of training steps, {result['wall_time']:.1f} s wall "
          f"(with data loading and evaluations), peak RSS {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    if ARGS.train_preset is not None:
        train_preset(ARGS.train_preset)
    else:
        time_steps(ARGS.repeat, ARGS.seed)
        if ARGS.preset:
            time_preset(ARGS.seed)
