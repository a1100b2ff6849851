r"""
Curvature: the Hessian's spectrum and the edge of stability
===========================================================

On a quadratic, gradient descent multiplies the distance to the minimum along
an eigenvector of the Hessian :math:`H` by :math:`1 - \eta\lambda` at each
step, so it converges only when :math:`\eta < 2/\lambda_{\max}`.
:mod:`nnlearn.analysis` computes exact Hessian-vector products of a network's
loss and, on them, the eigenvalues of :math:`H`.
:func:`nnlearn.plots.plot_spectral_density` draws their density (stochastic
Lanczos quadrature), :func:`nnlearn.plots.plot_sharpness` the sharpness
:math:`\lambda_{\max}` during training against :math:`2/\eta`.

헤세 행렬의 고윳값 분포와, 학습 중 날카로움(λ_max)이 2/학습률 근처에 머무는 모습을 봅니다.
"""

import numpy as np

import nnlearn as nl
from nnlearn import plots
from nnlearn.analysis import SharpnessTracker, dense_hessian, spectral_density

# %%
# The spectrum of a network's Hessian
# -----------------------------------
# A 2 → 30 → 3 sigmoid network at its initial weights, on 300 spiral points:
# 183 parameters, so the dense Hessian (183 exact Hessian-vector products)
# gives every eigenvalue to compare with. Most eigenvalues are near 0, some
# negative (the loss is not convex); one stands apart, and it sets the
# step-size limit.
x, t = nl.make_spiral(100, 3, noise=0.2, rng=0)
net = nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, rng=0)
top = nl.top_eigenvalues(net, x, t, k=1)
print(f"lambda_max = {top.values[0]:.6f}, 2 / lambda_max = {2 / top.values[0]:.4f}")
exact = np.linalg.eigvalsh(dense_hessian(net, x, t))
density = spectral_density(net, x, t, n_vectors=8, steps=60)
spectrum = plots.plot_spectral_density(density, exact=exact)


# %%
# The edge of stability
# ---------------------
# Full-batch gradient descent at half the limit and at 5 times the limit,
# 300 steps each, measuring :math:`\lambda_{\max}` every 10 steps
# (:class:`~nnlearn.analysis.SharpnessTracker`, a ``Trainer`` callback).
# Below the limit the sharpness rises until it meets :math:`2/\eta`, then
# hovers there; far above it, the sharpness falls within a few steps to about
# :math:`2/\eta` and stays near it while the loss keeps falling. Neither run
# diverges: training moves to weights where the step is just stable (the
# edge of stability).
def track(lr: float) -> SharpnessTracker:
    tracker = SharpnessTracker(x, t)
    nl.Trainer(nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, rng=0), nl.SGD(lr), x, t,
               iters=300, batch_size=len(x), eval_every=10, callbacks=[tracker],
               quiet=True).run()
    return tracker


limit = 2 / top.values[0]
runs = [track(0.5 * limit), track(5 * limit)]
for run in runs:
    print(f"lr = {run.lrs[0]:.3f}: sharpness {run.sharpness[0]:.3f} -> "
          f"{run.sharpness[-1]:.3f}, 2/lr = {run.limits[0]:.3f}")
sharpness = plots.plot_sharpness(runs)
