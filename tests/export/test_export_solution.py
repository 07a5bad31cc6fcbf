"""The worked solution: the sheet's numbers for exercise 3, the engine's numbers
for random networks, hostile labels, and real pdflatex runs."""

from __future__ import annotations

import re
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from export_support import (
    HOSTILE,
    column,
    compile_latex,
    display_cells,
    hostile_network,
    latex_fraction,
    needs_pdflatex,
    pdf_text,
    random_network,
    tex_numbers,
)

import gradviz
from gradviz.export.notation import Notation
from gradviz.export.solution import solution_latex, solution_markdown
from gradviz.model.fileformat import from_dict


@pytest.fixture(scope="module")
def ex3_cells() -> dict[str, str]:
    return display_cells(solution_markdown(gradviz.load("exercise3")))


def d(of: str, wrt: str) -> str:
    return rf"\frac{{\partial {of}}}{{\partial {wrt}}}(\Theta_0)"


Z, G, Z2, FE = "z_{E_{0}}", "g_{E_{0}}", "z'_{E_{0}}", "f_{E_{0}}"
P_IDX = [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]
Q_IDX = [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
# The sheet, Exercise 3 Q6: every column it writes, in its order.
SHEET_COLUMNS = {
    Z: {"p": [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]},
    G: {"p": [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 0), (0, 0, 0)]},
    Z2: {
        "p": [(1, -2), (-1, 2), (-1, 5), (1, -5), (0, 0), (0, 0)],
        "q": [(2, 0), (1, 0), (0, 0), (0, 2), (0, 1), (0, 0)],
    },
    FE: {
        "p": [
            (F(3, 4), F(-3, 4)),
            (F(-3, 4), F(3, 4)),
            (F(-3, 2), F(3, 2)),
            (F(3, 2), F(-3, 2)),
            (0, 0),
            (0, 0),
        ],
        "q": [
            (F(1, 2), F(-1, 2)),
            (F(1, 4), F(-1, 4)),
            (0, 0),
            (F(-1, 2), F(1, 2)),
            (F(-1, 4), F(1, 4)),
            (0, 0),
        ],
    },
}
J_ROW1 = [F(3, 4), F(-3, 4), F(-3, 2), F(3, 2), 0, 0, F(1, 2), F(1, 4), 0, F(-1, 2), F(-1, 4), 0]
GRAD = [F(-3, 2), F(3, 2), 3, -3, 0, 0, -1, F(-1, 2), 0, 1, F(1, 2), 0]


def test_exercise3_forward_values_as_on_the_sheet(ex3_cells: dict[str, str]) -> None:
    assert ex3_cells[r"z_{E_{0}}(\Theta_0)"] == r"P_{0} \times E_{0} = " + column(2, 1, -3)
    assert ex3_cells[r"g_{E_{0}}(\Theta_0)"].endswith(" = " + column(2, 1, 0))
    assert ex3_cells[r"z'_{E_{0}}(\Theta_0)"] == (
        r"Q_{0} \times g_{E_{0}}(\Theta_0) = " + column(1, 1)
    )
    assert ex3_cells[r"f_{E_{0}}(\Theta_0)"].endswith(" = " + column(F(1, 2), F(1, 2)))
    assert ex3_cells[r"l(\Theta_0)"].endswith(r"= \ln 2")
    assert ex3_cells[r"\Theta_0"] == r"\bigl(3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4\bigr)"
    assert ex3_cells[r"\Theta"] == (
        r"\bigl(p_{1,1}, p_{1,2}, p_{2,1}, p_{2,2}, p_{3,1}, "
        r"p_{3,2}, q_{1,1}, q_{1,2}, q_{1,3}, q_{2,1}, q_{2,2}, "
        r"q_{2,3}\bigr)"
    )


