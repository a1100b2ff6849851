"""Tests of nnlearn.training: confusion matrix, Trainer, history and checkpoints."""

import numpy as np
import pytest

from nnlearn.training import confusion_matrix


class TestConfusionMatrix:
    def test_counts_rows_true_columns_predicted(self):
        cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
        np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
        assert cm.dtype == np.int64

    def test_one_hot_and_scores_give_labels_and_width(self):
        t = np.eye(4)[[0, 1]]
        y = np.array([[0.9, 0.1, 0, 0], [0.2, 0.1, 0.7, 0]])
        np.testing.assert_array_equal(
            confusion_matrix(t, y), [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
        )

    def test_n_classes_pads_and_sum_is_sample_count(self):
        rng = np.random.default_rng(0)
        t, y = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
        cm = confusion_matrix(t, y, n_classes=7)
        assert cm.shape == (7, 7) and cm.sum() == 200
        assert np.trace(cm) == np.sum(t == y)

    def test_empty_input(self):
        np.testing.assert_array_equal(confusion_matrix([], [], n_classes=2), np.zeros((2, 2)))

    @pytest.mark.parametrize(
        ("t", "y", "kwargs", "match"),
        [
            ([0, 1], [0], {}, "as many samples"),
            ([0, 3], [0, 1], {"n_classes": 3}, "labels must be < n_classes=3"),
            ([0.5, 1], [0, 1], {}, "t must hold integer class labels"),
            ([0, -1], [0, 1], {}, "t must hold labels >= 0"),
            ([[[0]]], [0], {}, "t must be labels of shape"),
        ],
    )
    def test_errors(self, t, y, kwargs, match):
        with pytest.raises(ValueError, match=match):
            confusion_matrix(t, y, **kwargs)
