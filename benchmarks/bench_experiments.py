"""The chapter-6 experiments at the book's settings against the book's nine ch06 scripts.

Usage::

    $ export NNLEARN_DATA_DIR=/path/to/mnist
    $ python benchmarks/bench_experiments.py                  # everything, one seed, then three
    $ python benchmarks/bench_experiments.py --parts batchnorm,init --seeds 1
    $ python benchmarks/bench_experiments.py --quick          # smoke run (seconds)

For each experiment, first the reference, then nnlearn (interleaved, in the
same session):

- ``book``: the loops of the book's ``ch06/*.py`` scripts, rewritten here
  in plain float64 NumPy with the book's layer arithmetic (softmax then
  cross-entropy with δ = 1e-7, the book's batch norm and dropout, its
  optimizers and its ``Trainer`` loop, including the extra loss forward pass
  per step and the evaluations it does), one BLAS thread, no plotting;
- ``nnlearn``: :func:`nnlearn.experiments.run_experiment` at the book's
  settings (the experiment's defaults), ``--seeds`` seeds, ``--jobs`` worker
  processes (default: every core), no figures.

The book's nine scripts map onto the seven experiments: the two overfitting
scripts onto ``overfitting``, the batch-norm test and gradient check onto
``batchnorm``. The experiments' defaults are the book's runs (RMSprop and
Nesterov, sigmoid and tanh, the overfitting sweeps are options); they still
do a little more than the scripts (gradient histograms, a test accuracy at
the end of each run, the gradient check on 10 images instead of 1, the third
overfitting setting without regularisation, the best search setting trained
once more): the comparison is of the whole lesson, as a learner reruns it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

PARTS = ("optimizer-paths", "optimizers", "init-histograms", "init", "batchnorm",
         "overfitting", "hparams")


# --- the book's arithmetic, float64 -------------------------------------------------------

def _softmax_loss(score, t):
    score = score - score.max(axis=1, keepdims=True)
    y = np.exp(score)
    y /= y.sum(axis=1, keepdims=True)
    n = len(t)
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n, y


class BookNet:
    """The book's MultiLayerNet(Extend): Affine [BatchNorm] ReLU [Dropout] ..., softmax."""

    def __init__(self, sizes, std, rng, *, weight_decay=0.0, dropout=0.0, batchnorm=False,
                 activation="relu"):
        self.p, self.decay, self.drop, self.bn, self.rng = {}, weight_decay, dropout, batchnorm, rng
        self.act, self.n = activation, len(sizes) - 1
        for i in range(1, len(sizes)):
            scale = {"he": np.sqrt(2.0 / sizes[i - 1]),
                     "xavier": np.sqrt(1.0 / sizes[i - 1])}.get(std, std)
            self.p[f"W{i}"] = scale * rng.standard_normal((sizes[i - 1], sizes[i]))
            self.p[f"b{i}"] = np.zeros(sizes[i])
            if batchnorm and i < self.n:
                self.p[f"gamma{i}"], self.p[f"beta{i}"] = np.ones(sizes[i]), np.zeros(sizes[i])
                setattr(self, f"rm{i}", np.zeros(sizes[i]))
                setattr(self, f"rv{i}", np.zeros(sizes[i]))

    def forward(self, x, train):
        self.cache = []
        for i in range(1, self.n + 1):
            a = x @ self.p[f"W{i}"] + self.p[f"b{i}"]
            entry = {"x": x}
            if i == self.n:
                self.cache.append(entry)
                return a
            if self.bn:
                if train:
                    mu = a.mean(axis=0)
                    xc = a - mu
                    var = np.mean(xc**2, axis=0)
                    std = np.sqrt(var + 10e-7)
                    setattr(self, f"rm{i}", 0.9 * getattr(self, f"rm{i}") + 0.1 * mu)
                    setattr(self, f"rv{i}", 0.9 * getattr(self, f"rv{i}") + 0.1 * var)
                else:
                    xc = a - getattr(self, f"rm{i}")
                    std = np.sqrt(getattr(self, f"rv{i}") + 10e-7)
                xn = xc / std
                entry.update(xc=xc, xn=xn, std=std)
                a = self.p[f"gamma{i}"] * xn + self.p[f"beta{i}"]
            if self.act == "relu":
                entry["mask"] = a <= 0
                z = a.copy()
                z[entry["mask"]] = 0
            else:
                z = 1 / (1 + np.exp(-a)) if self.act == "sigmoid" else np.tanh(a)
                entry["z"] = z
            if self.drop:
                entry["drop"] = (self.rng.random(z.shape) > self.drop) if train else None
                z = z * entry["drop"] if train else z * (1.0 - self.drop)
            self.cache.append(entry)
            x = z

    def loss(self, x, t, train=False):
        loss, self.y = _softmax_loss(self.forward(x, train), t)
        return loss + sum(0.5 * self.decay * np.sum(self.p[f"W{i}"] ** 2)
                          for i in range(1, self.n + 1))

    def gradient(self, x, t):
        self.loss(x, t, train=True)
        dout = self.y.copy()
        dout[np.arange(len(t)), t] -= 1
        dout /= len(t)
        grads = {}
        for i in range(self.n, 0, -1):
            entry = self.cache[i - 1]
            if i < self.n:
                if self.drop:
                    dout = dout * entry["drop"]
                if self.act == "relu":
                    dout[entry["mask"]] = 0
                elif self.act == "sigmoid":
                    dout = dout * (1.0 - entry["z"]) * entry["z"]
                else:
                    dout = dout * (1.0 - entry["z"] ** 2)
                if self.bn:
                    grads[f"beta{i}"] = dout.sum(axis=0)
                    grads[f"gamma{i}"] = np.sum(entry["xn"] * dout, axis=0)
                    dxn = self.p[f"gamma{i}"] * dout
                    dxc = dxn / entry["std"]
                    dstd = -np.sum(dxn * entry["xc"] / entry["std"] ** 2, axis=0)
                    dvar = 0.5 * dstd / entry["std"]
                    dxc += (2.0 / len(t)) * entry["xc"] * dvar
                    dout = dxc - np.sum(dxc, axis=0) / len(t)
            grads[f"W{i}"] = entry["x"].T @ dout + self.decay * self.p[f"W{i}"]
            grads[f"b{i}"] = dout.sum(axis=0)
            dout = dout @ self.p[f"W{i}"].T
        return grads

    def accuracy(self, x, t):
        return float(np.mean(self.forward(x, False).argmax(axis=1) == t))

    def numerical_gradient(self, x, t):
        grads = {}
        for name, param in self.p.items():
            grad = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                keep = param[idx]
                param[idx] = keep + 1e-4
                high = self.loss(x, t, train=True)
                param[idx] = keep - 1e-4
                low = self.loss(x, t, train=True)
                grad[idx] = (high - low) / 2e-4
                param[idx] = keep
            grads[name] = grad
        return grads


