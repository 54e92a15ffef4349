"""Data sets, losses, the optimiser, plots and the demo."""

import random

import numpy as np
import pytest

from course_engine import MLP, Value
from course_engine.datasets import line_regression, make_moons, make_xor, tiny_classification
from course_engine.gradcheck import gradient_check
from course_engine.losses import accuracy, binary_cross_entropy, l2, max_margin, mse
from course_engine.optim import SGD, linear_decay


def test_moons_are_seeded_balanced_and_labelled_plus_minus_one():
    X, y = make_moons(100, noise=0.1, seed=3)
    X2, y2 = make_moons(100, noise=0.1, seed=3)
    assert X.shape == (100, 2) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert sorted(set(y.tolist())) == [-1.0, 1.0] and y.sum() == 0
    assert not np.array_equal(X, make_moons(100, noise=0.1, seed=4)[0])
    upper = X[y == -1]
    assert upper[:, 1].mean() > X[y == 1][:, 1].mean()  # the -1 moon is the upper one


def test_toy_sets():
    assert make_xor()[1].tolist() == [-1, 1, 1, -1]
    assert tiny_classification()[0].shape == (4, 3)
    assert line_regression()[1].tolist() == [5, 7, 9, 11]


def test_mse_curriculum_number_and_gradient():
    preds = [Value(1.5), Value(2.0), Value(3.5)]
    loss = mse(preds, [1.0, 2.0, 3.0])
    assert loss.data == pytest.approx(0.5 / 3)
    loss.backward()
    assert [p.grad for p in preds] == pytest.approx([1 / 3, 0.0, 1 / 3])


def test_losses_match_finite_differences():
    rng = random.Random(5)
    s = [Value(rng.uniform(-2, 2)) for _ in range(6)]
    labels = [1, -1, 1, 1, -1, -1]
    assert gradient_check(lambda: max_margin(s, labels), s).ok
    assert gradient_check(lambda: binary_cross_entropy(s, [1, 0, 1, 1, 0, 0]), s).ok
    assert gradient_check(lambda: l2(s, 0.1), s).ok


def test_bce_is_stable_and_correct():
    loss = binary_cross_entropy([Value(1000.0), Value(-1000.0)], [1, 0])
    assert loss.data == pytest.approx(0.0, abs=1e-12)
    assert binary_cross_entropy([Value(0.0)], [1]).data == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        binary_cross_entropy([Value(0.0)], [-1])


def test_length_mismatch_is_explained():
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        mse([Value(1.0)] * 3, [1.0, 2.0])


def test_sgd_moves_against_the_gradient_with_a_schedule():
    p = Value(1.0)
    p.grad = 2.0
    opt = SGD([p], lr=linear_decay(1.0, 0.1, 100))
    opt.step()
    assert p.data == pytest.approx(-1.0)
    assert opt.current_lr() == pytest.approx(1.0 - 0.9 / 100)
    opt.zero_grad()
    assert p.grad == 0.0


def test_accuracy():
    assert accuracy([Value(0.3), Value(-2.0), 1.0], [1, -1, -1]) == pytest.approx(2 / 3)


def test_train_moons_reaches_full_accuracy():
    from course_engine.training import train_moons

    model, X, y, history = train_moons(steps=100, progress=False)
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < history.loss[0] / 10
    assert isinstance(model, MLP)


def test_demo_writes_its_pictures(tmp_path, capsys):
    from course_engine.demo import main

    main(["--out", str(tmp_path), "--steps", "5"])
    printed = capsys.readouterr().out
    for name in ("moons_loss.png", "moons_boundary.png"):
        png = tmp_path / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(png.resolve()) in printed


def test_the_progress_line_goes_to_stdout_and_keeps_only_its_final_state(capsys):
    import re

    from course_engine.training import Progress

    bar = Progress(range(50), "two moons", every=0.0)  # every=0: redrawn at each step, as a slow loop is
    for k in bar:
        bar.show(loss=1.0 / (k + 1), accuracy=f"{k * 2}%")
    out, err = capsys.readouterr()
    assert err == "" and out.count("\r") == 51 and out.endswith("\n")  # one redraw per step, and the last
    final = re.sub(r".*\r(?=[^\n])", "", out)  # what Jupyter and nbval keep of it
    masked = re.sub(r"\d+(\.\d+)? ?(ms|µs|s)\b", "DURATION", final)  # tests/nbval_sanitize.cfg
    assert (
        masked == "two moons [########################] 50/50 steps in DURATION, loss 0.0200, accuracy 98%\n"
    )
