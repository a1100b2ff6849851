"""``nnlearn tour --chapter 6``: the chapter's experiments in their quick versions.

Each experiment runs its quick version (seconds) into ``out/<name>/`` (its
tidy CSV, settings and figures), and the tour prints what it shows. The MNIST
experiments need the MNIST files at hand (``NNLEARN_DATA_DIR`` or the cache;
the tour never downloads); without them the tour says so and runs the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from nnlearn._shared.i18n import check_lang, translator

#: Every sentence of the chapter-6 tour: key -> (English, Korean).
TEXT = {
    "optimizer-paths": ("Optimizers on f(x, y) = x²/20 + y²", "f(x, y) = x²/20 + y²에서의 최적화"),
    "optimizer-paths_lesson": (
        "SGD zigzags across the steep y direction; Momentum rolls like a ball; AdaGrad and "
        "RMSprop shrink the step where the gradient was large; Adam does both.",
        "SGD는 가파른 y 방향으로 지그재그, 모멘텀은 공처럼 구르고, AdaGrad와 RMSprop은 "
        "기울기가 컸던 방향의 보폭을 줄이며, Adam은 둘 다 한다."),
    "optimizers": ("Optimizers on MNIST", "MNIST에서의 최적화 기법 비교"),
    "optimizers_lesson": ("Momentum, AdaGrad and Adam bring the loss down faster than SGD.",
                          "모멘텀, AdaGrad, Adam이 SGD보다 손실을 빨리 줄인다."),
    "init-histograms": ("Activation histograms and initial weights",
                        "가중치 초깃값과 활성화값 분포"),
    "init-histograms_lesson": (
        "std 1 saturates sigmoid and tanh, std 0.01 makes every layer alike (and the gradient "
        "vanish); Xavier suits sigmoid and tanh, He suits ReLU.",
        "표준편차 1은 sigmoid와 tanh를 포화시키고, 0.01은 모든 층을 비슷하게 만든다 (기울기 소실). "
        "sigmoid와 tanh에는 Xavier, ReLU에는 He 초깃값."),
    "init": ("Initial weights on MNIST", "MNIST에서의 가중치 초깃값 비교"),
    "init_lesson": ("With ReLU, std 0.01 leaves the loss at log 10 ≈ 2.30: He learns.",
                    "ReLU에서 표준편차 0.01은 손실이 log 10 ≈ 2.30에 머문다. He는 학습한다."),
    "batchnorm": ("Batch normalisation", "배치 정규화"),
    "batchnorm_lesson": ("Batch norm learns even from the smallest weight scales.",
                         "배치 정규화는 아주 작은 가중치 초깃값에서도 학습한다."),
    "overfitting": ("Overfitting, weight decay and dropout", "오버피팅, 가중치 감소, 드롭아웃"),
    "overfitting_lesson": ("300 images are memorised; weight decay and dropout narrow the gap "
                           "between training and test accuracy.",
                           "300장은 외워진다. 가중치 감소와 드롭아웃이 훈련과 시험 정확도의 차이를 "
                           "줄인다."),
    "hparams": ("Hyperparameter search", "하이퍼파라미터 탐색"),
    "hparams_lesson": ("Random search on a validation split, then a narrower search; the test "
                       "set is used once, for the best setting.",
                       "검증 데이터로 무작위 탐색, 이어서 좁힌 탐색. 시험 데이터는 최고 설정에 "
                       "한 번만 쓴다."),
    "quick": ("(quick versions: `nnlearn experiment NAME` runs the book's settings)",
              "(빠른 버전: 책의 설정은 `nnlearn experiment NAME`)"),
    "saved": ("data and figures in {out}/", "데이터와 그림: {out}/"),
    "no_mnist": ("MNIST is not on this machine, so these were skipped: {names}. Set "
                 "NNLEARN_DATA_DIR to a folder with the MNIST .gz files.",
                 "MNIST가 없어 건너뜀: {names}. NNLEARN_DATA_DIR를 MNIST .gz 파일이 있는 "
                 "폴더로 지정하세요."),
}


def run(out: str | Path | None = "nnlearn-tour", lang: str | None = None, *,
        file: TextIO | None = None, jobs: int = 1) -> list[Path]:
    """Run the quick experiments, print what each shows, save their data and figures.

    With ``out`` None, the data go to a temporary folder and no figure is saved.
    Returns the figures written.
    """
    import tempfile

    from nnlearn.experiments import EXPERIMENTS, run_experiment

    lang = check_lang(lang)
    file = sys.stdout if file is None else file
    text = translator(TEXT, lang)
    print(text("quick"), end="\n\n", file=file)
    written: list[Path] = []
    skipped = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) if out is None else Path(out)
        for number, name in enumerate(EXPERIMENTS, start=1):
            try:
                result = run_experiment(name, base / name, quick=True, jobs=jobs,
                                        progress=False, download=False)
            except FileNotFoundError:  # MNIST not at hand
                skipped.append(name)
                continue
            lines = [text(f"{name}_lesson"), *result.summary]
            if out is not None:
                from nnlearn.plots import save_experiment

                written += save_experiment(result, lang=lang, suffixes=(".png",))
                lines.append(text("saved", out=base / name))
            body = "\n".join(f"   {line}" for line in lines)
            print(f"== 6.{number} {text(name)} ==\n{body}\n", file=file)
    if skipped:
        print(text("no_mnist", names=", ".join(skipped)), file=file)
    return written
