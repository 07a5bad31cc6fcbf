"""PNG, SVG and PDF exports drawn by the canvas's own items: sizes, transparency,
real pixels, text kept as text, options, selection, and a random network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from canvas_support import overlaps
from PySide6.QtGui import QColor, QGuiApplication, QImage

import gradviz
from gradviz.model.fileformat import from_dict
from gradviz.model.network import Network
from gradviz.qt.canvas import style
from gradviz.qt.render import build_scene, copy_image_to_clipboard, export_file, scene_to_image
from gradviz.qt.theme import DARK, LIGHT, DisplayOptions

SHEET_LABELS = ["P×E", "ReLU", "Q×·", "softmax", "−ln", "l = ln 2"]
SHEET_EDGES = ["z = (2, 1, −3)", "∂l/∂z = (−3/2, 3, 0)", "f = (1/2, 1/2)", "∂l/∂f = (−2, 0)"]


@pytest.fixture
def net() -> Network:
    return gradviz.load("exercise3")


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("text")]


def drawn_pixels(image: QImage, background: QColor) -> int:
    """Pixels whose colour differs clearly from the background (or are not transparent)."""
    img = image.convertToFormat(QImage.Format.Format_ARGB32)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    px = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4).astype(int)
    bgra = np.array([background.blue(), background.green(), background.red(), background.alpha()])
    return int((np.abs(px - bgra).sum(axis=2) > 60).sum())


def random_network(seed: int) -> Network:
    """x → (W_k × · + b_k, activation) × depth → softmax → −ln, random sizes and values."""
    rng = np.random.default_rng(seed)
    width = int(rng.integers(2, 5))
    nodes: list[dict[str, object]] = [
        {"id": "x", "op": "input", "value": rng.integers(-3, 4, width).tolist()}
    ]
    prev = "x"
    for k in range(int(rng.integers(1, 4))):
        out = int(rng.integers(2, 5))
        w = (rng.integers(-8, 9, (out, width)) / 4).tolist()
        act = str(rng.choice(["relu", "sigmoid", "tanh"]))
        nodes += [
            {"id": f"W{k}", "op": "param", "value": w},
            {"id": f"b{k}", "op": "param", "value": (rng.integers(-4, 5, out) / 2).tolist()},
            {"id": f"m{k}", "op": "matmul", "inputs": [f"W{k}", prev], "label": f"W{k}×·"},
            {"id": f"a{k}", "op": "add", "inputs": [f"m{k}", f"b{k}"], "label": "+ b"},
            {"id": f"h{k}", "op": act, "inputs": [f"a{k}"]},
        ]
        prev, width = f"h{k}", out
    nodes += [
        {"id": "p", "op": "softmax", "inputs": [prev], "label": "softmax"},
        {"id": "loss", "op": "neg_log", "inputs": ["p"], "index": 0, "label": "−ln"},
    ]
    return from_dict(
        {
            "format": "gradviz",
            "version": 1,
            "title": f"random {seed}",
            "nodes": nodes,
            "output": "p",
            "loss": "loss",
        }
    )


def test_png_has_the_drawings_size_and_twice_the_pixels_at_scale_2(qapp, net, tmp_path):
    export_file(net, tmp_path / "a.png")
    export_file(net, tmp_path / "b.png", scale=2)
    a, b = QImage(str(tmp_path / "a.png")), QImage(str(tmp_path / "b.png"))
    assert not a.isNull() and not b.isNull()
    scene = build_scene(net)
    rect = scene.drawing_rect().adjusted(-24, -24, 24, 24)
    assert (a.width(), a.height()) == (int(np.ceil(rect.width())), int(np.ceil(rect.height())))
    assert abs(b.width() - 2 * a.width()) <= 1 and abs(b.height() - 2 * a.height()) <= 1
    assert a.pixelColor(0, 0) == QColor(LIGHT.background)
    assert drawn_pixels(a, QColor(LIGHT.background)) > 0.02 * a.width() * a.height()
    assert drawn_pixels(b, QColor(LIGHT.background)) > 2.5 * drawn_pixels(
        a, QColor(LIGHT.background)
    )


def test_transparent_png_is_truly_transparent_around_the_drawing(qapp, net, tmp_path):
    export_file(net, tmp_path / "t.png", transparent=True, scale=2)
    img = QImage(str(tmp_path / "t.png"))
    assert img.hasAlphaChannel()
    w, h = img.width() - 1, img.height() - 1
    for x, y in [(0, 0), (w, 0), (0, h), (w, h), (w // 2, 2)]:
        assert img.pixelColor(x, y).alpha() == 0
    opaque = drawn_pixels(img, QColor(0, 0, 0, 0))
    assert opaque > 0.02 * img.width() * img.height()
    # the gradient labels are drawn in the theme's gradient colour
    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    red = QColor(LIGHT.gradient)
    near = sum(
        1
        for y in range(0, img.height(), 2)
        for x in range(0, img.width(), 2)
        if img.pixelColor(x, y).alpha() > 240
        and abs(img.pixelColor(x, y).red() - red.red()) < 30
        and abs(img.pixelColor(x, y).green() - red.green()) < 30
        and abs(img.pixelColor(x, y).blue() - red.blue()) < 30
    )
    assert near > 50


def test_dark_theme_png(qapp, net, tmp_path):
    export_file(net, tmp_path / "d.png", theme="dark")
    img = QImage(str(tmp_path / "d.png"))
    assert img.pixelColor(1, 1) == QColor(DARK.background)
    assert drawn_pixels(img, QColor(DARK.background)) > 0.02 * img.width() * img.height()


def test_svg_keeps_labels_and_edge_values_as_text(qapp, net, tmp_path):
    export_file(net, tmp_path / "g.svg")
    texts = svg_texts(tmp_path / "g.svg")
    for label in SHEET_LABELS + SHEET_EDGES + ["E", "P", "Q", "−3/2", "3/2"]:
        assert label in texts, label
    root = ET.parse(tmp_path / "g.svg").getroot()
    view_w = float(root.get("viewBox", "0 0 0 0").split()[2])
    assert view_w > 500
    assert float(root.get("width", "0").removesuffix("mm")) == pytest.approx(
        view_w * 25.4 / 96, 0.01
    )


def test_svg_without_values_or_gradients(qapp, net, tmp_path):
    export_file(net, tmp_path / "v.svg", show_gradients=False)
    texts = svg_texts(tmp_path / "v.svg")
    assert "z = (2, 1, −3)" in texts and not any(t.startswith("∂") for t in texts)
    export_file(net, tmp_path / "g.svg", show_values=False)
    texts = svg_texts(tmp_path / "g.svg")
    assert "∂l/∂z = (−3/2, 3, 0)" in texts and "z = (2, 1, −3)" not in texts
    assert "ReLU" in texts  # nodes stay
    export_file(net, tmp_path / "dec.svg", exact=False)
    assert "f = (0.5, 0.5)" in svg_texts(tmp_path / "dec.svg")


def test_pdf_is_a_vector_pdf_whose_text_holds_the_labels(qapp, net, tmp_path):
    export_file(net, tmp_path / "g.pdf")
    data = (tmp_path / "g.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data or b"/FontFile" in data  # fonts embedded
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text layer is not read")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "g.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for label in ["P×E", "ReLU", "softmax", "z = (2, 1, −3)", "∂l/∂z = (−3/2, 3, 0)", "l = ln 2"]:
        assert label in text, label


def test_selection_draws_only_the_chosen_nodes(qapp, net, tmp_path):
    export_file(net, tmp_path / "s.svg", selection=["E", "P", "z"])
    texts = svg_texts(tmp_path / "s.svg")
    assert "P×E" in texts and "E = (1, −1)" in texts
    assert "softmax" not in texts and "ReLU" not in texts and "z = (2, 1, −3)" not in texts
    export_file(net, tmp_path / "s.png", selection=["E", "P", "z"])
    export_file(net, tmp_path / "all.png")
    assert QImage(str(tmp_path / "s.png")).width() < QImage(str(tmp_path / "all.png")).width() / 2
    with pytest.raises(ValueError, match="no such node"):
        export_file(net, tmp_path / "x.png", selection=["nope"])


def test_bad_requests_raise_one_sentence(qapp, net, tmp_path):
    with pytest.raises(ValueError, match=r"cannot export to '\.jpg'; choose \.png, \.svg or \.pdf"):
        export_file(net, tmp_path / "a.jpg")
    with pytest.raises(ValueError, match="unknown theme 'blue'"):
        export_file(net, tmp_path / "a.png", theme="blue")
    with pytest.raises(ValueError, match="positive number"):
        export_file(net, tmp_path / "a.png", scale=0)
    with pytest.raises(ValueError, match="smaller scale"):
        export_file(net, tmp_path / "a.png", scale=100)
    with pytest.raises(FileNotFoundError, match=r"No such file or directory: '.*a\.png'"):
        export_file(net, tmp_path / "missing-folder" / "a.png")
    assert not list(tmp_path.iterdir())


def test_export_uses_saved_positions_and_leaves_the_network_alone(qapp, net, tmp_path):
    net.node("g").extra["pos"] = [400.0, -300.0]
    before = json.dumps(gradviz.model.fileformat.to_dict(net), sort_keys=True)
    scene = build_scene(net)
    assert (scene.node_items["g"].pos().x(), scene.node_items["g"].pos().y()) == (400.0, -300.0)
    export_file(net, tmp_path / "p.svg")
    assert json.dumps(gradviz.model.fileformat.to_dict(net), sort_keys=True) == before


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_networks_export_in_every_format(qapp, tmp_path, seed):
    net = random_network(seed)
    ev = gradviz.evaluate(net)
    for ext in ("png", "svg", "pdf"):
        export_file(net, tmp_path / f"r.{ext}")
        assert (tmp_path / f"r.{ext}").stat().st_size > 1000
    img = QImage(str(tmp_path / "r.png"))
    assert drawn_pixels(img, QColor(LIGHT.background)) > 0.01 * img.width() * img.height()
    texts = svg_texts(tmp_path / "r.svg")
    assert "softmax" in texts and "−ln" in texts
    scene = build_scene(net)
    loss = scene.node_items["loss"]
    assert loss.value_text in texts
    assert loss.value_text == "loss = " + style.number(ev.loss, DisplayOptions())
    assert overlaps(scene) == []  # wide decimal labels and big matrices still keep apart


def test_scene_to_image_and_clipboard_for_the_window(qapp, net):
    scene = build_scene(net, DisplayOptions(theme="dark"))
    img = scene_to_image(scene, 1.0)
    assert img.pixelColor(0, 0) == QColor(DARK.background)
    copied = copy_image_to_clipboard(scene)
    assert copied.width() == pytest.approx(2 * img.width(), abs=1)
    clip = QGuiApplication.clipboard().image()
    assert clip.width() == copied.width() and clip.height() == copied.height()


def test_export_starts_qt_itself_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.pop("WAYLAND_DISPLAY", None)
    code = (
        "import gradviz; from gradviz.qt.render import export_file; "
        f"export_file(gradviz.load('exercise3'), {str(tmp_path / 'h.png')!r}, scale=2)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert QImage(str(tmp_path / "h.png")).width() > 1000