class BookOptimizer:
    def __init__(self, name, lr):
        self.name, self.lr, self.s, self.k = name, lr, {}, 0

    def update(self, params, grads):
        self.k += 1
        lr_t = self.lr * np.sqrt(1.0 - 0.999**self.k) / (1.0 - 0.9**self.k)
        for key, g in grads.items():
            p = params[key]
            if self.name == "sgd":
                p -= self.lr * g
            elif self.name == "momentum":
                self.s[key] = 0.9 * self.s.get(key, 0) - self.lr * g
                p += self.s[key]
            elif self.name == "adagrad":
                self.s[key] = self.s.get(key, 0) + g * g
                p -= self.lr * g / (np.sqrt(self.s[key]) + 1e-7)
            else:  # adam
                m, v = self.s.get(key, (0, 0))
                m, v = m + (1 - 0.9) * (g - m), v + (1 - 0.999) * (g**2 - v)
                self.s[key] = (m, v)
                p -= lr_t * m / (np.sqrt(v) + 1e-7)


def _compare_loop(data, nets, optimizers, iters, rng, batch=128):
    (x, t), _ = data
    for _ in range(iters):
        mask = rng.choice(len(x), batch)
        for net, opt in zip(nets, optimizers, strict=True):
            opt.update(net.p, net.gradient(x[mask], t[mask]))
            net.loss(x[mask], t[mask])


def _trainer_loop(net, opt, train, test, epochs, rng, batch=100, eval_each_epoch=True):
    (x, t), (x_test, t_test) = train, test
    per_epoch = max(len(x) / batch, 1)
    for i in range(int(epochs * per_epoch)):
        mask = rng.choice(len(x), batch)
        opt.update(net.p, net.gradient(x[mask], t[mask]))
        net.loss(x[mask], t[mask])
        if eval_each_epoch and i % per_epoch == 0:
            net.accuracy(x, t)
            net.accuracy(x_test, t_test)


