"""What the experiment figures share: their labels in English and Korean, bands, smoothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The book's names of the optimizers.
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
                   "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}

#: Every label of the experiment figures: key -> (English, Korean).
LABELS = {
    "path_title": ("{name} (lr {lr:g})", "{name} (학습률 {lr:g})"),
    "path_end": ("f = {f:.3g} after {steps} steps", "{steps}단계 후 f = {f:.3g}"),
    "paths_suptitle": ("Optimizers on f(x, y) = x²/20 + y² from (−7, 2)",
                       "f(x, y) = x²/20 + y²에서의 최적화 기법, 시작점 (−7, 2)"),
    "with_test": ("{name} (test {acc:.3f})", "{name} (시험 {acc:.3f})"),
    "iterations": ("iterations", "반복 횟수"),
    "epochs": ("epochs", "에폭"),
    "loss": ("training loss (smoothed)", "훈련 손실 (평활화)"),
    "optimizers_loss": ("Training loss, 784-100×4-10 ReLU on MNIST",
                        "훈련 손실, MNIST에서 784-100×4-10 ReLU"),
    "test_accuracy": ("test accuracy", "시험 정확도"),
    "final_test": ("Test accuracy at the end", "마지막 시험 정확도"),
    "init_title": ("{activation}: initial weight scale", "{activation}: 가중치 초깃값"),
    "accuracy": ("accuracy", "정확도"),
    "final_accuracy": ("final accuracy", "최종 정확도"),
    "train_acc": ("train", "훈련 데이터"),
    "test_acc": ("test", "시험 데이터"),
    "test_subset": ("test ({n:,} images; the last point: all {total:,})",
                    "시험 데이터 ({n:,}개; 마지막 점: {total:,}개 전체)"),
    "val_acc": ("validation", "검증 데이터"),
    "without": ("{metric}, no regularisation", "{metric}, 정규화 없음"),
    "none": ("no regularisation", "정규화 없음"),
    "weight_decay": ("weight decay λ = {value}", "가중치 감소 λ = {value}"),
    "dropout": ("dropout {value}", "드롭아웃 {value}"),
    "overfit_title": ("{name}: gap {gap:.3f}", "{name}: 차이 {gap:.3f}"),
    "weight_decay_axis": ("weight decay λ", "가중치 감소 λ"),
    "dropout_axis": ("dropout ratio", "드롭아웃 비율"),
    "sweep_title": ("Final accuracy against {name}", "{name}에 따른 최종 정확도"),
    "layer": ("layer {layer}", "{layer}층"),
    "zeros": ("zeros {share:.0%}", "0의 비율 {share:.0%}"),
    "activations_title": ("Activations of 5 layers (z ≠ 0; exact zeros counted apart)",
                          "5개 층의 활성화값 (z ≠ 0, 정확히 0인 값은 따로 셈)"),
    "gradients_title": ("Gradients dL/dz of 5 layers (a standard normal gradient at the top)",
                        "5개 층의 기울기 dL/dz (맨 위에 표준정규분포 기울기)"),
    "batchnorm": ("batch norm", "배치 정규화"),
    "plain": ("without batch norm", "배치 정규화 없음"),
    "scale_title": ("w = {scale:.3g}", "w = {scale:.3g}"),
    "diverged": ("diverged", "발산"),
    "bn_grid_title": ("Training accuracy with and without batch norm, by initial weight scale",
                      "가중치 초깃값에 따른 배치 정규화 유무별 훈련 정확도"),
    "bn_summary_title": ("Final accuracy against the initial weight scale",
                         "가중치 초깃값에 따른 최종 정확도"),
    "weight_scale": ("initial weight scale w", "가중치 초깃값 w"),
    "best_title": ("Best-{rank}: validation {acc:.3f}\nlr {lr:.2g}, λ {decay:.2g}",
                   "Best-{rank}: 검증 {acc:.3f}\n학습률 {lr:.2g}, λ {decay:.2g}"),
    "best_suptitle": ("The best trials (validation solid, training dashed)",
                      "가장 좋은 시도들 (검증: 실선, 훈련: 점선)"),
    "search_title": ("Random search: validation accuracy (test of the best: {test:.3f})",
                     "무작위 탐색: 검증 정확도 (최고 설정의 시험 정확도: {test:.3f})"),
    "lr": ("learning rate", "학습률"),
    "stage": ("stage {stage}", "{stage}단계"),
    "best": ("the best", "최고"),
}


def smooth(values: np.ndarray, window: int = 11) -> np.ndarray:
    """Each row's moving average over ``window`` steps (the book smooths over 11), same length.

    >>> smooth(np.array([[0.0, 0, 3, 0, 0]]), window=3).tolist()
    [[0.0, 1.0, 1.0, 1.0, 0.0]]
    """
    if values.shape[-1] < window:
        return values
    kernel = np.ones(window) / window
    half = window // 2
    padded = np.pad(values, ((0, 0), (half, half)), mode="edge")
    return np.array([np.convolve(row, kernel, mode="valid") for row in padded])


def band(ax: Axes, x: np.ndarray, values: np.ndarray, color: str, label: str,
         marker: str | None = None) -> None:
    """The mean over seeds (rows of ``values``) as a line, and min–max as a band if several."""
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(values, axis=0)
    every = max(1, len(x) // 10)
    ax.plot(x, mean, color=color, label=label, marker=marker, markevery=every, markersize=4,
            linewidth=1.5)
    if values.shape[0] > 1:
        ax.fill_between(x, np.nanmin(values, axis=0), np.nanmax(values, axis=0), color=color,
                        alpha=0.2, linewidth=0)
