"""``gradviz step``: gradient descent on Θ (the sheet's Q7) written to a new file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from cli_support import run_gradviz

import gradviz
from gradviz.cli import main
from gradviz.model.examples import example_path
from gradviz.model.training import gradient_step

THETA0 = np.array([3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4], dtype=np.float64)
GRAD0 = np.array([-1.5, 1.5, 3, -3, 0, 0, -1, -0.5, 0, 1, 0.5, 0])


def exercise3_text() -> str:
    path = example_path("exercise3")
    assert path is not None
    return path.read_text(encoding="utf-8")


def test_one_step_with_lr_1_through_the_real_cli(tmp_path: Path) -> None:
    proc = run_gradviz("step", "exercise3", "--lr", "1", "-o", "out.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0] == "∇l(Θ) = (-3/2, 3/2, 3, -3, 0, 0, -1, -1/2, 0, 1, 1/2, 0)"
    assert lines[1].startswith("step 1: loss ln 2 → ")
    assert lines[2] == "Θ = (9/2, -1/2, -2, 3, -1, 2, 2, -1/2, 3, -3, 9/2, 4)"
    assert lines[3] == "wrote out.json"

    net = gradviz.load(tmp_path / "out.json")
    np.testing.assert_array_equal(net.theta, THETA0 - GRAD0)  # Θ1 = Θ0 − 1·∇l(Θ0), exactly
    ev = gradviz.evaluate(net)
    assert ev.loss is not None and ev.loss < math.log(2)
    # everything but the weights is as in the example: labels, title, description
    original = json.loads(exercise3_text())
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    for key in ("format", "version", "title", "description", "output", "loss"):
        assert written[key] == original[key], key
    for a, b in zip(original["nodes"], written["nodes"], strict=True):
        if a["op"] == "param":
            a, b = dict(a), dict(b)
            a.pop("value"), b.pop("value")
        assert a == b


def test_several_steps_keep_lowering_the_loss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "three.json"
    assert main(["step", "exercise3", "--lr", "1/10", "--steps", "3", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    losses = []
    for k in range(1, 4):
        line = next(li for li in text.splitlines() if li.startswith(f"step {k}: "))
        losses.append(line.split("→")[1].strip())
    # the same three steps by hand, Θ ← Θ − (1/10)∇l(Θ)
    net = gradviz.load("exercise3")
    expected = []
    for _ in range(3):
        gradient_step(net, 0.1)
        loss = net.evaluate().loss
        assert loss is not None
        expected.append(loss)
    assert expected[0] > expected[1] > expected[2]
    np.testing.assert_allclose(gradviz.load(out).theta, net.theta, rtol=0, atol=1e-15)
    assert [float(x) for x in losses] == pytest.approx(expected, rel=1e-3)


def test_gradient_step_returns_the_loss_before_and_the_gradient() -> None:
    net = gradviz.load("exercise3")
    before, grad = gradient_step(net, 0.5)
    assert before == math.log(2)
    np.testing.assert_array_equal(grad, GRAD0)
    np.testing.assert_array_equal(net.theta, THETA0 - 0.5 * GRAD0)


def test_gradient_step_without_a_loss_refuses() -> None:
    net = gradviz.load("exercise3")
    net.loss = None
    with pytest.raises(ValueError, match="no loss"):
        gradient_step(net, 1.0)
    np.testing.assert_array_equal(net.theta, THETA0)


def test_step_overwrites_its_output_and_leaves_the_input_alone(tmp_path: Path) -> None:
    src = tmp_path / "net.json"
    src.write_text(exercise3_text(), encoding="utf-8")
    before = src.read_bytes()
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    assert main(["step", str(src), "--lr", "1", "-o", str(out)]) == 0
    assert src.read_bytes() == before
    np.testing.assert_array_equal(gradviz.load(out).theta, THETA0 - GRAD0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json", "out.json"]


def test_a_diverging_step_writes_nothing(tmp_path: Path) -> None:
    proc = run_gradviz("step", "exercise3", "--lr", "1e300", "-o", "out.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "gradviz: error: exercise3: step 1 refused: the loss would be NaN after it "
        "(try a learning rate smaller than 1e+300); nothing was written\n"
    )
    assert "step 1:" not in proc.stdout  # refused before it was taken, not after
    assert not (tmp_path / "out.json").exists()
