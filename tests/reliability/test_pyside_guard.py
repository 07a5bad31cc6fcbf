"""Guard against PySide6 6.12.0's bug on Python 3.11: every void Qt call drops one
reference to ``None``; after a few thousand calls the interpreter aborts
("none_dealloc"). gradviz pins PySide6-Essentials below 6.12; this test fails
loudly if an installed PySide6 has the bug anyway."""

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_refcount() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(5000):
        obj.setObjectName(f"n{i % 7}")  # a void call
        obj.blockSignals(False)
    after = sys.getrefcount(None)
    # Unrelated allocations may move the count a little; the bug drops 10,000.
    assert after >= before - 100, (
        f"sys.getrefcount(None) fell by {before - after} over 10,000 void Qt calls: "
        "this PySide6 has the 6.12.0 refcount bug; install PySide6-Essentials<6.12"
    )
