"""Linux desktop integration: the .desktop entry, the AppStream metainfo and the
MIME type are valid, agree with each other, and packaging/install_desktop.py puts
them where a desktop looks (a temporary XDG data folder here)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import gradviz

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"
APP_ID = "io.github.gradviz.gradviz"
MIME = "application/x-gradviz+json"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
INSTALLER = ROOT / "packaging" / "install_desktop.py"


def desktop_entry(path: Path = RES / "gradviz.desktop") -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def needs(tool: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")


@needs("desktop-file-validate")
def test_desktop_file_validates() -> None:
    proc = subprocess.run(
        ["desktop-file-validate", str(RES / "gradviz.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


@needs("appstreamcli")
def test_metainfo_validates() -> None:
    proc = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(RES / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "W:" not in proc.stdout and "E:" not in proc.stdout, proc.stdout


def test_desktop_entry_opens_network_files_with_its_icon() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "gradviz %f"  # `gradviz FILE` opens FILE in the window
    assert entry["Icon"] == "gradviz"
    assert entry["MimeType"] == f"{MIME};"
    assert entry["Terminal"] == "false"
    assert (RES / "icons" / "gradviz.svg").is_file()


def test_mime_type_globs_gradviz_json_as_json() -> None:
    root = ET.parse(RES / f"{APP_ID}.mime.xml").getroot()
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == MIME
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*.gradviz.json"]
    assert mime.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"  # type: ignore[union-attr]


def test_metainfo_agrees_with_desktop_entry_and_version() -> None:
    root = ET.parse(RES / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == "gradviz.desktop"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("provides/mediatype") == MIME
    assert root.findtext("provides/binary") == "gradviz"
    releases = [r.get("version") for r in root.findall("releases/release")]
    assert releases[0] == gradviz.__version__, "add a <release> for the new version"


def run_installer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(INSTALLER), *args], capture_output=True, text=True, check=False
    )


def test_install_and_uninstall_into_an_xdg_data_folder(tmp_path: Path) -> None:
    program = tmp_path / "bin" / "gradviz"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    data = tmp_path / "share"

    proc = run_installer("--data-dir", str(data), "--exec", str(program))
    assert proc.returncode == 0, proc.stderr
    installed = desktop_entry(data / "applications" / "gradviz.desktop")
    assert installed["Exec"] == f"{program} %f"
    assert installed["TryExec"] == str(program)
    assert installed["MimeType"] == f"{MIME};"
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "gradviz.png"
        assert png.read_bytes() == (RES / "icons" / f"gradviz-{size}.png").read_bytes()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "gradviz.svg").is_file()
    assert (data / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    if shutil.which("update-mime-database"):
        globs = (data / "mime" / "globs2").read_text(encoding="utf-8")
        assert f"{MIME}:*.gradviz.json" in globs
    if shutil.which("update-desktop-database"):
        cache = (data / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert f"{MIME}=gradviz.desktop;" in cache
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(data / "applications" / "gradviz.desktop")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout

    proc = run_installer("--data-dir", str(data), "--uninstall")
    assert proc.returncode == 0, proc.stderr
    assert "removed 12 files" in proc.stdout
    assert not (data / "applications" / "gradviz.desktop").exists()
    assert not list((data / "icons").rglob("gradviz.png"))
