r"""
The experiments of chapter 6: optimizers and initial weights
============================================================

:mod:`nnlearn.experiments` reruns the chapter's experiments over seeds, keeps
their data in a run folder (settings and a tidy table), and
:func:`nnlearn.plots.plot_experiment` draws every figure of an experiment
from that data, by name. Two of them need no MNIST: the paths of six
optimizers on :math:`f(x, y) = x^2/20 + y^2` and the histograms of
activations through five layers for several initial weight scales.

6장의 실험을 다시 실행하고, 저장된 결과에서 그림을 그립니다: 최적화 기법의 경로와
가중치 초깃값에 따른 활성화값 분포.
"""

import tempfile

from nnlearn import plots
from nnlearn.experiments import load_experiment, run_experiment

# %%
# Six optimizers from :math:`(-7, 2)`, 30 steps each, at the book's learning
# rates: SGD zigzags across the narrow valley, momentum overshoots and swings
# back, AdaGrad and RMSprop shrink the steep direction's steps first.
paths = run_experiment("optimizer-paths", progress=False)
print("\n".join(paths.summary))
optimizer_figures = plots.plot_experiment(paths)
optimizers = optimizer_figures["paths"]

# %%
# Activations and gradients of a 5-layer network of 100 units on random
# input, for sigmoid, tanh and ReLU with weights of standard deviation 1,
# 0.01, Xavier's :math:`1/\sqrt{n}` and He's :math:`\sqrt{2/n}`. The
# ``quick`` version uses 300 samples instead of 1000. This time the run is
# written to a folder and drawn from what :func:`~nnlearn.experiments.load_experiment`
# reads back, as ``nnlearn plot experiment FOLDER`` does; rerunning into the
# same folder would compute only the missing cells.
with tempfile.TemporaryDirectory() as folder:
    run_experiment("init-histograms", folder, quick=True, progress=False)
    saved = load_experiment(folder)
print(f"{len(saved.table.rows)} rows of {saved.table.columns}")
histogram_figures = plots.plot_experiment(saved)

# %%
# With weights of standard deviation 1 the sigmoid's activations pile up at 0
# and 1 (its gradient vanishes there); with 0.01 they all sit at 0.5 (every
# unit computes the same); Xavier's scale keeps them spread in every layer.
activations = histogram_figures["activations"]

# %%
# The gradients :math:`\partial L/\partial z` flowing back from a standard
# normal gradient at the top: with ReLU, He's scale keeps their size from
# layer to layer, where smaller weights shrink them and larger ones blow them
# up on the way down.
gradients = histogram_figures["gradients"]
