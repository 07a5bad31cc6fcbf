"""Writing a text file atomically — the one way gradviz writes files.

The text goes to a temporary file in the target's folder, is flushed to disk,
then renamed over the target: a crash or a full disk never leaves half a file,
and a failure leaves the old file as it was and no temporary file behind. The
new file gets the old file's permission bits, or the usual ``0666 & ~umask`` for
a new one (``mkstemp`` alone would make every saved network private, 0600).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically. Raises
    ``OSError`` (missing folder, read-only folder, full disk)."""
    target = Path(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
