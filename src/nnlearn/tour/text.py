"""Every sentence of the tour in English and Korean."""

from __future__ import annotations

from collections.abc import Callable

from nnlearn._shared.i18n import translator

# Every sentence in both languages: key -> (English, Korean).
TEXT = {
    "cee_title": ("Cross-entropy error: one sample", "교차 엔트로피 오차: 샘플 한 개"),
    "cee_y": ("(predicted probabilities; the largest, 0.6, is class 2)",
              "(예측 확률: 가장 큰 0.6이 클래스 2)"),
    "cee_t": ("(the answer 2, one-hot)", "(정답 2, 원-핫 인코딩)"),
    "cee_log": ("(only the answer's term is left)", "(정답 항만 남는다)"),
    "cee_wrong": ("a wrong guess (0.6 on class 7): {value!r}  (the worse the guess, the larger "
                  "the loss)",
                  "잘못된 예측 (클래스 7에 0.6): {value!r}  (예측이 틀릴수록 손실이 크다)"),
    "batch_title": ("Cross-entropy error: a mini-batch", "교차 엔트로피 오차: 미니배치"),
    "batch_one": ("the sample as a batch of one, shape (1, 10): {value!r}",
                  "샘플 하나를 배치로, 모양 (1, 10): {value!r}"),
    "batch_two": ("a batch of two (the good and the wrong guess): {value!r}  (the mean of the "
                  "two losses)",
                  "샘플 두 개짜리 배치 (맞은 예측과 틀린 예측): {value!r}  (두 손실의 평균)"),
    "batch_labels": ("labels t = [2, 2] instead of one-hot rows: {value!r}",
                     "원-핫 대신 레이블 t = [2, 2]: {value!r}"),
    "diff_title": ("Numerical differentiation: function_1", "수치 미분: function_1"),
    "diff_exact": ("exact: {value:g}", "해석적 미분: {value:g}"),
    "diff_tangent": ("tangent at x = 5: y = a·x + b, a = {a!r}, b = f(5) − 5a = {b!r}",
                     "x = 5에서의 접선: y = a·x + b, a = {a!r}, b = f(5) − 5a = {b!r}"),
    "grad_title": ("Partial derivatives and the gradient: function_2",
                   "편미분과 기울기: function_2"),
    "grad_partial": ("∂f/∂x{i} at (3, 4), x{j} held at {held:g}: {value!r}",
                     "(3, 4)에서 ∂f/∂x{i} (x{j} = {held:g} 고정): {value!r}"),
    "grad_meaning": ("∇f points where f grows fastest; −∇f points downhill",
                     "∇f는 f가 가장 빠르게 커지는 방향, −∇f는 내려가는 방향"),
    "descent_title": ("Gradient descent", "경사하강법"),
    "descent_formula": ("x ← x − η ∇f(x), repeated step_num times",
                        "x ← x − η ∇f(x), step_num번 반복"),
    "descent_meaning": ("(x0, x1) reaches the minimum (0, 0) of function_2",
                        "(x0, x1)이 function_2의 최솟값 (0, 0)에 수렴"),
    "nditer_title": ("Walking a matrix with np.nditer", "np.nditer로 행렬 순회하기"),
    "nditer_meaning": ("numerical_gradient visits the entries of W in this order",
                       "numerical_gradient는 W의 원소를 이 순서로 방문한다"),
    "net_title": ("The gradient of a network's loss: SimpleNet", "신경망에서의 기울기: SimpleNet"),
    "net_formula": ("L(W) = CEE(softmax(x·W), t),  ∂L/∂W has the shape of W, (2, 3)",
                    "L(W) = CEE(softmax(x·W), t),  ∂L/∂W는 W와 같은 모양 (2, 3)"),
    "net_book_w": ("W (the book's printed weights; --seed N draws a random W):",
                   "W (책에 인쇄된 가중치, --seed N이면 무작위 W):"),
    "net_seed_w": ("W (random, seed {seed}):", "W (무작위, 시드 {seed}):"),
    "net_scores": ("x·W = {scores}  → predicted class {label}",
                   "x·W = {scores}  → 예측 클래스 {label}"),
    "net_analytic": ("the analytic x ⊗ (softmax(x·W) − t) differs by {value:.1e} (the δ = 1e-7 "
                     "inside the log)",
                     "해석적 기울기 x ⊗ (softmax(x·W) − t)와의 차이 {value:.1e} (log 안의 "
                     "δ = 1e-7 때문)"),
    "figures": ("Figures saved in {out}/:", "그림을 {out}/에 저장했습니다:"),
    "spiral": ("the spiral (300 points)", "나선 데이터 (300개 점)"),
    "trained": ("{net!r} trained on {what}, {steps} steps of Adam: test accuracy {accuracy:.3f}",
                "{net!r}: {what}, Adam {steps}단계 학습, 시험 정확도 {accuracy:.3f}"),
    "no_mnist": ("MNIST is not on this machine, so these were skipped: {files}. Set "
                 "NNLEARN_DATA_DIR to a folder with the MNIST .gz files, or download them once "
                 "with `nnlearn plot first-layer-weights`.",
                 "MNIST가 없어 건너뛴 그림: {files}. NNLEARN_DATA_DIR 환경 변수를 MNIST .gz "
                 "파일이 있는 폴더로 지정하거나, `nnlearn plot first-layer-weights`로 한 번 "
                 "내려받으세요."),
    "no_figures": ("(no figures saved)", "(그림은 저장하지 않음)"),
}


def say(lang: str) -> Callable[..., str]:
    return translator(TEXT, lang)
