"""Shared by the export tests: random networks built through the file format,
networks with hostile labels and ids, and a real pdflatex run."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network

PDFLATEX = shutil.which("pdflatex")
PDFTOTEXT = shutil.which("pdftotext")
needs_pdflatex = pytest.mark.skipif(
    PDFLATEX is None,
    reason="pdflatex is not installed (apt-get install texlive-latex-base texlive-pictures "
    "texlive-latex-recommended); .ci/run installs it",
)

HOSTILE = [
    r"\input{/etc/passwd}",
    r"\write18{rm -rf ~}",
    "#%_&{}$^~\\",
    r"\immediate\write18{touch pwned}\end{document}",
    "<script>alert(1)</script> & [x](http://e.vil) *b* `c` | -- ?` !`",
    "50% of $x_1^2$ ^^5c ^^M",
    "line\nbreak\ttab",
    "σ(W·x)−∂l/∂θ ×2 ≤ ∞ — ünïcödé 中文",
]


def _nice(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Any]:
    """Small integers and halves, so that most derived numbers are fractions."""
    vals = rng.integers(-6, 7, size=shape) / rng.choice([1, 1, 2], size=shape)
    return np.asarray(vals, dtype=np.float64).tolist()


def random_network_dict(seed: int, labels: list[str] | None = None) -> dict[str, Any]:
    """A layered network of 1–3 dense layers with random sizes, optional biases,
    ReLU / sigmoid / tanh activations and a softmax + −ln or an MSE head, written
    as the JSON document the file format reads."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 4))
    sizes = [int(s) for s in rng.integers(1, 5, size=depth + 1)]
    sizes[-1] = max(sizes[-1], 2)
    nodes: list[dict[str, Any]] = [{"id": "x", "op": "input", "value": _nice(rng, (sizes[0],))}]
    prev = "x"
    for k in range(1, depth + 1):
        w, m = f"W{k}", f"m{k}"
        nodes.append({"id": w, "op": "param", "value": _nice(rng, (sizes[k], sizes[k - 1]))})
        nodes.append({"id": m, "op": "matmul", "inputs": [w, prev]})
        prev = m
        if rng.random() < 0.5:
            nodes.append({"id": f"b{k}", "op": "param", "value": _nice(rng, (sizes[k],))})
            nodes.append({"id": f"a{k}", "op": "add", "inputs": [prev, f"b{k}"]})
            prev = f"a{k}"
        if k < depth:
            act = str(rng.choice(["relu", "sigmoid", "tanh"]))
            nodes.append({"id": f"h{k}", "op": act, "inputs": [prev]})
            prev = f"h{k}"
    if rng.random() < 0.6:
        nodes.append({"id": "y", "op": "softmax", "inputs": [prev]})
        nodes.append(
            {"id": "L", "op": "neg_log", "inputs": ["y"], "index": int(rng.integers(0, sizes[-1]))}
        )
        output = "y"
    else:
        nodes.append({"id": "L", "op": "mse", "inputs": [prev], "target": _nice(rng, (sizes[-1],))})
        output = prev
    if labels:
        for node, label in zip(nodes, labels * len(nodes), strict=False):
            node["label"] = label
    return {
        "format": "gradviz",
        "version": 1,
        "title": f"Random network {seed}",
        "nodes": nodes,
        "output": output,
        "loss": "L",
    }


def random_network(seed: int, labels: list[str] | None = None) -> Network:
    return from_dict(random_network_dict(seed, labels), f"<random {seed}>")


def hostile_network() -> Network:
    """Exercise 3 with every label, the title and two ids made hostile."""
    hostile_ids = {"z": HOSTILE[0], "g": "#%_&{}$^~\\"}
    nodes = [
        {"id": "E", "op": "input", "value": [1, -1]},
        {"id": "P", "op": "param", "value": [[3, 1], [1, 0], [-1, 2]]},
        {"id": "z", "op": "matmul", "inputs": ["P", "E"]},
        {"id": "g", "op": "relu", "inputs": ["z"]},
        {"id": "Q", "op": "param", "value": [[1, -1, 3], [-2, 5, 4]]},
        {"id": "z2", "op": "matmul", "inputs": ["Q", "g"]},
        {"id": "f", "op": "softmax", "inputs": ["z2"]},
        {"id": "l", "op": "neg_log", "inputs": ["f"], "index": 0},
    ]
    for k, node in enumerate(nodes):
        node["label"] = HOSTILE[k % len(HOSTILE)]
    rename = {old: new for old, new in hostile_ids.items()}
    for node in nodes:
        node["id"] = rename.get(node["id"], node["id"])
        node["inputs"] = [rename.get(s, s) for s in node.get("inputs", [])]
    doc = {
        "format": "gradviz",
        "version": 1,
        "title": HOSTILE[1] + " " + HOSTILE[2],
        "nodes": nodes,
        "output": "f",
        "loss": "l",
    }
    return from_dict(doc, "<hostile>")


