"""The README cannot rot: every command it shows is run, every output it shows is real.

How README.md's fenced blocks are read (the rules a README author follows):

* ```` ```sh ```` blocks hold commands that are **run**, in order, in a fresh
  temporary folder per block (so each block stands alone, as a reader copies it).
  ``gradviz …`` and ``python -m gradviz …`` run as ``sys.executable -m gradviz …``
  with ``QT_QPA_PLATFORM=offscreen``; a command that opens the window gets
  ``--quit-after-ms 300``; ``NAME=value`` prefixes set the environment;
  ``xvfb-run`` and ``pdflatex`` lines run when those tools are installed (else they
  are skipped, and say so); ``make …`` lines are skipped (``make test`` is this
  very suite). Anything else fails the test: it does not belong in a ``sh`` block.
  Every command must exit 0.
* A ```` ```text ```` block that follows a ``sh`` or ``python`` block with nothing
  but blank lines between is that block's output (of its last command) and must
  equal the real output exactly.
* ```` ```python ```` blocks are run as scripts, in a temporary folder.
* A block whose info string names a file (```` ```latex slides.tex ````) is written
  under that name into every folder a ``sh`` block runs in.
* ```` ```console ```` blocks are set-up commands for the reader's machine
  (``$ sudo apt-get …``); they are not run, so they may not contain gradviz.
* The ```` ```json ```` example is the bundled ``exercise3`` file, byte for byte.

Besides: every command-line verb and every ``make`` target appears in a ``sh``
block, and the shortcut table lists exactly the window's keyboard shortcuts.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TIMEOUT_S = 180
QUIT_AFTER_MS = "300"


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, optional file name, text and the
    1-based line of its opening fence; ``output`` is the ``text`` block right
    after it, if any."""

    lang: str
    filename: str | None
    text: str
    line: int
    output: Block | None = None


