r"""
Training a network: learning curves and the confusion matrix
============================================================

A two-layer network learns the spiral data, three classes that no straight
line separates, by mini-batch gradient descent with backpropagation.
:func:`nnlearn.plots.plot_learning_curves` draws the loss at every step and
the accuracy at every evaluation from the trainer's ``History``;
:func:`nnlearn.plots.plot_confusion_matrix` counts, for each true label, the
labels the network predicts; :func:`nnlearn.plots.plot_runs` compares runs.

나선 데이터로 2층 신경망을 학습시키고, 손실과 정확도의 변화, 혼동 행렬을 봅니다.
"""

import nnlearn as nl
from nnlearn import plots
from nnlearn.training.evaluation import predict_labels

# %%
# 300 points for training and 300 others for testing; a network
# 2 → 30 (ReLU) → 3 trained by Adam for 1000 steps of 30 samples (about a second).
x_train, t_train = nl.make_spiral(100, 3, noise=0.2, rng=0)
x_test, t_test = nl.make_spiral(100, 3, noise=0.2, rng=1)
net = nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, activation="relu", rng=0)
trainer = nl.Trainer(net, nl.Adam(0.03), x_train, t_train, x_test, t_test,
                     iters=1000, batch_size=30, eval_every=100, seed=0,
                     quiet=True)
history = trainer.run()
print(f"test accuracy {history.test_acc[-1]:.3f}")

# %%
# The loss of each mini-batch is noisy; its moving average falls steadily.
# Train and test accuracy stay close: the network does not overfit.
curves = plots.plot_learning_curves(history)

# %%
# The diagonal counts the right answers; the few mistakes are between
# neighbouring arms of the spiral.
confusion = plots.plot_confusion_matrix(t_test, predict_labels(net, x_test))

# %%
# Several runs side by side
# -------------------------
# :func:`nnlearn.plots.plot_runs` overlays the curves of several runs, here
# the same network trained by SGD, Momentum and Adam (``nnlearn plot curves
# RUN RUN ...`` draws it from saved runs). Plain SGD at this rate is still
# near 0.93 after 1000 steps, where Momentum and Adam pass 0.98 within 300.
histories = {}
for name, optimizer in (("SGD", nl.SGD(0.1)), ("Momentum", nl.Momentum(0.1))):
    other = nl.TwoLayerNet(2, 30, 3, weight_init_std=1.0, activation="relu", rng=0)
    histories[name] = nl.Trainer(other, optimizer, x_train, t_train, x_test, t_test,
                                 iters=1000, batch_size=30, eval_every=100, seed=0,
                                 quiet=True).run()
histories["Adam"] = history
compared = plots.plot_runs(histories)
