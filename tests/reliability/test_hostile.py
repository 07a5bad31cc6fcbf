"""Nothing hostile gets through.

* Model files are data only: JSON read by :func:`json.loads`, never pickle, YAML
  or eval. Keys such as ``"__class__"`` or ``"!!python/object/apply"`` are kept as
  inert text; a pickle, a YAML document or code where a number belongs is refused
  with the one-line error — and nothing they ask for ever runs.
* Paths: the format has none that gradviz follows. A ``"pos"``, ``"label"``,
  ``"title"`` or extra key that looks like a path is only text: an audit hook
  records every file opened while loading, evaluating and exporting such a
  network, and none of those paths is ever opened.
* Hostile labels reach every export literally: SVG (parses as XML, the text is a
  ``<text>`` element's content, no element is injected), the Markdown solution
  (every markup character escaped), TikZ and the LaTeX solution (compiled by a
  real pdflatex without shell escape; the PDF shows the characters as typed).
"""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gradviz
from gradviz.export.escape import markdown_text
from gradviz.export.solution import solution_latex, solution_markdown
from gradviz.export.tikz import tikz_document, tikz_picture
from gradviz.model.fileformat import ModelError, dumps, from_dict, load, to_dict

sys.path.insert(0, str(Path(__file__).parent.parent / "export"))
from export_support import compile_latex, needs_pdflatex, pdf_text  # noqa: E402

#: Every label tried, in every export format (two networks of eight nodes each).
HOSTILE_LABELS = [
    r"\input{/etc/passwd}",
    r"\write18{touch pwned}",
    r"\immediate\write18{touch pwned}\end{document}",
    "<script>alert(1)</script>",
    "]]>",
    "<![CDATA[x]]> <!-- c -->",
    "&amp; & &lt; &#x41;",
    "[x](javascript:alert(1))",
    "![i](http://e.vil/p.png) <img src=x onerror=alert(1)>",
    "\"quotes' and `ticks`",
    "#%_&{}$^~\\",
    "$(touch pwned) `rm -rf ~`",
    "../../../etc/passwd",
    "file:///etc/shadow",
    "{{7*7}} ${7*7} %(x)s",
    "# heading *b* _i_ | --- |",
]
SVG = "{http://www.w3.org/2000/svg}"


def labelled(labels: list[str], title: str) -> gradviz.Network:
    """Exercise 3 with ``labels`` on its eight nodes, in file order."""
    doc = to_dict(load("exercise3"))
    for node, label in zip(doc["nodes"], labels, strict=True):
        node["label"] = label
    doc["title"] = title
    return from_dict(doc, "<hostile>")


@pytest.fixture(params=[0, 1], ids=["labels 1-8", "labels 9-16"])
def net(request: pytest.FixtureRequest) -> gradviz.Network:
    k = request.param
    return labelled(HOSTILE_LABELS[8 * k : 8 * k + 8], HOSTILE_LABELS[8 * k + 3])


# -- data only -------------------------------------------------------------------------