def compile_latex(tex: str, folder: Path, name: str = "doc") -> Path:
    """Run pdflatex (no shell escape, stop at the first error) and return the PDF;
    fails the test with the end of the log when TeX stops."""
    assert PDFLATEX is not None
    src = folder / f"{name}.tex"
    src.write_text(tex, encoding="utf-8")
    proc = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", src.name],
        cwd=folder,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    pdf = folder / f"{name}.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stdout[-3000:]
    return pdf


def pdf_text(pdf: Path) -> str:
    """The PDF's text (pdftotext), with the glyphs TeX prints for ~ ^ ` read back."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    out = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.replace("˜", "~").replace("ˆ", "^").replace("‘", "`")


def pdf_page_size_cm(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page in cm (pdfinfo)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("pdfinfo is not installed (apt-get install poppler-utils)")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert m is not None, info
    return float(m[1]) / 72 * 2.54, float(m[2]) / 72 * 2.54


def frac_text(x: float) -> str:
    """``3/4`` style text of a float known to be a small fraction (for assertions)."""
    return str(Fraction(x).limit_denominator(1000))


def display_cells(markdown: str) -> dict[str, str]:
    """Every ``lhs = rhs`` of the Markdown's ``$$`` displays, keyed by ``lhs``;
    continuation lines (``& \\qquad …``) are appended to the previous right side
    and chained ``&= …`` lines replace it (the last value of a chain wins)."""
    cells: dict[str, str] = {}
    blocks = markdown.split("$$")[1::2]
    for block in blocks:
        body = block.strip().removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
        last: str | None = None
        for line in body.strip().split(" \\\\\n"):
            line = line.strip()
            if line.startswith(r"& \qquad"):
                assert last is not None
                cells[last] += " " + line.removeprefix(r"& \qquad").strip()
                continue
            if line.startswith("&="):
                assert last is not None
                cells[last] = line.removeprefix("&=").strip()
                continue
            if "&=" not in line:  # a single display: "lhs = rhs"
                lhs, _, rhs = line.partition(" = ")
                cells[lhs.strip()] = rhs.strip()
                last = lhs.strip()
                continue
            # "lhs &= rhs & lhs &= rhs": split the cells at " & " before a new lhs
            pieces = line.split(" &= ")
            lhs = pieces[0]
            for k, piece in enumerate(pieces[1:], start=1):
                if k < len(pieces) - 1:
                    rhs, _, next_lhs = piece.rpartition(" & ")
                else:
                    rhs, next_lhs = piece, ""
                cells[lhs.strip()] = rhs.strip()
                last = lhs.strip()
                lhs = next_lhs
    return cells


_NUMBER = re.compile(
    r"(?P<sign>-)?\s*(?:"
    r"\\frac\{(?P<fn>\d+)\}\{(?P<fd>\d+)\}"
    r"|\\ln\s*\\frac\{(?P<ln_n>\d+)\}\{(?P<ln_d>\d+)\}"
    r"|\\ln\s*(?P<ln>\d+)"
    r"|\\infty"
    r"|(?P<dec>\d+(?:\.\d+)?)(?:\s*\\times\s*10\^\{(?P<exp>-?\d+)\})?"
    r"|10\^\{(?P<exp_only>-?\d+)\}"
    r")"
)


def tex_numbers(tex: str) -> list[float]:
    """The numbers of a LaTeX value (``\\frac{3}{4}``, ``-\\ln 2``, ``1.5 \\times 10^{-7}``,
    ``\\infty``) in reading order, e.g. the entries of a ``pmatrix`` row by row."""
    tex = re.sub(r"\\(begin|end)\{[a-z]+\}", " ", tex)
    out: list[float] = []
    for m in _NUMBER.finditer(tex):
        sign = -1.0 if m["sign"] else 1.0
        if m["fn"]:
            v = int(m["fn"]) / int(m["fd"])
        elif m["ln_n"]:
            v = math.log(int(m["ln_n"]) / int(m["ln_d"]))
        elif m["ln"]:
            v = math.log(int(m["ln"]))
        elif m["dec"]:
            v = float(m["dec"]) * (10.0 ** int(m["exp"]) if m["exp"] else 1.0)
        elif m["exp_only"]:
            v = 10.0 ** int(m["exp_only"])
        else:
            v = math.inf
        out.append(sign * v)
    return out


def latex_fraction(x: Fraction | int) -> str:
    """The sheet's number as gradviz must write it: ``-\\frac{3}{4}``, ``2``."""
    f = Fraction(x)
    if f.denominator == 1:
        return str(f.numerator)
    return ("-" if f < 0 else "") + rf"\frac{{{abs(f.numerator)}}}{{{f.denominator}}}"


def column(*entries: Fraction | int) -> str:
    """A column ``pmatrix`` of sheet numbers."""
    body = r" \\ ".join(latex_fraction(e) for e in entries)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"
