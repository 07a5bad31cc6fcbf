"""Test set-up: Qt runs headless everywhere (no display on CI machines)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402

# CI runs the property tests on a fixed set of examples (reproducible, never flaky);
# on a developer's machine hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
