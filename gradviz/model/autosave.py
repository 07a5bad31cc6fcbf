"""Crash-safe copies of unsaved work.

While a document has unsaved changes the app writes a copy every 30 s (and after
every gradient-step run) into a per-user folder — never over the user's own
file. Each copy is a normal gradviz file plus one top-level key
``"gradviz_autosave"`` recording where the document came from, which process
wrote it and when. A copy whose process is no longer running was left by a
crash: on the next start the app offers to restore, compare or discard it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
        """The autosaved network, without the bookkeeping key."""
        data = json.loads(self.file.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data.pop(KEY, None)
        return from_dict(data, str(self.file))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class AutosaveStore:
    """The folder of autosaved copies. One file per open document, named by the
    process and a per-process document number so windows never collide."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else default_folder()

    def file_for(self, slot: int, pid: int | None = None) -> Path:
        return self.folder / f"{pid or os.getpid()}-{slot}{SUFFIX}"

    def write(self, net: Network, source: Path | None, slot: int) -> Path:
        """Write a copy atomically (temp file + rename); returns its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        doc = json.loads(dumps(net))
        doc[KEY] = {"source": str(source) if source else None, "pid": os.getpid(),
                    "saved_at": time.time()}
        target = self.file_for(slot)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
        return target

    def remove(self, slot: int) -> None:
        """Forget this process's copy (after a save, or a clean close)."""
        self.file_for(slot).unlink(missing_ok=True)

    def entries(self) -> list[AutosaveEntry]:
        """Every readable copy in the folder, newest first."""
        found = []
        for file in self.folder.glob(f"*{SUFFIX}"):
            try:
                meta = json.loads(file.read_text(encoding="utf-8")).get(KEY, {})
                source = meta.get("source")
                found.append(AutosaveEntry(file, Path(source) if source else None,
                                           int(meta.get("pid", 0)),
                                           float(meta.get("saved_at", 0.0))))
            except (OSError, ValueError, AttributeError, TypeError):
                continue  # a copy we cannot read is no help; leave it for the user
        return sorted(found, key=lambda e: e.saved_at, reverse=True)

    def orphans(self) -> list[AutosaveEntry]:
        """Copies whose process is gone: what a crash left behind."""
        return [e for e in self.entries() if not _alive(e.pid)]

    def discard(self, entry: AutosaveEntry) -> None:
        entry.file.unlink(missing_ok=True)


def differences(current: Network, other: Network) -> list[str]:
    """Human-readable differences between two networks of the same structure:
    one line per changed entry (``P[1,1]: 3 → 5``), or a note when the
    structures differ. Used by the restore dialog's Compare."""
    from gradviz.engine.exact import format_scalar

    if current.ids != other.ids or [n.op for n in current.nodes] != [n.op for n in other.nodes]:
        return ["the structure differs (nodes were added, removed or changed)"]
    lines = []
    for a, b in zip(current.nodes, other.nodes):
        if a.value is not None and b.value is not None:
            if a.value.shape != b.value.shape:
                lines.append(f"{a.id}: shape {a.value.shape} → {b.value.shape}")
                continue
            for row in np.argwhere(a.value != b.value):
                idx = tuple(int(i) for i in row)
                name = ",".join(str(i + 1) for i in idx)
                lines.append(f"{a.id}[{name}]: {format_scalar(float(a.value[idx]))} → "
                             f"{format_scalar(float(b.value[idx]))}")
        if a.attrs.get("index") != b.attrs.get("index"):
            lines.append(f"{a.id}: reads component {a.attrs.get('index')} → "
                         f"{b.attrs.get('index')}")
    return lines


__all__ = ["AutosaveEntry", "AutosaveStore", "ModelError", "default_folder", "differences"]
