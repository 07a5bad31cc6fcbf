"""The architecture's arrows: engine imports numpy only (no Qt, no networkx);
model adds networkx but no Qt; only gradviz/qt imports PySide6."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "gradviz"
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module.startswith("gradviz."):
                names.add(node.module)
    return names


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", files("engine"), ids=lambda p: p.name)
def test_engine_imports_numpy_and_stdlib_only(path: Path) -> None:
    mods = imported_modules(path)
    assert not mods & set(QT), f"{path} imports Qt"
    assert "networkx" not in mods, f"{path} imports networkx"
    assert not {
        m for m in mods if m.startswith("gradviz.") and not m.startswith("gradviz.engine")
    }, f"{path} imports a higher layer"


@pytest.mark.parametrize("path", files("model") + files("export"), ids=lambda p: p.name)
def test_model_and_export_import_no_qt(path: Path) -> None:
    mods = imported_modules(path)
    assert not mods & set(QT), f"{path} imports Qt"
    assert not {m for m in mods if m.startswith("gradviz.qt")}, f"{path} imports gradviz.qt"


def test_only_qt_package_imports_pyside() -> None:
    offenders = [
        p
        for p in ROOT.rglob("*.py")
        if "qt" not in p.relative_to(ROOT).parts[:1] and imported_modules(p) & set(QT)
    ]
    assert offenders == []
