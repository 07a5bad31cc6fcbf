"""``gradviz new``: flags to file, the printed summary, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_support import run_gradviz

from gradviz.cli import main
from gradviz.engine.exact import format_scalar
from gradviz.model.exercise import exercise_problems
from gradviz.model.fileformat import load


def run_new(capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str, str]:
    code = main(["new", *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_sheet_shape_with_ints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "net.json"
    flags = "--layers 2,3,2 --act relu --head softmax --target 1 --init ints --seed 3 -o"
    code, out, err = run_new(capsys, *flags.split(), str(out_file))
    assert (code, err) == (0, "")
    net = load(out_file)
    assert net.ids == ["E", "P", "z", "g", "Q", "z2", "f", "l"]
    assert net.node("l").attrs["index"] == 0
    assert net.node("E").value.tolist() == [1.0, -1.0]
    assert out.splitlines()[0] == f"wrote {out_file}: 2-3-2 ReLU network, softmax head"
    assert "Θ has 12 entries: P 3×2, Q 2×3" in out
    assert f"loss l = {format_scalar(net.evaluate().loss)}" in out


def test_every_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "mse.json"
    flags = (
        "--layers 3,4,2,2 --act relu,tanh,none --bias 1,0,1 --head mse --target -1/2,2 "
        "--input -1,2,3/4 --init gaussian --seed 9"
    )
    code, out, err = run_new(capsys, *flags.split(), "--title", "Quiz 2", "-o", str(out_file))
    assert (code, err) == (0, "")
    net = load(out_file)
    assert net.title == "Quiz 2" and out.startswith(f"wrote {out_file}: Quiz 2\n")
    assert net.param_ids == ["P", "b1", "Q", "U", "b3"]
    assert net.node("E").value.tolist() == [-1.0, 2.0, 0.75]
    assert net.node("l").attrs["target"].tolist() == [-0.5, 2.0]
    assert [net.node(i).op for i in ("g", "g2")] == ["relu", "tanh"]
    assert net.node("f").op == "add"
    assert not np.array_equal(net.node("P").value, np.round(net.node("P").value))


def test_bias_on_every_layer_and_second_class(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "b.json"
    flags = "--layers 2,3,2 --bias --target 2 --init zeros -o"
    code, _, _ = run_new(capsys, *flags.split(), str(out_file))
    net = load(out_file)
    assert code == 0 and net.param_ids == ["P", "b1", "Q", "b2"]
    assert net.node("l").attrs["index"] == 1 and not np.any(net.theta)


def test_exercise_through_the_real_command(tmp_path: Path) -> None:
    out_file = tmp_path / "ex.json"
    done = run_gradviz(*"new --layers 2,3,2 --init exercise --seed 3 -o".split(), str(out_file))
    assert done.returncode == 0, done.stderr
    assert "loss l = ln 2" in done.stdout
    net = load(out_file)
    assert exercise_problems(net) == []
    report = run_gradviz("report", "--json", str(out_file))
    exact = json.loads(report.stdout)["exact"]
    assert exact["loss"] == "ln 2"
    assert exact["values"]["f"] == ["1/2", "1/2"]
    assert all("." not in g for g in exact["gradient"])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--layers", "2,x,2"], "--layers: 'x' is not a layer size"),
        (["--layers", "2"], "--layers needs at least an input and an output size"),
        (["--layers", "2,,2"], "no empty entries"),
        (["--layers", "2,3,2", "--act", "gelu"], "--act: unknown activation 'gelu'"),
        (["--layers", "2,3,2", "--act", "relu,relu,relu"], "one activation per hidden layer (1)"),
        (["--layers", "2,3,2", "--head", "hinge"], "--head: unknown head 'hinge'"),
        (["--layers", "2,3,2", "--init", "xavier"], "--init: unknown init 'xavier'"),
        (["--layers", "2,3,2", "--target", "0"], "must be a class number"),
        (["--layers", "2,3,2", "--target", "3"], "target class 3 is out of range: choose 1 to 2"),
        (
            ["--layers", "2,3,2", "--head", "mse", "--target", "1,a"],
            "--target: 'a' is not a number",
        ),
        (["--layers", "2,3,2", "--head", "mse", "--target", "1"], "the target has 1 values"),
        (["--layers", "2,3,2", "--input", "1,2,3"], "the input has 3 values"),
        (["--layers", "2,3,2", "--bias", "1,2"], "--bias: '2' must be 1 (bias) or 0 (none)"),
        (["--layers", "2,3,2", "--bias", "1"], "--bias gives 1 switches but the network has 2"),
        (
            ["--layers", "2,3,2", "--init", "exercise", "--act", "sigmoid"],
            "sigmoid layers give irrational numbers",
        ),
        (["--layers", "2,3,5", "--init", "exercise"], "a softmax over 5 outputs"),
    ],
)
def test_bad_flags_give_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    out_file = tmp_path / "x.json"
    code, out, err = run_new(capsys, *flags, "-o", str(out_file))
    assert code == 2 and out == ""
    assert err.startswith("gradviz: error: ") and err.count("\n") == 1
    assert message in err
    assert not out_file.exists()


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_new(capsys, "--layers", "2,3,2", "-o", str(tmp_path / "no" / "x.json"))
    assert code == 2 and "cannot be written" in err and err.count("\n") == 1
