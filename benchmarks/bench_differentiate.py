"""Accuracy, evaluations and time of numerical derivatives: nnlearn against the alternatives.

Usage::

    $ python benchmarks/bench_differentiate.py            # the full suite (a few minutes)
    $ python benchmarks/bench_differentiate.py --quick    # a smoke run (seconds)

Compares ``nnlearn.derivative`` / ``gradient`` / ``hessian`` (methods auto,
richardson, central, complex) with the seed's h = 1e-4 central difference,
numdifftools and scipy.differentiate (the last two from the ``bench`` extra:
``pip install -e ".[bench]"``; rows for a missing package are left out) on the
functions of ``suite_differentiate.py``. Prints Markdown tables: median and
max relative error, failures (an exception, a non-finite value or a relative
error above 1e-6), evaluations of ``f`` per point, and time per call (the best
of three timed batches).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite_differentiate as suite  # noqa: E402

import nnlearn  # noqa: E402

#: A relative error above this (or an exception, or a non-finite value) is a failure.
FAILURE = 1e-6
SEED_STEP = 1e-4


def optional(name: str):
    """The module ``name``, or None if it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


class Counter:
    """Wraps ``f`` and counts evaluations: array elements (elementwise) or calls."""

    def __init__(self, f: Callable, elementwise: bool):
        self.f, self.elementwise, self.count = f, elementwise, 0

    def __call__(self, x):
        self.count += np.size(x) if self.elementwise else 1
        return self.f(x)


def time_per_call(call: Callable[[], object], budget: float) -> float:
    """Seconds per call: the best of three batches sized to take ``budget`` seconds in all."""
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(budget / 3 / once))
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(number):
            call()
        best = min(best, (time.perf_counter() - start) / number)
    return best


# --- the methods --------------------------------------------------------------------------


def scalar_methods(n: int) -> dict[str, Callable]:
    """name -> derivative(f, x) for each available method (f elementwise)."""
    methods = {
        "nnlearn auto (default)": lambda f, x: nnlearn.derivative(f, x, n),
        "nnlearn richardson": lambda f, x: nnlearn.derivative(f, x, n, method="richardson"),
        "nnlearn central": lambda f, x: nnlearn.derivative(f, x, n, method="central"),
        "nnlearn complex": lambda f, x: nnlearn.derivative(f, x, n, method="complex"),
    }
    if n == 1:
        methods["seed numerical_diff (h=1e-4)"] = nnlearn.numerical_diff
    else:
        methods["seed-style central (h=1e-4)"] = lambda f, x: (
            f(x + SEED_STEP) - 2 * f(x) + f(x - SEED_STEP)
        ) / SEED_STEP**2
    nd = optional("numdifftools")
    if nd is not None:
        methods["numdifftools Derivative"] = lambda f, x: nd.Derivative(f, n=n)(x)
    sd = optional("scipy.differentiate")
    if sd is not None:
        if n == 1:
            methods["scipy.differentiate.derivative"] = lambda f, x: sd.derivative(f, x).df
        else:
            methods["scipy.differentiate.hessian (1-D)"] = lambda f, x: sd.hessian(
                lambda z: f(z[0]), np.array([x])
            ).ddf[0, 0]
    return methods


def _columns(f: Callable, shape: tuple[int, ...]) -> Callable:
    """``f`` of one point, made vectorised over trailing axes as scipy.differentiate expects."""

    def vectorised(z):
        flat = z.reshape(z.shape[0], -1)
        out = [f(flat[:, j].reshape(shape)) for j in range(flat.shape[1])]
        return np.asarray(out).reshape(z.shape[1:])

    return vectorised


