"""Every bad network file, and every bad flag, through the real command line.

Each case runs ``python -m gradviz report BAD.json`` in a subprocess and expects
exit status 2, nothing on stdout, and exactly one line on stderr that starts with
``gradviz: error:``, names the file and the node or key at fault, and carries no
traceback.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cli_support
import pytest

from gradviz.model.examples import example_path

Doc = dict[str, Any]


def base() -> Doc:
    path = example_path("exercise3")
    assert path is not None
    doc: Doc = json.loads(path.read_text(encoding="utf-8"))
    return doc


def node(doc: Doc, nid: str) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["id"] == nid)


def mutate(fn: Callable[[Doc], None]) -> str:
    doc = copy.deepcopy(base())
    fn(doc)
    return json.dumps(doc)


def with_value(nid: str, value_json: str) -> str:
    """exercise3 with node ``nid``'s value written as raw JSON text (NaN, 1e400 …)."""
    text = mutate(lambda d: node(d, nid).__setitem__("value", "@@"))
    return text.replace('"@@"', value_json)


def run_gradviz(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli_support.run_gradviz(*args, cwd=cwd, env=cli_support.OFFSCREEN_ENV)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("gradviz: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def _cycle(d: Doc) -> None:
    node(d, "z")["inputs"] = ["P", "g"]  # z → g → z


def _missing_id(d: Doc) -> None:
    del node(d, "g")["id"]


def _duplicate_id(d: Doc) -> None:
    d["nodes"].append({"id": "z", "op": "relu", "inputs": ["g"]})


def _shape(d: Doc) -> None:
    node(d, "E")["value"] = [1, -1, 2]


CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "not-json": ('{"format": "gradviz", "nodes": [', ("not valid JSON", "line 1")),
    "empty-file": ("", ("not valid JSON",)),
    "top-level-list": ("[1, 2, 3]", ("the top level must be a JSON object, not a list",)),
    "top-level-string": ('"exercise3"', ("the top level must be a JSON object, not a string",)),
    "wrong-format-key": (mutate(lambda d: d.__setitem__("format", "onnx")), ("key 'format'",)),
    "unknown-version": (
        mutate(lambda d: d.__setitem__("version", 7)),
        ("unknown version 7", "version 1"),
    ),
    "missing-version": (mutate(lambda d: d.pop("version")), ("unknown version null",)),
    "no-nodes": (mutate(lambda d: d.__setitem__("nodes", [])), ("key 'nodes'",)),
    "unknown-op": (
        mutate(lambda d: node(d, "g").__setitem__("op", "conv2d")),
        ("node 'g'", 'unknown op "conv2d"', "relu"),
    ),
    "missing-id": (mutate(_missing_id), ("nodes[3]", "key 'id'")),
    "duplicate-id": (mutate(_duplicate_id), ("node 'z'", "duplicate id")),
    "unknown-input": (
        mutate(lambda d: node(d, "z2").__setitem__("inputs", ["Q", "h"])),
        ("node 'z2'", "input 'h' is not a node"),
    ),
    "cycle": (mutate(_cycle), ("node 'z'", "cycle")),
    "wrong-arity": (
        mutate(lambda d: node(d, "z").__setitem__("inputs", ["P"])),
        ("node 'z'", "matmul takes 2 input(s), got 1"),
    ),
    "leaf-with-inputs": (
        mutate(lambda d: node(d, "E").__setitem__("inputs", ["P"])),
        ("node 'E'", "input takes 0 input(s), got 1"),
    ),
    "inputs-not-list": (
        mutate(lambda d: node(d, "g").__setitem__("inputs", "z")),
        ("node 'g'", "'inputs' must be a list"),
    ),
    "ragged": (
        mutate(lambda d: node(d, "P").__setitem__("value", [[3, 1], [1], [-1, 2]])),
        ("node 'P'", "'value'", "ragged"),
    ),
    "non-numeric": (
        mutate(lambda d: node(d, "P").__setitem__("value", [[3, "one"], [1, 0]])),
        ("node 'P'", "'value'", "only numbers"),
    ),
    "boolean-entry": (
        mutate(lambda d: node(d, "E").__setitem__("value", [True, -1])),
        ("node 'E'", "'value'", "only numbers"),
    ),
    "too-deep": (
        mutate(lambda d: node(d, "E").__setitem__("value", [[[1, -1]]])),
        ("node 'E'", "nested 3 deep"),
    ),
    "empty-value": (
        mutate(lambda d: node(d, "E").__setitem__("value", [])),
        ("node 'E'", "'value' is empty"),
    ),
    "missing-value": (
        mutate(lambda d: node(d, "Q").pop("value")),
        ("node 'Q'", "'value' is missing"),
    ),
    "nan": (
        with_value("P", "[[3, 1], [1, NaN], [-1, 2]]"),
        ("node 'P'", "'value' holds NaN at [1][1]", "not a finite number"),
    ),
    "infinity": (
        with_value("E", "[1, -Infinity]"),
        ("node 'E'", "'value' holds -Infinity at [1]", "not a finite number"),
    ),
    "1e400": (
        with_value("Q", "[[1, -1, 3], [-2, 1e400, 4]]"),
        ("node 'Q'", "'value' holds 1e400 at [1][1]", "too large for float64"),
    ),
    "huge-integer": (
        with_value("E", "[1, " + "9" * 400 + "]"),
        ("node 'E'", "'value'", "too large for float64"),
    ),
    "nan-in-kept-key": (
        mutate(lambda d: node(d, "g").__setitem__("pos", [0, "@@"])).replace('"@@"', "NaN"),
        ("node 'g'", "key 'pos[1]' holds NaN"),
    ),
    "shapes-do-not-fit": (mutate(_shape), ("node 'z'", "matmul of (3, 2) by (3,) does not fit")),
    "add-shapes": (
        mutate(lambda d: d["nodes"].insert(4, {"id": "b", "op": "add", "inputs": ["z", "E"]})),
        ("node 'b'", "add of (3,) and (2,) needs equal shapes"),
    ),
    "softmax-of-matrix": (
        mutate(lambda d: node(d, "f").__setitem__("inputs", ["Q"])),
        ("node 'f'", "softmax takes a vector, not shape (2, 3)"),
    ),
    "index-out-of-range": (
        mutate(lambda d: node(d, "l").__setitem__("index", 2)),
        ("node 'l'", "index 2 is out of range", "(0 to 1)"),
    ),
    "negative-index": (
        mutate(lambda d: node(d, "l").__setitem__("index", -1)),
        ("node 'l'", "index -1 is out of range"),
    ),
    "index-not-integer": (
        mutate(lambda d: node(d, "l").__setitem__("index", 0.5)),
        ("node 'l'", "'index' must be an integer"),
    ),
    "mse-target-shape": (
        mutate(
            lambda d: d["nodes"].__setitem__(
                -1, {"id": "l", "op": "mse", "inputs": ["f"], "target": [1, 0, 0]}
            )
        ),
        ("node 'l'", "target of shape (3,) does not match the input's shape (2,)"),
    ),
    "loss-not-scalar": (
        mutate(lambda d: d.__setitem__("loss", "f")),
        ("key 'loss'", "node 'f' is not a scalar", "(2,)"),
    ),
    "unknown-output": (
        mutate(lambda d: d.__setitem__("output", "y")),
        ("key 'output'", '"y" is not a node'),
    ),
    "unknown-loss": (mutate(lambda d: d.__setitem__("loss", 3)), ("key 'loss'", "3 is not a node")),
    "label-not-string": (
        mutate(lambda d: node(d, "g").__setitem__("label", 5)),
        ("node 'g'", "'label' must be a string"),
    ),
    "title-not-string": (
        mutate(lambda d: d.__setitem__("title", ["x"])),
        ("key 'title' must be a string",),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file(case: str, tmp_path: Path) -> None:
    text, fragments = CASES[case]
    (tmp_path / "bad.json").write_text(text, encoding="utf-8")
    proc = run_gradviz("report", "bad.json", cwd=tmp_path)
    line = assert_one_line_error(proc, "gradviz: error: bad.json: ", *fragments)
    assert len(line) < 240, line


def test_the_issue_wording_for_shapes(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(mutate(_shape), encoding="utf-8")
    proc = run_gradviz("report", "bad.json", cwd=tmp_path)
    assert proc.stderr == (
        "gradviz: error: bad.json: node 'z': matmul of (3, 2) by (3,) does not fit\n"
    )


def test_missing_file(tmp_path: Path) -> None:
    proc = run_gradviz("report", "nowhere.json", cwd=tmp_path)
    assert_one_line_error(proc, "nowhere.json: no such file or bundled example")
    proc = run_gradviz("report", "exercise99", cwd=tmp_path)
    assert_one_line_error(proc, "exercise99: no such file or bundled example")


def test_folder_and_binary(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    assert_one_line_error(run_gradviz("report", "dir.json", cwd=tmp_path), "dir.json: is a folder")
    (tmp_path / "bin.json").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert_one_line_error(
        run_gradviz("report", "bin.json", cwd=tmp_path), "bin.json: not UTF-8 text"
    )


@pytest.mark.parametrize("verb", ["check", "step"])
def test_other_verbs_report_bad_files_the_same_way(verb: str, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(mutate(_cycle), encoding="utf-8")
    extra = ["--lr", "1", "-o", "out.json"] if verb == "step" else []
    proc = run_gradviz(verb, "bad.json", *extra, cwd=tmp_path)
    assert_one_line_error(proc, "bad.json: node 'z' is on a cycle")
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    "flags,fragments",
    [
        (["--lr", "abc"], ("step: argument --lr: 'abc' is not a number",)),
        (["--lr", "-1"], ("step: argument --lr: '-1' must be greater than 0",)),
        (["--lr", "0"], ("argument --lr: '0' must be greater than 0",)),
        (["--lr", "nan"], ("argument --lr: 'nan' is refused",)),
        (["--lr", "1/0"], ("argument --lr: '1/0' divides by zero",)),
        (["--lr", "1", "--steps", "0"], ("argument --steps: '0' must be at least 1",)),
        (["--lr", "1", "--steps", "two"], ("argument --steps: 'two' is not a whole number",)),
        ([], ("the following arguments are required: --lr",)),
    ],
)
def test_bad_step_flags(flags: list[str], fragments: tuple[str, ...], tmp_path: Path) -> None:
    proc = run_gradviz("step", "exercise3", "-o", "out.json", *flags, cwd=tmp_path)
    assert_one_line_error(proc, *fragments, "gradviz step --help")
    assert not (tmp_path / "out.json").exists()


def test_step_without_a_loss(tmp_path: Path) -> None:
    (tmp_path / "noloss.json").write_text(mutate(lambda d: d.pop("loss")), encoding="utf-8")
    proc = run_gradviz("step", "noloss.json", "--lr", "1", "-o", "out.json", cwd=tmp_path)
    assert_one_line_error(proc, "noloss.json: the network has no 'loss' node")


def test_step_into_a_missing_folder(tmp_path: Path) -> None:
    proc = run_gradviz("step", "exercise3", "--lr", "1", "-o", "no/such/dir/out.json", cwd=tmp_path)
    assert_one_line_error(proc, "no/such/dir/out.json: cannot be written")


def test_bad_report_flag(tmp_path: Path) -> None:
    proc = run_gradviz("report", "exercise3", "--decimals", "0", cwd=tmp_path)
    assert_one_line_error(proc, "report: argument --decimals: '0' must be at least 1")
