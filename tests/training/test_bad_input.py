"""Bad input to evaluation and histories: clear errors before any work or allocation."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlearn import History, TwoLayerNet, confusion_matrix
from nnlearn.training import evaluation
from nnlearn.training.evaluation import evaluate_accuracy, predict_labels


def test_a_huge_label_is_refused_before_allocating(monkeypatch):
    with pytest.raises(ValueError, match=re.escape(
        "a confusion matrix of 1,000,001 classes would take 7,450.6 GiB (at most 1 GiB): the "
        "largest label is 1,000,000; labels must be class indices 0 .. n_classes - 1"
    )):
        confusion_matrix([0, 10**6], [0, 1])
    with pytest.raises(ValueError, match="a confusion matrix of 20,000 classes would take 3.0 GiB"):
        confusion_matrix([0], [1], n_classes=20_000)
    monkeypatch.setattr(evaluation, "MAX_CONFUSION_BYTES", 8 * 10 * 10)
    assert confusion_matrix([0, 9], [0, 1]).shape == (10, 10)  # at the cap
    with pytest.raises(ValueError, match="a confusion matrix of 11 classes"):
        confusion_matrix([0, 10], [0, 1])


def test_evaluation_refuses_nan_unless_told_the_data_were_checked():
    net = TwoLayerNet(4, 5, 3, rng=0)
    x = np.ones((5, 4))
    x[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"x must be finite.*the first at \[1, 1\]"):
        evaluate_accuracy(net, x, [0, 1, 2, 0, 1], batch_size=2)  # row 3 is row 1 of batch 2
    good = np.random.default_rng(0).random((5, 4))
    np.testing.assert_array_equal(predict_labels(net, good, check_finite=False),
                                  predict_labels(net, good))


def valid_history(n_steps, evals, test):
    steps = sorted(set(evals))
    return History(
        loss=[1.0 / (i + 1) for i in range(n_steps)], eval_steps=steps,
        train_acc=[0.5] * len(steps), test_acc=[0.25] * len(steps) if test else [],
    )


@settings(max_examples=150)
@given(
    n_steps=st.integers(0, 8),
    evals=st.lists(st.integers(0, 8), max_size=5),
    test=st.booleans(),
    cut=st.sampled_from(["train_acc", "test_acc", "eval_steps", "none"]),
    extra=st.integers(1, 3),
)
def test_to_csv_on_lists_that_do_not_fit(tmp_path_factory, n_steps, evals, test, cut, extra):
    history = valid_history(n_steps, [s for s in evals if s <= n_steps], test)
    if cut != "none":
        getattr(history, cut).extend([0.5] * extra if cut != "eval_steps" else [n_steps] * extra)
    path = tmp_path_factory.mktemp("csv") / "history.csv"
    lengths_fit = len(history.train_acc) == len(history.eval_steps) and len(
        history.test_acc
    ) in (0, len(history.eval_steps))
    if not lengths_fit:
        with pytest.raises(ValueError, match="history must hold one accuracy per evaluation"):
            history.to_csv(path)
    elif cut == "eval_steps":
        with pytest.raises(ValueError, match="history eval_steps must be increasing whole"):
            history.to_csv(path)
    else:
        history.to_csv(path)
        rows = path.read_text().splitlines()
        assert len(rows) == n_steps + 2
        assert sum(row.split(",")[2] != "" for row in rows[1:]) == len(history.eval_steps)


def test_from_dict_checks_the_lists_too():
    with pytest.raises(ValueError, match=re.escape(
        "history eval_steps must be increasing whole numbers from 0 to the 2 steps of loss, "
        "got [0, 5]"
    )):
        History.from_dict({"loss": [1.0, 0.5], "eval_steps": [0, 5], "train_acc": [0.1, 0.2]})