def gradient_methods() -> dict[str, Callable]:
    """name -> gradient(f, x) for each available method (f of one point)."""
    methods = {
        "nnlearn auto (default)": nnlearn.gradient,
        "nnlearn richardson": lambda f, x: nnlearn.gradient(f, x, method="richardson"),
        "nnlearn central": lambda f, x: nnlearn.gradient(f, x, method="central"),
        "nnlearn complex": lambda f, x: nnlearn.gradient(f, x, method="complex"),
        "seed numerical_gradient (h=1e-4)": lambda f, x: nnlearn.numerical_gradient(f, x.copy()),
    }
    nd = optional("numdifftools")
    if nd is not None:
        methods["numdifftools Gradient"] = lambda f, x: nd.Gradient(
            lambda w: f(w.reshape(x.shape))
        )(x.ravel()).reshape(x.shape)
    sd = optional("scipy.differentiate")
    if sd is not None:
        methods["scipy.differentiate.jacobian"] = lambda f, x: sd.jacobian(
            _columns(f, x.shape), x.ravel()
        ).df.reshape(x.shape)
    return methods


def hessian_methods() -> dict[str, Callable]:
    """name -> hessian(f, x) for each available method (f of one point)."""
    methods = {"nnlearn hessian": nnlearn.hessian}
    nd = optional("numdifftools")
    if nd is not None:
        methods["numdifftools Hessian"] = lambda f, x: nd.Hessian(f)(x)
    sd = optional("scipy.differentiate")
    if sd is not None:
        methods["scipy.differentiate.hessian"] = lambda f, x: sd.hessian(
            _columns(f, x.shape), x
        ).ddf
    return methods


# --- running ------------------------------------------------------------------------------


def measure(method: Callable, f: Callable, x, exact, elementwise: bool, budget: float):
    """(relative error or nan on failure, evaluations, seconds per call) of one case."""
    counter = Counter(f, elementwise)
    try:
        with np.errstate(all="ignore"):
            value = method(counter, x)
            evaluations = counter.count
            seconds = time_per_call(lambda: method(f, x), budget) if budget > 0 else np.nan
    except Exception:  # any exception is a failure of that method on that case
        return np.nan, np.nan, np.nan
    value = np.asarray(value, dtype=np.float64)
    if value.shape != np.shape(exact) or not np.all(np.isfinite(value)):
        return np.nan, evaluations, seconds
    return suite.relative_error(value, exact), evaluations, seconds


def run(methods: dict[str, Callable], cases, elementwise: bool, budget: float) -> dict:
    """method name -> list of (error, evaluations per point, seconds) over ``cases``.

    ``cases`` yields (f, x, exact, number of points).
    """
    results = {name: [] for name in methods}
    for f, x, exact, points in cases:
        for name, method in methods.items():
            error, evaluations, seconds = measure(method, f, x, exact, elementwise, budget)
            results[name].append((error, evaluations / points, seconds))
    return results


def table(results: dict, reference: str | None, title: str) -> str:
    """A Markdown table of one result set; times relative to ``reference`` if given."""
    head = "| method | median rel. error | max rel. error | failures | evals/point (mean, max) |"
    head += " time/call (median) |"
    if reference:
        head += f" time / time of {reference} (median, max) |"
    lines = [f"**{title}**", "", head, "|" + "---|" * (head.count("|") - 1)]
    ref = np.array([r[2] for r in results[reference]]) if reference in results else None
    for name, rows in results.items():
        errors = np.array([r[0] for r in rows], dtype=float)
        evals = np.array([r[1] for r in rows], dtype=float)
        seconds = np.array([r[2] for r in rows], dtype=float)
        failed = ~(errors <= FAILURE)
        ok = errors[~failed]
        median = f"{np.median(ok):.1e}" if ok.size else "-"
        worst = f"{np.max(ok):.1e}" if ok.size else "-"
        counted = evals[np.isfinite(evals)]
        line = (
            f"| {name} | {median} | {worst} | {int(failed.sum())}/{len(rows)} "
            f"| {np.mean(counted):.1f}, {np.max(counted):.1f} | {_seconds(_median(seconds))} |"
        )
        if ref is not None:
            ratio = seconds / ref
            line += f" {_median(ratio):.3f} (max {np.nanmax(ratio):.2f}) |"
        lines.append(line)
    return "\n".join(lines)