def test_exercise3_local_jacobians_as_on_the_sheet(ex3_cells: dict[str, str]) -> None:
    assert ex3_cells[r"J_{R}\left(z_{E_{0}}(\Theta_0)\right)"] == (
        r"\begin{pmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 0 \end{pmatrix}"
    )
    assert ex3_cells[r"J_{S}\left(z'_{E_{0}}(\Theta_0)\right)"] == (
        r"\begin{pmatrix} \frac{1}{4} & -\frac{1}{4} \\ -\frac{1}{4} & \frac{1}{4} \end{pmatrix}"
    )
    assert ex3_cells["Q_{0}"] == r"\begin{pmatrix} 1 & -1 & 3 \\ -2 & 5 & 4 \end{pmatrix}"


def test_exercise3_chain_rule_formulas(ex3_cells: dict[str, str]) -> None:
    gen_p, gen_q = "p_{i,j}", "q_{i,j}"
    assert ex3_cells[d(Z, gen_p)] == (
        r"e_{j} \times \begin{pmatrix} \mathbf{1}_{i=1} \\ "
        r"\mathbf{1}_{i=2} \\ \mathbf{1}_{i=3} \end{pmatrix}"
    )
    assert ex3_cells[d(G, gen_p)] == (
        r"J_{R}\left(z_{E_{0}}(\Theta_0)\right) \times " + d(Z, gen_p)
    )
    assert ex3_cells[d(Z2, gen_p)] == r"Q_{0} \times " + d(G, gen_p)
    assert ex3_cells[d(Z2, gen_q)].startswith(r"\bigl(g_{E_{0}}(\Theta_0)\bigr)_{j} \times")
    assert ex3_cells[d(FE, gen_q)] == (
        r"J_{S}\left(z'_{E_{0}}(\Theta_0)\right) \times " + d(Z2, gen_q)
    )


def test_exercise3_every_column_of_the_sheet(ex3_cells: dict[str, str]) -> None:
    for node, by_param in SHEET_COLUMNS.items():
        for letter, cols in by_param.items():
            idx = P_IDX if letter == "p" else Q_IDX
            for (i, j), col in zip(idx, cols, strict=True):
                assert ex3_cells[d(node, f"{letter}_{{{i},{j}}}")] == column(*col), (node, i, j)
    # the sheet does not write ∂z/∂q or ∂g/∂q (they are 0): neither do we
    assert d(Z, "q_{1,1}") not in ex3_cells and d(G, "q_{2,3}") not in ex3_cells


def test_exercise3_jacobian_gradient_and_step(ex3_cells: dict[str, str]) -> None:
    row1 = " & ".join(latex_fraction(x) for x in J_ROW1)
    row2 = " & ".join(latex_fraction(-x) for x in J_ROW1)
    assert ex3_cells[r"J_{f_{E_{0}}}(\Theta_0)"] == (
        rf"\begin{{pmatrix}} {row1} \\ {row2} \end{{pmatrix}}"
    )
    grad = r"\bigl(" + ", ".join(latex_fraction(x) for x in GRAD) + r"\bigr)"
    assert ex3_cells[r"\nabla l(\Theta_0)"] == grad
    theta1 = [a - b for a, b in zip([3, 1, 1, 0, -1, 2, 1, -1, 3, -2, 5, 4], GRAD, strict=True)]
    assert ex3_cells[r"\Theta_1"] == r"\bigl(" + ", ".join(map(latex_fraction, theta1)) + r"\bigr)"
    assert ex3_cells["P_{1}"] == (
        r"\begin{pmatrix} \frac{9}{2} & -\frac{1}{2} \\ -2 & 3 \\ "
        r"-1 & 2 \end{pmatrix}"
    )
    md = solution_markdown(gradviz.load("exercise3"))
    assert (
        r"-2 \times \bigl(\frac{3}{4}, -\frac{3}{4}, -\frac{3}{2}, \frac{3}{2}, 0, 0, "
        r"\frac{1}{2}, \frac{1}{4}, 0, -\frac{1}{2}, -\frac{1}{4}, 0\bigr)"
    ) in md
    assert r"f_{E_{0}}[1](\Theta_0) = \frac{1}{2}" in md


