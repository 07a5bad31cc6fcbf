"""The Qt tests' shared fixtures, defined in :mod:`window_fixtures` (a module a
test file can import from, as a conftest cannot be)."""

from window_fixtures import errors, no_dialogs, open_window, window  # noqa: F401
