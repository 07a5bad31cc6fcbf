"""Install (or remove) gradviz's Linux desktop integration for the current user.

Copies, following the freedesktop.org specifications, into ``$XDG_DATA_HOME``
(default ``~/.local/share``):

* ``applications/gradviz.desktop`` — the menu entry, its ``Exec``/``TryExec``
  rewritten to the absolute path of the ``gradviz`` program found, so the menu
  works when gradviz lives in a virtual environment that is not on ``PATH``;
* ``icons/hicolor/scalable/apps/gradviz.svg`` and ``icons/hicolor/NxN/apps/gradviz.png``,
  and the same SVG as the icon of network files (``…/mimetypes/``);
* ``mime/packages/io.github.gradviz.gradviz.xml`` — the ``application/x-gradviz+json``
  type for ``*.gradviz.json``, so double-clicking a network opens it in gradviz;
* ``metainfo/io.github.gradviz.gradviz.metainfo.xml`` — the AppStream entry.

Then runs ``update-desktop-database``, ``update-mime-database`` and
``gtk-update-icon-cache`` where they are installed (each is optional).

Usage: ``python packaging/install_desktop.py [--exec PATH] [--data-dir DIR] [--uninstall]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
APP_ID = "io.github.gradviz.gradviz"
DESKTOP = "gradviz.desktop"
#: The icon name a file manager looks up for application/x-gradviz+json files.
MIME_ICON = "application-x-gradviz+json"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME``, else ``~/.local/share``."""
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg) if xdg else Path.home() / ".local" / "share"


def find_program() -> str:
    """The ``gradviz`` program to start from the menu: the one beside this Python
    (a virtual environment's ``bin/``), else the one on ``PATH``, else the bare name."""
    beside = Path(sys.executable).parent / "gradviz"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("gradviz") or "gradviz"


def desktop_entry(program: str) -> str:
    """The ``.desktop`` text with ``Exec`` and ``TryExec`` pointing at ``program``."""
    quoted = f'"{program}"' if " " in program else program
    lines = []
    for line in (RESOURCES / DESKTOP).read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={quoted} %f"
        elif line.startswith("TryExec="):
            line = f"TryExec={program}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def planned_files(data: Path) -> dict[Path, Path | None]:
    """Target path → source file (None for the generated ``.desktop``)."""
    icons = RESOURCES / "icons"
    files: dict[Path, Path | None] = {
        data / "applications" / DESKTOP: None,
        data / "icons" / "hicolor" / "scalable" / "apps" / "gradviz.svg": icons / "gradviz.svg",
        data / "icons" / "hicolor" / "scalable" / "mimetypes" / f"{MIME_ICON}.svg": icons
        / "gradviz.svg",
        data / "mime" / "packages" / f"{APP_ID}.xml": RESOURCES / f"{APP_ID}.mime.xml",
        data / "metainfo" / f"{APP_ID}.metainfo.xml": RESOURCES / f"{APP_ID}.metainfo.xml",
    }
    for size in PNG_SIZES:
        target = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "gradviz.png"
        files[target] = icons / f"gradviz-{size}.png"
    return files


def refresh_caches(data: Path) -> list[str]:
    """Run the cache tools that exist; returns the names of those that ran."""
    ran = []
    commands = [
        ["update-desktop-database", "-q", str(data / "applications")],
        ["update-mime-database", str(data / "mime")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(data / "icons" / "hicolor")],
    ]
    for cmd in commands:
        if shutil.which(cmd[0]) and Path(cmd[-1]).is_dir():
            subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
            ran.append(cmd[0])
    return ran


def install(data: Path, program: str) -> list[Path]:
    """Copy every file into ``data``; returns the paths written."""
    written = []
    for target, source in planned_files(data).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(desktop_entry(program), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    return written


def uninstall(data: Path) -> list[Path]:
    """Remove the files :func:`install` writes; returns those that existed."""
    removed = []
    for target in planned_files(data):
        if target.is_file():
            target.unlink()
            removed.append(target)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--exec",
        dest="program",
        default=None,
        help="the gradviz program the menu entry starts "
        "(default: the one beside this Python, else on PATH)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="install under this folder instead of $XDG_DATA_HOME",
    )
    parser.add_argument("--uninstall", action="store_true", help="remove the files instead")
    args = parser.parse_args(argv)
    data = args.data_dir or default_data_dir()
    if args.uninstall:
        done = uninstall(data)
        verb = "removed"
    else:
        program = str(Path(args.program).resolve()) if args.program else find_program()
        done = install(data, program)
        verb = "installed"
        print(f"menu entry starts: {program}")
    ran = refresh_caches(data)
    print(f"{verb} {len(done)} files under {data}")
    if ran:
        print("refreshed: " + ", ".join(ran))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
