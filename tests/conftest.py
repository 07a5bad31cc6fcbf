"""Test set-up: Qt runs headless everywhere (no display on CI machines)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
