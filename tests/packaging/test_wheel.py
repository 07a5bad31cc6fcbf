"""The wheel and sdist hold the code, the examples and the icons, and the wheel
installed into a clean virtual environment runs ``gradviz report exercise3``.

The build runs the real PEP 517 hooks of ``setuptools.build_meta`` on a copy of
the working tree (so build/ and *.egg-info never land in the checkout), without
build isolation so no network is needed. The clean venv has no packages of its
own; numpy and networkx come from the project venv through ``PYTHONPATH`` (its
``.pth`` files, and so the editable gradviz, are not read from there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "out",
    "tests",
    "bench",
    "docs",
)


def resource_files() -> list[str]:
    """Every example and icon of the checkout, relative to ``resources/``."""
    res = ROOT / "resources"
    return sorted(
        str(p.relative_to(res))
        for pattern in ("examples/*.json", "icons/*")
        for p in res.glob(pattern)
    )


def module_files() -> list[str]:
    """Every ``gradviz/**/*.py`` of the checkout."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gradviz").rglob("*.py"))


def build(source: Path, out: Path) -> tuple[Path, Path]:
    """Build (wheel, sdist) of the project at ``source`` into ``out``."""
    out.mkdir()
    # build_meta rewrites sys.argv, so read the folder first
    code = (
        "import sys; from setuptools import build_meta as b; out = sys.argv[1]; "
        "w = b.build_wheel(out); s = b.build_sdist(out); "
        "print('@@', w, s)"
    )  # setuptools chats on stdout too: mark the answer
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer = next(line for line in proc.stdout.splitlines() if line.startswith("@@ "))
    _, wheel_name, sdist_name = answer.split()
    return out / wheel_name, out / sdist_name


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("pkg")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    return build(src, tmp / "dist")


def test_wheel_holds_every_module_example_and_icon(artifacts: tuple[Path, Path]) -> None:
    wheel, _ = artifacts
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [m for m in module_files() if m not in names]
    assert missing == [], f"not in the wheel (list their package in pyproject): {missing}"
    for rel in resource_files():
        assert f"gradviz/resources/{rel}" in names
    assert "gradviz/resources/examples/exercise3.json" in names
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert f"gradviz/resources/icons/gradviz-{size}.png" in names
    assert "gradviz/resources/gradviz.desktop" in names
    meta = zipfile.ZipFile(wheel).read(f"gradviz-{version()}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in meta
    assert "Requires-Dist: PySide6-Essentials<6.12,>=6.11" in meta
    entry = zipfile.ZipFile(wheel).read(f"gradviz-{version()}.dist-info/entry_points.txt")
    assert b"gradviz = gradviz.cli:main" in entry


def test_sdist_rebuilds_the_same_wheel(artifacts: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, sdist = artifacts
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
        top = tmp_path / sdist.name.removesuffix(".tar.gz")
    for rel in resource_files():
        assert (top / "resources" / rel).is_file(), f"sdist lacks resources/{rel}"
    rebuilt, _ = build(top, tmp_path / "dist2")
    assert set(zipfile.ZipFile(rebuilt).namelist()) == set(zipfile.ZipFile(wheel).namelist())


def version() -> str:
    import gradviz

    return gradviz.__version__


def test_wheel_in_a_clean_venv_reports_exercise3(
    artifacts: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, _ = artifacts
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
    )
    site = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    env = {**os.environ, "PYTHONPATH": site, "QT_QPA_PLATFORM": "offscreen"}

    where = subprocess.run(
        [
            str(py),
            "-c",
            "import gradviz, gradviz.model.examples as e; "
            "print(gradviz.__file__); print(e.resources_dir())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    assert (Path(where[1]) / "icons" / "gradviz.svg").is_file()

    proc = subprocess.run(
        [str(venv / "bin" / "gradviz"), "report", "exercise3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert "Exercise 3" in out
    assert "3/4" in out and "-3/2" in out and "ln 2" in out
