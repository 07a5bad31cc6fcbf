"""Opening documents one after another in the same event-loop pass (two Opens, an
Open then a New, a double-click on a file while the first still loads): the
canvas keeps its size, the docks theirs, and the new drawing is fitted into the
canvas as it is once the layout has settled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication

import gradviz
from gradviz.qt.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(780, 560)  # the offscreen screen is 800 × 600
    w.show()
    qtbot.waitExposed(w)
    settle()
    yield w


def settle() -> None:
    """Let queued layout requests and zero-timers run, as the event loop would."""
    for _ in range(5):
        QApplication.processEvents()


def sizes(w: MainWindow) -> tuple[int, int, int, int]:
    return (w.view.width(), w.view.height(), w.inspector_dock.width(), w.jacobian_dock.height())


def fitted(w: MainWindow) -> bool:
    """The whole drawing is visible in the canvas and fills it in one direction."""
    shown = w.view.mapFromScene(w.view.drawing_rect()).boundingRect()
    port = w.view.viewport().rect()
    inside = port.adjusted(-2, -2, 2, 2).contains(shown)
    fills = shown.width() >= 0.8 * port.width() or shown.height() >= 0.8 * port.height()
    return inside and fills


def saved(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    gradviz.save(gradviz.load("exercise3"), path)
    return str(path)


@pytest.mark.parametrize("layout_between", [False, True], ids=["back-to-back", "layout-between"])
@pytest.mark.parametrize(
    "second",
    [
        lambda w, p: w.open_file(saved(p, "b.json")),
        lambda w, p: w.new_from_example("exercise3"),
    ],
    ids=["open-open", "open-new"],
)
def test_two_documents_in_one_pass_keep_the_canvas_size_and_fit(
    window: MainWindow,
    tmp_path: Path,
    second: Callable[[MainWindow, Path], bool],
    layout_between: bool,
) -> None:
    before = sizes(window)
    assert before[0] > 200 and before[1] > 150
    assert window.open_file(saved(tmp_path, "a.json"))
    if layout_between:  # the window's layout runs, but no timer has fired yet
        QApplication.sendPostedEvents()
    assert second(window, tmp_path)
    settle()
    after = sizes(window)
    assert all(abs(a - b) <= 2 for a, b in zip(after, before, strict=True)), (before, after)
    assert fitted(window)
    assert window.view.viewport().rect() == QRect(0, 0, window.view.width(), window.view.height())


def test_one_document_keeps_the_canvas_size_and_fits(window: MainWindow, tmp_path: Path) -> None:
    before = sizes(window)
    assert window.open_file(saved(tmp_path, "a.json"))
    settle()
    assert sizes(window) == before
    assert fitted(window)
