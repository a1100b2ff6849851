r"""
Loss landscapes: lines, planes and a training path
==================================================

A network's loss is a function of thousands of weights; it can be drawn only
along a line or over a plane through them.
:func:`nnlearn.plots.plot_loss_line` draws :math:`L\big((1-\alpha)\,\theta_0
+ \alpha\,\theta_1\big)` from the initial to the trained weights;
:func:`nnlearn.plots.plot_loss_surface_3d` and
:func:`nnlearn.plots.plot_loss_contour` draw
:math:`L(\theta + \alpha d_1 + \beta d_2)` over a plane, either along two
random filter-normalised directions (Li et al., 2018) or along the two
principal directions of a training path, with the path on it.

손실 함수를 직선과 평면 위에서 보고, 학습 경로를 등고선 위에 그립니다.
"""

import numpy as np

import nnlearn as nl
from nnlearn import plots
from nnlearn.analysis import TrajectoryRecorder, loss_line, loss_surface, trajectory_directions

# %%
# A 2 → 30 → 3 network trained on the spiral by full-batch gradient descent
# for 300 steps; :class:`~nnlearn.analysis.TrajectoryRecorder` keeps its
# weights every 10 steps.
x, t = nl.make_spiral(100, 3, noise=0.2, rng=0)
initial = nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, rng=0)
net = nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, rng=0)
recorder = TrajectoryRecorder()
nl.Trainer(net, nl.SGD(1.5), x, t, iters=300, batch_size=len(x), eval_every=10,
           callbacks=[recorder], quiet=True).run()
print(f"loss {initial.loss(x, t):.3f} -> {net.loss(x, t):.3f}")

# %%
# Along the straight line from the initial weights (:math:`\alpha = 0`) to
# the trained ones (:math:`\alpha = 1`), and a quarter beyond each end: the
# loss falls all the way, with no barrier in between.
line = plots.plot_loss_line(loss_line(net, x, t, initial.params, net.params,
                                      span=(-0.25, 1.25)))

# %%
# Around the trained weights, along two random directions scaled filter by
# filter to the size of the weights they move: a tilted bowl.
random_plane = loss_surface(net, x, t, num=31, span=1.0)
surface = plots.plot_loss_surface_3d(random_plane)

# %%
# On the plane of the training path's two principal directions (the share
# of the path each explains is in the axis labels), the path from its start
# to the star, the trained weights.
trajectory = trajectory_directions(net, recorder.params)
reach = np.abs(trajectory.coords).max(axis=0) * 1.2
path_plane = loss_surface(net, x, t, num=31, directions=trajectory.directions,
                          span=((-reach[0], reach[0]), (-reach[1], reach[1])))
contour = plots.plot_loss_contour(path_plane, trajectory)
