"""Every ``pmo-tui`` command line in the examples of README.md and docs/ names commands and
options that exist.

A new user copies these lines first; each is run with ``--help`` appended, so click
parses the whole line (a misspelt command or an option the command does not take
exits 2) while nothing is read or written.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.bootstrap import open_database
from pmo_tui.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def command_lines(text: str) -> list[str]:
    """The ``pmo-tui ...`` lines of the ``sh`` and ``console`` blocks of ``text``, backslash
    continuations joined and a ``$ `` prompt removed."""
    lines = []
    for block in re.findall(r"```(?:sh|console)\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("pmo-tui "):
                lines.append(line)
    return lines


def _words(line: str) -> list[str]:
    """The arguments after ``pmo-tui``, up to a ``# comment`` or a ``| pipe``."""
    words = shlex.split(line, comments=True)
    return words[1 : words.index("|")] if "|" in words else words[1:]


#: (file, line) of every example command line a user may copy.
EXAMPLES = [
    (path.relative_to(ROOT).as_posix(), line)
    for path in [README, *sorted((ROOT / "docs").glob("*.md"))]
    for line in command_lines(path.read_text(encoding="utf-8"))
]


def test_the_examples_are_found() -> None:
    readme = [_words(line) for file, line in EXAMPLES if file == "README.md"]
    assert len(readme) >= 20
    assert ["plan", "--headless", "--apply"] in readme
    assert ["tui", "--from", "2026-11-02"] in readme


@pytest.mark.parametrize(("file", "line"), EXAMPLES)
def test_an_example_command_line_parses(file: str, line: str) -> None:
    result = CliRunner().invoke(cli, [*_words(line), "--help"], obj={})
    assert result.exit_code == 0, f"{file}: {line}\n{result.output}"
    assert result.output.startswith("Usage: ")


def test_the_readme_grid_example_is_what_the_demo_gives(tmp_path: Path) -> None:
    """The README's ``export capacity --grid | head -3`` lines, run on the demo as of the
    date the example names (they went stale once: 90.0, 112.0 ... from an older demo)."""
    text = README.read_text(encoding="utf-8")
    block = re.search(
        r"\$ (pmo-tui export capacity --grid [^|\n]*)\| head -3\n(.*?)```", text, re.S
    )
    assert block is not None
    command, shown = block.group(1), block.group(2).strip().splitlines()
    words = shlex.split(command)[1:]
    today = words[words.index("--today") + 1]
    db = tmp_path / "demo.db"
    open_database(db, today=dt.date.fromisoformat(today)).close()
    result = CliRunner().invoke(cli, ["--db", str(db), *words], obj={})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == shown
