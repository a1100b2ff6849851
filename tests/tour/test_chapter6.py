"""The chapter-6 tour: the quick experiments, what each shows, in English and Korean."""

import io

from nnlearn.cli import main
from nnlearn.tour import chapter6


def test_chapter6_tour_prints_each_experiment_and_saves_its_figures(tmp_path, monkeypatch,
                                                                    quick_run, capsys):
    import nnlearn.experiments

    # the quick runs of the session, instead of running them again
    monkeypatch.setattr(nnlearn.experiments, "run_experiment",
                        lambda name, out, **_: quick_run(name))
    assert main(["tour", "--chapter", "6", "--out", str(tmp_path), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    headings = [line for line in printed.splitlines() if line.startswith("== 6.")]
    assert headings == ["== 6.1 Optimizers on f(x, y) = x²/20 + y² ==",
                        "== 6.2 Optimizers on MNIST ==",
                        "== 6.3 Activation histograms and initial weights ==",
                        "== 6.4 Initial weights on MNIST ==", "== 6.5 Batch normalisation ==",
                        "== 6.6 Overfitting, weight decay and dropout ==",
                        "== 6.7 Hyperparameter search =="]
    assert "sgd       lr 0.95  after 30 steps: (-0.3504, +0.0848)" in printed
    assert "data and figures in" in printed
    assert (quick_run("batchnorm").path / "batchnorm_summary.png").exists()


def test_chapter6_tour_in_korean_without_mnist_says_what_it_skipped(monkeypatch):
    monkeypatch.setenv("NNLEARN_DATA_DIR", "/nonexistent")
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent")
    from nnlearn.experiments import _training

    _training._mnist.cache_clear()
    stream = io.StringIO()
    assert chapter6.run(out=None, lang="ko", file=stream) == []
    printed = stream.getvalue()
    assert "== 6.1 f(x, y) = x²/20 + y²에서의 최적화 ==" in printed
    assert "== 6.3 가중치 초깃값과 활성화값 분포 ==" in printed
    assert ("MNIST가 없어 건너뜀: optimizers, init, batchnorm, overfitting, hparams"
            in printed)


def test_every_sentence_has_both_languages():
    from nnlearn.experiments import EXPERIMENTS

    for name in EXPERIMENTS:
        assert name in chapter6.TEXT and f"{name}_lesson" in chapter6.TEXT
    for english, korean in chapter6.TEXT.values():
        assert english.count("{") == korean.count("{")
