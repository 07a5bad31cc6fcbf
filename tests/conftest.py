"""Test set-up: Qt runs headless everywhere (no display on CI machines)."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Autosaves from tests go to a throwaway folder, never the user's real one.
os.environ.setdefault("GRADVIZ_AUTOSAVE_DIR", tempfile.mkdtemp(prefix="gradviz-test-autosave-"))

from hypothesis import settings  # noqa: E402

# CI runs the property tests on a fixed set of examples (reproducible, never flaky);
# on a developer's machine hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
