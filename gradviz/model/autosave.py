"""Crash-safe copies of unsaved work.

While a document has unsaved changes the app writes a copy every 30 s (and after
every gradient-step run) into a per-user folder — never over the user's own
file. Each copy is a normal gradviz file plus one top-level key
``"gradviz_autosave"`` recording where the document came from, which process
wrote it and when. A copy whose process is no longer running was left by a
crash: on the next start the app offers to restore, compare or discard it.

Copies are written atomically (a temporary file in the folder, flushed, renamed
over the previous copy), so a crash while autosaving leaves the previous copy.

Non-finite values: a network whose parameters overflowed to ``inf`` or ``NaN``
(a diverging run of gradient descent, a weight typed as ``1e308``) cannot be
written as a gradviz file — JSON has no such numbers and :func:`load` refuses
them. :meth:`AutosaveStore.write` then *skips* that copy and keeps the previous
one, which holds the last state whose values were all finite (the state a
teacher wants back: the step that diverged is one Undo away from it). The skip
is reported in :attr:`AutosaveStore.skipped`, one sentence the window shows in
its status bar.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gradviz.model.atomic import write_text_atomic
from gradviz.model.fileformat import ModelError, dumps, from_dict
from gradviz.model.network import Network

KEY = "gradviz_autosave"
SUFFIX = ".autosave.gradviz.json"


def default_folder() -> Path:
    """``$GRADVIZ_AUTOSAVE_DIR``, else ``$XDG_DATA_HOME/gradviz/autosave``
    (``~/.local/share/gradviz/autosave``)."""
    env = os.environ.get("GRADVIZ_AUTOSAVE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gradviz" / "autosave"


@dataclass(frozen=True)
class AutosaveEntry:
    """One autosaved copy: its file, the document's own path (None if never
    saved), the writing process id, and the time it was written (epoch seconds)."""

    file: Path
    source: Path | None
    pid: int
    saved_at: float

    def load(self) -> Network:
        """The autosaved network, without the bookkeeping key. Validated like any
        file (:func:`~gradviz.model.fileformat.from_dict`): raises ModelError."""
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
            raise ModelError(f"{self.file}: the autosaved copy cannot be read ({e})") from None
        if isinstance(data, dict):
            data.pop(KEY, None)
        return from_dict(data, str(self.file))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running (0 or less: no process wrote it)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return False
    return True


class AutosaveStore:
    """The folder of autosaved copies. One file per open document, named by the
    process and a per-process document number so windows never collide."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else default_folder()
        #: Why the last :meth:`write` wrote nothing (None after a written copy).
        self.skipped: str | None = None

    def file_for(self, slot: int, pid: int | None = None) -> Path:
        return self.folder / f"{pid or os.getpid()}-{slot}{SUFFIX}"

    def write(self, net: Network, source: Path | None, slot: int) -> Path | None:
        """Write a copy atomically; returns its path, or None when the network
        holds a value no file can hold (NaN, ±inf): then the previous copy stays
        and :attr:`skipped` says why. Raises OSError when the folder cannot be
        written (the caller reports it; autosave never interrupts the user)."""
        try:
            text = dumps(net)
        except ModelError as e:
            self.skipped = f"Autosave skipped: {e}; the last copy with finite values is kept"
            return None
        doc = json.loads(text)
        doc[KEY] = {
            "source": str(source) if source else None,
            "pid": os.getpid(),
            "saved_at": time.time(),
        }
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.file_for(slot)
        write_text_atomic(target, json.dumps(doc, ensure_ascii=False))
        self.skipped = None
        return target

    def remove(self, slot: int) -> None:
        """Forget this process's copy (after a save, or a clean close). Never
        raises: a copy that cannot be deleted is offered again, nothing worse."""
        _unlink(self.file_for(slot))

    def entries(self) -> list[AutosaveEntry]:
        """Every readable copy in the folder, newest first."""
        found = []
        for file in self.folder.glob(f"*{SUFFIX}"):
            try:
                meta = json.loads(file.read_text(encoding="utf-8")).get(KEY, {})
                source = meta.get("source")
                found.append(
                    AutosaveEntry(
                        file,
                        Path(source) if source else None,
                        int(meta.get("pid", 0)),
                        float(meta.get("saved_at", 0.0)),
                    )
                )
            except (OSError, ValueError, AttributeError, TypeError, RecursionError):
                continue  # a copy we cannot read is no help; leave it for the user
        return sorted(found, key=lambda e: e.saved_at, reverse=True)

    def orphans(self) -> list[AutosaveEntry]:
        """Copies whose process is gone: what a crash left behind."""
        return [e for e in self.entries() if not _alive(e.pid)]

    def discard(self, entry: AutosaveEntry) -> None:
        """Delete a copy the user chose to discard (or has restored)."""
        _unlink(entry.file)


def _unlink(path: Path) -> None:
    """Remove a copy; a folder gone read-only or replaced by a file leaves nothing to tidy."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def differences(current: Network, other: Network) -> list[str]:
    """Human-readable differences between two networks of the same structure:
    one line per changed entry (``P[1,1]: 3 → 5``), or a note when the
    structures differ. Used by the restore dialog's Compare."""
    from gradviz.engine.exact import format_scalar

    if current.ids != other.ids or [n.op for n in current.nodes] != [n.op for n in other.nodes]:
        return ["the structure differs (nodes were added, removed or changed)"]
    lines = []
    for a, b in zip(current.nodes, other.nodes, strict=True):
        if a.value is not None and b.value is not None:
            if a.value.shape != b.value.shape:
                lines.append(f"{a.id}: shape {a.value.shape} → {b.value.shape}")
                continue
            for row in np.argwhere(a.value != b.value):
                idx = tuple(int(i) for i in row)
                name = ",".join(str(i + 1) for i in idx)
                lines.append(
                    f"{a.id}[{name}]: {format_scalar(float(a.value[idx]))} → "
                    f"{format_scalar(float(b.value[idx]))}"
                )
        if a.attrs.get("index") != b.attrs.get("index"):
            lines.append(f"{a.id}: reads component {a.attrs.get('index')} → {b.attrs.get('index')}")
        ta, tb = a.attrs.get("target"), b.attrs.get("target")
        if ta is not None and tb is not None and not np.array_equal(ta, tb):
            lines.append(f"{a.id}: target changed")
    if current.title != other.title:
        lines.append(f"title: {current.title!r} → {other.title!r}")
    return lines


__all__ = ["AutosaveEntry", "AutosaveStore", "ModelError", "default_folder", "differences"]
