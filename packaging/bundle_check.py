"""Check a built PyInstaller bundle (``make bundle-check``): it must hold the
examples and icons, print the sheet's numbers with ``gradviz report exercise3``,
export a PNG and a PDF through Qt, and start its window headless
(``QT_QPA_PLATFORM=offscreen gradviz open --quit-after-ms 500``).

Usage: ``python packaging/bundle_check.py [BUNDLE]`` (default ``dist/gradviz``).
Prints one line per check and the bundle's size; exit status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # seconds for one run of the bundled program


def run(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def size_of(folder: Path) -> int:
    """Bytes of every file under ``folder`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check_resources(bundle: Path, exe: Path, tmp: Path) -> str | None:
    res = bundle / "_internal" / "gradviz" / "resources"
    wanted = [
        res / "examples" / "exercise3.json",
        res / "icons" / "gradviz.svg",
        *(res / "icons" / f"gradviz-{s}.png" for s in (16, 32, 48, 64, 128, 256, 512)),
    ]
    missing = [str(p.relative_to(bundle)) for p in wanted if not p.is_file()]
    return f"missing {', '.join(missing)}" if missing else None


def check_report(bundle: Path, exe: Path, tmp: Path) -> str | None:
    proc = run(exe, "report", "exercise3", cwd=tmp)
    if proc.returncode != 0:
        return f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
    for text in ("3/4", "-3/2", "ln 2"):
        if text not in proc.stdout:
            return f"the report lacks {text!r}"
    return None


def check_export(bundle: Path, exe: Path, tmp: Path) -> str | None:
    for name, magic in (("net.png", b"\x89PNG"), ("net.pdf", b"%PDF")):
        proc = run(exe, "export", "exercise3", "-o", name, cwd=tmp)
        out = tmp / name
        if proc.returncode != 0:
            return f"export {name}: exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
        if not out.is_file() or not out.read_bytes().startswith(magic):
            return f"export {name} wrote no {magic!r} file"
    return None


def check_window(bundle: Path, exe: Path, tmp: Path) -> str | None:
    proc = run(exe, "open", "--quit-after-ms", "500", cwd=tmp)
    if proc.returncode != 0:
        return f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
    return None


CHECKS: dict[str, Callable[[Path, Path, Path], str | None]] = {
    "examples and icons inside": check_resources,
    "gradviz report exercise3": check_report,
    "gradviz export exercise3 -o net.png / net.pdf": check_export,
    "window starts headless (open --quit-after-ms 500)": check_window,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, nargs="?", default=ROOT / "dist" / "gradviz")
    args = parser.parse_args(argv)
    bundle = args.bundle.resolve()
    exe = bundle / "gradviz"
    if not exe.is_file():
        print(f"bundle-check: error: {exe} does not exist (run make bundle)", file=sys.stderr)
        return 2
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, check in CHECKS.items():
            try:
                problem = check(bundle, exe, Path(tmp))
            except subprocess.TimeoutExpired:
                problem = f"no answer within {TIMEOUT} s"
            print(
                f"{'ok  ' if problem is None else 'FAIL'}  {name}"
                + ("" if problem is None else f": {problem}")
            )
            failed += problem is not None
    print(f"bundle {bundle}: {size_of(bundle) / 2**20:.0f} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
