"""Run ``python -m gradviz FILE`` exactly, after arranging one edit at start-up.

Used by ``test_autosave_crash.py``: the test starts this file as a subprocess,
waits for the autosaved copy, then kills the process with SIGKILL. The edit is
made as a person would make it — one command on the window's undo stack — once
the first window exists. ``CRASH_ACTION`` chooses it: ``edit`` sets P[1,1] to 7,
``step`` takes one gradient step (lr 1) through the toolbar.
"""

from __future__ import annotations

import os
import runpy
import sys

from PySide6.QtCore import QTimer

from gradviz.qt import main_window
from gradviz.qt.undo import SetEntryCommand

_original_init = main_window.MainWindow.__init__


def _init_then_edit(self: main_window.MainWindow, *args: object, **kwargs: object) -> None:
    _original_init(self, *args, **kwargs)  # type: ignore[arg-type]

    def edit() -> None:
        if os.environ.get("CRASH_ACTION") == "step":
            self.training.lr_edit.setText("1")
            self.training.step_button.click()
        else:
            self.undo_stack.push(SetEntryCommand(self.doc, "P", (0, 0), 7.0))
        print("edited", flush=True)

    QTimer.singleShot(0, edit)


main_window.MainWindow.__init__ = _init_then_edit  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.argv = ["gradviz", *sys.argv[1:]]
    runpy.run_module("gradviz", run_name="__main__", alter_sys=True)