def test_learning_rate_option() -> None:
    cells = display_cells(solution_markdown(gradviz.load("exercise3"), lr=0.5))
    assert cells[r"\Theta_1"].startswith(r"\bigl(\frac{15}{4}, \frac{1}{4}, -\frac{1}{2}, ")
    md = solution_markdown(gradviz.load("exercise3"), lr=0.5)
    assert r"\eta = \frac{1}{2}" in md


def _assert_numbers(tex: str, expected: np.ndarray, what: str) -> None:
    got = tex_numbers(tex)
    want = np.ravel(np.asarray(expected, dtype=np.float64))
    assert len(got) == want.size, (what, tex)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("seed", range(8))
def test_random_network_numbers_equal_the_engine(seed: int) -> None:
    net = random_network(seed)
    ev = gradviz.evaluate(net)
    note = Notation(net)
    cells = display_cells(solution_markdown(net, ev))
    for node in net.nodes:
        if node.inputs:
            rhs = cells[note.value(node.id)]
            _assert_numbers(rhs.rsplit(" = ", 1)[1], ev.values[node.id], f"value {node.id}")
    theta_idx = 0
    for pid, index in note.theta_entries():
        for node in net.nodes:
            if node.inputs and node.id != net.loss and pid in note.param_ancestors(node.id):
                key = (
                    rf"\frac{{\partial {note.fn_point(node.id)}}}{{\partial "
                    rf"{note.entry(pid, index)}}}(\Theta_0)"
                )
                want = ev.jacobian_between(node.id, None)[:, theta_idx]
                _assert_numbers(cells[key], want, f"d{node.id}/d{pid}{index}")
        theta_idx += 1
    jac = [v for k, v in cells.items() if k.startswith(rf"J_{{{note.fn_point(net.output)}}}")]
    assert jac and ev.jacobian is not None
    _assert_numbers(
        " ".join(jac),
        np.concatenate([ev.jacobian[:, a : a + n].ravel() for a, n in _blocks(jac)]),
        "J",
    )
    _assert_numbers(cells[rf"\nabla {note.sym(net.loss)}(\Theta_0)"], ev.gradient, "grad")
    _assert_numbers(cells[r"\Theta_1"], ev.theta - ev.gradient, "theta1")


def _blocks(jac_cells: list[str]) -> list[tuple[int, int]]:
    """(first column, width) of each printed block of J (widths from the pmatrix rows)."""
    out, start = [], 0
    for tex in jac_cells:
        width = tex.split(r" \\ ")[0].count("&") + 1
        out.append((start, width))
        start += width
    return out


def test_a_network_without_parameters_or_loss() -> None:
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "title": "plain",
            "nodes": [
                {"id": "x", "op": "input", "value": [0, -2, 3]},
                {"id": "h", "op": "relu", "inputs": ["x"]},
            ],
            "output": "h",
        }
    )
    md = solution_markdown(net)
    assert r"\Theta$ is empty" in md
    assert "the derivative is taken as 0 there" in md  # ReLU exactly at 0
    assert display_cells(md)["h_{x}"] == r"R\left(x\right)"


def test_hostile_labels_and_ids_are_literal_in_markdown() -> None:
    md = solution_markdown(hostile_network())
    assert "<script>" not in md and r"\<script\>alert(1)\</script\>" in md
    assert "“\\\\input{/etc/passwd}”" in md  # CommonMark shows \\ as one backslash
    assert re.search(r"(?<![\\}])\\(input|write18)", md) is None
    for line in md.splitlines():
        assert not line.startswith("#") or line.startswith(("# ", "## ", "### "))