def _median(values: np.ndarray) -> float:
    """Median of the finite values (nan if none)."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else np.nan


def _seconds(value: float) -> str:
    if not np.isfinite(value):
        return "-"
    return f"{value * 1e6:.0f} µs" if value < 1e-2 else f"{value * 1e3:.1f} ms"


def coverage(cases, n: int) -> str:
    """How often the error estimate of nnlearn's auto method bounds the true error."""
    bounded = []
    for f, x, exact, _ in cases:
        result = nnlearn.derivative(f, x, n, full_output=True)
        bounded.append(abs(result.value - exact) <= result.error)
    return f"error estimate >= true error on {np.mean(bounded):.0%} of {len(bounded)} points"


def scalar_cases(n: int, quick: bool):
    pairs = suite.scalar_points()
    if quick:
        pairs = pairs[:: max(1, len(pairs) // 4)]
    return [(case.f, x, (case.d1 if n == 1 else case.d2)(x), 1) for case, x in pairs]


def vector_cases(quick: bool, hessians: bool, name: str | None = None):
    """(f, x, exact, points) of the multivariate suite (only the case ``name`` if given)."""
    cases = []
    for case in suite.vector_cases():
        if (hessians and case.hess is None) or name not in (None, case.name):
            continue
        if quick and case.points[0].size > 10:
            continue
        for x in case.points[:1] if quick else case.points:
            exact = case.hess(x) if hessians else case.grad(x)
            cases.append((case.f, x, exact, 1 if hessians else x.size))
    return cases


#: Points near a domain boundary, badly scaled or fast varying: shown one by one.
HARD_POINTS = (
    ("log", 0.1), ("sqrt", 0.01), ("x*log(x)", 0.5), ("arcsin", 0.99), ("x^2", 1e6),
    ("x^2", 1e-6), ("1/x", 1e-6), ("exp(100x)", 0.01), ("sin(50x)", 0.7), ("cos", 0.0),
)


def hard_points_table(methods: dict[str, Callable]) -> str:
    """Relative error of f' at each of HARD_POINTS, one column per method."""
    names = list(methods)
    head = "| f at x | " + " | ".join(names) + " |"
    lines = ["**f′ at the hard points** (relative error; absolute where f′ = 0)", "", head,
             "|" + "---|" * (len(names) + 1)]
    for case, x in suite.scalar_points():
        if (case.name, x) not in HARD_POINTS:
            continue
        cells = []
        for name in names:
            error, _, _ = measure(methods[name], case.f, x, case.d1(x), True, 0.0)
            cells.append("fail" if not error <= FAILURE else f"{error:.0e}")
        lines.append(f"| {case.name} at {x:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    import numpy

    versions = [f"Python {platform.python_version()}", f"NumPy {numpy.__version__}"]
    for name in ("scipy", "numdifftools"):
        module = optional(name)
        if module is not None:
            versions.append(f"{name} {module.__version__}")
    return f"{platform.machine()}, {platform.processor() or platform.system()}; " + ", ".join(
        versions
    )


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few cases, short timings")
    args = parser.parse_args(argv)
    budget = 0.0 if args.quick else 0.05
    reference = "numdifftools Derivative" if optional("numdifftools") else None
    parts = [machine(), ""]
    for n in (1, 2):
        cases = scalar_cases(n, args.quick)
        results = run(scalar_methods(n), cases, elementwise=True, budget=budget)
        title = f"f{'′' if n == 1 else '″'} of {len(cases)} (function, point) pairs"
        parts += [table(results, reference if budget else None, title), "",
                  f"nnlearn auto: {coverage(cases, n)}", ""]
        if n == 1:
            parts += [hard_points_table(scalar_methods(1)), ""]
    cases = vector_cases(args.quick, hessians=False)
    results = run(gradient_methods(), cases, elementwise=False, budget=budget)
    reference = "numdifftools Gradient" if optional("numdifftools") and budget else None
    parts += [table(results, reference, f"Gradients at {len(cases)} points"), ""]
    reference = "numdifftools Hessian" if optional("numdifftools") and budget else None
    for case in suite.vector_cases():
        cases = vector_cases(args.quick, hessians=True, name=case.name)
        if cases:
            results = run(hessian_methods(), cases, elementwise=False, budget=budget)
            title = f"Hessians of {case.name} at {len(cases)} points (evals per Hessian)"
            parts += ["", table(results, reference, title)]
    report = "\n".join(parts)
    print(report)
    return report


if __name__ == "__main__":
    main()
