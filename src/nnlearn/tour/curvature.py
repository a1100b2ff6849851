"""``nnlearn tour --chapter curvature``: why lr = 10 explodes, told with computed numbers.

The chapter goes from the seed's two failures on :math:`x_0^2 + x_1^2` (lr = 10
explodes, lr = 1e-10 does not move) to the step-size limit
:math:`2 / \\lambda_{\\max}` of every quadratic, then to the Hessian of a
network (exact Hessian-vector products, its eigenvalues, trace and density),
and to what happens past the limit on a network: the loss spikes, the
sharpness drops, and gradient descent goes on at the edge of stability. Every
number is computed when the chapter runs, offline, on the spiral data.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from nnlearn._shared.i18n import check_lang, translator
from nnlearn.analysis import (
    NetworkLoss,
    SharpnessTracker,
    TrajectoryRecorder,
    hessian_trace,
    hvp_central_difference,
    loss_line,
    loss_surface,
    spectral_density,
    step_size_limit,
    top_eigenvalues,
    trajectory_directions,
)
from nnlearn.calculus.descent import DivergenceError, gradient_descent
from nnlearn.functions import function_2
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.tour.sections import Section

#: Learning rates of the edge-of-stability runs, as multiples of 2 / λ_max at initialisation.
MULTIPLES = (0.5, 2.0, 5.0, 10.0)
#: Steps of full-batch gradient descent in each of those runs.
STEPS = 1000
#: Points per axis of the loss surfaces.
GRID = 41

TEXT = {
    "limit_title": ("The step-size limit: why lr = 10 explodes",
                    "학습률의 한계: lr = 10이 발산하는 이유"),
    "limit_formula": ("x ← x − η∇f(x) = (I − ηH) x: each step multiplies x along an eigenvector "
                      "by 1 − ηλ", "x ← x − η∇f(x) = (I − ηH) x: 한 단계마다 고유벡터 방향으로 "
                      "x에 1 − ηλ가 곱해짐"),
    "eigen": ("Hessian eigenvalues of {name}: {values}, so 2/λ_max = {limit:.6g}",
              "{name}의 헤세 행렬 고윳값: {values}, 따라서 2/λ_max = {limit:.6g}"),
    "factor": ("lr = {lr:g}: factor 1 − {lam:g}·lr = {factor:.10g}{meaning}",
               "학습률 {lr:g}: 배율 1 − {lam:g}·lr = {factor:.10g}{meaning}"),
    "one_step": (" (the minimum in one step)", " (한 번에 최솟값)"),
    "zigzag": (" (jumps across the minimum)", " (최솟값을 넘나듦)"),
    "grows": (" (|factor| > 1: diverges)", " (|배율| > 1: 발산)"),
    "outcome": ("  gradient_descent(function_2, [-3, 4], lr={lr:g}, 100 steps) = {x}",
                "  gradient_descent(function_2, [-3, 4], lr={lr:g}, 100단계) = {x}"),
    "moved": ("  lr = 1e-10 moved x by {moved:.3g} of itself in 100 steps: 1 − (1 − 2e-10)^100",
              "  lr = 1e-10은 100단계 동안 x를 자신의 {moved:.3g}만큼만 움직임"),
    "bowl_title": ("An elongated bowl: x²/20 + y²", "길쭉한 그릇: x²/20 + y²"),
    "bowl_formula": ("the steep direction sets the limit, the flat one the speed",
                     "가파른 방향이 한계를 정하고, 평평한 방향이 속도를 정함"),
    "bowl_steps": ("at lr = 0.99 the flat direction shrinks by {factor:.4g} per step: {steps} "
                   "steps to shrink it a millionfold",
                   "학습률 0.99에서 평평한 방향은 단계마다 {factor:.4g}배: 백만분의 1로 줄이는 데 "
                   "{steps}단계"),
    "net_title": ("The Hessian of a network", "신경망의 헤세 행렬"),
    "net_formula": ("Hv = R{{∇L}}: exact Hessian-vector products (R-operator), about two "
                    "gradients each",
                    "Hv = R{{∇L}}: 정확한 헤세 행렬-벡터 곱 (R 연산자), 기울기 두 번 정도의 비용"),
    "net": ("{net}, {n} parameters, loss {loss:.6f} on {samples} spiral points",
            "{net}, 매개변수 {n}개, 나선 데이터 {samples}개에서 손실 {loss:.6f}"),
    "central": ("central difference of gradients vs exact HVP: relative error {error:.1e}",
                "기울기의 중앙 차분과 정확한 HVP의 상대 오차: {error:.1e}"),
    "top": ("largest eigenvalues (Lanczos, {count} HVPs): {values}",
            "가장 큰 고윳값 (란초스, HVP {count}번): {values}"),
    "bottom": ("most negative eigenvalue: {value:.6g}", "가장 작은(음의) 고윳값: {value:.6g}"),
    "trace": ("trace: exact {exact:.6g}; Hutch++ {estimate:.6g} ± {error:.2g} ({count} HVPs)",
              "대각합: 정확한 값 {exact:.6g}; Hutch++ {estimate:.6g} ± {error:.2g} "
              "(HVP {count}번)"),
    "sharp": ("sharpness λ_max = {lam:.6g}: a quadratic this sharp needs lr < {limit:.6g}",
              "날카로움 λ_max = {lam:.6g}: 이만큼 날카로운 2차 함수는 학습률 < {limit:.6g} 필요"),
    "edge_title": ("Past the limit: the edge of stability", "한계 너머: 안정성의 경계"),
    "edge_formula": ("full-batch gradient descent at lr = {multiples} × 2/λ_max(0), "
                     "2/λ_max(0) = {limit:.4g}",
                     "전체 배치 경사하강법, 학습률 = {multiples} × 2/λ_max(0), "
                     "2/λ_max(0) = {limit:.4g}"),
    "edge": ("lr = {lr:.4g}: loss {first:.3f} → {last:.3f} (highest {high:.3f}); λ_max {lam0:.3f}"
             " → {lam:.3f}, 2/lr = {limit:.3f}",
             "학습률 {lr:.4g}: 손실 {first:.3f} → {last:.3f} (최고 {high:.3f}); λ_max {lam0:.3f}"
             " → {lam:.3f}, 2/학습률 = {limit:.3f}"),
    "edge_meaning": ("no run diverges: above the limit the sharpness falls to about 2/lr and "
                     "stays there while the loss keeps falling",
                     "발산하는 경우는 없음: 한계를 넘으면 날카로움이 2/학습률 근처로 떨어져 "
                     "머물고, "
                     "손실은 계속 줄어듦"),
    "figures": ("Figures saved in {out}/:", "그림을 {out}/에 저장했습니다:"),
}


def _say(lang: str):
    return translator(TEXT, lang)


class _Experiments:
    """The spiral network and the runs the sections and figures share, each computed once."""

    def __init__(self, steps: int):
        from nnlearn.data.datasets import make_spiral

        self.steps = steps
        self.x, self.t = make_spiral(100, 3, 0.2, rng=0)

    def network(self) -> TwoLayerNet:
        return TwoLayerNet(2, 30, 3, weight_init_std=1.0, rng=0)

    @functools.cached_property
    def initial_sharpness(self) -> float:
        return float(top_eigenvalues(self.network(), self.x, self.t).values[0])

    @functools.cached_property
    def runs(self) -> list[tuple[float, SharpnessTracker, Any, TrajectoryRecorder]]:
        """(lr, tracker, trained net, recorder) of full-batch gradient descent per multiple."""
        from nnlearn.nn.optimizers import SGD
        from nnlearn.training import Trainer

        results = []
        for multiple in MULTIPLES:
            lr = multiple * 2.0 / self.initial_sharpness
            net, recorder = self.network(), TrajectoryRecorder()
            tracker = SharpnessTracker(self.x, self.t)
            Trainer(net, SGD(lr), self.x, self.t, iters=self.steps, batch_size=len(self.x),
                    eval_every=max(1, self.steps // 100), callbacks=[tracker, recorder],
                    quiet=True).run()
            results.append((lr, tracker, net, recorder))
        return results


def _quadratic_sections(text) -> list[Section]:
    limit = step_size_limit(function_2, [-3.0, 4.0])
    lines = [text("eigen", name="function_2", values=limit.eigenvalues.round(12),
                  limit=limit.limit)]
    for lr in (1e-10, 0.1, 0.5, 0.9, 1.01, 10.0):
        factor = float(limit.factors(lr)[-1])
        meaning = ("one_step" if abs(factor) < 1e-12 else "grows" if abs(factor) > 1
                   else "zigzag" if factor < 0 else None)
        lines.append(text("factor", lr=lr, lam=2, factor=round(factor, 12) + 0.0,
                          meaning=text(meaning) if meaning else ""))
    for lr in (10.0, 1e-10):
        try:
            x = gradient_descent(function_2, [-3.0, 4.0], lr=lr, step_num=100)
        except DivergenceError as error:
            x = f"DivergenceError: {error}"
        lines.append(text("outcome", lr=lr, x=x))
    lines.append(text("moved", moved=1 - (1 - 2e-10) ** 100))
    bowl = step_size_limit(lambda x: x[0] ** 2 / 20 + x[1] ** 2, [-3.0, 4.0])
    flat = float(bowl.factors(0.99)[0])
    return [
        Section(text("limit_title"), text("limit_formula"), tuple(lines)),
        Section(text("bowl_title"), text("bowl_formula"), (
            text("eigen", name="x²/20 + y²", values=bowl.eigenvalues.round(12),
                 limit=bowl.limit),
            text("bowl_steps", factor=flat, steps=int(np.ceil(np.log(1e-6) / np.log(flat)))),
        )),
    ]


def _network_section(text, experiments: _Experiments) -> Section:
    net, x, t = experiments.network(), experiments.x, experiments.t
    loss = NetworkLoss(net, x, t)
    v = loss.unflatten(np.random.default_rng(0).standard_normal(loss.size))
    exact, approx = loss.hvp(loss.flatten(v)), loss.flatten(hvp_central_difference(net, x, t, v))
    top = top_eigenvalues(loss, k=3)
    trace = hessian_trace(loss, n_hvp=150)
    return Section(text("net_title"), text("net_formula"), (
        text("net", net=repr(net), n=loss.size, loss=loss.loss, samples=len(x)),
        text("central", error=np.abs(approx - exact).max() / np.abs(exact).max()),
        text("top", count=top.n_hvp, values=", ".join(f"{v:.6g}" for v in top.values)),
        text("bottom", value=top_eigenvalues(loss, which="smallest").values[0]),
        text("trace", exact=hessian_trace(loss, method="exact").value, estimate=trace.value,
             error=trace.std_error, count=trace.n_hvp),
        text("sharp", lam=top.values[0], limit=2 / top.values[0]),
    ))


def _edge_section(text, experiments: _Experiments) -> Section:
    lines = [text("edge", lr=lr, first=tracker.losses[0], last=tracker.losses[-1],
                  high=max(tracker.losses), lam0=tracker.sharpness[0],
                  lam=tracker.sharpness[-1], limit=2 / lr)
             for lr, tracker, _, _ in experiments.runs]
    formula = text("edge_formula", multiples="/".join(f"{m:g}" for m in MULTIPLES),
                   limit=2 / experiments.initial_sharpness)
    return Section(text("edge_title"), formula, (*lines, text("edge_meaning")))


def sections(lang: str | None = None, *, steps: int | None = None) -> list[Section]:
    """The chapter's sections with their computed values (``steps`` per training run).

    Examples
    --------
    >>> first = sections("en", steps=10)[0]
    >>> first.lines[0]
    'Hessian eigenvalues of function_2: [2. 2.], so 2/λ_max = 1'
    >>> first.lines[6]
    'lr = 10: factor 1 − 2·lr = -19 (|factor| > 1: diverges)'
    """
    text = _say(check_lang(lang))
    return _sections(text, _Experiments(steps or STEPS))


def _sections(text, experiments: _Experiments) -> list[Section]:
    return [*_quadratic_sections(text), _network_section(text, experiments),
            _edge_section(text, experiments)]


def _figures(experiments: _Experiments, lang: str) -> dict[str, Any]:
    from nnlearn import plots

    x, t = experiments.x, experiments.t
    lr, _, trained, recorder = experiments.runs[1]
    trajectory = trajectory_directions(trained, recorder.params)
    reach = np.abs(trajectory.coords).max(axis=0) * 1.2
    surface = loss_surface(trained, x, t, num=GRID, directions=trajectory.directions,
                           span=((-reach[0], reach[0]), (-reach[1], reach[1])))
    return {
        "curvature_density.png": plots.plot_spectral_density(
            spectral_density(experiments.network(), x, t, n_vectors=8, steps=60), lang=lang),
        "curvature_sharpness.png": plots.plot_sharpness(
            [tracker for _, tracker, _, _ in experiments.runs], lang=lang),
        "landscape_path.png": plots.plot_loss_contour(surface, trajectory, lang=lang),
        "landscape_surface.png": plots.plot_loss_surface_3d(
            loss_surface(trained, x, t, num=GRID), lang=lang),
        "landscape_line.png": plots.plot_loss_line(
            loss_line(trained, x, t, experiments.network().params, trained.params,
                      span=(-0.25, 1.25)), lang=lang),
    }


def run(
    out: str | Path | None = "nnlearn-tour", lang: str | None = None, *,
    file: TextIO | None = None, steps: int | None = None,
) -> list[Path]:
    """Print the chapter and save its figures in ``out`` (None: print only); return the files."""
    lang = check_lang(lang)
    file = sys.stdout if file is None else file
    text = _say(lang)
    experiments = _Experiments(steps or STEPS)
    for number, section in enumerate(_sections(text, experiments), start=1):
        print(section.format(number), end="\n\n", file=file)
    if out is None:
        return []
    from nnlearn import plots

    print(text("figures", out=out), file=file)
    written = []
    for name, figure in _figures(experiments, lang).items():
        written.append(plots.save(figure, Path(out) / name))
        print(f"   {written[-1]}", file=file)
    return written