@needs_pdflatex
def test_exercise3_solution_compiles(tmp_path: Path) -> None:
    text = pdf_text(compile_latex(solution_latex(gradviz.load("exercise3")), tmp_path))
    assert "Worked solution: Exercise 3" in text
    assert "The chain rule, node by node" in text and "One step of gradient descent" in text


@needs_pdflatex
@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_random_solutions_compile(seed: int, tmp_path: Path) -> None:
    compile_latex(solution_latex(random_network(seed)), tmp_path)


@needs_pdflatex
def test_hostile_solution_compiles_and_prints_literally(tmp_path: Path) -> None:
    net = hostile_network()
    latex = solution_latex(net)
    assert r"\input{" not in latex and r"\write18" not in latex
    flat = "".join(pdf_text(compile_latex(latex, tmp_path)).split())
    for label in (HOSTILE[0], HOSTILE[1], HOSTILE[2], "<script>alert(1)</script>"):
        assert "".join(label.split()) in flat, label
    assert not (tmp_path / "pwned").exists()


def test_notation_follows_the_sheet_and_keeps_names_apart() -> None:
    note = Notation(gradviz.load("exercise3"))
    assert [note.sym(i) for i in ("E", "P", "z", "g", "Q", "z2", "f", "l")] == [
        "E",
        "P",
        "z",
        "g",
        "Q",
        "z'",
        "f",
        "l",
    ]
    assert note.fn("z2") == "z'_{E}" and note.value("z2") == r"z'_{E_{0}}(\Theta_0)"
    assert note.entry("P", (2, 0)) == "p_{3,1}" and note.at("Q", 1) == "Q_{1}"
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "nodes": [
                {"id": "x", "op": "input", "value": [1, 2]},
                {"id": "W1", "op": "param", "value": [[1, 2], [3, 4]]},
                {"id": "w1", "op": "param", "value": [[1, 0], [0, 1]]},
                {"id": "a", "op": "matmul", "inputs": ["W1", "x"]},
                {"id": "b", "op": "matmul", "inputs": ["w1", "a"]},
                {"id": "hidden state", "op": "relu", "inputs": ["b"]},
            ],
        }
    )
    other = Notation(net)
    names = {other.entry(p, i) for p, i in other.theta_entries()}
    assert len(names) == 8  # W1 and w1 would both be w^{(1)}: brackets keep them apart
    assert other.sym("hidden state") == r"\mbox{hidden state}"


def test_a_large_network_is_summarised_not_exhausted() -> None:
    rng = np.random.default_rng(1)
    net = from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "title": "big",
            "nodes": [
                {"id": "x", "op": "input", "value": rng.integers(-2, 3, 300).tolist()},
                {"id": "W", "op": "param", "value": rng.integers(-2, 3, (300, 300)).tolist()},
                {"id": "m", "op": "matmul", "inputs": ["W", "x"]},
                {"id": "h", "op": "relu", "inputs": ["m"]},
                {"id": "V", "op": "param", "value": rng.integers(-2, 3, (3, 300)).tolist()},
                {"id": "y", "op": "matmul", "inputs": ["V", "h"]},
                {"id": "S", "op": "softmax", "inputs": ["y"]},
                {"id": "L", "op": "neg_log", "inputs": ["S"], "index": 0},
            ],
            "output": "S",
            "loss": "L",
        }
    )
    ev = net.evaluate()
    md = solution_markdown(net, ev)
    assert len(md) < 200_000
    assert "too many to print" in md and r"\ldots" in md
    cells = display_cells(md)
    grad = tex_numbers(cells[r"\nabla L(\Theta_0)"])
    assert len(grad) == 48 + 12  # the first 48 and last 12 of 90 900 entries
    np.testing.assert_allclose(grad[:48], ev.gradient[:48], rtol=1e-3, atol=1e-12)
    np.testing.assert_allclose(grad[48:], ev.gradient[-12:], rtol=1e-3, atol=1e-12)