def book(part, data, quick):
    rng = np.random.default_rng(0)
    (x, t), (x_test, t_test) = data
    scale = 10 if quick else 1
    if part == "optimizer-paths":
        for name, lr in (("sgd", 0.95), ("momentum", 0.1), ("adagrad", 1.5), ("adam", 0.3)):
            p, opt = {"x": np.array(-7.0), "y": np.array(2.0)}, BookOptimizer(name, lr)
            for _ in range(30):
                opt.update(p, {"x": p["x"] / 10.0, "y": 2.0 * p["y"]})
    elif part == "optimizers":
        names = {"sgd": 0.01, "momentum": 0.01, "adagrad": 0.01, "adam": 0.001}
        nets = [BookNet([784, 100, 100, 100, 100, 10], "he", rng) for _ in names]
        _compare_loop(data, nets, [BookOptimizer(n, lr) for n, lr in names.items()],
                      2000 // scale, rng)
    elif part == "init-histograms":
        for std in (1.0, 0.01, np.sqrt(1 / 100), np.sqrt(2 / 100)):
            for act in (lambda a: 1 / (1 + np.exp(-a)), np.tanh, lambda a: np.maximum(0, a)):
                z = rng.standard_normal((1000, 100))
                for _ in range(5):
                    z = act(z @ (rng.standard_normal((100, 100)) * std))
                    np.histogram(z.ravel(), 30, range=(0, 1))
    elif part == "init":
        nets = [BookNet([784, 100, 100, 100, 100, 10], s, rng) for s in (0.01, "xavier", "he")]
        _compare_loop(data, nets, [BookOptimizer("sgd", 0.01) for _ in nets], 2000 // scale, rng)
    elif part == "batchnorm":
        xs, ts = x[:1000], t[:1000]
        for w in np.logspace(0, -4, num=16)[: 2 if quick else 16]:
            bn = BookNet([784] + [100] * 5 + [10], w, rng, batchnorm=True)
            plain = BookNet([784] + [100] * 5 + [10], w, rng)
            opt = BookOptimizer("sgd", 0.01)
            for i in range(200 // scale):
                mask = rng.choice(1000, 100)
                for net in (bn, plain):
                    opt.update(net.p, net.gradient(xs[mask], ts[mask]))
                if i % 10 == 0:
                    plain.accuracy(xs, ts)
                    bn.accuracy(xs, ts)
        net = BookNet([784, 100, 100, 10], "he", rng, batchnorm=True)
        if not quick:
            net.numerical_gradient(x[:1], t[:1])
        net.gradient(x[:1], t[:1])
    elif part == "overfitting":
        train, test = (x[:300], t[:300]), (x_test, t_test)
        for epochs, kwargs in ((201, {"weight_decay": 0.1}), (301, {"dropout": 0.2})):
            net = BookNet([784] + [100] * 6 + [10], "he", rng, **kwargs)
            _trainer_loop(net, BookOptimizer("sgd", 0.01), train, test, epochs // scale, rng)
    elif part == "hparams":
        order = rng.permutation(500)
        xs, ts = x[:500][order], t[:500][order]
        train, val = (xs[100:], ts[100:]), (xs[:100], ts[:100])
        for _ in range(100 // scale):
            decay, lr = 10 ** rng.uniform(-8, -4), 10 ** rng.uniform(-6, -2)
            net = BookNet([784] + [100] * 6 + [10], "he", rng, weight_decay=decay)
            _trainer_loop(net, BookOptimizer("sgd", lr), train, val, 50, rng)


def ours(part, seeds, jobs, quick):
    from nnlearn.experiments import run_experiment

    return run_experiment(part, seeds=seeds, jobs=jobs, quick=quick, progress=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--seeds", default="1,3", help="seed counts for nnlearn (default 1,3)")
    parser.add_argument("--jobs", type=int, default=-1)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    from nnlearn.data.datasets import load_mnist

    data = load_mnist(dtype=np.float64)
    parts = args.parts.split(",")
    seed_counts = [int(s) for s in args.seeds.split(",")]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, NumPy {np.__version__}; load average at "
          f"start {os.getloadavg()[0]:.1f}")
    print(f"command: {' '.join([os.path.basename(sys.argv[0]), *sys.argv[1:]])}")
    print("| experiment | book's scripts (s) | " +
          " | ".join(f"nnlearn, {n} seed{'s' * (n > 1)} (s) | ratio" for n in seed_counts) + " |")
    print("|---|---|" + "---|---|" * len(seed_counts))
    totals = np.zeros(1 + len(seed_counts))
    for part in parts:
        tic = time.perf_counter()
        with threadpool_limits(1), np.errstate(all="ignore"):  # weight scale 1 overflows
            book(part, data, args.quick)
        times = [time.perf_counter() - tic]
        for n in seed_counts:
            tic = time.perf_counter()
            ours(part, n, args.jobs, args.quick)
            times.append(time.perf_counter() - tic)
        totals += times
        cells = " | ".join(f"{t:.1f} | {t / times[0]:.2f}" for t in times[1:])
        print(f"| {part} | {times[0]:.1f} | {cells} |", flush=True)
    cells = " | ".join(f"**{t:.1f}** | **{t / totals[0]:.2f}**" for t in totals[1:])
    print(f"| all | **{totals[0]:.1f}** | {cells} |")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
