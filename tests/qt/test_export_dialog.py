"""File → Export… and File → Export Worked Solution… driven as a teacher would:
open the dialog from the menu, click options and watch the preview change, export
every format (the file chooser replaced), a selection, a failing folder; Copy as
LaTeX from the inspector and the Jacobian panel by a real right-click."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import window_fixtures
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from gradviz.qt import export_actions, tikz_preview
from gradviz.qt.export_dialog import ExportDialog
from gradviz.qt.main_window import MainWindow

SHEET_J_ROW1 = (
    r"\frac{3}{4} & -\frac{3}{4} & -\frac{3}{2} & \frac{3}{2} & 0 & 0 & "
    r"\frac{1}{2} & \frac{1}{4} & 0 & -\frac{1}{2} & -\frac{1}{4} & 0"
)

#: the shared fixture, also importable from here (test_render_atomic does)
errors = window_fixtures.errors


@pytest.fixture
def window(open_window, errors) -> MainWindow:
    return open_window()


def open_dialog(qtbot, window: MainWindow) -> ExportDialog:
    """File → Export… as the menu does it; the dialog is shown and drawn."""
    window.actions_by_name["export"].trigger()
    dialogs = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitExposed(dialog)
    dialog.refresh_preview()
    return dialog


def answer_with(monkeypatch, dialog: ExportDialog, path: Path) -> list[str]:
    """Replace the file chooser: it answers ``path`` and records what it suggested."""
    asked: list[str] = []

    def ask(suggested: str) -> str:
        asked.append(suggested)
        return str(path)

    monkeypatch.setattr(dialog, "ask_path", ask)
    return asked


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))


def pixels(image: QImage) -> np.ndarray:
    """(h, w, 4) BGRA bytes of an image."""
    img = image.convertToFormat(QImage.Format.Format_ARGB32)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4).copy()


def choose(qtbot, combo: QWidget, index: int) -> None:
    """Pick an entry of a combo box with the keyboard, as a person can."""
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def export_to(qtbot, monkeypatch, dialog: ExportDialog, path: Path) -> None:
    answer_with(monkeypatch, dialog, path)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)


# -- opening and the preview ---------------------------------------------------
def test_file_menu_has_export_on_ctrl_e_and_no_shortcut_twice(window: MainWindow) -> None:
    texts = [a.text() for a in window.file_menu.actions()]
    assert "&Export…" in texts and "Export &Worked Solution…" in texts
    assert "Copy Canvas as Image" in texts
    assert window.actions_by_name["export"].shortcut() == QKeySequence("Ctrl+E")
    seen: dict[str, str] = {}
    for name, action in window.actions_by_name.items():
        for seq in action.shortcuts():
            key = seq.toString()
            assert key not in seen, f"{key} is on both {seen[key]} and {name}"
            seen[key] = name


def test_dialog_opens_with_a_drawn_preview(qtbot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    assert dialog.isModal() or dialog.windowModality() != Qt.WindowModality.NonModal
    image = dialog.preview.image
    assert not image.isNull() and image.width() > 300
    px = pixels(image)
    white = (px[..., :3] > 245).all(axis=2)
    assert 0.5 < white.mean() < 0.995  # a white page with a drawing on it
    assert not dialog.selection_radio.isEnabled()  # nothing selected on the canvas
    assert dialog.info_label.text().startswith("PNG, ")
    assert dialog.exact_check.isChecked()


def test_theme_and_transparency_change_the_preview(qtbot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    light = pixels(dialog.preview.image)
    choose(qtbot, dialog.theme_combo, 1)
    assert dialog.options().theme == "dark"
    dark = pixels(dialog.preview.image)
    assert dark[..., :3].mean() < light[..., :3].mean() - 100
    assert light[..., 3].min() == 255 and dark[..., 3].min() == 255
    click(qtbot, dialog.transparent_check)
    assert dialog.transparent_check.isChecked()
    clear = dialog.preview.image
    assert clear.hasAlphaChannel()
    alpha = pixels(clear)[..., 3]
    assert alpha[0, 0] == 0 and (alpha == 0).mean() > 0.5 and alpha.max() == 255
    assert "transparent background" in dialog.info_label.text()


def test_hiding_values_and_gradients_draws_less(qtbot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    w0, h0 = dialog.renderer.export_size(dialog.options())
    ink0 = (pixels(dialog.preview.image)[..., :3] < 200).sum()
    click(qtbot, dialog.values_check)
    click(qtbot, dialog.gradients_check)
    assert not dialog.options().show_values and not dialog.options().show_gradients
    w1, h1 = dialog.renderer.export_size(dialog.options())
    assert w1 <= w0 and h1 <= h0
    assert (pixels(dialog.preview.image)[..., :3] < 200).sum() < 0.8 * ink0


def test_margin_grows_the_picture(qtbot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    w0, h0 = dialog.renderer.export_size(dialog.options())
    dialog.margin_spin.setValue(dialog.margin_spin.value() + 50)
    assert dialog.renderer.export_size(dialog.options()) == (w0 + 200, h0 + 200)  # at 2×
    assert f"{w0 + 200} × {h0 + 200} pixels" in dialog.info_label.text()


def test_exact_follows_the_window(qtbot, window: MainWindow, monkeypatch, tmp_path) -> None:
    window.actions_by_name["exact"].trigger()  # decimals in the window
    dialog = open_dialog(qtbot, window)
    assert not dialog.exact_check.isChecked()
    choose(qtbot, dialog.format_combo, 1)
    export_to(qtbot, monkeypatch, dialog, tmp_path / "decimals.svg")
    text = " ".join(ET.parse(tmp_path / "decimals.svg").getroot().itertext())
    assert "−1.5" in text and "3/2" not in text


# -- writing every format -----------------------------------------------------------
def test_png_at_one_and_two_times(qtbot, window: MainWindow, monkeypatch, tmp_path) -> None:
    sizes = []
    for k in (0, 1):
        dialog = open_dialog(qtbot, window)
        choose(qtbot, dialog.format_combo, 0)
        choose(qtbot, dialog.scale_combo, k)
        expected = dialog.renderer.export_size(dialog.options())
        export_to(qtbot, monkeypatch, dialog, tmp_path / f"at{k + 1}")  # suffix added
        assert not dialog.isVisible()
        image = QImage(str(tmp_path / f"at{k + 1}.png"))
        assert (image.width(), image.height()) == expected
        sizes.append(expected)
    (w1, h1), (w2, h2) = sizes
    assert 2 * w1 - 1 <= w2 <= 2 * w1 and 2 * h1 - 1 <= h2 <= 2 * h1
    assert str(tmp_path / "at2.png") in window.statusBar().currentMessage()


def test_svg_keeps_labels_as_text(qtbot, window: MainWindow, monkeypatch, tmp_path) -> None:
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 1)
    assert not dialog.scale_combo.isEnabled()
    assert dialog.info_label.text().startswith("SVG, ")
    export_to(qtbot, monkeypatch, dialog, tmp_path / "drawing.svg")
    root = ET.parse(tmp_path / "drawing.svg").getroot()
    texts = ["".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("text")]
    assert "P×E" in texts and "softmax" in texts
    assert any("(2, 1, −3)" in t for t in texts)


def test_pdf(qtbot, window: MainWindow, monkeypatch, tmp_path) -> None:
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 2)
    export_to(qtbot, monkeypatch, dialog, tmp_path / "drawing.pdf")
    data = (tmp_path / "drawing.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"FontFile" in data


def test_tikz_document_and_picture_only(qtbot, window: MainWindow, monkeypatch, tmp_path) -> None:
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 3)
    assert dialog.picture_only_check.isEnabled() and not dialog.margin_spin.isEnabled()
    click(qtbot, dialog.show_source)
    assert dialog.pages.currentWidget() is dialog.source_edit
    assert r"\begin{tikzpicture}" in dialog.source_edit.toPlainText()
    export_to(qtbot, monkeypatch, dialog, tmp_path / "graph.tex")
    text = (tmp_path / "graph.tex").read_text(encoding="utf-8")
    assert text.startswith(r"\documentclass") and r"\begin{tikzpicture}" in text
    assert r"\frac{1}{2}" in text and r"\ln 2" in text

    dialog = open_dialog(qtbot, window)  # remembers TikZ; now the picture alone
    assert dialog.options().fmt == "tex"
    click(qtbot, dialog.picture_only_check)
    export_to(qtbot, monkeypatch, dialog, tmp_path / "frame.tex")
    frame = (tmp_path / "frame.tex").read_text(encoding="utf-8")
    assert r"\documentclass" not in frame
    assert r"\begin{tikzpicture}" in frame and frame.rstrip().endswith(r"\end{tikzpicture}")


def test_options_and_folder_are_remembered(
    qtbot, window: MainWindow, monkeypatch, tmp_path
) -> None:
    out = tmp_path / "slides"
    out.mkdir()
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 1)
    choose(qtbot, dialog.theme_combo, 1)
    click(qtbot, dialog.transparent_check)
    click(qtbot, dialog.gradients_check)
    export_to(qtbot, monkeypatch, dialog, out / "a.svg")
    dialog = open_dialog(qtbot, window)
    o = dialog.options()
    assert (o.fmt, o.theme, o.transparent, o.show_gradients, o.show_values) == (
        "svg",
        "dark",
        True,
        False,
        True,
    )
    asked = answer_with(monkeypatch, dialog, out / "b.svg")
    dialog.export()
    assert asked == [str(out / "exercise-3.svg")]


def test_only_the_selection_is_smaller(qtbot, window: MainWindow, monkeypatch, tmp_path) -> None:
    dialog = open_dialog(qtbot, window)
    export_to(qtbot, monkeypatch, dialog, tmp_path / "whole.png")
    for nid in ("E", "P", "z"):
        window.scene.node_items[nid].setSelected(True)
    dialog = open_dialog(qtbot, window)
    assert dialog.selection == ["E", "P", "z"]
    assert dialog.selection_radio.isEnabled()
    assert dialog.selection_radio.text() == "Only the 3 selected nodes"
    click(qtbot, dialog.selection_radio)
    assert dialog.options().selection_only
    assert "3 selected nodes" in dialog.info_label.text()
    export_to(qtbot, monkeypatch, dialog, tmp_path / "part.png")
    whole, part = QImage(str(tmp_path / "whole.png")), QImage(str(tmp_path / "part.png"))
    assert part.width() < whole.width() / 2 and part.height() <= whole.height()


# -- failures ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", [0, 3])
def test_unwritable_path_keeps_the_dialog(
    qtbot, window: MainWindow, monkeypatch, tmp_path, errors: list[str], fmt: int
) -> None:
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, fmt)
    click(qtbot, dialog.transparent_check)
    target = tmp_path / "no such folder" / "x"
    export_to(qtbot, monkeypatch, dialog, target)
    assert len(errors) == 1
    suffix = dialog.options().suffix
    assert errors[0] == (
        f"Cannot write {target}{suffix}: the folder {target.parent} does not exist."
    )
    assert dialog.isVisible() and dialog.transparent_check.isChecked()
    assert window.settings.value("export/format") is None  # nothing remembered
    (tmp_path / f"taken{suffix}").mkdir()
    export_to(qtbot, monkeypatch, dialog, tmp_path / f"taken{suffix}")
    assert errors[1] == (
        f"Cannot write {tmp_path / f'taken{suffix}'}: a folder of that name is in the way."
    )
    assert dialog.isVisible()


# -- worked solution ------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".md", ".tex"])
def test_worked_solution(qtbot, window: MainWindow, monkeypatch, tmp_path, suffix: str) -> None:
    target = tmp_path / f"solution{suffix}"
    asked: list[str] = []

    def ask(parent: QWidget, suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    monkeypatch.setattr(export_actions, "ask_solution_path", ask)
    window.training.lr_edit.setText("1/2")
    window.actions_by_name["export_solution"].trigger()
    assert Path(asked[0]).name == "exercise-3-solution.tex"
    text = target.read_text(encoding="utf-8")
    assert SHEET_J_ROW1 in text
    assert r"\ln 2" in text and "0.75" not in text
    assert (r"\begin{document}" in text) == (suffix == ".tex")
    assert (text.startswith("# Worked solution")) == (suffix == ".md")
    assert str(target) in window.statusBar().currentMessage()


def test_worked_solution_unwritable(
    window: MainWindow, monkeypatch, tmp_path, errors: list[str]
) -> None:
    target = tmp_path / "gone" / "s.md"
    monkeypatch.setattr(export_actions, "ask_solution_path", lambda parent, s: str(target))
    window.actions_by_name["export_solution"].trigger()
    assert errors == [f"Cannot write {target}: the folder {target.parent} does not exist."]


# -- Copy as LaTeX by a right-click --------------------------------------------------
def right_click_copy_latex(qtbot, widget: QWidget) -> str:
    """Right-click ``widget``, choose Copy as LaTeX in the menu, return the clipboard."""
    QGuiApplication.clipboard().setText("")
    chosen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        [action] = [a for a in menu.actions() if a.text() == "Copy as LaTeX"]
        chosen.append(action.text())
        menu.setActiveAction(action)
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(50, pick)
    center = widget.rect().center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, center, widget.mapToGlobal(center))
    QApplication.sendEvent(widget, event)
    assert chosen == ["Copy as LaTeX"]
    return QGuiApplication.clipboard().text()


def test_copy_as_latex_in_the_inspector_and_the_jacobian_panel(qtbot, window: MainWindow) -> None:
    window.inspector.set_node("g")
    local = window.inspector.blocks["local:0"].analytic
    assert right_click_copy_latex(qtbot, local) == (
        r"\begin{pmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 0 \end{pmatrix}"
    )
    jac = right_click_copy_latex(qtbot, window.jacobian_panel.jacobian_widget)
    assert jac.startswith(r"\begin{pmatrix} " + SHEET_J_ROW1 + r" \\ -\frac{3}{4}")


# -- the TikZ preview as pdflatex draws it ---------------------------------------------
@pytest.mark.skipif(
    tikz_preview.tools() is None, reason="pdflatex or pdftocairo (poppler-utils) is not installed"
)
def test_tikz_preview_is_compiled_by_pdflatex(qtbot, window: MainWindow) -> None:
    dialog = open_dialog(qtbot, window)
    canvas = dialog.preview.image
    with qtbot.waitSignal(dialog.tikzCompiled, timeout=60000):
        choose(qtbot, dialog.format_combo, 3)
        assert "compiling the preview with pdflatex" in dialog.info_label.text()
    assert dialog.preview_kind == "pdflatex"
    assert dialog.info_label.text().endswith("the preview is compiled by pdflatex")
    page = pixels(dialog.preview.image)
    assert dialog.preview.image.size() != canvas.size()
    assert page[..., 3].min() == 255 and 0.5 < (page[..., :3] > 245).all(axis=2).mean() < 0.99
    with qtbot.waitSignal(dialog.tikzCompiled, timeout=60000):
        click(qtbot, dialog.transparent_check)
    alpha = pixels(dialog.preview.image)[..., 3]
    assert alpha[0, 0] == 0 and alpha.max() == 255
    choose(qtbot, dialog.format_combo, 0)  # PNG: the canvas's drawing again
    assert dialog.preview_kind == "canvas"
    choose(qtbot, dialog.format_combo, 3)  # back: the compiled page at once
    assert dialog.preview_kind == "pdflatex" and not dialog.tikz.busy
    dialog.reject()


def test_tikz_preview_without_latex_shows_the_canvas(
    qtbot, window: MainWindow, monkeypatch
) -> None:
    monkeypatch.setattr(tikz_preview, "tools", lambda: None)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 3)
    assert dialog.preview_kind == "canvas" and not dialog.tikz.busy
    assert "the preview is the canvas's drawing" in dialog.info_label.text()
    assert not dialog.preview.image.isNull()


def test_ctrl_e_on_the_canvas_opens_the_dialog(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    [dialog] = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    assert not dialog.preview.image.isNull()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_picture_too_large_is_one_sentence(
    qtbot, window: MainWindow, monkeypatch, tmp_path, errors: list[str]
) -> None:
    monkeypatch.setattr("gradviz.qt.render.MAX_PIXELS", 1000)
    dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog.format_combo, 0)
    export_to(qtbot, monkeypatch, dialog, tmp_path / "huge.png")
    assert len(errors) == 1 and errors[0].startswith("huge.png was not written: the picture ")
    assert errors[0].endswith("choose a smaller scale or export SVG or PDF.")
    assert dialog.isVisible() and not (tmp_path / "huge.png").exists()
