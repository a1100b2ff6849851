"""Training runs: the mini-batch loop, its history, evaluation, checkpoints and run settings.

- :mod:`~nnlearn.training.trainer`: ``Trainer``, the loop;
- :mod:`~nnlearn.training.history`: ``History``, what happened, as JSON or CSV;
- :mod:`~nnlearn.training.evaluation`: accuracy and ``confusion_matrix``;
- :mod:`~nnlearn.training.checkpoints`: ``.npz`` files without pickle;
- :mod:`~nnlearn.training.runs`: presets, the network a run describes, resuming.
"""

from nnlearn.training.evaluation import confusion_matrix
from nnlearn.training.history import History
from nnlearn.training.trainer import Trainer

__all__ = ["History", "Trainer", "confusion_matrix"]
