r"""
Gradient descent: the learning rate decides
===========================================

:func:`nnlearn.plots.plot_descent_paths` runs ``gradient_descent`` from one
starting point with several learning rates :math:`\eta` and draws each path
:math:`x \leftarrow x - \eta \nabla f(x)` over the contour lines of
:math:`f`. Too small a rate is slow; too large a one oscillates across the
minimum or runs away from it.

학습률이 너무 작으면 느리게 수렴하고, 너무 크면 진동하거나 발산합니다.
"""

import numpy as np

import nnlearn as nl
from nnlearn import plots

# %%
# On :math:`f(x_0, x_1) = x_0^2 + x_1^2` a step multiplies :math:`x` by
# :math:`1 - 2\eta`: below :math:`\eta = 0.5` the path goes straight in, between
# 0.5 and 1 it jumps across the minimum and back, above 1 it diverges.
paths = plots.plot_descent_paths(nl.function_2, (-3.0, 4.0), lrs=(0.01, 0.1, 0.9, 1.01))


# %%
# On a long, narrow valley the same rate is too large in the steep direction
# and too small in the flat one: the path zigzags, the reason for momentum and
# Adam (``nl.Momentum``, ``nl.Adam``).
def valley(x):
    return x[0] ** 2 / 20.0 + x[1] ** 2


valley_paths = plots.plot_descent_paths(valley, (-7.0, 2.0), lrs=(0.1, 0.9),
                                        step_num=30)
print(nl.gradient_descent(valley, np.array([-7.0, 2.0]), lr=0.9, step_num=30))
