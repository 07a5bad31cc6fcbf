"""Writing a file atomically — the one way gradviz writes files (networks,
autosaves, TikZ and solutions as text; PNG, SVG and PDF pictures as bytes).

The bytes go to a temporary file in the target's folder, are flushed to disk,
then the temporary file is renamed over the target: a crash, a full disk or any
other failure never leaves half a file, and leaves the old file as it was and no
temporary file behind. The new file gets the old file's permission bits, or the
usual ``0666 & ~umask`` for a new one (``mkstemp`` alone would make it private,
0600).
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


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically. Raises ``OSError`` (missing folder,
    read-only folder, full disk), the old file and the folder left as they were;
    when the file cannot even be created the error names ``path``."""
    target = Path(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:  # name the file asked for, not the temporary one
        raise OSError(e.errno, e.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends as given) to ``path`` atomically:
    :func:`write_bytes_atomic` of its UTF-8 encoding."""
    write_bytes_atomic(path, text.encode("utf-8"))
