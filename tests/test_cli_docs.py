"""Every command has help text and a section in docs/cli.md, and the file is current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "make_cli_reference", ROOT / "docs/make_cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _reference_module()
COMMANDS = list(REFERENCE.commands(REFERENCE.cli))


def test_the_walk_finds_every_command_group_and_subcommand() -> None:
    paths = {" ".join(path) for path, _, _ in COMMANDS}
    assert {"pmo-tui plan", "pmo-tui db init", "pmo-tui findings set-status"} <= paths
    assert len(paths) > 30


@pytest.mark.parametrize("path", [" ".join(path) for path, _, _ in COMMANDS])
def test_each_command_has_help_and_a_section(path: str) -> None:
    command = next(c for p, c, _ in COMMANDS if " ".join(p) == path)
    assert (command.help or "").strip(), f"{path} has no help text"
    assert f"\n## {path}\n" in (ROOT / "docs/cli.md").read_text(encoding="utf-8")


def test_docs_cli_md_is_current() -> None:
    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == REFERENCE.reference(), (
        "docs/cli.md is out of date: run python docs/make_cli_reference.py"
    )