class Trap:
    """Unpickling this would create the file ``target``."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.target), "w"))


def test_a_pickle_is_refused_and_never_unpickled(tmp_path: Path) -> None:
    trap = tmp_path / "pwned"
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        path = tmp_path / f"net{protocol}.json"
        path.write_bytes(pickle.dumps(Trap(trap), protocol=protocol))
        with pytest.raises(ModelError) as e:
            load(path)
        assert "\n" not in str(e.value) and str(path) in str(e.value)
    assert not trap.exists()


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['touch pwned']",
        "--- !!python/object:__main__.Evil {}\n",
        "__import__('os').system('touch pwned')",
        "{'format': 'gradviz'}",  # a Python literal, not JSON
    ],
)
def test_yaml_and_python_are_not_json(text: str, tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text(text)
    with pytest.raises(ModelError, match="not valid JSON"):
        load(path)
    assert not Path("pwned").exists() and not (tmp_path / "pwned").exists()


EVIL_KEYS: dict[str, Any] = {
    "__class__": "os.system",
    "__reduce__": ["os.system", ["touch pwned"]],
    "!!python/object/apply:os.system": ["touch pwned"],
    "$type": "System.Diagnostics.Process",
    "__proto__": {"polluted": True},
    "py/object": "subprocess.Popen",
}


def test_object_markers_are_inert_text(tmp_path: Path) -> None:
    doc = to_dict(load("exercise3"))
    doc.update(EVIL_KEYS)
    doc["nodes"][1].update(EVIL_KEYS)
    net = from_dict(json.loads(json.dumps(doc)), "evil.json")
    assert net.extra["__class__"] == "os.system"  # kept as plain data
    assert net.node("P").extra["py/object"] == "subprocess.Popen"
    assert type(net.node("P")).__name__ == "Node"
    assert net.evaluate().loss is not None
    back = json.loads(dumps(net))  # saved back as the same inert text
    assert {k: back[k] for k in EVIL_KEYS} == EVIL_KEYS
    assert not Path("pwned").exists()


@pytest.mark.parametrize(
    "value",
    ["__import__('os').system('touch pwned')", "3/4", {"__class__": "float"}, [["1", 2]]],
)
def test_code_where_a_number_belongs_is_refused(value: Any) -> None:
    doc = to_dict(load("exercise3"))
    doc["nodes"][1]["value"] = value
    with pytest.raises(ModelError, match="node 'P': 'value' must hold only numbers"):
        from_dict(doc, "evil.json")


def test_no_code_loading_module_in_gradviz() -> None:
    """The package never imports pickle, marshal, shelve or yaml, and calls no
    eval/exec: file data cannot reach an interpreter."""
    root = Path(gradviz.__file__).parent
    bad = re.compile(
        r"^\s*(import|from)\s+(pickle|cPickle|marshal|shelve|yaml|dill)\b"
        r"|(?<![\w.])(eval|exec)\(",
        re.M,
    )
    offenders = [p.name for p in root.rglob("*.py") if bad.search(p.read_text("utf-8"))]
    assert offenders == []


def test_the_app_refuses_a_pickle_and_keeps_its_document(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from gradviz.qt.main_window import MainWindow

    monkeypatch.setenv("GRADVIZ_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda p, t, text, *a: shown.append(text))
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    evil = tmp_path / "lesson.json"
    evil.write_bytes(pickle.dumps(Trap(tmp_path / "pwned")))
    before = w.doc
    assert not w.open_file(str(evil))
    assert len(shown) == 1 and shown[0].startswith(str(evil)) and "\n" not in shown[0]
    assert w.doc is before and not (tmp_path / "pwned").exists()


# -- paths are text --------------------------------------------------------------------

_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, Path)):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path Python opens while the test runs (an audit hook)."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def test_paths_in_a_file_are_only_text(tmp_path: Path, opened: list[str], qapp) -> None:
    """Only the file the user chose (and gradviz's own, Qt's and Python's files)
    is opened; nothing a string inside it names."""
    secret = tmp_path / "secret.json"
    secret.write_text('{"stolen": true}')
    doc = to_dict(load("exercise3"))
    doc["title"] = str(secret)
    doc["include"] = str(secret)
    doc["nodes"][0]["pos"] = "/etc/passwd"
    doc["nodes"][1]["pos"] = [str(secret), "/etc/shadow"]
    doc["nodes"][2]["label"] = "../../../etc/passwd"
    doc["nodes"][3]["label"] = "file:///etc/shadow"
    doc["nodes"][4]["href"] = str(secret)
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc))
    opened.clear()  # from here on, gradviz works
    net = load(path)
    assert net.node("E").pos is None and net.node("P").pos is None  # not positions: layout
    assert net.node("z").display_label == "../../../etc/passwd"
    ev = net.evaluate()
    assert ev.loss is not None
    tikz = tikz_picture(net)
    md = solution_markdown(net)
    from gradviz.qt.render import export_file

    export_file(net, tmp_path / "out.svg")
    assert markdown_text("../../../etc/passwd") in md and "etc/passwd" in tikz
    texts = [t.text for t in ET.parse(tmp_path / "out.svg").getroot().iter(f"{SVG}text")]
    assert "../../../etc/passwd" in texts and "file:///etc/shadow" in texts
    touched = [p for p in opened if "passwd" in p or "shadow" in p or "secret" in p]
    assert touched == [], touched
    assert str(path) in opened  # (sanity: the hook sees opens)


# -- hostile labels in every export ------------------------------------------------------


def test_svg_parses_and_shows_labels_literally(net: gradviz.Network, tmp_path: Path, qapp) -> None:
    from gradviz.qt.render import export_file

    out = tmp_path / "net.svg"
    export_file(net, out)
    root = ET.parse(out).getroot()  # well-formed XML despite ]]>, <!--, &
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "desc",
        "defs",
        "g",
        "rect",
        "path",
        "polyline",
        "polygon",
        "text",
        "image",
    }, tags
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for node in net.nodes:
        assert node.label in texts, node.label
    assert root.find(f"{SVG}title").text == net.title
    for e in root.iter():
        for name, value in e.attrib.items():
            assert not name.startswith("on") and "javascript:" not in value, (name, value)


def test_svg_with_control_characters_still_parses(tmp_path: Path, qapp) -> None:
    from gradviz.qt.render import export_file

    net = labelled(["bell\x07", "nul\x00", "esc\x1b", "E", "P", "z", "g", "l"], "t\x0c")
    export_file(net, tmp_path / "ctl.svg")
    root = ET.parse(tmp_path / "ctl.svg").getroot()
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "bell" in texts and "nul" in texts and "esc" in texts  # the rest of each label kept


def _commonmark_unescape(s: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s)


def test_markdown_solution_escapes_every_label(net: gradviz.Network) -> None:
    md = solution_markdown(net)
    shown = _commonmark_unescape(md)
    for node in net.nodes:
        assert node.label is not None
        assert f"labelled “{node.label}”" in shown, node.label  # the text, as typed
    prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", md.replace("\\$", ""), flags=re.S)
    # no raw HTML (<script>, <img>, <!--) and no link or image syntax is left live
    assert re.search(r"(?<!\\)<", prose) is None
    assert re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", prose) is None


@needs_pdflatex
@pytest.mark.parametrize("kind", ["tikz", "solution"])
def test_latex_exports_compile_and_print_literally(
    net: gradviz.Network, kind: str, tmp_path: Path
) -> None:
    tex = tikz_document(net) if kind == "tikz" else solution_latex(net)
    assert r"\write18" not in tex and r"\input{/etc" not in tex
    text = pdf_text(compile_latex(tex, tmp_path)).replace("’", "'")  # OT1's apostrophe
    flat = "".join(text.split())
    for node in net.nodes:
        assert node.label is not None
        # long labels wrap inside TikZ nodes: every word is there, character for character
        for word in node.label.split():
            assert word in flat, (node.label, word)
    assert "root:" not in text  # /etc/passwd was never read
    assert not (tmp_path / "pwned").exists()


def test_the_cli_exports_a_hostile_file(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(dumps(labelled(HOSTILE_LABELS[:8], HOSTILE_LABELS[7])))
    for out in ("net.svg", "net.tex"):
        proc = subprocess.run(
            [sys.executable, "-m", "gradviz", "export", str(path), "-o", str(tmp_path / out)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        assert proc.returncode == 0, proc.stderr
    ET.parse(tmp_path / "net.svg")
    assert r"\textbackslash{}input\{/etc/passwd\}" in (tmp_path / "net.tex").read_text()
    assert not (tmp_path / "pwned").exists()
