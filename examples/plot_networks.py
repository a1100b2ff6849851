r"""
Inside a trained network: decision regions, weights and mistakes
================================================================

What a trained network has learned, drawn by :mod:`nnlearn.plots.networks`:
the regions of the plane it gives to each class
(:func:`~nnlearn.plots.plot_decision_boundary`), the weights of its first layer
as images (:func:`~nnlearn.plots.plot_first_layer_weights`) and the samples
it gets wrong (:func:`~nnlearn.plots.plot_misclassified`).

학습된 신경망의 결정 영역, 첫 번째 층의 가중치, 잘못 분류한 샘플을 봅니다.
"""

import numpy as np

import nnlearn as nl
from nnlearn import plots
from nnlearn.training.evaluation import predict_labels

# %%
# Decision regions
# ----------------
# A 2 → 30 → 3 network trained on the spiral: each point of the plane is
# coloured by :math:`\operatorname{argmax}` of the network's scores there.
x, t = nl.make_spiral(100, 3, noise=0.2, rng=0)
spiral_net = nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, activation="relu",
                            rng=0)
nl.Trainer(spiral_net, nl.Adam(0.03), x, t, iters=1000, batch_size=30,
           seed=0, quiet=True).run()
regions = plots.plot_decision_boundary(spiral_net, x, t)

# %%
# First-layer weights
# -------------------
# Small images of bars: a horizontal bar (class 0) or a vertical bar (class 1)
# somewhere in an 8×8 square, under noise. Each hidden unit's weights
# :math:`W_1[:, j]` are one 8×8 tile: they show which pixels the unit looks
# at. (With MNIST, ``nl.load_mnist()`` and ``TwoLayerNet(784, 50, 10)`` give
# the 28×28 tiles of the book's network.)
rng = np.random.default_rng(0)
n, side = 400, 8
labels = rng.integers(0, 2, n)
images = rng.normal(0.0, 0.4, (n, side, side))
lines = rng.integers(0, side, n)
for image, label, line in zip(images, labels, lines, strict=True):
    if label == 0:
        image[line, :] += 1.0  # a horizontal bar
    else:
        image[:, line] += 1.0  # a vertical bar
images = images.reshape(n, side * side)

bars_net = nl.TwoLayerNet(side * side, 16, 2, weight_init_std=0.1, rng=0)
nl.Trainer(bars_net, nl.Adam(0.01), images[:300], labels[:300],
           iters=600, batch_size=30, seed=0, quiet=True).run()
weights = plots.plot_first_layer_weights(bars_net)

# %%
# Misclassified samples
# ---------------------
# The held-out images the network gets wrong, titled with the true label
# ``t`` and the prediction ``y``: mostly bars drowned in noise.
predicted = predict_labels(bars_net, images[300:])
print(f"test accuracy {np.mean(predicted == labels[300:]):.3f}")
mistakes = plots.plot_misclassified(images[300:], labels[300:], predicted)
