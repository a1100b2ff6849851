r"""
Derivatives: tangents, a surface and its gradient field
=======================================================

The chapter's two functions, drawn by :mod:`nnlearn.plots.calculus`.
``function_1``, :math:`f(x) = 0.01x^2 + 0.1x`, with its tangent lines: their
slopes are the central difference ``numerical_diff``. ``function_2``,
:math:`f(x_0, x_1) = x_0^2 + x_1^2`, as a surface, and as the field of arrows
:math:`-\nabla f` (from ``numerical_gradient``) that point downhill.

수치 미분으로 구한 접선의 기울기와, 기울기 벡터장이 가리키는 내려가는 방향을 봅니다.
"""

import numpy as np

import nnlearn as nl
from nnlearn import plots

# %%
# The slope of ``function_1`` at :math:`x = 5` by the central difference
# :math:`(f(x + h) - f(x - h)) / 2h` with :math:`h = 10^{-4}` (exact: 0.2),
# and the tangent lines at 5 and 10.
print(nl.numerical_diff(nl.function_1, 5.0))
tangents = plots.plot_function_and_tangent(nl.function_1, [5.0, 10.0])

# %%
# The surface of ``function_2``: a bowl whose lowest point is :math:`(0, 0)`.
surface = plots.plot_surface(nl.function_2)

# %%
# Its gradient :math:`\nabla f = (2x_0, 2x_1)`, computed numerically at each
# grid point: the arrows :math:`-\nabla f` all point to the minimum, longer
# where the bowl is steeper.
print(nl.numerical_gradient(nl.function_2, np.array([3.0, 4.0])))
field = plots.plot_gradient_field(nl.function_2)
