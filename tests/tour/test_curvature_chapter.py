"""``nnlearn tour --chapter curvature``: the step-size story with computed numbers."""

import io

import pytest

from nnlearn.cli import main
from nnlearn.tour import curvature


@pytest.fixture(scope="module")
def english():
    stream = io.StringIO()
    curvature.run(out=None, lang="en", file=stream, steps=40)
    return stream.getvalue()


def test_the_quadratic_numbers(english):
    assert "Hessian eigenvalues of function_2: [2. 2.], so 2/λ_max = 1" in english
    assert "lr = 10: factor 1 − 2·lr = -19 (|factor| > 1: diverges)" in english
    assert "lr = 0.5: factor 1 − 2·lr = 0 (the minimum in one step)" in english
    assert "gradient descent diverged at step 10 with lr=10" in english
    assert "moved x by 2e-08 of itself in 100 steps" in english
    assert "Hessian eigenvalues of x²/20 + y²: [0.1 2. ], so 2/λ_max = 1" in english


def test_the_network_and_edge_of_stability_sections(english):
    assert "183 parameters" in english and "largest eigenvalues (Lanczos" in english
    lines = [line for line in english.splitlines() if line.strip().startswith("lr = ")
             and "λ_max" in line]
    assert len(lines) == len(curvature.MULTIPLES)
    assert "no run diverges" in english


def test_every_sentence_has_a_korean_translation():
    for key, (english, korean) in curvature.TEXT.items():
        assert english != korean, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean), key


def test_korean_chapter_and_command(capsys, monkeypatch):
    monkeypatch.setattr(curvature, "STEPS", 20)
    assert main(["tour", "--chapter", "curvature", "--no-figures", "--lang", "ko"]) == 0
    printed = capsys.readouterr().out
    assert "== 1. 학습률의 한계: lr = 10이 발산하는 이유 ==" in printed


def test_figures_are_written(tmp_path, monkeypatch):
    monkeypatch.setattr(curvature, "MULTIPLES", (0.5, 5.0))
    monkeypatch.setattr(curvature, "GRID", 9)
    written = curvature.run(out=tmp_path, lang="en", file=io.StringIO(), steps=20)
    assert [p.name for p in written] == ["curvature_density.png", "curvature_sharpness.png",
                                         "landscape_path.png", "landscape_surface.png",
                                         "landscape_line.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in written)