def parse_blocks(markdown: str) -> list[Block]:
    """The fenced blocks of ``markdown`` in order, each with the ``text`` block that
    directly follows it (only blank lines between) as its ``output``."""
    lines = markdown.splitlines()
    found: list[tuple[Block, int]] = []  # (block, index of the closing fence)
    i = 0
    while i < len(lines):
        m = re.match(r"^(`{3,})\s*(\S*)\s*(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        fence, lang, name = m.groups()
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        if j == len(lines):
            raise AssertionError(f"README line {i + 1}: the code block is never closed")
        found.append((Block(lang, name or None, "\n".join(lines[i + 1 : j]), i + 1), j))
        i = j + 1
    blocks: list[Block] = []
    for k, (block, end) in enumerate(found):
        nxt = found[k + 1][0] if k + 1 < len(found) else None
        between = lines[end + 1 : nxt.line - 1] if nxt is not None else ["x"]
        follows = nxt is not None and nxt.lang == "text" and not any(s.strip() for s in between)
        blocks.append(
            Block(block.lang, block.filename, block.text, block.line, nxt if follows else None)
        )
    return blocks


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


def commands(block: Block) -> list[tuple[int, str]]:
    """(README line, command) for every command of a ``sh`` block; ``\\`` joins lines."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for k, raw in enumerate(block.text.splitlines()):
        text = raw.strip()
        if not pending:
            start = block.line + 1 + k
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        text, pending = pending + text, ""
        if text and not text.startswith("#"):
            out.append((start, text))
    return out


def _opens_window(args: list[str]) -> bool:
    from gradviz.cli import VERBS

    if any(a in ("-h", "--help", "--version") for a in args):
        return False
    return not args or args[0] == "open" or (args[0] not in VERBS and not args[0].startswith("-"))


def plan(command: str, env: dict[str, str]) -> tuple[list[str] | None, dict[str, str], str]:
    """How to run one README command: (argv or None to skip it, environment, why skipped).

    Raises AssertionError for a command that has no place in a ``sh`` block."""
    tokens = shlex.split(command, comments=True)
    env = dict(env)
    while tokens and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[0]):
        name, _, value = tokens.pop(0).partition("=")
        env[name] = value
    if not tokens:
        raise AssertionError(f"'{command}' has no command")
    prefix: list[str] = []
    if tokens[0] == "xvfb-run":
        if shutil.which("xvfb-run") is None:
            return None, env, "xvfb-run is not installed"
        prefix = [tokens.pop(0)]
        while tokens and tokens[0].startswith("-"):
            prefix.append(tokens.pop(0))
        env.pop("QT_QPA_PLATFORM", None)  # the real xcb plugin, on xvfb-run's screen
    if tokens[0] == "make":
        return None, env, "make targets are not run here (make test runs this suite)"
    if tokens[0] == "pdflatex":
        if shutil.which("pdflatex") is None:
            return None, env, "pdflatex is not installed"
        return [*prefix, *tokens], env, ""
    if tokens[0] in ("python", "python3") and tokens[1:3] == ["-m", "gradviz"]:
        tokens = ["gradviz", *tokens[3:]]
    if tokens[0] != "gradviz":
        raise AssertionError(
            f"'{command}' cannot be run by the README test: only gradviz, python -m gradviz, "
            "pdflatex, xvfb-run and make belong in a ```sh block (set-up commands go in "
            "```console, output in ```text)"
        )
    args = tokens[1:]
    if _opens_window(args) and "--quit-after-ms" not in args:
        # `gradviz FILE` means `gradviz open FILE`; the option needs the verb spelt out
        args = [
            *([] if args[:1] == ["open"] else ["open"]),
            *args,
            "--quit-after-ms",
            QUIT_AFTER_MS,
        ]
    return [*prefix, sys.executable, "-m", "gradviz", *args], env, ""


def base_env(tmp_path: Path) -> dict[str, str]:
    """Headless, with settings and autosaves kept inside the test folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["GRADVIZ_AUTOSAVE_DIR"] = str(tmp_path / "autosave")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def write_named_files(folder: Path) -> None:
    for b in BLOCKS:
        if b.filename:
            (folder / b.filename).write_text(b.text + "\n", encoding="utf-8")


def run(argv: list[str], env: dict[str, str], cwd: Path, where: str) -> str:
    r = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 0, (
        f"{where}: exit status {r.returncode}\n--- stdout\n{r.stdout[-3000:]}"
        f"\n--- stderr\n{r.stderr[-3000:]}"
    )
    return r.stdout


def assert_output(block: Block, stdout: str) -> None:
    if block.output is None:
        return
    shown = block.output.text + "\n"
    assert stdout == shown, (
        f"README line {block.output.line}: the output shown is not what README line "
        f"{block.line}'s block prints; the real output is:\n{stdout}"
    )


SH = [b for b in BLOCKS if b.lang == "sh"]
PYTHON = [b for b in BLOCKS if b.lang == "python"]


@pytest.mark.parametrize("block", SH, ids=[f"line{b.line}" for b in SH])
def test_sh_block_runs(block: Block, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    write_named_files(work)
    env0 = base_env(tmp_path)
    stdout = ""
    ran = 0
    for line, command in commands(block):
        argv, env, _why = plan(command, env0)
        if argv is None:
            continue
        stdout = run(argv, env, work, f"README line {line}: {command}")
        ran += 1
    if block.output is not None:
        assert ran, f"README line {block.line}: output shown for a block that is not run"
        assert_output(block, stdout)


@pytest.mark.parametrize("block", PYTHON, ids=[f"line{b.line}" for b in PYTHON])
def test_python_block_runs(block: Block, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(block.text + "\n", encoding="utf-8")
    stdout = run(
        [sys.executable, str(script)],
        base_env(tmp_path),
        tmp_path,
        f"README line {block.line} (python)",
    )
    assert_output(block, stdout)


def test_report_output_in_the_readme_is_the_real_one() -> None:
    """The headline example is there, with its output (checked by test_sh_block_runs)."""
    hits = [b for b in SH if [c for _, c in commands(b)] == ["gradviz report exercise3"]]
    assert hits, "README: no ```sh block with just `gradviz report exercise3`"
    assert hits[0].output is not None, "README: `gradviz report exercise3` shows no output"
    assert "J_f(Θ)" in hits[0].output.text and "ln 2" in hits[0].output.text


def test_only_make_and_runnable_commands_in_sh_blocks() -> None:
    """Planning every command finds nothing that cannot be run (a pseudo-command)."""
    for block in SH:
        for line, command in commands(block):
            try:
                plan(command, {})
            except AssertionError as e:
                raise AssertionError(f"README line {line}: {e}") from None


def test_console_blocks_hold_setup_commands_only() -> None:
    """gradviz examples must be in ```sh blocks, where they are run."""
    for block in (b for b in BLOCKS if b.lang == "console"):
        for k, line in enumerate(block.text.splitlines()):
            assert line.startswith("$ "), f"README line {block.line + 1 + k}: no '$ ' prompt"
            words = shlex.split(line[2:])
            assert "gradviz" not in words[:3] and "-m" not in words, (
                f"README line {block.line + 1 + k}: a gradviz command in a console block "
                "is never run; put it in a ```sh block"
            )


def test_every_verb_and_make_target_is_shown() -> None:
    from gradviz.cli import VERBS

    shown = [shlex.split(c, comments=True) for b in SH for _, c in commands(b)]
    verbs = {t[1] for t in shown if t[:1] == ["gradviz"] and len(t) > 1}
    verbs |= {"open"} if ["gradviz"] in shown else set()
    assert set(VERBS) <= verbs, f"README shows no example of: {sorted(set(VERBS) - verbs)}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", makefile, re.M)
    assert phony is not None
    targets = set(phony.group(1).replace("\\\n", " ").split())
    readme = README.read_text(encoding="utf-8")
    missing = {t for t in targets if f"make {t}" not in readme}
    assert not missing, f"README never mentions: {', '.join(f'make {t}' for t in sorted(missing))}"


def test_json_example_is_the_bundled_exercise3() -> None:
    from gradviz.model.examples import example_path
    from gradviz.model.fileformat import loads

    blocks = [b for b in BLOCKS if b.lang == "json"]
    assert blocks, "README: the file format section shows no JSON example"
    bundled = example_path("exercise3")
    assert bundled is not None
    assert blocks[0].text + "\n" == bundled.read_text(encoding="utf-8")
    net = loads(blocks[0].text)
    assert net.output == "f" and net.loss == "l"


def test_every_op_is_in_the_file_format_table() -> None:
    from gradviz.engine.ops import OPS

    readme = README.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+)` \|", readme, re.M))
    assert set(OPS) <= rows, f"README's op table lacks: {sorted(set(OPS) - rows)}"
    for name, op in OPS.items():
        for attr in op.attributes:
            row = re.search(rf"^\| `{name}` \|.*$", readme, re.M)
            assert row is not None and f"`{attr}`" in row.group(0), (name, attr)


def _shortcut_table_keys() -> set[str]:
    """The keys in the first column of the 'Menus and toolbar' shortcut table."""
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## Keyboard shortcuts", 1)[1].split("\n## ", 1)[0]
    table = section.split("**Menus and toolbar**", 1)[1].split("\n\n", 2)[1]
    keys: set[str] = set()
    for row in table.splitlines()[2:]:
        keys |= set(re.findall(r"`([^`]+)`", row.split("|")[1]))
    return keys


def test_shortcut_table_matches_the_window(qtbot, tmp_path: Path) -> None:
    """Every shortcut of a window action is in the table, and nothing else is."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from gradviz.qt.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    fmt = QKeySequence.SequenceFormat.PortableText
    actual: set[str] = set()
    for action in w.findChildren(QAction):
        actual |= {s.toString(fmt) for s in action.shortcuts() if not s.isEmpty()}
    for shortcut in w.findChildren(QShortcut):
        actual |= {s.toString(fmt) for s in shortcut.keys() if not s.isEmpty()}
    documented = _shortcut_table_keys()
    assert not actual - documented, f"shortcuts missing from the README: {actual - documented}"
    assert not documented - actual, f"README lists shortcuts the app lacks: {documented - actual}"


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub and GitLab make it: lower case, punctuation
    dropped (hyphens and underscores kept), spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_links_and_pictures_resolve() -> None:
    """Every relative link and picture names a file in the repository, and every
    ``#anchor`` a heading of the README."""
    readme = README.read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", readme, flags=re.M | re.S)
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", prose, re.M)}
    targets = re.findall(r"\]\(([^)\s]+)\)", prose)
    assert targets, "README: no links found"
    for target in targets:
        if re.match(r"^[a-z]+://", target):
            continue
        if target.startswith("#"):
            assert target[1:] in anchors, f"README: link to a missing heading {target}"
        else:
            assert (ROOT / target).is_file(), f"README: link to a missing file {target}"
