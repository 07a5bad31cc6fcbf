"""The TikZ export as LaTeX really draws it, for the export dialog's preview.

When ``pdflatex`` and poppler's ``pdftocairo`` are installed, :class:`TikzCompiler`
compiles the standalone ``.tex`` in a private temporary folder and rasterises the
page (keeping transparency) without blocking the window: two ``QProcess`` runs,
about half a second for ``exercise3``. Requests come faster than that while the
teacher clicks options, so they are debounced and a newer request stops the run
in progress; only the newest source is ever reported. Without the tools the
dialog keeps showing the canvas's own drawing (TikZ puts the nodes at the same
positions).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QProcess, QTemporaryDir, QTimer, Signal
from PySide6.QtGui import QImage

#: Seconds a compilation may take before it is abandoned.
TIMEOUT_S = 30
DEBOUNCE_MS = 250


def _kill(processes: list[QProcess]) -> None:
    """Stop the processes still running (each waited for, at most a second)."""
    for process in processes:
        if shiboken6.isValid(process) and process.state() != QProcess.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(1000)
    processes.clear()


def tools() -> tuple[str, str] | None:
    """Paths of ``pdflatex`` and ``pdftocairo``, or None when either is missing."""
    latex, cairo = shutil.which("pdflatex"), shutil.which("pdftocairo")
    return (latex, cairo) if latex and cairo else None


class TikzCompiler(QObject):
    """Compile a standalone TikZ document to an image in the background.

    :meth:`request` schedules ``tex`` at ``dpi`` dots per inch; ``ready(image, key)``
    follows for the newest request (``image`` ARGB, transparent where the page is
    empty when ``transparent``; ``key`` is ``(tex, transparent)``), or
    ``failed(message, key)`` with the first LaTeX error line."""

    ready = Signal(QImage, object)
    failed = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tools = tools()
        self._dir = QTemporaryDir()
        self._process: QProcess | None = None
        self._pending: tuple[str, float, bool] | None = None
        self._running: tuple[str, float, bool] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.setInterval(TIMEOUT_S * 1000)
        self._watchdog.timeout.connect(self._time_out)
        # A compiler deleted mid-run (its dialog went with the window) stops LaTeX first.
        self._live: list[QProcess] = []
        live = self._live
        self.destroyed.connect(lambda *_: _kill(live))

    @property
    def available(self) -> bool:
        return self.tools is not None and self._dir.isValid()

    @property
    def busy(self) -> bool:
        return self._pending is not None or self._process is not None

    def request(self, tex: str, dpi: float, transparent: bool) -> None:
        """Compile ``tex`` soon (after :data:`DEBOUNCE_MS` of quiet)."""
        if not self.available:
            return
        self._pending = (tex, dpi, transparent)
        self._timer.start()

    def cancel(self) -> None:
        """Forget pending work and stop the process running now."""
        self._pending = None
        self._timer.stop()
        self._stop()

    # -- the two processes ------------------------------------------------------------
    def _path(self, name: str) -> str:
        return str(Path(self._dir.path()) / name)

    def _stop(self) -> None:
        self._watchdog.stop()
        process, self._process, self._running = self._process, None, None
        if process is not None:
            process.finished.disconnect()
            process.kill()
            process.waitForFinished(1000)
            process.deleteLater()

    def _run(self, program: str, args: list[str], then: object) -> None:
        process = QProcess(self)
        process.setWorkingDirectory(self._dir.path())
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.finished.connect(then)
        self._process = process
        self._live[:] = [process]
        self._watchdog.start()
        process.start(program, args)

    def _start(self) -> None:
        if self._pending is None or self.tools is None:
            return
        self._stop()
        self._running, self._pending = self._pending, None
        tex = self._running[0]
        Path(self._path("preview.tex")).write_text(tex, encoding="utf-8")
        self._run(
            self.tools[0],
            ["-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "preview.tex"],
            self._latex_done,
        )

    def _latex_done(self, code: int, status: QProcess.ExitStatus) -> None:
        process, running = self._process, self._running
        if process is None or running is None or self.tools is None:
            return
        log = bytes(process.readAll().data()).decode("utf-8", "replace")
        process.deleteLater()
        self._process = None
        if code != 0 or status != QProcess.ExitStatus.NormalExit:
            errors = [line[1:].strip() for line in log.splitlines() if line.startswith("!")]
            self._finish_failed(errors[0] if errors else f"pdflatex stopped with code {code}")
            return
        tex, dpi, transparent = running
        args = ["-png", "-singlefile", "-r", f"{dpi:.0f}"] + (["-transp"] if transparent else [])
        self._run(self.tools[1], [*args, "preview.pdf", "preview"], self._raster_done)

    def _raster_done(self, code: int, status: QProcess.ExitStatus) -> None:
        process, running = self._process, self._running
        if process is None or running is None:
            return
        process.deleteLater()
        self._process, self._running = None, None
        self._watchdog.stop()
        image = QImage(self._path("preview.png"))
        if code != 0 or image.isNull():
            self._running = running
            self._finish_failed("pdftocairo could not draw the compiled page")
            return
        self.ready.emit(
            image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied),
            (running[0], running[2]),
        )
        self._start_next()

    def _finish_failed(self, message: str) -> None:
        running = self._running
        self._watchdog.stop()
        self._running = None
        if running is not None:
            self.failed.emit(message, (running[0], running[2]))
        self._start_next()

    def _time_out(self) -> None:
        running = self._running
        self._stop()
        if running is not None:
            self.failed.emit(f"LaTeX took longer than {TIMEOUT_S} s", (running[0], running[2]))

    def _start_next(self) -> None:
        if self._pending is not None and not self._timer.isActive():
            self._start()
