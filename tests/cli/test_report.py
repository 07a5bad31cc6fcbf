"""``gradviz report`` (text and ``--json``) and ``gradviz check`` on the sheet's network."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradviz.cli import main
from gradviz.engine.ops import OPS
from gradviz.model.fileformat import from_dict, save

SHEET_ROW1 = (
    "3/4    -3/4    -3/2     3/2       0       0     1/2     1/4       0    -1/2    -1/4       0"
)
SHEET_ROW2 = (
    "-3/4     3/4     3/2    -3/2       0       0    -1/2    -1/4       0     1/2     1/4       0"
)
GRADIENT = (
    "-3/2     3/2       3      -3       0       0      -1    -1/2       0       1     1/2       0"
)
NAMES = [
    "P[1,1]",
    "P[1,2]",
    "P[2,1]",
    "P[2,2]",
    "P[3,1]",
    "P[3,2]",
    "Q[1,1]",
    "Q[1,2]",
    "Q[1,3]",
    "Q[2,1]",
    "Q[2,2]",
    "Q[2,3]",
]


def run_gradviz(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gradviz", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )


def kinked_network() -> dict[str, Any]:
    """A ReLU whose first input is exactly 0."""
    return {
        "format": "gradviz",
        "version": 1,
        "title": "kink",
        "nodes": [
            {"id": "x", "op": "input", "value": [1, -1]},
            {"id": "W", "op": "param", "value": [[1, 1], [2, 1]]},
            {"id": "z", "op": "matmul", "inputs": ["W", "x"]},
            {"id": "g", "op": "relu", "inputs": ["z"]},
            {"id": "l", "op": "mse", "inputs": ["g"], "target": [1, 0]},
        ],
        "output": "g",
        "loss": "l",
    }


# --- report (text) ----------------------------------------------------------------


def test_report_text_has_the_sheets_numbers() -> None:
    proc = run_gradviz("report", "exercise3")
    assert proc.returncode == 0 and proc.stderr == ""
    out = proc.stdout
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == "Exercise 3"
    assert "z  = P×E: (2, 1, -3)" in lines
    assert "g  = ReLU: (2, 1, 0)" in lines
    assert "z2 = Q×·: (1, 1)" in lines
    assert "f  = softmax: (1/2, 1/2)" in lines
    assert "l  = −ln: ln 2" in lines
    assert "= (3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4)" in lines
    assert "Θ = (" + ", ".join(NAMES) + ")" in lines
    assert "  ".join(NAMES) in lines  # the sheet's column labels head both tables
    assert "f[1]     " + SHEET_ROW1 in lines
    assert "f[2]    " + SHEET_ROW2 in lines
    assert "Loss l = ln 2" in lines
    assert "∂l/∂θ    " + GRADIENT in lines
    assert "Non-differentiable points: none" in lines
    assert "0.75" not in out and "0.5" not in out and "-0" not in out.replace("-0.", "")


def test_report_decimals() -> None:
    proc = run_gradviz("report", "exercise3", "--decimals", "3")
    assert proc.returncode == 0
    assert "f  = softmax: (0.5, 0.5)" in proc.stdout
    assert "Loss l = 0.693" in proc.stdout
    assert "3/4" not in proc.stdout


def test_report_names_a_relu_kink(tmp_path: Path) -> None:
    save(from_dict(kinked_network()), tmp_path / "kink.json")
    proc = run_gradviz("report", "kink.json", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Non-differentiable points (derivative taken as 0):" in proc.stdout
    assert "  g: its input z[1] is exactly 0" in proc.stdout


# --- report --json ----------------------------------------------------------------


@pytest.fixture(scope="module")
def report_json() -> dict[str, Any]:
    proc = run_gradviz("report", "exercise3", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.count("\n") == 1  # one JSON object on one line
    assert "-0.0" not in proc.stdout and "NaN" not in proc.stdout
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_report_json_keys(report_json: dict[str, Any]) -> None:
    for key in (
        "theta_names",
        "theta",
        "values",
        "output",
        "jacobian",
        "loss",
        "gradient",
        "node_gradients",
        "nondifferentiable",
    ):
        assert key in report_json, key


def test_report_json_values(report_json: dict[str, Any]) -> None:
    r = report_json
    assert r["theta_names"] == NAMES
    assert r["theta"] == [3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4]
    assert r["values"]["E"] == [1, -1]
    assert r["values"]["P"] == [[3, 1], [1, 0], [-1, 2]]
    assert r["values"]["z"] == [2, 1, -3]
    assert r["values"]["g"] == [2, 1, 0]
    assert r["values"]["z2"] == [1, 1]
    assert r["values"]["f"] == [0.5, 0.5]
    assert r["values"]["l"] == math.log(2)
    assert r["output"] == "f"
    assert r["jacobian"] == [
        [0.75, -0.75, -1.5, 1.5, 0, 0, 0.5, 0.25, 0, -0.5, -0.25, 0],
        [-0.75, 0.75, 1.5, -1.5, 0, 0, -0.5, -0.25, 0, 0.5, 0.25, 0],
    ]
    assert r["loss"] == math.log(2)
    assert r["gradient"] == [-1.5, 1.5, 3, -3, 0, 0, -1, -0.5, 0, 1, 0.5, 0]
    assert r["nondifferentiable"] == []
    assert r["exact"]["loss"] == "ln 2"
    assert r["exact"]["jacobian"][0][:4] == ["3/4", "-3/4", "-3/2", "3/2"]


def test_report_json_node_gradients(report_json: dict[str, Any]) -> None:
    g = report_json["node_gradients"]
    assert set(g) == set(report_json["values"])
    for nid, value in report_json["values"].items():  # same shape as the value
        assert np.shape(g[nid]) == np.shape(value), nid
    assert g["l"] == 1
    assert g["f"] == [-2, 0]
    assert g["z2"] == [-0.5, 0.5]
    assert g["g"] == [-1.5, 3, 0.5]
    assert g["z"] == [-1.5, 3, 0]
    assert g["P"] == [[-1.5, 1.5], [3, -3], [0, 0]]
    assert g["Q"] == [[-1, -0.5, 0], [1, 0.5, 0]]


def test_report_json_kink_and_no_loss(tmp_path: Path) -> None:
    save(from_dict(kinked_network()), tmp_path / "kink.json")
    doc = kinked_network()
    del doc["loss"], doc["output"]
    save(from_dict(doc), tmp_path / "plain.json")
    kink = json.loads(run_gradviz("report", "kink.json", "--json", cwd=tmp_path).stdout)
    assert kink["nondifferentiable"] == [{"node": "g", "index": [0]}]
    assert kink["jacobian"] == [[0, 0, 0, 0], [0, 0, 1, -1]]  # ∂g2/∂W[2,·] = x; g1 is cut
    plain = json.loads(run_gradviz("report", "plain.json", "--json", cwd=tmp_path).stdout)
    assert plain["output"] is None and plain["jacobian"] is None
    assert plain["loss"] is None and plain["gradient"] is None
    assert plain["node_gradients"] == {}
    assert plain["values"]["z"] == [0, 1]


def test_report_does_not_import_qt() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from gradviz.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    for args in (['report', 'exercise3'], ['report', 'exercise3', '--json'],\n"
        "                 ['check', 'exercise3']):\n"
        "        assert main(args) == 0\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(qt)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# --- check ------------------------------------------------------------------------


def test_check_exercise3_passes() -> None:
    proc = run_gradviz("check", "exercise3")
    assert proc.returncode == 0, proc.stdout
    assert "all 9 Jacobians agree" in proc.stdout
    assert "MISMATCH" not in proc.stdout
    assert "J_f(Θ)         2×12" in proc.stdout


def test_check_catches_a_broken_jacobian(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A matmul whose VJP forgets to transpose: J_f(Θ) and ∇l(Θ) go wrong, exit 1."""
    matmul = type(OPS["matmul"])
    right = matmul.vjp

    def broken(self: Any, g: Any, xs: Any, y: Any, attrs: Any, **kw: Any) -> Any:
        grads = right(self, g, xs, y, attrs, **kw)
        return [2.0 * grads[0], grads[1]]

    monkeypatch.setattr(matmul, "vjp", broken)
    assert main(["check", "exercise3"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out
    assert "J_f(Θ)" in out and "7 of 9 Jacobians agree, 2 disagree" in out


def test_check_at_a_kink_skips_rather_than_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(from_dict(kinked_network()), tmp_path / "kink.json")
    assert main(["check", str(tmp_path / "kink.json")]) == 0
    out = capsys.readouterr().out
    assert "skipped: at a ReLU kink (input exactly 0)" in out
    assert "MISMATCH" not in out


def test_report_of_an_overflowing_network(tmp_path: Path) -> None:
    """Weights near 1e300 overflow z = P×E: the report says so instead of numpy warnings."""
    doc = kinked_network()
    doc["nodes"][1]["value"] = [[1e308, 1e308], [2, 1]]
    doc["nodes"][0]["value"] = [1, 1]
    save(from_dict(doc), tmp_path / "big.json")
    proc = run_gradviz("report", "big.json", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert "Not finite (a number overflowed float64): z, g, l" in proc.stdout
    data = json.loads(run_gradviz("report", "big.json", "--json", cwd=tmp_path).stdout)
    assert data["values"]["z"] == [None, 3]  # JSON has no inf: null
