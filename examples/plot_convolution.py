r"""
Convolution: filters and feature maps
=====================================

A convolutional layer slides small filters over an image: each output pixel
is :math:`\mathrm{relu}\big(\sum_{c,i,j} W[f, c, i, j]\, x[c, y+i, x+j] + b_f\big)`.
:func:`nnlearn.plots.plot_conv_filters` draws the filters :math:`W_1` of a
:class:`~nnlearn.SimpleConvNet` before and after training (the chapter's
Figure 7-24), :func:`nnlearn.plots.plot_feature_maps` what each of them
finds in one image.

합성곱 계층의 필터를 학습 전후로 보고, 각 필터가 이미지에서 찾아내는 특징 맵을 봅니다.
"""

import numpy as np

import nnlearn as nl
from nnlearn import plots

# %%
# Small images instead of MNIST: a horizontal, a vertical or a diagonal
# stroke somewhere in a 12×12 square, under noise; the label says which.
rng = np.random.default_rng(0)
n, side = 600, 12
labels = rng.integers(0, 3, n)
images = rng.normal(0.0, 0.3, (n, 1, side, side))
for image, label, k in zip(images[:, 0], labels, rng.integers(2, side - 2, n), strict=True):
    if label == 0:
        image[k, 1:-1] += 1.0  # horizontal
    elif label == 1:
        image[1:-1, k] += 1.0  # vertical
    else:
        image[np.arange(side), (np.arange(side) + k) % side] += 1.0  # diagonal

# %%
# The chapter's network at a smaller size: 8 filters of 5×5, 2×2 max
# pooling, 30 hidden units, 3 classes; Adam for 300 steps of 30 images
# (a few seconds).
net = nl.SimpleConvNet((1, side, side), {"filter_num": 8, "filter_size": 5},
                       hidden_size=30, output_size=3, weight_init_std=0.1, rng=0)
before = net.params["W1"].copy()
nl.Trainer(net, nl.Adam(0.01), images[:500], labels[:500], iters=300,
           batch_size=30, seed=0, quiet=True).run()
accuracy = np.mean(net.predict(images[500:]).argmax(axis=1) == labels[500:])
print(f"test accuracy {accuracy:.3f}")

# %%
# Each tile is one filter, from its smallest weight (white) to its largest
# (black). The random filters become stroke detectors: rows, columns and
# diagonals of dark weights.
filters = plots.plot_conv_filters(before, net)

# %%
# One diagonal stroke and the 8 feature maps of the trained filters: each map
# lights up where its filter's pattern is found.
maps = plots.plot_feature_maps(net, images[np.flatnonzero(labels == 2)[0]])
